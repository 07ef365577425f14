"""The annual report as HTML (the catalog document's body, the staff preview,
`report annual --format html`) and as DOCX.

Both lay the tables out from one description (`layout`): the rows of each
table as the 2021 format prints them, each cell with its text, spans and
whether it is a header, so that the page, the Word file and the checker's
reader (gongkai.reports.page) see the same table. The body is plain HTML
the catalog's sanitiser keeps (h2, p, table with th scope, colspan, rowspan).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import annual as annual_mod
from .formats import FORMAT_2021, OUTCOMES_HEADING


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    scope: str = ""  # row | col | colgroup | rowgroup (headers)
    key: str = ""  # the cell key of a figure ("3:new:natural")
    computed: str = ""  # the computed value beside an overridden figure (preview only)


@dataclass
class TableLayout:
    number: int
    title: str
    caption: str
    rows: list[list[Cell]]
    width: int


def _value_text(annual, key: str) -> str:
    value = annual_mod.get(annual.stated, key)
    if value is None:
        return ""
    if key == "2:article_20_8.fees:fees":
        return annual_mod.fees_text(value)
    return str(value)


def _figure(annual, key: str, *, annotate: bool, colspan: int = 1) -> Cell:
    cell = Cell(_value_text(annual, key), colspan=colspan, key=key)
    if annotate:
        info = annual.overridden().get(key)
        if info is not None and info.computed_now is not None:
            cell.computed = str(info.computed_now)
    return cell


def _table_2(annual, annotate: bool) -> TableLayout:
    table = FORMAT_2021.table(2)
    width = 1 + max(len(block.columns) for block in table.blocks)
    rows = []
    for block in table.blocks:
        span = (width - 1) // len(block.columns)
        rows.append([Cell(block.label, colspan=width, header=True, scope="colgroup")])
        rows.append([Cell(block.header, header=True, scope="col")]
                    + [Cell(c.label, colspan=span, header=True, scope="col") for c in block.columns])
        for row in block.rows:
            rows.append([Cell(row.label, header=True, scope="row")]
                        + [_figure(annual, annual_mod.cell_key(2, f"{block.key}.{row.key}", c.key), annotate=annotate,
                                   colspan=span) for c in block.columns])
    return TableLayout(2, table.title, f"主动公开政府信息情况（{annual.year}年）", rows, width)


def _table_3(annual, annotate: bool) -> TableLayout:
    table = FORMAT_2021.table(3)
    columns = table.columns
    organisations = [c for c in columns if c.group == "法人或其他组织"]
    rows = [
        [Cell(table.note, colspan=3, rowspan=3), Cell("申请人情况", colspan=len(columns), header=True, scope="colgroup")],
        [Cell(columns[0].label, rowspan=2, header=True, scope="col"),
         Cell("法人或其他组织", colspan=len(organisations), header=True, scope="colgroup"),
         Cell(columns[-1].label, rowspan=2, header=True, scope="col")],
        [Cell(c.label, header=True, scope="col") for c in organisations],
    ]
    parts = [r for r in table.rows if r.role == "part"]
    total_row = next(r for r in table.rows if r.role == "total")

    def figures(row):
        return [_figure(annual, annual_mod.cell_key(3, row.key, c.key), annotate=annotate) for c in columns]

    for row in table.rows:
        if row.role == "summary":
            rows.append([Cell(row.label, colspan=3, header=True, scope="row")] + figures(row))
        elif row.role == "part":
            lead = []
            if row is parts[0]:
                lead.append(Cell(OUTCOMES_HEADING, rowspan=len(parts) + 1, header=True, scope="rowgroup"))
            if row.group:
                group = [r for r in table.rows if r.group == row.group]
                if row is group[0]:
                    lead.append(Cell(row.group, rowspan=len(group), header=True, scope="rowgroup"))
                lead.append(Cell(row.label, header=True, scope="row"))
            else:
                lead.append(Cell(row.label, colspan=2, header=True, scope="row"))
            rows.append(lead + figures(row))
        else:  # （七）总计
            rows.append([Cell(total_row.label, colspan=2, header=True, scope="row")] + figures(row))
    return TableLayout(3, table.title, f"收到和处理政府信息公开申请情况（{annual.year}年，单位：件）", rows,
                       3 + len(columns))


def _table_4(annual, annotate: bool) -> TableLayout:
    table = FORMAT_2021.table(4)
    columns = table.columns
    rows = [
        [Cell("行政复议", colspan=5, header=True, scope="colgroup"), Cell("行政诉讼", colspan=10, header=True, scope="colgroup")],
        [Cell(c.label, rowspan=2, header=True, scope="col") for c in columns[:5]]
        + [Cell("未经复议直接起诉", colspan=5, header=True, scope="colgroup"),
           Cell("复议后起诉", colspan=5, header=True, scope="colgroup")],
        [Cell(c.label, header=True, scope="col") for c in columns[5:]],
        [_figure(annual, annual_mod.cell_key(4, "cases", c.key), annotate=annotate) for c in columns],
    ]
    return TableLayout(4, table.title, f"政府信息公开行政复议、行政诉讼情况（{annual.year}年，单位：件）", rows, 15)


def layout(annual, *, annotate: bool = False) -> dict[int, TableLayout]:
    return {2: _table_2(annual, annotate), 3: _table_3(annual, annotate), 4: _table_4(annual, annotate)}


def sections(annual, *, annotate: bool = False) -> list[dict]:
    """The six sections in order: heading, paragraphs, and the table under 二, 三, 四."""
    tables = layout(annual, annotate=annotate)
    out = []
    for number, section in zip((None, 2, 3, 4, None, None), FORMAT_2021.sections):
        out.append({"heading": section.heading, "number": section.number,
                    "paragraphs": [line.strip() for line in annual.section_text(section.number).splitlines()
                                   if line.strip()],
                    "table": tables.get(number) if number else None})
    return out


def body_html(annual, *, annotate: bool = False) -> str:
    """The report's body (no title: the catalog document has its own)."""
    return render_to_string("reports/annual_body.html",
                            {"annual": annual, "sections": sections(annual, annotate=annotate), "annotate": annotate})


def page_html(annual) -> str:
    """A whole page: what `report annual --format html` writes."""
    return render_to_string("reports/annual_page.html", {"annual": annual, "body": mark_safe(body_html(annual))})


# --- DOCX -----------------------------------------------------------------------------------

def _grid(table: TableLayout) -> list[list[tuple[Cell, int, int]]]:
    """Each cell with its (row, column) origin in the full grid (the HTML table algorithm)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        out = []
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((cell, r, c))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        placed.append(out)
    return placed


def render_docx(annual) -> bytes:
    """The report as a Word file in the house style of official documents
    (gongkai.core.docx_style): title, opening, the six sections with
    their tables, the organisation and the date."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from gongkai.core.docx_style import BODY_FONT, TITLE_FONT, TITLE_SIZE, new_document
    from gongkai.core.docx_style import paragraph as _paragraph
    from gongkai.core.docx_style import set_font as _set_font

    doc = new_document(title=annual.title, author=annual.organisation.name, keywords="政府信息公开工作年度报告")

    _paragraph(doc, annual.title, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=TITLE_SIZE, bold=True,
               space_after=Pt(12))
    _paragraph(doc, annual.opening, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    small = Pt(9)
    for part in sections(annual):
        _paragraph(doc, part["heading"], font="黑体", indent=True)
        for text in part["paragraphs"]:
            _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        table = part["table"]
        if table is None:
            continue
        grid = doc.add_table(rows=len(table.rows), cols=table.width)
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        # The cells as laid out before any merge (Table.cell reads the whole grid at each call); the
        # regions are disjoint, so a merge never removes a cell another region starts or ends at.
        slots = grid._cells
        for row in _grid(table):
            for cell, r, c in row:
                target = slots[r * table.width + c]
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(slots[(r + cell.rowspan - 1) * table.width + c + cell.colspan - 1])
                paragraph = target.paragraphs[0]
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.header and cell.scope in ("row", "rowgroup") \
                    else WD_ALIGN_PARAGRAPH.CENTER
                _set_font(paragraph.add_run(cell.text), BODY_FONT, small, bold=cell.header and cell.scope != "row")
    _paragraph(doc, "")
    _paragraph(doc, annual.organisation.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_name(annual) -> str:
    return f"{annual.title}.docx"
