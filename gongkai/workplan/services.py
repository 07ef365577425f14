"""Work plans and their tasks: import, review, confirmation, progress,
completion and reopening. Every change checks `core.permissions` and appends
an audit entry in its own transaction; bad input raises ValidationError with
a Chinese message and writes nothing.

Who does what:
- the office (permissions.WORKPLAN_MANAGE on the plan's organisation) imports,
  corrects and confirms a plan, asks for progress reports and reopens tasks;
- a unit of a task (permissions.WORKPLAN_REPORT on that unit) reports progress;
- a lead unit of the task confirms or returns a reported completion (the
  office does it when no lead unit is matched to an organisation).
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
from gongkai.core.models import Organisation

from . import extract
from .models import Plan, ProgressFile, ProgressReport, ReportRequest, Task, TaskUnit

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
    matches = extract.match_units(parsed.unit_names(), _organisation_rows())
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
    task = Task.objects.select_for_update().select_related("plan__organisation").get(pk=task.pk)
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
    task.units.all().delete()
    names = {org.pk: org.name for org in Organisation.objects.filter(pk__in=org_ids)}
    for role, name, org_id in rows:
        TaskUnit.objects.create(task=task, role=role, name=(name or names.get(org_id, ""))[:200], organisation_id=org_id)
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
    plan = Plan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)
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
    """The task's units for which `user` may report."""
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
    """A unit reports its progress on a task, with published documents as evidence."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if task.plan.state != Plan.State.CONFIRMED:
        _refuse("工作要点尚未确认，不能报送进展。")
    if organisation.pk not in unit_ids(task):
        _refuse(f"“{organisation.name}”不是该任务的牵头单位或责任单位。", "organisation")
    _require(user, permissions.WORKPLAN_REPORT, organisation)
    if task.state == Task.State.DONE:
        _refuse("该任务已确认完成；如需继续报送，请联系政务公开办重新打开任务。")
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
    before = state_of(task)
    task.percent = max(task.percent, percent) if not claims_done else 100
    if claims_done:
        task.state, task.completed_on = Task.State.REPORTED, day
    task.save(update_fields=["percent", "state", "completed_on"])
    record("workplan.progress", "workplan.task", task.pk, actor=actor_name(user), before=before, after=state_of(task),
           detail={"report": report.pk, "organisation": organisation.pk, "percent": percent, "done": claims_done,
                   "documents": [d.pk for d in docs], "files": len(uploads)})
    return report


@transaction.atomic
def confirm_done(task: Task, *, user) -> Task:
    """The lead unit confirms a reported completion; the task counts as done on the day it was reported."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if not can_confirm(user, task):
        raise PermissionDenied("只有牵头单位可以确认任务完成。")
    if task.state != Task.State.REPORTED:
        _refuse("只有已报送完成的任务可以确认。")
    before = state_of(task)
    task.state, task.confirmed_by = Task.State.DONE, user
    task.save(update_fields=["state", "confirmed_by"])
    record("workplan.confirm_done", "workplan.task", task.pk, actor=actor_name(user), before=before, after=state_of(task))
    return task


@transaction.atomic
def return_report(task: Task, *, user, reason: str) -> Task:
    """The lead unit does not accept a reported completion: the task is open again."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if not can_confirm(user, task):
        raise PermissionDenied("只有牵头单位可以退回完成报送。")
    if task.state != Task.State.REPORTED:
        _refuse("只有已报送完成的任务可以退回。")
    return _open_again(task, user=user, reason=reason, action="workplan.return")


@transaction.atomic
def reopen(task: Task, *, user, reason: str) -> Task:
    """The office reopens a completed (or reported) task."""
    task = Task.objects.select_for_update().select_related("plan__organisation").get(pk=task.pk)
    _require(user, permissions.WORKPLAN_MANAGE, task.plan.organisation)
    if task.state == Task.State.OPEN:
        _refuse("该任务尚未完成，无需重新打开。")
    return _open_again(task, user=user, reason=reason, action="workplan.reopen")


def _open_again(task: Task, *, user, reason: str, action: str) -> Task:
    reason = (reason or "").strip()
    if not reason:
        _refuse("请填写原因。", "reason")
    before = state_of(task)
    task.state, task.completed_on, task.confirmed_by = Task.State.OPEN, None, None
    task.percent = min(task.percent, 99)
    task.save(update_fields=["state", "completed_on", "confirmed_by", "percent"])
    record(action, "workplan.task", task.pk, actor=actor_name(user), before=before, after=state_of(task),
           detail={"reason": reason[:500]})
    return task


@transaction.atomic
def request_reports(plan: Plan, *, user, due_on: dt.date, note: str = "", on: dt.date | None = None) -> ReportRequest:
    """The office asks every unit of the plan for a progress report by `due_on`."""
    plan = Plan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)
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
    """Per unit, its open tasks of the plan without a report since the request was made."""
    out: dict[Organisation, list[Task]] = {}
    tasks = tasks_of_units(None).filter(plan=req.plan).exclude(state=Task.State.DONE).prefetch_related("units__organisation")
    reported = set(ProgressReport.objects.filter(task__plan=req.plan, reported_on__gte=req.asked_on)
                   .values_list("task_id", "organisation_id"))
    for task in tasks:
        for unit in task.units.all():
            if unit.organisation_id and (task.pk, unit.organisation_id) not in reported:
                out.setdefault(unit.organisation, []).append(task)
    return dict(sorted(out.items(), key=lambda kv: (kv[0].sort_order, kv[0].name)))


# ---------------------------------------------------------------- warnings


def done_by(task: Task, day: dt.date) -> bool:
    """Whether the task counted as done at the end of `day` (reported done on or before it and not reopened)."""
    return task.state in (Task.State.DONE, Task.State.REPORTED) and task.completed_on is not None and task.completed_on <= day


def warning(task: Task, today: dt.date | None = None) -> str:
    """OVERDUE, DUE_SOON (≤ 3 working days), DUE_NEAR (≤ 10) or "" for a task."""
    today = _today(today)
    if task.due_date is None or done_by(task, today):
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


def overdue_by_unit(tasks, today: dt.date | None = None) -> list[UnitTasks]:
    """Overdue tasks grouped by each of their units (a task late for three units is listed under each)."""
    today = _today(today)
    groups: dict[int, UnitTasks] = {}
    for task in tasks.filter(due_date__lt=today).exclude(state=Task.State.DONE).prefetch_related("units__organisation"):
        if done_by(task, today):
            continue
        for unit in task.units.all():
            if unit.organisation_id:
                groups.setdefault(unit.organisation_id, UnitTasks(unit.organisation, [])).tasks.append(task)
    return sorted(groups.values(), key=lambda g: (-len(g.tasks), g.organisation.sort_order, g.organisation.name))
