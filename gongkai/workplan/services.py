"""Work plans and their tasks: import, review, confirmation, progress,
completion and reopening. Every change checks `core.permissions` and appends
an audit entry in its own transaction; bad input raises ValidationError with
a Chinese message and writes nothing.

Who does what:
- the office (permissions.WORKPLAN_MANAGE on the plan's organisation) imports,
  corrects and confirms a plan, asks for progress reports and reopens tasks
  (or one unit's part of a task);
- a unit of a task (permissions.WORKPLAN_REPORT on that unit) reports progress
  on its own part of the task, never on another unit's;
- a lead unit of the task confirms or returns a unit's reported completion
  (the office does it when no lead unit is matched to an organisation).

Per-unit progress. Every unit of a task (TaskUnit, lead or responsible) has
its own part: its state, percent and the day it reported its part done. A
unit's report with claims_done marks its part reported done (待牵头单位确认)
on the report's day; the lead unit's confirmation makes the part done. The
task's own state, percent and completed_on are a summary of the parts,
rewritten by `settle` after every change:
- 已完成 when every unit's part is confirmed done; 待牵头单位确认 when every
  part is reported done and some await confirmation; otherwise 推进中;
- an unmatched unit (a group such as 各区县政府, no organisation) cannot
  report: its part stays open and keeps the task open until the office
  assigns the unit an organisation (which may then report) or removes it
  from the task (`update_task`);
- completed_on is the day the last part was reported done; percent is 100
  once every part is reported done, else the mean of the matched units'
  percents rounded down (at most 99).
One organisation named twice in a task (as lead and responsible unit) has
one part: its rows move together. Supervision counts per unit: a unit's
part that is late is late for that unit only (`overdue_by_unit`, the
bulletin, the assessment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongkai.core import calendar as workdays
from gongkai.core import permissions
from gongkai.core.audit import actor_name, record, state_of
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation

from . import extract
from .models import Plan, ProgressFile, ProgressReport, ReportRequest, Task, TaskUnit

PART_FIELDS = ("state", "percent", "completed_on", "confirmed_by_id")

# Warnings ahead of a task's due date, in working days (the 10 and 3).
WARN_EARLY, WARN_LATE = 10, 3
OVERDUE, DUE_SOON, DUE_NEAR = "overdue", "due3", "due10"
WARNING_LABELS = {OVERDUE: "已逾期", DUE_SOON: f"{WARN_LATE}个工作日内到期", DUE_NEAR: f"{WARN_EARLY}个工作日内到期"}
MAX_FILES, MAX_FILE_SIZE = 5, 20 * 1024 * 1024


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _require(user, action: str, organisation: Organisation) -> None:
    if not permissions.can(user, action, organisation):
        label = permissions.ACTION_LABELS.get(action, action)
        raise PermissionDenied(f"您没有在“{organisation.name}”{label}的权限。")


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# ---------------------------------------------------------------- dates


def due_date_of(due_date: str | None) -> dt.date | None:
    """The extractor's ISO date or month as a date: a month is due on its last day."""
    if not due_date:
        return None
    parts = [int(p) for p in due_date.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    return workdays.month_end(*parts)


# ---------------------------------------------------------------- import and review


def _organisation_rows() -> list[tuple]:
    return list(Organisation.objects.values_list("id", "name", "short_name"))


@transaction.atomic
def import_plan(*, organisation: Organisation, text: str, user, source_name: str = "", title: str = "",
                year: int | None = None) -> Plan:
    """A draft plan from a plan's text, with its tasks and units matched to
    organisations where one matches. A text that yields no task is refused."""
    _require(user, permissions.WORKPLAN_MANAGE, organisation)
    parsed = extract.extract_plan(text or "", title=title or "", organisation=organisation.name, year=year)
    tasks = parsed.all_tasks()
    if not tasks:
        _refuse("未能从原文中识别出任何任务（应有“一、”“（一）”“1.”等编号的条目），工作要点未导入。", "text")
    plan_year = year or parsed.year
    if not plan_year:
        _refuse("无法从标题中识别年度，请填写年度。", "year")
    found = extract.classify_units(parsed.unit_names(),
                                   Organisation.objects.values_list("id", "name", "short_name", "parent_id"),
                                   issuer=organisation.pk)
    # An internal office (办公室, 政策法规科, 各科室) of the issuing organisation that has no
    # organisation of its own in the directory is that organisation's part: it reports for it.
    matches = {name: match.organisation or ((organisation.pk,) if match.kind == extract.INTERNAL_OFFICE else None)
               for name, match in found.items()}
    plan = Plan.objects.create(
        organisation=organisation, year=plan_year, title=(parsed.title or title or f"{plan_year}年政务公开工作要点")[:200],
        source_name=source_name[:200], source_text=text, created_by=user if user.is_authenticated else None,
    )
    created: dict[int, Task] = {}

    def add(items, parent):
        for item in items:
            task = Task.objects.create(
                plan=plan, parent=parent, sort_order=len(created) + 1, number=item.number[:20], path=item.path,
                title=(item.title or item.text[:60] or item.number)[:500], text=item.text,
                due_text=item.due[:100], due_date=_safe_due(item.due_date),
            )
            created[id(item)] = task
            units = [(TaskUnit.Role.LEAD, n) for n in item.lead_units]
            units += [(TaskUnit.Role.RESPONSIBLE, n) for n in item.responsible_units]
            seen = set()
            for role, name in units:
                if (role, name) in seen:
                    continue
                seen.add((role, name))
                org = matches.get(name)
                TaskUnit.objects.create(task=task, role=role, name=name[:200], organisation_id=org[0] if org else None)
            add(item.children, task)

    add(parsed.tasks, None)
    record("workplan.import", "workplan.plan", plan.pk, actor=actor_name(user),
           after=state_of(plan, exclude=("source_text",)), detail={"tasks": len(created), "source": source_name})
    return plan


def _safe_due(value: str | None) -> dt.date | None:
    try:
        return due_date_of(value)
    except ValueError:  # e.g. 2023年2月30日 as written: kept as text, no date
        return None


def _unit_rows(units: Iterable) -> list[tuple[str, str, int | None]]:
    rows = []
    for role, name, org_id in units:
        name = (name or "").strip()
        if role not in TaskUnit.Role.values:
            _refuse("单位职责只能是牵头单位或责任单位。", "units")
        if not name and not org_id:
            continue
        rows.append((role, name, org_id))
    return rows


@transaction.atomic
def update_task(task: Task, *, user, title: str, text: str = "", due_text: str = "", due_date: dt.date | None = None,
                units: Iterable[tuple[str, str, int | None]] = ()) -> Task:
    """The office corrects a task: its words, due and units (role, name as
    written, organisation id or None)."""
    task = Task.objects.select_for_update(**ROW_LOCK).select_related("plan__organisation").get(pk=task.pk)
    _require(user, permissions.WORKPLAN_MANAGE, task.plan.organisation)
    title = (title or "").strip()
    if not title:
        _refuse("任务名称不能为空。", "title")
    if due_date and not (task.plan.year - 1 <= due_date.year <= task.plan.year + 1):
        _refuse(f"完成时限应在{task.plan.year}年前后，请检查日期。", "due_date")
    rows = _unit_rows(units)
    org_ids = {org_id for _, _, org_id in rows if org_id}
    known = set(Organisation.objects.filter(pk__in=org_ids).values_list("pk", flat=True))
    if org_ids - known:
        _refuse("所选机构不存在。", "units")
    before = state_of(task)
    before["units"] = sorted(task.units.values_list("role", "name", "organisation_id"))
    task.title, task.text, task.due_text, task.due_date = title[:500], text or "", (due_text or "")[:100], due_date
    task.save()
    # Each unit keeps its part: a matched unit by its organisation, an unmatched one by its role and name.
    # A unit new to the task (an organisation assigned to a group included) starts open.
    kept: dict = {}
    for unit in task.units.all():
        key = unit.organisation_id or (unit.role, unit.name)
        kept.setdefault(key, {f: getattr(unit, f) for f in PART_FIELDS})
    task.units.all().delete()
    names = {org.pk: org.name for org in Organisation.objects.filter(pk__in=org_ids)}
    for role, name, org_id in rows:
        name = (name or names.get(org_id, ""))[:200]
        TaskUnit.objects.create(task=task, role=role, name=name, organisation_id=org_id,
                                **kept.get(org_id or (role, name), {}))
    settle(task)
    after = state_of(task)
    after["units"] = sorted(task.units.values_list("role", "name", "organisation_id"))
    record("workplan.task.update", "workplan.task", task.pk, actor=actor_name(user), before=before, after=after)
    return task


@transaction.atomic
def delete_task(task: Task, *, user) -> None:
    """The office removes a wrongly extracted task (and its subtasks) from a draft plan."""
    task = Task.objects.select_related("plan__organisation").get(pk=task.pk)
    _require(user, permissions.WORKPLAN_MANAGE, task.plan.organisation)
    if task.plan.state != Plan.State.DRAFT:
        _refuse("已确认的工作要点不能删除任务。")
    record("workplan.task.delete", "workplan.task", task.pk, actor=actor_name(user), before=state_of(task))
    task.delete()


@transaction.atomic
def confirm_plan(plan: Plan, *, user) -> Plan:
    """The office confirms the checked plan: from now on its units see their tasks."""
    plan = Plan.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=plan.pk)
    _require(user, permissions.WORKPLAN_MANAGE, plan.organisation)
    if plan.state == Plan.State.CONFIRMED:
        _refuse("该工作要点已经确认。")
    if not plan.tasks.exists():
        _refuse("工作要点没有任务，不能确认。")
    before = state_of(plan, exclude=("source_text",))
    plan.state, plan.confirmed_by, plan.confirmed_at = Plan.State.CONFIRMED, user, timezone.now()
    plan.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    record("workplan.confirm", "workplan.plan", plan.pk, actor=actor_name(user), before=before,
           after=state_of(plan, exclude=("source_text",)))
    return plan


def unmatched_units(plan: Plan) -> list[str]:
    """Unit names of the plan that no organisation stands for (groups included)."""
    return sorted(set(TaskUnit.objects.filter(task__plan=plan, organisation__isnull=True).values_list("name", flat=True)))


# ---------------------------------------------------------------- who sees what


def tracked_tasks():
    """Tasks of confirmed plans that name at least one organisation."""
    return Task.objects.filter(plan__state=Plan.State.CONFIRMED, units__organisation__isnull=False).distinct()


def tasks_of_units(org_ids: Iterable[int] | None, *, year: int | None = None):
    """Tracked tasks where one of `org_ids` (None: any) is a lead or responsible unit."""
    qs = tracked_tasks()
    if org_ids is not None:
        qs = qs.filter(units__organisation_id__in=list(org_ids))
    if year:
        qs = qs.filter(plan__year=year)
    return qs.select_related("plan").order_by("due_date", "plan_id", "sort_order").distinct()


def visible_tasks(user, *, year: int | None = None):
    """The tracked tasks (`tracked_tasks`) a user may see: those of their
    units, and those of the plans their office manages (the office reaches a
    draft plan's tasks through the plan itself)."""
    units = permissions.organisations_for(user, permissions.VIEW)
    if units is None:
        return tasks_of_units(None, year=year)
    managed = permissions.organisations_for(user, permissions.WORKPLAN_MANAGE) or set()
    qs = tracked_tasks().filter(Q(units__organisation_id__in=units) | Q(plan__organisation_id__in=managed))
    if year:
        qs = qs.filter(plan__year=year)
    return qs.select_related("plan").order_by("due_date", "plan_id", "sort_order").distinct()


def unit_ids(task: Task, role: str | None = None) -> set[int]:
    qs = task.units.filter(organisation__isnull=False)
    if role:
        qs = qs.filter(role=role)
    return set(qs.values_list("organisation_id", flat=True))


def reporting_units(user, task: Task) -> list[Organisation]:
    """The task's units (matched to an organisation) for which `user` may report."""
    ids = [i for i in unit_ids(task) if permissions.can(user, permissions.WORKPLAN_REPORT, i)]
    return list(Organisation.objects.filter(pk__in=ids).order_by("sort_order", "name"))


def can_confirm(user, task: Task) -> bool:
    """A lead unit confirms completion; the office does when no lead unit is an organisation."""
    leads = unit_ids(task, TaskUnit.Role.LEAD)
    if leads:
        return any(permissions.can(user, permissions.WORKPLAN_REPORT, i) for i in leads)
    return permissions.can(user, permissions.WORKPLAN_MANAGE, task.plan.organisation_id)


def can_manage(user, task: Task) -> bool:
    return permissions.can(user, permissions.WORKPLAN_MANAGE, task.plan.organisation_id)


# ---------------------------------------------------------------- the units' parts


def settle(task: Task, *, confirmer=None) -> Task:
    """Rewrite the task's state, percent, completed_on and confirmed_by from
    its units' parts (the rule is in the module docstring). `confirmer` is
    the user whose confirmation is being written: the task's confirmer when
    it makes the task done. Saves the task; the caller audits."""
    units = list(TaskUnit.objects.filter(task_id=task.pk))  # never a stale prefetched list
    states = {u.state for u in units}
    if not units or Task.State.OPEN in states:
        state = Task.State.OPEN
    elif states == {Task.State.DONE}:
        state = Task.State.DONE
    else:
        state = Task.State.REPORTED
    if state == Task.State.OPEN:
        matched = [u.percent for u in units if u.organisation_id]
        percent = min(99, sum(matched) // len(matched)) if matched else 0
        completed_on = None
    else:
        percent = 100
        completed_on = max((u.completed_on for u in units if u.completed_on), default=None)
    if state != Task.State.DONE:
        confirmed_by_id = None
    elif confirmer is not None:
        confirmed_by_id = confirmer.pk
    elif task.state == Task.State.DONE and task.confirmed_by_id:
        confirmed_by_id = task.confirmed_by_id
    else:  # done by an edit (a pending unit removed): who confirmed the last part reported
        last = max((u for u in units if u.confirmed_by_id), key=lambda u: (u.completed_on or dt.date.min, u.pk),
                   default=None)
        confirmed_by_id = last.confirmed_by_id if last else None
    task.state, task.percent, task.completed_on, task.confirmed_by_id = state, percent, completed_on, confirmed_by_id
    task.save(update_fields=["state", "percent", "completed_on", "confirmed_by"])
    return task


def parts_of(task: Task) -> list[TaskUnit]:
    """The task's units with their parts, leads first, each organisation once
    (unmatched units each count as their own part)."""
    seen, out = set(), []
    for unit in task.units.select_related("organisation", "confirmed_by").order_by("role", "id"):
        if unit.organisation_id and unit.organisation_id in seen:
            continue
        seen.add(unit.organisation_id)
        out.append(unit)
    return out


def _parts_state(task: Task) -> list:
    return sorted([u.organisation_id or 0, u.name, u.state, u.percent,
                   u.completed_on.isoformat() if u.completed_on else None] for u in TaskUnit.objects.filter(task_id=task.pk))


def _chosen_parts(task: Task, states, organisation: Organisation | None) -> list[TaskUnit]:
    """The task's unit rows in one of `states`, locked; only `organisation`'s rows when given."""
    qs = task.units.select_for_update(**ROW_LOCK).filter(state__in=states)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return list(qs)


# ---------------------------------------------------------------- progress


def _check_files(files) -> list:
    from gongkai.catalog.models import validate_attachment

    files = list(files or [])
    if len(files) > MAX_FILES:
        _refuse(f"每次最多上传{MAX_FILES}个附件。", "files")
    for upload in files:
        if upload.size > MAX_FILE_SIZE:
            _refuse(f"附件“{upload.name}”超过{MAX_FILE_SIZE // 1024 // 1024}MB。", "files")
        try:
            validate_attachment(upload)
        except ValidationError as exc:
            _refuse(f"附件“{upload.name}”：{'；'.join(exc.messages)}", "files")
    return files


@transaction.atomic
def report_progress(task: Task, *, user, organisation: Organisation, text: str, percent: int,
                    claims_done: bool = False, documents: Iterable = (), files: Iterable = (),
                    on: dt.date | None = None) -> ProgressReport:
    """A unit reports its progress on its own part of a task, with published
    documents as evidence; with claims_done its part is reported done (the
    task is complete only once every unit's part is)."""
    task = Task.objects.select_for_update(**ROW_LOCK).select_related("plan").get(pk=task.pk)
    if task.plan.state != Plan.State.CONFIRMED:
        _refuse("工作要点尚未确认，不能报送进展。")
    parts = list(task.units.select_for_update(**ROW_LOCK).filter(organisation=organisation))
    if not parts:
        _refuse(f"“{organisation.name}”不是该任务的牵头单位或责任单位。", "organisation")
    _require(user, permissions.WORKPLAN_REPORT, organisation)
    if any(p.state == Task.State.DONE for p in parts):
        _refuse(f"“{organisation.name}”承担的部分已确认完成；如需继续报送，请联系政务公开办重新打开。")
    text = (text or "").strip()
    if not text:
        _refuse("请填写进展情况。", "text")
    if len(text) > 5000:
        _refuse("进展情况不能超过5000字。", "text")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        _refuse("进度应为0到100之间的整数。", "percent")
    if not 0 <= percent <= 100:
        _refuse("进度应为0到100之间的整数。", "percent")
    if claims_done and percent != 100:
        _refuse("报送完成时进度应为100%。", "percent")
    from gongkai.catalog.models import Document

    docs = list(documents)
    if any(getattr(d, "status", None) != Document.Status.PUBLISHED for d in docs):
        _refuse("佐证材料只能是已发布的政府信息。", "documents")
    uploads = _check_files(files)
    day = _today(on)
    report = ProgressReport.objects.create(task=task, organisation=organisation, author=user, reported_on=day,
                                           text=text, percent=percent, claims_done=claims_done)
    if docs:
        report.documents.set(docs)
    for upload in uploads:
        ProgressFile.objects.create(report=report, file=upload, name=upload.name[:200], size=upload.size)
    before = {**state_of(task), "units": _parts_state(task)}
    for part in parts:
        part.percent = 100 if claims_done else max(part.percent, percent)
        if claims_done:
            part.state, part.completed_on = Task.State.REPORTED, day
        part.save(update_fields=["percent", "state", "completed_on"])
    settle(task)
    record("workplan.progress", "workplan.task", task.pk, actor=actor_name(user), before=before,
           after={**state_of(task), "units": _parts_state(task)},
           detail={"report": report.pk, "organisation": organisation.pk, "percent": percent, "done": claims_done,
                   "documents": [d.pk for d in docs], "files": len(uploads)})
    return report


@transaction.atomic
def confirm_done(task: Task, *, user, organisation: Organisation | None = None) -> Task:
    """The lead unit confirms `organisation`'s reported part (None: every
    reported part); a part counts as done on the day it was reported done."""
    task = Task.objects.select_for_update(**ROW_LOCK).select_related("plan").get(pk=task.pk)
    if not can_confirm(user, task):
        raise PermissionDenied("只有牵头单位可以确认任务完成。")
    parts = _chosen_parts(task, [Task.State.REPORTED], organisation)
    if not parts:
        _refuse("只有已报送完成的任务可以确认。" if organisation is None
                else f"“{organisation.name}”尚未报送完成（只有已报送完成的单位可以确认）。")
    before = {**state_of(task), "units": _parts_state(task)}
    for part in parts:
        part.state, part.confirmed_by = Task.State.DONE, user
        part.save(update_fields=["state", "confirmed_by"])
    settle(task, confirmer=user)
    record("workplan.confirm_done", "workplan.task", task.pk, actor=actor_name(user), before=before,
           after={**state_of(task), "units": _parts_state(task)},
           detail={"organisations": sorted({p.organisation_id for p in parts if p.organisation_id})})
    return task


@transaction.atomic
def return_report(task: Task, *, user, reason: str, organisation: Organisation | None = None) -> Task:
    """The lead unit does not accept `organisation`'s reported completion
    (None: every reported part): that part is open again."""
    task = Task.objects.select_for_update(**ROW_LOCK).select_related("plan").get(pk=task.pk)
    if not can_confirm(user, task):
        raise PermissionDenied("只有牵头单位可以退回完成报送。")
    parts = _chosen_parts(task, [Task.State.REPORTED], organisation)
    if not parts:
        _refuse("只有已报送完成的任务可以退回。" if organisation is None
                else f"“{organisation.name}”尚未报送完成（只有已报送完成的单位可以退回）。")
    return _open_again(task, parts, user=user, reason=reason, action="workplan.return")


@transaction.atomic
def reopen(task: Task, *, user, reason: str, organisation: Organisation | None = None) -> Task:
    """The office reopens `organisation`'s reported or completed part (None:
    every such part of the task)."""
    task = Task.objects.select_for_update(**ROW_LOCK).select_related("plan__organisation").get(pk=task.pk)
    _require(user, permissions.WORKPLAN_MANAGE, task.plan.organisation)
    parts = _chosen_parts(task, [Task.State.REPORTED, Task.State.DONE], organisation)
    if not parts:
        _refuse("该任务尚未完成，无需重新打开。" if organisation is None
                else f"“{organisation.name}”承担的部分尚未完成，无需重新打开。")
    return _open_again(task, parts, user=user, reason=reason, action="workplan.reopen")


def _open_again(task: Task, parts: list[TaskUnit], *, user, reason: str, action: str) -> Task:
    reason = (reason or "").strip()
    if not reason:
        _refuse("请填写原因。", "reason")
    before = {**state_of(task), "units": _parts_state(task)}
    for part in parts:
        part.state, part.completed_on, part.confirmed_by = Task.State.OPEN, None, None
        part.percent = min(part.percent, 99)
        part.save(update_fields=["state", "completed_on", "confirmed_by", "percent"])
    settle(task)
    record(action, "workplan.task", task.pk, actor=actor_name(user), before=before,
           after={**state_of(task), "units": _parts_state(task)},
           detail={"reason": reason[:500], "organisations": sorted({p.organisation_id for p in parts if p.organisation_id})})
    return task


@transaction.atomic
def request_reports(plan: Plan, *, user, due_on: dt.date, note: str = "", on: dt.date | None = None) -> ReportRequest:
    """The office asks every unit of the plan for a progress report by `due_on`."""
    plan = Plan.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=plan.pk)
    _require(user, permissions.WORKPLAN_MANAGE, plan.organisation)
    if plan.state != Plan.State.CONFIRMED:
        _refuse("工作要点尚未确认。")
    day = _today(on)
    if due_on < day:
        _refuse("报送截止日期不能早于今天。", "due_on")
    req = ReportRequest.objects.create(plan=plan, asked_on=day, due_on=due_on, note=(note or "")[:300], created_by=user)
    record("workplan.request", "workplan.plan", plan.pk, actor=actor_name(user), after=state_of(req))
    return req


def missing_reports(req: ReportRequest) -> dict[Organisation, list[Task]]:
    """Per unit, the tasks of the plan where its own part is not done and it
    has not reported since the request was made."""
    out: dict[Organisation, list[Task]] = {}
    tasks = tasks_of_units(None).filter(plan=req.plan).exclude(state=Task.State.DONE).prefetch_related("units__organisation")
    reported = set(ProgressReport.objects.filter(task__plan=req.plan, reported_on__gte=req.asked_on)
                   .values_list("task_id", "organisation_id"))
    for task in tasks:
        listed = set()
        for unit in task.units.all():
            if (unit.organisation_id and unit.state != Task.State.DONE and unit.organisation_id not in listed
                    and (task.pk, unit.organisation_id) not in reported):
                listed.add(unit.organisation_id)
                out.setdefault(unit.organisation, []).append(task)
    return dict(sorted(out.items(), key=lambda kv: (kv[0].sort_order, kv[0].name)))


# ---------------------------------------------------------------- warnings


def done_by(task: Task, day: dt.date) -> bool:
    """Whether the whole task counted as done at the end of `day`: every
    unit's part reported done on or before it (the last one's day is the
    task's completed_on) and none reopened."""
    return task.state in (Task.State.DONE, Task.State.REPORTED) and task.completed_on is not None and task.completed_on <= day


def warning(task: Task, today: dt.date | None = None) -> str:
    """OVERDUE, DUE_SOON (≤ 3 working days), DUE_NEAR (≤ 10) or "" for a task as a whole."""
    today = _today(today)
    return _warning(task, done_by(task, today), today)


def unit_warning(task: Task, unit: TaskUnit, today: dt.date | None = None) -> str:
    """The warning of one unit's part of a task: none once that part is reported done."""
    today = _today(today)
    return _warning(task, unit.done_by(today), today)


def _warning(task: Task, done: bool, today: dt.date) -> str:
    if task.due_date is None or done:
        return ""
    if task.due_date < today:
        return OVERDUE
    # A year without calendar data counts on weekends alone (provisional): a warning is never missed.
    left = workdays.provisional().workdays_between(today, task.due_date)
    if left <= WARN_LATE:
        return DUE_SOON
    if left <= WARN_EARLY:
        return DUE_NEAR
    return ""


@dataclass
class UnitTasks:
    organisation: Organisation
    tasks: list[Task]
    parts: list[TaskUnit]  # the unit's own part of each task, in the same order


def overdue_by_unit(tasks, today: dt.date | None = None) -> list[UnitTasks]:
    """Overdue parts grouped by unit: a task is listed under each of its
    units whose own part is not reported done by `today` (not under a unit
    that finished its part)."""
    today = _today(today)
    groups: dict[int, UnitTasks] = {}
    for task in tasks.filter(due_date__lt=today).exclude(state=Task.State.DONE).prefetch_related("units__organisation"):
        listed = set()
        for unit in task.units.all():
            if unit.organisation_id and unit.organisation_id not in listed and not unit.done_by(today):
                listed.add(unit.organisation_id)
                group = groups.setdefault(unit.organisation_id, UnitTasks(unit.organisation, [], []))
                group.tasks.append(task)
                group.parts.append(unit)
    return sorted(groups.values(), key=lambda g: (-len(g.tasks), g.organisation.sort_order, g.organisation.name))
