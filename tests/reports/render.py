"""Made-up annual reports for the checker's tests, written out in the shapes
real pages have (see gongkai/reports/page.py): HTML tables with spans,
`a | b |` rows, rows with a leading pipe and padding, one cell a line,
cells between `|` lines, one cell a line without pipes, and PDF text.

The figures are a county-level report (2023) whose rows add up by hand
(written out below, not computed by the code under test); tests change one
thing at a time and say what the checker must find.
"""

from __future__ import annotations

import copy
import re

from gongkai.reports.formats import FORMAT_2019, FORMAT_2021, ReportFormat

_NUMBER = re.compile(r"^[+-]?[0-9０-９][0-9０-９.．]*$")
COLUMNS = ["natural", "commercial", "research", "welfare", "legal_service", "other", "total"]


def _row(natural=0, commercial=0, research=0, welfare=0, legal=0, other=0, total=None):
    values = [natural, commercial, research, welfare, legal, other]
    return dict(zip(COLUMNS, values + [sum(values) if total is None else total]))


# Applications: 58+7+1 new, 2 carried over; 64 handled, 4 carried forward (checked by hand:
# natural 58+2 = 57+3, commercial 7 = 6+1, legal services 1 = 1+0, total 66+2 = 64+4).
TABLE_3 = {
    "new": _row(58, 7, 0, 0, 1, 0, 66),
    "carried_over": _row(2, 0, 0, 0, 0, 0, 2),
    "1": _row(2, 1, total=3),
    "2": _row(16, 1, total=17),
    "3.1": _row(), "3.2": _row(), "3.3": _row(), "3.4": _row(),
    "3.5": _row(1, total=1), "3.6": _row(), "3.7": _row(), "3.8": _row(),
    "4.1": _row(25, 3, 0, 0, 1, total=29),
    "4.2": _row(3, total=3),
    "4.3": _row(1, total=1),
    "5.1": _row(4, total=4),
    "5.2": _row(2, 1, total=3),
    "5.3": _row(), "5.4": _row(), "5.5": _row(),
    "6.1": _row(2, total=2), "6.2": _row(), "6.3": _row(1, total=1),
    "outcomes_total": _row(57, 6, 0, 0, 1, 0, 64),
    "carried_forward": _row(3, 1, 0, 0, 0, 0, 4),
}

TABLE_2 = {
    "article_20_1.regulations": {"made": 0, "abolished": 0, "in_force": 0},
    "article_20_1.normative": {"made": 5, "abolished": 1, "in_force": 25},
    "article_20_5.licensing": {"decisions": 1342},
    "article_20_6.penalty": {"decisions": 87},
    "article_20_6.coercion": {"decisions": 3},
    "article_20_8.fees": {"fees": 12.56},
}

# Review 2 maintained + 1 corrected + 1 pending = 4; suits filed directly 1 + 1 pending = 2.
TABLE_4 = {"review.maintained": 2, "review.corrected": 1, "review.other": 0, "review.pending": 1, "review.total": 4,
           "direct.maintained": 1, "direct.corrected": 0, "direct.other": 0, "direct.pending": 1, "direct.total": 2,
           "after_review.maintained": 0, "after_review.corrected": 0, "after_review.other": 0,
           "after_review.pending": 0, "after_review.total": 0}

ORGANISATION = "示例县人民政府办公室"
TITLE = ORGANISATION + "{year}年政府信息公开工作年度报告"
OPENING = "本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据的统计期限为{year}年1月1日至{year}年12月31日。"
PROSE = ("本年度共收到政府信息公开申请66件，上年结转2件；予以公开3件，部分公开17件，不予公开1件，无法提供33件，"
         "不予处理7件，其他处理3件，结转下年度继续办理4件。全年发生政府信息公开行政复议4件，行政诉讼2件。")


def figures():
    """A fresh copy of the figures: tests change them."""
    return {"table2": copy.deepcopy(TABLE_2), "table3": copy.deepcopy(TABLE_3), "table4": dict(TABLE_4)}


def _text(value, *, blank_zero=False, full_width=False) -> str:
    if value is None or (blank_zero and value == 0):
        return ""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if full_width:
        text = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return text


def rows_of(fmt: ReportFormat, figs: dict, *, year=2023, total_label="总计", columns=COLUMNS, blank_zero=False, full_width=False,
            half_width=False, rename=None, drop_rows=()):
    """The report as logical rows: (kind, cells) with kind in heading, prose, table-start, table-end, row.
    Cells of a row are (text, colspan, rowspan); the shapes below lay them out."""
    rename = rename or {}

    def label(text):
        text = rename.get(text, text)
        if half_width:
            text = text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")
        return text

    def num(value):
        return (_text(value, blank_zero=blank_zero, full_width=full_width), 1, 1)

    out = [("prose", [(TITLE.format(year=year), 1, 1)]), ("prose", [(OPENING.format(year=year), 1, 1)]), ("heading", [("一、总体情况", 1, 1)]),
           ("prose", [(PROSE, 1, 1)]), ("heading", [("二、主动公开政府信息情况", 1, 1)]), ("table-start", [])]
    table2 = fmt.table(2)
    for block in table2.blocks:
        out.append(("row", [(label(block.label), 4, 1)]))
        out.append(("row", [(label(block.header), 1, 1)] + [(label(c.label), 1, 1) for c in block.columns]))
        for row in block.rows:
            values = figs["table2"].get(f"{block.key}.{row.key}")
            if values is None:
                continue
            out.append(("row", [(label(row.label), 1, 1)] + [num(values.get(c.key)) for c in block.columns]))
    out.append(("table-end", []))
    out.append(("heading", [("三、收到和处理政府信息公开申请情况", 1, 1)]))
    out.append(("table-start", []))
    table3 = fmt.table(3)
    kept = [c for c in table3.columns if c.key in columns]
    out.append(("row", [(label(table3.note), 3, 3), (label("申请人情况"), len(kept), 1)]))
    organisations = [c for c in kept if c.group == "法人或其他组织"]
    header2 = []
    if "natural" in columns:
        header2.append((label("自然人"), 1, 2))
    header2.append((label("法人或其他组织"), len(organisations), 1))
    if "total" in columns:
        header2.append((label(total_label), 1, 2))
    out.append(("row", header2))
    out.append(("row", [(label(c.label), 1, 1) for c in organisations]))
    outcome_rows = [r for r in table3.rows if r.role == "part"]
    for row in table3.rows:
        if row.key in drop_rows:
            continue
        values = figs["table3"].get(row.key)
        if values is None:
            continue
        cells = [num(values.get(c)) for c in COLUMNS if c in columns]
        if row.role == "part":
            lead = []
            if row is outcome_rows[0]:
                lead.append((label("三、本年度办理结果"), 1, len(outcome_rows) + 1))
            if row.group:
                first = next(r for r in table3.rows if r.group == row.group)
                if row is first:
                    lead.append((label(row.group), 1, sum(1 for r in table3.rows if r.group == row.group)))
                lead.append((label(row.label), 1, 1))
            else:
                lead.append((label(row.label), 2, 1))
            out.append(("row", lead + cells))
        elif row.role == "total":
            text = row.label if total_label == "总计" else row.label.replace("总计", total_label)
            out.append(("row", [(label(text), 2, 1)] + cells))
        else:
            out.append(("row", [(label(row.label), 3, 1)] + cells))
    out.append(("table-end", []))
    out.append(("heading", [("四、政府信息公开行政复议、行政诉讼情况", 1, 1)]))
    out.append(("table-start", []))
    table4 = fmt.table(4)
    out.append(("row", [(label("行政复议"), 5, 1), (label("行政诉讼"), 10, 1)]))
    out.append(("row", [(label(c.label), 1, 2) for c in table4.columns[:5]]
                + [(label("未经复议直接起诉"), 5, 1), (label("复议后起诉"), 5, 1)]))
    out.append(("row", [(label(c.label), 1, 1) for c in table4.columns[5:]]))
    out.append(("row", [num(figs["table4"].get(c.key)) for c in table4.columns]))
    out.append(("table-end", []))
    out.append(("heading", [("五、存在的主要问题及改进情况", 1, 1)]))
    out.append(("prose", [("一是依申请公开答复的规范化水平有待提高；二是政策解读形式还不够丰富。", 1, 1)]))
    out.append(("heading", [("六、其他需要报告的事项", 1, 1)]))
    out.append(("prose", [("本年度未收取信息处理费。", 1, 1)]))
    return out


def to_html(rows) -> str:
    parts = ["<html><head><meta charset='utf-8'><title>", rows[0][1][0][0], "</title></head><body>"]
    for kind, cells in rows:
        if kind in ("prose", "heading"):
            parts.append(f"<p>{cells[0][0]}</p>")
        elif kind == "table-start":
            parts.append("<table border='1'><tbody>")
        elif kind == "table-end":
            parts.append("</tbody></table>")
        else:
            tds = []
            for text, colspan, rowspan in cells:
                attrs = (f" colspan='{colspan}'" if colspan > 1 else "") + (f" rowspan='{rowspan}'" if rowspan > 1 else "")
                tds.append(f"<td{attrs}><p>{text or '&nbsp;'}</p></td>")
            parts.append("<tr>" + "".join(tds) + "</tr>")
    parts.append("</body></html>")
    return "\n".join(parts)


def to_pipes(rows, *, leading=False, padding=False) -> str:
    lines = []
    for kind, cells in rows:
        if kind in ("table-start", "table-end"):
            continue
        if kind in ("prose", "heading"):
            lines.append(cells[0][0])
            continue
        line = " | ".join(text for text, _c, _r in cells) + " |"
        if leading:
            line = "| " + line
        if padding and sum(c for _t, c, _r in cells) > len(cells):
            line += " " + "|" * (sum(c for _t, c, _r in cells) - len(cells))
        lines.append(line)
    return "\n".join(lines)


def to_cell_lines(rows) -> str:
    """One cell a line, each ending in ` |`; an empty cell is a lone `|`; rows padded with `||`."""
    lines = []
    for kind, cells in rows:
        if kind in ("table-start", "table-end"):
            continue
        if kind in ("prose", "heading"):
            lines.append(cells[0][0])
            continue
        for text, _c, _r in cells:
            lines.append(f"{text} |" if text else "|")
        lines.append("||")
    return "\n".join(lines)


def to_bar_lines(rows) -> str:
    """Cells one a line (a label may wrap), separated by lines holding a lone `|`."""
    lines = []
    for kind, cells in rows:
        if kind in ("table-start", "table-end"):
            continue
        if kind in ("prose", "heading"):
            lines.append(cells[0][0])
            continue
        for text, _c, _r in cells:
            if text.startswith("本年") and len(text) > 5:  # 本年制发件数 wrapped as 本年 / 制发件数
                lines.extend([text[:2], text[2:]])
            else:
                lines.append(text)
            lines.append("|")
    return "\n".join(lines)


def to_plain_lines(rows) -> str:
    """One cell a line, blank lines between, no pipes (empty cells are lost: render without blanks)."""
    lines = []
    for kind, cells in rows:
        if kind in ("table-start", "table-end"):
            continue
        for text, _c, _r in cells:
            lines.extend([text, ""])
    return "\n".join(lines)


def to_pdf(rows, *, next_line=False) -> str:
    """PDF text: a row's label and its numbers on one line (or the numbers on the next line)."""
    lines = []
    for kind, cells in rows:
        if kind in ("table-start", "table-end"):
            continue
        texts = [text for text, _c, _r in cells]
        labels = [t for t in texts if t and not _NUMBER.match(t)]
        numbers = [t for t in texts if t and _NUMBER.match(t)]
        if kind != "row" or not numbers:
            lines.append(" ".join(texts))
        elif next_line:
            lines.extend([" ".join(labels), " ".join(numbers)] if labels else [" ".join(numbers)])
        else:
            lines.append(" ".join(labels + numbers))
    return "\n".join(lines)


SHAPES = {
    "html": to_html,
    "pipes": to_pipes,
    "leading-pipes-padded": lambda rows: to_pipes(rows, leading=True, padding=True),
    "cell-lines": to_cell_lines,
    "bar-lines": to_bar_lines,
    "plain-lines": to_plain_lines,
    "pdf": to_pdf,
    "pdf-numbers-next-line": lambda rows: to_pdf(rows, next_line=True),
}


def report(shape: str = "html", fmt: ReportFormat = FORMAT_2021, figs: dict | None = None, **options) -> str:
    """The made-up report in a shape; a 2019-format one is the 2020 report (the last year of that format)."""
    figs = figs or figures()
    if fmt is FORMAT_2019:
        figs = to_2019(figs) if "6.1" in figs["table3"] else figs
        options.setdefault("year", 2020)
    return SHAPES[shape](rows_of(fmt, figs, **options))


def to_2019(figs: dict) -> dict:
    """The same year in the 2019 trial format: （六） in one row, table 2's other columns."""
    figs = copy.deepcopy(figs)
    t3 = figs["table3"]
    if "6.1" in t3:
        t3["6"] = {c: sum(t3[k][c] for k in ("6.1", "6.2", "6.3")) for c in COLUMNS}
        for key in ("6.1", "6.2", "6.3"):
            del t3[key]
    figs["table2"] = {
        "article_20_1.regulations": {"made": 0, "published": 0, "total": 12},
        "article_20_1.normative": {"made": 5, "published": 5, "total": 25},
        "article_20_5.licensing": {"last_year": 120, "change": -3, "decisions": 1342},
        "article_20_5.other_services": {"last_year": 40, "change": 2, "decisions": 310},
        "article_20_6.penalty": {"last_year": 56, "change": 0, "decisions": 87},
        "article_20_6.coercion": {"last_year": 9, "change": 0, "decisions": 3},
        "article_20_8.fees": {"last_year": 4, "change": 0},
        "article_20_9.procurement": {"projects": 6, "amount": 251000},
    }
    return figs
