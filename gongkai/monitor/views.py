"""The monitoring report for the office: each watched site's latest run (new,
still open, fixed), its findings, and the catalog's stale and empty columns;
the same as an XLSX workbook to hand to the units; each site with its runs,
one run's findings and one finding; adding and changing watched sites.

Everything is scoped like documents (gongkai.monitor.services.visible_sites):
an office administrator sees and manages the sites of their organisations and
those below, with their runs and findings; a site, run or finding outside that
answers 404, as if it did not exist."""

from __future__ import annotations

from django import forms
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from gongkai.core import permissions, xlsx
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form, int_param

from . import columns, services
from .models import KIND_LABELS, SEVERITY_LABELS, Finding, Run, Site

NO_ACCESS = "只有政务公开办管理员可以查看网站监测报告。"


def _require_access(user) -> None:
    require(permissions.can_anywhere(user, permissions.MONITOR), NO_ACCESS)


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("网站监测", reverse("monitor:report")), *extra)


def _one_or_404(qs, pk: int):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404("不存在或您无权查看。")
    return found


def _report(user, sites=None):
    _require_access(user)
    items = []
    for site in (sites if sites is not None else services.visible_sites(user)).select_related("organisation"):
        run = site.runs.order_by("-started_at", "-id").first()
        findings = list(run.findings.all()) if run else []
        items.append({"site": site, "run": run, "findings": findings})
    scope = permissions.organisations_for(user, permissions.MONITOR)
    stale = columns.problems(organisations=None if scope is None else sorted(scope))
    return items, stale


PER_PAGE = 50
SEVERITY_RANK = {"serious": 0, "warning": 1}  # the order of the findings list: the serious ones first


def _latest_run_ids(sites) -> list[int]:
    latest = Run.objects.filter(site=OuterRef("pk")).order_by("-started_at", "-id").values("pk")[:1]
    return [pk for pk in sites.annotate(latest=Subquery(latest)).values_list("latest", flat=True) if pk]


def _filters(request, sites) -> dict:
    """The filter row's choices and what was chosen; an unknown value counts as no filter (never an error)."""
    organisations = list(Organisation.objects.filter(pk__in=sites.exclude(organisation=None).values("organisation"))
                         .order_by("sort_order", "id"))
    org = next((o for o in organisations if o.pk == int_param(request.GET.get("org"))), None)
    site_choices = list(sites.order_by("name", "id"))
    site = next((s for s in site_choices if s.pk == int_param(request.GET.get("site"))), None)
    kind = request.GET.get("kind") if request.GET.get("kind") in KIND_LABELS else ""
    severity = request.GET.get("severity") if request.GET.get("severity") in SEVERITY_LABELS else ""
    return {"organisations": organisations, "org": org, "site_choices": site_choices, "site": site,
            "kinds": list(KIND_LABELS.items()), "kind": kind, "severities": list(SEVERITY_LABELS.items()),
            "severity": severity}


@staff_view
def report(request):
    """The latest run's findings of every site in scope in one list, paged,
    filtered by organisation (with those below it), site, kind and severity,
    the serious ones first; the sites with their latest run; the columns."""
    user = request.user
    _require_access(user)
    sites = services.visible_sites(user)
    chosen = _filters(request, sites)
    shown = sites
    if chosen["org"] is not None:
        shown = shown.filter(organisation_id__in=chosen["org"].descendant_ids())
    if chosen["site"] is not None:
        shown = shown.filter(pk=chosen["site"].pk)
    findings = Finding.objects.filter(run_id__in=_latest_run_ids(shown)).select_related("run__site__organisation")
    if chosen["kind"]:
        findings = findings.filter(kind=chosen["kind"])
    if chosen["severity"]:
        findings = findings.filter(severity=chosen["severity"])
    rank = Case(*[When(severity=key, then=Value(n)) for key, n in SEVERITY_RANK.items()],
                default=Value(len(SEVERITY_RANK)), output_field=IntegerField())
    findings = findings.annotate(rank=rank).order_by("rank", "run__site__name", "kind", "page_url", "id")
    page = Paginator(findings, PER_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("org", chosen["org"] and chosen["org"].pk), ("site", chosen["site"] and chosen["site"].pk),
                               ("kind", chosen["kind"]), ("severity", chosen["severity"])) if v}
    site_rows = []
    for site in shown.select_related("organisation").order_by("name", "id"):
        site_rows.append({"site": site, "run": site.runs.order_by("-started_at", "-id").first()})
    scope = permissions.organisations_for(user, permissions.MONITOR)
    stale = columns.problems(organisations=None if scope is None else sorted(scope))
    return render(request, "monitor/report.html", {
        **chosen, "page": page, "query": urlencode(query), "filtered": bool(query), "any_site": sites.exists(),
        "site_rows": site_rows, "stale": stale, "crumbs": crumbs(("网站监测", "")),
    })


@staff_view
def report_xlsx(request):
    sites, stale = _report(request.user)
    return _workbook(sites, stale, "网站监测报告.xlsx")


def _workbook(sites, stale, filename: str):
    book = xlsx.workbook()
    xlsx.sheet(book, "监测发现", ["网站", "监测时间", "类型", "严重程度", "状态", "页面", "证据", "上下文"],
               ([item["site"].name, item["run"].started_at.strftime("%Y-%m-%d %H:%M"), f.kind_label, f.severity_label,
                 f.get_status_display(), f.page_url, f.evidence, f.context]
                for item in sites for f in item["findings"]),
               widths=[20, 17, 12, 10, 10, 50, 40, 40])
    xlsx.sheet(book, "栏目更新", ["机构", "栏目", "问题", "文件数", "最近更新", "已过天数", "更新周期（天）"],
               ([c.organisation, c.genre, "未更新" if c.problem == "stale" else "空栏目", c.documents,
                 c.newest.isoformat() if c.newest else "", c.age_days, c.max_days] for c in stale),
               widths=[30, 20, 10, 10, 12, 10, 14])
    return xlsx.response(xlsx.to_bytes(book), filename)


# --- sites, runs, findings ----------------------------------------------------------------

class SiteForm(forms.ModelForm):
    start_url = forms.URLField(label="起始地址", max_length=500, assume_scheme="http")  # many government sites still are

    class Meta:
        model = Site
        fields = ["name", "start_url", "organisation", "own", "max_pages", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = permissions.organisations_for(user, permissions.MONITOR)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.all() if scope is None else Organisation.objects.filter(pk__in=scope)
        field.required = scope is not None  # only the system administrator leaves a site without one


def _site_form(request, site: Site | None):
    if request.method == "POST":
        form = SiteForm(request.POST, instance=Site() if site is None else Site.objects.get(pk=site.pk), user=request.user)
        if form.is_valid():
            try:
                saved = services.save_site(site, user=request.user, **{n: form.cleaned_data[n] for n in form.Meta.fields})
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存监测网站“{saved.name}”。")
                return redirect("monitor:site", pk=saved.pk), form
        return None, form
    return None, SiteForm(instance=site, user=request.user)


@staff_view
def site_new(request):
    _require_access(request.user)
    done, form = _site_form(request, None)
    if done:
        return done
    return render(request, "monitor/site_form.html", {
        "form": form, "site": None, "crumbs": _crumbs(("添加监测网站", "")),
    })


@staff_view
def site_detail(request, pk: int):
    _require_access(request.user)
    site = _one_or_404(services.visible_sites(request.user).select_related("organisation"), pk)
    done, form = _site_form(request, site)
    if done:
        return done
    runs = list(site.runs.order_by("-started_at", "-id")[:30])
    latest = runs[0] if runs else None
    return render(request, "monitor/site.html", {
        "site": site, "runs": runs, "latest": latest, "findings": list(latest.findings.all()) if latest else [],
        "form": form, "crumbs": _crumbs((site.name, "")),
    })


@staff_view
def run_detail(request, pk: int):
    _require_access(request.user)
    run = _one_or_404(services.visible_runs(request.user).select_related("site"), pk)
    return render(request, "monitor/run.html", {
        "run": run, "findings": list(run.findings.all()),
        "crumbs": _crumbs(*([(run.site.name, reverse("monitor:site", args=[run.site_id]))] if run.site_id else []),
                          (f"{run.started_at:%Y-%m-%d %H:%M} 监测", "")),
    })


@staff_view
def run_xlsx(request, pk: int):
    _require_access(request.user)
    run = _one_or_404(services.visible_runs(request.user).select_related("site"), pk)
    if run.site is None:
        raise Http404("不存在或您无权查看。")
    items = [{"site": run.site, "run": run, "findings": list(run.findings.all())}]
    return _workbook(items, [], f"网站监测报告-{run.site.name}-{run.started_at:%Y%m%d}.xlsx")


@staff_view
def finding_detail(request, pk: int):
    _require_access(request.user)
    finding = _one_or_404(services.visible_findings(request.user).select_related("run", "run__site"), pk)
    run = finding.run
    return render(request, "monitor/finding.html", {
        "finding": finding, "run": run,
        "crumbs": _crumbs(*([(run.site.name, reverse("monitor:site", args=[run.site_id]))] if run.site_id else []),
                          (f"{run.started_at:%Y-%m-%d %H:%M} 监测", reverse("monitor:run", args=[run.pk])),
                          (finding.kind_label, "")),
    })
