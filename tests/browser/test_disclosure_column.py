"""The 政府信息公开 column in a real browser (issue 18): from the home page a
person reaches the column's four fixed entries, and an organisation's own
column, by links alone; nothing is loaded from another host.

Transactional (the live server answers from another thread); the flush
empties the column tree, which the portal app installs again (post_migrate)."""

import datetime as dt
from urllib.parse import urlsplit

import pytest

from gongkai.catalog.models import Genre
from gongkai.portal import column_services
from tests.browser.conftest import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDE = {
    "finding": "通过本网站政府信息公开专栏查阅。", "applying": "通过互联网或信函提出申请。",
    "office_name": "西昌市人民政府办公室", "address": "西昌市航天大道一号", "hours": "工作日 9:00—17:30",
    "phone": "0834-1234567", "fees": "", "remedies": "可以依法申请行政复议或者提起行政诉讼。",
}


def test_the_four_entries_are_reached_from_the_home_page(page, live_server, org_tree, make_document):
    county = org_tree["county"]
    make_document(county, "西昌市2023年统计公报", genre=Genre.objects.get(name="统计数据"),
                  published_date=dt.date(2024, 2, 1))
    make_document(county, "西昌市人民政府2023年政府信息公开工作年度报告", genre=Genre.objects.get(name="年度报告"),
                  published_date=dt.date(2024, 1, 20))
    column_services.save_openness_guide(county, GUIDE, user=None, system=True)
    base = live_server.url

    page.goto(base + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政府信息公开", exact=True).click()
    assert page.locator("h1").inner_text() == "政府信息公开"
    entries = page.get_by_role("region", name="公开目录")
    for name in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开工作年度报告"):
        assert entries.get_by_role("link", name=name).count() == 1, name

    # An organisation's own column, then each entry from there.
    page.get_by_role("link", name="西昌市人民政府", exact=True).click()
    assert page.locator("h1").inner_text() == "西昌市人民政府 政府信息公开"
    column_home = page.url
    shoot(page, "column-home")

    page.get_by_role("region", name="公开目录").get_by_role("link", name="政府信息公开指南").click()
    assert page.locator("h1").inner_text() == "西昌市人民政府政府信息公开指南"
    assert page.get_by_text("0834-1234567").count() >= 1
    assert page.get_by_role("link", name="在线提交政府信息公开申请").first.get_attribute("href").endswith(f"?org={county.pk}")

    page.goto(column_home)
    page.get_by_role("region", name="公开目录").get_by_role("link", name="政府信息公开制度").click()
    assert page.locator("h1").inner_text() == "政府信息公开制度"
    assert page.get_by_text("本栏目暂无信息").count() == 1

    page.goto(column_home)
    page.get_by_role("region", name="公开目录").get_by_role("link", name="法定主动公开内容").click()
    page.get_by_role("region", name="法定主动公开内容").get_by_role("link", name="统计信息").click()
    assert page.locator("h1").inner_text() == "统计信息"
    shoot(page, "column-list")
    assert page.get_by_role("link", name="西昌市2023年统计公报").count() == 1

    page.goto(column_home)
    page.get_by_role("region", name="公开目录").get_by_role("link", name="政府信息公开工作年度报告").click()
    assert page.locator("h1").inner_text() == "政府信息公开工作年度报告"
    assert page.get_by_role("heading", name="2023年度").count() == 1

    host = urlsplit(base).netloc
    assert all(urlsplit(url).netloc == host for url in page.requests if url.startswith("http")), page.requests
    assert page.console_errors == []
