"""Public pages for anonymous visitors, cached and revalidated cheaply.

A public page (home, catalog, search, document, service guides) depends
only on the URL and on the public content, whose version is one number
(gongkai.core.generation, bumped after every committed change to anything a
public page shows). So for a visitor who is not signed in:

- the response carries `ETag: "<generation>-<digest of the URL>"` and the
  generation's time as `Last-Modified`; a browser or proxy that sends the
  ETag back (If-None-Match) gets `304 Not Modified` without the page being
  rendered or read from the cache;
- the finished page (with every header the middleware below it added) is
  kept in Django's cache (`caches["pages"]`: local memory in each process by
  default, Redis when `GONGKAI_REDIS_URL` is set) under the generation and
  the URL, and the next visitor gets the same bytes straight from
  `PublicPageCacheMiddleware`, near the top of the stack: no session, no
  CSRF, no authentication, no query but the generation's;
- after a change commits, the generation moves on: every cached page and
  every ETag is stale at once, and the next request renders afresh. Cached
  pages also expire after `GONGKAI_PAGE_CACHE_SECONDS` (default 600) as a
  safety net (a process killed between a commit and its bump).

Which views are public pages is said by the views themselves (`public_page`
marks their responses); only those are stored. Requests with a session
cookie (staff, applicants following their application), with flash
messages, and anything but GET/HEAD are served as usual, never from the
cache. Set `GONGKAI_PAGE_CACHE=0` to turn it off (the benchmarks' cold runs).
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

from gongkai.core import generation

from .mode_views import cache_variant

CACHEABLE_STATUS = (200, 301, 404, 410)


def public_page(view):
    """Mark a view's responses as public pages: the same for every anonymous
    visitor, so PublicPageCacheMiddleware may keep them."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.public_page = True
        return response

    return wrapped


def cached_urls(module):
    """Another app's public URL patterns with every view wrapped in
    `public_page`, for `include()` at the top (the app itself stays unaware
    of the portal)."""
    from django.urls import URLPattern

    patterns = [URLPattern(p.pattern, public_page(p.callback), p.default_args, p.name) for p in module.urlpatterns]
    return patterns, module.app_name


def _cacheable_request(request) -> bool:
    return (settings.GONGKAI_PAGE_CACHE and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES)


def _headers(response, etag: str, changed_at) -> None:
    response["ETag"] = etag
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    # Browsers and proxies keep the page but ask again each time (a cheap 304).
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Cookie",))


class PublicPageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        version = generation.current()
        if version is None:  # nothing public has changed yet on this database
            return self.get_response(request)
        number, changed_at = version
        # The display mode (关怀版, 大字, 高对比度) is rendered into the page as
        # classes on <html>, so each mode has its own copy and its own ETag:
        # the key takes the mode cookie's normalised value, nothing else of
        # the Cookie header (see mode_views).
        variant = cache_variant(request)
        keyed = request.get_full_path() + (f"\0display={variant}" if variant else "")
        digest = hashlib.blake2b(keyed.encode("utf-8"), digest_size=12).hexdigest()
        etag = f'"{number}-{digest}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
            _headers(response, etag, changed_at)
            return response
        store, key = caches["pages"], f"page:{number}:{digest}"
        cached = store.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if not getattr(response, "public_page", False):
            return response
        _headers(response, etag, changed_at)
        if response.status_code in CACHEABLE_STATUS and not response.streaming and not response.cookies:
            store.set(key, (response.status_code, list(response.items()), response.content),
                      settings.GONGKAI_PAGE_CACHE_SECONDS)
        return response
