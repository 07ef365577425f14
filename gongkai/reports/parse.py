"""Reading a published annual report: which format, which year and
organisation, and its tables by the format's rows and columns.

Pure: a page's text or HTML in, a `ReportData` out (gongkai.reports.data).
Rows are found by their labels, not by their position, so that the shapes of
gongkai.reports.page all read the same: the cells after a row's label (in
its own table row when it has one, else up to the next label) are its values.
A label that is close to the format's but not the same (a typo, 合计 for 总计,
a label of the other format) is still read, and noted as a label problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

from . import page as pages
from .data import LABEL, MISSING, Problem, ReportData
from .formats import FORMAT_2019, FORMAT_2021, FORMATS, OUTCOMES_HEADING, Block, ReportFormat, Row, format_for_year
from .page import EMPTY, NUMBER, TEXT, Cell

_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_PREFIX = re.compile(r"^(?:\(([一二三四五六七八九十]+)\)|([一二三四五六七八九十]+)、|(\d+)[.、]|\((\d+)\))")
_CN = "一二三四五六七八九十"


def norm(text: str) -> str:
    """A label as compared: NFKC (full-width punctuation and digits to ASCII), no spaces, no quotes."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return _QUOTES.sub("", text)


def split_prefix(text: str) -> tuple[str, str]:
    """("(三)", "不予公开") for "(三)不予公开"; numbering in one canonical form."""
    match = _PREFIX.match(text)
    if not match:
        return "", text
    paren_cn, cn, digit, paren_digit = match.groups()
    if paren_cn:
        prefix = f"({paren_cn})"
    elif cn:
        prefix = f"{cn}、"
    elif digit:
        prefix = f"{digit}."
    else:
        prefix = f"({paren_digit})"
    return prefix, text[match.end():]


def _canonical(text: str) -> str:
    prefix, body = split_prefix(norm(text))
    return prefix + body


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


class Label:
    """A label of the format and what it stands for; `match` says how a cell's text matches it."""

    def __init__(self, label: str, target, variants=()):
        self.label = label
        self.target = target
        self.canonical = _canonical(label)
        self.prefix, self.body = split_prefix(self.canonical)
        self.variants = {_canonical(v) for v in variants}

    def match(self, canonical: str, *, fuzzy: float) -> str | None:
        """"exact", "variant", "fuzzy" or None."""
        if canonical == self.canonical:
            return "exact"
        if canonical in self.variants:
            return "variant"
        if not fuzzy or len(canonical) > 2 * len(self.canonical) + 4:
            return None
        prefix, body = split_prefix(canonical)
        if prefix != self.prefix:
            return None
        if _ratio(body, self.body) >= fuzzy:
            return "fuzzy"
        return None


def _best(canonical: str, labels: list[Label], *, fuzzy: float) -> tuple[Label, str] | None:
    best = None
    for label in labels:
        how = label.match(canonical, fuzzy=0)
        if how:
            return label, how
    if not fuzzy:
        return None
    for label in labels:
        if label.match(canonical, fuzzy=fuzzy):
            score = _ratio(split_prefix(canonical)[1], label.body)
            if best is None or score > best[0]:
                best = (score, label)
    return (best[1], "fuzzy") if best else None


# --- sections and zones ------------------------------------------------------------

_SECTION = re.compile(r"^([一二三四五六七])?、(.{2,40})$")


def section_of(text: str) -> int | None:
    """The section (1–6) a heading cell opens, or None."""
    match = _SECTION.match(norm(text))
    if not match:
        return None
    number, rest = match.groups()
    if not rest.endswith(("情况", "事项", "改进", "措施")):
        return None
    guesses = []
    if "总体" in rest:
        guesses.append(1)
    if "主动公开" in rest:
        guesses.append(2)
    if "申请" in rest and ("收到" in rest or "处理" in rest):
        guesses.append(3)
    if "复议" in rest or "诉讼" in rest:
        guesses.append(4)
    if "问题" in rest:
        guesses.append(5)
    if "其他" in rest and "报告" in rest:
        guesses.append(6)
    if number:
        wanted = _CN.index(number) + 1
        return wanted if wanted in guesses else None
    return guesses[0] if len(guesses) == 1 else None


_ARTICLE = re.compile(r"^第二十条第\(([一二三四五六七八九十]+)\)项$")
_NOTE = "(本列数据的勾稽关系"


def _is_table3_anchor(text: str) -> bool:
    n = norm(text)
    return n.startswith(_NOTE) or n == "申请人情况" or _canonical(text) == _canonical(FORMAT_2021.table(3).rows[0].label)


def _zones(cells: list[Cell]) -> dict[int, tuple[int, int]]:
    """Where each table's cells are: {2: (start, end), 3: ..., 4: ...}."""
    sections: dict[int, list[int]] = {}
    first_article = first_t3 = None
    for i, cell in enumerate(cells):
        if cell.kind != TEXT:
            continue
        number = section_of(cell.text)
        if number:
            sections.setdefault(number, []).append(i)
        if first_article is None and _ARTICLE.match(norm(cell.text)):
            first_article = i
        if first_t3 is None and _is_table3_anchor(cell.text):
            first_t3 = i
    end = len(cells)

    def after(number: int, start: int) -> int | None:
        return next((i for i in sections.get(number, []) if i > start), None)

    zones = {}
    start3 = first_t3
    if start3 is None:
        start3 = after(3, first_article if first_article is not None else -1)
    start2 = first_article
    if start2 is None:
        start2 = after(2, -1)
        if start2 is not None and start3 is not None and start2 > start3:
            start2 = None
    start4 = after(4, start3 if start3 is not None else (start2 if start2 is not None else -1))
    if start4 is None and start3 is not None:
        start4 = next((i for i in range(start3, end) if cells[i].kind == TEXT and norm(cells[i].text) == "行政复议"), None)
    start5 = after(5, max(x for x in (start2, start3, start4, -1) if x is not None))
    bounds = [x for x in (start2, start3, start4, start5) if x is not None]

    def next_bound(start: int) -> int:
        return min([b for b in bounds if b > start] + [end])

    if start2 is not None:
        zones[2] = (start2, next_bound(start2))
    if start3 is not None:
        zones[3] = (start3, next_bound(start3))
    if start4 is not None:
        zones[4] = (start4, next_bound(start4))
    return zones


# --- values ----------------------------------------------------------------------


def _values_after(cells: list[Cell], i: int, end: int) -> tuple[list[Cell], int]:
    """The value cells that belong to the label at i, and where reading goes on.
    In a table row that has values after the label: those; else the value
    cells that follow, up to the next text cell."""
    label = cells[i]
    j = i + 1
    in_row_values = False
    k = j
    while label.in_row and k < end and cells[k].row == label.row:  # a row's cells are contiguous
        if cells[k].is_value:
            in_row_values = True
            break
        k += 1
    if in_row_values:
        values = []
        while j < end and cells[j].row == label.row and cells[j].is_value:
            values.append(cells[j])
            j += 1
        return values, j
    values = []
    while j < end and cells[j].is_value:
        values.append(cells[j])
        j += 1
    return values, j


def fit(values: list[Cell], count: int, *, total_last: bool) -> tuple[list, bool]:
    """`count` values from a row's cells, and whether they could be placed one
    by one. Padding (empty cells beyond the count, at either end) is dropped; a
    row with fewer cells than columns (empty cells lost by the page) keeps its
    cells from the left, its last one in the total column when it has one."""
    cells = list(values)
    while len(cells) > count and cells[-1].kind == EMPTY:
        cells.pop()
    while len(cells) > count and cells[0].kind == EMPTY:
        cells.pop(0)
    if len(cells) >= count:
        return [c.value for c in cells[:count]], len(cells) == count
    if not cells or all(c.kind == EMPTY for c in cells):
        return [None] * count, True
    if all(c.value == 0 for c in cells if c.kind == NUMBER):
        return [0] * count, True  # nothing to place: every cell says none
    if total_last and count > 1:
        head = [c.value for c in cells[:-1]][: count - 1]
        return head + [None] * (count - 1 - len(head)) + [cells[-1].value], False
    return [c.value for c in cells] + [None] * (count - len(cells)), False


# --- format --------------------------------------------------------------------------

def _signals(fmt: ReportFormat) -> set[str]:
    """Labels only this format has."""
    other = FORMAT_2019 if fmt is FORMAT_2021 else FORMAT_2021

    def labels(f: ReportFormat) -> set[str]:
        out = set()
        for block in f.table(2).blocks:
            out.add(_canonical(block.label))
            out.update(_canonical(c.label) for c in block.columns)
            out.update(_canonical(r.label) for r in block.rows)
        out.update(_canonical(r.label) for r in f.table(3).rows if r.group.startswith("（六）"))
        return out

    return labels(fmt) - labels(other)


_SIGNALS = {key: _signals(fmt) for key, fmt in FORMATS.items()}


def detect_format(cells: list[Cell], zones: dict, year: int | None) -> tuple[ReportFormat, dict[str, int]]:
    scores = Counter()
    spans = [zones[n] for n in (2, 3) if n in zones]
    for start, end in spans:
        texts = [_canonical(c.text) for c in cells[start:end] if c.kind == TEXT]
        joined = texts + [a + b for a, b in zip(texts, texts[1:])]
        for key, signals in _SIGNALS.items():
            scores[key] += sum(1 for t in joined if t in signals)
    # （六）其他处理 followed by its numbers, not by items: the 2019 row.
    if 3 in zones:
        start, end = zones[3]
        for i in range(start, end):
            if cells[i].kind == TEXT and _canonical(cells[i].text) == _canonical("（六）其他处理"):
                values, _ = _values_after(cells, i, end)
                if any(c.kind == NUMBER for c in values):
                    scores["2019"] += 2
    if scores["2021"] == scores["2019"]:
        return format_for_year(year), dict(scores)
    return (FORMAT_2021 if scores["2021"] > scores["2019"] else FORMAT_2019), dict(scores)


# --- year and organisation --------------------------------------------------------------

_TITLE_ORG_YEAR = re.compile(r"([\u4e00-\u9fa5（）()·]{2,60}?)\s*(20\d\d)\s*年度?\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_YEAR_ORG = re.compile(r"(20\d\d)\s*年度?\s*([\u4e00-\u9fa5（）()·]{2,60}?)\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_PERIOD = re.compile(r"统计期限[^。\n]{0,12}?(20\d\d)\s*年\s*1\s*月\s*1\s*日")
_BEFORE_ORG = re.compile(r".*(?:现公布|公布|现将|特编制|编制|发布|现予|关于|根据|印发|本机关|《)")
_NOT_ORG = ("本", "我", "年度", "以下")


def _organisation(name: str) -> str:
    name = _BEFORE_ORG.sub("", name).strip("（()）·")
    if len(name) < 3 or name.startswith(_NOT_ORG):
        return ""
    return name


def _title_match(text: str) -> tuple[int | None, str]:
    head = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("(", "（").replace(")", "）")
    year = None
    for match in _TITLE_ORG_YEAR.finditer(head):
        year = year or int(match.group(2))
        if _organisation(match.group(1)):
            return int(match.group(2)), _organisation(match.group(1))
    for match in _TITLE_YEAR_ORG.finditer(head):
        year = year or int(match.group(1))
        if _organisation(match.group(2)):
            return int(match.group(1)), _organisation(match.group(2))
    return year, ""


def year_and_organisation(lines: list[str]) -> tuple[int | None, str]:
    """The report's year and organisation from its title (or the sentence
    that names it), else the year from its statistical period (统计期限)."""
    lines = [line for line in lines if line.strip()][:40]
    year = None
    # A line alone first, then a short line with the next (a title over two lines).
    candidates = list(lines) + [a + b for a, b in zip(lines, lines[1:]) if len(a.strip()) <= 30]
    for text in candidates:
        found_year, org = _title_match(text[:400])
        if org:
            return found_year, org
        year = year or found_year
    if year is None:
        match = _PERIOD.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(lines))))
        if match:
            year = int(match.group(1))
    return year, ""


# --- the tables ----------------------------------------------------------------------------


class _Reader:
    def __init__(self, cells: list[Cell], fmt: ReportFormat, report: ReportData):
        self.cells = cells
        self.fmt = fmt
        self.report = report

    def label_problem(self, table: int, found: str, expected: str, *, row=None, column=None, row_key=None,
                      column_key=None):
        where = column if column and not row else (f"{row} {column}" if column else row)
        self.report.reading_problems.append(Problem(
            LABEL, f"“{found}”不是格式规定的名称，应为“{expected}”（{where}）。", table=table, row=row, column=column,
            stated=found, expected=expected, row_key=row_key, column_key=column_key))

    def text_at(self, i: int, end: int) -> list[tuple[str, int]]:
        """The text at cell i alone and joined with the next text cell (a label split over two lines)."""
        out = [(self.cells[i].text, 1)]
        if i + 1 < end and self.cells[i + 1].kind == TEXT and len(self.cells[i].text) <= 12 \
                and len(self.cells[i + 1].text) <= 16:
            out.append((self.cells[i].text + self.cells[i + 1].text, 2))
        return out

    def find(self, i: int, end: int, labels: list[Label], *, fuzzy: float):
        """(label, how, cells used) for the text at i, the exact reading first."""
        found = None
        for text, used in self.text_at(i, end):
            hit = _best(_canonical(text), labels, fuzzy=0)
            if hit:
                return hit[0], hit[1], used
        if fuzzy:
            for text, used in self.text_at(i, end)[:1]:
                hit = _best(_canonical(text), labels, fuzzy=fuzzy)
                if hit:
                    found = (hit[0], hit[1], used)
        return found

    # -- table 2

    def table_2(self, start: int, end: int) -> None:
        table = self.fmt.table(2)
        data = self.report.table(2)
        data.found = True
        block: Block | None = None
        rows_all = [Label(r.label, (b, r), r.variants) for b in table.blocks for r in b.rows]
        i = start
        while i < end:
            cell = self.cells[i]
            if cell.kind != TEXT:
                i += 1
                continue
            n = norm(cell.text)
            article = _ARTICLE.match(n)
            if article:
                block = next((b for b in table.blocks if _ARTICLE.match(norm(b.label)).group(1) == article.group(1)), None)
                if block is None:
                    data.notes.append(f"{cell.text}：{self.fmt.document}的格式没有这一栏")
                i += 1
                continue
            if n == "信息内容":
                i = self.table_2_header(block, i + 1, end) if block else i + 1
                continue
            candidates = [Label(r.label, (block, r), r.variants) for r in block.rows] if block else rows_all
            hit = self.find(i, end, candidates, fuzzy=0.8)
            if hit is None and block is not None:
                hit = self.find(i, end, rows_all, fuzzy=0)
            if hit is None:
                i += 1
                continue
            label, how, used = hit
            row_block, row = label.target
            key = f"{row_block.key}.{row.key}"
            if how != "exact":
                self.label_problem(2, cell.text, row.label, row=f"{row_block.label} {row.label}", row_key=key)
            values, j = _values_after(self.cells, i + used - 1, end)
            placed, sure = fit(values, len(row_block.columns), total_last=False)
            data.values[key] = {c.key: v for c, v in zip(row_block.columns, placed)}
            if not sure:
                data.uncertain_rows.add(key)
            i = max(j, i + used)

    def table_2_header(self, block: Block, i: int, end: int) -> int:
        """Compare the column labels after 信息内容 with the block's, in order."""
        texts = []
        row_labels = {_canonical(r.label) for b in self.fmt.table(2).blocks for r in b.rows}
        j = i
        while j < end and len(texts) < len(block.columns) * 2:
            cell = self.cells[j]
            if cell.kind == TEXT:
                canonical = _canonical(cell.text)
                if canonical in row_labels or _ARTICLE.match(norm(cell.text)) or any(
                        _ratio(canonical, r) >= 0.8 for r in row_labels):
                    break
                texts.append(cell.text)
            elif cell.kind == NUMBER:
                break
            j += 1
        # Labels split over two lines (本年新 / 制作数量) are joined when that gives a label.
        wanted = [_canonical(c.label) for c in block.columns]
        merged, k = [], 0
        while k < len(texts):
            one = _canonical(texts[k])
            if k + 1 < len(texts) and one not in wanted:
                two = _canonical(texts[k] + texts[k + 1])
                if two in wanted or max(_ratio(two, w) for w in wanted) > max(_ratio(one, w) for w in wanted) + 0.25:
                    merged.append(texts[k] + texts[k + 1])
                    k += 2
                    continue
            merged.append(texts[k])
            k += 1
        for column, text in zip(block.columns, merged):
            if _canonical(text) != _canonical(column.label):
                self.label_problem(2, text, column.label, row=block.label, column=column.label,
                                   column_key=f"{block.key}.{column.key}")
        return j

    # -- table 3

    def table_3(self, start: int, end: int) -> None:
        table = self.fmt.table(3)
        data = self.report.table(3)
        data.found = True
        column_labels = [Label(c.label, c, c.variants) for c in table.columns]
        groups = {g for g in (r.group for r in table.rows) if g}
        group_labels = [Label(g, g) for g in sorted(groups)] + [Label(OUTCOMES_HEADING, "")]
        header: dict[str, str] = {}
        header_done = False
        current_group = ""
        i = start
        while i < end:
            cell = self.cells[i]
            if cell.kind != TEXT:
                i += 1
                continue
            hit = self.row_at(i, end, table.rows, current_group)
            if hit:
                row, how, used = hit
                header_done = True
                if row.group:
                    current_group = row.group
                elif row.role != "part" or row.key in ("1", "2"):
                    current_group = ""
                if how != "exact":
                    self.label_problem(3, self.cells[i].text if used == 1 else self.cells[i].text + self.cells[i + 1].text,
                                       row.full_label, row=row.full_label, row_key=row.key)
                values, j = _values_after(self.cells, i + used - 1, end)
                count = len(self.present_columns(header, table))
                placed, sure = fit(values, count, total_last="total" in self.present_columns(header, table))
                data.values[row.key] = dict(zip(self.present_columns(header, table), placed))
                if not sure:
                    data.uncertain_rows.add(row.key)
                i = max(j, i + used)
                continue
            group = self.find(i, end, group_labels, fuzzy=0) or (
                self.find(i, end, group_labels, fuzzy=0.6) if header_done else None)
            if group:
                label, how, used = group
                if how != "exact":
                    self.label_problem(3, cell.text, label.label, row=label.label)
                current_group = label.target
                values, j = _values_after(self.cells, i + used - 1, end)
                if label.target and any(c.kind == NUMBER for c in values):
                    columns = self.present_columns(header, table)
                    placed, _sure = fit(values, len(columns), total_last="total" in columns)
                    data.subtotals[label.target] = dict(zip(columns, placed))
                i = max(j, i + used)
                continue
            if not header_done:
                column = self.find(i, end, column_labels, fuzzy=0.75)
                if column is None and " " in cell.text.strip():
                    # A header row run into one line (PDF text): its words one by one.
                    heads = [Label(h, None) for h in table.headers]
                    words = [_best(_canonical(w), column_labels + heads, fuzzy=0) for w in cell.text.split()]
                    if words and all(words):
                        for (label, how), word in zip(words, cell.text.split()):
                            if label.target is None:
                                continue
                            header[label.target.key] = word
                            if how != "exact":
                                self.label_problem(3, word, label.label, column=label.label, column_key=label.target.key)
                        i += 1
                        continue
                if column is None:
                    # A header cell split over two rows (商业 | 科研 … / 企业 | 机构): its first half.
                    start_of = [c for c in column_labels if len(norm(cell.text)) >= 2 and c.target.key not in header
                                and c.canonical.startswith(_canonical(cell.text)) and c.canonical != _canonical(cell.text)]
                    if len(start_of) == 1:
                        header[start_of[0].target.key] = cell.text
                        i += 1
                        continue
                if column:
                    label, how, used = column
                    header[label.target.key] = self.cells[i].text
                    if how != "exact":
                        self.label_problem(3, self.cells[i].text, label.label, column=label.label,
                                           column_key=label.target.key)
                    i += used
                    continue
            i += 1
        data.columns = self.present_columns(header, table)
        if header and len(header) >= 4:
            for column in table.columns:
                if column.key not in header:
                    self.report.reading_problems.append(Problem(
                        MISSING, f"表三缺少“{column.label}”列。", table=3, column=column.label, column_key=column.key))
        elif not header:
            data.notes.append("表头未识别：按格式规定的列序读取")

    @staticmethod
    def present_columns(header: dict, table) -> list[str]:
        if len(header) >= 4:
            return [c.key for c in table.columns if c.key in header]
        return [c.key for c in table.columns]

    def row_at(self, i: int, end: int, rows: tuple[Row, ...], group: str):
        """The row of table 3 whose label is at i: items are looked for in
        the current group first (their numbers repeat from group to group)."""
        items_here = [Label(r.label, r, r.variants) for r in rows if r.group and r.group == group]
        others = [Label(r.full_label if not r.group else r.label, r, r.variants) for r in rows if not r.group]
        items_all = [Label(r.label, r, r.variants) for r in rows if r.group]
        text = self.cells[i].text
        # "（三）不予公开 1.属于国家秘密" in one cell: the group, then the item.
        combined = re.match(r"^\s*([（(][一二三四五六七][）)]\S+?)\s+(\d+\s*[.、．].+)$", text)
        if combined:
            canonical = _canonical(combined.group(2))
            group_name = next((g for g in {r.group for r in rows if r.group} if _canonical(g) == _canonical(combined.group(1))), "")
            here = [Label(r.label, r, r.variants) for r in rows if r.group == group_name]
            hit = _best(canonical, here or items_all, fuzzy=0.6)
            if hit:
                return hit[0].target, hit[1], 1
        seen = self.report.table(3).values

        def unseen(labels):  # a near label is another row's only when that row is not read yet
            return [label for label in labels if label.target.key not in seen]

        for labels, fuzzy in ((items_here, 0), (others, 0), (items_all, 0), (unseen(items_here), 0.6),
                              (unseen(others), 0.7), ([] if group else unseen(items_all), 0.75)):
            if not labels:
                continue
            hit = self.find(i, end, labels, fuzzy=fuzzy)
            if hit:
                label, how, used = hit
                return label.target, how, used
        return None

    # -- table 4

    def table_4(self, start: int, end: int) -> None:
        table = self.fmt.table(4)
        data = self.report.table(4)
        data.found = True
        labels = {_canonical(c.label) for c in table.columns} | {_canonical(h) for h in table.headers}
        last_label = None
        for i in range(start, end):
            cell = self.cells[i]
            if cell.kind == TEXT and _canonical(cell.text) in labels:
                last_label = i
        runs, run = [], []
        for i in range(start if last_label is None else last_label + 1, end):
            cell = self.cells[i]
            if cell.is_value:
                run.append(cell)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        runs = [r for r in runs if any(c.kind == NUMBER for c in r)]
        data.columns = [c.key for c in table.columns]
        if not runs:
            if last_label is not None:
                data.values["cases"] = {c.key: None for c in table.columns}
            return
        cells = runs[0] if last_label is not None else runs[-1]
        placed, sure = fit(cells, len(table.columns), total_last=False)
        data.values["cases"] = dict(zip(data.columns, placed))
        if not sure:
            data.uncertain_rows.add("cases")


def read_report(content: str) -> ReportData:
    """The report in a page's text or HTML."""
    page = pages.read(content)
    return read_page(page)


def read_page(page: pages.Page) -> ReportData:
    cells = page.cells
    year, organisation = year_and_organisation([page.title, *page.prose])
    zones = _zones(cells)
    fmt, scores = detect_format(cells, zones, year)
    report = ReportData(format=fmt, year=year, organisation=organisation, title=page.title, prose=list(page.prose))
    reader = _Reader(cells, fmt, report)
    if 2 in zones:
        reader.table_2(*zones[2])
    if 3 in zones:
        reader.table_3(*zones[3])
    if 4 in zones:
        reader.table_4(*zones[4])
    return report


__all__ = ["FORMATS", "norm", "read_page", "read_report", "section_of", "split_prefix", "year_and_organisation"]
