"""The statistics page of disclosure applications (annual report tables 3 and
4) in the staff workspace. Who may see it: users who handle applications
(permissions.APPLICATIONS) and only for the organisations in that scope; any
other organisation answers 404, as if it did not exist. The figures and their
definitions are gongkai.applications.stats."""

from __future__ import annotations

from django.db.models import Min
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace import charts
from gongkai.workspace.pages import int_param

from . import stats
from .models import Application

YEARS_SHOWN = 6          # at least this many years in the year select
REPORT_SEASON_MONTHS = 3  # January to March: the page opens on last year (the annual report's season)



def _default_year(today) -> int:
    return today.year - 1 if today.month <= REPORT_SEASON_MONTHS else today.year


def _chart(table3: stats.Table3) -> dict:
    """The outcome rows that have applications, as bars of the 总计 column."""
    rows = [(stats.ROW_LABELS[code], table3.outcomes[code][stats.TOTAL]) for code in stats.ROW_CODES]
    return charts.bars([(label, n, f"{n}件") for label, n in rows if n])


@staff_view
def statistics(request):
    user = request.user
    scope = permissions.organisations_for(user, permissions.APPLICATIONS)
    require(scope is None or bool(scope), "您没有办理依申请公开的权限，不能查看申请统计。")
    organisations = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        organisations = organisations.filter(pk__in=scope)

    if "org" in request.GET:
        org_id = int_param(request.GET.get("org"))
        organisation = organisations.filter(pk=org_id).first() if org_id else None
    else:
        organisation = organisations.first()
    if organisation is None:
        raise Http404("机构不存在或您无权查看其申请统计。")

    today = timezone.localdate()
    year = int_param(request.GET.get("year")) if "year" in request.GET else _default_year(today)
    if year is None or stats.year_error(year):
        raise Http404("年度无效。")

    # The overview with the organisations below needs every one of them in scope.
    subtree = organisation.descendant_ids()
    children_allowed = len(subtree) > 1 and (scope is None or subtree <= scope)
    with_children = request.GET.get("children") == "1"
    if with_children and not children_allowed:
        raise Http404("机构不存在或您无权查看其下级机构的申请统计。")

    table3 = stats.table3(organisation, year, with_children=with_children)
    table4 = stats.table4(organisation, year, with_children=with_children)
    problems = stats.check(table3) + stats.check(table4)

    first = Application.objects.filter(organisation_id=organisation.pk).aggregate(first=Min("year"))["first"]
    first = max(stats.FIRST_YEAR, min(first or today.year, today.year - YEARS_SHOWN + 1, year))
    years = list(range(today.year, first - 1, -1))

    rows = table3.rows()
    return render(request, "applications/stats.html", {
        "organisations": organisations,
        "organisation": organisation,
        "year": year,
        "years": years,
        "children_allowed": children_allowed,
        "with_children": with_children,
        "corner_note": stats.CORNER_NOTE,
        "columns": [stats.COLUMN_LABELS[c] for c in stats.COLUMNS],
        "legal_columns": [stats.COLUMN_LABELS[c] for c in stats.APPLICANT_COLUMNS[1:]],
        "head_rows": rows[:2],
        "outcomes_heading": stats.SUMMARY_LABELS["outcomes"],
        "outcome_rows": rows[2:-1],
        "tail_rows": rows[-1:],
        "review_results": [stats.REVIEW_COLUMN_LABELS[c] for c in stats.REVIEW_COLUMNS],
        "review_kinds": stats.REVIEW_KIND_LABELS,
        "table4_cells": [table4.counts[kind][c] for kind in stats.REVIEW_KINDS for c in stats.REVIEW_COLUMNS],
        "table3": table3,
        "chart": _chart(table3),
        "problems": problems,
        "crumbs": [{"label": "工作台", "url": reverse("workspace:home")}, {"label": "依申请公开统计", "url": ""}],
    })
