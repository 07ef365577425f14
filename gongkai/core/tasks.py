"""The core's background jobs (tasks of Django's tasks API; their periods
are in gongkai.jobs)."""

from __future__ import annotations

from django_tasks import task

from . import audit, scheduler
from .scheduler import moment, retried


@task()
@retried
def anchor_audit_log(now: str | None = None) -> dict:
    """Append the audit log's head to the anchors outside the database
    (audit.daily_anchor: once the enqueuing transaction commits; a refusal is
    logged, not raised)."""
    audit.daily_anchor()
    return {}


@task()
@retried
def prune_task_results(now: str | None = None) -> dict:
    """Delete the database queue's old finished results (scheduler.KEEP_*)."""
    return {"pruned": scheduler.prune_results(moment(now))}
