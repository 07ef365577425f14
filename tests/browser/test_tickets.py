"""Issue 15's "Done when" for the mailbox, in a real browser: a complaint
written on the public site is dispatched, disputed and re-dispatched,
answered, rated 不满意, reopened, answered again, rated 满意, and published
without the writer's phone number."""

import re

import pytest

from gongkai.interaction.models import Ticket
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"


def field(scope, label):
    """A field by its visible label ("*（必填）" is a marker for the eye and for screen readers)."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))


def act(page, key, button, *, fill=None, select=None, radio=None):
    section = page.locator(f"#act-{key}")
    for label, value in (select or {}).items():
        field(section, label).select_option(label=value)
    for label, value in (fill or {}).items():
        field(section, label).fill(value)
    if radio:
        section.get_by_label(radio, exact=True).check()
    section.get_by_role("button", name=button, exact=True).click()
    notice = page.locator(".notice").first.inner_text()
    assert notice.startswith("已") or "成立" in notice, notice


def look_up(page, base, code):
    page.context.clear_cookies()
    page.goto(f"{base}/interact/status/")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def rate(page, satisfaction, solved, reopen=False):
    form = page.locator("#rate-form")
    form.get_by_label(satisfaction, exact=True).check()
    form.get_by_label(solved, exact=True).check()
    if reopen:
        form.get_by_label("要求重新办理", exact=False).check()
    form.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in page.locator("main").inner_text()


def test_a_complaint_from_writing_to_publication(page, live_server, org_tree, make_user):
    from gongkai.core.models import Organisation

    base = live_server.url
    county = org_tree["county"]
    housing = Organisation.objects.create(name="西昌市住房和城乡建设局", level="department", parent=county,
                                          index_prefix="XC-ZJ", sort_order=1)
    environment = Organisation.objects.create(name="西昌市生态环境局", level="department", parent=county,
                                              index_prefix="XC-HB", sort_order=2)
    make_user("operator", (county, "handler"))
    make_user("head", (county, "office_admin"))
    make_user("zj_handler", (housing, "handler"))
    make_user("hb_handler", (environment, "handler"))

    # The citizen writes a complaint, agreeing to publication, with the phone number in the text too.
    page.goto(f"{base}/interact/")
    page.get_by_role("link", name="我要写信").first.click()
    field(page, "写信给").select_option(label="西昌市人民政府")
    page.get_by_label("投诉", exact=True).check()
    field(page, "标题").fill("小区旁工地夜间施工噪声扰民")
    field(page, "诉求内容").fill(f"航天大道某工地连续一周在晚上十一点后施工，噪声扰民，请查处。我的电话{PHONE}。")
    field(page, "姓名").fill("王小明")
    field(page, "联系电话").fill(PHONE)
    page.get_by_label("同意公开我的来信和答复", exact=False).check()
    page.get_by_label("本人承诺", exact=False).check()
    page.wait_for_timeout(3200)  # the form refuses submissions faster than a person types
    page.get_by_role("button", name="提交来信").click()
    assert page.locator(".code-value code").count() == 1, page.locator("main").inner_text()[:1500]
    code = page.locator(".code-value code").inner_text().strip()
    assert code not in page.url
    ticket = Ticket.objects.get()
    detail = f"{base}/staff/interact/tickets/{ticket.pk}/"

    # The hotline operator dispatches it to the housing bureau, which disputes the dispatch once.
    sign_in(page, base, "operator")
    assert ticket.number in page.locator("#panel-tickets").inner_text()
    page.goto(detail)
    act(page, "dispatch", "派单", select={"承办单位": "西昌市住房和城乡建设局"}, fill={"派单说明": "请核查施工许可"})
    sign_in(page, base, "zj_handler")
    page.goto(detail)
    act(page, "dispute", "提出异议", fill={"异议理由（说明该事项不属于本单位职责的依据）": "夜间施工噪声的监管属生态环境部门职责。"})
    # The office head upholds it and re-dispatches to the environment bureau.
    sign_in(page, base, "head")
    page.goto(detail)
    act(page, "decide_dispute", "提交审核结果", radio="异议成立",
        fill={"审核意见": "异议成立，改派生态环境局。"}, select={"改派给（异议成立时；不选则退回待派单）": "西昌市生态环境局"})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.organisation_id) == ("handling", environment.pk)

    # The environment bureau answers.
    sign_in(page, base, "hb_handler")
    page.goto(detail)
    act(page, "reply", "答复", fill={"答复内容": "已对该工地夜间施工进行检查，责令其停止违规施工。"})

    # The writer reads the answer, is not satisfied and asks for it to be handled again.
    look_up(page, base, code)
    status = page.locator("main").inner_text()
    assert "责令其停止违规施工" in status and PHONE not in status and "王小明" not in status
    rate(page, "不满意", "未解决", reopen=True)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.round) == ("handling", 2)

    # Answered again; this time satisfied.
    sign_in(page, base, "hb_handler")
    page.goto(detail)
    act(page, "reply", "答复", fill={"答复内容": "已对施工单位立案处罚，并安排夜间巡查，夜间施工已停止。"})
    look_up(page, base, code)
    assert "要求重新办理" not in page.locator("main").inner_text()  # only once
    rate(page, "满意", "已解决")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.satisfaction) == ("closed", "satisfied")

    # Proposed for publication with personal data masked, approved by the head, published.
    sign_in(page, base, "hb_handler")
    page.goto(detail)
    act(page, "prepare_publication", "去标识化并提请公开")
    sign_in(page, base, "head")
    page.goto(detail)
    act(page, "approve_publication", "公开")
    page.context.clear_cookies()
    page.goto(f"{base}/interact/letters/")
    main = page.locator("main")
    main.get_by_label("关键词").fill("夜间施工")
    main.get_by_role("button", name="检索").click()
    listing = page.locator("main").inner_text()
    assert "小区旁工地夜间施工噪声扰民" in listing and "西昌市生态环境局" in listing
    page.get_by_role("link", name="小区旁工地夜间施工噪声扰民").click()
    letter = page.locator("main").inner_text()
    assert "立案处罚" in letter and PHONE not in letter and "王小明" not in letter
    assert PHONE not in page.content()
    assert all(url.startswith(base) for url in page.requests)
    assert not page.console_errors, page.console_errors
