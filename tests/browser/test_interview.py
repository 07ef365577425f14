"""Issue 15's "Done when", in a real browser: an online interview is
announced, questions are answered live, and the transcript is published. A
drafter prepares it and the publisher announces it; a citizen asks before
it; on the day the drafter starts it, publishes the host's words and a
guest's answer, and the public page (which reloads itself while live, no
JavaScript needed) shows them; a citizen asks during it on a page of its
own; after the end the open question is answered; the transcript is drafted
into the catalog, reviewed and published, and linked from the interview."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongkai.interaction.models import Interview

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
TITLE = "城区道路改造与交通出行"
GUEST = "李明 西昌市交通运输局局长"
PHONE = "13912345678"


def field(scope, label):
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))


def press(page, url, button):
    page.goto(url)
    page.get_by_role("button", name=button, exact=True).click()
    notice = page.locator(".notice").first.inner_text()
    assert "操作未执行" not in notice, notice


def ask(page, clock, text):
    field(page, "您的问题").fill(text)
    clock.shift(4)  # a person takes a few seconds: the form refuses faster submissions
    page.get_by_role("button", name="提交问题").click()
    assert "您的问题已提交" in page.locator(".notice").first.inner_text()


def test_interview_announced_answered_live_and_transcript_published(page, live_server, org_tree, make_user):
    base = live_server.url
    county = org_tree["county"]
    county.review_levels = 1
    county.save()
    for name, role in (("qicao", "drafter"), ("fabu", "publisher"), ("shenhe", "reviewer"), ("baomi", "secrecy")):
        make_user(name, (county, role, 1) if role == "reviewer" else (county, role))

    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=SH), tick=True) as clock:
        sign_in(page, base, "qicao")
        page.goto(base + "/staff/interact/interviews/new/")
        page.get_by_label("主办机关").select_option(label="西昌市人民政府")
        field(page, "访谈主题").fill(TITLE)
        field(page, "访谈时间").fill("2025-03-05T15:00")
        field(page, "访谈嘉宾").fill(GUEST + "\n王芳 西昌市交通运输局副局长")
        field(page, "主持人").fill("张洁")
        page.get_by_role("button", name="保存").click()
        assert page.locator("h1").inner_text() == TITLE
        staff_url = page.url

        # Two days' notice is not enough (3 by default): the publisher is told, then the time moves.
        sign_in(page, base, "fabu")
        page.goto(staff_url)
        page.get_by_role("button", name="发布访谈预告").click()
        assert "至少提前3日" in page.locator(".notice").first.inner_text()
        sign_in(page, base, "qicao")
        page.goto(staff_url)
        page.get_by_role("link", name="修改").click()
        field(page, "访谈时间").fill("2025-03-07T15:00")
        page.get_by_role("button", name="保存").click()
        sign_in(page, base, "fabu")
        press(page, staff_url, "发布访谈预告")

        # A citizen asks before the interview.
        page.context.clear_cookies()
        page.goto(base + "/interact/interviews/")
        page.get_by_role("link", name=TITLE).click()
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert GUEST in page.locator("main").inner_text()
        field(page, "联系方式（选填）").fill(PHONE)
        ask(page, clock, "航天大道改造什么时候完工？")

        # On the day: started, the host's words and a live answer.
        clock.move_to(dt.datetime(2025, 3, 7, 15, tzinfo=SH))
        sign_in(page, base, "qicao")
        press(page, staff_url, "开始访谈")
        statement = page.locator("#act-statement")
        statement.get_by_label("发言人").select_option(label="主持人 张洁")
        field(statement, "发言内容").fill("各位网友大家好，欢迎参加今天的在线访谈。")
        statement.get_by_role("button", name="发布发言").click()
        first = page.locator("#question-1")
        first.get_by_label("答复嘉宾").select_option(label=GUEST)
        field(first, "答复内容").fill("航天大道改造预计今年年底前完工。")
        first.get_by_role("button", name="公开答复第1号").click()
        assert "答复已公开" in page.locator(".notice").first.inner_text()

        # The public page reloads itself while live; a question is asked on its own page.
        page.context.clear_cookies()
        page.goto(base + f"/interact/interviews/{Interview.objects.get().pk}/")
        assert page.locator("meta[http-equiv=refresh]").get_attribute("content") == "30"
        live = page.locator("#live").inner_text()
        assert "年底前完工" in live and "各位网友大家好" in live and PHONE not in live
        page.get_by_role("link", name="我要提问").first.click()
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        ask(page, clock, "施工期间公交线路怎么调整？")

        # Ended; the question asked during it is answered afterwards (within 5 working days).
        clock.move_to(dt.datetime(2025, 3, 7, 16, tzinfo=SH))
        sign_in(page, base, "qicao")
        press(page, staff_url, "结束访谈")
        assert "访谈后答复期限" in page.locator("main").inner_text()
        clock.move_to(dt.datetime(2025, 3, 10, 10, tzinfo=SH))
        sign_in(page, base, "qicao")  # the session of Friday has expired
        page.goto(staff_url)
        second = page.locator("#question-2")
        second.get_by_label("答复嘉宾").select_option(label="王芳 西昌市交通运输局副局长")
        field(second, "答复内容").fill("施工期间公交线路临时绕行，以公交公司公告为准。")
        second.get_by_role("button", name="公开答复第2号").click()

        # The transcript: a catalog draft, through the normal review, then linked from the interview.
        page.locator("#transcript").get_by_label("体裁分类").select_option(label="其他")
        page.get_by_role("button", name="起草访谈实录").click()
        page.locator("#transcript").get_by_role("link").first.click()
        transcript_url = page.url
        press(page, transcript_url, "提交审核")
        sign_in(page, base, "shenhe")
        press(page, transcript_url, "通过")
        sign_in(page, base, "baomi")
        press(page, transcript_url, "通过")
        sign_in(page, base, "fabu")
        press(page, transcript_url, "立即发布")

        page.context.clear_cookies()
        page.goto(base + "/interact/interviews/")
        page.get_by_role("link", name=TITLE).click()
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert "临时绕行" in page.locator("#later").inner_text()
        page.get_by_role("link", name="查看访谈实录").click()
        body = page.locator("main").inner_text()
        assert f"“{TITLE}”在线访谈实录" in body and "年底前完工" in body and "访谈后答复" in body
        assert PHONE not in body
    assert all(url.startswith(base) for url in page.requests)
    assert not page.console_errors
