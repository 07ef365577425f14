"""The issue's "Done when", in a real browser: a normative document goes from
draft through three reviews and the secrecy review to publication together
with its interpretation, is checked on the public site, withdrawn, and is
then gone from search. Every step is taken by the user whose role it is,
signed in through the login form."""

import re

import pytest

from gongkai.core import audit
from gongkai.core.models import AuditEntry

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY = "西昌市城乡居民临时救助实施办法"
READING = "《西昌市城乡居民临时救助实施办法》政策解读"




def draft(page, base, *, title, genre, body, number="", form=""):
    page.goto(base + "/staff/documents/new/")
    page.get_by_label("发布机构").select_option(label="西昌市人民政府")
    page.get_by_label("标题").fill(title)
    if number:
        page.get_by_label("发文字号").fill(number)
    page.get_by_label("体裁分类").select_option(label=genre)
    if form:
        page.get_by_label("解读形式（仅政策解读）").select_option(label=form)
    page.get_by_label("正文").fill(body)
    page.get_by_role("button", name="保存草稿").click()
    assert page.locator("h1").inner_text() == title
    return page.url


def press(page, url, button, comment=""):
    page.goto(url)
    if comment:
        page.get_by_label("意见（退回、终止、撤回时必填）").fill(comment)
    page.get_by_role("button", name=button, exact=True).click()
    notice = page.locator(".notice").inner_text()
    assert "操作未执行" not in notice, notice
    return notice


def test_normative_document_from_draft_to_withdrawal(page, live_server, org_tree, county_staff):
    base = live_server.url

    # The drafter writes the policy and its interpretation and links them.
    sign_in(page, base, "drafter")
    policy_url = draft(page, base, title=POLICY, genre="行政规范性文件", number="西府发〔2024〕21号",
                       body="第一条 为规范临时救助工作，根据《社会救助暂行办法》，制定本办法。")
    reading_url = draft(page, base, title=READING, genre="政策解读", form="文字解读",
                        body="一、制定背景。二、主要内容：明确救助对象、标准和程序。")
    page.goto(policy_url)
    page.get_by_label("关联解读材料").select_option(label=READING)
    page.get_by_role("button", name="关联", exact=True).click()
    assert READING in page.locator("#interp-h + *, section[aria-labelledby=interp-h]").first.inner_text()
    for url in (policy_url, reading_url):
        assert "当前状态为“审核中”" in press(page, url, "提交审核")

    # 初审, 复审, 终审: each reviewer finds both documents on their workbench.
    for level in (1, 2, 3):
        sign_in(page, base, f"reviewer{level}")
        waiting = page.locator("#panel-waiting").inner_text()
        assert POLICY in waiting and READING in waiting
        for url in (policy_url, reading_url):
            press(page, url, "通过")

    sign_in(page, base, "secrecy")
    for url in (policy_url, reading_url):
        assert "待发布" in press(page, url, "通过")

    # Publishing the policy publishes its interpretation with it (三同步).
    sign_in(page, base, "publisher")
    assert "已发布" in press(page, policy_url, "立即发布")
    page.goto(reading_url)
    assert "已发布" in page.locator(".status-line").inner_text()

    # On the public site: found by search, and the two pages link each other.
    page.context.clear_cookies()
    page.goto(base + "/search/?q=临时救助")
    page.get_by_role("link", name=POLICY, exact=True).first.click()
    assert page.locator("h1").inner_text() == POLICY
    page.get_by_role("link", name=READING).first.click()
    assert page.locator("h1").inner_text() == READING
    page.get_by_role("link", name=POLICY).first.click()
    assert page.locator("h1").inner_text() == POLICY
    public_url = page.url

    # Withdrawn: the page says so and when; search no longer finds it.
    sign_in(page, base, "publisher")
    assert "已撤回" in press(page, policy_url, "撤回", comment="政策依据调整，撤回重新制定。")
    page.context.clear_cookies()
    response = page.goto(public_url)
    assert response.status == 410 and "已撤回" in page.locator("main").inner_text()
    page.goto(base + "/search/?q=" + POLICY)
    results = page.locator("main").inner_text()
    assert not re.search(rf"(?<!《){POLICY}(?!》)", results), results

    # Every step is on the record, and the record is whole.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"document.create", "relation.add", "workflow.submit", "workflow.pass", "document.publish", "document.withdraw"} <= actions
    assert audit.verify().ok
    # the withdrawn page's 410 is the one expected "failed" resource
    assert [e for e in page.console_errors if "410 (Gone)" not in e] == []
    assert all(url.startswith(base) for url in page.requests), [u for u in page.requests if not u.startswith(base)]
