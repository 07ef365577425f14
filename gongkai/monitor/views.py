"""The monitoring report for the office: each watched site's latest run (new,
still open, fixed), its findings, and the catalog's stale and empty columns;
the same as an XLSX workbook to hand to the units."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from gongkai.core import permissions, xlsx
from gongkai.workspace.auth import require, staff_view

from . import columns
from .models import Site


def _report(user):
    require(permissions.can_anywhere(user, permissions.MONITOR), "只有政务公开办管理员可以查看网站监测报告。")
    sites = []
    for site in Site.objects.all():
        run = site.runs.order_by("-started_at", "-id").first()
        findings = list(run.findings.all()) if run else []
        sites.append({"site": site, "run": run, "findings": findings})
    scope = permissions.organisations_for(user, permissions.MONITOR)
    stale = columns.problems(organisations=None if scope is None else sorted(scope))
    return sites, stale


@staff_view
def report(request):
    sites, stale = _report(request.user)
    return render(request, "monitor/report.html", {
        "sites": sites, "stale": stale, "crumbs": [{"label": "工作台", "url": reverse("workspace:home")}, {"label": "网站监测", "url": ""}],
    })


@staff_view
def report_xlsx(request):
    sites, stale = _report(request.user)
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
    return xlsx.response(xlsx.to_bytes(book), "网站监测报告.xlsx")
