"""The checker reads a report the same whatever shape its page has (HTML
tables, `a | b |` rows, one cell a line, PDF text ...), in either format,
with full-width digits, half-width punctuation or blank cells; and it finds
one planted error in any of them. The made-up report is tests/reports/render.py."""

import pytest

from gongkai.reports import check
from gongkai.reports.data import ReportData
from gongkai.reports.formats import FORMAT_2019, FORMAT_2021
from tests.reports import render

SHAPES = list(render.SHAPES)
LOSSLESS = [s for s in SHAPES if s not in ("plain-lines", "pdf", "pdf-numbers-next-line")]  # keep empty cells


def problems(text):
    result = check.check_page(text)
    assert not result.error, result.error
    return [(p.kind, p.table, p.row, p.column, p.stated, p.computed) for p in result.problems]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fmt", [FORMAT_2021, FORMAT_2019], ids=["2021", "2019"])
def test_every_shape_reads_the_same_figures_and_finds_nothing(shape, fmt):
    result = check.check_page(render.report(shape, fmt=fmt))
    expected = render.figures() if fmt is FORMAT_2021 else render.to_2019(render.figures())
    report = result.report
    assert report.format is fmt
    assert report.year == (2023 if fmt is FORMAT_2021 else 2020)
    assert report.organisation == render.ORGANISATION
    assert report.tables[2].values == expected["table2"]
    assert report.tables[3].values == expected["table3"]
    assert report.tables[4].values["cases"] == render.TABLE_4
    assert result.problems == []


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("variant", [{"full_width": True}, {"half_width": True}], ids=["full-width-digits", "half-width"])
def test_digit_and_punctuation_width_change_nothing(shape, variant):
    result = check.check_page(render.report(shape, **variant))
    assert result.report.tables[3].values == render.figures()["table3"]
    assert result.report.tables[2].values["article_20_8.fees"] == {"fees": 12.56}
    assert result.problems == []


@pytest.mark.parametrize("shape", LOSSLESS)
def test_blank_cells_count_as_zero_but_a_blank_row_of_table_2_is_missing(shape):
    assert problems(render.report(shape, blank_zero=True)) == [
        ("missing", 2, "第二十条第（一）项 规章", None, None, None)]


@pytest.mark.parametrize("shape", SHAPES)
def test_heji_for_zongji_is_read_and_reported_as_a_label(shape):
    result = check.check_page(render.report(shape, total_label="合计"))
    assert result.report.tables[3].values == render.figures()["table3"]
    found = [(p.kind, p.table, p.row, p.column, p.expected) for p in result.problems]
    assert found == [("label", 3, None, "总计", "总计"), ("label", 3, "（七）总计", None, "（七）总计")]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_missing_column_is_reported_and_the_others_still_read(shape):
    columns = [c for c in render.COLUMNS if c != "other"]
    result = check.check_page(render.report(shape, columns=columns))
    assert [(p.kind, p.table, p.column) for p in result.problems] == [("missing", 3, "其他")]
    assert result.report.tables[3].values["4.1"] == {"natural": 25, "commercial": 3, "research": 0, "welfare": 0,
                                                     "legal_service": 1, "total": 29}


# --- planted errors ------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_a_changed_cell(shape):
    figs = render.figures()
    figs["table3"]["4.1"]["natural"] = 26  # 25 → 26: its row no longer adds up, nor does 自然人 down (七)
    assert problems(render.report(shape, figs=figs)) == [
        ("sum", 3, "（四）无法提供 1.本机关不掌握相关政府信息", "总计", 29, 30),
        ("sum", 3, "（七）总计", "自然人", 57, 58),
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_changed_total_breaks_the_row_the_balance_and_the_prose(shape):
    figs = render.figures()
    figs["table3"]["new"]["total"] = 67
    assert problems(render.report(shape, figs=figs)) == [
        ("sum", 3, "一、本年新收政府信息公开申请数量", "总计", 67, 66),
        ("sum", 3, "一+二=三（七）+四", "总计", 69, 68),
        ("prose", 3, "一、本年新收政府信息公开申请数量", "总计", 66, 67),
    ]


@pytest.mark.parametrize("shape", LOSSLESS)
def test_a_blank_total(shape):
    figs = render.figures()
    figs["table3"]["5.2"]["total"] = None
    assert problems(render.report(shape, figs=figs)) == [
        ("missing", 3, "（五）不予处理 2.重复申请", "总计", None, 3)]


@pytest.mark.parametrize("shape", ["html", "cell-lines"])
def test_an_empty_total_is_only_missing_not_a_false_sum_too(shape):
    figs = render.figures()
    figs["table3"]["new"]["total"] = None
    figs["table3"]["outcomes_total"]["total"] = None
    assert problems(render.report(shape, figs=figs)) == [
        ("missing", 3, "一、本年新收政府信息公开申请数量", "总计", None, 66),
        ("missing", 3, "（七）总计", "总计", None, 64),
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_row_left_out(shape):
    assert problems(render.report(shape, drop_rows=("4.2",))) == [
        ("missing", 3, "（四）无法提供 2.没有现成信息需要另行制作", None, None, None),
        ("sum", 3, "（七）总计", "自然人", 57, 54),
        ("sum", 3, "（七）总计", "总计", 64, 61),
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_renamed_label_is_still_read(shape):
    wrong = "5.属于三类内容事务信息"
    result = check.check_page(render.report(shape, rename={"5.属于三类内部事务信息": wrong}))
    assert [(p.kind, p.table, p.row, p.stated, p.expected) for p in result.problems] == [
        ("label", 3, "（三）不予公开 5.属于三类内部事务信息", wrong, "（三）不予公开 5.属于三类内部事务信息")]
    assert result.report.tables[3].values["3.5"]["total"] == 1


@pytest.mark.parametrize("shape", ["html", "pipes", "pdf"])
def test_a_changed_prose_figure(shape):
    text = render.report(shape).replace("无法提供33件", "无法提供31件")
    assert problems(text) == [("prose", 3, "（四）无法提供", "总计", 31, 33)]


@pytest.mark.parametrize("shape", ["html", "cell-lines", "pdf"])
def test_table_4_totals(shape):
    figs = render.figures()
    figs["table4"]["direct.total"] = 3
    assert problems(render.report(shape, figs=figs)) == [
        ("sum", 4, "行政诉讼 未经复议直接起诉", "总计", 3, 2),
        ("prose", 4, "行政诉讼 总计", "总计", 2, 3),
    ]


@pytest.mark.parametrize("shape", ["html", "bar-lines"])
def test_the_2019_format_in_a_2021_report_is_a_label_problem(shape):
    text = render.report(shape, fmt=FORMAT_2019, year=2022)
    assert problems(text) == [("label", None, None, None, "2019", None)]


def test_the_other_outcomes_row_of_2019_adds_up():
    figs = render.to_2019(render.figures())
    figs["table3"]["6"]["natural"] = 5
    assert problems(render.report("pipes", fmt=FORMAT_2019, figs=figs)) == [
        ("sum", 3, "（六）其他处理", "总计", 3, 5),
        ("sum", 3, "（七）总计", "自然人", 57, 59),
    ]


# --- reports the generator hands over ------------------------------------------------------

def test_figures_from_the_records_are_checked_by_the_same_rules():
    figs = render.figures()
    report = ReportData.from_figures(FORMAT_2021, year=2023, organisation=render.ORGANISATION, prose=render.PROSE,
                                     table2=figs["table2"], table3=figs["table3"], table4=figs["table4"])
    assert check.check_report(report) == []
    figs["table3"]["carried_forward"]["natural"] = 4
    report = ReportData.from_figures(FORMAT_2021, year=2023, table2=figs["table2"], table3=figs["table3"],
                                     table4=figs["table4"], prose=render.PROSE)
    assert [(p.kind, p.row, p.column, p.stated, p.computed) for p in check.check_report(report)] == [
        ("sum", "四、结转下年度继续办理", "总计", 4, 5),
        ("sum", "一+二=三（七）+四", "自然人", 60, 61),
    ]


def test_a_page_without_a_report_says_so():
    result = check.check_page("<html><body><p>关于做好2023年政务公开工作的通知</p><p>各单位：现将有关事项通知如下。</p></body></html>")
    assert result.error and "no recognisable annual report" in result.error
    assert result.problems == [] and result.as_dict()["format"] is None


def test_other_real_pages_are_not_taken_for_reports():
    """Work plans, notices, quota tables ... (every saved real page that is not an annual report)."""
    from gongkai.core.decode import decode
    from tests.real_pages import all_pages

    pages = [p for p in all_pages() if "annualreport" not in p.name]
    assert len(pages) > 20
    for path in pages:
        text, _encoding = decode(path.read_bytes())
        assert check.check_page(text).error == check.NOT_A_REPORT, path.name


def test_damaged_pages_never_break_the_checker():
    """Lines dropped, cut, doubled or shuffled at random (seeded): a result every time, never an exception."""
    import random

    rng = random.Random(16)
    for shape in SHAPES:
        lines = render.report(shape).splitlines()
        for _ in range(8):
            damaged = list(lines)
            for _ in range(rng.randint(1, 12)):
                at = rng.randrange(len(damaged))
                action = rng.choice(("drop", "cut", "double", "swap", "pipes"))
                if action == "drop":
                    del damaged[at]
                elif action == "cut":
                    damaged[at] = damaged[at][: rng.randrange(len(damaged[at]) + 1)]
                elif action == "double":
                    damaged.insert(at, damaged[at])
                elif action == "swap":
                    other = rng.randrange(len(damaged))
                    damaged[at], damaged[other] = damaged[other], damaged[at]
                else:
                    damaged[at] = "|" * rng.randint(1, 9)
            result = check.check_page("\n".join(damaged))
            assert result.error or result.report.recognised
            assert all(p.kind in ("sum", "missing", "label", "prose") and p.message for p in result.problems)


def test_a_report_inside_a_layout_table_of_an_old_site():
    body = render.report("html").split("<body>", 1)[1].split("</body>", 1)[0]
    page = (f"<html><head><meta charset='gbk'><title>{render.ORGANISATION}</title><script>var x='<table>';</script>"
            f"</head><body><table width='100%'><tr><td class='nav'>首页 | 政务公开</td></tr>"
            f"<tr><td><div class='content'>{body}</div></td></tr></table></body></html>")
    result = check.check_page(page)
    assert result.report.tables[3].values == render.figures()["table3"]
    assert result.problems == []
