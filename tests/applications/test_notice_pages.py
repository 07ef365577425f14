"""The notices in the staff workspace, through HTTP: drafted from the
application's page, listed for whoever signs, returned with a reason and
edited, signed, sent by post with its envelope or in person with its receipt
to sign (送达回证); who may see and do what; the sign-off policy page; the
template editor with the notices' templates."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.applications import services
from gongkai.applications.models import LetterTemplate, Notice, SignOffPolicy
from tests.applications.test_services import PERSON
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "handler": make_user("chengban", (county, "handler")),
        "handler2": make_user("chengban2", (county, "handler")),
        "head": make_user("gongkaiban", (county, "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "outsider": make_user("caizheng", (org_tree["department"], "handler")),
        "province": make_user("shengban", (org_tree["province"], "office_admin")),
    }


@pytest.fixture
def app(org_tree, people, time_machine):
    time_machine.move_to(dt.datetime(2024, 10, 8, 10, tzinfo=SHANGHAI), tick=False)
    application, _ = services.register(org_tree["county"], PERSON, channel="in_person", user=people["handler"],
                                       received_on=dt.date(2024, 10, 8))
    return application


def url(notice, op=None):
    if op is None:
        return reverse("applications_staff:notice", args=[notice.application_id, notice.pk])
    return reverse("applications_staff:notice_act", args=[notice.application_id, notice.pk, op])


def alert(response) -> str:
    return " ".join(text_of(node) for node in parse(response).cssselect('[role="alert"]'))


def test_draft_return_edit_sign_and_post_a_reply_through_the_pages(app, people, client):
    client.force_login(people["handler"])
    drafted = client.post(reverse("applications_staff:act", args=[app.pk, "reply"]),
                          {"outcome": "withheld_third_party", "reasons": "涉及商业秘密"})
    notice = Notice.objects.get()
    assert drafted.status_code == 302 and drafted["Location"] == url(notice)
    page = parse(client.get(url(notice)))
    preview = text_of(page.cssselect("article.letter")[0])
    assert "政府信息不予公开告知书" in preview and "第十五条" in preview and "2024年10月8日" in preview
    assert "（编号于发出时生成）" in preview and "待签发" in text_of(page)
    assert not page.cssselect("#sign")  # the handler is no signer
    detail = text_of(parse(client.get(reverse("applications_staff:detail", args=[app.pk]))))
    assert "政府信息不予公开告知书" in detail and "待签发" in detail
    assert 'id="act-reply"' not in client.get(reverse("applications_staff:detail", args=[app.pk])).content.decode()

    client.force_login(people["head"])
    listing = parse(client.get(reverse("applications_staff:list")))
    assert [a.get("href") for a in listing.cssselect("#to-sign a")] == [url(notice)]
    no_reason = client.post(url(notice, "return"), {"reason": ""})
    assert no_reason.status_code == 200 and "退回的理由" in alert(no_reason)
    assert client.post(url(notice, "return"), {"reason": "第三方是否同意公开？请先征求第三方意见"}).status_code == 302
    assert not parse(client.get(reverse("applications_staff:list"))).cssselect("#to-sign")

    client.force_login(people["handler"])
    page = client.get(url(notice))
    assert "请先征求第三方意见" in text_of(parse(page).cssselect('[role="status"]')[0])
    edited = client.post(url(notice, "edit"), {"outcome": "partial", "reasons": "报价部分涉及商业秘密",
                                               "provided": "中标公告（删除报价）"})
    assert edited.status_code == 302
    notice.refresh_from_db()
    assert (notice.version, notice.state) == (2, "pending")
    history = text_of(parse(client.get(url(notice))).get_element_by_id("history-h").getparent())
    assert "第1版" in history and "第2版" in history and "不予公开：保护第三方合法权益" in history and "部分公开" in history

    client.force_login(people["head"])
    assert client.post(url(notice, "sign")).status_code == 302
    client.force_login(people["handler"])
    sent = client.post(url(notice, "send"), {"channel": "post", "on": "2024-10-08", "delivery_note": "XA987654321CN"},
                       follow=True)
    notice.refresh_from_db()
    assert notice.state == "sent" and notice.number == "西昌市依申答〔2024〕第1号"
    assert "请打印告知书和信封" in text_of(parse(sent))
    printed = client.get(reverse("applications_staff:notice_print", args=[app.pk, notice.pk]))
    tree = parse(printed)
    envelope = text_of(tree.get_element_by_id("envelope-h").getparent())
    assert "收件人：王小明" in envelope and "四川省西昌市胜利路1号" in envelope and "邮编" in envelope
    assert "XA987654321CN" in envelope and "西昌市依申答〔2024〕第1号" in envelope
    assert not tree.cssselect("#receipt-h") and not tree.xpath("//script")
    assert "'nonce-" in printed["Content-Security-Policy"]
    docx = client.get(reverse("applications_staff:notice_docx", args=[app.pk, notice.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    app.refresh_from_db()
    assert (app.state, app.outcome, app.closed_on) == ("replied", "partial", dt.date(2024, 10, 8))


def test_in_person_delivery_prints_the_receipt_and_records_its_date(app, people, client):
    client.force_login(people["handler"])
    client.post(reverse("applications_staff:act", args=[app.pk, "correction"]), {"items": "请写明文号", "period_workdays": 10})
    notice = Notice.objects.get()
    client.force_login(people["head"])
    client.post(url(notice, "sign"))
    client.force_login(people["handler"])
    page = parse(client.get(url(notice)))
    assert page.xpath("//input[@name='channel'][@checked]/@value") == ["email"]  # the applicant chose e-mail
    assert client.post(url(notice, "send"), {"channel": "in_person", "on": "2024-10-08"}).status_code == 302
    tree = parse(client.get(reverse("applications_staff:notice_print", args=[app.pk, notice.pk])))
    receipt = text_of(tree.get_element_by_id("receipt-h").getparent())
    assert "送达回证" in receipt and "受送达人签名或盖章" in receipt and "王小明" in receipt and "西昌市依申补〔2024〕第1号" in receipt
    future = client.post(url(notice, "delivery"), {"on": "2024-10-09", "note": "本人签收"})
    assert future.status_code == 200 and "不能晚于今天" in alert(future)
    assert client.post(url(notice, "delivery"), {"on": "2024-10-08", "note": "王小明本人签收"}).status_code == 302
    notice.refresh_from_db()
    assert notice.delivered_on == dt.date(2024, 10, 8) and "送达日期：2024年10月8日" in text_of(parse(client.get(url(notice))))


def test_who_sees_and_moves_a_notice(app, people, client, org_tree):
    client.force_login(people["handler"])
    client.post(reverse("applications_staff:act", args=[app.pk, "extend"]), {"days": 10, "reason": "需要汇总"})
    notice = Notice.objects.get()
    client.force_login(people["province"])  # supervises the county, but the letter carries personal data
    assert client.get(url(notice)).status_code == 403
    assert client.post(url(notice, "sign")).status_code == 403
    assert client.post(reverse("applications_staff:act", args=[app.pk, "reply"]), {"outcome": "disclosed"}).status_code == 403
    for who in ("outsider", "drafter"):
        client.force_login(people[who])
        assert client.get(url(notice)).status_code == 404
        assert client.post(url(notice, "sign")).status_code == 404
    client.force_login(people["handler2"])
    refused = client.post(url(notice, "sign"))
    assert refused.status_code == 403 and "第三十三条" in refused.content.decode()
    assert client.get(url(notice, "sign")).status_code == 405
    assert client.post(url(notice, "nonsense")).status_code == 404
    assert client.get(reverse("applications_staff:notice_print", args=[app.pk, notice.pk])).status_code == 404  # not sent
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(people["head"])
    assert csrf.post(url(notice, "sign")).status_code == 403
    client.logout()
    assert client.get(url(notice)).status_code == 302
    notice.refresh_from_db()
    assert notice.state == "pending" and notice.signed_by is None


def test_the_signoff_policy_page(app, people, client, org_tree):
    page_url = reverse("applications_staff:signoff")
    client.force_login(people["handler"])
    assert client.get(page_url).status_code == 403
    client.force_login(people["head"])
    page = parse(client.get(page_url))
    assert "未设置" in text_of(page) and page.xpath("//input[@name='signers']/@value")  # the county's handlers
    refused = client.post(page_url, {"org": org_tree["county"].pk, "drafter_may_sign": "on"})
    assert refused.status_code == 200 and "须填写理由" in alert(refused)
    assert client.post(page_url, {"org": org_tree["province"].pk, "signers": []}).status_code == 404
    saved = client.post(page_url, {"org": org_tree["county"].pk, "signers": [people["handler2"].pk]})
    assert saved.status_code == 302
    assert list(SignOffPolicy.objects.get(organisation=org_tree["county"]).signers.all()) == [people["handler2"]]

    client.force_login(people["handler"])
    client.post(reverse("applications_staff:act", args=[app.pk, "third_party"]), {"party": "某建筑公司"})
    notice = Notice.objects.get()
    client.force_login(people["handler2"])
    assert [a.get("href") for a in parse(client.get(reverse("applications_staff:list"))).cssselect("#to-sign a")] == [url(notice)]
    assert client.post(url(notice, "sign")).status_code == 302
    notice.refresh_from_db()
    assert notice.signed_by == people["handler2"]


def test_the_template_editor_has_the_notices_templates(people, client, org_tree):
    client.force_login(people["head"])
    page_url = reverse("applications_staff:templates")
    page = client.get(f"{page_url}?org={org_tree['county'].pk}")
    tree = parse(page)
    for key in ("correction", "extension", "third_party", "organ", "fee", "transfer", "repeat", "petition"):
        assert tree.get_element_by_id(f"tpl-{key}") is not None, key
    correction = text_of(tree.get_element_by_id("tpl-correction"))
    assert "{items}" in correction and "{provided}" not in correction
    bad = client.post(page_url, {"key": "correction", "title": "补正告知书", "body": "{applicant}：{provided}",
                                 "org": org_tree["county"].pk})
    assert bad.status_code == 200 and "未知的占位符{provided}" in alert(bad)
    good = client.post(page_url, {"key": "correction", "title": "西昌市补正告知书",
                                  "body": "{applicant}：\n请补正：{items}（{period}个工作日内，{by}前）。依据条例第三十条。",
                                  "org": org_tree["county"].pk})
    assert good.status_code == 302 and LetterTemplate.objects.get(key="correction").organisation == org_tree["county"]
