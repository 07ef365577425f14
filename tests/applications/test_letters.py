"""The reply letter (告知书) as DOCX and as printable HTML: the usual layout
(centred bold title, number on the right, indented paragraphs, the remedy
clause, organisation and date on the right), Chinese fonts for East Asian
text, the decision's article, and the letter as issued (a later template
change does not rewrite it)."""

import datetime as dt
import io
from urllib.parse import unquote

import docx
import pytest
from django.urls import reverse
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from gongkai.applications import letters, letters_docx, services
from gongkai.applications.models import ApplicationFile, LetterTemplate
from gongkai.core.models import Membership
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

D = dt.date
PERSON = {
    "applicant_type": "commercial", "applicant_name": "西昌市某科技有限公司", "id_document": "91513401MA62XXXX0X",
    "legal_representative": "李四", "phone": "0834-1234567", "email": "", "address": "四川省西昌市航天大道2号",
    "info_title": "2024年度政府采购项目中标结果及评审报告", "info_number": "", "info_description": "",
    "form": "electronic", "delivery": "email",
}


@pytest.fixture
def handler(org_tree):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username="chengban", password="correct-horse-battery-9")
    Membership.objects.create(user=user, organisation=org_tree["county"], role="handler")
    return user


def replied(org, handler, outcome="partial", **fields):
    app, _ = services.register(org, PERSON, channel="in_person", user=handler, received_on=D(2024, 9, 27))
    fields.setdefault("reasons", "评审报告中专家个人信息涉及第三方合法权益")
    reply = services.reply(app, user=handler, outcome=outcome, on=D(2024, 10, 20), **fields)
    app.refresh_from_db()
    return app, reply


def east_asia(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_docx_has_the_usual_layout_and_content(org_tree, handler):
    app, reply = replied(org_tree["county"], handler, provided="中标结果公告及评审报告（删除专家个人信息）")
    document = docx.Document(io.BytesIO(letters_docx.build(app, reply)))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    full = "\n".join(texts)

    title = paragraphs[0]
    assert title.text == "政府信息部分公开告知书"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.bold and title.runs[0].font.size == Pt(22)
    assert east_asia(title.runs[0]) == "宋体"
    assert paragraphs[1].text == reply.letter_number == "西昌市依申〔2024〕1号答"
    assert paragraphs[1].alignment == WD_ALIGN_PARAGRAPH.RIGHT

    assert paragraphs[2].text == "西昌市某科技有限公司："  # the applicant, flush left
    body = paragraphs[3:-2]
    assert body and all(p.paragraph_format.first_line_indent == Pt(32) for p in body)
    assert all(east_asia(run) == "仿宋" and run.font.size == Pt(16) for p in body for run in p.runs)
    assert "第三十七条" in full and "评审报告中专家个人信息涉及第三方合法权益" in full
    assert "提供的信息：中标结果公告及评审报告（删除专家个人信息）" in full
    remedy = next(p for p in paragraphs if "行政复议" in p.text)
    assert "60日内" in remedy.text and "6个月内" in remedy.text and "凉山彝族自治州人民政府" in remedy.text  # the body above

    organisation, date = paragraphs[-2], paragraphs[-1]
    assert organisation.text == "西昌市人民政府" and date.text == "2024年10月20日"
    assert organisation.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert texts.index(remedy.text) < texts.index("西昌市人民政府")

    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.core_properties.title == "政府信息部分公开告知书"
    assert document.core_properties.author == "西昌市人民政府"


@pytest.mark.parametrize("outcome, article", [
    ("withheld_state_secret", "第十四条"),
    ("not_exist", "第三十六条第（四）项"),
    ("disclosed", "第三十六条第（二）项"),
])
def test_docx_names_the_article_of_each_decision(org_tree, handler, outcome, article):
    app, reply = replied(org_tree["county"], handler, outcome=outcome)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(letters_docx.build(app, reply))).paragraphs)
    assert article in text and "西昌市某科技有限公司" in text and "60日内" in text and "6个月内" in text


def test_the_docx_lists_the_disclosed_files(org_tree, handler):
    from django.core.files.base import ContentFile

    app, reply = replied(org_tree["county"], handler, outcome="disclosed")
    item = ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED, name="中标结果公告.pdf",
                                          file=ContentFile(b"%PDF-1.4", name="a.pdf"))
    try:
        text = [p.text for p in docx.Document(io.BytesIO(letters_docx.build(app, reply))).paragraphs]
        assert "附件：" in text and "1. 中标结果公告.pdf" in text
    finally:
        item.file.delete(save=False)


def test_the_letter_as_issued_survives_a_template_change(org_tree, handler):
    app, reply = replied(org_tree["county"], handler)
    issued = letters_docx.letter_parts(app, reply)
    assert issued == letters.render_parts(app, reply)
    LetterTemplate.objects.create(key="partial", title="新标题", body="{applicant}：\n新的文字。")
    assert letters_docx.letter_parts(app, reply) == issued
    assert "新的文字" not in "\n".join(p.text for p in docx.Document(io.BytesIO(letters_docx.build(app, reply))).paragraphs)
    reply.body = ""  # a reply without stored text follows the current template
    assert letters_docx.letter_parts(app, reply)["title"] == "新标题"


def test_printable_html_and_download_through_the_workspace(org_tree, handler, client):
    app, reply = replied(org_tree["county"], handler, outcome="withheld_third_party")
    client.force_login(handler)
    page = client.get(reverse("applications_staff:letter", args=[app.pk]))
    assert page.status_code == 200
    tree = parse(page)
    assert text_of(tree.cssselect("h1")[0]) == "政府信息不予公开告知书"
    text = text_of(tree.cssselect("article")[0])
    for part in ("西昌市依申〔2024〕1号答", "西昌市某科技有限公司：", "第十五条", "60日内", "6个月内", "西昌市人民政府",
                 "2024年10月20日"):
        assert part in text, part
    assert tree.cssselect("p.number") and tree.cssselect("p.sign")
    # the print layout's one <style> block is allowed by a nonce, the rest of the policy unchanged
    nonce = tree.cssselect("style")[0].get("nonce")
    policy = page["Content-Security-Policy"]
    assert nonce and f"'nonce-{nonce}'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy

    download = client.get(reverse("applications_staff:letter_docx", args=[app.pk]))
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''") and disposition.endswith(".docx")
    assert unquote(disposition.split("''", 1)[1]) == "西昌市依申〔2024〕1号答.docx"
    assert "政府信息不予公开告知书" in [p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs]


def test_no_letter_before_the_reply(org_tree, handler, client):
    app, _ = services.register(org_tree["county"], PERSON, channel="in_person", user=handler, received_on=D(2024, 9, 27))
    client.force_login(handler)
    assert client.get(reverse("applications_staff:letter", args=[app.pk])).status_code == 404
    assert client.get(reverse("applications_staff:letter_docx", args=[app.pk])).status_code == 404


@pytest.mark.django_db
def test_third_party_consultation_letter(org_tree, make_user, client):
    import datetime as dt
    import io

    import docx
    from django.urls import reverse

    from gongkai.applications import services

    handler = make_user("consult.handler", (org_tree["county"], "handler"))
    data = {"applicant_type": "natural", "applicant_name": "王小明", "id_document": "身份证 51340119900101123X",
            "phone": "13812345678", "info_title": "道路改造项目招标文件", "form": "electronic", "delivery": "email"}
    app, _ = services.register(org_tree["county"], data, channel="in_person", user=handler, received_on=dt.date(2024, 9, 27))
    services.consult_third_party(app, user=handler, party="西昌市某建筑工程有限公司", on=dt.date(2024, 10, 9))
    event = app.events.get(kind="third_party_sent")
    client.force_login(handler)
    page = client.get(reverse("applications_staff:detail", args=[app.pk])).content.decode()
    url = reverse("applications_staff:consultation_docx", args=[app.pk, event.pk])
    assert url in page
    response = client.get(url)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "征求第三方意见书" in text and "西昌市某建筑工程有限公司" in text and "第三十二条" in text and "15个工作日" in text
    assert "王小明" not in text and "13812345678" not in text  # the applicant stays unnamed to the third party
    client.force_login(make_user("other.handler", (org_tree["department"], "handler")))
    assert client.get(url).status_code == 404
