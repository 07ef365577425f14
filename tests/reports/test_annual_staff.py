"""The annual report in the workspace (/staff/reports/): the office edits,
overrides with a reason, publishes once the check passes; others are
refused; the deadline on the workbench from 1 January; the units below an
office and the state of their reports; a government beside its departments."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from gongkai.catalog import services as catalog
from gongkai.core.models import Organisation
from gongkai.reports import services
from gongkai.reports.models import AnnualReport, Override
from tests.reports.test_annual import ENTRIES, city, office, on_day, year_2024  # noqa: F401 (fixtures)

D = dt.date
URL = "/staff/reports/"


def text_of(response) -> str:
    return lxml.html.document_fromstring(response.content.decode()).text_content()


def test_the_office_sees_the_report_with_its_check_preview_and_last_years_entries(client, year_2024, office):
    report = year_2024["report"]
    client.force_login(office)
    page = client.get(f"{URL}{report.pk}/")
    assert page.status_code == 200
    text = text_of(page)
    assert "未发现问题" in text
    root = lxml.html.document_fromstring(page.content.decode())
    (row,) = root.xpath("//section[@aria-labelledby='entries-title']//tr[th='行政许可 本年处理决定数量（件）']")
    assert [td.text_content() for td in row.xpath("td")] == ["1342", "1288"]  # last year's report beside
    assert root.xpath("//label[@for='id_fees']")  # labelled fields
    assert [p.get("action") for p in root.xpath("//form[@method='post']")][-1].endswith("/override/")
    listing = client.get(URL)
    assert listing.status_code == 200 and "凉山彝族自治州人民政府" in text_of(listing)


def test_an_override_without_a_reason_is_refused_on_the_page(client, year_2024, office):
    report = year_2024["report"]
    client.force_login(office)
    page = client.post(f"{URL}{report.pk}/override/", {"cell": "3:1:natural", "value": "4", "reason": ""})
    assert page.status_code == 200 and "修改系统计算的数据必须说明理由。" in text_of(page)
    assert not Override.objects.exists()
    done = client.post(f"{URL}{report.pk}/override/", {"cell": "3:1:natural", "value": "4", "reason": "登记有误"})
    assert done.status_code == 302
    (kept,) = Override.objects.all()
    assert (kept.value, kept.computed, kept.reason, kept.by) == (4, 3, "登记有误", office)
    page = client.get(f"{URL}{report.pk}/")
    assert "（系统计算：3）" in text_of(page)  # the computed value beside the stated one
    refused = client.post(f"{URL}{report.pk}/publish/")
    assert refused.status_code == 200
    assert "表三“（一）予以公开”的总计为3，各申请人列之和为4。" in text_of(refused)
    assert AnnualReport.objects.get(pk=report.pk).state == "draft"
    client.post(f"{URL}{report.pk}/override/remove/", {"cell": "3:1:natural"})
    assert not Override.objects.exists()


def test_the_office_edits_and_publishes_through_the_pages(client, year_2024, office):
    report = year_2024["report"]
    client.force_login(office)
    bad = client.post(f"{URL}{report.pk}/save/", {"overview": report.overview, "problems": "问题", "other_matters": "无",
                                                  "licensing": "-1", "penalty": "abc", "fees": "1.23456"})
    assert bad.status_code == 200
    text = text_of(bad)
    assert "不能为负数。" in text and "请填写数字。" in text
    assert AnnualReport.objects.get(pk=report.pk).entered == {key: (int(v) if key != "fees" else v)
                                                              for key, v in ENTRIES.items()}
    saved = client.post(f"{URL}{report.pk}/save/", {"overview": report.overview, "problems": "一是解读形式单一。",
                                                    "other_matters": "无。", **ENTRIES, "coercion": "4"})
    assert saved.status_code == 302
    published = client.post(f"{URL}{report.pk}/publish/")
    assert published.status_code == 302
    report.refresh_from_db()
    assert report.state == "published" and report.document.genre.name == "年度报告"
    assert report.published_figures["stated"]["table2"]["article_20_6.coercion"] == {"decisions": 4}
    for fmt, kind in (("docx", "wordprocessingml"), ("json", "application/json"), ("html", "text/html")):
        download = client.get(f"{URL}{report.pk}/download/{fmt}/")
        assert download.status_code == 200 and kind in download["Content-Type"]
    assert client.get(f"{URL}{report.pk}/download/pdf/").status_code == 404


@pytest.fixture
def outsiders(org_tree, make_user):
    return {
        "another office": make_user("dept_office", (org_tree["department"], "office_admin")),
        "a drafter": make_user("city_drafter", (org_tree["city"], "drafter")),
    }


@pytest.mark.parametrize("who", ["another office", "a drafter"])
def test_others_can_neither_see_nor_change_the_report(client, year_2024, outsiders, who, city):
    report = year_2024["report"]
    client.force_login(outsiders[who])
    for path in ("", "departments/", "download/json/"):
        assert client.get(f"{URL}{report.pk}/{path}").status_code == 404
    for path, data in [("save/", {"overview": "改", "problems": "改", "other_matters": "改"}),
                       ("override/", {"cell": "3:1:natural", "value": "9", "reason": "理由"}),
                       ("publish/", {}), ("reopen/", {})]:
        assert client.post(f"{URL}{report.pk}/{path}", data).status_code == 404
    started = client.post(f"{URL}start/", {"organisation": city.pk, "year": "2022"})
    assert started.status_code == 403
    report.refresh_from_db()
    assert report.state == "draft" and report.problems.startswith("一是依申请公开") and not Override.objects.exists()
    assert not AnnualReport.objects.filter(year=2022).exists()
    if who == "a drafter":
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}units/").status_code == 403
    else:  # its own office's reach only: the city is not below the department
        assert "凉山彝族自治州人民政府" not in text_of(client.get(URL))
        assert client.get(f"{URL}units/?org={city.pk}").status_code == 404
        assert "凉山" not in text_of(client.get(f"{URL}units/"))  # its own units: none


def test_start_a_report_from_the_list(client, org_tree, make_user, on_day):
    on_day(D(2025, 1, 15))
    county = org_tree["county"]
    user = make_user("county_office", (county, "office_admin"))
    client.force_login(user)
    page = client.get(URL)
    assert page.status_code == 200
    done = client.post(f"{URL}start/", {"organisation": county.pk, "year": "2024"})
    report = AnnualReport.objects.get(organisation=county, year=2024)
    assert done.status_code == 302 and done["Location"] == f"{URL}{report.pk}/"
    assert "本机关未收到政府信息公开申请" in report.overview
    assert report.other_matters == "本年度未收取信息处理费。"
    again = client.post(f"{URL}start/", {"organisation": county.pk, "year": "2024"})
    assert again["Location"] == f"{URL}{report.pk}/" and AnnualReport.objects.count() == 1
    refused = client.post(f"{URL}start/", {"organisation": county.pk, "year": "2019"})
    assert refused.status_code == 200 and "年度不正确" in text_of(refused)


# --- the deadline on the workbench, and the units below an office ------------------------------------------

@pytest.fixture
def offices(org_tree, make_user):
    dept = Organisation.objects.create(name="凉山州财政局", short_name="州财政局", level="department",
                                       parent=org_tree["city"], index_prefix="LSCZJ01")
    return {
        "city": make_user("city_office", (org_tree["city"], "office_admin")),
        "dept": make_user("dept_office", (dept, "office_admin")),
        "county": make_user("county_office", (org_tree["county"], "office_admin")),
        "township": make_user("township_office", (org_tree["township"], "office_admin")),
        "department": dept,
    }


def panel_rows(client, user):
    client.force_login(user)
    page = client.get("/staff/")
    assert page.status_code == 200
    root = lxml.html.document_fromstring(page.content.decode())
    return [" ".join(" ".join(cell.text_content().split()) for cell in tr.xpath("th|td"))
            for tr in root.xpath("//section[@id='panel-annual_report']//tbody/tr")]


def test_the_deadline_is_on_the_workbench_from_1_january(client, org_tree, offices, on_day):
    on_day(D(2024, 12, 31), hour=23)
    assert not [row for row in panel_rows(client, offices["city"]) if "2024年度报告" in row]
    on_day(D(2025, 1, 1), hour=0)
    assert panel_rows(client, offices["city"]) == ["凉山彝族自治州人民政府2024年度报告 2025年3月31日前 未开始编制 89天"]
    assert panel_rows(client, offices["dept"]) == ["凉山州财政局2024年度报告 2025年1月31日前 未开始编制 30天"]
    services.township_deadline_set(org_tree["county"], user=offices["county"], month=2, day=15)
    assert panel_rows(client, offices["township"]) == ["西昌市安宁镇人民政府2024年度报告 2025年2月15日前 未开始编制 45天"]
    # Past the deadline and until the report is public, it stays, overdue.
    on_day(D(2025, 2, 3))
    assert panel_rows(client, offices["dept"]) == ["凉山州财政局2024年度报告 2025年1月31日前 未开始编制 已逾期"]


def test_a_published_report_leaves_the_workbench_and_the_units_page_tells_who_is_late(client, org_tree, offices,
                                                                                    on_day):
    on_day(D(2025, 1, 20))
    dept = offices["department"]
    report = services.report_start(dept, 2024, user=offices["dept"])
    services.report_save(report, user=offices["dept"], overview=report.overview, problems="无。", other_matters="无。",
                         entered={"licensing": 0, "penalty": 0, "coercion": 0, "fees": 0})
    doc = services.report_publish(report, user=offices["dept"])
    assert panel_rows(client, offices["dept"])  # its document is a draft: not public yet
    catalog.publish_document(doc)  # passed the review
    assert panel_rows(client, offices["dept"]) == []
    Organisation.objects.create(name="凉山州教育局", level="department", parent=org_tree["city"], index_prefix="LSJYJ01")
    on_day(D(2025, 2, 3))
    client.force_login(offices["city"])

    def rows(query=""):
        page = client.get(f"{URL}units/?org={org_tree['city'].pk}&year=2024{query}")
        assert page.status_code == 200
        root = lxml.html.document_fromstring(page.content.decode())
        return {tr.xpath("th")[0].text_content().strip(): " ".join(" ".join(c.text_content().split())
                                                                   for c in tr.xpath("td"))
                for tr in root.xpath("//table/tbody/tr")}

    found = rows()
    assert found["凉山州财政局"].endswith("已发布（2025-01-20） —")
    assert found["凉山州教育局"].startswith("部门 2025-01-31")
    assert found["凉山州教育局"].endswith("未开始编制 已逾期3天")
    assert found["西昌市人民政府"].endswith("未开始编制 56天")  # a government: by 31 March
    assert list(rows("&late=1")) == ["凉山州教育局"]


def test_a_government_beside_its_departments(client, org_tree, offices, on_day):
    on_day(D(2025, 1, 20))
    city = org_tree["city"]
    report = services.report_start(city, 2024, user=offices["city"])
    client.force_login(offices["city"])
    assert "本级政府与各部门数据对照" in text_of(client.get(f"{URL}{report.pk}/"))
    page = client.get(f"{URL}{report.pk}/departments/")
    assert page.status_code == 200
    root = lxml.html.document_fromstring(page.content.decode())
    assert [" ".join(th.text_content().split()) for th in root.xpath("//thead/tr/th")] == [
        "数据项", "凉山彝族自治州人民政府 编制中", "凉山州财政局 未编制"]
    # A department cannot look at the government's comparison.
    client.force_login(offices["dept"])
    assert client.get(f"{URL}{report.pk}/departments/").status_code == 404
