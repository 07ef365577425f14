"""Extract the tasks of a yearly openness work plan (工作要点).

Pure text processing, no database: `extract_plan(text)` finds the numbered
tasks (一、 / （一） / 1. / （1）) as a tree, and for each task its heading, text,
lead and responsible units and due date as the plan wrote them.
`match_units(names, organisations)` matches unit names to organisations given
as (id, name, short_name) tuples.

ASCII parentheses, colons, semicolons and commas (as in many saved pages) are
read as their full-width forms, and the output uses the full-width forms.
"""

from __future__ import annotations

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
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class Plan:
    title: str = ""
    organisation: str = ""
    year: int | None = None
    tasks: list[Task] = field(default_factory=list)  # top-level tasks; the rest are their children

    def all_tasks(self) -> list[Task]:
        """Every task, depth first in the plan's order."""
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
    r"|(?P<ar>(?:^|(?<=[。；：）]))[ \t\u3000]*(?P<arv>\d{1,2})[.．、](?!\d))"
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


# ---------------------------------------------------------------- units and dates

_OPEN, _CLOSE = "（〔【[《", "）〕】]》"
_UNIT_SEPARATORS = "、，；"


def split_units(text: str) -> list[str]:
    """A list of units as the plan wrote it, split on 、 ， ； outside brackets.

    Groups such as 各区县（自治县）政府 or 有关单位 stay whole; a trailing 等 is dropped.
    """
    parts, depth, current = [], 0, []
    for ch in normalise(text).strip().rstrip("。"):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in _UNIT_SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    units = []
    for part in parts:
        part = part.strip(" \t\u3000\n")
        if len(part) > 1 and part.endswith("等"):
            part = part[:-1]
        if part:
            units.append(part)
    return units


def is_group(name: str) -> bool:
    """A unit name that stands for several units (各区县政府, 有关单位, 市政府各部门)."""
    return name.startswith("各") or "有关" in name or "各" in name


_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|年底|末|年末)")


def parse_due(due: str, year: int | None = None) -> str | None:
    """The date or month of a due as written: "2023年10月" → "2023-10",
    "2018年12月底前" → "2018-12", "2023年6月30日" → "2023-06-30",
    "2018年底前" → "2018-12"; a month without a year takes `year`.
    Kinds such as 长期 or 适时 have none."""
    due = (due or "").strip()
    m = _DATE.search(due)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = _MONTH.search(due)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        mo = int(m.group(2))
        if y and 1 <= mo <= 12:
            return f"{y:04d}-{mo:02d}"
    m = _YEAR_END.search(due)
    if m:
        return f"{int(m.group(1)):04d}-12"
    return None


# A due written in a task's own words ("于2012年底前向社会公布", "今年6月底前完成"):
# used when the task has no 完成时限 of its own. "前" is required, so a
# reference to the past ("截至2017年底") is not a due.
_PROSE_DUE = re.compile(
    r"(?:\d{4}\s*年|今年)\s*\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)?\s*(?:以前|前)"
    r"|(?:\d{4}\s*年|今年)\s*年?\s*(?:底|末)\s*(?:以前|前)"
    r"|(?<![\d年])\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)\s*(?:以前|前)"
)


def find_prose_due(text: str) -> str:
    """The first due written in prose in `text`, as written, or ""."""
    m = _PROSE_DUE.search(text or "")
    return re.sub(r"\s+", "", m.group(0)) if m else ""


def parse_prose_due(due: str, year: int | None) -> str | None:
    """parse_due, with 今年 read as the plan's year."""
    if "今年" in due:
        if not year:
            return None
        due = due.replace("今年年", f"{year}年").replace("今年", f"{year}年")
    return parse_due(due, year)


_LEAD_LABELS = ("牵头单位", "主责单位", "牵头部门")
_RESPONSIBLE_LABELS = ("责任单位", "配合单位", "责任部门", "配合部门", "参与单位")
_DUE_LABELS = ("完成时限", "完成时间", "时间要求", "时间节点", "时限")
_ALL_LABELS = _LEAD_LABELS + _RESPONSIBLE_LABELS + _DUE_LABELS
_LABELLED = re.compile(rf"^\s*(?P<label>{'|'.join(_ALL_LABELS)})\s*：\s*(?P<value>.*?)\s*[。；]?\s*$")
_LABEL_IN_CLAUSE = re.compile(rf"({'|'.join(_ALL_LABELS)})\s*：")
_LEAD_AND_OTHERS = re.compile(r"^(?P<lead>.+?)牵头[，、]?(?P<others>.+?)(?:配合|参与|负责|等配合|等参与)(?:落实)?$")
_SUFFIXED = re.compile(
    r"^(?P<units>.+?)(?P<suffix>牵头落实|牵头负责|牵头|分别落实|分别负责|负责落实|共同落实|按职责分工落实|按职责落实|负责|落实)$"
)


@dataclass
class Units:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    due: str = ""

    def take(self, label: str, value: str) -> None:
        if label in _LEAD_LABELS:
            self.lead += split_units(value)
        elif label in _RESPONSIBLE_LABELS:
            self.responsible += split_units(value)
        elif label in _DUE_LABELS:
            self.due = value.strip().rstrip("。；")


def parse_unit_clause(clause: str) -> Units | None:
    """The units of a closing parenthesis, None when it names none.

    （牵头单位：…；责任单位：…；完成时限：…）, （…等负责）, （…牵头落实）,
    （…分别落实）, （…牵头，…配合）.
    """
    clause = normalise(clause).strip().rstrip("。")
    if "。" in clause:  # a sentence in brackets, not a list of units
        return None
    if _LABEL_IN_CLAUSE.search(clause):
        units = Units()
        pieces = _LABEL_IN_CLAUSE.split(clause)
        # pieces: [before, label, value, label, value, ...]
        for label, value in zip(pieces[1::2], pieces[2::2]):
            units.take(label, value.strip().rstrip("；，。"))
        return units if (units.lead or units.responsible or units.due) else None
    m = _LEAD_AND_OTHERS.match(clause)
    if m:
        return Units(lead=split_units(m.group("lead")), responsible=split_units(m.group("others")))
    m = _SUFFIXED.match(clause)
    if m:
        names = split_units(m.group("units"))
        if not names:
            return None
        if m.group("suffix").startswith("牵头"):
            return Units(lead=names)
        return Units(responsible=names)
    return None


# A closing parenthesis at the end of a paragraph (one level of nested brackets allowed).
_CLOSING = re.compile(r"（(?P<clause>[^（）]*(?:（[^（）]*）[^（）]*)*)）[。；]?\s*$")


# ---------------------------------------------------------------- plan

_PLAN_TITLE_LINE = re.compile(r"^\s*(?P<title>(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年[^。，；：\n]{0,40}?工作要点)\s*$", re.MULTILINE)
_PLAN_TITLE_INLINE = re.compile(r"(?<!《)(?P<title>\d{4}\s*年[^。，；：\n《》]{0,40}?工作要点)(?![的》」])")


def find_plan_title(text: str) -> str:
    """The title of the plan inside a page ("2018年重庆市政务公开工作要点"), or ""."""
    text = normalise(text)
    m = _PLAN_TITLE_LINE.search(text) or _PLAN_TITLE_INLINE.search(text)
    return re.sub(r"\s+", "", m.group("title")) if m else ""


def _year_of(title: str) -> int | None:
    m = re.search(r"(\d{4})\s*年", title or "")
    return int(m.group(1)) if m else None


def _split_heading(body: str) -> tuple[str, str]:
    """Heading and text of a task's own words: the heading is its first sentence."""
    body = body.strip()
    m = re.search(r"[。；：]", body)
    if not m:
        return body, ""
    return body[: m.start()].strip(), body[m.end():].strip()


def _read_segment(segment: str, *, last: bool, year: int | None) -> Task:
    lines = [line.strip(" \t\u3000") for line in segment.split("\n")]
    own, labelled = [], []
    for i, line in enumerate(lines):
        if not line:
            continue
        m = _LABELLED.match(line)
        if m:
            labelled.append((m.group("label"), m.group("value")))
            continue
        # After the last task only its own paragraph counts (the rest is the plan's closing words).
        if last and own and i > 0:
            break
        own.append(line)
    units = Units()
    body = "\n".join(own)
    m = _CLOSING.search(body)
    if m:
        clause_units = parse_unit_clause(m.group("clause"))
        if clause_units:
            units = clause_units
            body = body[: m.start()].rstrip()
    for label, value in labelled:
        units.take(label, value)
    title, text = _split_heading(body)
    due = units.due or find_prose_due(body)
    task = Task(number="", path=[], title=title, text=text,
                lead_units=units.lead, responsible_units=units.responsible, due=due)
    task.due_date = parse_prose_due(task.due, year)
    return task


def extract_plan(text: str, *, title: str = "", organisation: str = "", year: int | None = None) -> Plan:
    """The plan in `text` with its tasks as a tree (no tasks: an empty list)."""
    text = normalise(text)
    title = title or find_plan_title(text)
    year = year or _year_of(title)
    plan = Plan(title=title, organisation=organisation, year=year)
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
    return plan


# ---------------------------------------------------------------- organisations

def _plain(name: str) -> str:
    return re.sub(r"\s+", "", normalise(name or ""))


def match_units(names: Iterable[str], organisations: Iterable[tuple]) -> dict[str, tuple | None]:
    """Each unit name → the (id, name, short_name) of the organisation it names, or None.

    A name matches an organisation's full name or its short name exactly; failing
    that, the one organisation whose full name ends with it (市财政局 →
    重庆市财政局) when only one does. Groups (各…, 有关…) match nothing.
    """
    orgs = [tuple(org) for org in organisations]
    by_name = {_plain(org[1]): org for org in orgs if org[1]}
    by_short: dict[str, list[tuple]] = {}
    for org in orgs:
        if len(org) > 2 and org[2]:
            by_short.setdefault(_plain(org[2]), []).append(org)
    result: dict[str, tuple | None] = {}
    for name in names:
        key = _plain(name)
        match = None
        if key and not is_group(key):
            if key in by_name:
                match = by_name[key]
            elif len(by_short.get(key, [])) == 1:
                match = by_short[key][0]
            elif len(key) >= 3:
                ending = [org for org in orgs if _plain(org[1]).endswith(key)]
                if len(ending) == 1:
                    match = ending[0]
        result[name] = match
    return result
