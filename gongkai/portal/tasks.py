"""The portal's background jobs (tasks of Django's tasks API; their periods
are in gongkai.jobs)."""

from __future__ import annotations

from django_tasks import task

from gongkai.core.scheduler import retried


@task()
@retried
def count_site_columns(now: str | None = None) -> dict:
    """Count the site-wide 政府信息公开 column tree again (column_selectors.site_tree)."""
    from . import column_selectors

    tree = column_selectors.refresh_site_tree()
    return {"columns": len(tree.nodes), "documents": sum(node.count for node in tree.nodes)}
