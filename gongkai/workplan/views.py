"""Work-plan supervision (工作要点督办) in the staff workspace: my tasks with
their due-date warnings, importing and checking a plan, confirming it, asking
for progress reports, a task's reports and the actions on it, the overdue
list by unit and the publication quotas.

Views are thin: forms shape input; gongkai.workplan.services and .quotas
check the rules and permissions and write with an audit entry. A refusal
(ValidationError) comes back on the same page as a Chinese message;
PermissionDenied answers 403; a plan or task the user may not see answers
404, as if it did not exist."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.core import permissions, xlsx
from gongkai.core.http import attachment_header
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace import charts
from gongkai.workspace.pages import crumbs, errors_to_form, int_param

from . import quotas, selectors, services
from .forms import ImportForm, QuotaPlanForm, ReasonForm, ReportForm, RequestForm, TaskForm, unit_formset
from .models import Plan, ProgressFile, QuotaPlan, Task

MANAGE_ONLY = "只有政务公开办管理员可以管理工作要点督办。"
WARNING_FILTERS = [(services.OVERDUE, services.WARNING_LABELS[services.OVERDUE]),
                   (services.DUE_SOON, services.WARNING_LABELS[services.DUE_SOON]),
                   (services.DUE_NEAR, services.WARNING_LABELS[services.DUE_NEAR]),
                   ("any", "全部预警（已逾期或10个工作日内到期）")]



def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("工作要点督办", reverse("workplan:index")), *extra)


def _require_manager(user) -> set[int] | None:
    scope = selectors.managed_scope(user)
    require(scope is None or bool(scope), MANAGE_ONLY)
    return scope


def _plan_or_404(user, pk: int) -> Plan:
    plan = Plan.objects.select_related("organisation", "confirmed_by", "created_by").filter(pk=pk).first()
    if plan is None or not selectors.plan_visible(user, plan):
        raise Http404("工作要点不存在或您无权查看。")
    return plan


def _task_or_404(user, pk: int) -> Task:
    task = selectors.task_or_none(user, pk)
    if task is None:
        raise Http404("任务不存在或您无权查看。")
    return task


# --- my tasks -------------------------------------------------------------------


@staff_view
def index(request):
    user = request.user
    today = timezone.localdate()
    task_years = set(services.visible_tasks(user).order_by().values_list("plan__year", flat=True).distinct())
    # Without a choice: this year, or the latest year that has tasks when this one has none yet.
    year = int_param(request.GET.get("year")) or (
        today.year if today.year in task_years or not task_years else max(task_years))
    state = request.GET.get("state", "")
    if state not in Task.State.values:
        state = ""
    warning = request.GET.get("warning", "")
    if warning not in dict(WARNING_FILTERS):
        warning = ""
    tasks = services.visible_tasks(user, year=year)
    if state:
        tasks = tasks.filter(state=state)
    rows = selectors.rows(selectors.with_units(tasks), today, user)
    if warning == "any":
        rows = [r for r in rows if r.warning]
    elif warning:
        rows = [r for r in rows if r.warning == warning]
    years = set(task_years)
    manages = permissions.can_anywhere(user, permissions.WORKPLAN_MANAGE)
    plans = list(selectors.managed_plans(user)) if manages else []
    years |= {p.year for p in plans} | {today.year, year}
    return render(request, "workplan/index.html", {
        "rows": rows, "year": year, "years": sorted(years, reverse=True), "state": state, "states": Task.State.choices,
        "warning": warning, "warnings": WARNING_FILTERS, "today": today, "manages": manages, "plans": plans,
        "crumbs": _crumbs()[:-1] + [{"label": "工作要点督办", "url": ""}],
    })


# --- import and check a plan -------------------------------------------------------


@staff_view
def import_plan(request):
    user = request.user
    _require_manager(user)
    organisations = selectors.managed_organisations(user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            source = form.source()
            upload = data.get("file")
            try:
                plan = services.import_plan(organisation=data["organisation"], text=source.text, user=user,
                                            source_name=upload.name if upload else "", title=source.title,
                                            year=data.get("year") or source.year)
            except ValidationError as exc:
                errors_to_form(form, exc, {"text": "file" if upload else "text"})
            else:
                messages.success(request, f"已导入“{plan.title}”，共{plan.tasks.count()}项任务。请核对任务和单位后确认。")
                return redirect("workplan:plan", pk=plan.pk)
    else:
        form = ImportForm(organisations=organisations,
                          initial={"organisation": organisations.first() if organisations.count() == 1 else None})
    return render(request, "workplan/import.html", {"form": form, "crumbs": _crumbs(("导入工作要点", ""))})


def _plan_tasks(user, plan: Plan, manages: bool) -> list[dict]:
    """The plan's tasks in order, each with its depth and whether the user may open it."""
    today = timezone.localdate()
    tasks = selectors.with_units(plan.tasks.order_by("sort_order", "id"))
    opens = None if manages else set(services.visible_tasks(user).filter(plan=plan).values_list("pk", flat=True))
    return [{"row": row, "depth": min(len(row.task.path), 4), "opens": opens is None or row.task.pk in opens}
            for row in selectors.rows(tasks, today, user)]


def _render_plan(request, plan: Plan, request_form: RequestForm | None = None):
    user = request.user
    manages = permissions.can(user, permissions.WORKPLAN_MANAGE, plan.organisation_id)
    latest = plan.requests.first() if plan.state == Plan.State.CONFIRMED else None
    missing = services.missing_reports(latest) if latest and manages else {}
    return render(request, "workplan/plan.html", {
        "plan": plan, "tasks": _plan_tasks(user, plan, manages), "unmatched": services.unmatched_units(plan), "manages": manages,
        "draft": plan.state == Plan.State.DRAFT, "request_form": request_form or RequestForm(),
        "latest": latest, "missing": missing, "quota_plans": list(plan.quota_plans.all()) if manages else [],
        "crumbs": _crumbs((plan.title[:30], "")),
    })


@staff_view
def plan(request, pk: int):
    return _render_plan(request, _plan_or_404(request.user, pk))


@staff_view
def plan_xlsx(request, pk: int):
    """The plan's task ledger (任务台账) as a workbook: what offices kept by
    hand in spreadsheets. One sheet has a row per task (its state and percent
    summarise its units' parts), another a row per unit's part of a task."""
    plan = _plan_or_404(request.user, pk)
    require(permissions.can(request.user, permissions.WORKPLAN_MANAGE, plan.organisation_id), MANAGE_ONLY)
    today = timezone.localdate()
    tasks = selectors.with_units(plan.tasks.order_by("sort_order", "id")).prefetch_related("reports__organisation")
    rows, unit_rows = [], []
    for row in selectors.rows(tasks, today):
        task = row.task
        latest = max(task.reports.all(), key=lambda r: (r.reported_on, r.pk), default=None)
        seen = set()
        for unit in task.units.all():
            if unit.organisation_id and unit.organisation_id in seen:
                continue
            seen.add(unit.organisation_id)
            own = max((r for r in task.reports.all() if unit.organisation_id and r.organisation_id == unit.organisation_id),
                      key=lambda r: (r.reported_on, r.pk), default=None)
            unit_rows.append([
                task.path_label, task.title, unit.get_role_display(), unit.name,
                unit.organisation.name if unit.organisation_id else "未匹配（待政务公开办指定机构）",
                task.due_date, unit.get_state_display(), unit.percent / 100, unit.completed_on,
                services.WARNING_LABELS.get(services.unit_warning(task, unit, today), ""),
                f"{own.reported_on:%Y-%m-%d}：{own.text}" if own else "",
            ])
        rows.append([
            task.path_label, task.title, "、".join(u.name for u in row.leads), "、".join(u.name for u in row.responsibles),
            task.due_text, task.due_date, task.get_state_display(), task.percent / 100, task.completed_on,
            row.warning_label,
            f"{latest.reported_on:%Y-%m-%d} {latest.organisation.name}：{latest.text}" if latest else "",
        ])
    book = xlsx.workbook()
    xlsx.sheet(book, "任务台账", ["序号", "任务", "牵头单位", "责任单位", "完成时限（原文）", "完成时限", "状态", "进度",
               "完成日期", f"预警（{today:%Y-%m-%d}）", "最近一次报送"], rows,
               widths=[12, 40, 30, 30, 16, 12, 14, 8, 12, 16, 60], number_columns=[8], number_format="0%",
               date_columns=[6, 9], wrap_columns=[2, 3, 4, 11])
    xlsx.sheet(book, "各单位进展", ["序号", "任务", "职责", "单位（原文）", "对应机构", "完成时限", "本单位进展", "本单位进度",
               "本单位报送完成日期", f"预警（{today:%Y-%m-%d}）", "本单位最近一次报送"], unit_rows,
               widths=[12, 40, 10, 24, 30, 12, 14, 10, 14, 16, 60], number_columns=[8], number_format="0%",
               date_columns=[6, 9], wrap_columns=[2, 4, 5, 11])
    return xlsx.response(xlsx.to_bytes(book), f"{plan.title}任务台账（{today:%Y-%m-%d}）.xlsx")


@staff_view
@require_POST
def plan_confirm(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    try:
        services.confirm_plan(plan, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"未确认：{message}")
    else:
        messages.success(request, "工作要点已确认，各单位现在可以看到并报送各自的任务。")
    return redirect("workplan:plan", pk=plan.pk)


@staff_view
@require_POST
def plan_request(request, pk: int):
    plan = _plan_or_404(request.user, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            req = services.request_reports(plan, user=request.user, due_on=form.cleaned_data["due_on"],
                                           note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已通知各单位于{req.due_on:%Y年%m月%d日}前报送进展。")
            return redirect("workplan:plan", pk=plan.pk)
    return _render_plan(request, plan, request_form=form)


@staff_view
def task_edit(request, pk: int):
    user = request.user
    task = _task_or_404(user, pk)
    require(services.can_manage(user, task), "只有政务公开办管理员可以修改任务。")
    organisations = Organisation.objects.order_by("sort_order", "name")
    if request.method == "POST":
        form = TaskForm(request.POST)
        units = unit_formset(request.POST, organisations=organisations)
        if form.is_valid() and units.is_valid():
            rows = [(u["role"], u.get("name", ""), u["organisation"].pk if u.get("organisation") else None)
                    for u in units.cleaned_data if u and not u.get("DELETE")]
            try:
                services.update_task(task, user=user, units=rows, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存任务“{form.cleaned_data['title'][:30]}”。")
                return redirect(f"{reverse('workplan:plan', args=[task.plan_id])}#task-{task.pk}")
    else:
        form = TaskForm(initial={"title": task.title, "text": task.text, "due_text": task.due_text,
                                 "due_date": task.due_date})
        units = unit_formset(task=task, organisations=organisations)
    return render(request, "workplan/task_edit.html", {
        "task": task, "form": form, "units": units,
        "crumbs": _crumbs((task.plan.title[:30], reverse("workplan:plan", args=[task.plan_id])), ("修改任务", "")),
    })


@staff_view
@require_POST
def task_delete(request, pk: int):
    user = request.user
    task = _task_or_404(user, pk)
    require(services.can_manage(user, task), "只有政务公开办管理员可以删除任务。")
    plan_id, label = task.plan_id, str(task)[:40]
    try:
        services.delete_task(task, user=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"未删除：{message}")
    else:
        messages.success(request, f"已删除任务“{label}”及其下级任务。")
    return redirect("workplan:plan", pk=plan_id)


# --- a task, its reports and the actions on it --------------------------------------


def _reported_parts(task: Task) -> list:
    return [u for u in services.parts_of(task) if u.state == Task.State.REPORTED]


def _reopenable_parts(task: Task) -> list:
    return [u for u in services.parts_of(task) if u.state != Task.State.OPEN]


def _render_task(request, task: Task, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    task = Task.objects.select_related("plan__organisation", "confirmed_by").get(pk=task.pk)
    parts = services.parts_of(task)
    done_orgs = {u.organisation_id for u in parts if u.state == Task.State.DONE}
    # A unit whose own part is confirmed done reports no more (until the office reopens that part).
    units = [org for org in services.reporting_units(user, task) if org.pk not in done_orgs]
    can_report = bool(units) and task.plan.state == Plan.State.CONFIRMED
    reported = [u for u in parts if u.state == Task.State.REPORTED]
    can_confirm = services.can_confirm(user, task) and bool(reported)
    reopenable = [u for u in parts if u.state != Task.State.OPEN]
    can_reopen = services.can_manage(user, task) and bool(reopenable)
    reports = list(task.reports.select_related("organisation", "author").prefetch_related("documents", "files"))
    today = timezone.localdate()
    return render(request, "workplan/task.html", {
        "task": task, "row": selectors.rows([task], today)[0],
        "parts": [selectors.TaskRow(task, services.unit_warning(task, u, today), [u]) for u in parts],
        "parts_done": sum(1 for u in parts if u.state == Task.State.DONE),
        "parts_reported": sum(1 for u in parts if u.state != Task.State.OPEN),
        "pending": [u for u in parts if u.pending],
        "reported": reported,
        "reports": reports, "manages": services.can_manage(user, task),
        "report_form": bound.get("report") or (ReportForm(units=units) if can_report else None),
        "return_form": bound.get("return") or (
            ReasonForm(action="return", parts=reported, all_label="全部已报送完成的单位") if can_confirm else None),
        "reopen_form": bound.get("reopen") or (ReasonForm(action="reopen", parts=reopenable) if can_reopen else None),
        "can_confirm": can_confirm, "refused": bool(bound),
        "crumbs": _crumbs((task.plan.title[:30], reverse("workplan:plan", args=[task.plan_id])),
                          (f"{task.number} {task.title}"[:30], "")),
    })


@staff_view
def task(request, pk: int):
    return _render_task(request, _task_or_404(request.user, pk))


@staff_view
@require_POST
def task_report(request, pk: int):
    user = request.user
    task = _task_or_404(user, pk)
    units = services.reporting_units(user, task)
    require(bool(units), "您所在的单位不是该任务的牵头单位或责任单位，或您没有报送进展的权限。")
    form = ReportForm(request.POST, request.FILES, units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_progress(task, user=user, organisation=data["organisation"], text=data["text"],
                                     percent=data["percent"], claims_done=data["claims_done"],
                                     documents=data["evidence"], files=data["files"])
        except ValidationError as exc:
            errors_to_form(form, exc, {"documents": "evidence"})
        else:
            org = data["organisation"]
            messages.success(request, f"已报送完成（{org.name}承担的部分），等待牵头单位确认；各单位均完成后任务计为已完成。"
                             if data["claims_done"] else f"已报送进展（{org.name}）。")
            return redirect("workplan:task", pk=task.pk)
    return _render_task(request, task, {"report": form})


def _part_organisation(task: Task, value) -> Organisation | None:
    """The organisation of one of the task's units named by a posted id; None for none posted."""
    if value in (None, ""):
        return None
    org_id = int_param(str(value))
    org = Organisation.objects.filter(pk=org_id, work_tasks__task=task).first() if org_id else None
    if org is None:
        raise Http404("该单位不是此任务的单位。")
    return org


@staff_view
@require_POST
def task_confirm(request, pk: int):
    """A lead unit confirms one unit's reported part (`organisation`), or every reported part when none is posted."""
    task = _task_or_404(request.user, pk)
    organisation = _part_organisation(task, request.POST.get("organisation"))
    try:
        task = services.confirm_done(task, user=request.user, organisation=organisation)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"未确认：{message}")
    else:
        if task.state == Task.State.DONE:
            messages.success(request, "已确认任务完成。")
        else:
            whose = f"“{organisation.name}”承担的部分" if organisation else "已报送完成的部分"
            messages.success(request, f"已确认{whose}完成；其余单位完成并经确认后，任务计为已完成。")
    return redirect("workplan:task", pk=task.pk)


def _reopen_action(request, pk: int, action: str, service, success: str, parts, all_label: str):
    task = _task_or_404(request.user, pk)
    form = ReasonForm(request.POST, action=action, parts=parts(task), all_label=all_label)
    if form.is_valid():
        organisation = _part_organisation(task, form.cleaned_data.get("organisation"))
        try:
            service(task, user=request.user, reason=form.cleaned_data["reason"], organisation=organisation)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, success if organisation is None
                             else f"{success.rstrip('。')}（{organisation.name}承担的部分）。")
            return redirect("workplan:task", pk=task.pk)
    return _render_task(request, task, {action: form})


@staff_view
@require_POST
def task_return(request, pk: int):
    return _reopen_action(request, pk, "return", services.return_report, "已退回完成报送，任务继续推进。",
                          _reported_parts, "全部已报送完成的单位")


@staff_view
@require_POST
def task_reopen(request, pk: int):
    return _reopen_action(request, pk, "reopen", services.reopen, "已重新打开任务。", _reopenable_parts, "全部单位")


@staff_view
def file_download(request, pk: int):
    item = ProgressFile.objects.select_related("report").filter(pk=pk).first()
    if item is None:
        raise Http404("文件不存在。")
    _task_or_404(request.user, item.report.task_id)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件已不存在于存储中。")
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = attachment_header(item.name or item.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


# --- overdue tasks by unit ------------------------------------------------------------


@staff_view
def overdue(request):
    scope = _require_manager(request.user)
    today = timezone.localdate()
    tasks = services.tasks_of_units(None)
    if scope is not None:
        tasks = tasks.filter(plan__organisation_id__in=scope)
    groups = services.overdue_by_unit(tasks, today)
    return render(request, "workplan/overdue.html", {
        "groups": groups, "today": today, "total": len({t.pk for g in groups for t in g.tasks}),
        "crumbs": _crumbs(("逾期任务（按单位）", "")),
    })


# --- quotas --------------------------------------------------------------------------


def _quota_plan_or_404(user, pk: int) -> QuotaPlan:
    plan = QuotaPlan.objects.select_related("organisation", "genre", "work_plan").filter(pk=pk).first()
    if plan is None or not permissions.can(user, permissions.WORKPLAN_MANAGE, plan.organisation_id):
        raise Http404("信息发布任务数不存在或您无权查看。")
    return plan


@staff_view
def quota_list(request):
    scope = _require_manager(request.user)
    plans = QuotaPlan.objects.select_related("organisation", "genre")
    if scope is not None:
        plans = plans.filter(organisation_id__in=scope)
    return render(request, "workplan/quotas.html", {
        "plans": plans, "crumbs": _crumbs(("信息发布任务数", "")),
    })


@staff_view
def quota_new(request):
    user = request.user
    _require_manager(user)
    organisations = selectors.managed_organisations(user)
    note, reading = "", None
    if request.method == "POST" and "read_table" in request.POST:
        # Read the annexed (or pasted) table into the targets box, for the office to check before creating.
        form = QuotaPlanForm(request.POST, request.FILES, organisations=organisations, reading_table=True)
        if form.is_valid():
            reading = form.read_table()
            initial = {name: request.POST.get(name, "") for name in ("organisation", "title", "year", "period", "months",
                                                                       "carry", "genre")}
            form = QuotaPlanForm(initial={**initial, **reading.initial()}, organisations=organisations)
            source = f"“{reading.source}”" if reading.source else "粘贴的内容"
            note = (f"已从{source}读取{reading.units}个单位的数量（“{reading.column}”列），"
                    "作为每个考核周期的目标条数，请核对后点击“创建”。")
    elif request.method == "POST":
        form = QuotaPlanForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = quotas.create_quota_plan(organisation=data["organisation"], user=user, year=data["year"],
                                                title=data["title"], period=data["period"], carry=data["carry"] or "",
                                                genre=data["genre"], targets=data["target_map"], months=data["months"])
            except ValidationError as exc:
                errors_to_form(form, exc, {"target": "targets", "organisation": "targets"})
            else:
                messages.success(request, f"已创建“{plan.title}”。")
                return redirect("workplan:quota_plan", pk=plan.pk)
    else:
        form = QuotaPlanForm(organisations=organisations,
                             initial={"organisation": organisations.first() if organisations.count() == 1 else None,
                                      "carry": "next"})
    return render(request, "workplan/quota_new.html", {
        "form": form, "note": note, "reading": reading,
        "crumbs": _crumbs(("信息发布任务数", reverse("workplan:quotas")), ("新建", "")),
    })


def _chart(rows: list[quotas.Window]) -> dict:
    """Each unit's attainment in one window, as bars of 0–100%."""
    items = []
    for w in rows:
        percent = round(w.attainment * 100)
        items.append((w.organisation.name, percent, f"{percent}%（{w.actual}/{w.required}）",
                      f"已发布{w.actual}条，应完成{w.required}条，完成率{percent}%"))
    return charts.bars(items, top=100)


@staff_view
def quota_plan(request, pk: int):
    plan = _quota_plan_or_404(request.user, pk)
    today = timezone.localdate()
    as_of = min(today, dt.date(plan.year, 12, 31))
    all_windows = quotas.windows(plan, as_of=as_of)
    units: dict[int, dict] = {}
    for w in all_windows:
        unit = units.setdefault(w.organisation.pk, {"organisation": w.organisation, "windows": []})
        w.percent = round(w.attainment * 100)
        w.running = w.start <= as_of <= w.end
        unit["windows"].append(w)
    day = max(as_of, dt.date(plan.year, 1, 1))
    shown = [w for w in all_windows if w.start <= day <= w.end]
    return render(request, "workplan/quota_plan.html", {
        "plan": plan, "units": list(units.values()), "as_of": as_of, "chart": _chart(shown),
        "chart_window": shown[0].label if shown else "",
        "carry_rules": list(plan.carry_rules.all()),
        "crumbs": _crumbs(("信息发布任务数", reverse("workplan:quotas")), (plan.title[:30], "")),
    })
