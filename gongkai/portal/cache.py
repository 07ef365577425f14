"""Public pages for anonymous visitors, cached and revalidated cheaply.

A public page (home, catalog, search, document, service guides) depends
only on the URL and on the public content, whose version is one number
(gongkai.core.generation, bumped after every committed change to anything a
public page shows). So for a visitor who is not signed in:

- the response carries `ETag: "<generation>-<digest of the URL>"` and the
  generation's time as `Last-Modified`; a browser or proxy that sends the
  ETag back (If-None-Match) gets `304 Not Modified` without the page being
  rendered or read from the cache;
- the rendered page is kept in Django's cache (`caches["pages"]`: local
  memory in each process by default, Redis when `GONGKAI_REDIS_URL` is set)
  under the generation and the URL, so the next visitor gets the same bytes
  without a query or a template;
- after a change commits, the generation moves on: every cached page and
  every ETag is stale at once, and the next request renders afresh. Cached
  pages also expire after `GONGKAI_PAGE_CACHE_SECONDS` (default 600) as a
  safety net (a process killed between a commit and its bump).

Signed-in staff (a session cookie that holds a user), requests with flash
messages, and anything but GET/HEAD go straight to the view. Set
`GONGKAI_PAGE_CACHE=0` to turn the cache off (the benchmarks' cold runs).
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

CACHEABLE_STATUS = (200, 301, 404, 410)


def _anonymous(request) -> bool:
    if request.COOKIES.get("messages"):
        return False  # a one-off message for this visitor
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _url_digest(request) -> str:
    return hashlib.blake2b(request.get_full_path().encode("utf-8"), digest_size=12).hexdigest()


def _headers(response, etag: str, changed_at) -> None:
    response["ETag"] = etag
    if changed_at is not None:
        response["Last-Modified"] = http_date(changed_at.timestamp())
    # Browsers and proxies keep the page but ask again each time (a cheap 304).
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Cookie",))


def public_page(view):
    """Cache a public view's responses for anonymous visitors (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.GONGKAI_PAGE_CACHE or request.method not in ("GET", "HEAD") or not _anonymous(request):
            return view(request, *args, **kwargs)
        version = generation.current()
        if version is None:
            return view(request, *args, **kwargs)
        number, changed_at = version
        digest = _url_digest(request)
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
        else:
            response = view(request, *args, **kwargs)
            if response.status_code in CACHEABLE_STATUS and not response.streaming and not response.cookies:
                headers = [(name, value) for name, value in response.items()
                           if name.lower() in ("content-type", "location", "content-language")]
                store.set(key, (response.status_code, headers, response.content), settings.GONGKAI_PAGE_CACHE_SECONDS)
        _headers(response, etag, changed_at)
        return response

    return wrapped


def cached_urls(module):
    """Another app's public URL patterns with every view wrapped in
    `public_page`, for `include()` at the top (the app itself stays unaware
    of the portal)."""
    from django.urls import URLPattern

    patterns = [URLPattern(p.pattern, public_page(p.callback), p.default_args, p.name) for p in module.urlpatterns]
    return patterns, module.app_name
