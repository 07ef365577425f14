"""Messages to the applicant (gongkai.applications.notify): an e-mail when
the application is received (never the full tracking code), when a notice
is issued (the Word letter attached when they chose e-mail) and when the
deadline stops or runs again; only to an address they gave; SMS through the
office's gateway; a failed send kept, shown to the handler and retried."""

import datetime as dt
import io
import logging
import smtplib
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core import mail
from django.urls import reverse

from gongkai.applications import notices, notify, services, tasks
from gongkai.applications.models import Notification
from tests.applications.test_services import PERSON
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
SENT_TEXTS = []


class BrokenMailServer:
    """An e-mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class Gateway:
    """An office's SMS gateway that works."""

    def send(self, phone, text):
        SENT_TEXTS.append((phone, text))


@pytest.fixture
def on_day(time_machine):
    return lambda day, hour=10: time_machine.move_to(dt.datetime.combine(day, dt.time(hour), SHANGHAI), tick=False)


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {"handler": make_user("chengban", (county, "handler")), "head": make_user("gongkaiban", (county, "office_admin"))}


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the messages' tasks) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_receipt_email_has_the_number_and_not_the_code_nor_personal_data(org_tree, people, on_day, commit, mailoutbox):
    on_day(D(2024, 9, 27))
    with commit():
        app, code = services.submit_online(org_tree["county"], PERSON)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["wxm@example.com"] and app.number in message.subject
    body = message.body
    assert app.number in body and "西昌市人民政府" in body and "2024年9月27日" in body and "2024年10月30日前" in body
    assert "20个工作日" in body and "第三十三条" in body
    raw = code.replace("-", "")
    assert f"查询码末四位为{raw[-4:]}" in body
    assert raw[-5:] not in body and code not in body and raw not in body
    for secret in ("王小明", "513401199001011234", "13812345678", "胜利路"):
        assert secret not in body and secret not in message.subject
    assert Notification.objects.get(channel="email").state == "sent"


def test_no_email_without_an_address_and_sms_only_to_a_mobile(org_tree, people, on_day, commit, mailoutbox, settings,
                                                            caplog):
    on_day(D(2024, 9, 27))
    with caplog.at_level(logging.INFO, logger="gongkai.sms"), commit():
        services.submit_online(org_tree["county"], {**PERSON, "email": ""})
    assert mailoutbox == [] and not Notification.objects.filter(channel="email").exists()
    sms = Notification.objects.get(channel="sms")
    assert sms.state == "sent" and sms.recipient == "13812345678"
    assert "****5678" in caplog.text and "13812345678" not in caplog.text  # the log-only default masks the number
    settings.GONGKAI_SMS_BACKEND = f"{__name__}.Gateway"
    SENT_TEXTS.clear()
    with commit():
        services.submit_online(org_tree["county"], {**PERSON, "email": "", "phone": "+86 138-1234-5678"})
        services.submit_online(org_tree["county"], {**PERSON, "email": "", "phone": "0834-3222222"})  # a landline
    assert [phone for phone, _ in SENT_TEXTS] == ["13812345678"] and "已收到您的政府信息公开申请" in SENT_TEXTS[0][1]


def test_notices_and_deadline_changes_are_emailed(org_tree, people, on_day, commit, mailoutbox):
    on_day(D(2024, 10, 8))
    app, _ = services.register(org_tree["county"], PERSON, channel="in_person", user=people["handler"],
                               received_on=D(2024, 10, 8))
    mailoutbox.clear()
    third_party = notices.sign(notices.draft(app, "third_party", {"party": "某建筑公司"}, user=people["handler"]),
                               user=people["head"])
    with commit():
        notices.send(third_party, user=people["handler"])
    assert [m.subject for m in mailoutbox] == [f"【政府信息公开平台】答复期限暂停计算（{app.number}）"]
    assert "依法征求第三方意见" in mailoutbox[0].body and "某建筑公司" not in mailoutbox[0].body
    on_day(D(2024, 10, 15))
    with commit():
        services.third_party_answer(app, user=people["handler"], on=D(2024, 10, 15), agrees=True)
    assert "答复期限恢复计算，现为2024年11月12日前" in mailoutbox[1].body

    extension = notices.sign(notices.draft(app, "extension", {"days": 5, "reason": "需要汇总资料"}, user=people["handler"]),
                             user=people["head"])
    with commit():
        extension = notices.send(extension, user=people["handler"], channel="email")
    message = mailoutbox[2]
    assert extension.number in message.subject and "将于2024年11月19日前作出答复" in message.body
    assert "见本邮件附件" in message.body
    (name, content, mimetype), = message.attachments
    assert name == f"{extension.number}.docx" and mimetype.endswith("wordprocessingml.document")
    letter = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "延期答复告知书" in letter and "第三十三条" in letter and "王小明" in letter

    reply = notices.sign(notices.draft(app, "reply", {"outcome": "disclosed", "provided": "批准文件"},
                                       user=people["handler"]), user=people["head"])
    with commit():
        reply = notices.send(reply, user=people["handler"], channel="post")
    assert "办理结果：予以公开" in mailoutbox[3].body and "已于2024年10月15日邮寄至您提供的通信地址" in mailoutbox[3].body
    assert mailoutbox[3].attachments == [] and reply.number in mailoutbox[3].subject


def test_a_failed_send_is_kept_shown_and_retried(org_tree, people, on_day, commit, mailoutbox, settings, client,
                                                make_user):
    on_day(D(2024, 10, 8))
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    with commit():
        app, _ = services.register(org_tree["county"], PERSON, channel="in_person", user=people["handler"],
                                   received_on=D(2024, 10, 8))
    row = Notification.objects.get(channel="email")
    assert (row.state, row.attempts) == ("failed", 1) and "Connection unexpectedly closed" in row.last_error
    assert row.next_attempt_at == dt.datetime(2024, 10, 8, 10, 5, tzinfo=SHANGHAI)

    client.force_login(people["handler"])
    page = parse(client.get(reverse("applications_staff:detail", args=[app.pk])))
    alert = text_of(page.get_element_by_id("notifications-failed"))
    assert "1条发给申请人的通知未发送成功" in alert and "Connection unexpectedly closed" in alert

    assert notify.retry_due() == {"sent": 0, "failed": 0, "skipped": 0}  # not yet time
    on_day(D(2024, 10, 8), hour=11)
    assert tasks.retry_notifications.enqueue().return_value == {"sent": 0, "failed": 1, "skipped": 0}
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == dt.datetime(2024, 10, 8, 11, 15, tzinfo=SHANGHAI)
    for hour in range(12, 20):  # five attempts in all, then it waits for a person
        on_day(D(2024, 10, 8), hour=hour)
        notify.retry_due()
    row.refresh_from_db()
    assert row.attempts == notify.MAX_ATTEMPTS and row.next_attempt_at is None and row.state == "failed"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(people["handler"])  # a new working session
    resend = client.post(reverse("applications_staff:notification_resend", args=[app.pk, row.pk]))
    assert resend.status_code == 302
    row.refresh_from_db()
    assert row.state == "sent" and len(mail.outbox) == 1 and mail.outbox[0].subject == row.subject
    assert not notify.failed(app)
    # only the receiving organisation's own staff may send it again: the supervising office may not, nor anyone else
    other = Notification.objects.create(application=app, channel="email", recipient="wxm@example.com", subject="x",
                                        body="x", state="failed")
    url = reverse("applications_staff:notification_resend", args=[app.pk, other.pk])
    client.force_login(make_user("shengban", (org_tree["province"], "office_admin")))
    assert client.post(url).status_code == 403
    client.force_login(make_user("caizheng", (org_tree["department"], "handler")))
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.attempts == 0


def test_a_lost_task_leaves_the_message_pending_for_the_periodic_job(org_tree, people, on_day, mailoutbox):
    on_day(D(2024, 10, 8))
    services.register(org_tree["county"], PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 10, 8))
    row = Notification.objects.get(channel="email")  # this test's transaction never commits: no task ran
    assert row.state == "pending" and mailoutbox == []
    assert notify.retry_due()["sent"] == 0
    on_day(D(2024, 10, 8), hour=11)
    assert notify.retry_due()["sent"] == 2  # the e-mail and the SMS
    row.refresh_from_db()
    assert row.state == "sent" and len(mailoutbox) == 1
