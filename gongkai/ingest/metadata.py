"""The labelled fields of a government page (索引号, 发文字号, 成文日期 ...) and
the rule that finds its title.

Sites lay the catalog metadata of a page out in many ways; all are read here
from the page's lines:

- table rows, one pair or several a row, cells separated by tabs (HTML) or
  `|` (crawled text): `索 引 号 | 014416330/2018-04736 | 分 类 | 综合政务 |`
- `label：value` or `label value` lines and list items, several pairs a line:
  `索引号: 003129766/201901-00336 组配分类: 规范性文件发布`
- bracketed labels: `[成文日期] 2016-06-08`, `【制定机关】X•【公布日期】Y`
- label and value on separate lines: `索引号:` / `6107280000/2024-001005`

Labels may have ASCII or full-width spaces inside (`索 引 号`, `标　　题`) and
full- or half-width colons. An empty field stays empty: a value that is itself
a label is the next field, not this one's value.

A title is, in this order (`find_title`): a labelled 标题/名称 field (or the
page's ArticleTitle meta), the document-name line (…关于…的通知, 《…》,
2018年…工作要点, …年度报告), the HTML `<h1>`/`<title>`, the first heading of
the page. Breadcrumbs, topic paths, signatures, section headings, file names
and site names are never titles (`non_title_kind`).

Pure: lines of text in, values out; no Django, no database. Shared by the page
importer (`gongkai.ingest.extract`), the work-plan import and the annual-report
reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gongkai.core import dates, docnumber

CJK = "\u3400-\u9fff"
SPACES = re.compile(r"[ \xa0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# ---------------------------------------------------------------- the label vocabulary

# Field → the labels sites give it, the preferred label first: when a page has
# several labels of one field (发布日期 and 发文日期), the earlier label wins.
LABELS: dict[str, tuple[str, ...]] = {
    "index_number": ("索引号", "信息索引号", "索取号", "信息索取号"),
    "document_number": ("发文字号", "文号", "发文号", "文件编号", "文件字号", "字号"),
    "topic": ("主题分类", "主题类别", "信息分类", "主题"),
    "genre": ("体裁分类", "体裁", "文种", "公文种类", "文件类型", "信息类别"),
    "classification": ("组配分类", "分类"),
    "written_date": ("成文日期", "成文时间", "生成日期", "产生日期", "印发日期"),
    "published_date": ("发布日期", "发布时间", "公开日期", "公开时间", "公布日期", "上载日期", "发文日期"),
    "title": ("文件标题", "标题", "文件名称", "信息名称", "名称", "法规标题"),
    "organisation": ("发布机构", "发文机关", "发文单位", "发布单位", "发文机构", "制发机关", "制定机关", "发布机关"),
    "validity": ("有效性", "效力状态", "时效性", "是否有效"),
    "keywords": ("主题词", "关键词", "关键字"),
    "effective_date": ("施行日期", "生效日期", "实施日期", "生效时间"),
    "expiry_date": ("废止日期", "失效日期", "废止时间", "失效时间"),
    # Fields the catalog does not keep, known so that an empty field before them stays empty.
    "source": ("信息来源", "来源"),
    "summary": ("内容概述", "内容摘要", "摘要"),
    "other": (
        "服务对象分类", "生命周期分类", "信息格式/语种", "信息格式", "语种", "载体类型", "公开方式", "公开形式",
        "公开范围", "公开时限", "公开属性", "效力等级", "有效期限", "所属机构",
    ),
}


def compact_label(text: str) -> str:
    """`索 引 号：` → `索引号`; `【标　　题】` → `标题`."""
    return re.sub(r"[\s\u3000:：【】\[\]]", "", SPACES.sub("", text or ""))


LABEL_FIELD: dict[str, str] = {label: name for name, labels in LABELS.items() for label in labels}
_LABEL_RANK: dict[str, int] = {label: rank for labels in LABELS.values() for rank, label in enumerate(labels)}


def label_field(text: str) -> str | None:
    """The field a label names (`发 布 机 构：` → organisation), or None."""
    return LABEL_FIELD.get(compact_label(text))


def is_label(text: str) -> bool:
    return label_field(text) is not None


# Read only in brackets (【字号】东府办〔2011〕65号): `字号：【大 中 小】` is a font-size widget.
BRACKETED_ONLY = {"字号"}

_GAP = r"[ \u3000]*"
_KNOWN = "|".join(
    _GAP.join(map(re.escape, label)) for label in sorted(set(LABEL_FIELD) - BRACKETED_ONLY, key=len, reverse=True)
)
# Unknown labels: spaced-out (`上 载 日 期`) or followed by a colon (`更新时间:`).
_SPACED = rf"[{CJK}](?:[ \u3000]+[{CJK}]){{1,7}}(?![{CJK}])"
_COLONED = rf"[{CJK}]{{2,6}}(?={_GAP}[:：])"
_AFTER_LABEL = rf"(?:{_GAP}(?P<colon>[:：])|(?=[\s|•·]|$))"
_LABEL_START = re.compile(rf"^(?P<label>{_KNOWN}){_AFTER_LABEL}")
_LABEL_IN_CELL = re.compile(rf"(?:^|(?<=[\s•·:：]))(?P<label>{_KNOWN}|{_SPACED}|{_COLONED}){_AFTER_LABEL}")
_BRACKETED = re.compile(r"[【\[]\s*(?P<label>[^\]】\[【\s\d]{2,10}?)\s*[】\]]")
_CELL_SPLIT = re.compile(r"\t|\|")
_BULLET = re.compile(r"^[•·●◆◇■□▪▫○◎★☆►▶>\-*]+\s*")
_LEADING_BULLETS = re.compile(r"^[\s•·●◆■□▪*\-|]+")
_VALUE_TRIM = " \t|:：•·"

EMPTY_VALUES = {"", "无", "—", "-", "--", "/", "暂无", "空", "null", "None"}
DATE_FIELDS = {"written_date", "published_date", "effective_date", "expiry_date"}
_MAX_LEN = {"title": 200, "keywords": 100, "summary": 1000, "document_number": 40, "index_number": 60}
_SITE_VALUE = re.compile(r"(网站|门户网|门户|网|平台|客户端|公众号)$")
_VALIDITY_WORD = re.compile(r"^(现行)?有效$|^(已)?(失效|废止|修订|修改)$|^有效期内$|^长期有效$")


def clean_value(name: str, value: str):
    """The field's value from a metadata cell, or None when it is not one
    (empty, another label, too long to be a cell, not of the field's form)."""
    value = re.sub(r"\s+", " ", SPACES.sub(" ", value or "")).strip(_VALUE_TRIM).rstrip("【[ ")
    if value in EMPTY_VALUES or is_label(value):
        return None
    if len(value) > _MAX_LEN.get(name, 60):
        return None
    if name in DATE_FIELDS:
        return dates.first_date(value)
    if name == "index_number":
        value = value.translate(FULL_WIDTH_DIGITS).replace(" ", "")
        return value if re.search(r"\d", value) and not re.search(rf"[{CJK}]", value) else None
    if name == "document_number":
        return value if re.search(r"[\d０-９]", value) else None
    if name == "title":
        return normalise_title(value) or None
    if name == "organisation":
        return None if _SITE_VALUE.search(value) else value
    return value


# ---------------------------------------------------------------- one line


@dataclass(frozen=True)
class Pair:
    field: str  # "" for a label outside the vocabulary (更新时间, 上载日期 ...)
    label: str  # as on the page, spaces and colon removed
    value: str  # as on the page; "" when the field is empty
    line: int = -1
    value_line: int | None = None  # the line holding the value when it is not the label's


@dataclass
class LabelLine:
    pairs: list[tuple[str, str, str]]  # (field or "", label, value)
    colon: bool  # the first label has a colon after it
    prefix: str = ""  # text before the first bracketed label (`…的通知文章属性•【制定机关】…`)

    @property
    def known(self) -> int:
        return sum(1 for name, _, _ in self.pairs if name)

    @property
    def label_only(self) -> bool:
        """`索引号：` alone: its value may be on the next line."""
        return len(self.pairs) == 1 and not self.pairs[0][2]


def parse_label_line(line: str) -> LabelLine | None:
    """A line of labelled fields → its pairs; None when the line does not
    start with a known label (or hold bracketed ones)."""
    line = (line or "").strip()
    if not line:
        return None
    bracketed = _parse_bracketed(line)
    if bracketed:
        return bracketed
    body = _LEADING_BULLETS.sub("", line)
    if not _LABEL_START.match(body):
        return None
    items: list[tuple[str, str, bool]] = []  # ("L", label, colon) or ("V", text, False)
    for cell in _CELL_SPLIT.split(body):
        cell = cell.strip()
        if not cell:
            continue
        position = 0
        for match in _LABEL_IN_CELL.finditer(cell):
            if match.start() < position:
                continue
            unknown = not is_label(match["label"])
            if unknown and not match["colon"] and not cell[match.end():].strip(_VALUE_TRIM):
                continue  # `…工作的 通 知` ends a value; a spaced-out label needs one after it
            text = cell[position: match.start()].strip(_VALUE_TRIM)
            if text:
                items.append(("V", text, False))
            items.append(("L", compact_label(match["label"]), bool(match["colon"])))
            position = match.end()
        text = cell[position:].strip(_VALUE_TRIM)
        if text:
            items.append(("V", text, False))
    pairs: list[list[str]] = []
    for kind, text, _colon in items:
        if kind == "L":
            pairs.append([LABEL_FIELD.get(text, ""), text, ""])
        elif pairs and not pairs[-1][2]:
            pairs[-1][2] = text
    return LabelLine(pairs=[tuple(p) for p in pairs], colon=items[0][2])


def _parse_bracketed(line: str) -> LabelLine | None:
    """`[成文日期] 2016-06-08`, `…•【制定机关】X•【公布日期】Y•【效力等级】Z`."""
    matches = list(_BRACKETED.finditer(line))
    known = [m for m in matches if is_label(m["label"])]
    prefix = line[: matches[0].start()].strip(_VALUE_TRIM) if matches else ""
    if not known or (len(known) < 2 and (prefix or known[0] is not matches[0])):
        return None
    pairs = []
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
        value = re.split(r"[•·]", line[match.end(): end])[0].strip(_VALUE_TRIM)
        label = compact_label(match["label"])
        pairs.append((LABEL_FIELD.get(label, ""), label, value))
    return LabelLine(pairs=pairs, colon=True, prefix=prefix)


# ---------------------------------------------------------------- a page


@dataclass
class PageMetadata:
    """The labelled fields of a page.

    `pairs` are those of metadata blocks (a table, a list: two known labels or
    more close together); their lines (`block_lines`) are not document text.
    `lone` are single `label：value` lines elsewhere, weaker evidence.
    """

    pairs: list[Pair] = field(default_factory=list)
    lone: list[Pair] = field(default_factory=list)
    block_lines: set[int] = field(default_factory=set)
    prefixes: list[tuple[int, str]] = field(default_factory=list)
    title: str = ""

    def fields(self) -> dict[str, object]:
        return _best(self.pairs)

    def lone_fields(self) -> dict[str, object]:
        return _best(self.lone)

    def get(self, name: str):
        """A field's cleaned value: from a block, else from a lone line; None when absent."""
        return self.fields().get(name) or self.lone_fields().get(name)

    def labels(self) -> dict[str, str]:
        """Label → value as on the page (known labels of the blocks, first of each)."""
        found: dict[str, str] = {}
        for pair in self.pairs:
            if pair.field:
                found.setdefault(pair.label, pair.value[:200])
        return found


def _best(pairs: Sequence[Pair]) -> dict[str, object]:
    chosen: dict[str, tuple[int, object]] = {}
    for pair in pairs:
        if not pair.field:
            continue
        value = clean_value(pair.field, pair.value)
        if value is None:
            continue
        rank = _LABEL_RANK.get(pair.label, 99)
        if pair.field not in chosen or rank < chosen[pair.field][0]:
            chosen[pair.field] = (rank, value)
    return {name: value for name, (_, value) in chosen.items()}


@dataclass
class _Run:
    entries: list[tuple[int, LabelLine]] = field(default_factory=list)
    values: dict[tuple[int, str], int] = field(default_factory=dict)  # (label line, field) → value line

    @property
    def known(self) -> int:
        return sum(entry.known for _, entry in self.entries)


def read_lines(lines: Sequence[str], skip: Sequence[bool] | None = None) -> PageMetadata:
    """The labelled fields in a page's lines; `skip[i]` hides line i (page furniture)."""
    result = PageMetadata()
    run: _Run | None = None
    pending: tuple[int, str] | None = None  # the label-only line waiting for its value, and its field
    for i, line in enumerate(lines):
        if not line or (skip is not None and skip[i]):
            continue
        parsed = parse_label_line(line)
        if parsed:
            run = run or _Run()
            run.entries.append((i, parsed))
            pending = (i, parsed.pairs[0][0]) if parsed.label_only else None
            continue
        if run and pending and _may_be_value(line):
            run.values[pending] = i
            pending = None
            continue
        if run:
            _close(run, lines, result)
        run, pending = None, None
    if run:
        _close(run, lines, result)
    return result


def _may_be_value(line: str) -> bool:
    """A line that may hold the value of the label-only line above it."""
    return len(line) <= 150 and "。" not in line and not re.search(r"[:：]$", line) and not is_breadcrumb(line)


def _self_evident(name: str, value: str) -> bool:
    """A value on the line after the last label of a block is taken only when
    its form says which field it is (the line might be the document's first)."""
    if name in DATE_FIELDS:
        return dates.parse_date(value) is not None or bool(re.fullmatch(r"[\d\-/.年月日: ]+", value.strip()))
    if name == "index_number":
        return clean_value(name, value) is not None
    if name == "document_number":
        return docnumber.parse(value.strip()).parsed
    if name == "validity":
        return bool(_VALIDITY_WORD.match(value.strip()))
    if name == "organisation":
        return is_org_name(value)
    if name == "title":
        return document_name(value) is not None
    return False


def _close(run: _Run, lines: Sequence[str], result: PageMetadata) -> None:
    last_entry = run.entries[-1][0]
    for (i, name), value_line in list(run.values.items()):
        if value_line > last_entry and not _self_evident(name, lines[value_line]):
            del run.values[(i, name)]  # a value after the block's last label must say what it is
    in_block = run.known >= 2
    for i, parsed in run.entries:
        if parsed.prefix:
            result.prefixes.append((i, parsed.prefix))
        if not in_block and not parsed.colon:
            continue
        for k, (name, label, value) in enumerate(parsed.pairs):
            value_line = run.values.get((i, name)) if k == 0 else None
            if value_line is not None:
                value = lines[value_line].strip()
            pair = Pair(name, label, value, i, value_line)
            (result.pairs if in_block else result.lone).append(pair)
        if in_block and len(lines[i]) <= 300:
            result.block_lines.add(i)
    if in_block:
        result.block_lines.update(run.values.values())


def read_metadata(text: str | Sequence[str], *, hints=None) -> PageMetadata:
    """The labelled fields and the title of a page given as text (or its lines).

    `hints` is anything with `title_tag`, `meta_title` and `headings` (the
    importer's `HtmlHints` of a page read from HTML)."""
    lines = split_lines(text) if isinstance(text, str) else list(text)
    result = read_lines(lines)
    rest = [line for i, line in enumerate(lines) if line and i not in result.block_lines]
    labelled = result.get("title") or ""
    result.title = find_title(
        rest, labelled=str(labelled), prefixes=[p for _, p in result.prefixes],
        meta_title=getattr(hints, "meta_title", ""), headings=getattr(hints, "headings", ()),
        title_tag=getattr(hints, "title_tag", ""),
    ).text
    return result


def split_lines(text: str) -> list[str]:
    """The page's lines: layout spaces collapsed, list bullets removed, table
    cells (tab-separated) kept apart, empty cells dropped."""
    lines = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cells = [c.strip() for c in SPACES.sub(" ", raw).split("\t")]
        line = "\t".join(c for c in cells if c).strip()
        if re.search(rf"[{CJK}A-Za-z0-9]", line):  # not a line of punctuation only (a divider, a bullet)
            line = _BULLET.sub("", line)
        lines.append(line.strip())
    return lines


# ---------------------------------------------------------------- titles, numbers, organisations


_WIDE = rf"{CJK}《》〈〉（）“”、，：；〔〕"
_SPACE_AFTER_WIDE = re.compile(rf"(?<=[{_WIDE}]) +")
_SPACE_BEFORE_WIDE = re.compile(rf" +(?=[{_WIDE}])")
_ELLIPSIS_END = re.compile(r"(\.{3,}|…+)$")


def normalise_title(title: str) -> str:
    """One line, no layout spaces between Chinese characters or around 《》."""
    title = re.sub(r"\s+", " ", SPACES.sub(" ", title or "")).strip()
    title = _ELLIPSIS_END.sub("", title).strip()
    return _SPACE_BEFORE_WIDE.sub("", _SPACE_AFTER_WIDE.sub("", title))


OPEN, CLOSE = "〔[【(（［", "〕]】)）］"
_NUMBER_AT_START = re.compile(
    rf"^[{CJK}][{CJK}A-Za-z0-9]{{0,15}}?\s*[{re.escape(OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(CLOSE)}]\s*第?\s*\d{{1,6}}\s*号"
)


def number_at_start(line: str) -> str | None:
    """The 发文字号 a line starts with (`黔江府办发〔2018〕67号…`), in standard form."""
    match = _NUMBER_AT_START.match((line or "").translate(FULL_WIDTH_DIGITS))
    if not match:
        return None
    number = docnumber.parse(match.group(0))
    return number.text if number.parsed else None


# `会` only as the end of a body's name (委员会, 联合会), not of a meeting (推进会, 座谈会).
ORG_SUFFIX = re.compile(
    r"(人民政府|政府|办公厅|办公室|委员会|管委会|办事处|局|厅|委|部|署|院|中心|办|所|站|处|科|队"
    r"|联合会|协会|学会|商会|工会|理事会|促进会|研究会)$"
)


def is_org_name(text: str) -> bool:
    """`北京市人民政府办公厅`, `市交通运输局`: a name that ends like an organisation's."""
    text = (text or "").strip()
    return bool(re.fullmatch(rf"[{CJK}（）()、·]{{3,40}}", text)) and bool(ORG_SUFFIX.search(text))


# How the name of a document ends: its kind (文种) or the name of a plan, list or report.
DOCUMENT_NAME_END = re.compile(
    r"(通知|通报|意见|决定|办法|规定|细则|方案|规划|计划|要点|公告|通告|报告|批复|函|纪要|决议|命令|公报|请示|议案"
    r"|条例|指引|指南|解读|答复|说明|总结|目录|清单|标准|制度|措施|规则|令|分解表|一览表)$"
)
_NAME_SIGNAL = re.compile(r"关于|印发|转发|批转|《|(?:19|20)\d{2}\s*年")
_TRAILING_NUMBER = re.compile(r"[（(]\s*(?P<number>[^（()）]{2,30}?号)\s*[)）]$")
_SENTENCE = re.compile(r"[。；;！？!?，,]")


def balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("《》", "〈〉", "（）", "()", "“”"))


def _colon_outside_quotes(text: str) -> bool:
    return bool(re.search(r"[:：]", re.sub(r"《[^》]*》", "", text)))


def split_title(line: str) -> tuple[str, str]:
    """A title line without the 发文字号 written before or after it:
    `肥政办字〔2020〕12号 肥城市…的通知` and `…的通知(岳办发〔2017〕2号)` → (title, number)."""
    title = normalise_title(line)
    number = ""
    leading = number_at_start(title)
    if leading:
        match = _NUMBER_AT_START.match(title.translate(FULL_WIDTH_DIGITS))
        title, number = title[match.end():].lstrip(" :："), leading
    trailing = _TRAILING_NUMBER.search(title)
    if trailing:
        parsed = docnumber.parse(trailing["number"])
        if parsed.parsed:
            title, number = title[: trailing.start()].rstrip(), number or parsed.text
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1]
    return title, number


def document_name(line: str, *, trim: bool = False) -> str | None:
    """The line as the name of a document (关于…的通知, 《…》, 2018年…工作要点), or None.
    `trim` cuts text glued after the name (`…的通知文章属性`)."""
    if not trim and (len(line) > 200 or "。" in line):
        return None
    title, _ = split_title(line)
    if trim:
        ends = [m.end() for m in re.finditer(DOCUMENT_NAME_END.pattern[:-1], title)]
        title = next((title[:end] for end in reversed(ends) if balanced(title[:end])), title)
    if not (6 <= len(title) <= 150) or not DOCUMENT_NAME_END.search(title) or not _NAME_SIGNAL.search(title):
        return None
    if _SENTENCE.search(title) or _colon_outside_quotes(title) or not balanced(title) or re.search(r"[|\t]", title):
        return None
    if re.match(r"(附件|根据|按照|为|现将|请|经)", title) or non_title_kind(title):
        return None
    return title


_POSITION = re.compile(r"^(您?(当前|现在)(所在|的)?位置|您的位置|所在位置|当前栏目)")
_PATH_SPLIT = re.compile(r"\s*(?:>|»|›|＞|→|/|\\)\s*")
_PATH_MARK = re.compile(r"[>»›＞→/\\]")
_SECTION = re.compile(
    r"^([一二三四五六七八九十百]+\s*[、．.]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d+\s*[、．.](?!\d)"
    r"|第\s*[一二三四五六七八九十百零〇\d]+\s*[章节条部分编篇])"
)
_FILE_NAME = re.compile(r"\.(docx?|pdf|wps|xlsx?|et|pptx?|dps|txt|ofd|rtf|zip|rar)$", re.IGNORECASE)
_FILE_FORMAT_LINE = re.compile(r"^[-•·\s]*(文档)?格式\s*[:：]\s*(docx?|pdf|wps|xlsx?|pptx?|txt)\b", re.IGNORECASE)
_SITE_NAME = re.compile(
    r"(门户网站|门户网|人民政府网|政府网|政府网站|政务网|政府信息公开|信息公开网|信息公开平台|信息公开专栏|政务服务网)$"
    rf"|^([{CJK}]{{0,8}}[省市县区州镇乡])?(政务公开|信息公开|网上办事)$"
)


def is_breadcrumb(line: str, *, strict: bool = False) -> bool:
    """`当前位置：首页 > 政务公开`, `政务公开>政策文件`, `综合政务\\政务公开`.
    `strict` (for dropping lines from the text) takes `/` and `\\` paths
    only when they start at 首页."""
    line = (line or "").strip()
    if _POSITION.match(line):
        return True
    if not _PATH_MARK.search(line):
        return False
    parts = _PATH_SPLIT.split(line)
    if len(parts) < 2 or not all(re.search(rf"[{CJK}]", p) and len(p) <= 20 for p in parts):
        return False
    if _SENTENCE.search(line) or "《" in line:
        return False
    arrows = bool(re.search(r"[>»›＞→]", line))
    if strict:
        return arrows or parts[0] == "首页"
    slashes_only = "\\" not in line
    return arrows or parts[0] == "首页" or not slashes_only or len(parts) >= 3 or all(len(p) <= 8 for p in parts)


def non_title_kind(line: str) -> str | None:
    """Why a heading-like line is never a document's title, or None."""
    line = (line or "").strip()
    if not line:
        return "empty"
    if re.search(r"[|\t]", line):
        return "table"
    if is_breadcrumb(line):
        return "breadcrumb"
    if _FILE_NAME.search(line):
        return "file name"
    if _SECTION.match(line):
        return "section heading"
    if dates.parse_date(line):
        return "date"
    if len(line) <= 40 and _SITE_NAME.search(line):
        return "site name"
    if is_signature(line):
        return "signature"
    return None


def is_signature(line: str) -> bool:
    """An organisation's name alone, or several, possibly with a date: the
    document's signature (北京市人民政府办公厅 / 2018年5月11日)."""
    if len(line) > 100 or not ORG_SUFFIX.search(re.sub(r"[\s\d年月日〇○零一二三四五六七八九十]+$", "", line)):
        return False
    rest = line
    for found in reversed(dates.find_dates(line)):
        rest = rest[: found.start] + " " + rest[found.end:]
    names = [p for p in re.split(r"\s+", rest.strip()) if p]
    return bool(names) and all(is_org_name(n) for n in names)


def heading_like(line: str) -> bool:
    """A short line of Chinese text that could head a page."""
    return (
        4 <= len(line) <= 150 and len(re.findall(rf"[{CJK}]", line)) >= 4
        and not re.search(r"[。；;，,：:]$", line) and "。" not in line
        and dates.parse_date(line) is None and not number_at_start(line)
        and not parse_label_line(line) and not non_title_kind(line)
    )


@dataclass
class Title:
    text: str = ""
    how: str = ""  # labelled, meta, document name, html, heading
    document_number: str = ""  # written beside the title: …的通知(岳办发〔2017〕2号)


_TITLE_TAG_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+-\s+|\s*—+\s*")


def find_title(
    lines: Sequence[str], *, labelled: str = "", prefixes: Sequence[str] = (), meta_title: str = "",
    headings: Sequence[str] = (), title_tag: str = "", head: Sequence[str] | None = None, scan: int = 30,
) -> Title:
    """The page's title (see the module's docstring for the order).

    `lines` are the page's text lines without its furniture and metadata
    block, in order; `head` the lines the page starts with (for the last
    rule, default the first five); `prefixes` text written before the labels
    of a metadata line."""
    if labelled and not non_title_kind(labelled):
        text, number = split_title(labelled)
        return Title(text, "labelled", number)
    if meta_title and heading_like(meta_title):
        return Title(split_title(meta_title)[0], "meta")
    files = _file_names(lines[:scan])
    for line in [*prefixes, *lines[:scan]]:
        name = document_name(line, trim=line in prefixes)
        if name and normalise_title(line) not in files:
            return Title(name, "document name", split_title(line)[1])
    for candidate in [*headings, *(_TITLE_TAG_SPLIT.split(title_tag) if title_tag else [])]:
        candidate = normalise_title(candidate)
        if heading_like(candidate):
            return Title(*split_title(candidate)[:1], "html")
    for line in (head if head is not None else lines[:5]):
        if heading_like(line) and normalise_title(line) not in files:
            text, number = split_title(line)
            return Title(text, "heading", number)
    return Title()


def _file_names(lines: Sequence[str]) -> set[str]:
    """Names a document-sharing site shows for its file: `X.docx` (and X alone),
    a line followed by `格式：doc`."""
    names = set()
    for i, line in enumerate(lines):
        if _FILE_NAME.search(line.rstrip()):
            flat = normalise_title(line)
            names |= {flat, _FILE_NAME.sub("", flat)}
        elif i + 1 < len(lines) and _FILE_FORMAT_LINE.match(lines[i + 1]):
            names.add(normalise_title(line))
    return names


_TITLE_ORG = re.compile(rf"^(?P<org>[{CJK}（）()、]{{3,40}}?)\s*(关于|转发|印发|批转|发布|公布|颁布|(?:19|20)\d{{2}}\s*年|工作)")


def organisation_in_title(title: str) -> str | None:
    """`北京市人民政府办公厅关于…` / `龙田镇人民政府2021年…报告` / `镇巴县人民政府工作规则` → the organisation."""
    match = _TITLE_ORG.match(title or "")
    return match["org"] if match and is_org_name(match["org"]) else None
