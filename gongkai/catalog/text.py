"""Document body rules: sanitise HTML and derive the plain text.

Bodies are often pasted from Word or WPS (through the staff editor, or as
raw HTML when JavaScript is off). Their clipboard HTML is cleaned here, on
the server, whatever the browser did: Word's list paragraphs become real
lists, its list markers, conditional comments, <o:p>, classes, styles and
<span> soup go; headings, lists, tables (with colspan/rowspan) and
paragraphs stay. An <h1> becomes <h2>: the page's <h1> is the title."""

import html
import re

import lxml.html
import nh3

ALLOWED_TAGS = {
    "p", "br", "div", "strong", "b", "em", "i", "u", "s", "sub", "sup",
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


# Tags dropped with everything inside them (their text is not body text).
CLEAN_CONTENT_TAGS = {"script", "style", "head", "title", "xml", "template", "noscript"}

# HTML from Word, WPS or another Office program (their clipboard and "save as web page").
_OFFICE = re.compile(r"""mso-|class=["']?Mso|urn:schemas-microsoft-com|<o:p\b|supportLists""", re.IGNORECASE)
# Word's list marker ("1.", "·", "（一）") between conditional comments, in
# both spellings: <!--[if !supportLists]-->…<!--[endif]--> (clipboard) and
# <![if !supportLists]>…<![endif]> (downlevel-revealed, saved pages).
_LIST_MARKER_START = re.compile(r"<!--\[if !supportLists\]-->|<!\[if !supportLists\]>", re.IGNORECASE)
_LIST_MARKER_END = {"comment": re.compile(r"<!--\[endif\]-->", re.IGNORECASE),     # the clipboard's spelling
                    "revealed": re.compile(r"<!\[endif\]>", re.IGNORECASE)}    # a saved page's
# What is left of other downlevel-revealed conditionals: drop the markers, keep the content.
_REVEALED_CONDITIONAL = re.compile(r"<!\[(?:if\b[^\]]*|endif)\]>", re.IGNORECASE)
_MSO_LIST = re.compile(r"mso-list:\s*l(\d+)\s+level(\d+)", re.IGNORECASE)
_MSO_LIST_IGNORE = re.compile(r"mso-list:\s*ignore", re.IGNORECASE)
_ORDERED_MARKER = re.compile(
    r"^\s*(?:[(（]\s*[0-9０-９a-zA-Z一二三四五六七八九十百零〇]+\s*[)）]"
    r"|[0-9０-９a-zA-Z一二三四五六七八九十百零〇ivxlcdmIVXLCDM]+\s*[.．、)）]"
    r"|[\u2460-\u2473\u2474-\u2487\u2488-\u249b]"
    r"|第[0-9一二三四五六七八九十百零〇]+[章节条款])"
)
_H1 = re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE)
_MARKER_TAG = "gk-list-marker"
_BLANK = " \t\r\n\xa0\u3000"
_INLINE = {"b", "strong", "i", "em", "u", "s", "sub", "sup", "span", "font", "o:p"}


def is_office_html(raw_html: str) -> bool:
    return bool(_OFFICE.search(raw_html or ""))


def _ordered(marker: str) -> bool:
    return bool(_ORDERED_MARKER.match(marker or ""))


def _list_id(element) -> str | None:
    """Word's list of a list paragraph (the N of mso-list:lN levelM)."""
    match = _MSO_LIST.search(element.get("style") or "")
    return match.group(1) if match and not _MSO_LIST_IGNORE.search(element.get("style") or "") else None


def _list_level(element) -> int | None:
    match = _MSO_LIST.search(element.get("style") or "")
    return int(match.group(2)) if match and not _MSO_LIST_IGNORE.search(element.get("style") or "") else None


def _next_element_sibling(element):
    """The next sibling element when only white space lies between them."""
    if (element.tail or "").strip(_BLANK):
        return None
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):  # a comment
        if (following.tail or "").strip(_BLANK):
            return None
        following = following.getnext()
    return following


def _office_lists(body) -> None:
    """Word and WPS paste a list as paragraphs styled mso-list:lN levelM, each
    starting with its marker; turn each run of them into <ul>/<ol> (nested by level)."""
    for paragraph in list(body.iter("p")):
        if paragraph.getparent() is None or _list_level(paragraph) is None:
            continue
        list_id = _list_id(paragraph)
        previous = paragraph.getprevious()
        if previous is not None and previous.tag == "p" and _list_id(previous) == list_id \
                and _next_element_sibling(previous) is paragraph:
            continue  # not the first of its run: handled with the first
        run = [paragraph]  # the paragraphs of one list (another list id starts another list)
        while (following := _next_element_sibling(run[-1])) is not None and following.tag == "p" \
                and _list_id(following) == list_id:
            run.append(following)
        top = lxml.html.Element("ol" if _ordered(paragraph.get("data-marker")) else "ul")
        paragraph.addprevious(top)
        top.tail = run[-1].tail
        stack = [(_list_level(paragraph), top)]
        for item_paragraph in run:
            level = _list_level(item_paragraph)
            while len(stack) > 1 and level < stack[-1][0]:
                stack.pop()
            if level > stack[-1][0] and len(stack[-1][1]):
                nested = lxml.html.Element("ol" if _ordered(item_paragraph.get("data-marker")) else "ul")
                stack[-1][1][-1].append(nested)
                stack.append((level, nested))
            item = lxml.html.Element("li")
            item.text = item_paragraph.text
            for child in list(item_paragraph):
                item.append(child)
            item_paragraph.getparent().remove(item_paragraph)
            stack[-1][1].append(item)


def _mark_list_markers(raw_html: str) -> str:
    """Wrap each list marker (between its conditional comments) in a marker
    tag, in one pass: a start without its end stops the search, so a body of
    unmatched starts costs no more than its length (a lazy regex took 30 s
    on half a megabyte of them)."""
    out, pos = [], 0
    while (start := _LIST_MARKER_START.search(raw_html, pos)) is not None:
        end = _LIST_MARKER_END["revealed" if start.group().startswith("<![") else "comment"].search(raw_html, start.end())
        if end is None:
            break
        out += [raw_html[pos:start.start()], f"<{_MARKER_TAG}>", raw_html[start.end():end.start()], f"</{_MARKER_TAG}>"]
        pos = end.end()
    out.append(raw_html[pos:])
    return "".join(out)


def _from_office(raw_html: str) -> str:
    """Word/WPS clipboard HTML to plain structure (nh3 then does the rest)."""
    raw_html = _mark_list_markers(raw_html)
    raw_html = _REVEALED_CONDITIONAL.sub("", raw_html)
    try:
        body = lxml.html.document_fromstring(raw_html).find("body")
    except (ValueError, lxml.etree.ParserError):
        return raw_html
    if body is None:
        return raw_html
    # The markers: remembered on their paragraph (bullet or number?), then removed.
    markers = list(body.iter(_MARKER_TAG)) + [
        e for e in body.iter() if isinstance(e.tag, str) and _MSO_LIST_IGNORE.search(e.get("style") or "")
    ]
    for marker in markers:
        if marker.getparent() is None:
            continue
        text = marker.text_content().strip(_BLANK)
        owner = next((a for a in marker.iterancestors() if _list_level(a) is not None), None)
        if owner is not None and owner.tag == "p":
            owner.set("data-marker", owner.get("data-marker") or text)
            marker.drop_tree()
        elif text:  # a numbered heading ("第一章"): the number is part of its text
            marker.text, marker.tail = None, text + " " + (marker.tail or "").lstrip(_BLANK)
            for child in list(marker):
                marker.remove(child)
            marker.drop_tag()
        else:
            marker.drop_tree()
    _office_lists(body)
    for element in list(body.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        if element.tag == "div" and re.match(r"(Word)?Section\d*$", element.get("class") or ""):
            element.drop_tag()  # <div class=WordSection1>, WPS's <div class="Section0">
        elif element.tag in _INLINE and not element.text_content() \
                and not any(e.tag in ("img", "br") for e in element.iterdescendants() if isinstance(e.tag, str)):
            element.drop_tree()  # <b><span><o:p></o:p></span></b>
        elif element.tag == "p" and not element.text_content().strip(_BLANK) \
                and not any(e.tag in ("img", "br") for e in element.iterdescendants() if isinstance(e.tag, str)):
            element.drop_tree()  # Word's spacing paragraphs: <p class=MsoNormal><o:p>&nbsp;</o:p></p>
    return html.escape(body.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in body
    )


def sanitise(raw_html: str) -> str:
    raw_html = raw_html or ""
    if is_office_html(raw_html):
        raw_html = _from_office(raw_html)
    raw_html = _H1.sub(r"<\1h2", raw_html)  # the page's <h1> is the document's title
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
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
