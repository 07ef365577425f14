"""The staff pages people work in all day, in Chromium at 1280 and 390 px
wide (screenshots under /tmp/screens/, outside the repository, for a person
to check): the application page (the request first, each action opened on
demand, a refused action open with its message, a log that names people),
the monitoring page (filtered, the serious findings first; the empty state
says how to add a site), the statistics filter row (a checkbox that looks
like one, labels beside their controls) and the workbench."""

import datetime as dt

import pytest
from django.utils import timezone

from gongkai.applications import services as applications
from gongkai.monitor import services as monitor
from gongkai.monitor.models import Site
from tests.applications.test_services import PERSON
from tests.browser.conftest import shoot, sign_in
from tests.browser.test_application_notices import open_action
from tests.monitor.findings import F

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_application_page(page, live_server, org_tree, make_user):
    base = live_server.url
    county = org_tree["county"]
    handler = make_user("chengban", (county, "handler"))
    handler.first_name = "李承办"
    handler.save()
    make_user("gongkaiban", (county, "office_admin"))
    app, _ = applications.submit_online(county, PERSON)
    applications.assign(app, handler, user=handler)

    sign_in(page, base, "chengban")
    page.goto(f"{base}/staff/applications/{app.pk}/")
    # the request and the applicant first
    assert page.locator("main h2").first.inner_text() == "申请内容和申请人"
    # the actions the state allows, all closed: their fields are not shown until asked for
    actions = page.locator("section[aria-labelledby='actions-h'] details")
    assert actions.count() >= 5
    assert page.locator("details[open]").count() == 0
    reply = page.locator("#act-reply")
    assert not reply.get_by_role("button", name="提交签发").is_visible()
    # the log names people
    log = page.locator("section[aria-labelledby='hist-h'] tbody").inner_text()
    assert "申请人（网上提交）" in log and "李承办（chengban）" in log and "system" not in log
    shoot(page, "application")

    # a refused action comes back open, with its message in sight
    open_action(reply)
    reply.get_by_role("button", name="提交签发").click()
    assert page.locator("#act-reply").get_attribute("open") is not None
    alert = page.locator("[role='alert']").first
    assert "必须有条例规定的结果" in alert.inner_text()
    assert page.locator("#act-reply").get_by_role("button", name="提交签发").is_visible()
    assert page.locator("details[open]").count() == 1
    shoot(page, "application-refused")
    assert page.console_errors == []


def test_monitoring_page(page, live_server, org_tree, make_user):
    base = live_server.url
    make_user("gongkaiban", (org_tree["county"], "office_admin"))
    sign_in(page, base, "gongkaiban")
    page.goto(f"{base}/staff/monitor/")
    empty = page.locator("section[aria-labelledby='empty-h']")
    assert "起始地址" in empty.inner_text()
    shoot(page, "monitor-empty")
    empty.get_by_role("link", name="添加监测网站").click()
    assert "添加监测网站" in page.locator("h1").inner_text()

    county = Site.objects.create(name="西昌市人民政府门户网站", start_url="http://127.0.0.1:9/c/",
                                 organisation=org_tree["county"])
    town = Site.objects.create(name="安宁镇人民政府网站", start_url="http://127.0.0.1:9/t/",
                               organisation=org_tree["township"])
    monitor.record_run(county, [F("dead_link", "warning", f"http://127.0.0.1:9/c/files/{n}.pdf", "附件 (404)",
                                  f"http://127.0.0.1:9/c/news/{n}.html") for n in range(4)]
                       + [F("wording", "serious", "中华人民共和国国务院院", "…根据中华人民共和国国务院院令…",
                            "http://127.0.0.1:9/c/zc/1.html")], pages=40)
    monitor.record_run(town, [F("hidden_link", "serious", "http://bet-anning.example/", "display:none 博彩",
                                "http://127.0.0.1:9/t/index.html")], pages=12)
    page.goto(f"{base}/staff/monitor/")
    severities = page.locator("table.findings-list tbody tr td:first-child").all_inner_texts()
    assert severities[:2] == ["严重", "严重"] and set(severities[2:]) == {"一般"}
    shoot(page, "monitor")
    row = page.get_by_role("search", name="筛选监测发现")
    row.get_by_label("网站").select_option(label="安宁镇人民政府网站")
    row.get_by_role("button", name="筛选").click()
    assert page.locator("table.findings-list tbody tr").count() == 1
    assert "安宁镇人民政府网站" in page.locator("table.findings-list").inner_text()
    assert page.console_errors == []


def test_statistics_filter_row(page, live_server, org_tree, make_user):
    base = live_server.url
    make_user("gongkaiban", (org_tree["county"], "office_admin"))
    sign_in(page, base, "gongkaiban")
    page.goto(f"{base}/staff/application-stats/")
    row = page.locator("form.search-row").first
    checkbox = row.get_by_label("含下级机构")
    box = checkbox.bounding_box()
    assert box["width"] <= 32 and box["height"] <= 32, box  # a checkbox, not a full-width bar
    checkbox.check()
    # each label sits beside its control, on one line at 1280
    for label, control in (("机构", "#s-org"), ("年度", "#s-year")):
        label_box = row.locator(f"label[for='{control[1:]}']").bounding_box()
        control_box = row.locator(control).bounding_box()
        assert label_box["x"] + label_box["width"] <= control_box["x"] + 1, label
        assert abs((label_box["y"] + label_box["height"] / 2) - (control_box["y"] + control_box["height"] / 2)) < 12
    row.get_by_role("button", name="查看").click()
    assert "children=1" in page.url and "含下级机构" in page.locator("main p").first.inner_text()
    shoot(page, "statistics")


def test_workbench(page, live_server, org_tree, make_user):
    base = live_server.url
    county = org_tree["county"]
    handler = make_user("chengban", (county, "handler"))
    for n in range(3):
        applications.register(county, {**PERSON, "info_title": f"第{n + 1}项信息"}, channel="in_person",
                              user=handler, received_on=timezone.localdate() - dt.timedelta(days=n))
    sign_in(page, base, "chengban")
    panel = page.locator("#panel-applications")
    assert panel.locator("tbody tr").count() == 3
    counts = page.get_by_role("list", name="待办数量").inner_text()
    assert "依申请公开" in counts and "待我处理" not in counts  # only what waits
    assert "待我处理（0）" in page.locator("section[aria-labelledby='nothing-h']").inner_text()
    shoot(page, "workbench")
    assert page.console_errors == []
