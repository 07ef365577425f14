"""The publishing app's background jobs (tasks of Django's tasks API; their
periods are in gongkai.jobs). Each reads the database for what is due, so a
run that is repeated or retried does nothing twice."""

from __future__ import annotations

import logging

from django_tasks import task

from gongkai.core.scheduler import moment, retried

logger = logging.getLogger(__name__)


@task()
@retried
def publish_due(now: str | None = None) -> dict:
    """Publish the ready documents whose scheduled time has come by `now`
    (a schedule missed while no worker ran is caught up, once)."""
    from . import services

    published, held = services.publish_due(moment(now))
    for message in held:
        logger.warning("scheduled publication held back: %s", message)
    return {"published": published, "held": held}


@task()
@retried
def read_attachment_text(now: str | None = None) -> dict:
    """Read the text of new attachments, a batch at a time within the
    reading limits (attachment_text.read_pending): pages never read a file."""
    from . import attachment_text

    return {"attachments": attachment_text.read_pending()}
