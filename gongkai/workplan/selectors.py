"""Reads of the work-plan pages that more than one view needs (the task list,
the workbench panel): always inside what a user may see
(services.visible_tasks, services.can_manage).

Lists count per unit: for a unit's staff a task's warning is that of their
own unit's part (a township that finished its part is not warned because the
county has not); the office that manages the plan sees the task as a whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from gongkai.core import permissions

from . import services
from .models import Plan, Task, TaskUnit

WARNING_CSS = {services.OVERDUE: "warn-overdue", services.DUE_SOON: "warn-soon", services.DUE_NEAR: "warn-near"}
WORKBENCH_LIMIT = 10
# Tasks due later than this many calendar days never warn within 10 working days.
WARNING_HORIZON_DAYS = 40


@dataclass
class TaskRow:
    task: Task
    warning: str  # services.OVERDUE / DUE_SOON / DUE_NEAR / ""
    own: list[TaskUnit] = field(default_factory=list)  # the viewer's own units' parts (not for the managing office)

    @property
    def warning_label(self) -> str:
        return services.WARNING_LABELS.get(self.warning, "")

    @property
    def warning_css(self) -> str:
        return WARNING_CSS.get(self.warning, "")

    @property
    def leads(self) -> list[TaskUnit]:
        return [u for u in self.task.units.all() if u.role == TaskUnit.Role.LEAD]

    @property
    def responsibles(self) -> list[TaskUnit]:
        return [u for u in self.task.units.all() if u.role == TaskUnit.Role.RESPONSIBLE]


def with_units(qs):
    return qs.prefetch_related(Prefetch("units", queryset=TaskUnit.objects.select_related("organisation")))


_URGENCY = {services.OVERDUE: 3, services.DUE_SOON: 2, services.DUE_NEAR: 1, "": 0}


def rows(tasks, today: dt.date | None = None, user=None) -> list[TaskRow]:
    """A row per task with its warning: with `user`, and unless the user
    manages the task's plan, the most urgent warning of the user's own
    units' parts (permissions.VIEW scope); else the task's as a whole."""
    today = today or timezone.localdate()
    scope = permissions.organisations_for(user, permissions.VIEW) if user is not None else None
    out = []
    for task in tasks:
        if scope is None or services.can_manage(user, task):
            out.append(TaskRow(task, services.warning(task, today)))
            continue
        own, seen = [], set()
        for unit in task.units.all():
            if unit.organisation_id in scope and unit.organisation_id not in seen:
                seen.add(unit.organisation_id)
                own.append(unit)
        if not own:
            out.append(TaskRow(task, services.warning(task, today)))
            continue
        found = max((services.unit_warning(task, u, today) for u in own), key=_URGENCY.__getitem__)
        out.append(TaskRow(task, found, own))
    return out


def task_or_none(user, pk: int) -> Task | None:
    """A task the user may see: one of their units' tasks, or any task of a plan their office manages."""
    task = Task.objects.select_related("plan__organisation", "confirmed_by").filter(pk=pk).first()
    if task is None:
        return None
    if services.can_manage(user, task) or services.visible_tasks(user).filter(pk=pk).exists():
        return task
    return None


def managed_scope(user) -> set[int] | None:
    return permissions.organisations_for(user, permissions.WORKPLAN_MANAGE)


def managed_organisations(user):
    """The organisations where the user manages work-plan supervision."""
    from gongkai.core.models import Organisation

    scope = managed_scope(user)
    qs = Organisation.objects.order_by("sort_order", "name", "id")
    return qs if scope is None else qs.filter(pk__in=scope)


def managed_plans(user):
    scope = managed_scope(user)
    qs = Plan.objects.select_related("organisation")
    return qs if scope is None else qs.filter(organisation_id__in=scope)


def plan_visible(user, plan: Plan) -> bool:
    """The managing office sees its plans; a unit of a confirmed plan sees it."""
    if permissions.can(user, permissions.WORKPLAN_MANAGE, plan.organisation_id):
        return True
    if plan.state != Plan.State.CONFIRMED:
        return False
    scope = permissions.organisations_for(user, permissions.VIEW)
    return TaskUnit.objects.filter(task__plan=plan, organisation_id__in=scope).exists()


def warned(user, today: dt.date | None = None) -> list[TaskRow]:
    """The user's tasks that are overdue or due within 10 working days, most urgent first."""
    today = today or timezone.localdate()
    qs = services.visible_tasks(user).exclude(state=Task.State.DONE).filter(
        due_date__isnull=False, due_date__lte=today + dt.timedelta(days=WARNING_HORIZON_DAYS))
    found = [row for row in rows(with_units(qs), today, user) if row.warning]
    return sorted(found, key=lambda r: (r.task.due_date, r.task.plan_id, r.task.sort_order))


def workbench_panel(user) -> tuple[int, list[TaskRow]]:
    """(how many, the first few) of the user's warned tasks, for the workbench."""
    found = warned(user)
    return len(found), found[:WORKBENCH_LIMIT]
