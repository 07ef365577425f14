"""The figures a report's prose states about its tables, from real sentences
(tests/reports/fixtures/real/SOURCES.md), and the clauses that state nothing
about them (other years, other areas, other kinds of application)."""

import pytest

from gongkai.reports.prose import figures


def stated(*lines):
    return [(f.quantity, f.value) for f in figures(list(lines))]


def test_shanghai_2019():
    line = ("市政府办公厅代表市政府共受理政府信息公开申请859件，申请数量较去年回落12.3%；答复政府信息公开申请805件"
            "（含上年度结转申请18件，另有72件申请按照《条例》顺延到下年度答复），均在法定期限内予以答复。"
            "予以公开及部分公开258件，占33.9%；不予公开35件，占4.34%；因本机关不掌握等原因无法提供265件，占32.9%；"
            "不予处理158件，占19.6%；其他处理0件。信息公开类行政复议7件，诉讼9件，均获维持。")
    assert stated(line) == [("new", 859), ("outcomes_total", 805), ("carried_over", 18), ("carried_forward", 72),
                            ("disclosed_and_partial", 258), ("withheld", 35), ("unable", 265),
                            ("not_processed", 158), ("other", 0), ("review_total", 7), ("litigation_total", 9)]


def test_gaoping_2023():
    line = ("依法依规做好政府信息依申请公开工作，全年共收到和办理依申请公开9件，全部为自然人申请，上年度结转政府信息公开申请0件。"
            "处理结果中，部分公开2件，因信息不存在的5件，结转至下一年度办理2件。")
    assert stated(line) == [("new", 9), ("carried_over", 0), ("partial", 2), ("carried_forward", 2)]


@pytest.mark.parametrize("line,expected", [
    ("本年度，共受理政府信息公开申请2件，都在法定期限内予以答复。", [("new", 2)]),
    ("3、依申请公开信息情况。全年收到依申请公开信息3条，答复率100%。", [("new", 3)]),
    ("2020年，区审计局收到政府信息依申请公开0件。", [("new", 0)]),
    ("2020年，行政复议0件，行政诉讼0件。", [("review_total", 0), ("litigation_total", 0)]),
    ("2023年，我局未收到政府信息公开申请。", [("new", 0)]),
    ("2022年，未收到依申请公开事项.", [("new", 0)]),
    ("未出现申请行政复议、提起行政诉讼的情况。", [("review_total", 0), ("litigation_total", 0)]),
    ("2023年，我办全年未收到行政许可申请；全年未接到信息公开申请；各栏目共刊发文稿44篇。", [("new", 0)]),
    ("（二）依申请公开。2021年，我镇没有收到依申请公开政府信息的申请。", [("new", 0)]),
])
def test_real_sentences(line, expected):
    assert stated(line) == expected


@pytest.mark.parametrize("line", [
    "全年市本级政府网站公开政府信息3.3万余条、信息公开平台公开信息1.2万余条、发布政策性文件61件。",
    "2023年，共办理政府12345热线47件，已全部办结，回复率和满意率均达100%。",
    "本年度共处理群众留言92条。",
    "全市各级行政机关共收到政府信息公开申请14069件。",  # another area than the table's
    "收到政府信息公开申请数量较上年增加10件。",  # a comparison
    "截至年底累计受理政府信息公开申请1200件。",  # a running total
    "2019年，通过门户网站主动公开规章13件，行政规范性文件60件。",
    "统一受理平台接入53个部门2261项事项。",
])
def test_clauses_that_say_nothing_about_the_tables(line):
    assert stated(line) == []


def test_a_figure_that_includes_another_is_not_compared_with_one_row():
    assert stated("予以公开5件（含部分公开2件），不予公开1件。") == [("partial", 2), ("withheld", 1)]
    assert stated("答复政府信息公开申请805件（含上年度结转申请18件）。") == [("outcomes_total", 805), ("carried_over", 18)]
