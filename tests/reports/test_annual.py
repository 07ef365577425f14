"""The annual report generated from the records (gongkai.reports.annual).

The fixture year: 凉山彝族自治州人民政府 (a city-level government, which may
make 规章) in 2024, with applications of several applicant types and
outcomes (three carried over from 2023), review cases, 规章 and 行政规范性文件
made, abolished and still in force, fees paid, the office's entries, and its
2023 report published. The expected tables below were counted by hand from
the comments beside each record, not computed; the report must show them,
table by table, in JSON, in HTML (its tables read back with lxml) and in DOCX
(read back with python-docx), and the checker must pass it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.applications.models import Application, Fee, ReviewCase
from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, Genre
from gongkai.reports import annual, annual_render, services
from gongkai.reports.check import check_page
from gongkai.reports.models import AnnualReport, Override

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)

# --- the expected report, by hand ----------------------------------------------------------

# Table 2: (row label, values in the format's column order).
EXPECTED_2 = [
    ("规章", ["1", "1", "2"]),  # made: 规章甲; abolished: 规章乙 (2024-06-30); in force: 规章甲, 规章丙
    ("行政规范性文件", ["4", "1", "5"]),  # made: 甲乙丙 and 庚 (no written date); abolished: 丙 (expired 2024-12-01);
    # in force: 甲 乙 丁 戊 (abolished only in 2025) 庚
    ("行政许可", ["1342"]),
    ("行政处罚", ["87"]),
    ("行政强制", ["3"]),
    ("行政事业性收费", ["12.56"]),
]
# Table 3: (the row's own label, natural, commercial, research, welfare, legal_service, other, total).
EXPECTED_3 = [
    ("一、本年新收政府信息公开申请数量", [6, 2, 1, 1, 0, 1, 11]),
    ("二、上年结转政府信息公开申请数量", [1, 1, 0, 0, 1, 0, 3]),
    ("（一）予以公开", [3, 0, 0, 0, 0, 0, 3]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
    ("1.属于国家秘密", [0] * 7),
    ("2.其他法律行政法规禁止公开", [0] * 7),
    ("3.危及“三安全一稳定”", [0] * 7),
    ("4.保护第三方合法权益", [0, 1, 0, 0, 0, 0, 1]),
    ("5.属于三类内部事务信息", [0] * 7),
    ("6.属于四类过程性信息", [1, 0, 0, 0, 0, 0, 1]),
    ("7.属于行政执法案卷", [0] * 7),
    ("8.属于行政查询事项", [0] * 7),
    ("1.本机关不掌握相关政府信息", [0, 0, 0, 0, 1, 0, 1]),
    ("2.没有现成信息需要另行制作", [0, 0, 1, 0, 0, 0, 1]),
    ("3.补正后申请内容仍不明确", [0] * 7),
    ("1.信访举报投诉类申请", [0, 0, 0, 1, 0, 0, 1]),
    ("2.重复申请", [0, 0, 0, 0, 0, 1, 1]),
    ("3.要求提供公开出版物", [0] * 7),
    ("4.无正当理由大量反复申请", [0] * 7),
    ("5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [1, 0, 0, 0, 0, 0, 1]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("3.其他", [0] * 7),
    ("（七）总计", [6, 1, 1, 1, 1, 1, 11]),
    ("四、结转下年度继续办理", [1, 2, 0, 0, 0, 0, 3]),
]
# Table 4: 行政复议 (维持, 纠正, 其他, 尚未审结, 总计), 未经复议直接起诉 (…), 复议后起诉 (…).
EXPECTED_4 = [0, 1, 0, 1, 2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]
ENTRIES = {"licensing": "1342", "penalty": "87", "coercion": "3", "fees": "12.56"}
ENTRIES_2023 = {"licensing": "1288", "penalty": "91", "coercion": "5", "fees": "11.2"}


# --- the fixture year ----------------------------------------------------------------------

@pytest.fixture
def on_day(time_machine):
    return lambda day, hour=10: time_machine.move_to(dt.datetime.combine(day, dt.time(hour), TZ), tick=False)


def make_app(org, applicant_type, received, *, state=None, outcome="", closed=None):
    """An application row written directly (back-dated), as tests/applications/test_stats.py does."""
    n = next(_serial)
    if state is None:
        state = "replied" if closed else "processing"
    return Application.objects.create(
        organisation=org, year=received.year, serial=n,
        tracking_hash=hashlib.sha256(f"annual-{n}".encode()).hexdigest(), applicant_type=applicant_type,
        applicant_name="申请人", id_document="身份证", phone="1", channel="in_person",
        submitted_at=dt.datetime.combine(received, dt.time(9, 30), tzinfo=TZ), received_on=received, state=state,
        outcome=outcome, closed_on=closed)


def document(org, title, genre, *, written, published, validity="valid", expiry=None):
    return catalog.create_document(organisation=org, title=title, genre=genre, written_date=written,
                                   published_date=published, validity=validity, expiry_date=expiry, publish=True,
                                   body_text=f"{title}全文。")


@pytest.fixture
def city(org_tree):
    return org_tree["city"]


@pytest.fixture
def office(city, make_user):
    return make_user("city_office", (city, "office_admin"))


@pytest.fixture
def year_2024(org_tree, city, office, on_day):
    """The records of 凉山州人民政府 for 2023–2025 (the comments say where each counts in 2024)."""
    on_day(D(2025, 1, 15))
    county = org_tree["county"]
    apps = {
        # carried over from 2023
        "C1": make_app(city, "natural", D(2023, 12, 10), outcome="disclosed", closed=D(2024, 1, 8)),  # row 1
        "C2": make_app(city, "commercial", D(2023, 12, 20)),  # still open: carried forward
        "C3": make_app(city, "legal_service", D(2023, 11, 1), outcome="not_exist", closed=D(2024, 1, 5)),  # row 4.1
        "O1": make_app(city, "natural", D(2023, 5, 1), outcome="disclosed", closed=D(2023, 5, 20)),  # 2023 only
        # new in 2024
        "N1": make_app(city, "natural", D(2024, 2, 1), outcome="proactive", closed=D(2024, 2, 20)),  # row 1
        "N2": make_app(city, "natural", D(2024, 3, 5), outcome="disclosed", closed=D(2024, 3, 25)),  # row 1
        "N3": make_app(city, "natural", D(2024, 4, 10), outcome="partial", closed=D(2024, 5, 6)),  # row 2
        "N4": make_app(city, "commercial", D(2024, 5, 12), outcome="withheld_third_party", closed=D(2024, 6, 1)),  # 3.4
        "N5": make_app(city, "research", D(2024, 6, 3), outcome="needs_creation", closed=D(2024, 6, 20)),  # 4.2
        "N6": make_app(city, "welfare", D(2024, 7, 1), outcome="petition", closed=D(2024, 7, 10)),  # 5.1
        "N7": make_app(city, "natural", D(2024, 8, 15), state="closed", outcome="no_correction",
                       closed=D(2024, 9, 30)),  # 6.1
        "N8": make_app(city, "other", D(2024, 9, 9), outcome="repeat", closed=D(2024, 9, 20)),  # 5.2
        "N9": make_app(city, "natural", D(2024, 12, 20)),  # open: carried forward
        "N10": make_app(city, "commercial", D(2024, 12, 28), outcome="disclosed", closed=D(2025, 1, 10)),  # forward
        "N11": make_app(city, "natural", D(2024, 10, 10), outcome="withheld_process_info", closed=D(2024, 11, 1)),  # 3.6
        "M1": make_app(city, "natural", D(2024, 9, 9), state="merged", closed=D(2024, 9, 10)),  # not counted
        "T1": make_app(county, "natural", D(2024, 5, 5), outcome="disclosed", closed=D(2024, 5, 20)),  # the county's
    }
    for kind, filed, result, decided in [
        ("reconsideration", D(2024, 3, 1), "corrected", D(2024, 5, 1)),  # 行政复议 纠正
        ("reconsideration", D(2024, 8, 1), "pending", None),  # 行政复议 尚未审结
        ("lawsuit_direct", D(2024, 6, 1), "upheld", D(2024, 9, 1)),  # 直接起诉 维持
        ("lawsuit_after", D(2024, 10, 1), "upheld", D(2025, 1, 5)),  # 复议后起诉 尚未审结 (decided in 2025)
        ("reconsideration", D(2023, 6, 1), "upheld", D(2023, 8, 1)),  # 2023
    ]:
        ReviewCase.objects.create(organisation=city, kind=kind, filed_on=filed, result=result, decided_on=decided)
    # Fees (信息处理费): 200 + 100 paid in 2024; one notified and unpaid; one paid in 2023.
    Fee.objects.create(application=apps["N2"], basis="item", quantity=12, amount=Decimal("200.00"),
                       notified_on=D(2024, 3, 10), paid_on=D(2024, 3, 20))
    Fee.objects.create(application=apps["N3"], basis="page", quantity=40, amount=Decimal("100.00"),
                       notified_on=D(2024, 4, 20), paid_on=D(2024, 4, 30))
    Fee.objects.create(application=apps["N10"], basis="item", quantity=15, amount=Decimal("500.00"),
                       notified_on=D(2024, 12, 30))
    Fee.objects.create(application=apps["C1"], basis="item", quantity=11, amount=Decimal("100.00"),
                       notified_on=D(2023, 12, 12), paid_on=D(2023, 12, 15))
    # The catalog.
    rules, normative = Genre.objects.get(name="规章"), Genre.objects.get(name="行政规范性文件")
    document(city, "凉山州城市养犬管理办法", rules, written=D(2024, 3, 1), published=D(2024, 3, 10))  # 规章甲
    document(city, "凉山州农村公路管理办法", rules, written=D(2019, 5, 1), published=D(2019, 5, 10),
             validity="abolished", expiry=D(2024, 6, 30))  # 规章乙
    document(city, "凉山州历史文化名城保护办法", rules, written=D(2020, 1, 1), published=D(2020, 1, 10))  # 规章丙
    document(city, "关于进一步规范城市道路占用管理的通知", normative, written=D(2024, 2, 1), published=D(2024, 2, 5))  # 甲
    document(city, "凉山州最低生活保障实施细则", normative, written=D(2024, 7, 1), published=D(2024, 7, 3))  # 乙
    document(city, "凉山州2024年森林防火临时管控措施", normative, written=D(2024, 9, 1), published=D(2024, 9, 5),
             validity="expired", expiry=D(2024, 12, 1))  # 丙
    document(city, "凉山州政府信息公开工作规定", normative, written=D(2022, 1, 1), published=D(2022, 1, 6))  # 丁
    document(city, "凉山州行政规范性文件管理办法", normative, written=D(2021, 1, 1), published=D(2021, 1, 5),
             validity="abolished", expiry=D(2025, 2, 1))  # 戊: in force at the end of 2024
    document(city, "凉山州城镇燃气管理规定", normative, written=D(2018, 3, 1), published=D(2018, 3, 5),
             validity="abolished", expiry=D(2023, 1, 1))  # 己: gone before 2024
    catalog.create_document(organisation=city, title="凉山州养老服务补贴办法", genre=normative,
                            published_date=D(2024, 4, 4), publish=True)  # 庚: no written date, published in 2024
    catalog.create_document(organisation=city, title="凉山州物业管理规定（草稿）", genre=normative,
                            written_date=D(2024, 5, 1))  # a draft: not counted
    withdrawn = document(city, "关于调整出租车运价的通知", normative, written=D(2024, 11, 1), published=D(2024, 11, 3))
    catalog.withdraw_document(withdrawn)  # withdrawn: not counted
    document(county, "西昌市城市管理规定", normative, written=D(2024, 6, 1), published=D(2024, 6, 5))  # the county's
    document(city, "《凉山州最低生活保障实施细则》政策解读", Genre.objects.get(name="政策解读"), written=D(2024, 7, 1),
             published=D(2024, 7, 3))
    # The 2023 report, published by the office (its 四、结转 is 2024's 二、上年结转).
    report_2023 = services.report_start(city, 2023, user=office)
    services.report_save(report_2023, user=office, overview=report_2023.overview, problems="一是政策解读形式不够丰富。",
                         other_matters=report_2023.other_matters, entered=ENTRIES_2023)
    services.report_publish(report_2023, user=office)
    # The 2024 report: the office's prose and entries.
    report = services.report_start(city, 2024, user=office)
    services.report_save(report, user=office, overview=report.overview,
                         problems="一是依申请公开答复的规范化水平有待提高。\n二是政策解读形式还不够丰富。",
                         other_matters=report.other_matters, entered=ENTRIES)
    report.refresh_from_db()
    return {"report": report, "apps": apps, "report_2023": report_2023}


# --- readers ---------------------------------------------------------------------------------------

def _numbers(values):
    return [int(v) if isinstance(v, int) or str(v).isdigit() else v for v in values]


def html_tables(page: str) -> dict[int, list[tuple[str, list[str]]]]:
    """The page's three tables as (label, values) rows: a row's label is its last header cell, its values the data cells."""
    root = lxml.html.document_fromstring(page)
    out = {}
    for number, table in zip((2, 3, 4), root.iter("table")):
        rows = []
        for tr in table.iter("tr"):
            heads = [th.text_content().strip() for th in tr if th.tag == "th"]
            values = [td.text_content().strip() for td in tr if td.tag == "td"]
            if values and (number != 3 or len(values) == 7):
                rows.append((heads[-1] if heads else "", values))
        out[number] = rows
    return out


def docx_tables(content: bytes) -> dict[int, list[tuple[str, list[str]]]]:
    """The DOCX's three tables as (label, values) rows: merged cells counted once per row."""
    from docx import Document as Docx

    out = {}
    for number, table in zip((2, 3, 4), Docx(io.BytesIO(content)).tables):
        rows = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
            count = {2: None, 3: 7, 4: 15}[number]
            if number == 2:
                if cells[0] in [label for label, _v in EXPECTED_2]:
                    rows.append((cells[0], cells[1:]))
            elif all(c.replace(".", "").isdigit() for c in cells[-count:]) and len(cells) >= count:
                rows.append((cells[-count - 1] if len(cells) > count else "", cells[-count:]))
        out[number] = rows
    return out


def assert_tables(found: dict):
    assert found[2] == EXPECTED_2
    assert [label for label, _v in found[3]] == [label for label, _v in EXPECTED_3]
    assert [(label, _numbers(values)) for label, values in found[3]] == EXPECTED_3
    assert [_numbers(values) for _label, values in found[4]] == [EXPECTED_4]


# --- the report, in every format -------------------------------------------------------------------

def test_the_json_tables_match_the_hand_made_report_and_the_check_passes(year_2024, city):
    data = annual.assemble(city, 2024)
    out = annual.as_json(data)
    assert (out["format"], out["year"], out["organisation"]) == ("2021", 2024, "凉山彝族自治州人民政府")
    assert out["problems"] == []
    tables = {t["table"]: t for t in out["tables"]}
    assert [(row["label"].split(" ")[-1], [annual.fees_text(v) if isinstance(v, float) else str(v) for v in row["values"]])
            for row in tables[2]["rows"]] == EXPECTED_2
    assert [(row["label"].split(" ")[-1], row["values"]) for row in tables[3]["rows"]] == EXPECTED_3
    assert [row["values"] for row in tables[4]["rows"]] == [EXPECTED_4]
    # 二、上年结转 is what the published 2023 report carried forward.
    published_2023 = AnnualReport.objects.get(organisation=city, year=2023).published_figures["stated"]["table3"]
    assert published_2023["carried_forward"] == dict(zip(
        ["natural", "commercial", "research", "welfare", "legal_service", "other", "total"], EXPECTED_3[1][1]))
    # Entries with last year's beside them; the fee total of the year (paid in 2024 only).
    assert out["entered"]["licensing"] == {"label": "行政许可 本年处理决定数量", "unit": "件", "value": 1342,
                                           "last_year": 1288}
    assert (out["entered"]["fees"]["value"], out["entered"]["fees"]["last_year"]) == (12.56, 11.2)
    assert out["fees"] == {"amount_yuan": "300.00", "paid": 2}
    assert "本年度收取信息处理费300.00元（2件申请）" in out["sections"][5]["text"]
    # Section 一's draft, written from the year's figures.
    overview = out["sections"][0]["text"]
    # published in 2024: 规章甲, 规范性文件甲乙丙庚, the interpretation (not the withdrawn one, not the county's)
    assert "主动公开政府信息6条，其中行政规范性文件4件、政策解读1篇" in overview
    assert "新收政府信息公开申请11件，上年结转3件，本年度办结11件，结转下年度继续办理3件" in overview


def test_the_html_page_holds_the_same_tables_and_the_checker_reads_it_clean(year_2024, city):
    page = annual_render.page_html(annual.assemble(city, 2024))
    assert_tables(html_tables(page))
    # The same checker as for reports published anywhere, on the page as published.
    result = check_page(page, "generated.html")
    assert result.error == "" and result.problems == []
    assert (result.report.format.key, result.report.year, result.report.organisation) == (
        "2021", 2024, "凉山彝族自治州人民政府")
    read = result.report.tables[3].values
    assert [read[row.key]["total"] for row in result.report.format.table(3).rows] == [v[-1] for _l, v in EXPECTED_3]
    # Headers are headers, for screen readers.
    root = lxml.html.document_fromstring(page)
    assert root.xpath("//th[@scope='row' and text()='（七）总计']")
    assert len(root.xpath("//table/caption")) == 3


def test_the_docx_holds_the_same_tables(year_2024, city):
    data = annual.assemble(city, 2024)
    content = annual_render.render_docx(data)
    assert_tables(docx_tables(content))
    from docx import Document as Docx

    text = [p.text for p in Docx(io.BytesIO(content)).paragraphs]
    assert text[0] == "凉山彝族自治州人民政府2024年政府信息公开工作年度报告"
    assert "五、存在的主要问题及改进情况" in text and "一是依申请公开答复的规范化水平有待提高。" in text


# --- the check, overrides and publication ----------------------------------------------------------

def test_an_override_without_a_reason_is_refused(year_2024, office):
    report = year_2024["report"]
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            services.report_override(report, user=office, cell="3:1:natural", value=4, reason=reason)
        assert caught.value.message_dict == {"reason": ["修改系统计算的数据必须说明理由。"]}
    assert not Override.objects.exists()


def test_an_inconsistent_override_blocks_publication_with_the_checkers_problems(year_2024, city, office):
    report = year_2024["report"]
    services.report_override(report, user=office, cell="3:1:natural", value=4,
                             reason="一件申请的办结日期登记有误，实为2024年12月办结")
    data = annual.assemble(city, 2024, report=report)
    assert annual.get(data.stated, "3:1:natural") == 4 and annual.get(data.computed, "3:1:natural") == 3
    found = {(p.kind, p.table, p.row, p.column, p.stated, p.computed) for p in annual.problems(data)}
    assert found == {
        ("sum", 3, "（一）予以公开", "总计", 3, 4),  # the row's 总计 is not the sum of its applicant columns
        ("sum", 3, "（七）总计", "自然人", 6, 7),  # （七） is not the sum of the outcome rows
    }
    with pytest.raises(ValidationError) as caught:
        services.report_publish(report, user=office)
    assert "表三“（一）予以公开”的总计为3，各申请人列之和为4。" in caught.value.messages
    report.refresh_from_db()
    assert (report.state, report.document_id) == ("draft", None)
    assert not Document.objects.filter(genre__name="年度报告", organisation=city, title__contains="2024").exists()


def test_an_entry_left_empty_and_an_empty_section_block_publication(year_2024, city, office):
    report = year_2024["report"]
    services.report_save(report, user=office, overview=report.overview, problems="", other_matters=report.other_matters,
                         entered={**ENTRIES, "coercion": ""})
    problems = annual.problems(annual.assemble(city, 2024))
    assert {(p.kind, p.row) for p in problems} == {
        ("missing", "第二十条第（六）项 行政强制"), ("missing", "五、存在的主要问题及改进情况")}


def test_the_carried_over_row_must_equal_what_the_published_report_of_last_year_carried_forward(year_2024, city):
    previous = year_2024["report_2023"]
    previous.refresh_from_db()
    figures = previous.published_figures
    figures["stated"]["table3"]["carried_forward"]["natural"] = 2  # as if 2023 had been published with 2
    figures["stated"]["table3"]["carried_forward"]["total"] = 4
    AnnualReport.objects.filter(pk=previous.pk).update(published_figures=figures)
    problems = annual.problems(annual.assemble(city, 2024))
    assert {(p.kind, p.row_key, p.column, p.stated, p.computed) for p in problems} == {
        ("sum", "carried_over", "自然人", 1, 2), ("sum", "carried_over", "总计", 3, 4)}


def test_publication_writes_the_catalog_draft_of_genre_annual_report_and_freezes_the_figures(year_2024, city, office):
    report = year_2024["report"]
    services.report_override(report, user=office, cell="2:article_20_1.normative:in_force", value=6,
                             reason="《凉山州城镇燃气管理规定》废止决定尚未录入目录，按现行有效计")
    doc = services.report_publish(report, user=office)
    report.refresh_from_db()
    assert report.state == "published" and report.document == doc and report.published_by == office
    assert (doc.status, doc.genre.name, doc.organisation, doc.title) == (
        "draft", "年度报告", city, "凉山彝族自治州人民政府2024年政府信息公开工作年度报告")
    assert doc.created_by == office  # a draft of the office, to go through the normal review
    assert [a.name for a in doc.attachments.all()] == ["凉山彝族自治州人民政府2024年政府信息公开工作年度报告.docx"]
    body = html_tables(f"<html><body>{doc.body}</body></html>")
    assert body[2][1] == ("行政规范性文件", ["4", "1", "6"])  # the stated figure, the override applied
    assert "系统计算" not in doc.body  # the computed value stays in the workspace
    # The override kept its computed value, reason, who and when.
    data = annual.assemble(city, 2024)
    (kept,) = data.overrides
    assert (kept.value, kept.computed_then, kept.reason, kept.by) == (
        6, 5, "《凉山州城镇燃气管理规定》废止决定尚未录入目录，按现行有效计", "city_office")
    # Frozen: an application registered afterwards does not change the published report.
    make_app(city, "natural", D(2024, 12, 30))
    assert annual.get(annual.assemble(city, 2024).stated, "3:new:total") == 11
    assert annual.get(annual.computed_tables(city, 2024), "3:new:total") == 12
    # Published reports are not edited; it can be reopened while its document is a draft.
    with pytest.raises(ValidationError):
        services.report_save(report, user=office, overview="", problems="", other_matters="", entered={})
    services.report_reopen(report, user=office)
    report.refresh_from_db()
    assert (report.state, report.published_figures) == ("draft", {})
    from gongkai.core.models import AuditEntry

    assert list(AuditEntry.objects.filter(object_type="reports.annual", object_id=str(report.pk))
                .order_by("seq").values_list("action", flat=True)) == [
        "reports.annual.create", "reports.annual.edit", "reports.annual.override", "reports.annual.publish",
        "reports.annual.reopen"]


def test_only_the_organisations_openness_office_makes_and_publishes_its_report(year_2024, org_tree, make_user):
    report = year_2024["report"]
    city = org_tree["city"]
    another_office = make_user("dept_office", (org_tree["department"], "office_admin"))  # 四川省财政厅's office
    county_office = make_user("county_office", (org_tree["county"], "office_admin"))  # below the city
    drafter = make_user("city_drafter", (city, "drafter"))
    for user in (another_office, county_office, drafter):
        with pytest.raises(PermissionDenied):
            services.report_start(city, 2022, user=user)
        with pytest.raises(PermissionDenied):
            services.report_save(report, user=user, overview="", problems="", other_matters="", entered={})
        with pytest.raises(PermissionDenied):
            services.report_override(report, user=user, cell="3:1:natural", value=4, reason="理由")
        with pytest.raises(PermissionDenied):
            services.report_publish(report, user=user)
    assert not AnnualReport.objects.filter(year=2022).exists()
    # The office above (the province's) reaches the city's report, as it reaches everything below it.
    province_office = make_user("province_office", (org_tree["province"], "office_admin"))
    assert services.report_start(city, 2024, user=province_office) == report


def test_the_township_deadline_is_the_local_rule(org_tree, make_user, on_day):
    from gongkai.reports import deadlines, selectors

    on_day(D(2025, 1, 15))
    county_office = make_user("county_office", (org_tree["county"], "office_admin"))
    township = org_tree["township"]
    assert annual.deadline_of(township, 2024) == D(2025, 3, 31)  # no local rule yet
    with pytest.raises(ValidationError) as caught:
        services.township_deadline_set(org_tree["county"], user=county_office, month=2, day=29)
    assert caught.value.message_dict == {"day": ["2月29日并非每年都有，请选择其他日期。"]}
    with pytest.raises(PermissionDenied):
        services.township_deadline_set(org_tree["city"], user=county_office, month=2, day=15)
    services.township_deadline_set(org_tree["county"], user=county_office, month=2, day=15, basis="西府办发〔2024〕3号")
    assert annual.deadline_of(township, 2024) == D(2025, 2, 15)
    assert annual.deadline_of(org_tree["county"], 2024) == D(2025, 3, 31)  # governments: Art. 49
    assert annual.deadline_of(org_tree["department"], 2024) == D(2025, 1, 31)  # departments: Art. 49
    assert deadlines.rule_error(4, 31) == "4月没有31日。"
    assert selectors.township_rule(org_tree["county"]) is None


def test_a_year_before_the_2021_format_or_not_begun_is_refused(city, office, on_day):
    on_day(D(2025, 1, 15))
    with pytest.raises(ValidationError):
        services.report_start(city, 2020, user=office)
    with pytest.raises(ValidationError):
        services.report_start(city, 2026, user=office)
    assert not AnnualReport.objects.exists()


def test_json_is_json(year_2024, city):
    """The report's JSON survives a round trip (dates, decimals)."""
    out = annual.as_json(annual.assemble(city, 2024))
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
