"""A demo work plan and quota plan, created through the services (so the
audit log has them too): a sample plan (the Qianjiang 2018 page unless another is given;
the demo region gives its own province's) imported by the
office, a few tasks given due dates and the drafter's organisation, the plan
confirmed, one progress report, and a quarterly quota plan whose shortfalls
carry to the next quarter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from gongkai.core.models import Membership, Organisation, Role

from . import quotas, reading, services
from .models import QuotaPlan, Task, TaskUnit

SAMPLE = Path(__file__).resolve().parent.parent / "catalog" / "demo_samples" / "chongqing-qianjiang-2018-workplan.txt"
OWN_TASKS = 3  # leaf tasks that get the drafter's organisation as lead unit and a due date
QUOTA_UNITS, QUOTA_TARGET = 3, 5


def _units(task: Task) -> list[tuple[str, str, int | None]]:
    return [(u.role, u.name, u.organisation_id) for u in task.units.all()]


def create_examples(organisation: Organisation, staff, *, sample: Path = SAMPLE) -> int:
    """The demo plan for `organisation`, imported from `sample` (a plan page's text: the demo
    region gives its own province's plan); staff maps Role to the demo users. Returns the plan's
    task count."""
    office, drafter = staff[Role.OFFICE_ADMIN], staff[Role.DRAFTER]
    source = reading.read_file(sample)
    plan = services.import_plan(organisation=organisation, text=source.text, user=office, source_name=sample.name,
                                title=source.title, year=source.year)
    # The drafter's organisation leads a few leaf tasks, due in the plan's second half-year.
    membership = Membership.objects.filter(user=drafter, role=Role.DRAFTER).select_related("organisation").first()
    unit = membership.organisation if membership else organisation
    leaves = [t for t in plan.tasks.order_by("sort_order") if not t.children.exists()][:OWN_TASKS]
    for month, task in zip((9, 10, 12), leaves):
        due = dt.date(plan.year, month, 30 if month == 9 else 31)
        services.update_task(task, user=office, title=task.title, text=task.text, due_text=f"{plan.year}年{month}月底前",
                             due_date=due, units=[(TaskUnit.Role.LEAD, unit.name, unit.pk), *_units(task)])
    services.confirm_plan(plan, user=office)
    if leaves:
        services.report_progress(leaves[0], user=drafter, organisation=unit,
                                 text="已梳理本单位公开目录，完成过半，其余事项按计划推进。", percent=50)
    below = list(organisation.children.order_by("sort_order", "name")[:QUOTA_UNITS])
    if below:
        year = timezone.localdate().year
        quotas.create_quota_plan(organisation=organisation, user=office, year=year,
                                 title=f"{year}年信息发布任务数（季度）", period=QuotaPlan.Period.QUARTER,
                                 targets={org: QUOTA_TARGET for org in below}, carry="next", work_plan=plan)
    return plan.tasks.count()
