"""A saved report page → a stream of cells and the prose around them.

Pure: text or HTML in, a `Page` out; no database. Real annual reports reach
the checker in several shapes, and each is read into the same stream:

- HTML tables: one row per <tr>, one cell per <td>/<th>, empty cells kept
  (a table that holds other tables is page layout, not a report table);
- text with `a | b | c |` rows (a crawler's table rows, with or without a
  leading `|`);
- one cell a line, each ending in ` |`: a line that is a lone `|` is an empty
  cell, a line of several pipes only (`||`, `|||`) is the padding of a row;
- one cell a line with the cells separated by lone `|` lines (then the `|`
  lines are separators, not cells);
- one cell a line with no pipes at all (blank lines between);
- text from a PDF: a row's label followed by its numbers on the same line
  (`四、结转下年度继续办理 0 0 0 0 0 0 0`), or a line of numbers alone.

Numbers are read with full-width digits, thousands separators and units
(件, 元, 万元); `/`, `-`, `—` and `无` in a cell mean "none" (0).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

TEXT, NUMBER, EMPTY = "text", "number", "empty"

# Cells that say "none" rather than leave the cell empty.
_NONE_MARKS = {unicodedata.normalize("NFKC", mark) for mark in ("/", "-", "—", "——", "--", "－", "／", "无", "－－", "一一")}
_NUMBER = re.compile(r"^[^\w\u3400-\u9fff]*?([+-]?\d[\d,]*(?:\.\d+)?)\s*(?:件|个|项|条|次|人次|万元|元)?$")
_N = r"[+\-＋－]?\d[\d,，]*(?:[.．]\d+)?"  # \d takes full-width digits too
_NUMBERS_LINE = re.compile(rf"^(?:{_N}\s+)+{_N}$")
_LABEL_THEN_NUMBERS = re.compile(rf"^(\S.*?\D)\s+((?:{_N}\s+)*{_N})$")
_SENTENCE_END = re.compile(r"[。；;！？]")
# Where one line holds two labels (a PDF row: "三、本年度办理结果 （一）予以公开 2 1 0 0 0 0 3").
_LABEL_BREAK = re.compile(r"\s+(?=[（(][一二三四五六七八九十]+[）)]|\d+\s*[.、．](?!\d)|[一二三四五六七八九十]+、)")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_ONLY_PIPES = re.compile(r"^\|(?:\s*\|)+$")


def clean(text: str) -> str:
    """Text of a cell or line: no-break and full-width spaces folded, ends trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def number_of(text: str) -> float | int | None:
    """The number a cell holds, or None when it holds something else."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value in _NONE_MARKS:
        return 0
    match = _NUMBER.match(value)
    if not match:
        return None
    digits = match.group(1).replace(",", "")
    if "." in digits:
        number = float(digits)
        return int(number) if number.is_integer() else number
    return int(digits)


@dataclass
class Cell:
    text: str
    kind: str  # text | number | empty
    row: int  # cells of one table row share it; each line of one-cell-a-line text has its own
    value: float | int | None = None
    in_row: bool = False  # the row holds other cells (an HTML or `a | b |` row)

    @property
    def is_value(self) -> bool:
        return self.kind in (NUMBER, EMPTY)


@dataclass
class Page:
    cells: list[Cell] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)  # lines outside tables
    title: str = ""  # an HTML page's <title>
    shape: str = ""  # html | pipes | lines (how the tables were laid out)

    @property
    def text(self) -> str:
        return "\n".join(self.prose)


class _Builder:
    def __init__(self):
        self.page = Page()
        self.row = 0

    def add_row(self, texts: list[str], *, table: bool) -> None:
        self.row += 1
        in_row = table and len(texts) > 1
        for text in texts:
            self._add(clean(text), in_row)

    def add_line_cells(self, text: str) -> None:
        """One line of text that is not a table row: one cell, or a label and
        its numbers, or a line of numbers."""
        text = clean(text)
        if not text:
            return
        self.row += 1
        if _NUMBERS_LINE.match(text):
            for part in text.split():
                self._add(part, True)
            return
        match = _LABEL_THEN_NUMBERS.match(text)
        if match and not _SENTENCE_END.search(match.group(1)) and len(match.group(1)) <= 80 \
                and not match.group(1).rstrip().endswith(("年", "月", "第")):
            for label in _LABEL_BREAK.split(match.group(1).strip()):
                self._add(label, True)
            for part in match.group(2).split():
                self._add(part, True)
            return
        labels = _LABEL_BREAK.split(text) if len(text) <= 100 and not _SENTENCE_END.search(text) else [text]
        for label in labels:
            self._add(label, False)

    def _add(self, text: str, in_row: bool) -> None:
        if not text:
            self.page.cells.append(Cell("", EMPTY, self.row, None, in_row))
            return
        value = number_of(text)
        if value is None:
            self.page.cells.append(Cell(text, TEXT, self.row, None, in_row))
        else:
            self.page.cells.append(Cell(text, NUMBER, self.row, value, in_row))


def looks_like_html(content: str) -> bool:
    return bool(re.search(r"<(?:html|body|table|tr|td|p|div|br)\b", content[:20000], re.IGNORECASE))


def read(content: str) -> Page:
    """The cells and prose of a page (HTML or text)."""
    if looks_like_html(content):
        return _read_html(content)
    return _read_text(content)


# --- text ------------------------------------------------------------------------


def _pipe_cells(line: str) -> list[str]:
    parts = line.split("|")
    if line.startswith("|"):
        parts = parts[1:]
    if line.endswith("|"):
        parts = parts[:-1]
    return parts


def _read_text(content: str) -> Page:
    builder = _Builder()
    lines = [clean(line) for line in content.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    bars = sum(1 for line in lines if line == "|")
    cell_lines = sum(1 for line in lines if line.endswith("|") and line.count("|") == 1 and len(line) > 1)
    pipe_rows = sum(1 for line in lines if "|" in line.strip("|") and not _ONLY_PIPES.match(line))
    bars_separate = bars > 0 and cell_lines == 0
    builder.page.shape = "pipes" if pipe_rows or cell_lines else "lines"
    previous = ""
    for line in lines:
        if not line:
            continue
        after_bar, previous = previous == "|", line
        if line == "|":
            if not bars_separate or after_bar:
                # an empty cell: a lone `|` of a one-cell-a-line table, or nothing between two separators
                builder.add_row([""], table=True)
            continue
        if _ONLY_PIPES.match(line):
            continue  # a row's padding
        if "|" in line:
            cells = _pipe_cells(line)
            if len(cells) == 1:
                builder.add_line_cells(cells[0])
            else:
                builder.add_row(cells, table=True)
            continue
        builder.page.prose.append(line)
        builder.add_line_cells(line)
    return builder.page


# --- HTML ------------------------------------------------------------------------

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "select", "textarea", "svg"}
_BLOCKS = {"p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
           "blockquote", "pre", "header", "footer", "main", "aside", "nav", "form", "center", "caption", "hr"}


def _read_html(content: str) -> Page:
    from lxml import etree
    from lxml import html as lxml_html

    builder = _Builder()
    builder.page.shape = "html"
    try:
        root = lxml_html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return _read_text(re.sub(r"<[^>]+>", "\n", content))
    title = root.find(".//title")
    if title is not None:
        builder.page.title = clean(title.text_content())
    body = root.find("body")
    line: list[str] = []

    def flush():
        text = clean("".join(line))
        line.clear()
        if text:
            builder.page.prose.append(text)
            builder.add_line_cells(text)

    def cell_text(cell) -> str:
        return clean("".join(cell.itertext()).replace("\n", " "))

    def walk(node):
        if not isinstance(node.tag, str):  # comments, processing instructions
            if node.tail:
                line.append(node.tail)
            return
        tag = node.tag.lower()
        if tag in _SKIP:
            if node.tail:
                line.append(node.tail)
            return
        if tag == "table" and node.find(".//table") is None:
            flush()
            for tr in node.iter("tr"):
                cells = [cell_text(cell) for cell in tr if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]
                if cells:
                    builder.add_row(cells, table=True)
            if node.tail:
                line.append(node.tail)
            return
        block = tag in _BLOCKS or tag in ("table", "tr", "td", "th", "tbody", "thead")
        if block or tag == "br":
            flush()
        if node.text:
            line.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node.tail:
            line.append(node.tail)

    walk(body if body is not None else root)
    flush()
    return builder.page
