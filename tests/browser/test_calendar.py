"""Issue 12's "Done when", in a real browser: in December, with next year's
holidays not yet in the calendar, an application's due date shows as 暂定;
the provincial office administrator pastes the State Council's notice,
checks the days read in the calendar view, confirms, and the application's
due date becomes the real one."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongkai.applications import services
from tests.applications.test_staff import PERSON
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paste_the_notice_and_the_provisional_due_date_becomes_real(page, live_server, org_tree, make_user,
                                                                   notice_text, package_ends_2026):
    base = live_server.url
    admin = make_user("gongkaiban", (org_tree["province"], "office_admin"))
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        app, _ = services.register(org_tree["county"], dict(PERSON), channel="in_person", user=admin,
                                   received_on=dt.date(2026, 12, 20))
        sign_in(page, base, "gongkaiban")
        assert "2027年的法定节假日安排尚未录入工作日历" in page.locator("#calendar-banner").inner_text()
        page.goto(f"{base}/staff/applications/{app.pk}/")
        due = page.locator("dt:text('答复期限') + dd").inner_text()
        assert due == "2027年1月15日（暂定：2027年节假日安排尚未录入）", due

        page.goto(f"{base}/staff/")
        page.locator("#calendar-banner").get_by_role("link", name="导入节假日安排通知").click()
        page.get_by_label("通知全文").fill(notice_text("made-up-2027.txt"))
        page.get_by_role("button", name="读取通知").click()
        assert "核对并确认：2027年节假日安排" in page.locator("main").inner_text()
        assert page.locator("td[data-date='2027-02-08']").get_attribute("data-kind") == "off"
        assert page.locator("td[data-date='2027-02-20']").inner_text().replace("\n", "") == "20班"
        assert page.locator("td[data-date='2027-01-01']").inner_text().replace("\n", "") == "1休"
        page.get_by_role("button", name="确认导入2027年节假日安排").click()
        assert "已导入2027年节假日安排" in page.locator(".notice").first.inner_text()

        page.goto(f"{base}/staff/applications/{app.pk}/")
        due = page.locator("dt:text('答复期限') + dd").inner_text()
        assert due == "2027年1月18日", due
        page.goto(f"{base}/staff/")
        assert page.locator("#calendar-banner").count() == 0
    assert not page.console_errors and all(url.startswith(base) for url in page.requests)
