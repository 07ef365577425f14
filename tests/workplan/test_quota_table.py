"""Quota tables (信息发布任务分解表) read from pages: the hand-written fixtures
under fixtures/quotas/ (expected rows counted from the pages by hand), number
forms, and the `workplan quotas` command's JSON, text and exit codes."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongkai.ingest.services import read_page
from gongkai.workplan.quota_table import extract_quotas, main_column, parse_number

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quotas"


def _table(name):
    return extract_quotas(read_page(FIXTURES / name))


def _rows(table):
    return [(r.unit, r.number) for r in table.rows]


def test_html_table_with_header_row_and_total():
    table = _table("header-and-total.html")
    assert table.title == "附件：2024年政务信息发布任务分解表"
    assert table.columns == ["全年任务数（条）"]  # 序号 and 备注 (text) are not numeric columns
    # "12条" and full-width "１８" are numbers; 市卫生健康委 ("—", 另行下达) has none; 合  计 is skipped.
    assert _rows(table) == [("市发展改革委", 24), ("市财政局", 12), ("市教育局", 18), ("市民政局", 10)]
    assert table.total == 64


def test_rowspan_colspan_and_quarter_columns():
    table = _table("rowspan-quarters.html")
    assert table.title == "2024年度各单位政务信息报送任务分解表"
    assert table.columns == ["全年任务数", "第一季度", "第二季度", "第三季度", "第四季度"]
    # 类别 (rowspan 3 and 2) is not the unit column; 小计（县市区） and 总计 (colspan 3) are skipped.
    assert _rows(table) == [("市财政局", 20), ("市教育局", 16), ("市自然资源局", 12), ("东湖区人民政府", 40),
                            ("西山县人民政府", 30)]
    assert table.rows[4].numbers == {"全年任务数": 30, "第一季度": 6, "第二季度": 8, "第三季度": 8, "第四季度": 8}
    assert table.total == 118


def test_gbk_page_with_a_layout_table():
    raw = (FIXTURES / "gbk-layout-table.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK
    table = _table("gbk-layout-table.html")
    assert table.title == "附件：西山县2024年政务信息公开任务表"
    # 责任单位 is the unit column; the main column is the one with 数量; "—" is no value.
    assert table.columns == ["信息公开数量（篇）", "其中：政策解读"]
    assert _rows(table) == [("县政府办公室", 50), ("县公安局", 20), ("县市场监督管理局", 25), ("石门乡人民政府", 15)]
    assert table.rows[1].numbers == {"信息公开数量（篇）": 20}
    assert table.total == 110


def test_text_list():
    table = _table("text-list.txt")
    assert table.title == "2024年政府信息主动公开任务数"
    assert table.columns == ["任务数"]
    # 合计：132条 is skipped; 联系人…电话 is not a unit; the sentence with 不少于 has no row.
    assert _rows(table) == [("县发展和改革局", 36), ("县财政局", 24), ("县教育局", 30), ("县人力资源和社会保障局", 18),
                            ("城关镇人民政府", 12), ("河口镇人民政府", 12)]
    assert table.total == 132


def test_tab_separated_text_with_header():
    table = _table("tab-separated.txt")
    assert table.title == "2024年政务公开重点信息发布任务"
    assert table.columns == ["全年", "上半年", "下半年"]
    assert _rows(table) == [("区财政局", 10), ("区教育局", 8), ("区民政局", 6)]
    assert table.rows[0].numbers == {"全年": 10, "上半年": 5, "下半年": 5}


def test_main_column_and_numbers():
    assert main_column(["第一季度", "合计"]) == "合计"
    assert main_column(["第一季度", "全年任务数"]) == "全年任务数"
    assert main_column(["第一季度", "第二季度"]) == "第一季度"
    assert [parse_number(t) for t in ["12", "12条", "１２", " 7 篇", "—", "", "十二", "12.0", "3.5"]] == [
        12, 12, 12, 7, None, None, None, 12, None]


def test_first_numeric_column_when_no_header_names_the_total():
    html = ("<table><tr><th>单位</th><th>一季度</th><th>二季度</th></tr>"
            "<tr><td>市财政局</td><td>3</td><td>4</td></tr><tr><td>市教育局</td><td>1</td><td>2</td></tr></table>")
    table = extract_quotas(html)
    assert _rows(table) == [("市财政局", 3), ("市教育局", 1)]


def test_title_row_inside_the_table():
    html = ("<p>附件</p><table><tr><td colspan=\"3\">2025年政务信息发布任务表</td></tr>"
            "<tr><td>序号</td><td>单位名称</td><td>任务数（条）</td></tr>"
            "<tr><td>1</td><td>县财政局</td><td>6</td></tr><tr><td>2</td><td>县民政局</td><td>4条</td></tr></table>")
    table = extract_quotas(html)
    assert table.title == "2025年政务信息发布任务表"
    assert table.columns == ["任务数（条）"]
    assert _rows(table) == [("县财政局", 6), ("县民政局", 4)]


def test_pages_without_a_table():
    assert extract_quotas("<html><body><p>关于做好政务公开工作的通知</p><p>请认真贯彻执行。</p></body></html>") is None
    assert extract_quotas("各单位全年发布信息不少于12条。\n联系电话：12345678\n") is None


# ---------------------------------------------------------------- the command


def _run(*argv):
    out = io.StringIO()
    call_command("workplan", *argv, stdout=out)
    return out.getvalue()


@pytest.fixture
def city_units(db):
    from gongkai.core.models import Organisation

    city = Organisation.objects.create(name="江城市人民政府", short_name="江城市", level="city", index_prefix="JC000")
    return {
        "finance": Organisation.objects.create(name="江城市财政局", level="department", parent=city, index_prefix="JC001"),
        "education": Organisation.objects.create(name="江城市教育局", level="department", parent=city,
                                                 index_prefix="JC002"),
    }


def test_command_json_matches_units(city_units):
    data = json.loads(_run("quotas", str(FIXTURES / "header-and-total.html"), "--json"))
    assert data["title"] == "附件：2024年政务信息发布任务分解表"
    assert data["columns"] == ["全年任务数（条）"]
    assert data["total"] == 64
    by_unit = {row["unit"]: row for row in data["rows"]}
    assert list(by_unit) == ["市发展改革委", "市财政局", "市教育局", "市民政局"]
    assert by_unit["市财政局"] == {"unit": "市财政局", "number": 12, "numbers": {"全年任务数（条）": 12},
                                   "organisation": {"id": city_units["finance"].pk, "name": "江城市财政局"}}
    assert by_unit["市教育局"]["organisation"]["id"] == city_units["education"].pk
    assert by_unit["市发展改革委"]["organisation"] is None


def test_command_text_table(city_units):
    lines = _run("quotas", str(FIXTURES / "rowspan-quarters.html")).splitlines()
    assert lines[0] == "2024年度各单位政务信息报送任务分解表"
    assert lines[1].split() == ["unit", "organisation", "全年任务数", "第一季度", "第二季度", "第三季度", "第四季度"]
    assert lines[3].split() == ["市财政局", "江城市财政局", "20", "5", "5", "5", "5"]
    assert lines[4].split() == ["市教育局", "江城市教育局", "16", "4", "4", "4", "4"]
    assert lines[5].split() == ["市自然资源局", "-", "12", "3", "3", "3", "3"]
    assert lines[-1] == "units: 5, total: 118, not matched to an organisation: 3"


@pytest.mark.django_db
def test_command_exit_codes(tmp_path):
    page = tmp_path / "notice.html"
    page.write_text("<html><body><p>关于做好政务公开工作的通知</p><p>请认真贯彻执行。</p></body></html>", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        _run("quotas", str(page))
    assert info.value.returncode == 1
    assert str(info.value) == f"no quota table found in {page}"
    with pytest.raises(CommandError) as info:
        _run("quotas", str(tmp_path / "missing.html"))
    assert info.value.returncode == 2
    assert str(info.value) == f"cannot read {tmp_path / 'missing.html'}: no such file"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError) as info:
        _run("quotas", str(empty), "--json")
    assert info.value.returncode == 2


@pytest.mark.django_db
def test_command_line_exit_code_and_stderr(tmp_path, capsys):
    """From the command line: the message on stderr, the exit code, nothing on stdout."""
    from django.core.management import ManagementUtility

    page = tmp_path / "notice.txt"
    page.write_text("请认真贯彻执行。\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        ManagementUtility(["gongkai", "workplan", "quotas", str(page)]).execute()
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"no quota table found in {page}" and captured.out == ""


@pytest.mark.parametrize("columns, period, expected", [
    (["全年任务数", "第一季度", "第二季度", "第三季度", "第四季度"], "quarter", ["第一季度", "第二季度", "第三季度", "第四季度"]),
    (["全年", "Q1", "Q2", "Q3", "Q4"], "quarter", ["Q1", "Q2", "Q3", "Q4"]),
    (["一季度", "二季度", "三季度"], "quarter", None),                       # a quarter missing
    (["全年"] + [f"{m}月" for m in range(12, 0, -1)], "month", [f"{m}月" for m in range(1, 13)]),
    (["全年任务数", "第一季度"], "year", None),
])
def test_period_columns(columns, period, expected):
    from gongkai.workplan.quota_table import period_columns

    assert period_columns(columns, period) == expected
