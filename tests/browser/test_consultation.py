"""Issue 15's "Done when", in a real browser: a consultation on a draft goes
from publication to published adoption feedback linked from the final
decision. A drafter prepares it, the publisher publishes it, citizens
comment on the public site, the drafter shows their comments; after the
close date the background job closes it, the drafter decides on the
comments, drafts the feedback and names the final decision; the feedback
document passes review and is published; the public page shows the table,
and the final decision's page links to the feedback. No writer's name or
phone number is ever public, and nothing loads from outside."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongkai.interaction import tasks
from gongkai.interaction.models import Consultation, ConsultationComment

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
TITLE = "关于公开征求《西昌市城市养犬管理办法（征求意见稿）》意见的公告"
DECISION = "西昌市城市养犬管理办法"
PHONE = "13912345678"


def field(scope, label):
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))


def press(page, url, button):
    page.goto(url)
    page.get_by_role("button", name=button, exact=True).click()
    notice = page.locator(".notice").first.inner_text()
    assert "操作未执行" not in notice, notice


def comment(page, clock, base, text, name=""):
    page.goto(base + "/interact/consultations/")
    page.get_by_role("link", name=TITLE).click()
    field(page, "意见内容").fill(text)
    if name:
        field(page, "姓名或名称").fill(name)
    field(page, "联系方式（电话或电子邮箱，选填）").fill(PHONE)
    clock.shift(4)  # a person takes a few seconds: the form refuses faster submissions
    page.get_by_role("button", name="提交意见").click()
    assert "您的意见已提交" in page.locator(".notice").first.inner_text()


def test_consultation_from_publication_to_feedback_linked_from_the_decision(page, live_server, org_tree, make_user,
                                                                             make_document):
    base = live_server.url
    county = org_tree["county"]
    county.review_levels = 1  # one review level keeps the walk short; the review is the normal one
    county.save()
    for name, role in (("qicao", "drafter"), ("fabu", "publisher"), ("shenhe", "reviewer"), ("baomi", "secrecy")):
        make_user(name, (county, role, 1) if role == "reviewer" else (county, role))
    decision = make_document(county, DECISION, publish=True, document_number="西府发〔2025〕8号",
                             published_date=dt.date(2025, 4, 20))

    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=SH), tick=True) as clock:
        # The drafter prepares the consultation; 20 days for a major decision is refused without a reason.
        sign_in(page, base, "qicao")
        page.goto(base + "/staff/interact/consultations/new/")
        page.get_by_label("征集机关").select_option(label="西昌市人民政府")
        field(page, "征集标题").fill(TITLE)
        field(page, "草案名称").fill("西昌市城市养犬管理办法（征求意见稿）")
        field(page, "草案全文").fill("第一条 为规范养犬行为，制定本办法。\n第二条 携犬出户应当使用犬绳牵领。")
        field(page, "起草说明").fill("一、起草背景。\n二、主要内容：犬只登记、牵领和粪便清理。")
        field(page, "开始日期").fill("2025-03-03")
        field(page, "截止日期").fill("2025-03-23")
        page.get_by_label("重大行政决策或与市场主体生产经营活动密切相关").check()
        page.get_by_role("button", name="保存").click()
        assert "一般不少于30日" in page.locator(".notice-error").first.inner_text()
        field(page, "截止日期").fill("2025-04-02")
        page.get_by_role("button", name="保存").click()
        assert page.locator("h1").inner_text() == TITLE
        staff_url = page.url
        assert page.get_by_role("button", name="发布意见征集").count() == 0  # the publisher's to press

        sign_in(page, base, "fabu")
        press(page, staff_url, "发布意见征集")

        # Two citizens comment; the comments wait for moderation.
        page.context.clear_cookies()
        comment(page, clock, base, "建议第二条明确犬绳长度不超过1.5米。", name="王女士")
        comment(page, clock, base, f"建议增加犬只粪便清理义务，有问题可打{PHONE}联系我。")
        assert ConsultationComment.objects.filter(state="pending").count() == 2

        sign_in(page, base, "qicao")
        for serial in (1, 2):
            press(page, staff_url, f"公开显示第{serial}条")
        page.context.clear_cookies()
        page.goto(base + "/interact/consultations/")
        page.get_by_role("link", name=TITLE).click()
        public = page.locator("main").inner_text()
        assert "犬绳长度" in public and "139****5678" in public and PHONE not in public and "王女士" not in public

        # After the close date the daily job closes it; the drafter decides and drafts the feedback.
        clock.move_to(dt.datetime(2025, 4, 21, 9, tzinfo=SH))
        tasks.close_consultations.call()
        assert Consultation.objects.get().state == "closed"
        sign_in(page, base, "qicao")
        page.goto(staff_url)
        decide = page.locator("#act-decide")
        decide.get_by_label(re.compile("^第1条")).check()
        decide.get_by_label(re.compile("^第2条")).check()
        decide.get_by_label("采纳", exact=True).check()
        field(decide, "理由").fill("已采纳，修改为第二条第二款和第九条。")
        field(decide, "意见内容（归纳，选填）").fill("建议明确犬绳长度，增加犬只粪便清理义务。")
        decide.get_by_role("button", name="记录处理意见").click()
        assert "已记录处理意见" in page.locator(".notice").first.inner_text()
        page.locator("#act-decision").get_by_label("最终决定文件").select_option(
            label=f"{DECISION}（已发布，{decision.index_number}）")
        page.get_by_role("button", name="关联最终决定文件").click()
        page.get_by_role("button", name="起草采纳情况反馈").click()
        assert "已起草采纳情况反馈" in page.locator(".notice").first.inner_text()
        page.get_by_role("link", name=re.compile("公开征求意见采纳情况的反馈")).first.click()
        feedback_url = page.url
        press(page, feedback_url, "提交审核")

        # The feedback document's normal review and publication.
        sign_in(page, base, "shenhe")
        press(page, feedback_url, "通过")
        sign_in(page, base, "baomi")
        press(page, feedback_url, "通过")
        sign_in(page, base, "fabu")
        press(page, feedback_url, "立即发布")

        # The public consultation page shows the table; the final decision's page links to the feedback.
        page.context.clear_cookies()
        page.goto(base + "/interact/consultations/")
        page.get_by_role("link", name=TITLE).click()
        table = page.locator("table.feedback-table")
        assert table.locator("thead").inner_text().split() == ["序号", "意见内容", "是否采纳", "理由"]
        assert "采纳" in table.locator("tbody").inner_text() and "第二条第二款" in table.inner_text()
        assert "采纳1项" in table.locator("tfoot").inner_text()
        page.goto(base + decision.get_absolute_url())
        related = page.locator("section.doc-relations")
        assert "公开征求意见采纳情况" in related.inner_text()
        related.get_by_role("link", name=re.compile("公开征求意见采纳情况的反馈")).click()
        body = page.locator("main").inner_text()
        assert "意见采纳情况" in body and "犬绳长度" in body and PHONE not in body and "王女士" not in body
        assert DECISION in page.locator("section.doc-relations").inner_text()
    assert all(url.startswith(base) for url in page.requests)
    assert not page.console_errors
