"""What a report says, in the terms of its format, and what is wrong with it.

`ReportData` holds the tables of one annual report by the keys of
`gongkai.reports.formats` (rows and columns), whether it was read from a
published page (`gongkai.reports.parse`) or filled from the records by the
report generator; `gongkai.reports.check` checks either the same way.
Pure data: no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .formats import FORMAT_2021, ReportFormat

Number = int | float

# Problem kinds (the names).
SUM = "sum"  # a total that is not the sum of its parts
MISSING = "missing"  # a table, row, column or total left empty or absent
LABEL = "label"  # a row or column label (or the format itself) that is not the format's
PROSE = "prose"  # a figure in the prose that contradicts the table it describes
KINDS = (SUM, MISSING, LABEL, PROSE)

KIND_NAMES = {SUM: "合计不符", MISSING: "缺项", LABEL: "名称不符", PROSE: "正文与表格不符"}
TABLE_NAMES = {2: "表二 主动公开政府信息情况", 3: "表三 收到和处理政府信息公开申请情况",
               4: "表四 政府信息公开行政复议、行政诉讼情况"}


@dataclass
class Problem:
    kind: str
    message: str  # in Chinese, for the office
    table: int | None = None  # 2, 3, 4 (None: the report as a whole)
    row: str | None = None  # the row as the format labels it
    column: str | None = None  # the column as the format labels it
    stated: Number | str | None = None  # what the report says
    computed: Number | None = None  # what its own figures add up to
    expected: str | None = None  # for labels: the format's wording
    quote: str = ""  # for prose: the words that state the figure
    row_key: str | None = None
    column_key: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "table": self.table, "row": self.row, "column": self.column,
            "stated": self.stated, "computed": self.computed, "expected": self.expected,
            "quote": self.quote, "message": self.message, "row_key": self.row_key, "column_key": self.column_key,
        }

    @property
    def sort_key(self) -> tuple:
        return (self.table or 0, KINDS.index(self.kind), self.row or "", self.column or "")


@dataclass
class TableData:
    """One table's figures: values[row_key][column_key] (None: the cell is empty).
    A row key that is absent means the row is absent from the report."""

    number: int
    found: bool = False
    columns: list[str] = field(default_factory=list)  # the column keys the report has
    values: dict[str, dict[str, Number | None]] = field(default_factory=dict)
    subtotals: dict[str, dict[str, Number | None]] = field(default_factory=dict)  # group label → its own row
    uncertain_rows: set[str] = field(default_factory=set)  # rows whose cells could not be placed one by one
    notes: list[str] = field(default_factory=list)

    def value(self, row: str, column: str) -> Number | None:
        return self.values.get(row, {}).get(column)


@dataclass
class ReportData:
    format: ReportFormat = FORMAT_2021
    year: int | None = None
    organisation: str = ""
    title: str = ""
    tables: dict[int, TableData] = field(default_factory=dict)
    prose: list[str] = field(default_factory=list)  # the text outside the tables, line by line
    reading_problems: list[Problem] = field(default_factory=list)  # labels and columns found while reading

    def table(self, number: int) -> TableData:
        return self.tables.setdefault(number, TableData(number))

    @property
    def recognised(self) -> bool:
        """Whether anything of an annual report's tables was found."""
        return any(table.found for table in self.tables.values())

    @classmethod
    def from_figures(cls, fmt: ReportFormat = FORMAT_2021, *, year=None, organisation="", table2=None, table3=None,
                     table4=None, prose: str = "") -> ReportData:
        """A report from figures keyed as in the format: table2 {"article_20_1.regulations": {"made": 1, ...}},
        table3 {"new": {"natural": 3, ..., "total": 5}, ...}, table4 {"review.maintained": 1, ...}.
        What the report generator hands to the checker."""
        report = cls(format=fmt, year=year, organisation=organisation, prose=[line for line in prose.splitlines() if line])
        for number, figures in ((2, table2), (3, table3)):
            if figures is None:
                continue
            data = report.table(number)
            data.found = True
            data.values = {row: dict(cells) for row, cells in figures.items()}
            data.columns = [c.key for c in fmt.table(number).columns]
        if table4 is not None:
            data = report.table(4)
            data.found = True
            data.values = {"cases": dict(table4)}
            data.columns = [c.key for c in fmt.table(4).columns]
        return report
