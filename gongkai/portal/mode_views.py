"""Display modes of the public site: 关怀版 (elderly mode), 大字 and 高对比度.

A visitor switches a mode with a plain link (no JavaScript): the link goes to
`set_mode`, which stores the choice in one cookie and sends the visitor back
to the page they came from. Every public page then carries the mode as
classes on <html> (see `context.display`), and site.css does the rest.

The page cache (gongkai.portal.cache) keeps one copy of a page per URL *and*
per normalised mode (`cache_variant`): the mode is in the HTML, so a page
rendered for one mode must never be served to a visitor in another. Only this
cookie's normalised value enters the key, never the raw Cookie header, so the
cache stays as effective as before (at most 2**3 variants of a page, and in
practice two: standard and 关怀版).

The MIIT 适老化 rules this serves (工信厅信管函〔2021〕67号): a mode that does
not depend on the browser's zoom, main text of at least 18 px, line spacing of
at least 1.3, contrast of at least 4.5:1, large click targets and no motion.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

COOKIE_NAME = "gongkai_display"
COOKIE_MAX_AGE = 365 * 24 * 3600

# The modes, in the order they appear in the cookie and the classes.
# care: 关怀版 — large text, high contrast, big targets, no motion, all at once.
MODES = ("care", "large", "contrast")


def modes_of(request) -> tuple[str, ...]:
    """The visitor's modes from the cookie; anything unknown is ignored."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    chosen = set(raw.split("."))
    return tuple(mode for mode in MODES if mode in chosen)


def cache_variant(request) -> str:
    """What the page cache adds to its key: "" in the standard mode."""
    return ".".join(modes_of(request))


def _back_to(request) -> str:
    """Where to send the visitor back: a path on this site, never elsewhere."""
    target = request.GET.get("next", "")
    if (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=False)):
        return target
    return reverse("portal:home")


def set_mode(request, mode: str, state: str):
    """Switch one display mode on or off, remember it, go back.

    A GET link on purpose (it must work without JavaScript and from a cached
    page, which carries no CSRF token); it changes only how this visitor's
    own pages look, like a language switch.
    """
    if mode not in MODES or state not in ("on", "off"):
        raise Http404("没有这种显示模式。")
    current = set(modes_of(request))
    if state == "on":
        current.add(mode)
    else:
        current.discard(mode)
    if mode == "care" and state == "off":
        # Leaving 关怀版 means the standard site, not half of it.
        current.clear()
    response = HttpResponseRedirect(_back_to(request))
    value = ".".join(m for m in MODES if m in current)
    if value:
        response.set_cookie(COOKIE_NAME, value, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=settings.SESSION_COOKIE_SECURE)
    else:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
    response["Cache-Control"] = "no-store"
    return response
