"""Monitoring runs: store a crawl's findings and compare them with the
site's previous run (new, still open, fixed); which sites, runs and findings
a user sees and manages (those of the organisations in their MONITOR scope:
an office administrator's organisations and every one below; a superuser
sees all, sites without an organisation included)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongkai.core import audit, permissions

from .models import Finding, Run, Site

SCOPE_RULE = "只能管理本单位及下级单位的监测网站。"


def _scoped(qs: QuerySet, user, organisation_field: str) -> QuerySet:
    """`qs` limited to the organisations where `user` may monitor (and those
    below them); `user` None: the whole installation (the worker, commands)."""
    if user is None:
        return qs
    scope = permissions.organisations_for(user, permissions.MONITOR)
    return qs if scope is None else qs.filter(**{f"{organisation_field}__in": scope})


def visible_sites(user) -> QuerySet[Site]:
    """The sites `user` sees and manages; a site without an organisation is
    the system administrator's alone."""
    return _scoped(Site.objects.all(), user, "organisation_id")


def visible_runs(user) -> QuerySet[Run]:
    return _scoped(Run.objects.all(), user, "site__organisation_id")


def visible_findings(user) -> QuerySet[Finding]:
    return _scoped(Finding.objects.all(), user, "run__site__organisation_id")


SITE_FIELDS = ("name", "start_url", "own", "max_pages", "active", "organisation")


def save_site(site: Site | None, *, user, **fields) -> Site:
    """Add or change a watched site (audited). An office administrator
    manages the sites of their organisations and those below, and may not
    move a site out of them; only the system administrator leaves a site
    without an organisation."""
    if site is not None and not visible_sites(user).filter(pk=site.pk).exists():
        raise PermissionDenied(SCOPE_RULE)
    organisation = fields.get("organisation", site.organisation if site else None)
    if organisation is None and not permissions.is_superuser(user):
        raise ValidationError({"organisation": "请选择主办单位。"})
    if organisation is not None and not permissions.can(user, permissions.MONITOR, organisation):
        raise PermissionDenied(SCOPE_RULE)
    with transaction.atomic():
        before = audit.state_of(site) if site else None
        site = site or Site()
        for name in SITE_FIELDS:
            if name in fields:
                setattr(site, name, fields[name])
        site.full_clean()
        site.save()
        audit.record("site.edit" if before else "site.create", "site", site.pk, actor=audit.actor_name(user),
                     before=before, after=audit.state_of(site), detail={"name": site.name})
    return site


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


def _latest_runs(user) -> list[int]:
    latest = []
    for site in visible_sites(user).filter(active=True):
        run = site.runs.order_by("-started_at", "-id").first()
        if run:
            latest.append(run.pk)
    return latest


def open_findings(user, limit: int = 50):
    """The findings of the latest run of each active site `user` sees (what
    the workbench shows), serious ones first ("serious" sorts before "warning")."""
    return (Finding.objects.filter(run_id__in=_latest_runs(user)).select_related("run", "run__site")
            .order_by("severity", "kind", "id")[:limit])


def open_count(user) -> int:
    return Finding.objects.filter(run_id__in=_latest_runs(user)).count()
