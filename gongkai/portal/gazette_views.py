"""Public pages of the gazette (政府公报, issue 18): the years of each
organisation's gazette, the issues of a year, an issue with its table of
contents (目录导航, 国办发〔2018〕22号) and the printed PDF. Only published
issues are shown (gongkai.catalog.gazette)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.catalog import gazette

from .cache import public_page
from .views import Crumb


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb("首页", reverse("portal:home")), Crumb("政府公报", reverse("portal:gazette")), *extra]


@require_safe
@public_page
def index(request):
    return render(request, "portal/gazette/index.html", {
        "gazettes": gazette.published_years(),
        "crumbs": _crumbs()[:-1] + [Crumb("政府公报")],
        "current": "gazette",
    })


@require_safe
@public_page
def year(request, year: int):
    groups = gazette.published_in_year(year)
    if not groups:
        raise Http404("该年度没有已发布的政府公报。")
    return render(request, "portal/gazette/year.html", {
        "year": year,
        "groups": groups,
        "crumbs": _crumbs(Crumb(f"{year}年")),
        "current": "gazette",
    })


@require_safe
@public_page
def issue(request, pk: int):
    item = gazette.published_issue(pk)
    if item is None:
        raise Http404("没有这一期政府公报。")
    entries = gazette.issue_entries(item)
    return render(request, "portal/gazette/issue.html", {
        "issue": item,
        "sections": gazette.sections(entries),
        "entry_count": len(entries),
        "crumbs": _crumbs(Crumb(f"{item.year}年", reverse("portal:gazette_year", args=[item.year])),
                          Crumb(item.label)),
        "current": "gazette",
    })


@require_safe
def issue_pdf(request, pk: int):
    """The printed issue, read through the storage; only of a published issue.
    Not a cached page (a file)."""
    item = gazette.published_issue(pk)
    if item is None or not item.pdf:
        raise Http404("文件不存在。")
    return pdf_response(item)


def pdf_response(issue) -> FileResponse:
    """The issue's printed PDF, read through its storage (404 when the file
    is gone); the public page and the staff page both hand it out so."""
    try:
        handle = issue.pdf.storage.open(issue.pdf.name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, content_type="application/pdf", filename=f"{issue.name}{issue.label}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
