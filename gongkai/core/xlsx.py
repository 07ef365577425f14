"""Spreadsheet downloads (openpyxl): one look for every workbook the platform
writes (bold, frozen header row, column widths, wrapped long text) and one
way of sending it.

Every cell goes through `cell_value`: much of what the workbooks hold is text
from outside (crawled pages, imported plans, what units report), and text
that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return)
would be run by a spreadsheet program, or become a formula again when the
sheet is saved as CSV. Such text is written with a leading apostrophe, as
the OWASP guidance on CSV injection advises; numbers, dates and text that is
just a number ("-3", "+5.5") are written as they are. No other module writes
workbooks (tests/core/test_xlsx_escape.py checks who imports openpyxl)."""

from __future__ import annotations

import io
import re

from django.http import HttpResponse

from .http import attachment_header

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# The control characters an .xlsx file cannot hold (openpyxl refuses them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_value(value):
    """`value` as it is safe to write in a cell: text that a spreadsheet would
    read as a formula gets a leading apostrophe, characters no workbook can
    hold are dropped; anything else (numbers, dates, None) is unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def sheet(book, title: str, header: list[str], rows, *, widths: list[int], number_columns=(), wrap_columns=(),
          date_columns=(), number_format: str = "0.00"):
    """A new sheet of `book` with a bold, frozen header row; the column
    numbers (`number_columns`, `date_columns`, `wrap_columns`) are 1-based."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    ws.append([cell_value(value) for value in header])
    for row in rows:
        ws.append([cell_value(value) for value in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for col in number_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = number_format
    for col in date_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "yyyy-mm-dd"
    for col in wrap_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def workbook():
    """An empty workbook (without openpyxl's default sheet): add sheets with `sheet`."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def to_bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as a download named `filename`."""
    resp = HttpResponse(content, content_type=CONTENT_TYPE)
    resp["Content-Disposition"] = attachment_header(filename)
    return resp
