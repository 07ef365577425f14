"""Quota tables (信息发布任务分解表) read from pages: the hand-written fixtures
under fixtures/quotas/ (expected rows counted from the pages by hand), number
forms, and the `workplan quotas` command's JSON, text and exit codes; made-up
variants of every shape (one, two or three unit/number pairs a row as HTML,
tab, `|` crawler text, spaced text and one cell a line; units listed in groups
by target; windows of any run of months) and quota plans with such windows and
their carry-over. Real notices are in test_quota_real.py."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongkai.ingest.services import read_page
from gongkai.workplan.quota_table import (
    Span,
    carry_of,
    carry_pairs,
    extract_quotas,
    main_column,
    months_text,
    parse_month_ranges,
    parse_number,
    period_columns,
    window_of,
)

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


# ---------------------------------------------------------------- several pairs a row, in every shape

UNITS = [("市财政局", 12), ("市教育局", 8), ("市民政局", 6), ("市卫生健康委", 10), ("市交通运输局", 4), ("市水利局", 5),
         ("县人民政府办公室", 20)]


def _grid(k, *, serial=False, header=True, by_column=False):
    """The rows of a table holding k (unit, number) pairs a row; the last row may be short. by_column: the
    pairs run down the first block, then down the next (numbered, so the reading order is still known)."""
    items = [([str(i + 1)] if serial else []) + [unit, f"{n}条" if i % 3 == 1 else str(n)]
             for i, (unit, n) in enumerate(UNITS)]
    if by_column:
        height = -(-len(items) // k)
        blocks = [items[b * height:(b + 1) * height] for b in range(k)]
        rows = [[c for block in blocks if r < len(block) for c in block[r]] for r in range(height)]
    else:
        rows = [[c for item in items[x:x + k] for c in item] for x in range(0, len(items), k)]
    head = (["序号"] if serial else []) + ["单位名称", "任务数（条）"]
    return ([head * k] if header else []) + rows


def _html(grid, header):
    rows = []
    for i, row in enumerate(grid):
        tag = "th" if header and i == 0 else "td"
        rows.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in row) + "</tr>")
    return ("<html><head><title>通知</title></head><body><p>附件：2025年信息发布任务分配表</p><table>"
            + "".join(rows) + "</table><p>联系人：张三，电话：12345678</p></body></html>")


def _text(grid, separator, *, crawler=False):
    lines = [separator.join(row) + (" |" if crawler else "") for row in grid]
    return "附件：2025年信息发布任务分配表\n" + "\n".join(lines) + "\n联系人：张三，电话：12345678\n"


def _one_cell(grid):
    cells = [c for row in grid for c in row]
    return "附件：2025年信息发布任务分配表\n\n" + "\n\n".join(cells) + "\n\n联系人：张三\n"


SHAPES = {
    "html": lambda grid, header: _html(grid, header),
    "tab": lambda grid, header: _text(grid, "\t"),
    "crawler": lambda grid, header: _text(grid, " | ", crawler=True),
    "spaces": lambda grid, header: _text(grid, "    "),
    "one cell a line": lambda grid, header: _one_cell(grid),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("header", [True, False])
def test_one_two_or_three_pairs_a_row_in_every_shape(shape, k, header):
    page = SHAPES[shape](_grid(k, header=header), header)
    table = extract_quotas(page)
    assert table is not None, page
    assert _rows(table) == UNITS
    assert table.columns == (["任务数（条）"] if header else ["任务数"])
    assert table.total == 65 and table.title == "附件：2025年信息发布任务分配表"


@pytest.mark.parametrize("shape", ["html", "tab", "crawler", "one cell a line"])
@pytest.mark.parametrize("k", [2, 3])
def test_numbered_pairs_running_down_each_block_are_read_by_number(shape, k):
    table = extract_quotas(SHAPES[shape](_grid(k, serial=True, by_column=True), True))
    assert _rows(table) == UNITS  # 序号 gives the order, not the row


def test_pairs_side_by_side_skip_totals_and_keep_other_columns_apart():
    page = ("单位 | 全年 | 一季度 | 单位 | 全年 | 一季度 |\n"
            "县财政局 | 12 | 3 | 县教育局 | 8 | 2 |\n"
            "县民政局 | 4 | 1 | 合计 | 24 | 6 |\n")
    table = extract_quotas(page)
    assert table.columns == ["全年", "一季度"]
    assert [(r.unit, r.numbers) for r in table.rows] == [("县财政局", {"全年": 12, "一季度": 3}),
                                                        ("县教育局", {"全年": 8, "一季度": 2}),
                                                        ("县民政局", {"全年": 4, "一季度": 1})]
    # A table whose columns do not repeat is not cut into pairs.
    table = extract_quotas("单位\t全年\t备注\t完成数\n县财政局\t12\t含专栏\t3\n县教育局\t8\t—\t2\n")
    assert table.columns == ["全年", "完成数"] and _rows(table) == [("县财政局", 12), ("县教育局", 8)]


def test_tables_of_each_section_are_read_together_with_their_heading():
    html = ("<p>2025年度政务信息目标任务</p><p>一、县（市、区）目标分数</p>"
            "<table><tr><td>单 位</td><td>目标分值</td><td>单 位</td><td>目标分值</td></tr>"
            "<tr><td>东湖区</td><td>150</td><td>西山县</td><td>120</td></tr><tr><td>南岭县</td><td>120</td></tr></table>"
            "<p>二、市级部门目标任务</p>"
            "<table><tr><td>单位</td><td>目标分值</td><td>单位</td><td>目标分值</td></tr>"
            "<tr><td>市财政局</td><td>30</td><td>市教育局</td><td>20</td></tr></table>"
            "<table><tr><td>联系人</td><td>电话</td></tr><tr><td>张三</td><td>12345678</td></tr></table>")
    table = extract_quotas(html)
    assert table.title == "2025年度政务信息目标任务"
    assert [(r.unit, r.number, r.group) for r in table.rows] == [
        ("东湖区", 150, "一、县（市、区）目标分数"), ("西山县", 120, "一、县（市、区）目标分数"),
        ("南岭县", 120, "一、县（市、区）目标分数"), ("市财政局", 30, "二、市级部门目标任务"),
        ("市教育局", 20, "二、市级部门目标任务")]
    assert table.measure == "分" and table.groups == ["一、县（市、区）目标分数", "二、市级部门目标任务"]


@pytest.mark.parametrize("line, expected", [
    ("锦江区 120 青羊区 120", [("锦江区", 120), ("青羊区", 120)]),
    ("金牛区120武侯区120", [("金牛区", 120), ("武侯区", 120)]),
    ("市人事局（含编办）30 市民宗局20 市司法局 15", [("市人事局（含编办）", 30), ("市民宗局", 20), ("市司法局", 15)]),
    ("新津县80", [("新津县", 80)]),                          # one pair glued, but a unit's name
    ("（2）县财政局：１２条；", [("县财政局", 12)]),
])
def test_lines_of_pairs(line, expected):
    page = f"任务分配\n{line}\n县审计局 3\n"
    assert _rows(extract_quotas(page))[:-1] == expected


@pytest.mark.parametrize("line", ["全年发布信息不少于12条。", "联系电话：12345678", "成办发〔2007〕30号",
                                  "时间:2018-11-13 14:43:36", "共采用各单位信息1618条，其中县市区956条"])
def test_sentences_are_not_pairs(line):
    assert extract_quotas(f"{line}\n县审计局 3\n") is None


# ---------------------------------------------------------------- units grouped by target

GROUPED = """关于下达2025年政务信息发布任务的通知
各镇（街道）、县级各部门：
一、发布任务
（一）每月不少于5条的单位（3个）
县发展和改革局、县财政局、县教育局（含县体育中心）。
（二）每季度不少于6条的单位：
县民政局
县司法局
（三）全年任务为20条的单位（3个）：城关镇人民政府、河口镇人民政府。
（四）县审计局、县统计局：年度目标分值10分。
二、有关要求
（一）每季度至少发布2条政策解读信息。各单位要高度重视。
1-5月未完成的任务数累计到6-9月，9月前完成。
联系人：王某，电话：12345678
"""


def test_units_grouped_by_target():
    table = extract_quotas(GROUPED)
    assert table.title == "关于下达2025年政务信息发布任务的通知"
    assert [(r.unit, r.number, r.numbers) for r in table.rows] == [
        ("县发展和改革局", 5, {"每月": 5}), ("县财政局", 5, {"每月": 5}), ("县教育局（含县体育中心）", 5, {"每月": 5}),
        ("县民政局", 6, {"每季度": 6}), ("县司法局", 6, {"每季度": 6}),
        ("城关镇人民政府", 20, {"全年": 20}), ("河口镇人民政府", 20, {"全年": 20}),
        ("县审计局", 10, {"全年": 10}), ("县统计局", 10, {"全年": 10})]
    assert table.columns == ["每月", "每季度", "全年"]
    assert [r.group for r in table.rows][:4] == ["（一）每月不少于5条的单位（3个）"] * 3 + ["（二）每季度不少于6条的单位："]
    assert table.windows == {"每月": Span(every="month"), "每季度": Span(every="quarter"), "全年": Span(1, 12)}
    assert table.measures["每月"] == "条" and table.carry == "1-5>6-9"
    # (三) announces 3 units and lists 2; the task sentence under 二、 is no group.
    assert table.warnings == ["“（三）全年任务为20条的单位（3个）”写明3个单位，读到2个，请核对。"]


def test_groups_in_html_and_a_unit_listed_twice():
    html = ("<html><body><p>一、每月不少于3条：市财政局、市教育局。</p><p>二、每月不少于1条：市财政局、市档案馆。</p>"
            "</body></html>")
    table = extract_quotas(html)
    assert _rows(table) == [("市财政局", 3), ("市教育局", 3), ("市财政局", 1), ("市档案馆", 1)]
    assert table.warnings == ["“市财政局”出现2次，请核对。"]


@pytest.mark.parametrize("page, rows, column, measure", [
    ("每月不少于5条：县财政局、县教育局、县民政局", [("县财政局", 5), ("县教育局", 5), ("县民政局", 5)], "每月", "条"),
    ("年度目标分值20分的单位：县财政局、县教育局。", [("县财政局", 20), ("县教育局", 20)], "全年", "分"),
    ("一、全年任务为50分以上的单位（2个）\n县财政局、县教育局。", [("县财政局", 50), ("县教育局", 50)], "全年", "分"),
    ("以下单位每季度报送信息不少于3篇：\n县财政局\n县教育局\n\n请认真落实。", [("县财政局", 3), ("县教育局", 3)], "每季度", "条"),
    ("县财政局、县教育局：每月5条。", [("县财政局", 5), ("县教育局", 5)], "每月", "条"),
    ("（一）1-5月每月不少于两条的单位：县财政局，县教育局", [("县财政局", 2), ("县教育局", 2)], "1-5月每月", "条"),
    ("（二）6—9月任务10条的单位：县财政局、县教育局", [("县财政局", 10), ("县教育局", 10)], "6-9月", "条"),
])
def test_heading_forms_of_a_group(page, rows, column, measure):
    table = extract_quotas(page)
    assert _rows(table) == rows and table.columns == [column] and table.measure == measure
    assert table.warnings == []


def test_window_names_are_no_units():
    assert extract_quotas("第一季度 3 第二季度 4\n上半年 7\n") is None


def test_a_paragraph_is_not_a_group():
    page = ("（三）每月发布不少于3条的动态信息\n各单位要高度重视，确保按时完成。\n"
            "（四）全年不少于12条：请各单位认真落实。\n")
    assert extract_quotas(page) is None


# ---------------------------------------------------------------- windows of any run of months


@pytest.mark.parametrize("text, span", [
    ("1-5月", Span(1, 5)), ("1–5月任务数", Span(1, 5)), ("1月至5月", Span(1, 5)), ("六至九月", Span(6, 9)),
    ("10—12月份", Span(10, 12)), ("每月", Span(every="month")), ("月度任务", Span(every="month")),
    ("每季度", Span(every="quarter")), ("1-5月每月", Span(1, 5, "month")), ("第二季度", Span(4, 6)), ("Q4", Span(10, 12)), ("上半年", Span(1, 6)),
    ("全年任务数", Span(1, 12)), ("年度目标分值", Span(1, 12)), ("3月", Span(3, 3)), ("任务数", None),
    ("目标分值", None), ("9-5月", None),
])
def test_window_of(text, span):
    assert window_of(text) == span


def test_month_ranges():
    assert parse_month_ranges("1-5,6-9,10-12") == [(1, 5), (6, 9), (10, 12)]
    assert parse_month_ranges("1—5月、6至9月；12月") == [(1, 5), (6, 9), (12, 12)]
    assert months_text([(1, 5), (6, 9), (12, 12)]) == "1-5,6-9,12"
    for bad, message in [("", "请填写月份段"), ("1-5,5-9", "互不重叠"), ("6-9,1-5", "互不重叠"), ("0-3", "不是月份段"),
                         ("13", "不是月份段"), ("5-1", "不是月份段"), ("上半年", "不是月份段")]:
        with pytest.raises(ValueError, match=message):
            parse_month_ranges(bad)


@pytest.mark.parametrize("text, carry", [
    ("1–5月未完成的任务数累计到6–9月，9月前完成。", "1-5>6-9"),
    ("1至5月未完成部分结转至6至9月；6-9月未完成的计入10-12月。", "1-5>6-9,6-9>10-12"),
    ("当月未完成的任务数累计到下月。", "next"),
    ("各季度未完成部分顺延至年底。", "last"),
    ("6-9月未完成的累计到1-5月。", ""),                    # backwards: not a rule
    ("全年发布不少于12条，1-5月发布不少于5条。", ""),
])
def test_carry_of(text, carry):
    assert carry_of(text) == carry


def test_carry_pairs():
    assert carry_pairs("1-5>6-9, 6-9>10-12") == [((1, 5), (6, 9)), ((6, 9), (10, 12))]
    for bad in ["1-5", "6-9>1-5", "1-5>5-9"]:
        with pytest.raises(ValueError):
            carry_pairs(bad)


def test_columns_per_run_of_months_and_the_period_they_suggest():
    table = extract_quotas("序号\t单位\t全年\t1-5月\t6—9月\t10至12月\n1\t县财政局\t12\t5\t4\t3\n"
                           "2\t县教育局\t9\t3\t3\t3\n1-5月未完成的任务数累计到6-9月。\n")
    assert period_columns(table.columns, "months", "1-5,6-9,10-12") == ["1-5月", "6—9月", "10至12月"]
    assert period_columns(table.columns, "months", "1-6,7-12") is None
    assert period_columns(table.columns, "months", "not months") is None
    assert period_columns(table.columns, "month") is None  # 1-5月 is not May
    assert table.suggested_period() == ("months", "1-5,6-9,10-12") and table.carry == "1-5>6-9"
    assert _table("rowspan-quarters.html").suggested_period() == ("quarter", "")
    assert extract_quotas(GROUPED).suggested_period() is None  # 每月, 每季度 and 全年 targets: the office chooses
    assert extract_quotas("每月不少于3条：市财政局、市教育局。").suggested_period() == ("month", "")
    assert _table("text-list.txt").suggested_period() is None


# ---------------------------------------------------------------- plans with such windows


@pytest.fixture
def county(db, make_user):
    from gongkai.core.models import Organisation

    top = Organisation.objects.create(name="西山县人民政府", short_name="西山县", level="county", index_prefix="XS0")
    units = {key: Organisation.objects.create(name=name, level="department", parent=top, index_prefix=f"XS-{key}")
             for key, name in [("finance", "西山县财政局"), ("education", "西山县教育局")]}
    return top, units, make_user("xs-admin", (top, "office_admin"))


def _publish(make_document, org, *days):
    for i, day in enumerate(days):
        make_document(org, f"{org.name}信息{i}", published_date=day)


def test_a_plan_of_month_runs_carries_what_the_notice_says(county, make_document):
    from gongkai.workplan import quotas

    top, units, admin = county
    plan = quotas.create_quota_plan(organisation=top, user=admin, year=2024, title="2024年信息发布任务", period="months",
                                    months="1—5月、6-9月、10-12月", carry="1-5>6-9",
                                    targets={units["finance"]: 10, units["education"]: [4, 3, 2]})
    assert plan.months == "1-5,6-9,10-12"
    assert [(c.from_end, c.to_end) for c in plan.carry_rules.all()] == [(dt.date(2024, 5, 31), dt.date(2024, 9, 30))]
    assert list(plan.quotas.filter(organisation=units["education"]).values_list("start", "end", "target")) == [
        (dt.date(2024, 1, 1), dt.date(2024, 5, 31), 4), (dt.date(2024, 6, 1), dt.date(2024, 9, 30), 3),
        (dt.date(2024, 10, 1), dt.date(2024, 12, 31), 2)]
    _publish(make_document, units["finance"], dt.date(2024, 1, 10), dt.date(2024, 5, 31), dt.date(2024, 6, 1),
             *[dt.date(2024, 7, d) for d in range(1, 11)])

    def finance(day):
        return {w.start.month: w for w in quotas.windows(plan, as_of=day, organisation=units["finance"])}

    early = finance(dt.date(2024, 5, 31))  # the 1–5月 window has not ended: nothing carries yet
    assert (early[1].actual, early[1].shortfall, early[6].required) == (2, 8, 10)
    later = finance(dt.date(2024, 9, 30))
    assert (later[6].carried_in, later[6].required, later[6].actual, later[6].carried_from) == (
        8, 18, 11, ["1月1日至5月31日"])
    year_end = finance(dt.date(2024, 12, 31))
    assert (year_end[10].carried_in, year_end[10].required) == (0, 10)  # 6–9月's shortfall (7) stays: no rule
    assert quotas.year_attainment(plan, units["finance"], as_of=dt.date(2024, 12, 31)) == (13, 30)
    assert [w.label for w in quotas.current(plan, dt.date(2024, 8, 15))] == ["6月1日至9月30日"] * 2


def test_month_runs_need_not_cover_the_year_and_carry_next(county, make_document):
    from gongkai.workplan import quotas

    top, units, admin = county
    plan = quotas.create_quota_plan(organisation=top, user=admin, year=2024, title="专项", period="months",
                                    months="3-5,6-8", carry="next", targets={units["finance"]: 2})
    _publish(make_document, units["finance"], dt.date(2024, 2, 1), dt.date(2024, 12, 1))  # outside both windows
    ws = quotas.windows(plan, as_of=dt.date(2024, 12, 31))
    assert [(w.start, w.end, w.actual, w.required) for w in ws] == [
        (dt.date(2024, 3, 1), dt.date(2024, 5, 31), 0, 2), (dt.date(2024, 6, 1), dt.date(2024, 8, 31), 0, 4)]
    assert quotas.current(plan, dt.date(2024, 1, 15)) == []


def test_month_runs_and_carry_rules_are_checked(county):
    from django.core.exceptions import ValidationError

    from gongkai.workplan import quotas
    from gongkai.workplan.models import QuotaPlan

    top, units, admin = county

    def refused(match, **kwargs):
        data = {"organisation": top, "user": admin, "year": 2024, "title": "x", "period": "months", "months": "1-5,6-12"}
        with pytest.raises(ValidationError, match=match):
            quotas.create_quota_plan(**{**data, **kwargs})

    refused("请填写月份段", months="")
    refused("互不重叠", months="1-6,6-12")
    refused("不是本任务数的考核周期", carry="1-4>6-12")
    refused("其后", carry=[((6, 12), (1, 5))])
    refused("结转方式", carry="sideways")
    refused("“1-5月”不是本任务数的考核周期", period="quarter", carry="1-5>6-12")  # a quarter plan has no 1–5月
    assert not QuotaPlan.objects.exists()
    plan = quotas.create_quota_plan(organisation=top, user=admin, year=2024, title="季度", period="quarter",
                                    carry="1-3>10-12", months="ignored")
    assert plan.months == "" and [(c.from_end, c.to_end) for c in plan.carry_rules.all()] == [
        (dt.date(2024, 3, 31), dt.date(2024, 12, 31))]
    months = quotas.create_quota_plan(organisation=top, user=admin, year=2024, title="月份段", period="months",
                                      months="1-5,6-12")
    with pytest.raises(ValidationError, match="2个数（每个月份段一个）"):
        quotas.set_target(months, units["finance"], [1, 2, 3], user=admin)
