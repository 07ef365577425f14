"""Monitoring runs: store a crawl's findings and compare them with the
site's previous run (new, still open, fixed)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from .models import Finding, Run, Site


def fingerprint(kind: str, page_url: str, evidence: str) -> str:
    return hashlib.sha256(f"{kind}\0{page_url}\0{evidence}".encode("utf-8")).hexdigest()


@transaction.atomic
def record_run(site: Site | None, findings, *, pages: int, started_at=None, error: str = "") -> Run:
    """Store one run's findings (objects with kind, severity, evidence,
    context, url). Compared with the site's previous run: a finding seen
    before is still open, one not seen before is new, and the previous run's
    findings that are gone are counted as fixed."""
    previous = Run.objects.filter(site=site).order_by("-started_at", "-id").first() if site else None
    before = set(previous.findings.values_list("fingerprint", flat=True)) if previous else set()
    run = Run.objects.create(site=site, started_at=started_at or timezone.now(), finished_at=timezone.now(),
                             pages=pages, error=error[:2000])
    rows, seen = [], set()
    for f in findings:
        key = fingerprint(f.kind, f.url, f.evidence)
        if key in seen:
            continue
        seen.add(key)
        rows.append(Finding(run=run, kind=f.kind, severity=f.severity, page_url=f.url[:1000], evidence=f.evidence[:1000],
                            context=(f.context or "")[:500], fingerprint=key,
                            status=Finding.Status.OPEN if key in before else Finding.Status.NEW))
    Finding.objects.bulk_create(rows)
    run.new = sum(1 for r in rows if r.status == Finding.Status.NEW)
    run.still_open = len(rows) - run.new
    run.fixed = len(before - seen)
    run.save(update_fields=["new", "still_open", "fixed"])
    return run


def _latest_runs() -> list[int]:
    latest = []
    for site in Site.objects.filter(active=True):
        run = site.runs.order_by("-started_at", "-id").first()
        if run:
            latest.append(run.pk)
    return latest


def open_findings(limit: int = 50):
    """The findings of each active site's latest run (what the workbench
    shows), serious ones first ("serious" sorts before "warning")."""
    return (Finding.objects.filter(run_id__in=_latest_runs()).select_related("run", "run__site")
            .order_by("severity", "kind", "id")[:limit])


def open_count() -> int:
    return Finding.objects.filter(run_id__in=_latest_runs()).count()
