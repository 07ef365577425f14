"""The monitoring report for the office: each watched site's latest run (new,
still open, fixed), its findings, and the catalog's stale and empty columns;
the same as an XLSX workbook to hand to the units."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gongkai.core import permissions
from gongkai.workspace.auth import require, staff_view
from gongkai.core.http import attachment_header

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
    from openpyxl import Workbook

    sites, stale = _report(request.user)
    book = Workbook()
    sheet = book.active
    sheet.title = "监测发现"
    sheet.append(["网站", "监测时间", "类型", "严重程度", "状态", "页面", "证据", "上下文"])
    for item in sites:
        for f in item["findings"]:
            sheet.append([item["site"].name, item["run"].started_at.strftime("%Y-%m-%d %H:%M"), f.kind_label,
                          f.severity_label, f.get_status_display(), f.page_url, f.evidence, f.context])
    columns_sheet = book.create_sheet("栏目更新")
    columns_sheet.append(["机构", "栏目", "问题", "文件数", "最近更新", "已过天数", "更新周期（天）"])
    for c in stale:
        columns_sheet.append([c.organisation, c.genre, "未更新" if c.problem == "stale" else "空栏目", c.documents,
                              c.newest.isoformat() if c.newest else "", c.age_days, c.max_days])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = attachment_header("网站监测报告.xlsx")
    return response
