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


@task()
@retried
def build_case_file(application_id: int) -> dict:
    """Build (or rebuild) one closed application's case file (casefile.build),
    enqueued when the closing transaction commits. A rerun replaces the file
    and keeps the one row, so a retry is harmless."""
    from django.core.exceptions import ValidationError

    from . import casefile

    try:
        case = casefile.build(application_id)
    except ValidationError as exc:  # gone, or not closed: nothing to archive, nothing to retry
        return {"application": application_id, "skipped": " ".join(exc.messages)}
    return {"application": application_id, "sha256": case.sha256, "items": case.items, "missing": case.missing}


@task()
def send_notification(notification_id: int) -> str:
    """Send one message to an applicant, enqueued when the step that wrote it
    commits. A failed send is recorded on its row, not raised: the periodic
    job below retries it at growing intervals (notify.deliver)."""
    from . import notify

    return notify.deliver(notification_id)


@task()
@retried
def retry_notifications(now: str | None = None) -> dict:
    """The periodic retry of applicants' messages that failed (or whose task was lost)."""
    from . import notify

    return notify.retry_due(moment(now))
