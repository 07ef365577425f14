"""Disclosure applications in the staff workspace, through HTTP: a handler
takes a letter application from registration to a partial reply with a
disclosed file; refusals come back on the page with the rule; the office
head alone extends; scope (another organisation's application is 404, a
drafter is refused); the list by due date with its warning labels; the
letter-template editor."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.applications import selectors, services
from gongkai.applications.models import Application, ApplicationFile, Event, Fee, LetterTemplate, Notice, ReviewCase
from gongkai.core import audit
from gongkai.core.models import AuditEntry, Membership
from tests.applications.test_services import PERSON
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def user(username, *roles):
    from django.contrib.auth.models import User

    u = User.objects.create_user(username=username, password="correct-horse-battery-9")
    for org, role in roles:
        Membership.objects.create(user=u, organisation=org, role=role)
    return u


@pytest.fixture
def people(org_tree):
    county = org_tree["county"]
    return {
        "handler": user("chengban", (county, "handler")),
        "handler2": user("chengban2", (county, "handler")),
        "head": user("gongkaiban", (county, "office_admin")),
        "drafter": user("qicao", (county, "drafter")),
        "outsider": user("caizheng", (org_tree["department"], "handler")),
        "top": user("shenggongkaiban", (org_tree["province"], "office_admin")),
    }


@pytest.fixture
def media(db):
    """Files saved by a test (applicants' files live in private storage) are removed after it."""
    yield
    for item in ApplicationFile.objects.all():
        item.file.delete(save=False)


def registered(org, people, on=D(2024, 9, 27), channel="in_person", **changes):
    app, _ = services.register(org, {**PERSON, **changes}, channel=channel, user=people["handler"], received_on=on)
    return app


def act(client, app, action, data=None, **kwargs):
    return client.post(reverse("applications_staff:act", args=[app.pk, action]), data or {}, **kwargs)


def detail_url(app):
    return reverse("applications_staff:detail", args=[app.pk])


def alert_text(response) -> str:
    tree = parse(response)
    return " ".join(text_of(node) for node in tree.cssselect('[role="alert"]'))


@pytest.fixture
def on_day(time_machine, client):
    """Pin today (the notices are dated, and their rules counted, on the day
    they are sent); the client signs in again (a staff session lasts 8 hours)."""
    def travel(day, login=None):
        time_machine.move_to(dt.datetime.combine(day, dt.time(10), SHANGHAI), tick=False)
        if login is not None:
            client.force_login(login)
    return travel


def notice_url(notice, op=None):
    if op is None:
        return reverse("applications_staff:notice", args=[notice.application_id, notice.pk])
    return reverse("applications_staff:notice_act", args=[notice.application_id, notice.pk, op])


def issue(client, app, action, data, people, *, channel="post", drafter="handler", signer="head", **send):
    """Draft a notice through the detail page, have the office head sign it
    and the handler send it; returns the sent notice."""
    client.force_login(people[drafter])
    drafted = act(client, app, action, data)
    assert drafted.status_code == 302, alert_text(drafted)
    notice = Notice.objects.filter(application=app).latest("id")
    assert drafted["Location"] == notice_url(notice) and notice.state == "pending"
    client.force_login(people[signer])
    assert client.post(notice_url(notice, "sign")).status_code == 302
    client.force_login(people["handler"])
    sent = client.post(notice_url(notice, "send"), {"channel": channel, "on": timezone.localdate().isoformat(), **send})
    assert sent.status_code == 302, alert_text(sent)
    notice.refresh_from_db()
    assert notice.state == "sent"
    return notice


def test_handler_takes_a_letter_application_from_registration_to_a_partial_reply(org_tree, people, client, media,
                                                                                 on_day):
    county = org_tree["county"]
    client.force_login(people["handler"])
    on_day(D(2024, 9, 27), login=people["handler"])

    page = client.get(reverse("applications_staff:new"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "平常信函" in text and "确认之日为收到申请之日" in text and "签收之日" in text and "第三十一条" in text

    response = client.post(reverse("applications_staff:new"), {
        **PERSON, "organisation": county.pk, "channel": "letter", "received_on": "",
    })
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(app)
    assert app.state == "pending" and app.channel == "letter" and app.received_on is None
    shown = client.get(detail_url(app)).content.decode()
    assert "查询码" in shown and "513401199001011234" in shown  # personal data on the detail page

    assert act(client, app, "confirm", {"on": "2024-09-27"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "processing" and services.clock(app).due == D(2024, 10, 30)

    assert act(client, app, "assign", {"handler": people["handler2"].pk}).status_code == 302
    app.refresh_from_db()
    assert app.handler == people["handler2"]

    # The correction request: drafted, signed by the office head, posted on 10-09 (the clock stops then).
    on_day(D(2024, 10, 9), login=people["handler"])
    correction = issue(client, app, "correction", {"items": "请明确所需文件的名称和文号", "period_workdays": 10}, people)
    app.refresh_from_db()
    assert app.state == "correction" and correction.sent_on == D(2024, 10, 9)
    assert correction.number == "西昌市依申补〔2024〕第1号"
    assert Event.objects.get(application=app, kind="correction_requested").on == D(2024, 10, 9)
    assert "请明确所需文件的名称和文号" in client.get(detail_url(app)).content.decode()

    on_day(D(2024, 10, 21), login=people["handler"])
    assert act(client, app, "corrected", {"on": "2024-10-21"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "processing" and services.clock(app).due == D(2024, 11, 18)

    on_day(D(2024, 10, 22), login=people["handler"])
    issue(client, app, "third_party", {"party": "西昌市某建筑有限公司", "address": "西昌市长安路8号"}, people)
    app.refresh_from_db()
    assert app.state == "paused"
    page = client.get(detail_url(app)).content.decode()
    assert 'id="act-third_party_answer"' in page and 'id="act-reply"' not in page

    on_day(D(2024, 10, 25), login=people["handler"])
    assert act(client, app, "third_party_answer", {"agrees": "no", "note": "涉及报价，不同意公开；决定对报价部分不予公开",
                                                   "on": "2024-10-25"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "processing"
    assert Event.objects.get(application=app, kind="third_party_answered").detail["agrees"] is False

    on_day(D(2024, 11, 1), login=people["handler"])
    upload = SimpleUploadedFile("项目批准文件（删除报价部分）.pdf", PDF, content_type="application/pdf")
    reply_notice = issue(client, app, "reply", {"outcome": "partial", "reasons": "报价部分涉及第三方商业秘密",
                                                "provided": "项目批准文件（已删除报价部分），以电子邮件发送",
                                                "files": [upload]}, people)
    app.refresh_from_db()
    assert (app.state, app.outcome, app.closed_on) == ("replied", "partial", D(2024, 11, 1))
    assert app.reply.letter_number == reply_notice.number == "西昌市依申答〔2024〕第1号"
    disclosed = ApplicationFile.objects.get(application=app)
    assert disclosed.role == ApplicationFile.Role.DISCLOSED and disclosed.name == "项目批准文件（删除报价部分）.pdf"

    tree = parse(client.get(detail_url(app)))
    page = text_of(tree)
    assert "打印告知书" in page and "下载告知书" in page and "项目批准文件（删除报价部分）.pdf" in page
    assert "涉及报价，不同意公开" in page  # internal notes in the history
    assert tree.cssselect(f'a[href="{reverse("applications_staff:letter_docx", args=[app.pk])}"]')
    downloaded = client.get(reverse("applications_staff:file", args=[app.pk, disclosed.pk]))
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF

    letter = client.get(reverse("applications_staff:letter", args=[app.pk])).content.decode()
    for part in ("政府信息部分公开告知书", "王小明", "第三十七条", "报价部分涉及第三方商业秘密", "60日内", "6个月内",
                 "西昌市人民政府", "2024年11月1日", "西昌市依申答〔2024〕第1号"):
        assert part in letter, part
    docx = client.get(reverse("applications_staff:letter_docx", args=[app.pk]))
    assert docx.status_code == 200 and docx["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert docx.content[:2] == b"PK"
    assert audit.verify().ok


def test_refusals_say_the_rule_on_the_page(org_tree, people, client, on_day):
    county = org_tree["county"]
    app = registered(county, people)
    client.force_login(people["handler"])

    on_day(D(2024, 10, 14), login=people["handler"])  # past the 7 working days for a correction request (Art. 30)
    late = act(client, app, "correction", {"items": "请提供身份证明", "period_workdays": 15})
    assert late.status_code == 200 and "第三十条" in alert_text(late) and "已过期限" in alert_text(late)
    assert not Event.objects.filter(kind="correction_requested").exists() and not Notice.objects.exists()

    on_day(D(2024, 10, 20), login=people["handler"])
    no_outcome = act(client, app, "reply", {"outcome": ""})
    assert no_outcome.status_code == 200 and "必须有条例规定的结果" in alert_text(no_outcome)
    no_reason = act(client, app, "reply", {"outcome": "partial"})
    assert "第三十七条" in alert_text(no_reason)
    app.refresh_from_db()
    assert app.state == "processing" and not Notice.objects.exists()

    # The handler drafts an extension; only the office head approves it, by signing (Art. 33).
    assert 'id="act-extend"' in client.get(detail_url(app)).content.decode()
    on_day(D(2024, 10, 31), login=people["handler"])
    too_late = act(client, app, "extend", {"days": 10, "reason": "涉及多个部门"})
    assert too_late.status_code == 200 and "届满前" in alert_text(too_late)
    on_day(D(2024, 10, 28), login=people["handler"])
    too_long = act(client, app, "extend", {"days": 25, "reason": "涉及多个部门"})
    assert "最长不得超过20个工作日" in alert_text(too_long)
    assert act(client, app, "extend", {"days": 10, "reason": "涉及多个部门"}).status_code == 302
    extension = Notice.objects.get(kind="extension")
    assert services.clock(app).due == D(2024, 10, 30)  # nothing changes before it is sent
    refused = client.post(notice_url(extension, "sign"))
    assert refused.status_code == 403 and "第三十三条" in refused.content.decode()
    premature = client.post(notice_url(extension, "send"), {"channel": "post", "on": "2024-10-28"})
    assert premature.status_code == 200 and "须经签发后才能发出" in alert_text(premature)
    client.force_login(people["head"])
    assert client.post(notice_url(extension, "sign")).status_code == 302
    client.force_login(people["handler"])
    assert client.post(notice_url(extension, "send"), {"channel": "post", "on": "2024-10-28"}).status_code == 302
    assert services.clock(app).due == D(2024, 11, 13)
    assert 'id="act-extend"' not in client.get(detail_url(app)).content.decode()
    second = act(client, app, "extend", {"days": 5, "reason": "再延"})
    assert second.status_code == 200 and "只能延长一次" in alert_text(second)
    assert Event.objects.filter(kind="extended").count() == 1
    entry = AuditEntry.objects.filter(action="application.extend").get()
    assert entry.actor == "chengban" and entry.detail["approved_by"] == "gongkaiban"

    # bad input the form itself catches never reaches a 500
    assert act(client, app, "fee", {"basis": "page", "quantity": "很多", "reason": "x"}).status_code == 200
    assert act(client, app, "nonsense", {}).status_code == 404


def test_other_actions_through_the_page(org_tree, people, client, on_day):
    county = org_tree["county"]
    app, duplicate = registered(county, people), registered(county, people)
    client.force_login(people["handler"])
    on_day(D(2024, 10, 8), login=people["handler"])

    assert act(client, duplicate, "merge", {"into": app.pk}).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == "merged" and duplicate.merged_into == app

    organ = issue(client, app, "organ", {"organ": "西昌市住房和城乡建设局"}, people, channel="other")
    assert organ.number == "西昌市依申函〔2024〕第1号" and "第三十四条" in organ.body and "视为同意公开" in organ.body
    on_day(D(2024, 10, 10), login=people["handler"])
    assert act(client, app, "organ_answer", {"agrees": "yes", "on": "2024-10-10"}).status_code == 302
    assert services.clock(app).due == D(2024, 11, 1)

    on_day(D(2024, 10, 14), login=people["handler"])
    client.force_login(people["handler"])
    free = act(client, app, "fee", {"basis": "page", "quantity": 30, "reason": "数量明显超过合理范围"})
    assert "免费范围" in alert_text(free)
    fee_notice = issue(client, app, "fee", {"basis": "page", "quantity": 120, "reason": "申请页数明显超过合理范围"},
                       people)
    assert "1100元" in fee_notice.body and "第31至100页每页10元" in fee_notice.body
    assert Fee.objects.get(application=app).amount == Decimal(1100)
    on_day(D(2024, 10, 18), login=people["handler"])
    assert act(client, app, "fee_paid", {"on": "2024-10-18"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "processing" and Fee.objects.get().paid_on == D(2024, 10, 18)
    again = act(client, app, "fee", {"basis": "page", "quantity": 120, "reason": "再次收费"})
    assert again.status_code == 200 and "只发出一次收费通知" in alert_text(again)

    assert act(client, app, "review_case", {"kind": "reconsideration", "filed_on": "2024-12-02", "result": "upheld"}).status_code == 200
    assert act(client, app, "review_case", {"kind": "reconsideration", "filed_on": "2024-12-02", "result": "upheld",
                                            "decided_on": "2025-01-20"}).status_code == 302
    assert ReviewCase.objects.get().application == app
    assert "行政复议" in text_of(parse(client.get(detail_url(app))))

    on_day(D(2024, 10, 22), login=people["handler"])
    transfer = issue(client, app, "transfer", {"to": org_tree["township"].pk, "contact": "0834-3999999",
                                               "note": "属安宁镇职责"}, people)
    app.refresh_from_db()
    assert app.state == "transferred" and app.transferred_to == org_tree["township"] and app.closed_on == D(2024, 10, 22)
    assert "已转送西昌市安宁镇人民政府" in Event.objects.get(application=app, kind="transferred").public_note
    assert "0834-3999999" in transfer.body and "行政复议" in transfer.body
    refused = act(client, app, "assign", {"handler": people["handler"].pk})
    assert refused.status_code == 200 and "不能再办理" in alert_text(refused)


def test_scope_other_organisations_and_other_roles(org_tree, people, client, media):
    county = org_tree["county"]
    app = registered(county, people)
    services.reply(app, user=people["handler"], outcome="disclosed", on=D(2024, 10, 20))
    urls = [detail_url(app), reverse("applications_staff:letter", args=[app.pk]),
            reverse("applications_staff:letter_docx", args=[app.pk])]

    client.force_login(people["outsider"])  # a handler of another organisation
    listing = client.get(reverse("applications_staff:list") + "?state=all")
    assert listing.status_code == 200 and app.number not in listing.content.decode()
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert act(client, app, "review_case", {"kind": "reconsideration", "filed_on": "2024-12-02", "result": "pending"}).status_code == 404
    assert not ReviewCase.objects.exists()
    response = client.post(reverse("applications_staff:new"), {**PERSON, "organisation": county.pk, "channel": "in_person",
                                                               "received_on": "2024-10-08"})
    assert response.status_code == 200 and Application.objects.count() == 1  # not a choice for them

    client.force_login(people["drafter"])  # no handler role
    assert client.get(reverse("applications_staff:list")).status_code == 403
    assert client.get(reverse("applications_staff:new")).status_code == 403
    for url in urls:
        assert client.get(url).status_code == 404, url

    client.logout()
    assert client.get(reverse("applications_staff:list")).status_code == 302

    # the county's office head sees it, with the applicant's personal data
    client.force_login(people["head"])
    listing = client.get(reverse("applications_staff:list") + "?state=all").content.decode()
    assert app.number in listing and "王小明" in listing
    assert "513401199001011234" in client.get(detail_url(app)).content.decode()
    assert client.get(urls[1]).status_code == 200

    # the province's office supervises it (the office's role reaches the organisations below), but the
    # applicant's personal data stays with the receiving organisation: no name, no identity number, no letter
    client.force_login(people["top"])
    listing = client.get(reverse("applications_staff:list") + "?state=all").content.decode()
    assert app.number in listing and "王小明" not in listing
    page = client.get(detail_url(app)).content.decode()
    assert page.count("王小明") == 0 and "513401199001011234" not in page and "13812345678" not in page
    assert "仅限受理机关" in page
    for url in urls[1:]:
        assert client.get(url).status_code == 403, url
    applicant_file = ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.FROM_APPLICANT,
                                                    name="身份证.pdf", file=ContentFile(PDF, name="id.pdf"))
    assert client.get(reverse("applications_staff:file", args=[app.pk, applicant_file.pk])).status_code == 403
    assert [r.applicant for r in selectors.rows(people["top"], state="all")] == ["自然人"]
    assert [r.applicant for r in selectors.rows(people["head"], state="all")] == ["王小明"]
    # nor may the supervising office register applications for the county (that types the personal data in)
    register = client.get(reverse("applications_staff:new"))
    assert register.status_code == 200 and f'value="{county.pk}"' not in register.content.decode()


def test_changes_need_post_and_csrf(org_tree, people):
    app = registered(org_tree["county"], people)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["handler"])
    url = reverse("applications_staff:act", args=[app.pk, "correction"])
    assert client.get(url).status_code == 405
    assert client.post(url, {"items": "x", "period_workdays": 10, "on": "2024-10-08"}).status_code == 403
    app.refresh_from_db()
    assert app.state == "processing"


def test_list_by_due_date_with_warning_labels(org_tree, people, client, monkeypatch):
    county = org_tree["county"]
    today = D(2024, 10, 28)
    monkeypatch.setattr(timezone, "localdate", lambda *args: today)
    fine = registered(county, people, on=D(2024, 10, 25), info_title="最晚到期")
    soon = registered(county, people, on=D(2024, 10, 8))       # due 11-04: 5 working days left
    urgent = registered(county, people, on=D(2024, 9, 27))     # due 10-30: 2 working days left
    overdue = registered(county, people, on=D(2024, 9, 2))
    pending = registered(county, people, on=None, channel="letter")
    gap = registered(county, people, on=D(2003, 6, 2))         # a year the calendar does not cover: provisional
    replied = registered(county, people, on=D(2024, 9, 20))
    services.reply(replied, user=people["handler"], outcome="disclosed", on=D(2024, 10, 10))
    elsewhere = registered(org_tree["department"], {"handler": people["outsider"]})

    rows = selectors.rows(people["handler"], today=today)
    # The 2003 application's provisional due date (weekends alone) is the earliest: it sorts and warns by it.
    assert [r.app.pk for r in rows] == [gap.pk, overdue.pk, urgent.pk, soon.pk, fine.pk, pending.pk]
    assert [r.level for r in rows] == ["overdue", "overdue", "2", "5", "", ""]
    assert rows[1].label == "已超期" and rows[1].css == "deadline-overdue" and rows[1].left < 0
    assert not rows[1].provisional and rows[0].provisional and rows[0].due == D(2003, 6, 30)
    assert rows[0].due_text == "2003年6月30日（暂定：2003年节假日安排尚未录入）" and "（暂定）" in rows[0].left_text
    assert (rows[2].label, rows[2].left, rows[2].due) == ("紧急", 2, D(2024, 10, 30))
    assert (rows[3].label, rows[3].left, rows[3].due) == ("提醒", 5, D(2024, 11, 4))
    assert rows[5].due is None and "待确认收到" in rows[5].left_text
    count, items = selectors.workbench_panel(people["handler"], today=today)
    assert count == 6 and items[1].app == overdue
    assert [r.app for r in selectors.workbench_panel(people["outsider"], today=today)[1]] == [elsewhere]
    assert selectors.workbench_panel(people["drafter"], today=today) == (0, [])
    assert elsewhere.pk not in [r.app.pk for r in selectors.rows(people["handler"], state="all", today=today)]

    client.force_login(people["handler"])
    tree = parse(client.get(reverse("applications_staff:list")))
    body = tree.cssselect("table.application-list tbody tr")
    assert [row.get("data-level") for row in body] == ["overdue", "overdue", "2", "5", "", ""]
    first = body[1]
    assert "deadline-overdue" in first.get("class") and first.cssselect(".badge") and "已超期" in text_of(first)
    assert "2003-06-30（暂定：2003年节假日安排尚未录入）" in text_of(body[0])
    assert "紧急" in text_of(body[2]) and "剩余2个工作日" in text_of(body[2]) and "deadline-urgent" in body[2].get("class")
    assert "提醒" in text_of(body[3]) and "deadline-soon" in body[3].get("class")
    summary = text_of(tree.get_element_by_id("summary"))
    assert "6件办理中" in summary and "2已超期" in summary.replace(" ", "") and "1期限暂定" in summary.replace(" ", "")
    replied_only = parse(client.get(reverse("applications_staff:list") + "?state=replied"))
    assert [text_of(r.cssselect("th")[0]) for r in replied_only.cssselect("table.application-list tbody tr")] == [replied.number]
    gap_page = text_of(parse(client.get(detail_url(gap))))
    assert "2003年6月30日（暂定：2003年节假日安排尚未录入）" in gap_page and "期限暂定" in gap_page


def test_template_editor_changes_the_letter_wording(org_tree, people, client, on_day):
    county = org_tree["county"]
    earlier = registered(county, people)
    services.reply(earlier, user=people["handler"], outcome="partial", reasons="涉及商业秘密", on=D(2024, 10, 20))
    url = reverse("applications_staff:templates")
    new_body = "{applicant}：\n贵方于{received}提出的申请（{request}）已办结。经审查，部分内容{reasons}，依据条例第三十七条区分处理。{provided}"

    client.force_login(people["handler"])
    page = client.get(url)
    assert page.status_code == 200 and "{applicant}" in page.content.decode() and "<textarea" not in page.content.decode()
    assert client.post(url, {"key": "partial", "title": "改", "body": new_body}).status_code == 403
    client.force_login(people["head"])  # templates per organisation: the county's office may not reword the province's
    assert client.post(url, {"key": "partial", "title": "改", "body": new_body, "org": org_tree["province"].pk}).status_code == 404
    assert not LetterTemplate.objects.exists()

    client.force_login(people["top"])
    bad = client.post(url, {"key": "partial", "title": "部分公开告知书", "body": "{applicnt}：你好"})
    assert bad.status_code == 200 and "未知的占位符{applicnt}" in alert_text(bad)
    unpaired = client.post(url, {"key": "partial", "title": "部分公开告知书", "body": "{applicant：你好"})
    assert "花括号不成对" in alert_text(unpaired)
    saved = client.post(url, {"key": "partial", "title": "政府信息部分公开答复书", "body": new_body})
    assert saved.status_code == 302
    row = LetterTemplate.objects.get(key="partial")
    assert row.title == "政府信息部分公开答复书"
    assert AuditEntry.objects.filter(action="letter_template.save", object_id=str(row.pk)).exists()

    app = registered(county, people)
    on_day(D(2024, 10, 21), login=people["handler"])
    issue(client, app, "reply", {"outcome": "partial", "reasons": "涉及个人隐私", "provided": "其余部分"}, people,
          channel="in_person")
    client.force_login(people["handler"])
    letter = client.get(reverse("applications_staff:letter", args=[app.pk])).content.decode()
    assert "政府信息部分公开答复书" in letter and "已办结" in letter and "涉及个人隐私" in letter and "60日内" in letter
    # the letter issued before the change keeps its wording
    old = client.get(reverse("applications_staff:letter", args=[earlier.pk])).content.decode()
    assert "政府信息部分公开告知书" in old and "已办结" not in old

    client.force_login(people["top"])
    assert client.post(url, {"key": "partial", "op": "reset"}).status_code == 302
    assert not LetterTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="letter_template.reset").exists() and audit.verify().ok
