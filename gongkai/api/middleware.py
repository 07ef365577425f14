"""A per-address rate limit on the open data: the public API, the feeds and
the bulk files (paths under OPEN_DATA_PREFIXES). It sits above the page
cache, so a caller over the limit is refused even for a page the cache
holds. The limit is settings.GONGKAI_OPEN_DATA_RATE (django-ratelimit's
"N/period" form), counted per client address as the application forms
count theirs (gongkai.core.http.client_ip behind trusted proxies)."""

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import is_ratelimited

OPEN_DATA_PREFIXES = ("/api/public/", "/feeds/", "/data/")


class OpenDataRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(OPEN_DATA_PREFIXES) and is_ratelimited(
                request, group="open-data", key="ip", rate=settings.GONGKAI_OPEN_DATA_RATE, increment=True):
            response = JsonResponse({"detail": "请求过于频繁，请稍后再试。"}, status=429,
                                    json_dumps_params={"ensure_ascii": False})
            response["Retry-After"] = "60"
            return response
        return self.get_response(request)
