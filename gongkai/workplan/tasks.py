"""Work-plan supervision's background jobs (tasks of Django's tasks API;
their periods are in gongkai.jobs)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from gongkai.core.scheduler import moment, retried


@task()
@retried
def draft_due_bulletins(now: str | None = None) -> dict:
    """From the month's first working day on, draft last month's bulletin of
    every office that has none yet (bulletins.due: a worker that was down on
    that day catches up later in the month; none is drafted twice)."""
    from . import bulletins

    return {"bulletins": len(bulletins.due(timezone.localdate(moment(now))))}
