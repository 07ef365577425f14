"""Reports that governments really published (tests/reports/fixtures/real/
SOURCES.md): the checker reads each as it is, finds the problems really in it
and no other, and finds every error planted in it (one cell changed, a row
blanked or left out, a label renamed, a prose figure changed).

Most stored pages are the beginning of a report only: for each, the row where
the stored part stops is written down by hand, and the rows and tables after
it must be reported missing, and nothing else but the problems named here."""

from pathlib import Path

import pytest

from gongkai.reports import check
from gongkai.reports.formats import FORMATS
from tests.real_pages import real_page

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


def page(name: str) -> str:
    path = REAL / name if (REAL / name).exists() else real_page(name)
    return path.read_text(encoding="utf-8")


def found(result):
    return [(p.kind, p.table, p.row, p.column, p.stated, p.computed) for p in result.problems]


def missing_after(fmt_key: str, *, table2_last: str | None = "article_20_8.fees", table3_last: str | None = None,
                  table3_header_only: bool = False, table4: bool = False) -> list[tuple]:
    """The problems of a report whose stored part stops after these rows: every later row, every later table."""
    fmt = FORMATS[fmt_key]
    out = []
    if table2_last is None:
        out.append(("missing", 2, None, None, None, None))
    else:
        rows = [(f"{b.key}.{r.key}", f"{b.label} {r.label}") for b in fmt.table(2).blocks for r in b.rows]
        at = [key for key, _ in rows].index(table2_last)
        out += [("missing", 2, label, None, None, None) for _key, label in rows[at + 1:]]
    rows = fmt.table(3).rows
    if table3_header_only:
        out += [("missing", 3, r.full_label, None, None, None) for r in rows]
    elif table3_last is None:
        out.append(("missing", 3, None, None, None, None))
    else:
        at = [r.key for r in rows].index(table3_last)
        out += [("missing", 3, r.full_label, None, None, None) for r in rows[at + 1:]]
    if not table4:
        out.append(("missing", 4, None, None, None, None))
    return out


# name → (format, year, organisation, the problems really in the stored part)
CASES = {
    "zhanjiang-dfz-2023-annualreport.txt": ("2021", 2023, "湛江市人民政府地方志办公室", missing_after("2021", table3_last="1")),
    "changchun-bureau-2023-annualreport.txt": ("2021", None, "", missing_after("2021", table3_last="carried_over") + [
        ("prose", 3, "一、本年新收政府信息公开申请数量", "总计", 2, 3)]),
    "district-statistics-2023-annualreport.txt": ("2021", 2023, "区统计局", missing_after("2021", table3_last="1")),
    "xuwen-bureau-annualreport.txt": ("2021", None, "", missing_after("2021", table3_last="3.5")),
    "longgang-2024-annualreport.txt": ("2021", 2024, "", missing_after("2021", table3_last="3.7")),
    # these two stop in table 3's header: all its rows are missing
    "yangling-audit-2022-annualreport.txt": ("2021", 2022, "", missing_after("2021", table3_header_only=True)),
    "zhenan-maoping-2022-annualreport.txt": ("2021", 2022, "茅坪回族镇", missing_after("2021", table3_header_only=True)),
    "taojiang-audit-2020-annualreport.txt": ("2019", None, "", missing_after(
        "2019", table2_last="article_20_9.procurement", table3_last="2")),
    "yueyang-nanhu-2019-annualreport.txt": ("2019", None, "", missing_after(
        "2019", table2_last="article_20_9.procurement", table3_last="2")),
    "panzhihua-xiqu-audit-2020-annualreport.txt": ("2019", 2020, "攀枝花市西区审计局", missing_after(
        "2019", table2_last="article_20_6.penalty")),
    "jxx-civil-2023-annualreport-mirror.txt": ("2019", 2023, "", [("label", None, None, None, "2019", None)]
                                               + missing_after("2019", table2_last="article_20_5.other_services")),
    "longtian-2021-annualreport.txt": ("2019", 2021, "龙田镇人民政府", [("label", None, None, None, "2019", None)]
                                       + missing_after("2019", table2_last="article_20_1.regulations")),
}

SHANGHAI = "shanghai-2019-annualreport.html"
# Checked by hand against the page: eleven 总计 cells left empty, two prose figures its table contradicts.
SHANGHAI_PROBLEMS = [
    ("missing", 3, "（一）予以公开", "总计", None, 272),
    ("missing", 3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计", None, 3),
    ("missing", 3, "（三）不予公开 1.属于国家秘密", "总计", None, 14),
    ("missing", 3, "（三）不予公开 5.属于三类内部事务信息", "总计", None, 5),
    ("missing", 3, "（三）不予公开 6.属于四类过程性信息", "总计", None, 4),
    ("missing", 3, "（三）不予公开 8.属于行政查询事项", "总计", None, 12),
    ("missing", 3, "（四）无法提供 1.本机关不掌握相关政府信息", "总计", None, 265),
    ("missing", 3, "（四）无法提供 2.没有现成信息需要另行制作", "总计", None, 47),
    ("missing", 3, "（四）无法提供 3.补正后申请内容仍不明确", "总计", None, 25),
    ("missing", 3, "（五）不予处理 1.信访举报投诉类申请", "总计", None, 149),
    ("missing", 3, "（五）不予处理 2.重复申请", "总计", None, 9),
    ("prose", 3, "（一）予以公开＋（二）部分公开", "总计", 258, 275),
    ("prose", 3, "（四）无法提供", "总计", 265, 337),
]


@pytest.mark.parametrize("name", CASES)
def test_a_real_report_gives_the_problems_really_in_it_and_no_other(name):
    fmt, year, organisation, problems = CASES[name]
    result = check.check_page(page(name), name)
    assert not result.error
    assert (result.report.format.key, result.report.year, result.report.organisation) == (fmt, year, organisation)
    assert found(result) == problems


def test_the_complete_2019_report_of_shanghai():
    result = check.check_page(page(SHANGHAI))
    report = result.report
    assert (report.format.key, report.year, report.organisation) == ("2019", 2019, "上海市人民政府办公厅")
    assert found(result) == SHANGHAI_PROBLEMS
    table3 = report.tables[3].values
    assert table3["new"] == {"natural": 821, "commercial": 35, "research": None, "welfare": None,
                             "legal_service": 2, "other": 1, "total": 859}
    assert table3["4.1"]["natural"] == 252 and table3["outcomes_total"]["total"] == 805
    assert report.tables[2].values["article_20_9.procurement"] == {"projects": 6, "amount": 251000}
    assert report.tables[4].values["cases"]["direct.total"] == 9


def test_figures_read_from_real_shapes():
    values = check.check_page(page("longgang-2024-annualreport.txt")).report.tables[3].values
    assert values["new"] == {"natural": 58, "commercial": 7, "research": 0, "welfare": 0, "legal_service": 1,
                             "other": 0, "total": 66}
    assert values["2"]["total"] == 17
    report = check.check_page(page("xuwen-bureau-annualreport.txt")).report
    assert report.tables[2].values["article_20_1.normative"] == {"made": 3, "abolished": 0, "in_force": 101}
    assert report.tables[3].values["carried_over"] == {"natural": None, "commercial": None, "research": None,
                                                       "welfare": None, "legal_service": None, "other": None, "total": 0}
    report = check.check_page(page("district-statistics-2023-annualreport.txt")).report
    assert report.tables[2].values["article_20_1.regulations"] == {"made": 0, "abolished": 0, "in_force": 0}  # "/"
    report = check.check_page(page("taojiang-audit-2020-annualreport.txt")).report
    assert report.tables[2].values["article_20_1.normative"] == {"made": 2, "published": 2, "total": 2}
    # runs of empty cells collapsed by the crawler: the first figure to 自然人, the last to 总计, not checked across
    report = check.check_page(page("yueyang-nanhu-2019-annualreport.txt")).report
    assert report.tables[3].values["new"]["natural"] == 3 and report.tables[3].values["new"]["total"] == 3
    assert report.tables[3].uncertain_rows == {"new", "1"}


def test_the_pdf_page_of_table_4():
    result = check.check_page(page("audit-2020-flipbook-page9.txt"))
    assert result.report.tables[4].values["cases"] == {c.key: 0 for c in FORMATS["2021"].table(4).columns}
    assert found(result) == [("missing", 2, None, None, None, None), ("missing", 3, None, None, None, None)]


@pytest.mark.parametrize("name", ["gaoping-office-2023-annualreport.txt", "jinan-fuzhou-2016-annualreport.txt",
                                  "yichun-2023-annualreport-spammirror.txt", "shanghai-2022-annualreport.txt"])
def test_pages_with_no_table_are_not_recognised(name):
    result = check.check_page(page(name))
    assert result.error == check.NOT_A_REPORT and result.problems == []


# --- planted errors ---------------------------------------------------------------------

def planted(name: str, old: str, new: str):
    text = page(name)
    assert text.count(old) == 1, (name, old)
    baseline = found(check.check_page(text))
    after = found(check.check_page(text.replace(old, new)))
    return [p for p in after if p not in baseline], [p for p in baseline if p not in after]


SHANGHAI_CELL = "<td><p>1.属于国家秘密</p></td><td><p>14</p></td>"


PLANTED = [
    # one cell changed
    (SHANGHAI, SHANGHAI_CELL, SHANGHAI_CELL.replace("14", "15"),
     [("missing", 3, "（三）不予公开 1.属于国家秘密", "总计", None, 15),
      ("sum", 3, "（七）总计", "自然人", 767, 768),
      ("sum", 3, "（七）总计", "总计", 805, 806),  # the rows' totals (empty ones as the sum of their cells)
      ("prose", 3, "（三）不予公开", "总计", 35, 36)],
     [("missing", 3, "（三）不予公开 1.属于国家秘密", "总计", None, 14)]),
    (SHANGHAI, "<td><p>767</p></td><td><p>35</p></td><td><p>&nbsp;</p></td><td><p>&nbsp;</p></td><td><p>2</p></td>"
               "<td><p>1</p></td><td><p>805</p></td>",
     "<td><p>767</p></td><td><p>35</p></td><td><p>&nbsp;</p></td><td><p>&nbsp;</p></td><td><p>2</p></td>"
     "<td><p>1</p></td><td><p>806</p></td>",
     [("sum", 3, "（七）总计", "总计", 806, 805),  # across its row
      ("sum", 3, "（七）总计", "总计", 806, 805),  # down the outcome rows
      ("sum", 3, "一+二=三（七）+四", "总计", 877, 878), ("prose", 3, "（七）总计", "总计", 805, 806)], []),
    ("longgang-2024-annualreport.txt", "一、本年新收政府信息公开申请数量 | 58 |", "一、本年新收政府信息公开申请数量 | 59 |",
     [("sum", 3, "一、本年新收政府信息公开申请数量", "总计", 66, 67)], []),
    ("district-statistics-2023-annualreport.txt", "一、本年新收政府信息公开申请数量 |\n|\n",
     "一、本年新收政府信息公开申请数量 |\n2 |\n", [("sum", 3, "一、本年新收政府信息公开申请数量", "总计", 0, 2)], []),
    ("taojiang-audit-2020-annualreport.txt", "二、上年结转政府信息公开申请数量\n|\n0\n|", "二、上年结转政府信息公开申请数量\n|\n4\n|",
     [("sum", 3, "二、上年结转政府信息公开申请数量", "总计", 0, 4)], []),
    ("audit-2020-flipbook-page9.txt", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "0 0 0 0 1 0 0 0 0 0 0 0 0 0 0",
     [("sum", 4, "行政复议", "总计", 1, 0), ("prose", 4, "行政复议 总计", "总计", 0, 1)], []),
    # a row blanked, a row left out
    ("xuwen-bureau-annualreport.txt", "行政规范性文件 | 3 | 0 | 101 |", "行政规范性文件 |  |  |  |",
     [("missing", 2, "第二十条第（一）项 行政规范性文件", None, None, None)], []),
    (SHANGHAI, '<tr><td colspan="2"><p>（六）其他处理</p></td>', '<tr><td colspan="2"><p>（六）其它处理</p></td>',
     [("label", 3, "（六）其他处理", None, "（六）其它处理", None)], []),
    ("longgang-2024-annualreport.txt", "5.属于三类内部事务信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n", "",
     [("missing", 3, "（三）不予公开 5.属于三类内部事务信息", None, None, None)], []),
    ("changchun-bureau-2023-annualreport.txt", "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||\n", "",
     [("missing", 3, "二、上年结转政府信息公开申请数量", None, None, None)], []),
    # a label renamed
    ("longgang-2024-annualreport.txt", "6.属于四类过程性信息", "6.属于四类过程信息",
     [("label", 3, "（三）不予公开 6.属于四类过程性信息", None, "6.属于四类过程信息", None)], []),
    ("zhanjiang-dfz-2023-annualreport.txt", "信息内容 | 本年制发件数 |", "信息内容 | 本年制定件数 |",
     [("label", 2, "第二十条第（一）项", "本年制发件数", "本年制定件数", None)], []),
    ("yueyang-nanhu-2019-annualreport.txt", "二、上年结转政府信息公开申请数量 |", "二、上年结转政府信息公开申请 |",
     [("label", 3, "二、上年结转政府信息公开申请数量", None, "二、上年结转政府信息公开申请", None)], []),
    # a prose figure changed
    (SHANGHAI, "不予公开35件", "不予公开53件", [("prose", 3, "（三）不予公开", "总计", 53, 35)], []),
    (SHANGHAI, "因本机关不掌握等原因无法提供265件", "因本机关不掌握等原因无法提供337件", [],
     [("prose", 3, "（四）无法提供", "总计", 265, 337)]),
    ("changchun-bureau-2023-annualreport.txt", "共受理政府信息公开申请2件", "共受理政府信息公开申请3件", [],
     [("prose", 3, "一、本年新收政府信息公开申请数量", "总计", 2, 3)]),
    ("zhanjiang-dfz-2023-annualreport.txt", "一、本年新收政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
     "一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
     [("prose", 3, "一、本年新收政府信息公开申请数量", "总计", 0, 1)], []),
]


@pytest.mark.parametrize("name,old,new,added,gone", PLANTED,
                         ids=[f"{i}-{case[0].split('-')[0]}" for i, case in enumerate(PLANTED)])
def test_a_planted_error_is_found_exactly(name, old, new, added, gone):
    assert planted(name, old, new) == (added, gone)
