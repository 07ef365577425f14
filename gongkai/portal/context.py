from django.conf import settings
from django.utils.functional import SimpleLazyObject, lazy


def site(request):
    """The site's name and identity (issue 18) for every page. Computed at
    most once per request and only when a template uses it (a cached page
    costs nothing): the installation's own identity, unless a view put an
    organisation's on the request (`request.site_organisation`, a sub-site)."""

    def identity():
        cached = getattr(request, "_gongkai_site_identity", None)
        if cached is None:
            from gongkai.core.models import resolve_site_identity

            cached = resolve_site_identity(getattr(request, "site_organisation", None))
            request._gongkai_site_identity = cached
        return cached

    def name():
        return identity().site_name or settings.GONGKAI_SITE_NAME

    return {"site_name": lazy(name, str)(), "site_identity": SimpleLazyObject(identity), **display(request)}


def display(request):
    """The visitor's display modes (关怀版, 大字, 高对比度; see mode_views) as
    `display_modes`, and the classes for <html> as `display_classes`."""
    from .mode_views import modes_of

    modes = modes_of(request) if request is not None else ()
    return {"display_modes": modes, "display_classes": " ".join(f"mode-{m}" for m in modes)}
