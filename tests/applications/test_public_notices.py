"""The applicant's side of the notices: the status page lists every notice
sent to them (HTML and DOCX, for whoever holds the code, never one still in
sign-off nor the letters to a third party), the printable receipt, and the
lookup's help text matching what it does with case, spaces and dashes."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.cache import cache
from django.urls import reverse

from gongkai.applications import notices
from gongkai.applications.models import Application
from tests.applications.test_public import STATUS, apply_and_get_code, lookup, person
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def clean_state():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(org_tree, make_user):
    county = org_tree["county"]
    return {"handler": make_user("chengban", (county, "handler")), "head": make_user("gongkaiban", (county, "office_admin"))}


def send(app, kind, payload, staff, channel="online"):
    notice = notices.sign(notices.draft(app, kind, payload, user=staff["handler"]), user=staff["head"])
    return notices.send(notice, user=staff["handler"], channel=channel)


def test_the_status_page_lists_every_notice_sent_to_the_applicant(client, org_tree, staff):
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    app = Application.objects.get()
    correction = send(app, "correction", {"items": "请写明批复的年份", "period_workdays": 10}, staff)
    from gongkai.applications import services
    services.receive_correction(app, user=staff["handler"], on=app.received_on)
    send(app, "third_party", {"party": "西昌市某建筑有限公司"}, staff, channel="post")  # not to the applicant
    services.third_party_answer(app, user=staff["handler"], on=app.received_on, agrees=True)
    pending = notices.draft(app, "extension", {"days": 5, "reason": "需要汇总"}, user=staff["handler"])
    reply = send(app, "reply", {"outcome": "disclosed", "provided": "批复文件"}, staff, channel="post")

    lookup(client, code)
    tree = parse(client.get(STATUS))
    rows = [text_of(row) for row in tree.xpath("//table[contains(@class,'notices-table')]/tbody/tr")]
    assert len(rows) == 2
    assert correction.number in rows[0] and "补正告知书" in rows[0] and reply.number in rows[1]
    html = text_of(tree)
    assert "征求第三方意见书" not in html and "延期" not in html and "查看和打印答复告知书" not in html
    links = tree.xpath("//table[contains(@class,'notices-table')]//a/@href")
    assert links == [reverse("applications:notice", args=[correction.pk]), reverse("applications:notice_docx", args=[correction.pk]),
                     reverse("applications:notice", args=[reply.pk]), reverse("applications:notice_docx", args=[reply.pk])]

    page = client.get(links[0])
    letter = text_of(parse(page).xpath("//article")[0])
    assert page.status_code == 200 and "请写明批复的年份" in letter and correction.number in letter
    assert "行政复议" not in letter  # a correction request carries no remedies
    assert "行政复议" in text_of(parse(client.get(links[2])).xpath("//article")[0])
    download = client.get(links[3])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert reply.number in "\n".join(p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs)

    third = app.notices.get(kind="third_party")
    for pk in (third.pk, pending.pk):  # not the applicant's, not sent
        assert client.get(reverse("applications:notice", args=[pk])).status_code == 404
        assert client.get(reverse("applications:notice_docx", args=[pk])).status_code == 404

    stranger = type(client)()  # without the code
    assert stranger.get(links[0]).status_code == 404 and stranger.get(links[1]).status_code == 404
    other_code, _ = apply_and_get_code(client, person(org_tree["county"]))
    lookup(client, other_code)  # another application's code does not open these
    assert client.get(links[0]).status_code == 404


def test_the_printable_receipt_after_submitting_and_from_the_status_page(client, org_tree, monkeypatch):
    from django.utils import timezone

    moment = dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.timezone.utc))
    assert client.get(reverse("applications:receipt"))["Location"] == STATUS  # nothing submitted or looked up
    from tests.applications.test_public import token

    code, received = apply_and_get_code(client, person(org_tree["county"], started=token()))
    receipt_url = reverse("applications:receipt")
    assert receipt_url in parse(received).xpath("//a/@href")
    page = client.get(receipt_url)
    tree = parse(page)
    text = text_of(tree)
    app = Application.objects.get()
    for part in (app.number, "西昌市人民政府", "2026年11月23日", "自收到申请之日起20个工作日内", "第三十三条", "2026年12月21日前"):
        assert part in text, part
    assert code not in page.content.decode() and code.replace("-", "") not in page.content.decode()
    assert not tree.xpath("//script") and "@media print" in page.content.decode()
    nonce = tree.xpath("//style/@nonce")[0]
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"] and "unsafe-inline" not in page["Content-Security-Policy"]
    assert tree.xpath("//table/caption") and all(th.get("scope") == "row" for th in tree.xpath("//table//th"))
    for secret in ("张晓梅", "510101199001011234", "13812345678"):
        assert secret not in text

    other = type(client)()
    assert other.get(receipt_url)["Location"] == STATUS
    lookup(other, code)
    assert receipt_url in parse(other.get(STATUS)).xpath("//a/@href")
    assert app.number in text_of(parse(other.get(receipt_url)))


def test_the_code_is_read_as_the_help_text_says(client, org_tree):
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    help_text = text_of(parse(client.get(STATUS)).xpath("//p[@class='help']")[0])
    assert "不区分大小写" in help_text and "空格和短横线可以省略" in help_text
    for typed in (code.lower(), code.replace("-", " "), code.replace("-", ""), f"  {code.lower().replace('-', '')}  "):
        client.post(reverse("applications:status_end"))
        response = lookup(client, typed)
        assert response.status_code == 302 and response["Location"] == STATUS, typed
    mistyped = code[:-1] + ("2" if code[-1] != "2" else "3")
    wrong = lookup(client, mistyped)
    assert wrong.status_code == 200 and parse(wrong).xpath("//input[@name='code']/@value") == [mistyped]
