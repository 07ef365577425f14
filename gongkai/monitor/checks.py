"""Website monitoring content checks (网站监测): one page's HTML in, findings out.

Pure Python, no network, no database (unless the caller passes the office's
database-backed wording check). The crawler fetches pages and calls
`check_page(html, url)` on each; it adds `dead_link` findings itself.

Finding kinds and how each is decided
-------------------------------------

``hidden_link`` (暗链) — a link a visitor cannot see.
    Visibility is computed per element from the inline ``style``, from the
    page's own ``<style>`` blocks (any selector lxml's cssselect understands:
    tag, .class, #id, descendant/child combinations; ordered by specificity,
    then source order, ``!important`` last; ``@media print`` blocks ignored)
    and from legacy attributes (``hidden``, ``bgcolor``, ``<font color>``,
    ``width``/``height`` on ``<marquee>``/``<iframe>``), inherited down the tree.
    An element is hidden by: display:none; visibility:hidden (a descendant
    may set visible again); opacity:0; font-size:0 (a descendant may set a
    size again); width or height 0 / ≤1px (or max-width/max-height) with
    overflow hidden; clip:rect(0 0 0 0) or clip-path inset(50%); a
    transform scale(0) or translate ≤ -500px; position absolute/fixed with
    left/top/right/margin ≤ -500px; text-indent ≤ -999px; colour
    transparent or (nearly) equal to the nearest declared background colour
    (#fff/#ffffff/white/rgb() are normalised; a background image makes the
    background unknown, so no decision); ``hidden`` attribute; a ``<marquee>``
    ≤ 5px tall or wide or with a huge scrollamount; elements hidden by an
    inline script (``getElementById('x').style.display='none'``,
    ``$('#x').hide()``) or placed between ``document.write('<div
    style="display:none">')`` and ``document.write('</div>')``.
    Links written by an inline script (``document.write``, ``innerHTML``,
    ``insertAdjacentHTML``, jQuery ``.html()/.append()``; ``unescape``,
    ``\\xNN``/``\\uNNNN`` escapes and ``String.fromCharCode`` are decoded first)
    are hidden links too: the page source a reviewer reads does not show them.
    Which hidden links are reported: a hidden link whose URL or text looks
    like spam (any host, including the site's own: parasite pages); a hidden
    link or hidden ``<iframe>`` to another host that is not trusted (the page's
    own site, *.gov.cn and the hosts listed in spam.json are trusted). Hidden
    links to the site itself or a trusted host are not reported: skip links
    (``跳到主要内容``, ``href="#main"``), visually-hidden accessibility text,
    drop-down menus and tab panels all look like that. Severity: serious,
    except an untrusted, non-spam target hidden only by display:none /
    visibility:hidden / ``hidden`` (how menus and tabs hide) or written by a
    script without any hiding or obfuscation — those are warnings.

``spam_link`` — a visible link (a, area, iframe, img, script, link, select
    option, meta refresh, or a URL inside an inline script) whose target URL
    looks like spam (spam.json ``url_patterns``: bet365, hg0088, pj888, amjs,
    dafa888, casino…; a numbers-heavy domain alone is only a *weak* signal
    and never reported by itself because 163.com and 12306.cn exist), or whose
    anchor text scores as spam (see below). Trusted hosts never match by URL.

``injected_text`` (内容篡改) — spam phrases from spam.json in the visible
    body, in the ``<title>`` and meta keywords/description, and in hidden text
    blocks (reported with "hidden text" in the context). The phrases come in
    groups (bookmakers, casino brands, online gambling platforms, gambling
    terms, private lottery, pornography, fake invoices), each with a note on
    why it is there and where the words were seen. Each phrase has a weight
    1-3. A brand name (威廉希尔, 澳门新葡京, bet365, 开云体育 …) always counts,
    whatever the sentence around it says. A generic term (百家乐, 六合彩,
    网络赌博 …) counts unless the same sentence, within 30 characters either
    side, holds a regulatory context word (打击, 整治, 监管, 管理办法, 违法,
    取缔, 举报, 福利彩票发行 …); inside an organisation's name only a context
    word right before it counts (打击赌博领导小组办公室). That is how a
    彩票管理条例 notice or 打击网络赌博 news stays clean: bare 彩票 is not a
    spam phrase at all, and 网络赌博 / 六合彩 next to 打击 / 非法 do not count.
    A short brand name that is also an ordinary word or place name (金沙 of
    金沙江 and 金沙县, 银河 of 银河系, 开云 of 拨开云雾, 半岛, 永利, 亚博 …:
    "ambiguous" in spam.json) counts only with gambling context: a cue right
    after it, past decorations (开云·kaiyun(中国)官方网站, 乐鱼体育, 金沙娱乐),
    澳门 right before it, or another counting spam phrase in its sentence.
    A counting occurrence is reported when its own weight is 3, or the
    counting weights in its sentence add up to ``threshold`` (3), or the
    weights of the different counting phrases on the page add up to
    ``page_threshold`` (6). Severity serious.

``seo_rewrite`` (黑帽SEO替换, hijacked mirrors) — the same foreign phrase
    standing where ordinary words belong. A counting spam phrase is grown to
    the whole injected string: what follows all its occurrences alike, up to
    an organisation or column name (威廉希尔_威廉博彩app-【中文*官网】 from
    请与威廉希尔_威廉博彩app-【中文*官网】办公室联系 …); every occurrence of the
    string is then reported, each with its context, line and position in the
    page source, when one stands inside an organisation name (followed by
    人民政府, 政府, 委员会, 办公室, 局 …, e.g. 县AG真人娱乐政府) or inside the
    <title>/<h1>, or a brand stands between Chinese words twice, or a strong
    term three times. Serious. Also serious: a spam-looking / unknown ASCII
    token inside an organisation name, and an ASCII/brand token that is not an
    ordinary abbreviation (spam.json ``ordinary_ascii``: GDP, PM2.5, 5G …)
    repeated ≥ 3 times between CJK characters that matches the spam
    dictionary. The same repetition of an unknown token that is never defined
    in brackets (贷款市场报价利率（LPR）) is a warning. And serious: a
    machine-made mirror copy with pinyin after many characters (區(qū)、務(wù):
    ≥ 10 times, ≥ 5 syllables), one finding naming the inserted syllables and
    the lines they stand on.

Where: ``Finding.line`` and ``Finding.position`` place the evidence of text
findings in the page source as given (1-based line, character offset; 0 and
-1 when the source does not hold it as written).

``wording`` — the office's wording dictionary (the publishing check) over
    the visible text and title: serious for kinds "error" and "secrecy",
    warning otherwise; context around each, the suggestion in ``detail``.

The verdict of a page: "tampered" with any serious finding, "warnings" with
any finding, otherwise "ok".
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

DATA = Path(__file__).parent / "data" / "spam.json"
CONTEXT_CHARS = 20          # characters of context either side of a hit
REGULATORY_WINDOW = 30      # a context word this close, in the same sentence, makes a mention legitimate
SEO_MIN_REPEATS = 3

KINDS = ("hidden_link", "spam_link", "injected_text", "seo_rewrite", "wording", "dead_link")


# --------------------------------------------------------------------------- API


@dataclass
class Finding:
    kind: str
    severity: str
    evidence: str
    context: str
    url: str = ""
    detail: str = ""   # category, reason or suggestion (optional extra)
    line: int = 0      # line of the page source the evidence stands on (1-based; 0 = not located)
    position: int = -1  # character offset of the evidence in the page source (-1 = not located)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Link:
    url: str
    text: str
    tag: str
    hidden: bool = False


@dataclass
class PageReport:
    url: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: str = ""

    @property
    def verdict(self) -> str:
        if any(f.severity == "serious" for f in self.findings):
            return "tampered"
        return "warnings" if self.findings else "ok"

    def as_dict(self) -> dict:
        return {"url": self.url, "title": self.title, "verdict": self.verdict,
                "findings": [f.as_dict() for f in self.findings]}


# --------------------------------------------------------------------------- spam dictionary


@dataclass(frozen=True)
class Phrase:
    phrase: str
    category: str
    weight: int
    brand: bool = False       # a brand name: never discounted by regulatory context
    ambiguous: bool = False   # also an ordinary word or place name: counts only with gambling context
    group: str = ""


def _entries(data: dict):
    """(entry, group defaults) for every phrase of a spam dictionary: the flat
    ``phrases`` list and the entries of each of the ``groups``."""
    for entry in data.get("phrases", []) or []:
        if isinstance(entry, dict):
            yield entry, {}
    for group in data.get("groups", []) or []:
        if not isinstance(group, dict):
            continue
        defaults = {k: group[k] for k in ("category", "weight", "brand") if k in group}
        defaults["group"] = group.get("name", "")
        for entry in group.get("entries", []) or []:
            if isinstance(entry, dict):
                yield entry, defaults


def _make_phrase(entry: dict, defaults: dict) -> Phrase | None:
    text = str(entry.get("phrase") or "").strip()
    if not text:
        return None
    brand = bool(entry.get("brand", defaults.get("brand", False)))
    weight = int(entry.get("weight", defaults.get("weight", 3 if brand else 2)))
    return Phrase(text, str(entry.get("category", defaults.get("category", "gambling"))), max(1, min(3, weight)),
                  brand=brand, ambiguous=bool(entry.get("ambiguous", False)), group=defaults.get("group", ""))


def _phrase_pattern(keys) -> re.Pattern:
    """One regex finding the phrases (lower-cased `keys`), any case, the
    longest at each place; ASCII phrases only as whole words ("av" is not
    inside "java"). What it matches is what the plain alternation
    `(?<![a-z0-9])bet365(?![a-z0-9])|澳门新葡京|…`, longest first, under
    IGNORECASE matches (tests/monitor/test_spam_lexicon.py compares them),
    about ten times faster: the phrases are a trie, one branch per first
    character, so that Python's `re` skips in C every place where no phrase
    begins (it does so only when each branch starts with a literal that has
    no case: a cased first character gets one branch per case variant, and
    the rest of the phrase is matched under (?i:...)). The lookbehind of an
    ASCII phrase stands at its end, phrase included, where it tests the same
    character before the phrase. Falls back to the plain alternation in the
    one case the trie could pick another match: two different characters at
    the same place of two phrases that one character of text matches both
    (s and ſ)."""
    keys = sorted(keys, key=len, reverse=True)
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = key
    variants = _case_variants(frozenset("".join(keys)))

    def exclusive(node: dict) -> bool:
        seen: set[str] = set()
        for ch, child in node.items():
            if not ch:
                continue
            if seen & set(variants[ch]) or not exclusive(child):
                return False
            seen.update(variants[ch])
        return True

    if not exclusive(trie):
        parts = [rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])" if k.isascii() else re.escape(k) for k in keys]
        return re.compile("|".join(parts), re.IGNORECASE)

    def rest(node: dict) -> str:
        # The longer phrases first, then the one that ends here: the longest match.
        alternatives = [re.escape(ch) + rest(node[ch]) for ch in sorted(node) if ch]
        if "" in node:
            key = node[""]
            alternatives.append(rf"(?<![a-z0-9]{re.escape(key)})(?![a-z0-9])" if key.isascii() else "")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    branches = []
    for ch in sorted(trie):
        tail = rest(trie[ch])
        for variant in variants[ch]:
            branches.append(re.escape(variant) + (f"(?i:{tail})" if tail else ""))
    return re.compile("|".join(branches))


@functools.lru_cache(maxsize=8)
def _case_variants(chars: frozenset[str]) -> dict[str, list[str]]:
    """Each character and every character IGNORECASE matches it with (k: k,
    K and the Kelvin sign K), found by asking `re` itself over every code
    point that can be one (the Basic Multilingual Plane, whose characters
    have their case partners in it, or all of Unicode for one outside it)."""
    out = {ch: [ch] for ch in chars}
    # A character without case (汉字, digits) matches only itself (`re` compiles it as a plain literal).
    cased = sorted(ch for ch in chars if ch.lower() != ch or ch.upper() != ch)
    if not cased:
        return out
    top = 0x10000 if all(ord(ch) < 0x10000 for ch in cased) else 0x110000
    every = "".join(map(chr, range(top)))
    found = set(re.compile("[" + "".join(map(re.escape, cased)) + "]", re.IGNORECASE).findall(every))
    for ch in cased:
        out[ch] = sorted(c for c in found if re.fullmatch(re.escape(ch), c, re.IGNORECASE))
    return out


# What may stand between a brand name and the word that shows it is gambling:
# 开云·kaiyun(中国)官方网站, 威廉希尔_威廉博彩app-【中文*官网】, 米乐 m6 官网.
_DECORATION = re.compile(r"(?:[ \t\u3000A-Za-z0-9·•_\-.*|/:：~]|[(（【\[<《「][^)）】\]>》」\n]{0,10}[)）】\]>》」])*")


class SpamDictionary:
    """The spam phrases (in groups: brands, generic terms; see data/spam.json),
    gambling cues that make an ambiguous brand name count, regulatory context
    words, ordinary abbreviations, trusted hosts and URL patterns."""

    def __init__(self, data: dict):
        self.source = data.get("source", "")
        self.threshold = int(data.get("threshold", 3))
        self.page_threshold = int(data.get("page_threshold", 6))
        self.phrases: dict[str, Phrase] = {}
        for entry, defaults in _entries(data):
            phrase = _make_phrase(entry, defaults)
            if phrase is not None:
                self.phrases.setdefault(phrase.phrase.lower(), phrase)
        cues = [c for c in data.get("gambling_cues", []) if c]
        self.cue_pattern = re.compile("|".join(f"(?:{c})" for c in cues)) if cues else None
        self.prefixes = tuple(p for p in data.get("gambling_prefixes", []) if p)
        self.pattern = _phrase_pattern(self.phrases) if self.phrases else None
        words = [w for w in data.get("context_words", []) if w]
        self.context_pattern = (re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
                                if words else None)
        self.ordinary_ascii = {w.lower() for w in data.get("ordinary_ascii", [])}
        self.trusted_hosts = [h.lower().lstrip(".") for h in data.get("trusted_hosts", [])]
        self.url_patterns = [re.compile(p, re.IGNORECASE) for p in data.get("url_patterns", [])]
        self.weak_url_patterns = [re.compile(p, re.IGNORECASE) for p in data.get("weak_url_patterns", [])]

    @classmethod
    def from_file(cls, path: Path | str) -> SpamDictionary:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def lookup(self, text: str) -> Phrase | None:
        return self.phrases.get(text.lower())

    def all_hits(self, text: str) -> list[tuple[int, int, Phrase]]:
        """Every occurrence of a phrase, ambiguous names (金沙 of 金沙江) included."""
        if not self.pattern or not text:
            return []
        return [(m.start(), m.end(), self.phrases[m.group().lower()]) for m in self.pattern.finditer(text)]

    def hits(self, text: str) -> list[tuple[int, int, Phrase]]:
        """The occurrences of phrases that look like spam here: an ambiguous
        name only with a gambling cue right at it (金沙娱乐, not 金沙江 or 金沙县).
        Regulatory context is not looked at (see the page checks)."""
        return [(s, e, p) for s, e, p in self.all_hits(text) if not p.ambiguous or self.has_cue(text, s, e)]

    def has_cue(self, text: str, start: int, end: int) -> bool:
        """True when gambling context stands right at a name: a cue word after
        it (past decorations: 开云·kaiyun(中国)官方网站, 米乐m6官网) or a
        prefix right before it (澳门金沙)."""
        if any(text.startswith(p, max(0, start - len(p))) and start >= len(p) for p in self.prefixes):
            return True
        if self.cue_pattern is None:
            return False
        window_end = min(len(text), end + 40)
        deco_end = _DECORATION.match(text, end, window_end).end()
        m = self.cue_pattern.search(text, end, min(len(text), deco_end + 12))
        return bool(m and m.start() <= deco_end)

    def is_trusted(self, host: str, page_host: str = "") -> bool:
        host = host.lower()
        if not host:
            return True
        if page_host and (host == page_host or _site_of(host) == _site_of(page_host)):
            return True
        return any(host == t or host.endswith("." + t) for t in self.trusted_hosts)

    def url_reason(self, url: str, page_host: str = "") -> tuple[str, bool]:
        """(pattern that matched, strong?) for a spam-looking URL, ("", False) otherwise.
        Trusted hosts never match; only the host and path are looked at."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return "", False
        if not host:
            return "", False
        if self.is_trusted(host, page_host):
            return self._path_reason(parts.path)   # parasite pages on the site itself
        for pattern in self.url_patterns:
            m = pattern.search(host)
            if m:
                return f"spam-looking domain {host}", True
        path_reason = self._path_reason(parts.path)
        if path_reason[0]:
            return path_reason
        for pattern in self.weak_url_patterns:
            if pattern.search(host):
                return f"numbers-heavy or throwaway domain {host}", False
        return "", False

    def _path_reason(self, path: str) -> tuple[str, bool]:
        path = unquote(path or "").lower()
        for m in re.finditer(r"[a-z0-9]+", path):
            if m.group() in {"casino", "baccarat", "bocai", "duchang", "liuhecai", "shishicai", "bet365"}:
                return f"spam word in the path: {m.group()}", True
        return "", False


@functools.lru_cache(maxsize=1)
def shipped_spam() -> SpamDictionary:
    """The spam dictionary shipped in data/spam.json (cached)."""
    return SpamDictionary.from_file(DATA)


@functools.lru_cache(maxsize=1)
def _shipped_wording():
    from gongkai.publishing.wording import Checker, shipped_rules

    return Checker(shipped_rules()).check


def _host(url: str) -> str:
    """The lower-case host of a URL ("" when it has none or is malformed: http://[)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _site_of(host: str) -> str:
    """Registrable part of a host, roughly: example.gov.cn, example.com."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in {"gov", "com", "org", "edu", "net", "ac"} and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


# --------------------------------------------------------------------------- entry point


def check_page(html: str | bytes, url: str = "", *, wording=None, spam=None) -> PageReport:
    """All content checks on one page. `wording`: callable text -> findings
    with .start .end .text .kind .suggestion .label (default: the shipped
    wording rules); `spam`: a SpamDictionary or its JSON dict (default: the
    shipped spam.json)."""
    if isinstance(html, (bytes, bytearray)):
        from gongkai.core.decode import DecodeError, decode

        try:
            html, _ = decode(bytes(html))
        except DecodeError:
            html = bytes(html).decode("utf-8", "replace")
    if spam is None:
        spam = shipped_spam()
    elif isinstance(spam, dict):
        spam = SpamDictionary(spam)
    if wording is None:
        wording = _shipped_wording()
    return _Page(html, url, spam, wording).run()


# --------------------------------------------------------------------------- CSS

_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "object", "embed"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "header", "footer", "nav", "aside", "main", "dd", "dt", "dl", "td", "th", "form",
               "blockquote", "pre", "hr", "option", "select", "center", "address", "figure", "figcaption",
               "caption", "tbody", "thead", "tfoot", "marquee", "iframe", "body", "html"}
_BLOCK = "\ue000"   # block boundary while text is collected (not whitespace, so it survives collapsing)
MAX_DEPTH = 400   # deeper elements (broken pages) are not descended into

_NAMED_COLOURS = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 192),
    "navy": (0, 0, 128), "maroon": (128, 0, 0), "purple": (128, 0, 128), "orange": (255, 165, 0),
    "lime": (0, 255, 0), "aqua": (0, 255, 255), "cyan": (0, 255, 255), "fuchsia": (255, 0, 255),
    "magenta": (255, 0, 255), "teal": (0, 128, 128), "olive": (128, 128, 0), "whitesmoke": (245, 245, 245),
    "snow": (255, 250, 250), "ivory": (255, 255, 240), "beige": (245, 245, 220), "darkred": (139, 0, 0),
    "gainsboro": (220, 220, 220), "lightgray": (211, 211, 211), "lightgrey": (211, 211, 211),
}
_TRANSPARENT = "transparent"


def _parse_colour(value: str):
    """An (r, g, b) tuple, "transparent", or None when not a colour."""
    value = value.strip().lower()
    if not value:
        return None
    if value == "transparent":
        return _TRANSPARENT
    if value in _NAMED_COLOURS:
        return _NAMED_COLOURS[value]
    m = re.fullmatch(r"#([0-9a-f]{3,8})", value)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            if len(h) == 4 and h[3] == "0":
                return _TRANSPARENT
            return tuple(int(c * 2, 16) for c in h[:3])
        if len(h) in (6, 8):
            if len(h) == 8 and h[6:] == "00":
                return _TRANSPARENT
            return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
        return None
    m = re.fullmatch(r"rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:\s*[,/]\s*([\d.]+%?))?\s*\)", value)
    if m:
        def channel(v):
            return round(float(v[:-1]) * 2.55) if v.endswith("%") else round(float(v))
        try:
            alpha = m.group(4)
            if alpha is not None and float(alpha.rstrip("%")) == 0:
                return _TRANSPARENT
            return tuple(min(255, channel(m.group(i))) for i in (1, 2, 3))
        except ValueError:   # rgb(.,.,.): not a colour
            return None
    return None


def _colour_in(value: str):
    """The colour inside a `background` shorthand (or None)."""
    for token in re.findall(r"rgba?\([^)]*\)|#[0-9a-fA-F]{3,8}\b|[a-zA-Z]+", value):
        colour = _parse_colour(token)
        if colour is not None:
            return colour
    return None


def _length(value: str) -> float | None:
    """A CSS length in px (em/rem as 16px, pt as 1.33px), None if not a length."""
    m = re.match(r"\s*(-?[\d.]+)\s*(px|em|rem|pt|%|vw|vh|cm|mm|in)?\s*$", value or "")
    if not m:
        return None
    try:
        number = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2) or "px"
    return number * {"px": 1, "em": 16, "rem": 16, "pt": 1.33, "%": 1, "vw": 10, "vh": 10, "cm": 38, "mm": 3.8,
                     "in": 96}[unit]


def _declarations(style: str) -> dict[str, tuple[str, bool]]:
    """`a: b; c: d !important` -> {"a": ("b", False), "c": ("d", True)}."""
    out = {}
    for part in re.split(r";(?![^(]*\))", style or ""):
        if ":" not in part:
            continue
        name, value = part.split(":", 1)
        name = name.strip().lower()
        value = value.strip()
        important = bool(re.search(r"!\s*important\s*$", value, re.I))
        value = re.sub(r"!\s*important\s*$", "", value, flags=re.I).strip().lower()
        if name and value:
            out[name] = (value, important)
    return out


def _css_rules(css: str, depth: int = 0):
    """(selector, declarations) for every plain rule of a stylesheet; @media
    rules are descended into unless print-only (at most 20 deep); other
    at-rules are skipped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"<!--|-->", "", css)
    i, n = 0, len(css)
    while i < n:
        brace = css.find("{", i)
        if brace < 0:
            return
        prelude = css[i:brace].strip()
        # Skip statement at-rules (@import x; @charset "y";) that precede.
        while prelude.startswith("@") and ";" in prelude and not prelude.lower().startswith("@media"):
            prelude = prelude.split(";", 1)[1].strip()
        depth, j = 1, brace + 1
        while j < n and depth:
            if css[j] == "{":
                depth += 1
            elif css[j] == "}":
                depth -= 1
            j += 1
        body = css[brace + 1:j - 1]
        if prelude.startswith("@"):
            lower = prelude.lower()
            if (lower.startswith(("@media", "@supports")) and not ("print" in lower and "screen" not in lower)
                    and depth < 20):
                yield from _css_rules(body, depth + 1)
        else:
            yield prelude, _declarations(body)
        i = j


# --------------------------------------------------------------------------- scripts

_WRITES = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(|\.innerHTML\s*[+]?=|\.outerHTML\s*=|insertAdjacentHTML\s*\("
                     r"|\.(?:html|append|prepend|after|before)\s*\(", re.I)
_SCRIPT_ANCHOR = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*\\?["']?([^"'\s>\\]+)\\?["']?[^>]*>(.*?)(?:<\\?/a>|$)""", re.I | re.S)
_SCRIPT_IFRAME = re.compile(r"""<iframe\b[^>]*?\bsrc\s*=\s*\\?["']?([^"'\s>\\]+)""", re.I)
_URL_IN_SCRIPT = re.compile(r"""https?://[^\s"'<>\\()]+""", re.I)
_HIDE_IN_MARKUP = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|"
                             r"(?:left|top|text-indent)\s*:\s*-\d{3,}|(?:width|height)\s*:\s*[01]px|opacity\s*:\s*0(?![.\d])",
                             re.I)
_OBFUSCATION = re.compile(r"unescape\s*\(|fromCharCode|atob\s*\(|\beval\s*\(|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|%3c", re.I)
_HIDE_BY_ID = re.compile(r"""getElementById\s*\(\s*["']([\w-]+)["']\s*\)\s*\.\s*style\s*\.\s*(?:display\s*=\s*["']none"""
                         r"""|visibility\s*=\s*["']hidden)|\$\(\s*["']#([\w-]+)["']\s*\)\s*\.\s*hide\s*\(""", re.I)


def _deobfuscate(script: str) -> str:
    """Undo the common ways scripts hide the markup they write."""
    text = script

    def from_char_codes(m):
        try:
            return "".join(chr(int(c)) for c in re.findall(r"\d+", m.group(1)))
        except (ValueError, OverflowError):
            return m.group(0)

    text = re.sub(r"String\.fromCharCode\s*\(([\d\s,]+)\)", from_char_codes, text)
    text = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    if "%3c" in text.lower() or "unescape" in text.lower():
        text = unquote(text)
    # "..." + "..." concatenations of string literals
    text = re.sub(r"""["']\s*\+\s*["']""", "", text)
    return text


def _strip_tags(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", markup)).strip()


# --------------------------------------------------------------------------- text helpers

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_ORGAN_SUFFIXES = ("人民政府", "政府", "委员会", "常委会", "办公室", "办公厅", "管理局", "监督管理局", "公安局", "税务局",
                   "财政局", "教育局", "统计局", "人民法院", "人民检察院", "检察院", "法院", "人大", "政协")
_ASCII_TOKEN = re.compile(rf"(?<=[{_CJK}\u3001-\u3011\uff08\uff0c\uff1a\uff1b“‘])([A-Za-z][A-Za-z0-9.\-]{{1,11}}|[0-9]+[A-Za-z][A-Za-z0-9.\-]{{0,10}})(?=[{_CJK}])")


def _collapse(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    # A line break between two CJK characters in the source is no space on screen.
    text = re.sub(rf"(?<=[{_CJK}])[ \t]*[\r\n]\s*(?=[{_CJK}])", "", text)
    return re.sub(r"\s+", " ", text)


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    snippet = re.sub(r"\s+", " ", text[lo:hi]).strip()
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")


def _sentence_bounds(text: str, start: int, end: int, width: int = REGULATORY_WINDOW) -> tuple[int, int]:
    """[lo, hi) of the same sentence, at most `width` characters either side."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    for m in _SENTENCE_END.finditer(text, lo, start):
        lo = m.end()
    m = _SENTENCE_END.search(text, end, hi)
    if m:
        hi = m.start()
    return lo, hi


def _sentence_window(text: str, start: int, end: int, width: int = REGULATORY_WINDOW) -> str:
    lo, hi = _sentence_bounds(text, start, end, width)
    return text[lo:hi]


_ORGAN_NAME_END = re.compile("|".join(_ORGAN_SUFFIXES))


def _in_organ_name(text: str, start: int, end: int, gap: int = 2) -> bool:
    """True when text[start:end] stands inside an organisation name: a CJK
    character before it and an organ suffix (政府, 委员会 …) at most `gap`
    CJK characters after it (县AG真人娱乐政府)."""
    if start == 0 or not re.match(rf"[{_CJK}]", text[start - 1]):
        return False
    return bool(re.match(rf"[{_CJK}]{{0,{gap}}}?(?:{_ORGAN_NAME_END.pattern})", text[end:end + gap + 5]))


def _covered(text: str, start: int, end: int, longer: str) -> bool:
    """True when an occurrence of `longer` in `text` spans [start, end)."""
    lo = max(0, end - len(longer))
    return any(text.startswith(longer, i) and i + len(longer) >= end for i in range(lo, start + 1))


def _extend_common(sources: dict, places: list) -> list:
    """Grow every occurrence of a repeated phrase by the characters that
    follow (or precede) all of them alike: AG + 真人娱乐 -> AG真人娱乐."""
    if len(places) < 2:
        return places
    word = re.compile(rf"[{_CJK}A-Za-z0-9]")
    for _ in range(12):
        nxt = {sources[lb][e:e + 1] for lb, s, e in places}
        if len(nxt) != 1 or not word.match(next(iter(nxt)) or " ") or places[0][2] - places[0][1] >= 12:
            break
        places = [(lb, s, e + 1) for lb, s, e in places]
    for _ in range(12):
        prev = {sources[lb][s - 1:s] if s > 0 else "" for lb, s, e in places}
        if len(prev) != 1 or not word.match(next(iter(prev)) or " ") or places[0][2] - places[0][1] >= 12:
            break
        places = [(lb, s - 1, e) for lb, s, e in places]
    return places


# The end of an injected string: an organisation or column name after it
# (威廉希尔人民政府, <spam>政务公开), a separator or a function word.
_INJECTED_STOP = re.compile(r"[省市县区镇乡州村]?(?:人民政府|政府|政务公开|信息公开|办公室|办公厅|委员会|常委会|人民法院"
                            r"|人民检察院|检察院|管理局|公安局)|[的和与及在是为对]")
_INJECTED_END = set("，,、。；;！!？?“”‘’\"'\n\r\t 　\u3000")
_INJECTED_TRIM = "_-·•.*|/:：~ "
_TIGHT_DECORATION = re.compile(r"(?:[A-Za-z0-9·•_\-.*|/~]|[(（【\[「][^)）】\]」\s]{0,10}[)）】\]」])*")
_OPENERS, _CLOSERS = "(（【[「<《", ")）】]」>》"
MAX_INJECTED = 40


def _grow_injected(sources: dict, places: list) -> list:
    """Grow the occurrences of one spam phrase to the whole injected string.
    Several occurrences: by the characters that follow all of them alike (a
    mirror puts the same string everywhere: 威廉希尔 + _威廉博彩app-【中文*官网】),
    up to an organisation name or a separator, and by the ASCII letters that
    precede all of them alike (AG + 真人). One occurrence: by the decorations
    that follow it (开云 + ·kaiyun(中国)). Brackets left open are cut off."""
    if not places:
        return places
    if len(places) >= 2:
        for _ in range(12):
            before = {sources[lb][s - 1:s] if s > 0 else "" for lb, s, e in places}
            if len(before) != 1:
                break
            char = next(iter(before))
            if not (char.isascii() and char.isalnum()):
                break
            places = [(lb, s - 1, e) for lb, s, e in places]
        shortest = places[0][2] - places[0][1]   # the phrase itself is never trimmed
        for _ in range(MAX_INJECTED):
            after = {sources[lb][e:e + 1] for lb, s, e in places}
            if len(after) != 1:
                break
            char = next(iter(after))
            if not char or char in _INJECTED_END or char.isspace() or places[0][2] - places[0][1] >= MAX_INJECTED:
                break
            if any(_INJECTED_STOP.match(sources[lb], e) for lb, s, e in places):
                break
            places = [(lb, s, e + 1) for lb, s, e in places]
    else:
        lb, s, e = places[0]
        text = sources[lb]
        shortest = e - s
        places = [(lb, s, _TIGHT_DECORATION.match(text, e, min(len(text), e + MAX_INJECTED)).end())]
    lb, s, e = places[0]
    keep = _balanced_length(sources[lb][s:e])
    while keep > shortest and sources[lb][s + keep - 1] in _INJECTED_TRIM:
        keep -= 1
    keep = max(keep, shortest)
    return [(lb, s, s + keep) for lb, s, e in places]


def _balanced_length(text: str) -> int:
    """The length of the longest prefix of `text` that leaves no bracket open."""
    depth, last_closed = 0, 0
    for i, char in enumerate(text):
        if char in _OPENERS:
            if depth == 0:
                last_closed = i
            depth += 1
        elif char in _CLOSERS and depth:
            depth -= 1
        if depth == 0:
            last_closed = i + 1
    return last_closed if depth else len(text)


_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_NOTE = re.compile(rf"[{_CJK}][(（]([a-zü{_TONES}]{{1,6}})[)）]")
_TONE_MARK = re.compile(f"[{_TONES}]")
PINYIN_MIN_NOTES = 10       # pinyin after this many characters ...
PINYIN_MIN_SYLLABLES = 5    # ... with this many different syllables is a mirror copy, not a reading aid

def _between_cjk(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(re.match(rf"[{_CJK}]", before) and re.match(rf"[{_CJK}]", after))


# --------------------------------------------------------------------------- the page


@dataclass
class _State:
    hidden: str = ""            # reason a non-overridable hiding applies ("" = not)
    visibility: str = ""        # "visibility:hidden (...)" while inherited, "" when visible
    font_zero: str = ""         # "font-size:0 (...)" while inherited
    indent: str = ""            # "text-indent:-9999px (...)" while inherited
    colour: object = None
    colour_source: str = ""
    background: object = None   # colour, "image" (unknown) or None
    background_source: str = ""
    in_link: bool = False


class _Page:
    def __init__(self, html: str, url: str, spam: SpamDictionary, wording):
        self.url = url
        self.spam = spam
        self.wording = wording
        self.findings: list[Finding] = []
        self.links: list[Link] = []
        self.hidden_reason: dict = {}    # element -> reason ("" = visible)
        self.visible_parts: list[str] = []
        self.body_parts: list[str] = []   # visible text outside links (for injected text)
        self.hidden_texts: list[tuple[str, str]] = []
        self.source = html                # the page as given, for the line and position of findings
        self._line_starts: list[int] | None = None
        self._located: dict = {}
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
        try:
            self.root = lxml.html.document_fromstring(html) if html.strip() else None
        except (etree.LxmlError, ValueError):
            self.root = None
        self.base = url
        self.page_host = _host(url)

    # ---- main

    def run(self) -> PageReport:
        if self.root is None:
            return PageReport(url=self.url, title="", findings=[], links=[], text="")
        root = self.root
        base = root.find(".//base[@href]")
        if base is not None:
            try:
                self.base = urljoin(self.url, base.get("href").strip())
            except ValueError:   # <base href="http://[">: links resolve against the page's address
                pass
        title_el = root.find(".//title")
        self.title = _collapse(title_el.text_content()).strip() if title_el is not None else ""
        self._script_hiding()
        self._apply_css()
        self._walk(root, _State())
        self.text = self._join(self.visible_parts)
        self.body_text = self._join(self.body_parts)
        self._collect_links()
        self._script_links()
        self.seo_phrases: set[str] = set()
        self._check_seo_rewrite()
        self._check_text()
        self._check_wording()
        return PageReport(url=self.url, title=self.title, findings=self._dedup(), links=self.links, text=self.text)

    @staticmethod
    def _join(parts: list[str]) -> str:
        text = _collapse("".join(parts)).replace(_BLOCK, "\n")
        return re.sub(r" ?\n[ \n]*", "\n", text).strip()

    def add(self, kind, severity, evidence, context, detail="", where=None):
        """Record a finding; `where` = (label, text, start, end) of the evidence
        in a checked text locates it in the page source (line, position)."""
        line, position = self._locate(*where) if where else (0, -1)
        self.findings.append(Finding(kind=kind, severity=severity, evidence=evidence, context=context, url=self.url,
                                     detail=detail, line=line, position=position))

    def _dedup(self) -> list[Finding]:
        seen, out = set(), []
        for f in self.findings:
            key = (f.kind, f.evidence, f.context, f.line, f.position)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out

    # ---- visibility

    def _script_hiding(self):
        """Elements an inline script hides, and static content between
        document.write('<div style="display:none">') and document.write('</div>')."""
        self.script_hidden_ids: set[str] = set()
        self.script_hidden_elements: set = set()
        for script in self.root.iter("script"):
            if script.get("src"):
                continue
            code = script.text or ""
            for m in _HIDE_BY_ID.finditer(code):
                self.script_hidden_ids.add(m.group(1) or m.group(2))
            written = self._written_markup(code)
            if not written:
                continue
            opens = re.findall(r"<(div|span|p|section)\b([^>]*)>", written, re.I)
            closes = len(re.findall(r"</(?:div|span|p|section)\s*>", written, re.I))
            if len(opens) > closes and any(_HIDE_IN_MARKUP.search(attrs) for _, attrs in opens):
                sibling = script.getnext()
                while sibling is not None:
                    if sibling.tag == "script" and re.search(r"</(?:div|span|p|section)", self._written_markup(
                            sibling.text or ""), re.I):
                        break
                    self.script_hidden_elements.add(sibling)
                    sibling = sibling.getnext()

    def _written_markup(self, code: str) -> str:
        """The markup an inline script writes into the page ("" if it writes none)."""
        if not code or not (_WRITES.search(code) or _OBFUSCATION.search(code)):
            return ""
        plain = _deobfuscate(code)
        return plain if _WRITES.search(plain) else ""

    def _apply_css(self):
        self.rules: dict = {}   # element -> list of (important, specificity, order, name, value, source)
        order = 0
        from cssselect import GenericTranslator, SelectorError, parse

        translator = GenericTranslator()
        for style in self.root.iter("style"):
            for selector_group, decls in _css_rules(style.text or ""):
                if not decls:
                    continue
                for selector in selector_group.split(","):
                    selector = selector.strip()
                    if not selector or "::" in selector or re.search(r":(?:hover|focus|active|visited|before|after)",
                                                                      selector):
                        continue
                    try:
                        parsed = parse(selector)
                        xpath = translator.css_to_xpath(selector)
                        matched = self.root.xpath(xpath)
                    except (SelectorError, etree.XPathError, Exception):  # unsupported selector: ignore the rule
                        continue
                    spec = parsed[0].specificity() if parsed else (0, 0, 0)
                    for el in matched:
                        for name, (value, important) in decls.items():
                            order += 1
                            self.rules.setdefault(el, []).append((important, spec, order, name, value,
                                                                  f"<style> {selector}"))

    def _computed(self, el) -> dict[str, tuple[str, str]]:
        """name -> (value, where it comes from) for one element's own declarations."""
        entries = list(self.rules.get(el, ()))
        inline = el.get("style")
        if inline:
            for name, (value, important) in _declarations(inline).items():
                entries.append((important, (9, 9, 9), 10 ** 9, name, value, "inline style"))
        entries.sort(key=lambda e: (e[0], e[1], e[2]))
        out = {name: (value, source) for _, _, _, name, value, source in entries}
        bgcolor = el.get("bgcolor")
        if bgcolor and "background-color" not in out and "background" not in out:
            out["background-color"] = (bgcolor.lower(), "bgcolor attribute")
        if el.tag == "font" and el.get("color") and "color" not in out:
            out["color"] = (el.get("color").lower(), "font color attribute")
        return out

    def _own_hiding(self, el, css: dict) -> str:
        """The reason this element hides itself and everything in it ("" if it does not)."""
        def val(name):
            return css.get(name, ("", ""))[0]

        def src(name):
            return css.get(name, ("", ""))[1]

        if el.get("hidden") is not None:
            return "hidden attribute"
        if el.get("id") in self.script_hidden_ids:
            return "hidden by an inline script"
        if el in self.script_hidden_elements:
            return "inside a hidden container written by document.write"
        display = val("display")
        if display == "none":
            return f"display:none ({src('display')})"
        opacity = _length(val("opacity")) if val("opacity") else None
        if opacity is not None and opacity <= 0.01:
            return f"opacity:0 ({src('opacity')})"
        overflow = " ".join(val(n) for n in ("overflow", "overflow-x", "overflow-y"))
        clipped = "hidden" in overflow or "clip" in overflow
        for dim in ("width", "height", "max-width", "max-height"):
            size = _length(val(dim)) if val(dim) else None
            if size is not None and size <= 1 and (clipped or size <= 0 and el.tag in ("iframe", "marquee")):
                return f"zero size: {dim}:{val(dim)} with overflow hidden ({src(dim)})"
        clip = val("clip")
        if clip and re.match(r"rect\(\s*0(?:px)?[\s,]+0(?:px)?[\s,]+0(?:px)?[\s,]+0(?:px)?\s*\)", clip):
            return f"clip:{clip} ({src('clip')})"
        clip_path = val("clip-path")
        if clip_path and re.match(r"inset\(\s*50%|circle\(\s*0", clip_path):
            return f"clip-path:{clip_path} ({src('clip-path')})"
        transform = val("transform")
        if transform:
            if re.search(r"scale\(\s*0(?:\.0*)?\s*[,)]", transform):
                return f"transform:{transform} ({src('transform')})"
            m = re.search(r"translate[xy]?\(\s*(-[\d.]+(?:px|em|rem)?)", transform)
            if m and (_length(m.group(1)) or 0) <= -500:
                return f"off-screen: transform:{transform} ({src('transform')})"
        if val("position") in ("absolute", "fixed", "relative"):
            for prop in ("left", "top", "right", "margin-left", "margin-top"):
                length = _length(val(prop)) if val(prop) else None
                if length is not None and (length <= -500 or prop == "right" and length >= 5000):
                    return f"off-screen: position:{val('position')}; {prop}:{val(prop)} ({src(prop)})"
        for prop in ("margin-left", "margin-top"):
            length = _length(val(prop)) if val(prop) else None
            if length is not None and length <= -999:
                return f"off-screen: {prop}:{val(prop)} ({src(prop)})"
        if el.tag == "marquee":
            for attr in ("width", "height"):
                size = _length(el.get(attr) or val(attr) or "")
                if size is not None and size <= 5:
                    return f"tiny <marquee> {attr}={size:g}"
            speed = _length(el.get("scrollamount") or "")
            if speed is not None and speed >= 500:
                return f"<marquee> scrollamount={speed:g}"
        if el.tag == "iframe":
            sizes = [_length(el.get(a) or "") for a in ("width", "height")]
            if any(s is not None and s <= 1 for s in sizes):
                return "iframe of zero size"
        return ""

    def _walk(self, el, state: _State, depth: int = 0):
        """Compute hidden reasons and collect visible / hidden text."""
        if not isinstance(el.tag, str):   # comments, processing instructions
            return
        tag = el.tag.lower()
        css = self._computed(el)
        reason = self._own_hiding(el, css)
        new = dataclasses.replace(state)
        if tag in ("a", "area"):
            new.in_link = True
        if reason and not state.hidden:
            new.hidden = reason
        vis = css.get("visibility", ("", ""))
        if vis[0] in ("hidden", "collapse"):
            new.visibility = f"visibility:hidden ({vis[1]})"
        elif vis[0] == "visible":
            new.visibility = ""
        fs = css.get("font-size", ("", ""))
        if fs[0]:
            size = _length(fs[0])
            if size is not None:
                new.font_zero = f"font-size:{fs[0]} ({fs[1]})" if size <= 1 else ""
        ti = css.get("text-indent", ("", ""))
        if ti[0]:
            length = _length(ti[0])
            new.indent = f"text-indent:{ti[0]} ({ti[1]})" if length is not None and length <= -999 else ""
        if "color" in css:
            colour = _parse_colour(css["color"][0])
            if colour is not None:
                new.colour = colour
                new.colour_source = f"color:{css['color'][0]} ({css['color'][1]})"
        bg = css.get("background-color") or css.get("background")
        if bg:
            colour = _parse_colour(bg[0]) if "background-color" in css else _colour_in(bg[0])
            if "url(" in bg[0] or "gradient" in bg[0]:
                new.background = "image"
            elif colour is not None and colour != _TRANSPARENT:
                new.background = colour
                new.background_source = f"background {bg[0]} ({bg[1]})"
        elif "background-image" in css and "url(" in css["background-image"][0]:
            new.background = "image"

        effective = self._effective_reason(new)
        self.hidden_reason[el] = effective
        invisible = tag in _INVISIBLE_TAGS
        if not invisible:
            if tag in _BLOCK_TAGS:
                self._emit(_BLOCK, "")
            self._emit(el.text or "", effective, new.in_link)
        for child in (el if depth < MAX_DEPTH else ()):
            self._walk(child, new, depth + 1)
            if not invisible and child.tail:
                self._emit(child.tail, self._effective_reason(new), new.in_link)
        if not invisible and tag in _BLOCK_TAGS:
            self._emit(_BLOCK, "")

    def _effective_reason(self, state: _State) -> str:
        if state.hidden:
            return state.hidden
        if state.visibility:
            return state.visibility
        if state.font_zero:
            return state.font_zero
        if state.indent:
            return state.indent
        if state.colour == _TRANSPARENT:
            return f"colour transparent ({state.colour_source})"
        if (isinstance(state.colour, tuple) and isinstance(state.background, tuple)
                and sum(abs(a - b) for a, b in zip(state.colour, state.background)) <= 24):
            return (f"text colour equals the background colour #{'%02x%02x%02x' % state.colour} "
                    f"({state.colour_source} on {state.background_source})")
        return ""

    def _emit(self, text: str, reason: str, in_link: bool = False):
        if not text:
            return
        if reason:
            if text.strip() and not in_link:   # hidden links are judged as links
                self.hidden_texts.append((text, reason))
        else:
            self.visible_parts.append(text)
            self.body_parts.append(_BLOCK if in_link else text)

    def _is_soft(self, el) -> bool:
        """True when the element is hidden only the way menus and tabs hide."""
        reason = self.hidden_reason.get(el, "")
        return reason.startswith(("display:none", "visibility:hidden", "hidden attribute"))

    # ---- links

    def _resolve(self, href: str) -> str | None:
        href = (href or "").strip()
        if not href or href.startswith("#") or re.match(r"(?:javascript|mailto|tel|data|about|sms):", href, re.I):
            return None
        try:
            absolute = urljoin(self.base, href)
        except ValueError:
            return None
        return urldefrag(absolute)[0]

    def _collect_links(self):
        attrs = {"a": "href", "area": "href", "img": "src", "script": "src", "link": "href", "iframe": "src",
                 "frame": "src"}
        for el in self.root.iter(*attrs):
            tag = el.tag.lower()
            raw = el.get(attrs[tag])
            url = self._resolve(raw)
            if url is None:
                continue
            if tag in ("a", "area"):
                text = _collapse(el.text_content()).strip() or el.get("title", "") or " ".join(
                    i.get("alt", "") for i in el.iter("img")).strip()
            elif tag == "img":
                text = el.get("alt", "")
            else:
                text = el.get("title", "")
            hidden_reason = self.hidden_reason.get(el, "") if tag not in ("script", "link") else ""
            link_tag = {"area": "a", "frame": "iframe"}.get(tag, tag)
            self.links.append(Link(url=url, text=text, tag=link_tag, hidden=bool(hidden_reason)))
            self._judge_link(url, text, link_tag, hidden_reason, soft=self._is_soft(el))
        # Drop-down link lists and refresh redirects: judged, not listed.
        for option in self.root.iter("option"):
            value = option.get("value", "")
            if re.match(r"(?:https?:)?//|www\.", value, re.I):
                url = self._resolve(value if not value.lower().startswith("www.") else "http://" + value)
                if url:
                    self._judge_link(url, _collapse(option.text_content()).strip(), "a", "", soft=False)
        for meta in self.root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", meta.get("content", ""), re.I)
                url = self._resolve(m.group(1)) if m else None
                if url:
                    self._judge_link(url, "meta refresh", "link", "", soft=False)

    def _text_spam(self, text: str) -> tuple[str, int]:
        """(phrases, total weight) of the counting spam phrases in a short text."""
        hits = self._counting_hits(text)
        total = sum(p.weight for _, _, p in hits)
        # Domain-looking words in anchor text: "www.hg0088.com".
        for m in re.finditer(r"(?:[a-z0-9-]+\.)+(?:com|net|cc|vip|top|xyz|me|co|tw|hk|bet|casino)\b", text, re.I):
            reason, strong = self.spam.url_reason("http://" + m.group(), self.page_host)
            if strong:
                hits.append((m.start(), m.end(), Phrase(m.group(), "gambling", 3)))
                total += 3
        return "、".join(dict.fromkeys(p.phrase for _, _, p in hits)), total

    def _judge_link(self, url: str, text: str, tag: str, hidden_reason: str, *, soft: bool):
        host = _host(url)
        url_reason, strong = self.spam.url_reason(url, self.page_host)
        phrases, weight = self._text_spam(text)
        spam_text = weight >= self.spam.threshold
        reasons = []
        if strong:
            reasons.append(url_reason)
        if spam_text:
            reasons.append(f"spam words in the link text: {phrases}")
        anchor = text or f"[{tag}]"
        if hidden_reason and tag in ("a", "iframe", "img"):
            trusted = self.spam.is_trusted(host, self.page_host)
            if strong or spam_text or (url_reason and not trusted):
                why = "; ".join(reasons or [url_reason])
                self.add("hidden_link", "serious", url, f"{anchor} — hidden: {hidden_reason}; {why}", "hidden")
            elif not trusted and tag in ("a", "iframe"):
                severity = "warning" if soft else "serious"
                self.add("hidden_link", severity, url, f"{anchor} — hidden: {hidden_reason}; links to another site {host}",
                         "hidden")
            return
        if reasons:
            self.add("spam_link", "serious", url, f"{anchor} — {'; '.join(reasons)}", "spam")

    def _script_links(self):
        """Links written by inline scripts (hidden from a reader of the source),
        and spam URLs anywhere in inline scripts (search-engine redirects)."""
        for script in self.root.iter("script"):
            if script.get("src"):
                continue
            code = script.text or ""
            written = self._written_markup(code)
            seen = set()
            if written:
                obfuscated = bool(_OBFUSCATION.search(code))
                hides = bool(_HIDE_IN_MARKUP.search(written))
                for pattern, tag in ((_SCRIPT_ANCHOR, "a"), (_SCRIPT_IFRAME, "iframe")):
                    for m in pattern.finditer(written):
                        url = self._resolve(m.group(1))
                        if not url or url in seen:
                            continue
                        seen.add(url)
                        text = _strip_tags(m.group(2)) if tag == "a" else ""
                        self.links.append(Link(url=url, text=text, tag=tag, hidden=True))
                        host = _host(url)
                        url_reason, strong = self.spam.url_reason(url, self.page_host)
                        phrases, weight = self._text_spam(text)
                        spam_text = weight >= self.spam.threshold
                        if not (strong or spam_text) and self.spam.is_trusted(host, self.page_host):
                            continue
                        how = ["written by an inline script"]
                        if obfuscated:
                            how.append("obfuscated")
                        if hides:
                            how.append("written hidden")
                        if strong:
                            how.append(url_reason)
                        if spam_text:
                            how.append(f"spam words in the link text: {phrases}")
                        serious = strong or spam_text or obfuscated or hides or bool(url_reason)
                        self.add("hidden_link", "serious" if serious else "warning", url,
                                 f"{text or '[' + tag + ']'} — {'; '.join(how)}", "script")
            for m in _URL_IN_SCRIPT.finditer(_deobfuscate(code) if _OBFUSCATION.search(code) else code):
                url = urldefrag(m.group().rstrip(".,;"))[0]
                if url in seen:
                    continue
                seen.add(url)
                url_reason, strong = self.spam.url_reason(url, self.page_host)
                if strong:
                    self.add("spam_link", "serious", url, f"[script] — URL in an inline script; {url_reason}", "spam")

    # ---- text

    def _discounted(self, text: str, start: int, end: int) -> bool:
        """True when a generic spam word stands in regulatory text: a context
        word in its sentence (30 characters either side) — or, inside an
        organisation's name, right before it (打击赌博领导小组办公室)."""
        pattern = self.spam.context_pattern
        if pattern is None:
            return False
        if _in_organ_name(text, start, end, gap=4):
            return bool(pattern.search(text, max(0, start - 6), start))
        return bool(pattern.search(_sentence_window(text, start, end)))

    def _counting_hits(self, text: str) -> list[tuple[int, int, Phrase]]:
        """The spam phrase hits that count. A brand always counts; a generic
        term counts unless it stands in regulatory text; an ambiguous name
        (金沙, 银河, 开云 …) counts only with gambling context — a cue right
        at it or another counting spam word in its sentence — and then as a
        brand."""
        hits = self.spam.all_hits(text)
        firm = [(s, e, p) for s, e, p in hits if not p.ambiguous and (p.brand or not self._discounted(text, s, e))]
        out = list(firm)
        for s, e, p in hits:
            if not p.ambiguous:
                continue
            lo, hi = _sentence_bounds(text, s, e, 20)
            if self.spam.has_cue(text, s, e) or any(lo <= fs and fe <= hi for fs, fe, _ in firm):
                out.append((s, e, dataclasses.replace(p, brand=True, weight=3)))
        out.sort(key=lambda h: h[0])
        return out

    def _check_text(self):
        """Injected spam phrases in the visible body (outside links, which are
        judged as links), the title, meta keywords/description, hidden text."""
        sources = [("", self.body_text)]
        if self.title:
            sources.append(("<title> ", self.title))
        for meta in self.root.iter("meta"):
            name = (meta.get("name") or "").lower()
            if name in ("keywords", "description"):
                sources.append((f"<meta {name}> ", _collapse(meta.get("content") or "")))
        for text, reason in self.hidden_texts:
            sources.append((f"hidden text ({reason}): ", _collapse(text).strip()))
        counted = [(label, text, self._counting_hits(text)) for label, text in sources]
        # Each phrase weighs once on the page: a notice that names the 棋牌室 of six
        # communities is not six pieces of spam.
        weights: dict[str, int] = {}
        for _, _, hits in counted:
            for _, _, p in hits:
                weights[p.phrase.lower()] = max(p.weight, weights.get(p.phrase.lower(), 0))
        page_weight = sum(weights.values())
        for label, text, hits in counted:
            for start, end, phrase in hits:
                lo, hi = _sentence_bounds(text, start, end)
                sentence_weight = sum(p.weight for s, e, p in hits if s >= lo and e <= hi)
                if not (phrase.weight >= 3 or sentence_weight >= self.spam.threshold
                        or page_weight >= self.spam.page_threshold):
                    continue
                if any(_covered(text, start, end, phrase_) for phrase_ in self.seo_phrases):
                    continue  # reported as an SEO rewrite
                self.add("injected_text", "serious", text[start:end], label + _context(text, start, end),
                         phrase.category, where=(label, text, start, end))

    def _check_seo_rewrite(self):
        """A foreign phrase standing where ordinary words belong (黑帽SEO替换),
        and pinyin sprinkled through a machine-made mirror copy."""
        headings = " ".join(_collapse(h.text_content()).strip() for h in self.root.iter("h1"))
        title_text = (self.title + " " + headings).strip()
        sources = {"": self.text, "<title>/<h1> ": title_text}
        reported: set[tuple[str, int, int]] = set()
        self._phrase_rewrites(sources, reported)
        self._token_rewrites(sources, reported)
        self._pinyin_mirror()

    def _report_rewrite(self, sources: dict, places: list, severity: str, organ: set, titled: set, why: str,
                        reported: set):
        """One finding for every occurrence of the rewritten phrase."""
        for label, s, e in sorted(places, key=lambda p: (p[0] != "", p[1])):
            text = sources[label]
            where = ("inside an organisation name" if (label, s, e) in organ else
                     "inside the title" if (label, s, e) in titled else why)
            reported.add((label, s, e))
            self.add("seo_rewrite", severity, text[s:e], label + _context(text, s, e), where, where=(label, text, s, e))
            self.seo_phrases.add(text[s:e])

    def _phrase_rewrites(self, sources: dict, reported: set):
        """Spam phrases standing in for place and organisation names (the
        hijacked-mirror pattern: 威廉希尔_威廉博彩app-【中文*官网】办公室, 县AG真人娱乐政府):
        each counting phrase is grown to the whole injected string (what follows
        all its occurrences alike), overlapping strings are merged, and every
        occurrence of a string is reported when one stands in an organisation
        name or the title, or a brand stands between Chinese words twice."""
        by_phrase: dict[str, list] = {}
        for label, text in sources.items():
            for s, e, phrase in self._counting_hits(text):
                by_phrase.setdefault(phrase.phrase.lower(), []).append((label, s, e, phrase))
        spans: dict[str, list] = {}
        for items in by_phrase.values():
            grown = _grow_injected(sources, [(label, s, e) for label, s, e, _ in items])
            for (label, s, e), item in zip(grown, items):
                spans.setdefault(label, []).append((s, e, item[3]))
        merged: list[list] = []
        for label, found in spans.items():
            current = None
            for s, e, phrase in sorted(found, key=lambda f: (f[0], -f[1])):
                if current is not None and s < current[2]:
                    current[2] = max(current[2], e)
                    current[3].append(phrase)
                else:
                    current = [label, s, e, [phrase]]
                    merged.append(current)
        groups: dict[str, list] = {}
        for label, s, e, phrases in merged:
            groups.setdefault(sources[label][s:e].lower(), []).append((label, s, e, phrases))
        for group in groups.values():
            places = [(label, s, e) for label, s, e, _ in group]
            phrases = [p for *_, found in group for p in found]
            brand = any(p.brand for p in phrases)
            weight = max(p.weight for p in phrases)
            organ = {p for p in places if _in_organ_name(sources[p[0]], p[1], p[2], gap=4)}
            titled = {p for p in places if p[0] and _between_cjk(sources[p[0]], p[1], p[2])}
            embedded = [p for p in places if _between_cjk(sources[p[0]], p[1], p[2])]
            why = f"the same spam string {len(places)} times where other words belong"
            rewritten = (
                organ and (brand or weight >= 2 or len(organ) >= 2)              # 威廉希尔人民政府; a weak word twice
                or titled and (brand or weight >= 2)                             # in the title / h1
                or brand and len(places) >= 2 and len(embedded) >= 2             # a brand for a word, twice
                or weight >= 2 and len(places) >= SEO_MIN_REPEATS and len(embedded) >= SEO_MIN_REPEATS - 1)
            if rewritten:
                self._report_rewrite(sources, places, "serious", organ, titled, why, reported)

    def _token_rewrites(self, sources: dict, reported: set):
        """ASCII / brand tokens repeated between Chinese words (县Kaiyun政府)."""
        def overlaps(label, s, e):
            return any(lb == label and s < re_ and e > rs for lb, rs, re_ in reported)

        tokens: dict[str, list] = {}
        for label, text in sources.items():
            for m in _ASCII_TOKEN.finditer(text):
                token = m.group(1).lower()
                if token in self.spam.ordinary_ascii or token.rstrip(".-") in self.spam.ordinary_ascii:
                    continue
                if re.fullmatch(r"[\d.\-]+[a-z]{1,3}\d*|(?:no|v|ver|[a-z])\d+[.\-\d]*[a-z]?", token):
                    continue   # 10kV, 500mg, 3D, No.1, G318, K8, V2
                tokens.setdefault(token, []).append((label, m.start(1), m.end(1)))
        for token, places in tokens.items():
            places = [p for p in places if not overlaps(*p)]
            if not places:
                continue
            places = _extend_common(sources, places)
            phrase = sources[places[0][0]][places[0][1]:places[0][2]]
            spammy = (bool(self.spam.lookup(token)) or any(p.search(token) for p in self.spam.url_patterns)
                      or self._text_spam(phrase)[1] >= self.spam.threshold)
            organ = {p for p in places if _in_organ_name(sources[p[0]], p[1], p[2], gap=4)}
            titled = {p for p in places if p[0]}
            body_count = len(places) - len(titled)
            defined = re.search(rf"[（(【\[]\s*{re.escape(token)}\s*[）)】\]]", self.text, re.I)
            why = f"the same foreign phrase {body_count} times between Chinese words"
            if organ or spammy and (body_count >= SEO_MIN_REPEATS or titled):
                severity = "serious"
            elif body_count >= SEO_MIN_REPEATS and not defined:
                severity = "warning"
            else:
                continue
            self._report_rewrite(sources, places, severity, organ, titled, why, reported)

    def _pinyin_mirror(self):
        """A machine-made mirror copy of a government page (站群/镜像站) may
        carry pinyin after many characters: 區(qū)、務(wù). One finding names the
        inserted syllables and the lines they stand on."""
        notes = [m for m in _PINYIN_NOTE.finditer(self.text) if _TONE_MARK.search(m.group(1))]
        syllables = list(dict.fromkeys(m.group(1) for m in notes))
        if len(notes) < PINYIN_MIN_NOTES or len(syllables) < PINYIN_MIN_SYLLABLES:
            return
        first = notes[0]
        lines = sorted({self._locate("pinyin", self.text, m.start(), m.end())[0] for m in notes} - {0})
        shown = "、".join(f"({s})" for s in syllables[:40]) + ("…" if len(syllables) > 40 else "")
        where = f" on lines {', '.join(map(str, lines[:20]))}{'…' if len(lines) > 20 else ''}" if lines else ""
        self._located.pop(("pinyin", first.group()), None)
        self.add("seo_rewrite", "serious", first.group(), _context(self.text, first.start(), first.end()),
                 f"mirror copy: pinyin inserted after Chinese characters {len(notes)} times{where}: {shown}",
                 where=("pinyin", self.text, first.start(), first.end()))

    def _locate(self, label: str, text: str, start: int, end: int) -> tuple[int, int]:
        """(line, position) in the page source of text[start:end], found through
        its surroundings; each occurrence of the same evidence is placed at a
        different position. (0, -1) when the source does not hold it as written
        (entities, markup between the characters)."""
        evidence = text[start:end]
        if not evidence or not self.source:
            return 0, -1
        used = self._located.setdefault((label, evidence), set())
        for width in (12, 6, 3, 0):
            lo = max(0, start - width)
            hi = min(len(text), end + width)
            cut = text.rfind("\n", lo, start)
            lo = cut + 1 if cut >= 0 else lo
            cut = text.find("\n", end, hi)
            hi = cut if cut >= 0 else hi
            snippet, offset = text[lo:hi], start - lo
            i = self.source.find(snippet)
            while i >= 0:
                position = i + offset
                if position not in used:
                    used.add(position)
                    return self._line_of(position), position
                i = self.source.find(snippet, i + 1)
        return 0, -1

    def _line_of(self, position: int) -> int:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", self.source)]
        return bisect.bisect_right(self._line_starts, position)

    def _check_wording(self):
        sources = [("", self.text)]
        if self.title and self.title not in self.text:
            sources.append(("<title> ", self.title))
        for label, text in sources:
            try:
                found = self.wording(text) or []
            except Exception:   # a broken office dictionary must not stop the page check
                found = []
            for f in found:
                kind = getattr(f, "kind", "")
                severity = "serious" if kind in ("error", "secrecy") else "warning"
                suggestion = getattr(f, "suggestion", "")
                label_text = getattr(f, "label", kind)
                detail = f"{label_text}：建议“{suggestion}”" if suggestion else label_text
                self.add("wording", severity, f.text, label + _context(text, f.start, f.end), detail)
