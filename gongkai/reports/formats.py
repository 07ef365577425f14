"""The statutory annual report's format as data (政府信息公开工作年度报告格式).

One source for everything that writes or reads an annual report: the report
generator fills these tables, the checker (`gongkai.reports.check`) reads
published reports against them. Labels are verbatim, in full-width
punctuation, as the format prints them.

- `FORMAT_2021`: 《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号
  (国务院办公厅政府信息与政务公开办公室, 2021-09-26), in force from the 2021
  reports (published in 2022) on.
- `FORMAT_2019`: the trial format it replaced (国办公开办函〔2019〕60号), for
  reading the 2019 and 2020 reports: table 2 had other columns and a block for
  第二十条第（九）项, and table 3 had a single row （六）其他处理.

Both rest on the Regulations (《中华人民共和国政府信息公开条例》): Art. 49
(when), Art. 50 (what: 主动公开, 申请, 复议和诉讼, 问题和改进, 其他). The outcome
rows of table 3 are the reply outcomes of `gongkai.core.statute` (REPORT_ROWS,
REPLY_OUTCOMES): this module gives them their place in the table and takes
their labels from there, so the letters and the report count the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gongkai.core import statute


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # verbatim
    group: str = ""  # the header cell above it (法人或其他组织, 行政复议, 未经复议直接起诉, ...)
    is_total: bool = False  # the sum of the other columns of its group
    variants: tuple[str, ...] = ()  # wordings seen in real reports: read, but reported as not the format's

    @property
    def full_label(self) -> str:
        return f"{self.group} {self.label}" if self.group and not self.group.startswith("申请人") else self.label


@dataclass(frozen=True)
class Row:
    key: str
    label: str  # verbatim, without its group
    group: str = ""  # the cell on its left that several rows share (（三）不予公开, ...)
    role: str = "part"  # part: counted in the total | total: （七）总计 | summary: 一、二、四 | value: table 2
    outcomes: tuple[str, ...] = ()  # the statute's report rows (statute.REPORT_ROWS keys) this row counts
    variants: tuple[str, ...] = ()

    @property
    def full_label(self) -> str:
        """The row as the statute's REPORT_ROWS names it: "（三）不予公开 1.属于国家秘密"."""
        return f"{self.group} {self.label}" if self.group else self.label


@dataclass(frozen=True)
class Block:
    """A block of table 2: one article of the Regulations, its own columns and rows."""

    key: str
    label: str  # 第二十条第（一）项
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    header: str = "信息内容"  # the label over the row labels


@dataclass(frozen=True)
class Table:
    number: int  # the section it belongs to: 2, 3 or 4
    key: str
    title: str  # the section heading it stands under, without its number
    columns: tuple[Column, ...] = ()
    rows: tuple[Row, ...] = ()
    blocks: tuple[Block, ...] = ()  # table 2 only
    note: str = ""  # the corner note of table 3
    headers: tuple[str, ...] = ()  # header cells over the columns (申请人情况, 行政复议, ...)
    # table 3's balance, per column: the first rows' sum equals the second rows' sum.
    balance: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def part_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.role == "part")


@dataclass(frozen=True)
class Section:
    number: str  # 一 … 六
    title: str

    @property
    def heading(self) -> str:
        return f"{self.number}、{self.title}"


@dataclass(frozen=True)
class ReportFormat:
    key: str  # "2021", "2019"
    name: str
    document: str  # the notice that issued it
    first_year: int  # the first report year it applies to
    last_year: int | None  # the last one (None: still in force)
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]

    def table(self, number: int) -> Table:
        for table in self.tables:
            if table.number == number:
                return table
        raise KeyError(number)

    def outcome_row(self, report_row: str) -> Row:
        """The row of table 3 that counts the statute's report row `report_row`
        (statute.OUTCOME_REPORT_ROW's values: "1", "3.4", "6.2", ...)."""
        for row in self.table(3).rows:
            if report_row in row.outcomes:
                return row
        raise KeyError(report_row)


SECTIONS = (
    Section("一", "总体情况"),
    Section("二", "主动公开政府信息情况"),
    Section("三", "收到和处理政府信息公开申请情况"),
    Section("四", "政府信息公开行政复议、行政诉讼情况"),
    Section("五", "存在的主要问题及改进情况"),
    Section("六", "其他需要报告的事项"),
)

# --- Table 2: 主动公开政府信息情况 (Art. 20) ----------------------------------

_DECISIONS = (Column("decisions", "本年处理决定数量"),)

TABLE_2_2021 = Table(2, "proactive", SECTIONS[1].title, blocks=(
    Block("article_20_1", "第二十条第（一）项",
          (Column("made", "本年制发件数"), Column("abolished", "本年废止件数"), Column("in_force", "现行有效件数")),
          (Row("regulations", "规章", role="value"), Row("normative", "行政规范性文件", role="value"))),
    Block("article_20_5", "第二十条第（五）项", _DECISIONS, (Row("licensing", "行政许可", role="value"),)),
    Block("article_20_6", "第二十条第（六）项", _DECISIONS,
          (Row("penalty", "行政处罚", role="value"), Row("coercion", "行政强制", role="value"))),
    Block("article_20_8", "第二十条第（八）项", (Column("fees", "本年收费金额（单位：万元）"),),
          (Row("fees", "行政事业性收费", role="value"),)),
))

_ITEMS_2019 = (Column("last_year", "上一年项目数量"), Column("change", "本年增/减"), Column("decisions", "处理决定数量"))

TABLE_2_2019 = Table(2, "proactive", SECTIONS[1].title, blocks=(
    Block("article_20_1", "第二十条第（一）项",
          (Column("made", "本年新制作数量"), Column("published", "本年新公开数量"), Column("total", "对外公开总数量")),
          (Row("regulations", "规章", role="value"), Row("normative", "规范性文件", role="value"))),
    Block("article_20_5", "第二十条第（五）项", _ITEMS_2019,
          (Row("licensing", "行政许可", role="value"), Row("other_services", "其他对外管理服务事项", role="value"))),
    Block("article_20_6", "第二十条第（六）项", _ITEMS_2019,
          (Row("penalty", "行政处罚", role="value"), Row("coercion", "行政强制", role="value"))),
    Block("article_20_8", "第二十条第（八）项", _ITEMS_2019[:2], (Row("fees", "行政事业性收费", role="value"),)),
    Block("article_20_9", "第二十条第（九）项", (Column("projects", "采购项目数量"), Column("amount", "采购总金额")),
          (Row("procurement", "政府集中采购", role="value"),)),
))

# --- Table 3: 收到和处理政府信息公开申请情况 (Art. 50 (二)) ------------------------

APPLICANTS = "申请人情况"
ORGANISATIONS = "法人或其他组织"

# The applicant columns are statute.APPLICANT_TYPES, in its order, then 总计.
TABLE_3_COLUMNS = (
    *(Column(code, label, group=APPLICANTS if code == "natural" else ORGANISATIONS)
      for code, label in statute.APPLICANT_TYPES),
    Column("total", "总计", group=APPLICANTS, is_total=True, variants=("合计",)),
)

_GROUP_AND_ITEM = re.compile(r"^(（[一二三四五六七]）\S+?)\s+(\d+\..+)$")


def _outcome_rows(*, split_other: bool) -> tuple[Row, ...]:
    """The outcome rows （一）…（六）, from statute.REPORT_ROWS: one row per
    statute row, except that the 2019 format counted （六） in one row."""
    rows = []
    for key, label in statute.REPORT_ROWS:
        match = _GROUP_AND_ITEM.match(label)
        if match and key.startswith("6.") and not split_other:
            if not any(row.key == "6" for row in rows):
                rows.append(Row("6", match.group(1), outcomes=("6.1", "6.2", "6.3")))
            continue
        if match:
            rows.append(Row(key, match.group(2), group=match.group(1), outcomes=(key,)))
        else:
            rows.append(Row(key, label, outcomes=(key,)))
    return tuple(rows)


def _table_3(*, split_other: bool) -> Table:
    summary = statute.REPORT_SUMMARY_ROWS
    return Table(
        3, "applications", SECTIONS[2].title, columns=TABLE_3_COLUMNS,
        rows=(
            Row("new", summary["new"], role="summary"),
            Row("carried_over", summary["carried_over"], role="summary"),
            *(Row(row.key, row.label, group=row.group, outcomes=row.outcomes) for row in _outcome_rows(split_other=split_other)),
            Row("outcomes_total", summary["outcomes_total"], role="total", variants=("（七）合计",)),
            Row("carried_forward", summary["carried_forward"], role="summary"),
        ),
        note=statute.REPORT_CORNER_NOTE,
        headers=(APPLICANTS, ORGANISATIONS),
        balance=(("new", "carried_over"), ("outcomes_total", "carried_forward")),
    )


# The label of the cell that spans the outcome rows (三、本年度办理结果).
OUTCOMES_HEADING = statute.REPORT_SUMMARY_ROWS["outcomes"]

# --- Table 4: 政府信息公开行政复议、行政诉讼情况 (Art. 50 (三), 51) ----------------

REVIEW = "行政复议"
LITIGATION = "行政诉讼"
_RESULTS = (("maintained", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))


def _case_columns(prefix: str, group: str) -> tuple[Column, ...]:
    return (*(Column(f"{prefix}.{key}", label, group=group) for key, label in _RESULTS),
            Column(f"{prefix}.total", "总计", group=group, is_total=True, variants=("合计",)))


TABLE_4 = Table(
    4, "review", SECTIONS[3].title,
    columns=(*_case_columns("review", REVIEW), *_case_columns("direct", "未经复议直接起诉"),
             *_case_columns("after_review", "复议后起诉")),
    rows=(Row("cases", "", role="value"),),
    headers=(REVIEW, LITIGATION, "未经复议直接起诉", "复议后起诉"),
)

FORMAT_2021 = ReportFormat(
    key="2021", name="中华人民共和国政府信息公开工作年度报告格式", document="国办公开办函〔2021〕30号",
    first_year=2021, last_year=None, sections=SECTIONS,
    tables=(TABLE_2_2021, _table_3(split_other=True), TABLE_4),
)
FORMAT_2019 = ReportFormat(
    key="2019", name="中华人民共和国政府信息公开工作年度报告格式（试行）", document="国办公开办函〔2019〕60号",
    first_year=2019, last_year=2020, sections=SECTIONS,
    tables=(TABLE_2_2019, _table_3(split_other=False), TABLE_4),
)
FORMATS = {fmt.key: fmt for fmt in (FORMAT_2021, FORMAT_2019)}


def format_for_year(year: int | None) -> ReportFormat:
    """The format a report on `year` must follow (the current one when the year is unknown)."""
    if year is not None and FORMAT_2019.first_year <= year <= (FORMAT_2019.last_year or year):
        return FORMAT_2019
    return FORMAT_2021
