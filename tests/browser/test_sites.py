"""Issue 18's "Done when" for the sub-sites, in a real browser: from the home
page, by links only, to the organisation directory, down the tree (the
<details> groups open without JavaScript) to a county department's
sub-site, and on to its own 政府信息公开 column."""

import os
import re
from pathlib import Path

import pytest

from gongkai.core.models import Organisation, SiteIdentity
from tests.browser.conftest import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def department(org_tree, make_document):
    dept = Organisation.objects.create(name="西昌市交通运输局", short_name="西昌市交通局", level="department",
                                       parent=org_tree["county"], index_prefix="XCJT01")
    SiteIdentity.objects.create(organisation=org_tree["province"], site_name="四川省政府信息公开平台",
                                sponsor="四川省人民政府办公厅", site_code="5100000001")
    make_document(dept, "西昌市交通运输局关于调整公交线路的公告", "正文。")
    return dept


def test_home_to_a_county_departments_sub_site_and_its_column(page, live_server, department):
    base = live_server.url
    page.goto(base + "/")
    assert page.locator("meta[name='SiteIDCode']").get_attribute("content") == "5100000001"
    assert "主办单位：四川省人民政府办公厅" in page.locator("footer").inner_text()
    page.locator("footer").get_by_role("link", name="机构网站导航").click()
    assert page.locator("h1").inner_text() == "机构网站导航"

    directory = page.get_by_role("navigation", name="机构网站导航")
    county_dept = directory.get_by_role("link", name="西昌市交通运输局", exact=True)
    assert not county_dept.is_visible()  # folded away: the tree, not a flat list
    # Open the groups down the tree: 凉山州 (open at the top) → 西昌市 → its departments.
    city = directory.locator("xpath=.//li[a[normalize-space()='凉山彝族自治州人民政府']]")
    city.locator(":scope > details > summary", has_text="下级政府").click()
    county = directory.locator("xpath=.//li[a[normalize-space()='西昌市人民政府']]")
    county.locator(":scope > details > summary", has_text="所属部门").click()
    assert county_dept.is_visible()
    shoot(page, "sites-directory")
    county_dept.click()

    assert page.locator("h1").inner_text() == "西昌市交通运输局"
    assert page.url == f"{base}/org/{department.pk}/"
    assert "关于调整公交线路的公告" in page.locator("main").inner_text()
    assert page.locator("meta[name='ColumnName']").get_attribute("content") == "西昌市交通运输局"
    shoot(page, "sites-org")

    page.get_by_role("navigation", name=re.compile("栏目$")).get_by_role("link", name="政府信息公开", exact=True).click()
    assert page.url == f"{base}/xxgk/org/{department.pk}/"
    assert page.locator("h1").count() == 1

    assert all(url.startswith(base) for url in page.requests), [u for u in page.requests if not u.startswith(base)]
    assert page.console_errors == []


def test_an_office_admin_edits_the_identity_and_the_footer_follows(page, live_server, org_tree, department, make_user):
    base = live_server.url
    make_user("xcgk", (org_tree["county"], "office_admin"))
    sign_in(page, base, "xcgk")
    page.goto(base + "/staff/site-identity/")
    page.get_by_role("link", name="修改西昌市交通运输局的网站标识").click()
    page.get_by_label("电话").fill("0834-1111111")
    page.get_by_label("主办单位").fill("西昌市交通运输局办公室")
    shoot(page, "sites-identity-form")
    page.get_by_role("button", name="保存").click()
    assert "已保存" in page.locator(".notice").first.inner_text()
    page.context.clear_cookies()
    page.goto(f"{base}/org/{department.pk}/")
    footer = page.locator("footer").inner_text()
    assert "主办单位：西昌市交通运输局办公室" in footer and "0834-1111111" in footer
