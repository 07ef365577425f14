"""Website monitoring's background jobs (tasks of Django's tasks API; their
periods are in gongkai.jobs): the daily job enqueues one crawl per site that
is due, so crawls run side by side on as many workers as there are."""

from __future__ import annotations

from django_tasks import task

from gongkai.core.scheduler import moment, retried


@task()
@retried
def crawl_due_sites(now: str | None = None) -> dict:
    """Enqueue a crawl of every active site whose last run is older than
    GONGKAI_MONITOR_INTERVAL_DAYS."""
    from . import runner

    due = runner.due_sites(moment(now))
    for site in due:
        crawl_site.enqueue(site.pk, now=now)
    return {"sites": len(due)}


@task()
@retried
def crawl_site(site_id: int, now: str | None = None) -> dict:
    """Crawl one site and record the run, unless it is no longer due (run
    meanwhile, deactivated, deleted): a repeated crawl_site does nothing."""
    from . import runner

    site = next((s for s in runner.due_sites(moment(now)) if s.pk == site_id), None)
    if site is None:
        return {"crawled": 0}
    run = runner.run_site(site)
    return {"crawled": 1, "pages": run.pages, **({"error": run.error} if run.error else {})}
