"""The staff calendar page (/staff/calendar/): the office pastes or uploads
the holiday notice, checks the days read in a calendar view of the year,
confirms; everyone else is refused. And the workbench banner that, from
1 November, names next year while its schedule is missing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.core import calendar
from gongkai.core.models import AuditEntry, CalendarDay, HolidayNotice
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db
URL = "/staff/calendar/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def staff(org_tree, make_user):
    return {
        "top": make_user("top-admin", (org_tree["province"], "office_admin")),
        "county": make_user("county-admin", (org_tree["county"], "office_admin")),
        "handler": make_user("handler", (org_tree["county"], "handler")),
        "drafter": make_user("drafter", (org_tree["county"], "drafter")),
    }


def kinds(page) -> dict[str, str]:
    return {cell.get("data-date"): cell.get("data-kind") for cell in parse(page).cssselect("td[data-date]")}


def test_paste_check_confirm(client, staff, notice_text, package_ends_2026):
    client.force_login(staff["top"])
    text = notice_text("made-up-2027.txt")
    preview = client.post(URL, {"step": "read", "text": text})
    assert preview.status_code == 200
    shown = kinds(preview)
    assert len(shown) == 365 and shown["2027-02-08"] == "off" and shown["2027-02-20"] == "work"
    assert shown["2027-03-06"] == "weekend" and shown["2027-03-08"] == "day" and shown["2027-01-01"] == "off"
    page = text_of(parse(preview))
    assert "核对并确认：2027年节假日安排" in page and "春节" in page and "2月20日" in page
    assert not HolidayNotice.objects.exists() and not CalendarDay.objects.exists()  # nothing written before confirming
    confirm_text = parse(preview).cssselect("textarea[name=text]")[0].text_content()
    done = client.post(URL, {"step": "confirm", "text": confirm_text})
    assert done.status_code == 302 and done["Location"] == f"{URL}?year=2027"
    assert calendar.covered(2027) and not calendar.is_workday(dt.date(2027, 2, 8))
    assert AuditEntry.objects.filter(action="calendar.import_notice", actor="top-admin").count() == 1
    after = client.get(done["Location"])
    assert kinds(after)["2027-02-20"] == "work" and "已导入2027年节假日安排" in after.content.decode()
    assert "国务院办公厅关于2027年部分节假日安排的通知" in text_of(parse(after))


def test_upload_a_saved_gbk_page(client, staff, notice_text):
    client.force_login(staff["top"])
    page = f"<html><head><meta charset='gb2312'></head><body>{notice_text('2024-guobanfa-mingdian-2023-7.txt')}</body></html>"
    response = client.post(URL, {"step": "read", "file": SimpleUploadedFile("notice.html", page.encode("gbk"))})
    assert response.status_code == 200 and kinds(response)["2024-02-04"] == "work"


def test_bad_input_gets_a_chinese_message_and_writes_nothing(client, staff):
    client.force_login(staff["top"])
    for data in ({"step": "read", "text": ""}, {"step": "confirm", "text": "国务院办公厅关于2024年部分节假日安排的通知\n二、春节：2月10日至17日放假调休，共7天。"},
                 {"step": "read", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + bytes(range(256)))}):
        response = client.post(URL, data)
        html = text_of(parse(response))
        assert response.status_code == 400 and "未导入" in html
        assert any(word in html for word in ("请粘贴通知全文", "与通知所写的7天不符", "无法读取上传的文件"))
    assert not HolidayNotice.objects.exists() and not AuditEntry.objects.exists()


def test_denials(client, staff, notice_text):
    text = notice_text("made-up-2027.txt")
    assert client.get(URL).status_code == 302  # signed-out: to the login page
    for who in ("county", "handler", "drafter"):
        client.force_login(staff[who])
        page = client.get(URL)
        assert page.status_code == 200 and not parse(page).cssselect("form[enctype]")
        assert "请联系本级政务公开办" in page.content.decode()
        assert client.post(URL, {"step": "confirm", "text": text}).status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff["top"])
    assert csrf_client.post(URL, {"step": "confirm", "text": text}).status_code == 403
    assert not HolidayNotice.objects.exists()


def banner(client, user) -> str:
    client.force_login(user)
    found = parse(client.get(reverse("workspace:home"))).cssselect("#calendar-banner")
    return text_of(found[0]) if found else ""


def test_the_banner_names_the_missing_year_from_november(client, staff, notice_text, package_ends_2026):
    from gongkai.core import services
    from gongkai.core.holiday_notice import read_notice

    with on(2026, 10, 31):
        assert banner(client, staff["handler"]) == ""
    with on(2026, 11, 1):
        shown = banner(client, staff["top"])
        assert "2027年的法定节假日安排尚未录入工作日历" in shown and "导入节假日安排通知" in shown
        # a banner only for who can act on it: the top office imports the notice; the others'
        # provisional deadlines say why under their list (tests/workspace/test_workbench.py)
        assert banner(client, staff["handler"]) == "" and banner(client, staff["county"]) == ""
        assert banner(client, staff["drafter"]) == ""
    with on(2027, 1, 4):  # still missing in January: this year's
        assert "2027年的法定节假日安排尚未录入" in banner(client, staff["top"])
    text = notice_text("made-up-2027.txt")
    services.calendar_import_notice(read_notice(text), by=None, text=text, system=True)
    with on(2026, 12, 6):
        assert banner(client, staff["top"]) == ""
