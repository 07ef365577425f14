"""Read a table of publication quotas (信息发布任务数) from a page.

Offices annex their quotas to the work plan as a table of units and numbers,
e.g. "附件：2024年政务信息发布任务分解表" with the columns
序号 | 单位 | 全年任务数 | 第一季度 | … . `extract_quotas(page)` reads it from

- HTML: every `<table>` (its own rows; header rows of th or of text cells
  only; rowspan and colspan expanded so that each column keeps its header);
  the table with the most unit rows wins; its title is a first row across
  the whole table, else its caption, else the nearest short text before it
  (preferring one with 表/任务/附件), else the page's <title>;
- text (or HTML without such a table): lines like "市财政局 12",
  "市财政局：12条", "1. 市财政局 12条" or tab-separated cells, with an
  optional tab-separated header line above them.

Pure text processing, no database. Numbers may be written "12", "12条",
"１２" (full-width) or "12篇"; a cell without a number ("—", blank) has no
value. 序号 columns and 合计/总计/小计 rows are skipped.

Each row: `unit` as written; `numbers` header → int for every numeric
column; `number` the main column's value: the first numeric column whose
header contains 全年, else 合计, else 任务数, else 数量, else the first
numeric column. `columns` are the numeric columns' headers in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_COLUMN = "任务数"
MAIN_KEYWORDS = ("全年", "合计", "任务数", "数量")
UNIT_KEYWORDS = ("单位", "部门", "机构", "名称", "责任")
SERIAL_HEADERS = {"序号", "编号", "序", "no", "no.", "#"}
TOTAL_WORDS = ("合计", "总计", "小计", "总数", "共计")
MAX_NUMBER = 100000
NOT_UNITS = ("电话", "传真", "邮编", "邮政编码", "日期", "时间", "年度", "页", "网址")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_NUMBER = re.compile(r"^(\d{1,6})(?:\.0+)?\s*(?:条|篇|件|个|项|次|则|期)?$")
_EMPTY = {"", "-", "—", "——", "－", "/", "／", "无", "\\"}
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# "市财政局：12条", "1. 市财政局 12", "（1）市财政局  12条"
_LINE = re.compile(
    r"^\s*(?:(?:\d{1,3}|[一二三四五六七八九十]+)\s*[.、．)）]\s*|[（(]\d{1,3}[)）]\s*)?"
    r"(?P<unit>[^\d\s：:，,。；;][^：:\t]*?)\s*(?:[：:]\s*|\s+)"
    r"(?P<n>[\d０-９]{1,6})\s*(?:条|篇|件|个|项)?\s*[。；;，,]?\s*$"
)
_TITLE_WORDS = ("表", "任务", "附件", "分解", "指标")


@dataclass
class QuotaRow:
    unit: str
    number: int | None
    numbers: dict[str, int] = field(default_factory=dict)


@dataclass
class QuotaTable:
    title: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[QuotaRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.number or 0 for r in self.rows)


def clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _compact(text: str) -> str:
    return _SPACES.sub("", text or "")


def parse_number(text: str) -> int | None:
    """12, "12条", "１２", "12.0" → 12; blanks, dashes and words → None."""
    text = _compact(text).translate(_FULL_WIDTH)
    if text in _EMPTY:
        return None
    m = _NUMBER.match(text)
    if not m:
        return None
    value = int(m.group(1))
    return value if value <= MAX_NUMBER else None


def _is_serial_header(header: str) -> bool:
    return _compact(header).lower() in SERIAL_HEADERS


def _is_total(unit: str) -> bool:
    compact = _compact(unit)
    return any(compact.startswith(w) for w in TOTAL_WORDS) or (
        any(compact.endswith(w) for w in TOTAL_WORDS) and len(compact) <= 8)


def _looks_like_unit(text: str) -> bool:
    text = clean(text)
    return (bool(_CJK.search(text)) and len(text) <= 40 and "。" not in text
            and not any(w in text for w in NOT_UNITS))


def main_column(columns: list[str]) -> str | None:
    for word in MAIN_KEYWORDS:
        for column in columns:
            if word in column:
                return column
    return columns[0] if columns else None


_QUARTER = re.compile(r"(?:第?([一二三四1-4])季度?|[Qq]([1-4]))")
_MONTH = re.compile(r"(?<!\d)(1[0-2]|[1-9])\s*月")


def period_columns(columns: list[str], period: str) -> list[str] | None:
    """The columns giving one number per quarter ("quarter": 第一季度…第四季度,
    Q1…Q4) or per month ("month": 1月…12月), in order; None when the table
    does not have all of them."""
    found: dict[int, str] = {}
    for column in columns:
        if period == "quarter":
            m = _QUARTER.search(column)
            digit = (m.group(1) or m.group(2)) if m else ""
            key = "一二三四".find(digit) + 1 if digit in ("一", "二", "三", "四") else int(digit or 0)
        elif period == "month":
            m = _MONTH.search(column)
            key = int(m.group(1)) if m else 0
        else:
            return None
        if key and key not in found:
            found[key] = column
    wanted = 4 if period == "quarter" else 12
    return [found[k] for k in range(1, wanted + 1)] if len(found) == wanted else None


# ---------------------------------------------------------------- grid → table


def _unique_headers(stacks: list[list[str]]) -> list[str]:
    """One header per column from its stack of header texts (top to bottom):
    the lowest text, prefixed by the ones above it when two columns share it."""
    def distinct(stack):
        out = []
        for text in stack:
            if text and text not in out:
                out.append(text)
        return out

    stacks = [distinct(s) for s in stacks]
    names = [s[-1] if s else "" for s in stacks]
    for i, name in enumerate(names):
        if name and names.count(name) > 1 and len(stacks[i]) > 1:
            names[i] = "·".join(stacks[i])
    return names


def _from_grid(grid: list[list[str]], header_rows: int | None = None) -> QuotaTable | None:
    """A quota table from a grid of cell texts (rows of equal length), or None."""
    if not grid:
        return None
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    title = ""
    if width > 1 and len(set(grid[0])) == 1 and grid[0][0] and parse_number(grid[0][0]) is None:
        title = clean(grid[0][0])  # a first row across the whole table: its title
        grid = grid[1:]
        header_rows = header_rows - 1 if header_rows else None
        if not grid:
            return None
    if header_rows is None:
        header_rows = 0
        for row in grid:
            if any(parse_number(c) is not None for c in row):
                break
            header_rows += 1
        if header_rows == len(grid):
            return None
    headers = _unique_headers([[clean(grid[r][c]) for r in range(header_rows)] for c in range(width)])
    body = grid[header_rows:]
    if not body:
        return None

    def numeric_share(c):
        values = [clean(row[c]) for row in body if clean(row[c]) not in _EMPTY]
        if not values:
            return 0.0
        return sum(parse_number(v) is not None for v in values) / len(values)

    # The unit column: a header that says so, else the first mostly-text column.
    text_columns = [c for c in range(width) if numeric_share(c) < 0.5
                    and sum(_looks_like_unit(row[c]) for row in body) >= max(1, len(body) // 2)]
    unit_col = next((c for c in text_columns if any(w in headers[c] for w in UNIT_KEYWORDS)), None)
    if unit_col is None and text_columns:
        unit_col = text_columns[0]
    if unit_col is None:
        return None
    numeric = []
    for c in range(width):
        if c == unit_col or _is_serial_header(headers[c]) or numeric_share(c) < 0.5:
            continue
        if not headers[c] and c < unit_col:  # a header-less 1, 2, 3 before the unit: 序号
            continue
        numeric.append(c)
    if not numeric:
        return None
    names = []
    for c in numeric:
        name = headers[c] or (DEFAULT_COLUMN if len(numeric) == 1 else f"第{c + 1}列")
        while name in names:
            name += "'"
        names.append(name)
    main = main_column(names)
    rows = []
    for row in body:
        unit = clean(row[unit_col])
        if not unit or _is_total(unit) or not _looks_like_unit(unit):
            continue
        numbers = {}
        for c, name in zip(numeric, names):
            value = parse_number(row[c])
            if value is not None:
                numbers[name] = value
        if not numbers:
            continue
        rows.append(QuotaRow(unit=unit, number=numbers.get(main), numbers=numbers))
    if not rows:
        return None
    return QuotaTable(title=title, columns=names, rows=rows)


# ---------------------------------------------------------------- HTML


def _table_grid(table) -> tuple[list[list[str]], int | None]:
    """The table's own rows (not nested tables') as a grid with spans expanded,
    and the number of leading rows made only of th cells (None if none)."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows left) from a rowspan above
    th_rows, counting = 0, True
    for tr in rows:
        cells = tr.xpath("./td | ./th")
        out: list[str] = []
        col = 0

        def fill_pending():
            nonlocal col
            while col in pending:
                text, left = pending[col]
                out.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1

        for cell in cells:
            fill_pending()
            text = clean(cell.text_content())
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for _ in range(colspan):
                out.append(text)
                if rowspan > 1:
                    pending[col] = (text, rowspan - 1)
                col += 1
        fill_pending()
        if counting and cells and all(c.tag == "th" for c in cells):
            th_rows += 1
        else:
            counting = False
        if any(out):
            grid.append(out)
    return grid, (th_rows or None)


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1


def _title_near(table, root) -> str:
    """The table's caption, else the nearest short text before it, preferring one that names a table."""
    caption = table.find("caption")
    if caption is not None and clean(caption.text_content()):
        return clean(caption.text_content())
    ancestors = set(table.iterancestors())
    texts: list[str] = []
    for el in root.iter(*_TEXT_TAGS, "table"):
        if el is table:
            break
        if el in ancestors or el.tag == "table":
            continue
        text = clean(el.text_content())
        if text and len(text) <= 60 and (not texts or texts[-1] != text):
            texts.append(text)
    nearest = texts[-4:]
    for text in reversed(nearest):
        if any(w in text for w in _TITLE_WORDS):
            return text
    return nearest[-1] if nearest else ""


_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "center", "td", "th", "li")


def _from_html(markup: str) -> QuotaTable | None:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", markup))
    except (etree.ParserError, ValueError):
        return None
    best = None
    for table in root.iter("table"):
        grid, th_rows = _table_grid(table)
        found = _from_grid(grid, th_rows) if th_rows else None
        found = found or _from_grid(grid)
        if found and (best is None or len(found.rows) > len(best[0].rows)):
            best = (found, table)
    if best is None:
        return None
    found, table = best
    found.title = found.title or _title_near(table, root)
    if not found.title:
        title = root.find(".//title")
        found.title = clean(title.text_content()) if title is not None else ""
    return found


# ---------------------------------------------------------------- text


def _split_cells(line: str) -> list[str]:
    return [clean(c) for c in re.split(r"\t|\s{2,}|\u3000+", line.strip()) if clean(c)]


def _from_text(text: str) -> QuotaTable | None:
    lines = [line.rstrip() for line in text.splitlines()]
    rows: list[QuotaRow] = []
    columns: list[str] = []
    first_row_at = None
    header: list[str] | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        cells = _split_cells(line)
        numbers = [parse_number(c) for c in cells]
        if len(cells) >= 2 and sum(n is None for n in numbers) >= 1 and any(n is not None for n in numbers):
            # A row of cells: a unit cell then numbers (a leading serial number is dropped).
            if numbers[0] is not None and len(cells) >= 3:
                cells, numbers = cells[1:], numbers[1:]
            unit_at = next((j for j, n in enumerate(numbers) if n is None), None)
            unit = cells[unit_at]
            value_cells = list(zip(cells[unit_at + 1:], numbers[unit_at + 1:]))
            if _looks_like_unit(unit) and value_cells and not _is_total(unit):
                names = _text_columns(header, unit_at, len(value_cells))
                got = {name: n for name, (_, n) in zip(names, value_cells) if n is not None}
                if got:
                    for name in names:
                        if name not in columns:
                            columns.append(name)
                    rows.append(QuotaRow(unit=unit, number=None, numbers=got))
                    first_row_at = i if first_row_at is None else first_row_at
                    continue
            if _is_total(unit):
                continue
        m = _LINE.match(line)
        if m and _looks_like_unit(m.group("unit")) and not _is_total(m.group("unit")):
            value = parse_number(m.group("n"))
            if value is not None:
                name = columns[0] if columns and header else DEFAULT_COLUMN
                if name not in columns:
                    columns.append(name)
                rows.append(QuotaRow(unit=clean(m.group("unit")), number=None, numbers={name: value}))
                first_row_at = i if first_row_at is None else first_row_at
                continue
        if m and _is_total(m.group("unit")):
            continue
        if len(cells) >= 2 and all(n is None for n in numbers) and first_row_at is None:
            header = cells
        elif first_row_at is None:
            header = None
    if len(rows) < 2:
        return None
    main = main_column(columns)
    for row in rows:
        row.number = row.numbers.get(main)
    title = ""
    before = [clean(line) for line in lines[:first_row_at] if clean(line)]
    candidates = [t for t in before if len(t) <= 60]
    for text in reversed(candidates[-5:]):
        if any(w in text for w in _TITLE_WORDS) and not (header and _split_cells(text) == header):
            title = text
            break
    return QuotaTable(title=title, columns=columns, rows=rows)


def _text_columns(header: list[str] | None, unit_at: int, count: int) -> list[str]:
    """Column names of a tab-separated row's numbers from the header line above (with or without 序号)."""
    if header and len(header) == unit_at + 1 + count:
        return header[unit_at + 1:]
    if header and len(header) == unit_at + 2 + count and _is_serial_header(header[0]):
        return header[unit_at + 2:]
    if count == 1:
        return [DEFAULT_COLUMN]
    return [f"第{j + 1}列" for j in range(count)]


# ---------------------------------------------------------------- entry point


def looks_like_html(content: str) -> bool:
    return bool(re.search(r"<(table|html|body|p|div|tr|td)\b", content[:20000], re.I))


def extract_quotas(content: str) -> QuotaTable | None:
    """The page's quota table, or None when it has none."""
    content = content or ""
    if looks_like_html(content):
        found = _from_html(content)
        if found:
            return found
        from gongkai.ingest.extract import html_to_text

        text, hints = html_to_text(content)
        found = _from_text(text)
        if found and not found.title:
            found.title = hints.title_tag or ""
        return found
    return _from_text(content)
