"""Issue 4's "Done when", in a real browser: a citizen files an application
on the public site; a handler consults a third party, records the answer and
replies with a partial disclosure; the reply letter is downloaded as DOCX
and read on the public status page by whoever holds the tracking code."""

import io
import re

import pytest

from gongkai.applications.models import Application

from tests.browser.conftest import sign_in
from tests.browser.test_application_notices import issue_notice, open_action, signer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def field(scope, label):
    """A field by its visible label ("（必填）" is read to screen readers only)."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + r"\s*\*?\s*(（必填）)?$"))




def act(page, key, fill: dict, button: str, radio: str | None = None):
    section = page.locator(f"#act-{key}")
    open_action(section)
    for label, value in fill.items():
        field(section, label).fill(value)
    if radio:
        section.get_by_label(radio, exact=True).check()
    section.get_by_role("button", name=button).click()
    notice = page.locator(".notice").first.inner_text()
    assert "已" in notice and "未" not in notice[:2], notice


def test_apply_process_partial_disclosure_and_read_the_letter(page, live_server, org_tree, make_user, tmp_path):
    base = live_server.url
    county = org_tree["county"]
    make_user("chengban", (county, "handler"))
    make_user("gongkaiban", (county, "office_admin"))

    # The citizen applies.
    page.goto(f"{base}/apply/?org={county.pk}")
    page.get_by_label("自然人", exact=True).check()
    field(page, "姓名或名称").fill("王小明")
    field(page, "身份证明").fill("居民身份证 51340119900101123X")
    field(page, "联系电话").fill("13812345678")
    field(page, "电子邮箱").fill("wxm@example.com")
    field(page, "所需信息的名称").fill("西昌市城区道路改造项目的招标文件")
    page.get_by_label("电子", exact=True).check()
    page.get_by_label("电子邮件", exact=True).check()
    page.get_by_label("本人承诺", exact=False).check()
    page.wait_for_timeout(3200)  # the form refuses submissions faster than a person types
    page.get_by_role("button", name="提交申请").click()
    assert page.locator(".code-value code").count() == 1, page.locator("main").inner_text()[:1500]
    code = page.locator(".code-value code").inner_text().strip()
    assert len(code) >= 20 and code not in page.url
    app = Application.objects.get()
    assert app.applicant_name == "王小明" and app.state == "processing"

    # The handler consults the company whose bid is in the file, then replies in part.
    sign_in(page, base, "chengban")
    assert app.number in page.locator("#panel-applications").inner_text()
    page.goto(f"{base}/staff/applications/{app.pk}/")
    # Each notice is signed off by the office head before it goes (tests/browser/test_application_notices.py).
    head = signer(page, base, "gongkaiban")
    issue_notice(page, head, base, app, "third_party", {"第三方名称": "西昌市某建筑工程有限公司"}, channel="邮寄")
    page.goto(f"{base}/staff/applications/{app.pk}/")
    act(page, "third_party_answer", {"意见摘要及本机关的决定": "第三方认为报价涉及商业秘密，不同意公开报价部分。"},
        "登记第三方意见", radio="不同意公开")
    issue_notice(page, head, base, app, "reply", {"理由和依据说明": "报价部分涉及第三方商业秘密，依法不予公开",
                                                  "提供的信息及方式": "招标文件（已删除报价部分），以电子邮件发送"},
                 select={"办理结果": "部分公开（区分处理）（第三十七条）"})
    head.context.close()
    app.refresh_from_db()
    assert (app.state, app.outcome) == ("replied", "partial")

    # The letter as DOCX from the staff page.
    page.goto(f"{base}/staff/applications/{app.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="DOCX", exact=False).first.click()
    path = tmp_path / "letter.docx"
    download.value.save_as(path)
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs)
    assert "王小明" in text and "第三十七条" in text and "60日内" in text and "6个月内" in text

    # The applicant reads it on the status page with the code.
    page.context.clear_cookies()
    page.goto(f"{base}/apply/status/")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    status = page.locator("main").inner_text()
    assert "已作出答复" in status and "51340119900101123X" not in status and "13812345678" not in status
    page.get_by_role("link", name="告知书", exact=False).first.click()
    letter = page.locator("main").inner_text()
    assert "政府信息部分公开告知书" in letter and "商业秘密" in letter and "6个月内" in letter
    assert all(url.startswith(base) for url in page.requests)
