"""The workbench people open every morning: each deadline message said once
(a provisional deadline says 暂定 in its row, and why once under the list), a
banner only for who can act on it, the panels with nothing to do folded into
one short list at the end, and the counts at the top only of what waits."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongkai.applications import services
from tests.applications.test_services import PERSON
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def staff(org_tree, make_user):
    return {
        "top": make_user("top-admin", (org_tree["province"], "office_admin")),
        "handler": make_user("handler", (org_tree["county"], "handler")),
        "drafter": make_user("drafter", (org_tree["county"], "drafter")),
    }


def home(client, user):
    client.force_login(user)
    return parse(client.get(reverse("workspace:home")))


def test_a_provisional_deadline_is_explained_once(org_tree, staff, client, package_ends_2026):
    with on(2026, 12, 7):
        # due in January 2027, whose holidays are not in the calendar yet: provisional
        services.register(org_tree["county"], PERSON, channel="in_person", user=staff["handler"],
                          received_on=dt.date(2026, 12, 7))
        services.register(org_tree["county"], {**PERSON, "info_title": "另一项信息"}, channel="in_person",
                          user=staff["handler"], received_on=dt.date(2026, 12, 7))
        tree = home(client, staff["handler"])
        page = text_of(tree.xpath("//main")[0])
        assert not tree.cssselect("#calendar-banner")  # the handler cannot import the notice: no banner
        panel = tree.get_element_by_id("panel-applications")
        rows = panel.xpath(".//tbody/tr")
        assert len(rows) == 2 and all(text_of(r).count("暂定") == 1 for r in rows)
        assert page.count("节假日安排尚未录入") == 1
        assert "2027年的法定节假日安排尚未录入" in text_of(tree.get_element_by_id("calendar-note"))

        # the top office, who imports it, gets the banner with the link, and no second note
        tree = home(client, staff["top"])
        assert "导入节假日安排通知" in text_of(tree.cssselect("#calendar-banner")[0])
        assert not tree.cssselect("#calendar-note")
        assert text_of(tree.xpath("//main")[0]).count("节假日安排尚未录入") == 1


def test_empty_panels_fold_into_one_list_and_counts_show_what_waits(org_tree, staff, client):
    tree = home(client, staff["drafter"])
    folded = tree.xpath("//section[h2[@id='nothing-h']]")[0]
    assert "待我处理（0）" in text_of(tree.get_element_by_id("panel-waiting"))
    assert tree.get_element_by_id("panel-waiting").getparent().getparent() is folded
    assert not tree.xpath("//section[@id='panel-waiting']")  # not a full panel of its own
    assert tree.xpath("//ul[@aria-label='待办数量']/li") == []

    from gongkai.publishing import services as publishing

    publishing.save_draft(None, user=staff["drafter"], organisation=org_tree["county"], title="关于开展防汛检查的通知")
    tree = home(client, staff["drafter"])
    assert "关于开展防汛检查的通知" in text_of(tree.xpath("//section[@id='panel-drafts']")[0])
    counts = [text_of(li) for li in tree.xpath("//ul[@aria-label='待办数量']/li")]
    assert counts == ["1 我的草稿"]
