"""The public portal. Views stay thin: they read the query string through
forms.read_query, ask catalog selectors or the search service, and render."""

import logging
import re
import sys
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from gongkai.catalog import selectors
from gongkai.catalog.models import Document
from gongkai.search import services as search_services

from .cache import public_page
from .forms import PortalQuery, read_query

logger = logging.getLogger(__name__)
PER_PAGE = 20


@dataclass
class Crumb:
    label: str
    url: str = ""


@dataclass
class PageLink:
    number: int | None  # None: a gap ("…")
    url: str = ""
    current: bool = False


def paging(current: int, last: int, url, window: int = 2) -> dict:
    """What portal/_pagination.html renders for page `current` of `last`:
    the first and last pages, `window` pages either side, gaps between;
    `url(number)` gives a page's address. Every public list pages this way
    (catalog, search, guides, the 政府信息公开 column)."""
    links, previous = [], 0
    if last > 1:
        for number in sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)}):
            if number - previous > 1:
                links.append(PageLink(None))
            links.append(PageLink(number, url(number), number == current))
            previous = number
    return {
        "pages": links,
        "previous_url": url(current - 1) if current > 1 else "",
        "next_url": url(current + 1) if current < last else "",
        "current": current,
        "last": last,
    }


def _paging(query: PortalQuery, current: int, last: int) -> dict:
    return paging(current, last, lambda number: query.querystring(page=number if number > 1 else None))


@require_safe
@public_page
def home(request):
    entries = selectors.entry_points()
    return render(
        request,
        "portal/home.html",
        {
            "latest": selectors.latest_documents(10),
            "total": selectors.public_count(),
            "entries": entries,
            "entry_sections": [
                ("by-topic-heading", "按主题浏览", "topic", entries.topics),
                ("by-genre-heading", "按体裁浏览", "genre", entries.genres),
                ("by-year-heading", "按年份浏览", "year", entries.years),
            ],
        },
    )


def _facet_links(query: PortalQuery, nodes, param: str, selected: str | None, **extra):
    """Attach to each facet node the link that selects it (recursively)."""
    for node in nodes:
        node.url = query.querystring(**{param: node.key}, **extra)
        node.selected = selected is not None and str(node.key) == selected
        _facet_links(query, node.children, param, selected, **extra)
    return nodes


@require_safe
@public_page
def catalog(request):
    query = read_query(request.GET)
    result = selectors.browse(query.filters, page=query.page, per_page=PER_PAGE, include_children=query.include_children)
    messages = list(query.messages)
    if result.requested_page > result.page.number:
        messages.append(f"没有第 {result.requested_page} 页，共 {result.page.paginator.num_pages} 页，已显示最后一页。")
    facets = result.facets
    _facet_links(query, facets.organisations, "org", query.params.get("org"))
    _facet_links(query, facets.topics, "topic", query.params.get("topic"))
    _facet_links(query, facets.genres, "genre", query.params.get("genre"))
    _facet_links(query, facets.years, "year", query.params.get("year"), year_from=None, year_to=None)
    _facet_links(query, facets.validities, "validity", query.params.get("validity"))
    return render(
        request,
        "portal/catalog.html",
        {
            "query": query,
            "form": query.form(),
            "messages_list": messages,
            "result": result,
            "documents": result.page.object_list,
            "facets": facets,
            "clear": {
                "org": query.querystring(org=None, sub=None),
                "topic": query.querystring(topic=None),
                "genre": query.querystring(genre=None),
                "year": query.querystring(year=None, year_from=None, year_to=None),
                "validity": query.querystring(validity=None),
            },
            "scope_links": {
                "all": query.querystring(sub=None),
                "self": query.querystring(sub="0"),
            },
            "paging": _paging(query, result.page.number, result.page.paginator.num_pages),
            "crumbs": [Crumb("首页", reverse("portal:home")), Crumb("政府信息公开目录")],
        },
    )


@require_safe
@public_page
def search(request):
    query = read_query(request.GET)
    messages = list(query.messages)
    result = None
    if query.text_given or query.text:
        result = search_services.search(query.text, query.filters, order=query.order, page=query.page, per_page=PER_PAGE)
        if result.message:
            messages.insert(0, result.message)
        elif result.total and not result.hits and query.page > result.pages:
            result = search_services.search(
                query.text, query.filters, order=query.order, page=result.pages, per_page=PER_PAGE
            )
            messages.append(f"没有第 {query.page} 页，共 {result.pages} 页，已显示最后一页。")
            query.params["page"] = str(result.page)
        elif query.page > search_services.MAX_PAGE:
            messages.append(f"最多只能翻到第 {search_services.MAX_PAGE} 页，请增加检索词或筛选条件缩小范围。")
    context = {
        "query": query,
        "form": query.form(),
        "messages_list": messages,
        "result": result,
        "orders": [
            (key, label, query.querystring(order=key if key != "relevance" else None), key == query.order)
            for key, label in search_services.ORDERS.items()
        ],
        "crumbs": [Crumb("首页", reverse("portal:home")), Crumb("信息检索")],
        "common_limit": f"{search_services.backends.COMMON:,}",
    }
    if result is not None and not result.message:
        context["paging"] = _paging(query, result.page, result.pages)
    return render(request, "portal/search.html", context)


def _document_page(request, doc: Document):
    withdrawn = doc.status == Document.Status.WITHDRAWN
    context = {
        "document": doc,
        "withdrawn": withdrawn,
        "permalink": request.build_absolute_uri(doc.get_absolute_url()),
        "crumbs": [
            Crumb("首页", reverse("portal:home")),
            Crumb("政府信息公开目录", reverse("portal:catalog")),
            Crumb(doc.organisation.short_name or doc.organisation.name,
                  reverse("portal:catalog") + f"?org={doc.organisation_id}"),
            Crumb(doc.title),
        ],
    }
    if not withdrawn:
        context["body"] = mark_safe(selectors.safe_body(doc))  # sanitised by nh3 just now
        context["attachments"] = selectors.attachments(doc)
        context["relations"] = selectors.relations(doc)
    # A withdrawn document keeps its page, answered as 410 Gone: the address
    # was right, the information is no longer public.
    return render(request, "portal/document.html", context, status=410 if withdrawn else 200)


@require_safe
@public_page
def document(request, index_number):
    doc = selectors.document_by_index_number(index_number)
    if doc is None:
        raise Http404("没有这份政府信息")
    return _document_page(request, doc)


@require_safe
@public_page
def document_by_id(request, pk):
    doc = selectors.document_by_id(pk)
    if doc is None:
        raise Http404("没有这份政府信息")
    if doc.index_number:  # the stable address is the index number's
        return redirect(doc.get_absolute_url(), permanent=True)
    return _document_page(request, doc)


def page_not_found(request, exception=None):
    try:
        return render(request, "portal/404.html", {"crumbs": [Crumb("首页", reverse("portal:home")), Crumb("页面不存在")]}, status=404)
    except Exception:  # the 404 page itself must not turn into a 500
        logger.exception("404 page failed to render")
        return HttpResponseNotFound(_FALLBACK_404, content_type="text/html; charset=utf-8")


_FALLBACK_404 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在</title></head>'
    '<body><main><h1>页面不存在</h1><p>您访问的页面不存在或已被移除。</p><p><a href="/">返回首页</a></p></main></body></html>'
)
_FALLBACK_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>服务暂时不可用</title></head>'
    '<body><main><h1>服务暂时不可用</h1><p>系统出现错误，请稍后再试。</p><p><a href="/">返回首页</a></p></main></body></html>'
)


def server_error(request=None):
    """Rendered without a request context and without touching the database:
    either may be what failed. A database that is busy (SQLite locked by a
    long write past its timeout) or away (PostgreSQL restarting) is not a
    fault of the page: 503 with Retry-After, saying that nothing was saved
    and to try again shortly (Django calls this inside its except block, so
    the exception is at hand)."""
    busy = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    try:
        html = loader.get_template("portal/500.html").render({"site_name": settings.GONGKAI_SITE_NAME, "busy": busy})
    except Exception:
        logger.exception("500 page failed to render")
        html = _FALLBACK_500
    if busy:
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(html, content_type="text/html; charset=utf-8")


ATTACHMENT_PATH = re.compile(r"^attachments/(?P<doc>\d+)/[^/]+$")


def media(request, path: str):
    """Uploaded files. Only catalog attachments are served here, only while
    an attachment row points at the file (a deleted attachment is gone, even
    before its file is), and only when their document has a public page or
    the signed-in user may see it in the workspace: a draft's attachment must
    not leak by a guessed URL. Files of disclosure applications live
    elsewhere and are never served from /media/. The file is read through
    the storage (a local folder or object storage), never from a path."""
    import mimetypes

    from django.core.files.storage import default_storage
    from django.http import FileResponse, HttpResponseNotModified
    from django.utils.http import http_date
    from django.views.static import was_modified_since

    from gongkai.catalog.models import Attachment
    from gongkai.core import permissions
    from gongkai.core.storage import modified_time

    match = ATTACHMENT_PATH.match(path)
    if not match:
        raise Http404("文件不存在。")
    doc = Document.objects.filter(pk=int(match["doc"])).select_related("organisation").first()
    if doc is None or not Attachment.objects.filter(document=doc, file=path).exists():
        raise Http404("文件不存在。")
    if not doc.is_public and not permissions.can(request.user, permissions.VIEW, doc.organisation_id):
        raise Http404("文件不存在。")
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("文件不存在。") from None
    except Exception:  # object storage away or refusing: "try again", as for a busy database
        logger.exception("attachment %s could not be read from the storage", path)
        html = loader.get_template("portal/500.html").render({"site_name": settings.GONGKAI_SITE_NAME, "busy": True})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "30"
        return response
    modified = modified_time(default_storage, path, handle)
    stamp = int(modified.timestamp()) if modified else None
    if stamp is not None and not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stamp):
        handle.close()
        return HttpResponseNotModified()
    content_type, encoding = mimetypes.guess_type(path)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    if encoding:
        response["Content-Encoding"] = encoding
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "attachment"
    return response
