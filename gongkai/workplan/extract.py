"""Extract the tasks of a yearly openness work plan (工作要点, 实施方案, 任务分工).

Pure text processing, no database: `extract_plan(text)` finds the numbered
tasks (一、 / （一） / 1. / （1）) as a tree, and for each task its heading, text,
lead and responsible units and due date as the plan wrote them. Units are read
wherever a plan puts them: a bracket anywhere in the task's paragraphs
（…负责落实） 【牵头单位：…】 [责任单位：…], a line of its own (市发改委牵头落实,
责任单位：…), or the unit column of a task table (HTML cells, `a | b |` rows or
one cell a line). Framing sections (指导思想, 工作目标, 总体要求, 保障措施 …) are
kept apart as the plan's context, not counted as tasks.

`match_units(names, organisations, issuer=...)` matches unit names to
organisations given as (id, name, short_name[, parent_id]) tuples, within the
plan's own region first; `classify_units` says in addition what kind of name
each is (an organisation, an internal office of the issuer, a group, …).

ASCII parentheses, colons, semicolons and commas (as in many saved pages) are
read as their full-width forms, and the output uses the full-width forms.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# ---------------------------------------------------------------- data


@dataclass
class Task:
    number: str  # the marker as written, e.g. "二、", "（四）", "1."
    path: list[str]  # labels from the top, e.g. ["二", "（四）"]
    title: str = ""
    text: str = ""
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    due: str = ""  # as written, e.g. "2023年10月", "长期"
    due_date: str | None = None  # "YYYY-MM-DD", "YYYY-MM" or None
    children: list[Task] = field(default_factory=list)
    # A framing section (指导思想, 保障措施 …): context for the tasks, not a task.
    # Kept in the tree only when tasks hang below it (e.g. 保障措施 → 加强组织领导).
    context: bool = False

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "path": list(self.path),
            "title": self.title,
            "text": self.text,
            "lead_units": list(self.lead_units),
            "responsible_units": list(self.responsible_units),
            "due": self.due,
            "due_date": self.due_date,
            "context": self.context,
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class Plan:
    title: str = ""
    organisation: str = ""
    year: int | None = None
    tasks: list[Task] = field(default_factory=list)  # top-level tasks; the rest are their children
    # Framing sections with nothing but context below them (一、总体要求 with its
    # （一）指导思想 …), taken out of the task tree in the plan's order.
    context: list[Task] = field(default_factory=list)

    def all_tasks(self) -> list[Task]:
        """Every task, depth first in the plan's order (framing sections taken out are not tasks)."""
        out: list[Task] = []

        def walk(tasks):
            for task in tasks:
                out.append(task)
                walk(task.children)

        walk(self.tasks)
        return out

    def unit_names(self) -> list[str]:
        """Every unit named by a task, once, in order of appearance."""
        seen: dict[str, None] = {}
        for task in self.all_tasks():
            for name in task.lead_units + task.responsible_units:
                seen.setdefault(name, None)
        return list(seen)

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "organisation": self.organisation,
            "year": self.year,
            "task_count": len(self.all_tasks()),
            "tasks": [task.as_dict() for task in self.tasks],
            "context": [section.as_dict() for section in self.context],
        }


# ---------------------------------------------------------------- text normalisation

_WIDTH = str.maketrans({"(": "（", ")": "）", ";": "；"})
_ASCII_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_ASCII_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def normalise(text: str) -> str:
    """ASCII （）；：， read as full-width (colons and commas between digits kept)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_WIDTH)
    text = _ASCII_COLON.sub("：", text)
    text = _ASCII_COMMA.sub("，", text)
    return text


# ---------------------------------------------------------------- numbering

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "一二三四五六七八九十"


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23 (up to 99)."""
    if not text or any(ch not in _CN_NUM for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    value = (_CN_DIGITS[tens] if tens else 1) * 10
    return value + (_CN_DIGITS[ones] if ones else 0)


# Kinds of markers, from the top level down.
CN, PCN, AR, PAR = "cn", "pcn", "ar", "par"
_RANK = {CN: 0, PCN: 1, AR: 2, PAR: 3}

_MARKER = re.compile(
    rf"(?P<cn>(?:^|(?<=[。；）]))[ \t\u3000]*(?P<cnv>[{_CN_NUM}]{{1,3}})、)"
    rf"|(?P<pcn>（(?P<pcnv>[{_CN_NUM}]{{1,3}})）)"
    r"|(?P<ar>(?:^|(?<=[。；：）]))[ \t\u3000]*(?P<arv>\d{1,3})[.．、](?!\d))"
    r"|(?P<par>（(?P<parv>\d{1,2})）)",
    re.MULTILINE,
)


@dataclass
class _Marker:
    kind: str
    value: int
    start: int
    end: int
    written: str  # the marker as written, spaces stripped

    @property
    def label(self) -> str:
        """The marker without its separator: "二", "（四）", "1", "（1）"."""
        if self.kind in (CN, AR):
            return self.written[:-1]
        return self.written


def _candidates(text: str) -> list[_Marker]:
    found = []
    for m in _MARKER.finditer(text):
        kind = m.lastgroup if m.lastgroup in _RANK else next(k for k in _RANK if m.group(k))
        raw = m.group(kind)
        value = int(m.group(kind + "v")) if kind in (AR, PAR) else cn_number(m.group(kind + "v"))
        if value is None:
            continue
        found.append(_Marker(kind, value, m.end() - len(raw.lstrip(" \t\u3000")), m.end(), raw.strip(" \t\u3000")))
    return found


def find_markers(text: str) -> list[_Marker]:
    """The task markers of a plan, checked against the sequence of numbering.

    The plan starts at the first "1" of its top kind (the highest kind that
    counts from one). A later marker counts when it continues a kind's
    sequence (also across parents, as plans that number （一）…（十四） through
    all sections) or starts a deeper level at one.
    """
    candidates = _candidates(text)
    firsts = [c for c in candidates if c.value == 1]
    if not firsts:
        return []
    top = min(_RANK[c.kind] for c in firsts)
    start = next(i for i, c in enumerate(candidates) if c.value == 1 and _RANK[c.kind] == top)
    accepted: list[_Marker] = []
    stack: list[_Marker] = []
    last: dict[str, int] = {}
    for cand in candidates[start:]:
        rank = _RANK[cand.kind]
        if rank < top:
            continue
        continues = last.get(cand.kind) == cand.value - 1
        opens = cand.value == 1 and (not stack or rank > _RANK[stack[-1].kind])
        if not (continues or opens):
            continue
        while stack and _RANK[stack[-1].kind] >= rank:
            stack.pop()
        stack.append(cand)
        last[cand.kind] = cand.value
        accepted.append(cand)
    return accepted


# ---------------------------------------------------------------- brackets

_OPEN, _CLOSE = "（〔【[《", "）〕】]》"
# Brackets that may hold a unit clause (not 《》, which hold titles).
_CLAUSE_OPEN = "（〔【["


def _bracket_groups(text: str) -> list[tuple[int, int, str]]:
    """The outermost bracket groups of `text` as (start, end, inner), inner
    brackets of any kind nested; 《》 are not groups."""
    groups, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0 and text[start] in _CLAUSE_OPEN:
                groups.append((start, i + 1, text[start + 1:i]))
    return groups


def _split_top(text: str, separators: str) -> list[str]:
    """`text` split on `separators` outside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


# ---------------------------------------------------------------- unit names

_UNIT_SEPARATORS = "、，；"
# The last character of a unit's name: 局 委 办 厅 …, 中心, 政府, 单位, 部门, 街道, 支行, 专班 …
_UNIT_ENDINGS = set("局委办厅部院会室科股处心府位门道镇乡街村行所站队组区县市州旗盟馆社团司班构校台署体关园场厂议")
# Words no unit name holds: the name is then a piece of a sentence.
_NOT_IN_UNIT = re.compile(r"的|要|进行|负责|落实|通过|按照|根据")
# A name does not start with a verb of the task (加强部门协同配合 is no unit).
_VERB_START = re.compile(
    r"^(?:加强|强化|推进|推动|做好|健全|完善|建立|压实|深化|提升|提高|严格|及时|认真|积极|切实|进一步|全面|持续|不断"
    r"|坚持|加快|抓好|开展|确保|统筹|优化|规范|注重|聚焦|围绕|主动|依法|扎实|大力|着力|对|在|将|把|从)"
)


def split_units(text: str) -> list[str]:
    """A list of units as the plan wrote it, split on 、 ， ； (and 及, 以及
    between two names) outside brackets.

    Groups such as 各区县（自治县）政府 or 有关单位 stay whole; a leading 由 and a
    trailing 等 are dropped.
    """
    units = []
    for part in _split_top(normalise(text).strip().rstrip("。"), _UNIT_SEPARATORS):
        for piece in _split_conjunction(part.strip(" \t\u3000\n")):
            piece = piece.strip(" \t\u3000\n")
            if piece.startswith("由") and len(piece) > 2:
                piece = piece[1:]
            if len(piece) > 1 and piece.endswith("等"):
                piece = piece[:-1]
            if piece:
                units.append(piece)
    return units


def _split_conjunction(part: str) -> list[str]:
    """市级各有关部门及各县市区政府 → two names; 及 inside a bracket or a name, or 及其, stays."""
    depth = 0
    for i, ch in enumerate(part):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "及" and depth == 0 and not part.startswith("其", i + 1):
            left, right = part[:i].removesuffix("以"), part[i + 1:]
            if looks_like_unit(left) and looks_like_unit(_split_conjunction(right)[0]):
                return [left, *_split_conjunction(right)]
    return [part]


def _without_brackets(name: str) -> str:
    return re.sub(r"[（〔【\[][^（）〔〕【】\[\]]*[）〕】\]]", "", name)


def looks_like_unit(name: str) -> bool:
    """A name the way plans name a unit: short, ending as organisations end
    (局, 委, 办, 中心, 政府, 单位, 部门 …), no piece of a sentence."""
    name = (name or "").strip()
    core = _without_brackets(name)
    if not 2 <= len(core) <= 40 or re.search(r"[。：；！？“”\"]", core):
        return False
    if _NOT_IN_UNIT.search(core) or _VERB_START.match(core):
        return False
    return core[-1] in _UNIT_ENDINGS


def is_group(name: str) -> bool:
    """A unit name that stands for several units (各区县政府, 有关单位, 市政府各部门)."""
    return name.startswith("各") or "有关" in name or "各" in name


# A level written at the start of a name, relative to the plan's region:
# 市发改委 is the plan's city's; 市场监管局, 区域…, 县域… are not levels.
_RELATIVE_LEVEL = re.compile(r"^(?:省|市(?!场)|自治州|州|区(?!域)|县(?!域)|旗|盟|镇|乡|街道)")
_ORG_WORDS = re.compile(r"政府|委员会|人大|政协|党委|党工委|法院|检察院|办事处|管委会|局|厅|委|署")
_OFFICE_OWNER = re.compile(r"^(?:本单位|本部门|本机关|本局|本委|本厅|本中心|局机关|委机关|厅机关|机关|局属|局|委|厅)")
_OFFICE_END = re.compile(r"(?:科|股|室|处)$")


def is_internal_office(name: str) -> bool:
    """An office inside the issuing department (科室): 办公室, 政策法规科, 财务科,
    局办公室, 各科室, 机关各股室. 市政府办公室 or 区委办公室 name organisations."""
    name = _without_brackets(re.sub(r"\s+", "", name or ""))
    core = _OFFICE_OWNER.sub("", name)
    core = re.sub(r"^(?:各|相关|有关|其他)", "", core)
    if not 2 <= len(core) <= 12 or not _OFFICE_END.search(core) or core.endswith("办事处"):
        return False
    return not _ORG_WORDS.search(core) and not _RELATIVE_LEVEL.match(core)


# Names that are a kind of unit, not a unit: they name one in every region.
_GENERIC = re.compile(
    r"^(?:各|本|相关|有关)?(?:乡镇|镇街|乡|镇|街道|村|社区|区县|县区|县市区|市县)?"
    r"(?:（[^（）]*）)?(?:人民政府|政府|街道办事处|办事处|街道|管委会|居委会|村委会|党委|党工委|单位|部门|机关)?$"
)


def is_generic(name: str) -> bool:
    """A name that says what kind of unit, not which one: 街道办事处, 各乡镇,
    各街道, 办公室, 各科室, 有关单位, 各区县政府, 镇政府."""
    key = re.sub(r"\s+", "", normalise(name or ""))
    if not key:
        return True
    return is_group(key) or is_internal_office(key) or bool(_GENERIC.match(key))


# ---------------------------------------------------------------- dues

_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(?:(\d{4})\s*[年\-./]\s*)?(\d{1,2})\s*月")
_QUARTER = re.compile(r"(?:(\d{4})\s*年\s*)?(?<!每)(?:第\s*)?([一二三四1-4])\s*季度")
_HALF = re.compile(r"(?:(\d{4})\s*年\s*)?([上下])半年")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:年\s*)?(?:底|末|内)|(?<![\d年每一二三四五六七八九十两])年\s*(?:底|末)")
_NUMERIC_MONTH = re.compile(r"(\d{4})\s*[.\-/]\s*(\d{1,2})(?![\d.\-/])")
_QUARTER_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_due(due: str, year: int | None = None) -> str | None:
    """The date or month of a due as written: "2023年10月" → "2023-10",
    "2018年12月底前" → "2018-12", "2023年6月30日" → "2023-06-30",
    "2018年底前" → "2018-12", "2023年第三季度" → "2023-09" (a quarter's last
    month), "2023年上半年" → "2023-06"; a due without a year ("6月底前",
    "年底前", "第三季度") takes `year`. Kinds such as 长期, 持续推进, 常态化 or
    适时 have none."""
    due = (due or "").strip()
    m = _DATE.search(due)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    for pattern, month in ((_MONTH, None), (_NUMERIC_MONTH, None), (_QUARTER, "quarter"), (_HALF, "half"),
                           (_YEAR_END, "end")):
        m = pattern.search(due)
        if not m:
            continue
        y = int(m.group(1)) if m.group(1) else year
        if month is None:
            mo = int(m.group(2))
        elif month == "quarter":
            mo = _QUARTER_NUMBER[m.group(2)] * 3
        elif month == "half":
            mo = 6 if m.group(2) == "上" else 12
        else:
            mo = 12
        if y and 1 <= mo <= 12:
            return f"{y:04d}-{mo:02d}"
        return None
    return None


_YEAR_WORD = r"(?:\d{4}\s*年|今年|本年|明年)"
# A due's date as plans write it: 2023年10月31日, 今年9月底, 6月底, 2018年底, 年底,
# 第三季度, 上半年, 2023.12.
_DUE_CORE = (
    rf"(?:{_YEAR_WORD}\s*)?(?<![\d.])\d{{1,2}}\s*月\s*(?:\d{{1,2}}\s*日|底|末|中旬|上旬|下旬|份)?"
    rf"|{_YEAR_WORD}\s*年?\s*(?:底|末)"
    r"|(?<![\d年每])年\s*(?:底|末)"
    rf"|(?:{_YEAR_WORD}\s*)?(?<!每)(?:第\s*)?[一二三四1-4]\s*季度\s*(?:末)?"
    rf"|(?:{_YEAR_WORD}\s*)?[上下]半年"
    r"|\d{4}\s*[.\-/]\s*\d{1,2}(?:\s*[.\-/]\s*\d{1,2})?"
)
_DUE_AIM = r"(?:力争|争取|确保|力求)"
# A due written in a task's own words ("于2012年底前向社会公布", "今年6月底前完成",
# "力争今年9月底", "第三季度完成"): used when the task has no 完成时限 of its own.
# "前", "完成" or an aim (力争 …) is required, so a reference to the past
# ("截至2017年底") is not a due.
_PROSE_DUE = re.compile(
    rf"{_DUE_AIM}\s*(?:在|于|到)?\s*(?:{_DUE_CORE})\s*(?:以前|之前|前)?"
    rf"|(?:{_DUE_CORE})\s*(?:以前|之前|前|完成)"
)
_PAST = re.compile(r"(?:截至|截止)到?\s*$")
_DUE_CELL = re.compile(rf"^(?:{_DUE_AIM})?\s*(?:在|于|到)?\s*(?:{_DUE_CORE})\s*(?:以前|之前|前|完成|内|止)?$")
# Dues without a date: kept as text.
_ONGOING = re.compile(
    r"^(?:长期|持续|常态化|全年|每月|每季度|每半年|每年|及时|适时|定期|随时|按时|按要求|按需|日常|经常性|动态)"
    r"(?:坚持|推进|开展|落实|更新|公开|执行|调整|性)?$"
)


def looks_like_due(text: str) -> bool:
    """A due and nothing else: 年底前, 2023年10月31日前, 第三季度, 持续推进, 长期 …"""
    parts = [p for p in re.split(r"[，、；\s]+", (text or "").strip().strip("。")) if p]
    return bool(parts) and len("".join(parts)) <= 30 and all(_DUE_CELL.match(p) or _ONGOING.match(p) for p in parts)


def find_prose_due(text: str) -> str:
    """The first due written in prose in `text`, as written, or ""."""
    text = text or ""
    for m in _PROSE_DUE.finditer(text):
        if not _PAST.search(text[max(0, m.start() - 4):m.start()]):  # 截至2023年底前 is the past
            return re.sub(r"\s+", "", m.group(0))
    return ""


def parse_prose_due(due: str, year: int | None) -> str | None:
    """parse_due, with 今年 / 本年 read as the plan's year and 明年 as the next."""
    if re.search(r"今年|本年|明年", due or ""):
        if not year:
            return None
        due = due.replace("明年", f"{year + 1}年")
        due = re.sub(r"(?:今年|本年)年?", f"{year}年", due)
    return parse_due(due, year)


# ---------------------------------------------------------------- unit clauses

_LEAD_LABELS = ("牵头单位", "主责单位", "牵头部门", "牵头科室", "牵头处室", "牵头股室")
_RESPONSIBLE_LABELS = ("责任单位", "配合单位", "责任部门", "配合部门", "参与单位", "责任科室", "责任处室", "责任股室",
                       "配合科室", "协办单位", "责任主体")
_DUE_LABELS = ("完成时限", "完成时间", "时间要求", "时限要求", "完成期限", "办结时限", "时间节点", "时限")
_ALL_LABELS = sorted(_LEAD_LABELS + _RESPONSIBLE_LABELS + _DUE_LABELS, key=len, reverse=True)
_LABEL_IN_CLAUSE = re.compile(rf"({'|'.join(_ALL_LABELS)})\s*：")
_LABELLED_LINE = re.compile(rf"^\s*(?:{'|'.join(_ALL_LABELS)})\s*：")

# One part of a clause: units, then how (分别, 按职责分工 …), then the verb.
_HOW = r"(?:分别|共同|各自|具体|协同|按照?职责分工|按照?职责|依职责|根据职责分工|根据职责|按照?分工|等)*"
_LEAD_VERBS = ("牵头负责落实", "牵头负责", "牵头落实", "牵头抓总", "牵头组织", "牵头", "统筹")
_HELPER_VERBS = ("配合落实", "配合", "参与", "协助", "协办")
_VERBS = _LEAD_VERBS + ("负责落实", "负责实施", "共同落实", "负责") + _HELPER_VERBS + ("落实",)
_PHRASE = re.compile(rf"^(?P<units>.+?){_HOW}(?P<verb>{'|'.join(_VERBS)})$")


@dataclass
class Units:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    due: str = ""

    def __bool__(self) -> bool:
        return bool(self.lead or self.responsible or self.due)

    def take(self, label: str, value: str) -> None:
        value = value.strip().strip("；，。 ")
        if label in _DUE_LABELS:
            self.due = value
            return
        self.merge(read_unit_value(value, lead=label in _LEAD_LABELS)[0])

    def merge(self, other: Units) -> None:
        self.lead += [n for n in other.lead if n not in self.lead]
        self.responsible += [n for n in other.responsible if n not in self.responsible and n not in self.lead]
        self.due = self.due or other.due


# A unit, then what it does: 区司法局牵头区级规范性文件集中公开工作.
_LEADING_UNIT = re.compile(rf"^(?P<units>.+?){_HOW}(?P<verb>牵头|负责|配合|具体落实)(?P<rest>.+)$")


def read_unit_value(value: str, *, lead: bool = False) -> tuple[Units, bool]:
    """The units of a labelled value or a table's unit cell, the label's role
    (`lead`) for those the value gives no role; and whether every name read
    looks like a unit's.

    责任单位：办公室牵头，各科室配合 → lead 办公室, responsible 各科室;
    区司法局牵头区级规范性文件集中公开工作，各部门具体落实 → lead 区司法局, responsible 各部门.
    """
    value = normalise(value).strip().strip("；，。 ")
    phrase = _parse_phrase(value)
    if phrase and (phrase.lead or phrase.responsible):
        return phrase, True
    units, clean = Units(), True
    for part in _split_top(value, "，；"):
        part = part.strip()
        if not part:
            continue
        names, leads = split_units(part), lead
        for pattern in (_PHRASE, _LEADING_UNIT):
            m = pattern.match(part)
            if m and split_units(m.group("units")) and all(looks_like_unit(n) for n in split_units(m.group("units"))):
                names, leads = split_units(m.group("units")), m.group("verb") in _LEAD_VERBS
                break
        else:
            clean = clean and all(looks_like_unit(n) for n in names)
        units.merge(Units(lead=names) if leads else Units(responsible=names))
    return units, clean and bool(units.lead or units.responsible)


def parse_unit_clause(clause: str) -> Units | None:
    """The units of a clause (a bracket's content or a line), None when it names none.

    （牵头单位：…；责任单位：…；完成时限：…）, （…等负责）, （…牵头落实）,
    （…分别负责落实）, （…按职责分工负责）, （…牵头，…配合）, （…负责，2023年底前完成）.
    """
    clause = normalise(clause).strip().strip("。；，").strip()
    if not clause or "。" in clause:  # a sentence in brackets, not a list of units
        return None
    if _LABEL_IN_CLAUSE.search(clause):
        pieces = _LABEL_IN_CLAUSE.split(clause)
        # pieces: [before, label, value, label, value, ...]
        if pieces[0].strip(" ，；、"):
            return None
        units = Units()
        for label, value in zip(pieces[1::2], pieces[2::2]):
            units.take(label, value)
        return units or None
    return _parse_phrase(clause)


def _parse_phrase(clause: str) -> Units | None:
    """市发改委牵头落实; 区政府办公室牵头，各镇街、有关部门配合; 市财政局、市审计局，市统计局负责."""
    parts = [p.strip() for p in _split_top(clause, "，；") if p.strip()]
    roles: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    due = ""
    for part in parts:
        m = _PHRASE.match(part)
        if not m:
            if roles and not pending and looks_like_due(part.removesuffix("完成")):
                due = part
                continue
            pending.append(part)
            continue
        names = [n for p in pending for n in split_units(p)] + split_units(m.group("units"))
        pending = []
        if not names or not all(looks_like_unit(n) for n in names):
            return None
        roles.append((m.group("verb"), names))
    if pending or not roles:
        return None
    has_lead = any(verb in _LEAD_VERBS for verb, _ in roles)
    has_helper = any(verb in _HELPER_VERBS for verb, _ in roles)
    units = Units(due=due)
    for verb, names in roles:
        # 市财政局负责，各部门配合: the one that is helped leads.
        leads = verb in _LEAD_VERBS or (not has_lead and has_helper and verb not in _HELPER_VERBS)
        units.merge(Units(lead=names) if leads else Units(responsible=names))
    return units


# ---------------------------------------------------------------- task tables

# A task table (序号 | 工作任务 | 具体要求 | 责任科室 | 时限要求) is rewritten as the
# lines the reader below already knows: each row a numbered task followed by
# 责任单位：… and 完成时限：… lines. Tables come as HTML cells (tab-separated
# after the page reader), as `a | b |` rows, or one cell a line; merged cells
# (rowspan) are missing from the rows below the first and are taken from it.

NUMBER, UNIT, DUE, TEXT, OTHER, EMPTY = "number", "unit", "due", "text", "other", "empty"
# Header cells, whole: 序号, 工作任务, 具体要求, 主要内容, 责任科室, 牵头单位, 时限要求 …
_HEADER_NUMBER = re.compile(r"序号|编号|序")
_HEADER_UNIT = re.compile(r"(?:(?:责任|牵头|配合|协办|承办|主责|参与|实施|落实|公开)(?:单位|科室|部门|处室|股室|主体|机构)|单位|部门|科室)"
                          r"(?:及责任人)?")
_HEADER_DUE = re.compile(r"(?:完成|时间|办结|公开|工作)?(?:时限|时间|期限|节点)(?:要求|安排)?")
_HEADER_TEXT = re.compile(r"(?:重点|工作|主要|具体|目标|公开)?(?:任务|内容|要求|措施|事项|目标|项目|指标|标准|举措|方式|渠道|范围)"
                          r"(?:内容|要求|名称|措施|事项|清单)?|类别|分类|领域|栏目")
_HEADER_OTHER = re.compile(r"备注|说明|责任人|责任领导|分管领导")
_NUMBER_CELL = re.compile(r"^\s*(\d{1,3})\s*[.．、]?\s*$")
_SEPARATOR_LINE = re.compile(r"^[\s|｜]+$")


def _column_kind(cell: str) -> str | None:
    """What a header cell heads, or None when it is no header cell."""
    cell = re.sub(r"\s+", "", cell)
    for pattern, kind in ((_HEADER_NUMBER, NUMBER), (_HEADER_UNIT, UNIT), (_HEADER_DUE, DUE), (_HEADER_TEXT, TEXT),
                          (_HEADER_OTHER, OTHER)):
        if pattern.fullmatch(cell):
            return kind
    return None


def _is_header(cells: list[str]) -> bool:
    kinds = [_column_kind(c) for c in cells if c.strip()]
    return len(kinds) >= 2 and None not in kinds and UNIT in kinds and TEXT in kinds


def looks_like_table_header(line: str) -> bool:
    """A task table's header row or one of its cells (工作任务 | 具体要求 | 责任科室 |, 责任单位)."""
    cells = _row_cells(line or "") or [line or ""]
    return _is_header(cells) if len(cells) > 1 else _column_kind(cells[0]) is not None


@functools.lru_cache(maxsize=4096)
def _cell_kind(cell: str) -> str:
    if not cell:
        return EMPTY
    if looks_like_due(cell):
        return DUE
    if len(cell) <= 200 and (parse_unit_clause(cell) or read_unit_value(cell)[1]):
        return UNIT
    return TEXT


_FIT = {
    (TEXT, TEXT): 2, (UNIT, UNIT): 3, (DUE, DUE): 3,
    (UNIT, TEXT): 0, (DUE, TEXT): -1, (TEXT, UNIT): -4, (TEXT, DUE): -4, (DUE, UNIT): -3, (UNIT, DUE): -3,
    (TEXT, OTHER): 0, (UNIT, OTHER): -1, (DUE, OTHER): -1,
}


def _align(kinds: list[str], columns: list[str]) -> tuple[int, ...] | None:
    """The columns the cells of a row stand in (cells keep their order; the
    columns left out are merged cells of a row above). The best fit of kinds
    wins; between equals, the cells stand as far right as they can."""
    if len(kinds) > len(columns):
        return None
    best = None
    for combo in itertools.combinations(range(len(columns)), len(kinds)):
        score = sum(_FIT.get((kind, columns[col]), 0) for kind, col in zip(kinds, combo))
        if best is None or (score, combo) > best:
            best = (score, combo)
    return best[1] if best else ()


def _row_cells(line: str) -> list[str] | None:
    """The cells of a table row written on one line, or None."""
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    elif "|" in line or "｜" in line:
        cells = [c.strip() for c in re.split(r"[|｜]", line)]
    else:
        return None
    while cells and not cells[-1]:
        cells.pop()
    while cells and not cells[0]:
        cells.pop(0)
    return cells or None


def _marker_at_start(text: str) -> str:
    m = re.match(rf"^\s*(?:[{_CN_NUM}]{{1,3}}、|（[{_CN_NUM}]{{1,3}}）|\d{{1,3}}[.．、](?!\d)|（\d{{1,2}}）)", text)
    return m.group(0).strip() if m else ""


def _unit_label(header: str) -> str:
    if "牵头" in header or "主责" in header:
        return "牵头单位"
    if re.search(r"配合|协办|参与", header):
        return "配合单位"
    return "责任单位"


def _table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    """The rows of a task table as the lines of a plan."""
    header = [h for h in header if h.strip()]
    kinds = [_column_kind(h) for h in header]
    places = [i for i, k in enumerate(kinds) if k != NUMBER]  # columns a cell other than 序号 stands in
    texts = [i for i in places if kinds[i] == TEXT]
    request = texts[-1] if texts else None  # the column of the task itself (具体要求); those before it group tasks
    marked = any(_marker_at_start(c) for row in rows for c in row)
    has_numbers = NUMBER in kinds or any(_NUMBER_CELL.match(c) for row in rows for c in row)
    above: dict[int, str] = {}  # the values of the row above, for merged cells
    emitted: set[str] = set()
    counter = 0
    out: list[str] = []
    for row in rows:
        cells = [c.strip() for c in row]
        number = ""
        rest = []
        for cell in cells:
            m = _NUMBER_CELL.match(cell)
            if m and not number:  # a bare number is the row's 序号, wherever the page put it
                number = m.group(1)
            else:
                rest.append(cell)
        if len(rest) == 1 and not number and _cell_kind(rest[0]) == TEXT:  # a row across the table: a section
            if _marker_at_start(rest[0]):
                out.append(rest[0])
                emitted.add(rest[0])
                above = {}
            else:
                above = {i: rest[0] for i in texts[:-1]} if len(texts) > 1 else {}
            continue
        while len(rest) > len(places):  # more cells than columns: the first ones are one text
            rest[0:2] = [rest[0] + rest[1]]
        combo = _align([_cell_kind(c) for c in rest], [kinds[i] for i in places])
        values = {places[col]: cell for cell, col in zip(rest, combo or ())}
        for i in places:
            if i not in values and i != request and i in above:
                values[i] = above[i]
        above = {i: v for i, v in values.items() if v}
        title = ""
        for i in texts[:-1]:
            group = values.get(i, "")
            if not group:
                continue
            if _marker_at_start(group):
                if group not in emitted:
                    out.append(group)
                    emitted.add(group)
            else:
                title = group.rstrip("。；， ")
        task = values.get(request, "") if request is not None else ""
        if not task and not title:
            continue
        own = _marker_at_start(task)
        body = task.strip()
        if own and body.startswith(own):
            body = body[len(own):].lstrip()
        if number:
            marker = f"{number}."
        elif own:
            marker = own
        elif not marked and not has_numbers:
            counter += 1
            marker = f"{counter}."
        else:
            marker = ""  # a row of the task above (its parent is numbered, the row is not)
        head = f"{title}。" if title else ""
        out.append(f"{marker}{head}{body}")
        for i in places:
            value = values.get(i, "")
            if not value or i == request or i in texts:
                continue
            if kinds[i] == UNIT:
                out.append(f"{_unit_label(header[i])}：{value}")
            elif kinds[i] == DUE:
                out.append(f"完成时限：{value}")
    return out


def _stream_rows(cells: list[str], columns: int, last_kind: str) -> tuple[list[list[str]], int]:
    """Rows of a table written one cell a line: a row ends at its last
    column's cell (a due, or a unit). Returns the rows and the cells used."""
    rows, current, used = [], [], 0
    for index, cell in enumerate(cells):
        current.append(cell)
        if len(current) > columns + 1:
            break
        if len(current) >= 2 and _cell_kind(cell) == last_kind:
            if not any(_cell_kind(c) == TEXT or _NUMBER_CELL.match(c) for c in current[:-1]):
                break
            rows.append(current)
            current = []
            used = index + 1
    else:
        # The page's end cut the last row short (its due is missing): a row still when it names its units.
        kinds = [_cell_kind(c) for c in current]
        if TEXT in kinds and UNIT in kinds[kinds.index(TEXT):]:
            rows.append(current)
            used = len(cells)
    return rows, used


def untable(text: str) -> str:
    """`text` with its task tables written as plan lines (text without a task table is returned as it is)."""
    lines = [line for line in text.split("\n") if not (line.strip() and _SEPARATOR_LINE.match(line))]
    out: list[str] = []
    i = 0
    while i < len(lines):
        cells = _row_cells(lines[i])
        if cells and _is_header(cells):
            rows, j = [], i + 1
            while j < len(lines):
                if not lines[j].strip():
                    j += 1
                    continue
                row = _row_cells(lines[j])
                if row is None:
                    following = next((k for k in range(j + 1, len(lines)) if lines[k].strip()), None)
                    if following is None or _row_cells(lines[following]) is None or len(lines[j]) > 60:
                        break
                    row = [lines[j].strip()]  # a row across the whole table (a section heading)
                rows.append(row)
                j += 1
            out += _table_lines(cells, rows)
            i = j
            continue
        # One cell a line: a header of several short lines, then the cells.
        j, header = i, []
        while j < len(lines) and lines[j].strip() and _row_cells(lines[j]) is None and _column_kind(lines[j]):
            header.append(lines[j].strip())
            j += 1
        kinds = [_column_kind(h) for h in header]
        if len(header) >= 2 and _is_header(header) and kinds[-1] in (UNIT, DUE):
            k = j
            stream, where = [], []
            while k < len(lines):
                if lines[k].strip():
                    stream.append(lines[k].strip())
                    where.append(k)
                k += 1
            rows, used = _stream_rows(stream, len(header), kinds[-1])
            if rows:
                out += _table_lines(header, rows)
                i = where[used - 1] + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


# ---------------------------------------------------------------- a task's own words

_SENTENCE_END = re.compile(r"[。；：！？]")


def _unit_line(line: str) -> Units | None:
    """The units of a line that holds nothing else: 责任单位：…, （牵头单位：…）,
    【责任单位：…】, 市发改委牵头落实."""
    stripped = line.strip().rstrip("。；")
    if not stripped:
        return None
    if _LABELLED_LINE.match(stripped):
        return parse_unit_clause(stripped)
    groups = _bracket_groups(stripped)
    if len(groups) == 1 and groups[0][0] == 0 and groups[0][1] == len(stripped):
        return parse_unit_clause(groups[0][2])
    if len(stripped) <= 150 and not _SENTENCE_END.search(stripped):
        return _parse_phrase(stripped)
    return None


def _clauses(line: str) -> list[Units]:
    """The units of the unit clauses in brackets anywhere in a line."""
    return [units for _start, _end, inner in _bracket_groups(line) if (units := parse_unit_clause(inner))]


def _is_heading_line(line: str) -> bool:
    """A heading on a line of its own: short, no sentence punctuation."""
    return len(line) <= 60 and not _SENTENCE_END.search(line)


def _split_heading(body: str) -> tuple[str, str]:
    """Heading and text of a task's own words: a heading line of its own, else the first sentence."""
    body = body.strip()
    first, _, rest = body.partition("\n")
    if rest.strip() and _is_heading_line(first.strip()):
        return first.strip().rstrip("，、 "), rest.strip()
    m = re.search(r"[。；：]", body)
    if not m:
        return body, ""
    return body[: m.start()].strip(), body[m.end():].strip()


def _strip_closing_clauses(body: str) -> str:
    """The body without the unit clauses that close it: they are the task's units, not its text."""
    while True:
        trimmed = body.rstrip().rstrip("。；").rstrip()
        groups = _bracket_groups(trimmed)
        if not groups or groups[-1][1] != len(trimmed) or not parse_unit_clause(groups[-1][2]):
            return body
        body = trimmed[: groups[-1][0]].rstrip()


def _read_segment(segment: str, *, last: bool, year: int | None) -> Task:
    lines = [line.strip(" \t\u3000") for line in segment.split("\n")]
    lines = [line for line in lines if line]
    units = Units()
    own: list[str] = []
    pending: list[str] = []  # after the last task: paragraphs kept only when units follow them

    def keep(kept: list[str]) -> None:
        for line in kept:
            for clause in _clauses(line):
                units.merge(clause)
            own.append(line)

    for index, line in enumerate(lines):
        found = _unit_line(line) if index > 0 else None  # the first line is the task's heading
        if found is not None:
            keep(pending)
            pending = []
            units.merge(found)
            continue
        # After the last task only its own paragraph counts (the rest is the plan's closing
        # words), and the paragraphs that units follow (a table's rows, units on their own line).
        if last and own and (len(own) > 1 or not _is_heading_line(own[0])):
            if _clauses(line):
                keep(pending + [line])
                pending = []
            else:
                pending.append(line)
            continue
        keep([line])
    body = _strip_closing_clauses("\n".join(own))
    title, text = _split_heading(body)
    due = units.due or find_prose_due(body)
    task = Task(number="", path=[], title=title, text=text,
                lead_units=units.lead, responsible_units=units.responsible, due=due)
    task.due_date = parse_prose_due(task.due, year)
    return task


# ---------------------------------------------------------------- framing sections

# Sections that frame a plan rather than give it tasks. The first kind is
# context down to its last sub-item (一、总体要求 → （一）指导思想 …); below the
# second, tasks may hang (五、保障措施 → （一）加强组织领导 …).
_FRAMING_ALL = r"指导思想|基本原则|工作原则|总体要求|总体目标|工作目标|主要目标|目标要求|总体思路|工作思路"
_FRAMING_INTRO = r"保障措施|保障机制|组织保障|工作保障|工作要求|有关要求|组织实施|实施保障"
_FRAMING_WORD = rf"(?:{_FRAMING_ALL}|{_FRAMING_INTRO})"
_FRAMING_TITLE = re.compile(rf"^{_FRAMING_WORD}(?:[和与及、]{_FRAMING_WORD})*$")


def framing_kind(title: str) -> str | None:
    """"all" for 指导思想, 工作目标, 总体要求 …; "intro" for 保障措施, 工作要求 …; else None."""
    title = re.sub(r"[\s。；：，、]+$", "", title or "")
    if not _FRAMING_TITLE.match(title):
        return None
    return "all" if re.search(_FRAMING_ALL, title) else "intro"


def _mark_context(tasks: list[Task], inherited: bool = False) -> None:
    for task in tasks:
        kind = framing_kind(task.title)
        task.context = inherited or kind is not None
        _mark_context(task.children, inherited or kind == "all")


def _all_context(task: Task) -> bool:
    return task.context and all(_all_context(child) for child in task.children)


def _take_context(tasks: list[Task], out: list[Task]) -> list[Task]:
    """`tasks` without the sections that are context all through (appended to `out`)."""
    kept = []
    for task in tasks:
        if _all_context(task):
            out.append(task)
        else:
            task.children = _take_context(task.children, out)
            kept.append(task)
    return kept


# ---------------------------------------------------------------- plan

_PLAN_KIND = r"工作要点(?:实施方案|任务分工方案|任务分工|分工方案)?|工作实施方案|重点任务分工方案|工作任务清单|重点任务清单|任务分解表"
_PLAN_TITLE_LINE = re.compile(
    rf"^\s*(?P<title>[^\s。，；：\d《》]{{0,12}}?(?:\d{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年[^。，；：\n]{{0,40}}?(?:{_PLAN_KIND}))\s*$",
    re.MULTILINE,
)
_PLAN_TITLE_INLINE = re.compile(r"(?<!《)(?P<title>\d{4}\s*年[^。，；：\n《》]{0,40}?工作要点)(?![的》」])")


def find_plan_title(text: str) -> str:
    """The title of the plan inside a page ("2018年重庆市政务公开工作要点"), or ""."""
    text = normalise(text)
    m = _PLAN_TITLE_LINE.search(text) or _PLAN_TITLE_INLINE.search(text)
    return re.sub(r"\s+", "", m.group("title")) if m else ""


def year_of(title: str) -> int | None:
    """The year a plan's title names ("2018年重庆市政务公开工作要点" → 2018), or None."""
    m = re.search(r"(\d{4})\s*年", title or "")
    return int(m.group(1)) if m else None


def extract_plan(text: str, *, title: str = "", organisation: str = "", year: int | None = None) -> Plan:
    """The plan in `text` with its tasks as a tree (no tasks: an empty list)."""
    text = normalise(text)
    title = title or find_plan_title(text)
    year = year or year_of(title)
    plan = Plan(title=title, organisation=organisation, year=year)
    text = untable(text)
    markers = find_markers(text)
    stack: list[tuple[_Marker, Task]] = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start if i + 1 < len(markers) else len(text)
        task = _read_segment(text[marker.end:end], last=i + 1 == len(markers), year=year)
        while stack and _RANK[stack[-1][0].kind] >= _RANK[marker.kind]:
            stack.pop()
        task.number = marker.written
        task.path = [m.label for m, _ in stack] + [marker.label]
        (stack[-1][1].children if stack else plan.tasks).append(task)
        stack.append((marker, task))
    _mark_context(plan.tasks)
    plan.tasks = _take_context(plan.tasks, plan.context)
    return plan


# ---------------------------------------------------------------- organisations

ORGANISATION, INTERNAL_OFFICE, GROUP, GENERIC, UNKNOWN = "organisation", "internal_office", "group", "generic", "unknown"


@dataclass(frozen=True)
class UnitMatch:
    organisation: tuple | None  # the (id, name, short_name, …) matched, or None
    kind: str  # ORGANISATION (matched), INTERNAL_OFFICE, GROUP, GENERIC or UNKNOWN


def _plain(name: str) -> str:
    return re.sub(r"\s+", "", normalise(name or ""))


# The level of a government, from the end of its name: 南昌市人民政府 → 市.
_LEVEL_OF_NAME = re.compile(r"(省|自治区|市|自治州|州|盟|县|区|旗|镇|乡|街道)(?:人民政府|政府|办事处)?$")


def _level_of(org: tuple) -> str:
    for name in (org[1], org[2] if len(org) > 2 else ""):
        m = _LEVEL_OF_NAME.search(_plain(name))
        if m:
            return "州" if m.group(1) == "自治州" else m.group(1)
    return ""


class _Directory:
    """Organisations as a tree (parent ids in the fourth place of each tuple, when given)."""

    def __init__(self, organisations: Iterable[tuple]):
        self.orgs = [tuple(org) for org in organisations]
        self.by_id = {org[0]: org for org in self.orgs}
        self.tree = any(len(org) > 3 for org in self.orgs)
        self.children: dict = {}
        for org in self.orgs:
            if len(org) > 3 and org[3] is not None:
                self.children.setdefault(org[3], []).append(org[0])
        self._subtrees: dict = {}

    def parent(self, org_id):
        org = self.by_id.get(org_id)
        return org[3] if org is not None and len(org) > 3 else None

    def chain(self, org_id) -> list:
        """The organisation and its ancestors, nearest first."""
        chain, node = [], org_id
        while node is not None and node in self.by_id and node not in chain:
            chain.append(node)
            node = self.parent(node)
        return chain

    def subtree(self, org_id) -> list[tuple]:
        if org_id not in self._subtrees:
            found, frontier = [org_id], [org_id]
            while frontier:
                frontier = [c for node in frontier for c in self.children.get(node, []) if c not in found]
                found += frontier
            self._subtrees[org_id] = [self.by_id[i] for i in found if i in self.by_id]
        return self._subtrees[org_id]


def _organisations_named(key: str, scope: list[tuple], *, suffix: bool = True) -> list[tuple]:
    """The organisations of `scope` a name can stand for: its full name, else its
    short name, else (when `suffix`) the full names that end with it."""
    exact = [org for org in scope if _plain(org[1]) == key]
    if exact:
        return exact
    short = [org for org in scope if len(org) > 2 and org[2] and _plain(org[2]) == key]
    if short or not suffix or len(key) < 3:
        return short
    return [org for org in scope if _plain(org[1]).endswith(key)]


def _first_unique(key: str, scopes: list[list[tuple]], *, suffix: bool = True) -> tuple | None:
    """The one organisation a name stands for in the nearest scope that has any; several: none."""
    for scope in scopes:
        found = _organisations_named(key, scope, suffix=suffix)
        if found:
            return found[0] if len(found) == 1 else None
    return None


def classify_units(names: Iterable[str], organisations: Iterable[tuple], *,
                   issuer=None) -> dict[str, UnitMatch]:
    """Each unit name → what it names (a UnitMatch).

    With the plan's issuing organisation (`issuer`, an id) and parent ids in
    the tuples, a name is matched within the plan's own region: the issuer and
    its subtree first, then each ancestor's subtree, nearest first. A name that
    starts with a level (市发改委, 区财政局) is matched within the subtree of the
    issuer's nearest government of that level only. A name matches an
    organisation's full name or short name exactly or, failing that, is the
    ending of one full name only (市财政局 → 重庆市财政局); several in the
    nearest scope that has any: none.

    Groups (各区县政府, 有关单位) match nothing. An internal office (办公室,
    政策法规科, 各科室) is one of the issuing department's own offices: it is
    matched only below the issuer, never elsewhere. A generic name (街道办事处,
    各乡镇, 镇政府) is matched only within the issuer's subtree. Without an
    issuer (or without parent ids), names are matched over all organisations,
    generic names and internal offices never.
    """
    directory = _Directory(organisations)
    everything = directory.orgs
    # The issuer and its ancestors, nearest first; without parent ids there is no region to keep to.
    region = directory.chain(issuer) if directory.tree and issuer in directory.by_id else []
    result: dict[str, UnitMatch] = {}
    for name in names:
        key = _plain(name)
        if name in result:
            continue
        if is_internal_office(key):
            below = [org for org in directory.subtree(region[0]) if org[0] != region[0]] if region else []
            match = _first_unique(key, [below]) if below else None
            result[name] = UnitMatch(match, INTERNAL_OFFICE)
            continue
        if not key or is_group(key):
            result[name] = UnitMatch(None, GROUP)
            continue
        generic = is_generic(key)
        if not region:
            match = None if generic else _first_unique(key, [everything])
        elif generic:
            match = _first_unique(key, [directory.subtree(region[0])])
        else:
            exact = [org for org in everything if _plain(org[1]) == key]  # full names are unique
            level = _RELATIVE_LEVEL.match(key)
            if exact:
                match = exact[0]
            elif level:
                wanted = "州" if level.group(0) == "自治州" else level.group(0)
                anchor = next((org_id for org_id in region if _level_of(directory.by_id[org_id]) == wanted), region[0])
                match = _first_unique(key, [directory.subtree(anchor)])
            else:
                match = _first_unique(key, [directory.subtree(org_id) for org_id in region])
        if match:
            result[name] = UnitMatch(match, ORGANISATION)
        else:
            result[name] = UnitMatch(None, GENERIC if generic else UNKNOWN)
    return result


def match_units(names: Iterable[str], organisations: Iterable[tuple], *, issuer=None) -> dict[str, tuple | None]:
    """Each unit name → the (id, name, short_name, …) of the organisation it names, or None.

    See classify_units for the rules; pass `issuer` (the plan's organisation id)
    and tuples with parent ids to match within the plan's region.
    """
    return {name: found.organisation for name, found in classify_units(names, organisations, issuer=issuer).items()}
