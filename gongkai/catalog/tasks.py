"""The catalog's background jobs (tasks of Django's tasks API; their periods
are in gongkai.jobs)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from gongkai.core.scheduler import moment, retried


@task()
@retried
def expire_due(now: str | None = None) -> dict:
    """Make 失效 every 有效 document whose expiry date has come (a second run
    finds nothing left to do)."""
    from . import lifecycle

    return {"expired": lifecycle.expire_due(timezone.localdate(moment(now)))}


@task()
@retried
def export_open_data(now: str | None = None) -> dict:
    """Regenerate the public catalog's bulk files (gongkai.catalog.export)."""
    from . import export

    manifest = export.publish(now=moment(now))
    return {"documents": manifest["documents"], "files": len(manifest["files"])}
