"""Work-plan supervision in a real browser: a unit's drafter signs in, opens
工作要点督办, sees exactly their unit's tasks, opens one and reports it done
(100%, 已完成); the lead unit's user signs in and confirms the completion."""

import re

import pytest
from django.utils import timezone

from gongkai.workplan import services
from gongkai.workplan.models import Task

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
PLAN_TEXT = f"""{YEAR}年凉山州政务公开工作要点
一、推进决策公开
（一）完善公开目录。（牵头单位：西昌市人民政府；责任单位：西昌市安宁镇人民政府；完成时限：{YEAR}年12月）
（二）加强政策解读。（牵头单位：西昌市人民政府；完成时限：{YEAR}年12月）
二、强化平台建设
（三）办好政府网站。（牵头单位：四川省财政厅；完成时限：{YEAR}年12月）
"""


def field(scope, label):
    """A field by its visible label ("（必填）" is read to screen readers only)."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))


def test_unit_reports_done_and_lead_unit_confirms(page, live_server, org_tree, make_user):
    base = live_server.url
    office = make_user("bangongshi", (org_tree["city"], "office_admin"))
    make_user("anning", (org_tree["township"], "drafter"))
    make_user("xichang", (org_tree["county"], "drafter"))
    plan = services.import_plan(organisation=org_tree["city"], text=PLAN_TEXT, user=office)
    services.confirm_plan(plan, user=office)
    task = plan.tasks.get(title="完善公开目录")

    # The township's drafter sees the township's task only.
    sign_in(page, base, "anning")
    page.get_by_role("link", name="工作要点督办").click()
    assert page.locator("h1").inner_text() == "工作要点督办"
    listed = page.locator("table.task-list tbody").inner_text()
    assert "完善公开目录" in listed and "加强政策解读" not in listed and "办好政府网站" not in listed
    assert page.locator("table.task-list tbody tr").count() == 1

    page.get_by_role("link", name="完善公开目录").click()
    assert "完善公开目录" in page.locator("h1").inner_text()
    section = page.locator("#act-report")
    field(section, "进展情况").fill("已按新标准全面更新本镇政府信息公开目录。")
    field(section, "进度（%）").fill("100")
    section.get_by_label("已完成（报牵头单位确认）").check()
    section.get_by_role("button", name="报送").click()
    assert "已报送完成" in page.locator(".notice").first.inner_text()
    assert "待牵头单位确认" in page.locator(".status-line").inner_text()
    assert page.get_by_role("button", name="确认完成").count() == 0

    # The lead unit (the county) confirms.
    sign_in(page, base, "xichang")
    page.get_by_role("link", name="工作要点督办").click()
    page.get_by_role("link", name="完善公开目录").click()
    assert "已按新标准全面更新本镇政府信息公开目录。" in page.locator(".report-list").inner_text()
    page.get_by_role("button", name="确认完成").click()
    assert "已确认任务完成" in page.locator(".notice").first.inner_text()
    assert "状态：已完成" in page.locator(".status-line").inner_text()
    task.refresh_from_db()
    assert task.state == Task.State.DONE

    assert all(url.startswith(base) for url in page.requests)
    assert page.console_errors == []
