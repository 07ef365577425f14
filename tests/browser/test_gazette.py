"""The gazette in a real browser (headless Chromium): from the home page by
links only, 政府公报 → a year → an issue → a document that says where it was
printed; and the staff page where an office picks the contents and publishes.

Transactional tests: the live server answers from another thread."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from gongkai.catalog import gazette
from gongkai.catalog.gazette import ContentItem
from gongkai.catalog.models import GazetteIssue

from .conftest import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "凉山彝族自治州人民政府公报"


@pytest.fixture
def gazette_data(org_tree, make_document, make_user):
    city = org_tree["city"]
    admin = make_user("gz_admin", (city, "office_admin"))
    rule = make_document(city, "凉山州城市绿化管理办法", "第一条 为了加强城市绿化管理，制定本办法。",
                         document_number="凉府发〔2024〕1号", published_date=dt.date(2024, 2, 20))
    notice = make_document(city, "关于做好防汛工作的通知", "各县市人民政府：现就防汛工作通知如下。",
                           document_number="凉府发〔2024〕2号", published_date=dt.date(2024, 2, 22))
    issue = gazette.issue_create(city, user=admin, year=2024, number=3, number_to=4, total_number=738,
                                 published_on=dt.date(2024, 2, 28))
    gazette.issue_set_contents(issue, [ContentItem(rule.pk, "规章", 1), ContentItem(notice.pk, "政府文件", 9)], user=admin)
    gazette.issue_publish(issue, user=admin)
    return {"city": city, "admin": admin, "rule": rule, "notice": notice, "issue": issue}


def test_home_to_gazette_year_issue_and_document(page, live_server, gazette_data):
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政府公报").click()
    assert page.locator("h1").inner_text() == "政府公报"
    assert page.get_by_role("heading", name=f"《{NAME}》").is_visible()

    page.get_by_role("link", name="2024年").click()
    assert page.locator("h1").inner_text() == "2024年政府公报"
    page.get_by_role("link", name="2024年第3-4期").click()
    assert page.locator("h1").inner_text() == f"《{NAME}》2024年第3-4期（总第738期）"
    toc = page.locator("ol.gazette-toc a")
    assert toc.all_inner_texts() == ["凉山州城市绿化管理办法", "关于做好防汛工作的通知"]
    shoot(page, "gazette-issue")

    page.get_by_role("link", name="凉山州城市绿化管理办法").click()
    assert page.locator("h1").inner_text() == "凉山州城市绿化管理办法"
    note = page.locator("p.gazette-published-in")
    assert note.inner_text() == f"本文刊登于《{NAME}》2024年第3-4期（第1页）。"
    note.get_by_role("link").click()
    assert urlsplit(page.url).path == f"/gazette/issue/{gazette_data['issue'].pk}/"

    assert not page.console_errors
    assert all(urlsplit(url).netloc == urlsplit(base).netloc for url in page.requests if url.startswith("http"))


def test_office_builds_and_publishes_an_issue(page, live_server, gazette_data, make_document):
    base = live_server.url
    extra = make_document(gazette_data["city"], "关于调整城市公交票价的通知", document_number="凉府发〔2024〕8号",
                          published_date=dt.date(2024, 3, 10))
    sign_in(page, base, "gz_admin")
    page.goto(base + "/staff/gazette/")
    shoot(page, "gazette-staff-list")
    page.get_by_role("link", name="新建一期").click()
    page.get_by_label(re.compile(r"^主办机关")).select_option(label="凉山彝族自治州人民政府")
    page.get_by_label(re.compile(r"^年份")).fill("2024")
    page.get_by_label(re.compile(r"^期号")).fill("5")
    page.get_by_label("总期号").fill("739")
    page.get_by_role("button", name="创建").click()
    assert page.locator("h1").inner_text() == f"《{NAME}》2024年第5期（总第739期）"
    shoot(page, "gazette-staff-issue")

    page.get_by_label("按标题或发文字号查找文件").fill("公交")
    page.get_by_role("button", name="查找").click()
    page.get_by_label("关于调整城市公交票价的通知", exact=False).check()
    page.get_by_label("新加入文件的栏目").fill("政府文件")
    page.get_by_role("button", name="保存目录").click()
    assert "目录已保存，共1条" in page.locator('[role="status"]').inner_text()
    page.get_by_role("button", name="发布本期").click()
    assert "已发布" in page.locator('[role="status"]').inner_text()

    issue = GazetteIssue.objects.get(year=2024, number=5)
    assert issue.is_published and [e.document_id for e in issue.entries.all()] == [extra.pk]
    page.context.clear_cookies()
    page.goto(base + extra.get_absolute_url())
    assert page.locator("p.gazette-published-in").inner_text() == f"本文刊登于《{NAME}》2024年第5期。"
    assert not page.console_errors
