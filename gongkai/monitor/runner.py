"""Running the crawler for a watched site and storing the result; the
worker runs each active site once its interval has passed."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from . import services
from .models import Run, Site


def run_site(site: Site, *, progress=None) -> Run:
    from . import crawler

    started = timezone.now()
    host = (urlsplit(site.start_url).hostname or "").lower()
    try:
        report = crawler.run_sync(crawler.crawl(site.start_url, max_pages=site.max_pages,
                                           own_hosts=(host,) if site.own else (), progress=progress))
    except Exception as exc:  # a site that cannot be reached is a result too
        return services.record_run(site, [], pages=0, started_at=started, error=f"{type(exc).__name__}: {exc}")
    return services.record_run(site, report.findings, pages=len(report.pages), started_at=started)


def due_sites(now: dt.datetime | None = None) -> list[Site]:
    """Active sites whose last run is older than GONGKAI_MONITOR_INTERVAL_DAYS (7)."""
    now = now or timezone.now()
    interval = dt.timedelta(days=getattr(settings, "GONGKAI_MONITOR_INTERVAL_DAYS", 7))
    due = []
    for site in Site.objects.filter(active=True):
        last = site.runs.order_by("-started_at").values_list("started_at", flat=True).first()
        if last is None or now - last >= interval:
            due.append(site)
    return due
