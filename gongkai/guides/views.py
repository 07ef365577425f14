"""Public pages of the service guides: the list, a guide, and its history.
Only published guides are shown; any other address answers 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.portal.views import Crumb, paging

from . import selectors
from .forms import PublicQueryForm

PER_PAGE = 20


def _querystring(params: dict, page: int = 1) -> str:
    """'?…' for the filters in effect and the page (page 1 is left out)."""
    pairs = [*params.items(), *([("page", page)] if page > 1 else [])]
    return "?" + urlencode(pairs) if pairs else "?"


def _paging(params: dict, current: int, last: int) -> dict:
    """The structure portal/_pagination.html renders."""
    return paging(current, last, lambda number: _querystring(params, page=number))


def _home_crumbs(*extra: Crumb) -> list[Crumb]:
    return [Crumb("首页", reverse("portal:home")), *extra]


@require_safe
def guide_list(request):
    organisations = list(selectors.organisations_with_public_guides())
    raw = {"q": (request.GET.get("q") or "").strip()[:100], "org": request.GET.get("org") or ""}
    form = PublicQueryForm(raw, organisations=organisations)
    notices, params = [], {}
    form.is_valid()
    if "org" in form.errors:
        notices.extend(form.errors["org"])
        raw["org"] = ""
    q, org = raw["q"], form.cleaned_data.get("org")
    qs = selectors.public_guides()
    if org is not None:
        qs = qs.filter(organisation_id=org)
        params["org"] = org
    if q:
        qs = selectors.search(qs, q)
        params["q"] = q
    qs = qs.order_by("organisation__sort_order", "organisation_id", "item_name", "id")
    paginator = Paginator(qs, PER_PAGE)
    requested = request.GET.get("page") or "1"
    page = paginator.get_page(requested)
    if requested.isdigit() and int(requested) > page.number:
        notices.append(f"没有第 {requested} 页，共 {paginator.num_pages} 页，已显示最后一页。")
    org_name = next((o.name for o in organisations if o.pk == org), "")
    return render(request, "guides/list.html", {
        "form": PublicQueryForm(raw, organisations=organisations),
        "page": page,
        "guides": page.object_list,
        "q": q,
        "org_name": org_name,
        "filtered": bool(params),
        "messages_list": notices,
        "paging": _paging(params, page.number, paginator.num_pages),
        "crumbs": _home_crumbs(Crumb("办事指南")),
    })


def _published_or_404(pk: int):
    guide = selectors.public_guide(pk)
    if guide is None:
        raise Http404("没有这份办事指南")
    return guide


def _guide_crumbs(guide, *extra: Crumb) -> list[Crumb]:
    org = guide.organisation
    return _home_crumbs(
        Crumb("办事指南", reverse("guides:list")),
        Crumb(org.short_name or org.name, reverse("guides:list") + f"?org={org.pk}"),
        *extra,
    )


@require_safe
def guide_detail(request, pk: int):
    guide = _published_or_404(pk)
    return render(request, "guides/detail.html", {
        "guide": guide,
        "materials": selectors.materials(guide),
        "permalink": request.build_absolute_uri(guide.get_absolute_url()),
        "crumbs": _guide_crumbs(guide, Crumb(guide.item_name)),
    })


@require_safe
def guide_history(request, pk: int):
    guide = _published_or_404(pk)
    return render(request, "guides/history.html", {
        "guide": guide,
        "entries": selectors.history(guide),
        "crumbs": _guide_crumbs(guide, Crumb(guide.item_name, guide.get_absolute_url()), Crumb("修改记录")),
    })
