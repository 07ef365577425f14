"""What a saved government page says: title, issuing organisation, document
numbers, dates, the metadata table, the documents it cites and forwards, and
its body without the site around it (navigation, share buttons, footers).

Pure: text or HTML in, an `ExtractedPage` out; no database. HTML is turned
into lines (block elements break lines, table cells are separated by tabs)
and then read by the same rules as a page saved as text. The labelled fields
(in every layout) and the title rule are gongkai.ingest.metadata's.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from gongkai.core import dates, docnumber

from . import metadata
from .metadata import (  # noqa: F401  (normalise_title, is_org_name, number_at_start: this module's API too)
    CJK,
    LABELS,
    LabelLine,
    is_org_name,
    normalise_title,
    number_at_start,
    parse_label_line,
)
from .metadata import CLOSE as _CLOSE
from .metadata import DOCUMENT_NAME_END as _TITLE_END
from .metadata import FULL_WIDTH_DIGITS as _FULL_WIDTH_DIGITS
from .metadata import OPEN as _OPEN
from .metadata import SPACES as _SPACES
from .metadata import balanced as _balanced

# Fields a catalog entry needs; those not found are listed in `missing`.
EXPECTED_FIELDS = (
    "title", "organisation", "document_number", "written_date", "published_date", "index_number", "topic", "genre",
)



@dataclass
class Citation:
    title: str
    document_number: str = ""

    def as_dict(self) -> dict:
        return {"title": self.title, "document_number": self.document_number}


@dataclass
class ExtractedPage:
    title: str = ""
    organisation: str = ""
    document_number: str = ""
    document_numbers: list[str] = field(default_factory=list)
    written_date: dt.date | None = None
    published_date: dt.date | None = None
    index_number: str = ""
    topic: str = ""
    genre: str = ""
    validity: str = ""
    keywords: str = ""
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    citations: list[Citation] = field(default_factory=list)  # 《title》（number） cited in the text
    forwards: list[Citation] = field(default_factory=list)  # documents this page forwards (转发《…》)
    metadata: dict[str, str] = field(default_factory=dict)  # the metadata table, label → value as on the page
    body_text: str = ""
    source_url: str = ""
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how uncertain values were found

    @property
    def body_chars(self) -> int:
        return len(self.body_text)

    def as_dict(self) -> dict:
        """JSON-ready fields (dates as ISO strings)."""
        return {
            "title": self.title,
            "organisation": self.organisation,
            "document_number": self.document_number,
            "document_numbers": list(self.document_numbers),
            "written_date": _iso(self.written_date),
            "published_date": _iso(self.published_date),
            "index_number": self.index_number,
            "topic": self.topic,
            "genre": self.genre,
            "validity": self.validity,
            "keywords": self.keywords,
            "citations": [c.as_dict() for c in self.citations],
            "forwards": [c.as_dict() for c in self.forwards],
            "metadata": dict(self.metadata),
            "source_url": self.source_url,
            "body_chars": self.body_chars,
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- entry points

_HTML_SNIFF = re.compile(r"<\s*(!doctype\s+html|html|head|body|meta|title|div|p|table|span|br)\b", re.IGNORECASE)


def looks_like_html(content: str) -> bool:
    return len(_HTML_SNIFF.findall(content[:8192])) >= 2


def extract(content: str, *, html: bool | None = None) -> ExtractedPage:
    """Read a page; `html=None` decides from the content."""
    if html is None:
        html = looks_like_html(content)
    return extract_html(content) if html else extract_text(content)


def extract_text(text: str) -> ExtractedPage:
    return _Reader(_split_lines(text)).read()


def extract_html(markup: str) -> ExtractedPage:
    text, hints = html_to_text(markup)
    return _Reader(_split_lines(text), hints).read()


# ---------------------------------------------------------------- HTML to lines

_DROP_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
              "button", "input", "select", "textarea", "option", "nav", "footer", "aside", "map", "audio", "video"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dd", "tr", "table", "tbody", "thead", "tfoot", "h1", "h2", "h3",
               "h4", "h5", "h6", "section", "article", "header", "main", "blockquote", "pre", "hr", "center", "form",
               "figure", "figcaption", "address", "caption", "body", "fieldset", "legend"}
_CELL_TAGS = {"td", "th", "dt"}
_LABEL_TAGS = {"span", "b", "strong", "label", "em", "i", "font", "small"}
# Class or id words of page furniture (matched as whole words of the attribute).
_FURNITURE_WORDS = {
    "nav", "navbar", "navigation", "menu", "menus", "topnav", "subnav", "footer", "foot", "share", "bdshare",
    "bdsharebuttonbox", "crumb", "crumbs", "breadcrumb", "breadcrumbs", "copyright", "sidebar", "print",
    "related", "xgxw", "xgwz", "xglj", "fontsize", "font-size", "toolbar", "topbar", "qrcode", "ewm",
}
_FURNITURE_MAX_SHARE = 0.4  # never drop an element holding this much of the page's text


@dataclass
class HtmlHints:
    """What the HTML says beside its text."""

    title_tag: str = ""
    meta_title: str = ""
    meta_published: str = ""
    meta_source: str = ""
    headings: list[str] = field(default_factory=list)
    source_url: str = ""


_SAVED_FROM = re.compile(r"saved from url=\(\d+\)(\S+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def html_to_text(markup: str) -> tuple[str, HtmlHints]:
    """The page's text, one block a line, table cells separated by tabs."""
    hints = HtmlHints()
    saved_from = _SAVED_FROM.search(markup[:4096])
    if saved_from:
        hints.source_url = saved_from.group(1).strip(" -")
    markup = _XML_DECLARATION.sub("", markup)
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return markup, hints
    _read_head(root, hints)
    _strip_non_content(root)
    total = len(_text_of(root))
    _drop_furniture(root, total)
    _collapse_source_whitespace(root)
    hints.headings = [_clean_inline(h.text_content()) for h in root.iter("h1", "h2") if _clean_inline(h.text_content())]
    _mark_blocks(root)
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    return text, hints


def _read_head(root, hints: HtmlHints) -> None:
    title = root.find(".//title")
    if title is not None:
        hints.title_tag = _clean_inline(title.text_content())
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = _clean_inline(meta.get("content") or "")
        if not content:
            continue
        if name in {"articletitle", "og:title", "dc.title"} and not hints.meta_title:
            hints.meta_title = content
        elif name in {"pubdate", "publishdate", "dc.date", "article:published_time", "firstpublishedtime"}:
            hints.meta_published = hints.meta_published or content
        elif name in {"contentsource", "source", "dc.publisher"}:
            hints.meta_source = hints.meta_source or content
        elif name == "og:url" and not hints.source_url:
            hints.source_url = content
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href") and not hints.source_url:
            hints.source_url = link.get("href").strip()


def _strip_non_content(root) -> None:
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove_keep_tail(node)
    for node in list(root.iter(*_DROP_TAGS)):
        _remove_keep_tail(node)
    head = root.find("head")
    if head is not None:
        _remove_keep_tail(head)


def _drop_furniture(root, total: int) -> None:
    for node in list(root.iter()):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        words = set(re.split(r"[\s_]+", f"{node.get('class', '')} {node.get('id', '')}".lower())) - {""}
        words |= {w2 for w in words for w2 in w.split("-")}
        if words & _FURNITURE_WORDS and len(_text_of(node)) <= max(200, total * _FURNITURE_MAX_SHARE):
            _remove_keep_tail(node)


def _collapse_source_whitespace(root) -> None:
    """Line breaks and indentation of the HTML source are spaces, as a browser
    shows them (outside <pre>): only block elements and <br> break lines."""
    keep = {id(node) for pre in root.iter("pre", "textarea") for node in pre.iter()}
    for node in root.iter():
        if id(node) in keep:
            continue
        if node.text and isinstance(node.tag, str):
            node.text = re.sub(r"[ \t\r\n\f\v]+", " ", node.text)
        if node.tail:
            node.tail = re.sub(r"[ \t\r\n\f\v]+", " ", node.tail)


def _mark_blocks(root) -> None:
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        tag = node.tag.lower()
        if tag == "br":
            node.tail = "\n" + (node.tail or "")
        elif tag in _CELL_TAGS:
            node.text = "\t" + (node.text or "")
            node.tail = "\t" + (node.tail or "")
        elif tag in _LABEL_TAGS and metadata.is_label(node.text_content()):
            # <li><span>索引号</span><span>115…</span></li>: a label element is a cell of its own.
            node.tail = "\t" + (node.tail or "")
        elif tag in _BLOCK_TAGS:
            node.text = "\n" + (node.text or "")
            node.tail = "\n" + (node.tail or "")


def _remove_keep_tail(node) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    previous = node.getprevious()
    parent.remove(node)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _text_of(node) -> str:
    return re.sub(r"\s+", "", node.text_content() or "")


def _clean_inline(text: str) -> str:
    return _SPACES.sub(" ", re.sub(r"\s+", " ", text or "")).strip()


# ---------------------------------------------------------------- lines


_split_lines = metadata.split_lines


def _is_punctuation_only(line: str) -> bool:
    return bool(line.strip()) and not re.search(rf"[{CJK}A-Za-z0-9]", line)


# ---------------------------------------------------------------- boilerplate

_BREADCRUMB = re.compile(r"^(您?(当前|现在)(所在|的)?位置|您的位置|所在位置|当前栏目)\s*[:：>]?")
_SHARE = re.compile(r"分享到|分享至|一键分享|扫一扫|在手机(上)?打开|手机扫码|用手机扫描|加入收藏|收藏本页|设为首页")
_FOOTER = re.compile(
    r"版权所有|copyright|©|\(c\)\s*\d{4}|icp备|icp证|网站标识码|公网安备|网安备|主办单位|承办单位|协办单位|^主办[:：]|^承办[:：]"
    r"|技术支持[:：]|网站地图|联系我们|关于我们|网站声明|网站申明|免责声明|隐私政策|违法和不良信息举报|不良信息举报"
    r"|建议使用.{0,20}浏览器|分辨率|纠错|无障碍|适老化",
    re.IGNORECASE,
)
_COUNTER = re.compile(r"浏览次数|浏览量|访问量|访问次数|阅读量|阅读次数|点击数|点击量|点击率|点击次数|^浏览[:：]|^阅读[:：]")
_SOCIAL = re.compile(r"^关注\s*[·•:：]|公众号$|官方微博$|官方微信$|^微信$|^微博$|二维码")
_PREV_NEXT = re.compile(r"^(上一篇|下一篇|上一条|下一条|返回顶部|返回首页|返回列表)")
_RELATED = re.compile(r"^(相关新闻|相关链接|相关文章|相关阅读|相关信息|相关文件|相关稿件|相关政策|相关解读|热点推荐|推荐阅读|猜你喜欢|你可能感兴趣)")
# A line made only of these is a print/close/font-size widget: 【打印】【关闭】【大】【中】【小】
_WIDGET_WORDS = re.compile(
    r"打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|保存|收藏|字号|字体|默认|放大|缩小|返回|大|中|小"
)
_LINK_LABELS = {"附件下载", "下载附件", "附件下载：", "原文链接", "更多", "更多>>"}

_FOOTER_MAX_LEN = 200
_SHORT_LINE = 60


def boilerplate_kind(line: str) -> str | None:
    """Why a line is page furniture rather than document text, or None."""
    if not line:
        return None
    if _is_punctuation_only(line):
        return "punctuation"
    if _BREADCRUMB.match(line) or metadata.is_breadcrumb(line, strict=True):
        return "navigation"
    if _RELATED.match(line) and len(line) <= 20:
        return "related"
    if len(line) <= _FOOTER_MAX_LEN and _FOOTER.search(line):
        return "footer"
    if len(line) > _SHORT_LINE:
        return None
    if _SHARE.search(line):
        return "share"
    if _COUNTER.search(line):
        return "counter"
    if _SOCIAL.search(line) or _PREV_NEXT.match(line):
        return "navigation"
    if line in _LINK_LABELS:
        return "link"
    if not re.search(rf"[{CJK}A-Za-z0-9]", _WIDGET_WORDS.sub("", line)) and re.search(r"[【\[]|打印|关闭|字号", line):
        return "widget"
    return None


# ---------------------------------------------------------------- metadata labels
# The label vocabulary (LABELS) and the reader of labelled fields live in
# gongkai.ingest.metadata, shared with the work-plan import and the annual report.

_DATE_FIELDS = metadata.DATE_FIELDS


# ---------------------------------------------------------------- numbers, titles, organisations

_NUMBER_IN_TEXT = re.compile(
    rf"(?P<issuer>[{CJK}A-Za-z0-9]{{1,16}})\s*[{re.escape(_OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(_CLOSE)}]\s*第?\s*\d{{1,6}}\s*号"
)
# Words of running text that end up in front of a number: 按照国办发〔2017〕47号.
_PROSE_BEFORE_NUMBER = re.compile(r".*(的|和|及|与|或|按照|根据|依据|落实|执行|贯彻|参照|见|将|即|是|为|于|在|对|从|以|转发|印发|下发|号)")

_GENRE_FROM_TITLE = (
    ("复函", "函"), ("通知", "通知"), ("通报", "通报"), ("意见", "意见"), ("决定", "决定"), ("公告", "公告"),
    ("通告", "通告"), ("报告", "报告"), ("请示", "请示"), ("批复", "批复"), ("议案", "议案"), ("纪要", "纪要"),
    ("决议", "决议"), ("公报", "公报"), ("命令", "命令（令）"), ("函", "函"),
)
_FORWARDED = re.compile(r"(?:转发|批转)((?:《[^《》]+》[、和及与]?)+)")
_CITATION = re.compile(r"《(?P<title>[^《》\n]{2,200})》\s*[（(]\s*(?P<number>[^（()）\n]{2,40}?号)\s*[)）]")
_HEADER_KEYS = re.compile(r"(来源|作者|文章编辑|编辑|责任编辑|发布时间|发布日期|时间|日期|浏览次数|浏览|点击|阅读|字号|字体|访问)\s*[:：]")
_HEADER_DATE = re.compile(r"(发布时间|发布日期|时间|日期)\s*[:：]\s*")
_HEADER_SOURCE = re.compile(rf"来源\s*[:：]\s*(?P<source>[{CJK}（）()]{{2,40}})")
_TITLE_START = re.compile(r"(关于|转发|印发|批转)")
_PLACE = re.compile(rf"[{CJK}]{{2,20}}(镇|乡|街道|区|县|市|州|盟|旗)")


def _is_byline_org(source: str) -> bool:
    """`来源：区人民政府办公室`, `来源：正阳镇` (a place stands for its government); not `本网`, `…门户网`."""
    return is_org_name(source) or bool(_PLACE.fullmatch(source or ""))


def find_document_numbers(text: str) -> list[str]:
    """Every 发文字号 in the text, standard form, in order, without prose glued in front."""
    seen: dict[str, None] = {}
    for match in _NUMBER_IN_TEXT.finditer((text or "").translate(_FULL_WIDTH_DIGITS)):
        issuer = match["issuer"]
        trimmed = _PROSE_BEFORE_NUMBER.sub("", issuer)
        if not trimmed or not re.match(rf"[{CJK}]", trimmed):
            continue
        number = docnumber.parse(trimmed + match.group(0)[len(issuer):])
        if number.parsed:
            seen.setdefault(number.text, None)
    return list(seen)


def find_citations(text: str) -> list[Citation]:
    """`《title》（number）` in the text, in order, without repeats."""
    found: dict[tuple[str, str], Citation] = {}
    for match in _CITATION.finditer(text or ""):
        raw_number = match["number"].strip()
        if "简称" in raw_number:
            continue
        number = docnumber.parse(raw_number)
        citation = Citation(normalise_title(match["title"]), number.text if number.parsed else raw_number)
        found.setdefault((citation.title, citation.document_number), citation)
    return list(found.values())


def forwarded_titles(title: str) -> list[str]:
    """The documents a title says it forwards: 关于转发《A》的通知 → [A]."""
    titles = []
    for group in _FORWARDED.finditer(title or ""):
        titles += [normalise_title(t) for t in re.findall(r"《([^《》]+)》", group.group(1))]
    return titles


def complete_title(title: str, text: str) -> str:
    """A title cut short by the site (`…转发《四川省人民政府办公厅关于印发201`)
    completed from where the page's text says it in full."""
    if _balanced(title) and not re.search(r"(\.{3,}|…)$", title):
        return title
    short = normalise_title(title)
    for line in text.split("\n"):
        flat = normalise_title(line)
        start = flat.find(short)
        if start < 0 or len(flat) <= start + len(short):
            continue
        rest = flat[start:]
        for end in range(len(short) + 1, min(len(rest), 300) + 1):
            candidate = rest[:end]
            if _balanced(candidate) and _TITLE_END.search(candidate):
                return candidate
    return short


def genre_from_title(title: str) -> str:
    for ending, genre in _GENRE_FROM_TITLE:
        if title.endswith(ending):
            return genre
    return ""


# ---------------------------------------------------------------- the reader


class _Reader:
    """Reads one page's lines into an ExtractedPage (rules in order, one method each)."""

    def __init__(self, lines: list[str], hints: HtmlHints | None = None):
        self.lines = lines
        self.hints = hints or HtmlHints()
        self.drop = [False] * len(lines)
        self.fields: dict[str, object] = {}  # metadata-table values (authoritative)
        self.lone: dict[str, object] = {}  # label lines outside a table
        self.metadata: dict[str, str] = {}
        self.header_dates: list[dt.date] = []
        self.header_sources: list[str] = []
        self.notes: list[str] = []

    def read(self) -> ExtractedPage:
        self._drop_boilerplate()
        self._drop_related_and_tail()
        self._read_label_lines()
        self._read_header_lines()
        body = [i for i, line in enumerate(self.lines) if line and not self.drop[i]]
        preamble_end = self._preamble_end(body)
        preamble = [i for i in body if i < preamble_end]
        self._read_preamble_dates(preamble)
        body = [i for i in body if not self.drop[i]]
        page = ExtractedPage(metadata=self.metadata, source_url=self.hints.source_url)
        page.body_text = "\n".join(self.lines[i] for i in body)
        self._title(page, body, preamble)
        self._numbers(page, body)
        self._dates(page, body, preamble_end)
        self._organisation(page, body, preamble_end)
        self._classification(page)
        self._relations(page, body)
        page.notes = self.notes
        page.missing = [name for name in EXPECTED_FIELDS if not getattr(page, name)]
        if not page.body_text:
            page.missing.append("body")
        return page

    # -- cleaning

    def _drop_boilerplate(self) -> None:
        for i, line in enumerate(self.lines):
            if boilerplate_kind(line):
                self.drop[i] = True

    def _drop_related_and_tail(self) -> None:
        """Everything from a late 相关新闻 on goes, and so do short scraps
        (公众号, promotions) sitting between the text and the footer."""
        n = len(self.lines)
        for i, line in enumerate(self.lines):
            if _RELATED.match(line) and len(line) <= 20 and not any(len(x) > 80 for x in self.lines[i + 1:]):
                for j in range(i, n):
                    self.drop[j] = True
                break
        seen_furniture = False
        for i in range(n - 1, -1, -1):
            line = self.lines[i]
            if not line:
                continue
            if self.drop[i]:
                seen_furniture = True
                continue
            if seen_furniture and self._is_scrap(line):
                self.drop[i] = True
                continue
            break

    @staticmethod
    def _is_scrap(line: str) -> bool:
        return (
            len(line) <= 20 and "。" not in line and not dates.find_dates(line) and not is_org_name(line)
            and not number_at_start(line)
        )

    def _read_label_lines(self) -> None:
        """The metadata table or list (gongkai.ingest.metadata reads every layout);
        its lines are not document text."""
        self.page_metadata = metadata.read_lines(self.lines, self.drop)
        self.fields = self.page_metadata.fields()
        self.lone = self.page_metadata.lone_fields()
        self.metadata = self.page_metadata.labels()
        for i in self.page_metadata.block_lines:
            self.drop[i] = True

    def _read_header_lines(self) -> None:
        """来源：本网  时间：2015-11-21 14:02:40  浏览：12 — the page's own byline."""
        for i, line in enumerate(self.lines):
            if not line or len(line) > 150:
                continue
            keys = _HEADER_KEYS.findall(line)
            if len(keys) >= 2 or (keys and _HEADER_KEYS.match(line) and i < len(self.lines) // 3):
                self._harvest_header(line)
                self.drop[i] = True

    def _harvest_header(self, line: str) -> None:
        found = dates.find_dates(line)
        if found and found[0].start == 0:  # 2015-11-10 01:51:51信息来源:浏览次数:
            self.header_dates.append(found[0].date)
        for match in _HEADER_DATE.finditer(line):
            date = dates.first_date(line[match.end(): match.end() + 30])
            if date:
                self.header_dates.append(date)
        source = _HEADER_SOURCE.search(line)
        if source:
            self.header_sources.append(source["source"])

    def _preamble_end(self, body: list[int]) -> int:
        """The page's head (title, byline, date) ends where the document starts:
        at its number, its addressee (各…：) or its first sentence."""
        for i in body:
            line = self.lines[i]
            if number_at_start(line) or re.search(r"[:：]$", line) or "。" in line:
                return i
        return body[0] + 1 if body else 0

    def _read_preamble_dates(self, preamble: list[int]) -> None:
        for i in preamble:
            date = dates.parse_date(self.lines[i])
            if date:
                self.header_dates.append(date)
                self.drop[i] = True

    # -- fields

    def _pick(self, name: str, *fallbacks):
        for value in (self.fields.get(name), *fallbacks, self.lone.get(name)):
            if value:
                return value
        return None

    def _title(self, page: ExtractedPage, body: list[int], preamble: list[int]) -> None:
        """metadata.find_title: the labelled title, the document-name line, the
        HTML title, the page's first heading; never a breadcrumb, signature, ..."""
        head = [self.lines[i] for i in preamble] + [self.lines[i] for i in body[:5] if i not in preamble]
        found = metadata.find_title(
            [self.lines[i] for i in body], labelled=str(self._pick("title") or ""),
            prefixes=[prefix for _, prefix in self.page_metadata.prefixes], meta_title=self.hints.meta_title,
            headings=self.hints.headings, title_tag=self.hints.title_tag, head=head,
        )
        self.title_number = found.document_number
        if found.how and found.how != "labelled":
            self.notes.append(f"title: {found.how}")
        page.title = complete_title(normalise_title(found.text), page.body_text)

    def _numbers(self, page: ExtractedPage, body: list[int]) -> None:
        standalone = [n for n in (number_at_start(self.lines[i]) for i in body) if n]
        given = self._pick("document_number")
        if given:
            parsed = docnumber.parse(given)
            page.document_number = parsed.text
        elif self.title_number:  # …的通知(岳办发〔2017〕2号)
            page.document_number = self.title_number
        elif standalone:
            page.document_number = standalone[0]
        numbers = find_document_numbers(page.body_text)
        if page.document_number:
            numbers = [page.document_number] + [n for n in numbers if n != page.document_number]
        page.document_numbers = numbers
        self.standalone_numbers = standalone

    def _signature(self, body: list[int], preamble_end: int) -> tuple[int | None, dt.date | None]:
        """The first date the document is signed with: a line that is only a date
        (2018年7月19日), that starts with one in Chinese numerals (二〇一〇年九月八日…),
        or that is the signing organisation glued to its date (…办公室二〇一一年五月三十日…)."""
        self.signature_org = None
        for i in body:
            if i < preamble_end:
                continue
            line = self.lines[i]
            date = dates.parse_date(line)
            if date:
                return i, date
            found = dates.find_dates(line)
            if found and found[0].start == 0 and dates.is_chinese_numeral_date(found[0]):
                return i, found[0].date
            if found and is_org_name(line[: found[0].start]) and (
                dates.is_chinese_numeral_date(found[0]) or not line[found[0].end:].strip(" 印发")
            ):
                self.signature_org = line[: found[0].start]
                return i, found[0].date
        return None, None

    def _dates(self, page: ExtractedPage, body: list[int], preamble_end: int) -> None:
        self.signature_line, signed = self._signature(body, preamble_end)
        page.written_date = self._pick("written_date", signed)
        meta_published = dates.first_date(self.hints.meta_published) if self.hints.meta_published else None
        page.published_date = self._pick("published_date", meta_published, *self.header_dates[:1])
        page.effective_date = self._pick("effective_date")
        page.expiry_date = self._pick("expiry_date")
        if not self.fields.get("written_date") and signed:
            self.notes.append("written_date: the date the document is signed with")

    def _organisation(self, page: ExtractedPage, body: list[int], preamble_end: int) -> None:
        source = self.hints.meta_source if is_org_name(self.hints.meta_source) else None
        from_title = metadata.organisation_in_title(page.title)
        signer = self.signature_org
        if self.signature_line is not None and not signer:
            before = [i for i in body if preamble_end <= i < self.signature_line]
            if before and is_org_name(self.lines[before[-1]]):
                signer = self.lines[before[-1]]
        byline = next((s for s in self.header_sources if _is_byline_org(s)), None)
        issuer = self._issuer_line(body)
        page.organisation = self._pick("organisation", source, from_title, signer, issuer, byline) or ""

    def _issuer_line(self, body: list[int]) -> str | None:
        """The issuer printed on its own line above the title: 国防科学技术工业委员会 / 关于印发…"""
        for k, i in enumerate(body[:30]):
            if is_org_name(self.lines[i]) and k + 1 < len(body) and _TITLE_START.match(self.lines[body[k + 1]]):
                return self.lines[i]
        return None

    def _classification(self, page: ExtractedPage) -> None:
        combined = self._pick("classification")
        topic, genre = self._pick("topic"), self._pick("genre")
        if combined and not (topic and genre):
            # 分类：综合政务\政务公开 通知 — topic, then genre after a space.
            parts = [p for p in re.split(r"[\s;；]+", str(combined)) if p]
            topic = topic or parts[0]
            if len(parts) > 1:
                genre = genre or parts[-1]
        page.topic = str(topic or "")
        page.genre = str(genre or "")
        if not page.genre and genre_from_title(page.title):
            page.genre = genre_from_title(page.title)
            self.notes.append("genre: read from the end of the title")
        page.validity = str(self._pick("validity") or "")
        page.keywords = str(self._pick("keywords") or "")
        page.index_number = str(self._pick("index_number") or "")

    def _relations(self, page: ExtractedPage, body: list[int]) -> None:
        citations = find_citations(page.body_text)
        forwards = []
        for title in forwarded_titles(page.title):
            cited = next((c for c in citations if c.title == title), None)
            number = cited.document_number if cited else self._reproduced_number(title, body, page.document_number)
            forwards.append(Citation(title, number))
        forwarded = {(f.title, f.document_number) for f in forwards}
        page.forwards = forwards
        page.citations = [c for c in citations if (c.title, c.document_number) not in forwarded]

    def _reproduced_number(self, title: str, body: list[int], own_number: str) -> str:
        """A forwarded document printed below the forwarding one starts with its
        number, then its issuer and title: 渝府办发〔2018〕76号 / 重庆市人民政府办公厅 / 关于印发…"""
        for k, i in enumerate(body):
            number = number_at_start(self.lines[i])
            if not number or number == own_number:
                continue
            after = normalise_title(self.lines[i][len(number):] + "".join(self.lines[j] for j in body[k + 1: k + 4]))
            if after.startswith(title) or (len(after) >= 6 and title.startswith(after[: len(title)])):
                return number
        return ""
