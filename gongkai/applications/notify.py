"""Messages to the applicant: an e-mail (only when they gave an address) and
a text message (only to a mainland mobile number, through the office's SMS
gateway, gongkai.applications.sms) when the application is received, when a
notice or the reply is issued, and when the reply's deadline changes (a
consultation stops the clock, an answer, a payment or a correction starts it
again, the application ends).

Each message is a Notification row written in the transaction of the step
that causes it and sent by a task once that transaction commits (Django's
mail framework; EMAIL_* settings). A send that fails is kept as failed with
its error, retried by the periodic job (`retry_due`, at growing intervals,
MAX_ATTEMPTS in all) and shown to the handler on the application's page,
where it can be sent again by hand.

No message carries the tracking code in full (at most its last four
characters, in the one sent at receipt) nor the applicant's personal data:
the application's number, the organisation, dates and what happened."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongkai.core.dates import date_text
from gongkai.core.db import ROW_LOCK
from gongkai.core.statute import REPLY_WORKDAYS

from . import deadlines, sms
from .models import Application, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = [dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=4)]
# A message still pending this long after it was written lost its task (a
# worker gone, the queue unreachable): the periodic job sends it.
STALE_PENDING = dt.timedelta(minutes=10)
MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _site() -> str:
    return getattr(settings, "GONGKAI_SITE_NAME", "") or "政府信息公开平台"


def mobile_of(phone: str) -> str | None:
    """The mainland mobile number in `phone` (spaces, dashes and +86 allowed), else None."""
    match = MOBILE.fullmatch(re.sub(r"[\s\-()（）]", "", phone or ""))
    return match.group(1) if match else None


def due_text(app: Application) -> str:
    """The reply's due date in words, as the applicant's status page says it."""
    clock = deadlines.compute(deadlines.steps_of(app.events.all()))
    if clock.due is None:
        if clock.state == "correction":
            return "待补正，答复期限自收到补正后的申请之日起重新计算"
        if clock.state == "paused":
            return "征求意见或等待缴费期间，所需时间不计入答复期限"
        return ""
    text = f"{date_text(clock.due)}前"
    if clock.provisional_year:
        text = f"暂定{text}（{clock.provisional_year}年法定节假日安排公布后按其重新计算）"
    return text


def status_where() -> str:
    """Where the applicant follows the application (with the code)."""
    base = (getattr(settings, "GONGKAI_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return f"{base}{reverse('applications:status')}"
    return f"{_site()}“依申请公开—查询办理进度”页面"


def _email_body(app: Application, lines: list[str]) -> str:
    return "\n".join([
        "您好：", "",
        *lines, "",
        f"您可以凭查询码在{status_where()}查看办理进度和告知书全文。为保护您的信息，本邮件不含完整的查询码。",
        "本邮件由系统自动发送，请勿直接回复。", "",
        app.organisation.name,
    ])


def _queue(app: Application, *, subject: str, lines: list[str], sms_text: str, notice=None,
           attach: bool = False) -> list[Notification]:
    """Write the messages (e-mail only to an address the applicant gave; SMS
    only to a mobile number) and send each once the transaction commits."""
    rows = []
    if app.email:
        rows.append(Notification.objects.create(
            application=app, notice=notice, channel=Notification.Channel.EMAIL, recipient=app.email,
            subject=f"【{_site()}】{subject}"[:200], body=_email_body(app, lines), attach_notice=attach))
    mobile = mobile_of(app.phone)
    if mobile and sms_text:
        rows.append(Notification.objects.create(
            application=app, notice=notice, channel=Notification.Channel.SMS, recipient=mobile,
            subject=subject[:200], body=f"【{app.organisation.short_name or app.organisation.name}】{sms_text}"))
    for row in rows:
        transaction.on_commit(functools.partial(_enqueue, row.pk))
    return rows


def _enqueue(pk: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.enqueue(pk)
    except Exception:  # the queue unreachable: the periodic job sends what is still pending
        logger.exception("could not enqueue notification %s", pk)


# --- what the applicant is told -------------------------------------------------------------

def received(app: Application, code: str | None = None) -> list[Notification]:
    tail = f"（查询码末四位为{code.replace('-', '')[-4:]}）" if code else ""
    due = due_text(app)
    return _queue(app, subject=f"已收到您的政府信息公开申请（{app.number}）", lines=[
        f"{app.organisation.name}已于{date_text(app.received_on)}收到您提出的政府信息公开申请，申请编号为{app.number}{tail}。",
        f"依照《中华人民共和国政府信息公开条例》第三十三条，本机关自收到申请之日起{REPLY_WORKDAYS}个工作日内答复"
        + (f"，答复期限为{due}。" if due else "。"),
    ], sms_text=f"已收到您的政府信息公开申请{app.number}，答复期限{due or '见查询页面'}。")


def notice_sent(notice, summary: str) -> list[Notification]:
    app = notice.application
    how = {
        "post": f"告知书已于{date_text(notice.sent_on)}邮寄至您提供的通信地址。",
        "in_person": "告知书已当面送达。",
        "email": "告知书（Word 文档）见本邮件附件。",
    }.get(notice.channel, "")
    return _queue(app, notice=notice, attach=notice.channel == "email",
                  subject=f"{notice.title}（{notice.number}）", lines=[
                      f"{app.organisation.name}于{date_text(notice.sent_on)}就您的政府信息公开申请（申请编号{app.number}）"
                      f"作出《{notice.title}》（{notice.number}）。",
                      summary, how,
                  ], sms_text=f"您的政府信息公开申请{app.number}：{notice.title}已发出。{summary}")


def paused(app: Application, reason: str) -> list[Notification]:
    return _queue(app, subject=f"答复期限暂停计算（{app.number}）", lines=[
        f"您的政府信息公开申请（申请编号{app.number}）{reason}，所需时间不计入答复期限，答复期限暂停计算。",
    ], sms_text=f"您的政府信息公开申请{app.number}{reason}，答复期限暂停计算。")


def resumed(app: Application, what: str) -> list[Notification]:
    due = due_text(app)
    return _queue(app, subject=f"答复期限恢复计算（{app.number}）", lines=[
        f"您的政府信息公开申请（申请编号{app.number}）{what}，答复期限恢复计算" + (f"，现为{due}。" if due else "。"),
    ], sms_text=f"您的政府信息公开申请{app.number}{what}，答复期限{due or '见查询页面'}。")


def closed(app: Application, reason: str) -> list[Notification]:
    return _queue(app, subject=f"申请已终止办理（{app.number}）", lines=[
        f"您的政府信息公开申请（申请编号{app.number}）已于{date_text(app.closed_on)}终止办理：{reason}。",
    ], sms_text=f"您的政府信息公开申请{app.number}已终止办理：{reason}。")


# --- sending ---------------------------------------------------------------------------------

def _send_email(row: Notification) -> None:
    message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient])
    if row.attach_notice and row.notice_id:
        from . import letters_docx

        notice = row.notice
        message.attach(f"{notice.number or notice.title}.docx", letters_docx.build_notice(notice), DOCX_TYPE)
    message.send(fail_silently=False)


def deliver(pk: int, now: dt.datetime | None = None) -> str:
    """Send one message: "sent", "failed" (kept for a retry), or "skipped"
    (gone or sent already). Never raises for a failed send."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Notification.objects.select_for_update(**ROW_LOCK).select_related("notice").filter(pk=pk).first()
        if row is None or row.state == Notification.State.SENT:
            return "skipped"
        row.attempts += 1
        try:
            if row.channel == Notification.Channel.EMAIL:
                _send_email(row)
            else:
                sms.backend().send(row.recipient, row.body)
        except Exception as exc:  # whatever the mail server or gateway says: recorded, retried
            row.state = Notification.State.FAILED
            row.last_error = f"{type(exc).__name__}: {exc}"[:300]
            row.next_attempt_at = (now + RETRY_AFTER[min(row.attempts, len(RETRY_AFTER)) - 1]
                                   if row.attempts < MAX_ATTEMPTS else None)
            row.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
            logger.warning("notification %s (%s) failed, attempt %s: %s", row.pk, row.channel, row.attempts,
                           row.last_error)
            return "failed"
        row.state, row.sent_at, row.next_attempt_at = Notification.State.SENT, now, None
        row.save(update_fields=["state", "attempts", "sent_at", "next_attempt_at"])
        return "sent"


def retry_due(now: dt.datetime | None = None) -> dict:
    """The periodic job: send again the failed messages whose time has come
    (and any left pending by a lost task). Returns counts."""
    now = now or timezone.now()
    due = list(Notification.objects.filter(
        state=Notification.State.FAILED, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now,
    ).values_list("pk", flat=True))
    due += list(Notification.objects.filter(state=Notification.State.PENDING, created_at__lte=now - STALE_PENDING)
                .values_list("pk", flat=True))
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for pk in due:
        counts[deliver(pk, now)] += 1
    return counts


def failed(app: Application) -> list[Notification]:
    """The application's messages that did not go (for the handler's page)."""
    return list(app.notifications.filter(state=Notification.State.FAILED).order_by("id"))
