"""Issue 17 in a real browser: one application through a correction
request, an extension approved by the office head's signature, a
third-party consultation, a fee notice and its payment, and a 部分公开 reply
drafted by the handler and signed off by the office head. The applicant is
e-mailed at each step (the live server runs in this process: its messages
land in django.core.mail.outbox) and reads every notice on the status page
with the tracking code.

`issue_notice` drafts, signs and sends one notice through the pages: other
browser tests of the application pages use it. The case file (归档) is
checked by `check_case_file`: every notice is in it."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail

from gongkai.applications.models import Application, Notice

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(scope, label):
    """A field by its visible label ("（必填）" is read to screen readers only)."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))


def succeeded(page) -> str:
    notice = page.locator(".notice").first.inner_text()
    assert "已" in notice and "未执行" not in notice, notice
    return notice


def open_action(section):
    """Each action of the application's page is closed in a <details> until asked for: open it as a person would."""
    if section.get_attribute("open") is None:
        section.locator("summary").click()


def act(page, key, fill: dict, button: str, *, radio: str | None = None, select: dict | None = None):
    """Fill and submit one action form of the application's page."""
    section = page.locator(f"#act-{key}")
    open_action(section)
    for label, value in (select or {}).items():
        field(section, label).select_option(label=value)
    for label, value in fill.items():
        field(section, label).fill(value)
    if radio:
        section.get_by_label(radio, exact=True).check()
    section.get_by_role("button", name=button).click()
    return succeeded(page)


def issue_notice(page, signer_page, base, app, key, fill: dict, *, channel: str | None = None,
                 select: dict | None = None) -> Notice:
    """The handler (signed in on `page`) drafts the notice of action `key` on
    the application's page; the signer (signed in on `signer_page`) finds it
    in 待我签发 and signs it; the handler sends it (by `channel`, a label of
    the send form; default: the applicant's choice)."""
    page.goto(f"{base}/staff/applications/{app.pk}/")
    act(page, key, fill, "提交签发", select=select)
    assert "待签发" in page.locator(".status-line").inner_text()
    notice_url = page.url
    signer_page.goto(f"{base}/staff/applications/")
    signer_page.locator("#to-sign").get_by_role("link").first.click()
    assert signer_page.url == notice_url
    signer_page.locator("#sign").get_by_role("button", name="签发").click()
    succeeded(signer_page)
    page.goto(notice_url)
    send = page.locator("#send")
    if channel:
        send.get_by_label(channel, exact=True).check()
    send.get_by_role("button", name="发出").click()
    assert "已发出" in succeeded(page)
    notice = Notice.objects.get(pk=int(notice_url.rstrip("/").rsplit("/", 1)[-1]))
    assert notice.state == "sent" and notice.number in page.locator("h1").inner_text()
    return notice


def signer(page, base, username: str):
    """A second browser (its own cookies) where `username` is signed in."""
    context = page.context.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15000)
    sign_in(other, base, username)
    return other


def check_case_file(page, base, app, notices) -> None:
    """The office archives the closed application with a retention it sets;
    the case file (a ZIP with an index page) holds every notice sent, in HTML
    and DOCX, the reply among them."""
    page.goto(f"{base}/staff/applications/{app.pk}/")
    panel = page.locator("#case-h").locator("xpath=..")
    panel.get_by_label("保管期限（年）").fill("30")
    panel.get_by_role("button", name=re.compile("归档")).click()
    assert "已提交归档任务" in page.locator("main").inner_text()
    panel = page.locator("#case-h").locator("xpath=..")
    assert "30年" in panel.inner_text()
    with page.expect_download() as download:
        panel.get_by_role("link", name=re.compile("下载案卷")).click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = archive.namelist()
    index = archive.read(next(name for name in names if name.endswith("/index.html"))).decode()
    assert all(notice.number in index for notice in notices), index
    docx_names = [name for name in names if name.endswith(".docx")]
    assert len(docx_names) >= len(notices), names
    import docx

    texts = "\n".join("\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(name))).paragraphs)
                      for name in docx_names)
    assert all(notice.number in texts for notice in notices)
    assert "政府信息部分公开告知书" in texts and "延期答复告知书" in texts


def test_one_application_through_every_notice(page, live_server, org_tree, make_user, mailoutbox, tmp_path):
    base = live_server.url
    county = org_tree["county"]
    make_user("chengban", (county, "handler"))
    make_user("gongkaiban", (county, "office_admin"))

    # The citizen applies and keeps the printable receipt.
    page.goto(f"{base}/apply/?org={county.pk}")
    page.get_by_label("自然人", exact=True).check()
    field(page, "姓名或名称").fill("王小明")
    field(page, "身份证明").fill("居民身份证 51340119900101123X")
    field(page, "联系电话").fill("13812345678")
    field(page, "电子邮箱").fill("wxm@example.com")
    field(page, "所需信息的名称").fill("西昌市城区道路改造项目的招标文件及评标报告")
    page.get_by_label("电子", exact=True).check()
    page.get_by_label("电子邮件", exact=True).check()
    page.get_by_label("本人承诺", exact=False).check()
    page.wait_for_timeout(3200)  # the form refuses submissions faster than a person types
    page.get_by_role("button", name="提交申请").click()
    code = page.locator(".code-value code").inner_text().strip()
    app = Application.objects.get()
    page.get_by_role("link", name="打印受理回执").click()
    receipt = page.locator("main").inner_text()
    assert app.number in receipt and "20个工作日" in receipt and "第三十三条" in receipt and code not in receipt

    sign_in(page, base, "chengban")
    head = signer(page, base, "gongkaiban")
    notices = [issue_notice(page, head, base, app, "correction", {"需要补正的事项": "请写明所需评标报告对应的标段"})]
    page.goto(f"{base}/staff/applications/{app.pk}/")
    act(page, "corrected", {}, "登记收到补正")
    notices.append(issue_notice(page, head, base, app, "extend",
                                {"延长的工作日数": "10", "延期理由": "评标报告涉及多个标段，需要逐一核对"}))
    third_party = issue_notice(page, head, base, app, "third_party", {"第三方名称": "西昌市某建筑工程有限公司"},
                               channel="邮寄")
    page.goto(f"{base}/staff/applications/{app.pk}/")
    act(page, "third_party_answer", {"意见摘要及本机关的决定": "第三方认为报价涉及商业秘密，不同意公开报价部分"},
        "登记第三方意见", radio="不同意公开")
    notices.append(issue_notice(page, head, base, app, "fee", {"件数或页数": "120", "收费理由": "申请的评标报告页数明显超过合理范围"},
                                select={"计收方式": "按量计收"}))
    page.goto(f"{base}/staff/applications/{app.pk}/")
    act(page, "fee_paid", {}, "登记缴费")
    notices.append(issue_notice(page, head, base, app, "reply", {"理由和依据说明": "报价部分涉及第三方商业秘密，依法不予公开",
                                                                "提供的信息及方式": "招标文件及评标报告（已删除报价部分），以电子邮件发送"},
                                select={"办理结果": "部分公开（区分处理）（第三十七条）"}))
    head.context.close()
    app.refresh_from_db()
    assert (app.state, app.outcome) == ("replied", "partial")
    assert [n.number for n in notices] == [f"西昌市依申{c}〔{n.year}〕第1号" for c, n in zip("补延费答", notices)]
    assert all(n.signed_by.username == "gongkaiban" and n.drafted_by.username == "chengban" for n in notices)
    check_case_file(page, base, app, notices)

    # The applicant was e-mailed at each step, with each notice as a Word document; never the code.
    subjects = [m.subject for m in mail.outbox]
    assert len(mailoutbox) == len(mail.outbox) and "已收到您的政府信息公开申请" in subjects[0]
    for notice in notices:
        message = next(m for m in mail.outbox if notice.number in m.subject)
        assert message.to == ["wxm@example.com"] and message.attachments[0][0] == f"{notice.number}.docx"
    assert sum("答复期限恢复计算" in s for s in subjects) == 3  # after the correction, the answer, the payment
    assert any("答复期限暂停计算" in s for s in subjects) and third_party.number not in " ".join(subjects)
    raw = code.replace("-", "")
    assert not any(raw in m.body or code in m.body or raw[:8] in m.body for m in mail.outbox)

    # The status page lists every notice sent to the applicant, in HTML and DOCX.
    page.context.clear_cookies()
    page.goto(f"{base}/apply/status/")
    page.get_by_label("查询码").fill(code.lower().replace("-", " "))  # as the help text says: case and dashes do not matter
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.notices-table tbody tr")
    assert rows.count() == 4
    listed = page.locator("table.notices-table").inner_text()
    assert all(n.number in listed for n in notices) and "征求第三方意见书" not in listed
    rows.nth(1).get_by_role("link", name="查看和打印").click()
    letter = page.locator("article").inner_text()
    assert "延期答复告知书" in letter and "第三十三条" in letter and "行政复议" not in letter
    page.go_back()
    with page.expect_download() as download:
        rows.nth(3).get_by_role("link", name="下载 Word 文档").click()
    path = tmp_path / "reply.docx"
    download.value.save_as(path)
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "政府信息部分公开告知书" in text and notices[-1].number in text and "6个月内" in text
    assert all(url.startswith(base) for url in page.requests) and not page.console_errors, page.console_errors
