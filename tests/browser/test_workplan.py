"""Work-plan supervision in a real browser: a unit's drafter signs in, opens
工作要点督办, sees exactly their unit's tasks, opens one and reports its
unit's part done (100%, 已完成); the lead unit's user signs in and confirms
that part, and the task stays open; the lead unit reports its own part done
and confirms it, and only then is the task complete."""

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


def report_done(page, text):
    section = page.locator("#act-report")
    field(section, "进展情况").fill(text)
    field(section, "进度（%）").fill("100")
    section.get_by_label("已完成（报牵头单位确认）").check()
    section.get_by_role("button", name="报送").click()


def confirm_button(organisation):
    """The accessible name of the button confirming one unit's part (the unit's name is read to screen readers)."""
    return re.compile(r"^确认完成\s*：\s*" + re.escape(organisation) + "$")


def part_row(page, organisation):
    return page.locator("table.unit-parts tbody tr").filter(has_text=organisation)


def test_two_units_report_their_parts_and_the_task_completes_after_the_second(page, live_server, org_tree, make_user):
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
    # The township reports for itself only: the form offers no other unit.
    assert page.locator("#act-report select option").all_inner_texts() == ["西昌市安宁镇人民政府"]
    report_done(page, "已按新标准全面更新本镇政府信息公开目录。")
    assert "已报送完成" in page.locator(".notice").first.inner_text()
    # Its own part awaits confirmation; the task is still open: the county has not finished its part.
    assert "待牵头单位确认" in part_row(page, "西昌市安宁镇人民政府").inner_text()
    assert "推进中" in part_row(page, "西昌市人民政府").inner_text()
    assert "状态：推进中" in page.locator(".status-line").inner_text()
    assert page.get_by_role("button", name="确认完成").count() == 0
    assert page.locator("#act-report").count() == 1  # it may still add to its report before confirmation

    # The lead unit (the county) confirms the township's part: the task stays open.
    sign_in(page, base, "xichang")
    page.get_by_role("link", name="工作要点督办").click()
    page.get_by_role("link", name="完善公开目录").click()
    assert "已按新标准全面更新本镇政府信息公开目录。" in page.locator(".report-list").inner_text()
    page.get_by_role("button", name=confirm_button("西昌市安宁镇人民政府")).click()
    assert "已确认“西昌市安宁镇人民政府”承担的部分完成" in page.locator(".notice").first.inner_text()
    assert "已完成" in part_row(page, "西昌市安宁镇人民政府").inner_text()
    assert "状态：推进中" in page.locator(".status-line").inner_text()
    task.refresh_from_db()
    assert task.state == Task.State.OPEN

    # The county reports its own part done (second unit), then confirms it: now the task is complete.
    assert page.locator("#act-report select option").all_inner_texts() == ["西昌市人民政府"]
    report_done(page, "已汇总全市各乡镇目录并完成审核。")
    assert "已报送完成" in page.locator(".notice").first.inner_text()
    assert "状态：待牵头单位确认" in page.locator(".status-line").inner_text()
    page.get_by_role("button", name=confirm_button("西昌市人民政府")).click()
    assert "已确认任务完成" in page.locator(".notice").first.inner_text()
    assert "状态：已完成" in page.locator(".status-line").inner_text()
    assert "2/2个已报送完成，2个已确认" in page.locator(".status-line").inner_text()
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert set(task.units.values_list("state", flat=True)) == {Task.State.DONE}

    assert all(url.startswith(base) for url in page.requests)
    assert page.console_errors == []
