"""Document body rules: sanitise HTML and derive the plain text."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "div", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code", "hr",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "a", "img", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang"},
}
_SCRIPT_PATTERN = re.compile(r"<\s*script\b|\bon[a-z]+\s*=|javascript\s*:", re.IGNORECASE)


def has_active_content(raw_html: str) -> bool:
    """True when the HTML carries scripts, event handlers or javascript: URLs."""
    return bool(_SCRIPT_PATTERN.search(raw_html or ""))


def _local_images_only(tag: str, attribute: str, value: str) -> str | None:
    """Images must come from this site: portals run on intranets, and the
    Content-Security-Policy would block another host anyway (a broken image)."""
    if tag == "img" and attribute == "src" and re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", value, re.IGNORECASE):
        return None
    return value


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_local_images_only,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_BLOCK_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/table|/blockquote)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(body_html: str) -> str:
    text = _BLOCK_BREAK.sub("\n", body_html or "")
    text = html.unescape(_TAG.sub("", text))
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def text_to_html(text: str) -> str:
    """Plain text (one paragraph a line) to the body's HTML."""
    paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
