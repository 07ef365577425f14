"""The annual report's format as data: labels verbatim as the domain notes
give them (written out here by hand, not read from the module), and the
reply outcomes of gongkai.core.statute each counted in exactly one row."""

import subprocess
import sys

import pytest

from gongkai.core import statute
from gongkai.reports.formats import FORMAT_2019, FORMAT_2021, FORMATS, format_for_year

# ../shared/domain/statute-and-formats.md §2, table 3 (2021 format), in order.
TABLE_3_ROWS_2021 = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开 1.属于国家秘密",
    "（三）不予公开 2.其他法律行政法规禁止公开",
    "（三）不予公开 3.危及“三安全一稳定”",
    "（三）不予公开 4.保护第三方合法权益",
    "（三）不予公开 5.属于三类内部事务信息",
    "（三）不予公开 6.属于四类过程性信息",
    "（三）不予公开 7.属于行政执法案卷",
    "（三）不予公开 8.属于行政查询事项",
    "（四）无法提供 1.本机关不掌握相关政府信息",
    "（四）无法提供 2.没有现成信息需要另行制作",
    "（四）无法提供 3.补正后申请内容仍不明确",
    "（五）不予处理 1.信访举报投诉类申请",
    "（五）不予处理 2.重复申请",
    "（五）不予处理 3.要求提供公开出版物",
    "（五）不予处理 4.无正当理由大量反复申请",
    "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "（六）其他处理 3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]
TABLE_3_COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
TABLE_2_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "行政规范性文件"]),
    ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
    ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["行政事业性收费"]),
]
TABLE_2_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "规范性文件"]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["行政事业性收费"]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], ["政府集中采购"]),
]
RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
SECTIONS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def test_table_3_of_the_2021_format_is_verbatim():
    table = FORMAT_2021.table(3)
    assert [row.full_label for row in table.rows] == TABLE_3_ROWS_2021
    assert [c.label for c in table.columns] == TABLE_3_COLUMNS
    assert table.note == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def test_the_2019_format_counts_other_outcomes_in_one_row():
    labels = [row.full_label for row in FORMAT_2019.table(3).rows]
    expected = [label for label in TABLE_3_ROWS_2021 if not label.startswith("（六）")]
    expected.insert(expected.index("（七）总计"), "（六）其他处理")
    assert labels == expected


@pytest.mark.parametrize("fmt,blocks", [(FORMAT_2021, TABLE_2_2021), (FORMAT_2019, TABLE_2_2019)], ids=["2021", "2019"])
def test_table_2_blocks_columns_and_rows(fmt, blocks):
    assert [(b.label, [c.label for c in b.columns], [r.label for r in b.rows]) for b in fmt.table(2).blocks] == blocks


@pytest.mark.parametrize("fmt", [FORMAT_2021, FORMAT_2019], ids=["2021", "2019"])
def test_table_4_and_sections(fmt):
    table = fmt.table(4)
    assert [c.full_label for c in table.columns] == (
        [f"行政复议 {r}" for r in RESULTS] + [f"未经复议直接起诉 {r}" for r in RESULTS] + [f"复议后起诉 {r}" for r in RESULTS])
    assert [s.heading for s in fmt.sections] == SECTIONS


@pytest.mark.parametrize("fmt", [FORMAT_2021, FORMAT_2019], ids=["2021", "2019"])
def test_every_reply_outcome_is_counted_in_exactly_one_row(fmt):
    rows = fmt.table(3).rows
    for code, report_row in statute.OUTCOME_REPORT_ROW.items():
        counting = [row.key for row in rows if report_row in row.outcomes]
        assert len(counting) == 1, (fmt.key, code, counting)
        assert fmt.outcome_row(report_row).key == counting[0]
    # and every outcome row counts statute rows only, each statute row once
    counted = [o for row in rows for o in row.outcomes]
    assert sorted(counted) == sorted(key for key, _label in statute.REPORT_ROWS)


def test_outcome_rows_take_their_labels_from_the_statute():
    rows = {row.key: row for row in FORMAT_2021.table(3).rows}
    for key, label in statute.REPORT_ROWS:
        assert rows[key].full_label == label
    assert FORMAT_2019.outcome_row("6.2").full_label == "（六）其他处理"
    assert FORMAT_2021.outcome_row(statute.OUTCOME_REPORT_ROW["not_responsible"]).full_label == \
        "（四）无法提供 1.本机关不掌握相关政府信息"


def test_the_format_of_a_year():
    assert format_for_year(2019) is FORMAT_2019 and format_for_year(2020) is FORMAT_2019
    assert format_for_year(2021) is FORMAT_2021 and format_for_year(2025) is FORMAT_2021
    assert format_for_year(None) is FORMAT_2021
    assert set(FORMATS) == {"2021", "2019"}
    assert FORMAT_2021.document == "国办公开办函〔2021〕30号" and FORMAT_2019.document == "国办公开办函〔2019〕60号"


def test_reading_and_checking_need_no_django():
    code = ("import sys; import gongkai.reports.check, gongkai.reports.sources; "
            "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_reports_import_only_the_layers_below():
    """The annual report sums up the year's applications, tickets, consultations and work plan, so
    reports sits above applications, interaction, workplan and monitor and below api, portal and
    workspace: it imports nothing above it, and none of the apps it reads imports it."""
    import ast
    from pathlib import Path

    def imports(package: Path):
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    yield path, [node.module]
                elif isinstance(node, ast.Import):
                    yield path, [alias.name for alias in node.names]

    above = ("gongkai.api", "gongkai.portal", "gongkai.workspace", "gongkai.demo", "gongkai.jobs")
    # The page helpers staff screens share (DESIGN.md: workspace/) are used by every app's staff views.
    shared_helpers = ("gongkai.workspace.auth", "gongkai.workspace.pages", "gongkai.workspace.charts")
    root = Path(__file__).resolve().parents[2] / "gongkai"
    for path, names in imports(root / "reports"):
        assert not [n for n in names if n.startswith(above) and not n.startswith(shared_helpers)], (path, names)
    for below in ("core", "catalog", "publishing", "applications", "interaction", "workplan", "monitor"):
        for path, names in imports(root / below):
            assert not [n for n in names if n.startswith("gongkai.reports")], (path, names)
