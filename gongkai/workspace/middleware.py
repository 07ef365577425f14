"""Pages with personal data are never kept by a browser's or a proxy's cache.

Every response under the staff workspace (/staff/), the admin and the
applicant's own pages (/apply/: the form that repeats what was typed, the
receipt with the tracking code, the status pages, letters and files) is sent
with `Cache-Control: no-store, private` (Django's never-cache headers), whatever
the view did: a shared computer's back button or a proxy must not show the next
person an applicant's name, ID number or request.
"""

from django.utils.cache import add_never_cache_headers

NO_STORE_PREFIXES = ("/staff/", "/admin/", "/apply/")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(NO_STORE_PREFIXES):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private; max-age=0
        return response
