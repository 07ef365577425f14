"""The applications' background jobs (tasks of Django's tasks API; their
periods are in gongkai.jobs)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from gongkai.core.scheduler import moment, retried


@task()
@retried
def application_deadlines(now: str | None = None) -> dict:
    """The daily job of the statutory clocks: record each overdue
    application once, close those whose correction or payment period has
    run out (services.daily; a second run the same day changes nothing)."""
    from . import services

    return services.daily(timezone.localdate(moment(now)))
