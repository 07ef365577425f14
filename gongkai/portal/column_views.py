"""Public pages of the 政府信息公开 column (issue 18): the column home for the
whole site (/xxgk/) and per organisation (/xxgk/org/<pk>/), with the four
fixed first-level entries (指南, 制度, 法定主动公开内容, 年度报告) and the links
real sites carry (政策解读, 政策文件, 意见征集, 依申请公开). Views stay thin:
reads are in column_selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.core.models import Organisation

from . import column_selectors as selectors
from .cache import public_page
from .models import DisclosureColumn
from .views import Crumb, paging

PER_PAGE = 20
COLUMN_NAME = "政府信息公开"


def _org(pk) -> Organisation | None:
    if pk is None:
        return None
    return get_object_or_404(Organisation, pk=pk)


def _url(name: str, org: Organisation | None, *args) -> str:
    if org is None:
        return reverse(f"portal:{name}", args=args)
    return reverse(f"portal:org_{name}", args=[org.pk, *args])


def _base(request, org: Organisation | None) -> dict:
    if org is not None:
        request.site_organisation = org  # the sub-site's identity (portal.context)
    crumbs = [Crumb("首页", reverse("portal:home")), Crumb(COLUMN_NAME, reverse("portal:column_home"))]
    if org is not None:
        crumbs.append(Crumb(org.name, _url("column_home", org)))
    interpretation = selectors.genre_id(selectors.INTERPRETATION_GENRE)
    query = {"genre": interpretation} if interpretation else {}
    if org is not None:
        query["org"] = org.pk
    return {
        "org": org,
        "crumbs": crumbs,
        "empty_text": selectors.EMPTY_COLUMN_TEXT,
        "entries": {
            "guide": _url("column_guide", org) if org is not None else reverse("portal:column_guides"),
            "rules": _url("column_rules", org),
            "statutory": _url("column_home", org) + "#statutory",
            "reports": _url("column_reports", org),
            "interpretations": reverse("portal:catalog") + ("?" + urlencode(query) if query else ""),
            "policies": _url("column_policies", org),
            "consultations": reverse("interaction:consultation_list"),
            "apply": reverse("applications:apply") + (f"?org={org.pk}" if org is not None else ""),
        },
    }


def _paged(request, qs, base_url: str, extra: dict | None = None, count: int | None = None
           ) -> tuple[list, dict, list[str]]:
    """One page of `qs` and the links of the pager (portal/_pagination.html);
    `count`, when the caller has counted `qs` already, spares a second count."""
    messages = []
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        number = 1
        messages.append("页码无效，已显示第 1 页。")
    paginator = Paginator(qs, PER_PAGE)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not counted again
    if number > paginator.num_pages:
        number = paginator.num_pages
    page = paginator.page(number)
    last = paginator.num_pages

    def url(n):
        params = dict(extra or {})
        if n > 1:
            params["page"] = n
        return base_url + ("?" + urlencode(params) if params else "")

    return list(page.object_list), paging(number, last, url), messages


@require_safe
@public_page
def column_home(request, pk=None):
    org = _org(pk)
    context = _base(request, org)
    context["crumbs"][-1].url = ""
    context["tree"], context["counted_at"] = selectors.tree_for(org)
    if org is None:
        context["organisations"] = selectors.organisation_tree()
    else:
        context["guide"] = selectors.current_guide(org)
    return render(request, "portal/column/home.html", context)


@require_safe
@public_page
def column_guides(request):
    context = _base(request, None)
    context["crumbs"].append(Crumb("政府信息公开指南"))
    context["organisations"] = selectors.organisations_with_guides()
    return render(request, "portal/column/guides.html", context)


@require_safe
@public_page
def column_guide(request, pk):
    org = _org(pk)
    context = _base(request, org)
    context["crumbs"].append(Crumb("政府信息公开指南"))
    context["guide"] = selectors.current_guide(org)
    return render(request, "portal/column/guide.html", context)


def _document_page(request, org, *, title: str, qs, base_url: str, column=None, intro: str = "",
                   extra: dict | None = None, subcolumns=None, filters=None, counted=None):
    """`counted`: the column's node of the site-wide tree as last counted
    (column_selectors.site_tree), whose total and date stand in for counting
    the whole catalog again on every page of a site-wide column."""
    context = _base(request, org)
    if counted is not None:
        stats = {"n": counted.count, "last": counted.last_updated}
    else:
        stats = qs.order_by().aggregate(n=Count("id"), last=Max("published_date"))  # one pass: the total, the date, the pages
    documents, paging, messages = _paged(request, qs, base_url, extra, count=stats["n"])
    context.update({
        "title": title, "column": column, "intro": intro, "documents": documents, "paging": paging,
        "page_messages": messages, "total": stats["n"], "last_updated": stats["last"],
        "subcolumns": subcolumns, "filters": filters, "empty_text": selectors.EMPTY_COLUMN_TEXT,
    })
    if column is not None and column.parent_id:
        context["crumbs"].append(Crumb(column.parent.name, _url("column_page", org, column.parent.key)))
    context["crumbs"].append(Crumb(title))
    return render(request, "portal/column/documents.html", context)


@require_safe
@public_page
def column_rules(request, pk=None):
    org = _org(pk)
    column = selectors.rules_column()
    if column is None:
        raise Http404
    return _document_page(
        request, org, title="政府信息公开制度", column=column, qs=selectors.column_documents(column, org),
        base_url=_url("column_rules", org),
        intro="本机关关于政府信息公开工作的制度文件：主题分类为“政务公开”的规章、行政规范性文件、决定、意见和通知。",
    )


@require_safe
@public_page
def column_page(request, key, pk=None):
    org = _org(pk)
    column = selectors.find_column(key)
    if column is None or column.section != DisclosureColumn.Section.STATUTORY or not column.applies_to(org):
        raise Http404
    # The column's node of the tree, read once: its sub-columns, and on the
    # site-wide column its total and date as last counted. An organisation's
    # leaf column needs no tree (its own list is counted below).
    node = None
    if org is None or column.children.exists():
        node = selectors.find_node(selectors.tree_for(org)[0], column)
    return _document_page(
        request, org, title=column.name, column=column, qs=selectors.column_documents(column, org),
        base_url=_url("column_page", org, column.key),
        intro=f"依据《中华人民共和国政府信息公开条例》{column.article}主动公开。" if column.article else "",
        subcolumns=node.children if node is not None else [],
        counted=node if org is None else None,
    )


@require_safe
@public_page
def column_policies(request, pk=None):
    org = _org(pk)
    valid_only = request.GET.get("validity") == "valid"
    base = _url("column_policies", org)
    return _document_page(
        request, org, title="政策文件", qs=selectors.policy_documents(org, valid_only=valid_only), base_url=base,
        intro="规章和行政规范性文件。" + ("仅显示现行有效的文件。" if valid_only else ""),
        extra={"validity": "valid"} if valid_only else None,
        filters=[{"label": "全部", "url": base, "current": not valid_only},
                 {"label": "现行有效", "url": base + "?validity=valid", "current": valid_only}],
    )


@require_safe
@public_page
def column_reports(request, pk=None):
    org = _org(pk)
    context = _base(request, org)
    context["crumbs"].append(Crumb("政府信息公开工作年度报告"))
    context["years"] = selectors.annual_reports(org)
    context["empty_text"] = selectors.EMPTY_COLUMN_TEXT
    return render(request, "portal/column/reports.html", context)
