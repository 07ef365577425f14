"""Disclosure-application use cases. Each one locks the application's row
(two handlers acting at once cannot both win), checks the rule it enforces
and the user's permission, appends its event and an audit entry in the same
transaction, and refuses with a message that says the rule."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit, calendar, permissions
from gongkai.core.db import ROW_LOCK, next_number
from gongkai.core.models import Organisation
from gongkai.core.statute import (
    APPLICANT_TYPES, EXTENSION_MAX_WORKDAYS, OUTCOME_REPORT_ROW, THIRD_PARTY_WORKDAYS,
)
# Tracking codes (查询码): pure functions in core, shared with the mailbox tickets.
from gongkai.core.tracking import CODE_ALPHABET, CODE_LENGTH, new_tracking_code, normalise_code, tracking_hash  # noqa: F401

from . import casefile, deadlines, fees, letters, notify
from .models import Application, ApplicationCounter, Event, Fee, Reply, ReviewCase

K = Event.Kind
S = Application.State
APPLICANT_FIELDS = ("applicant_type", "applicant_name", "id_document", "legal_representative", "contact_person",
                    "phone", "email", "address", "postcode", "info_title", "info_number", "info_description",
                    "form", "delivery")
# The only fields an application's audit entries hash: never the applicant's personal data in clear.
AUDITED = ("state", "outcome", "handler_id", "received_on", "closed_on", "organisation_id", "year", "serial")


def _state(app: Application) -> dict:
    return {name: getattr(app, name) for name in AUDITED}


def _actor(user) -> str:
    return audit.actor_name(user)


def _check(user, app_or_org, action: str = permissions.APPLICATIONS) -> None:
    org_id = app_or_org.organisation_id if isinstance(app_or_org, Application) else app_or_org.pk
    if not permissions.can(user, action, org_id):
        label = permissions.ACTION_LABELS.get(action, action)
        raise PermissionDenied(f"您没有{label}的权限。")


def _lock(app: Application) -> Application:
    return Application.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=app.pk)


def _event(app: Application, kind: str, on: dt.date, user, *, note: str = "", public_note: str = "", **detail) -> Event:
    event = Event.objects.create(application=app, kind=kind, on=on, actor=_actor(user), note=note,
                                 public_note=public_note, detail=detail)
    return event


def _record(action: str, app: Application, user, before: dict | None, **detail) -> None:
    _stamp_due(app)
    audit.record(f"application.{action}", "application", app.pk, actor=_actor(user), before=before,
                 after=_state(app), detail=detail)
    casefile.on_close(app)  # a closing step: its case file is built once this transaction commits


def clock(app: Application) -> deadlines.Clock:
    return deadlines.compute(deadlines.steps_of(app.events.all()))


def _stamp_due(app: Application) -> None:
    """Note on the latest event the due date as computed now, so that a later
    change of the calendar (the office entering a holiday) that moves it can
    be flagged instead of passing unnoticed (see calendar_changed)."""
    latest = app.events.order_by("-id").first()
    if latest is None:
        return
    current = clock(app)
    # A provisional date is not stamped: its change once the year is covered is expected, not news.
    due = None if current.provisional_year else current.due
    latest.detail = {**latest.detail, "due_then": due.isoformat() if due else None}
    latest.save(update_fields=["detail"])


def correction_period(request) -> tuple[dt.date, int | None]:
    """The applicant's last day to correct (Art. 30) for a correction-request
    event, on the current calendar, and the year without calendar data when
    that date is provisional (None otherwise)."""
    detail = request.detail or {}
    workdays = int(detail.get("workdays") or 0)
    if not workdays:
        return dt.date.fromisoformat(detail["by"]), None
    return _workdays_after(request.on, workdays)


def _workdays_after(on: dt.date, workdays: int) -> tuple[dt.date, int | None]:
    """The `workdays`-th working day after `on`, and the year without calendar
    data it was counted through on weekends alone (None: a real date)."""
    rough = calendar.provisional()
    by = rough.add_workdays(on, workdays)
    return by, (min(rough.gaps) if rough.gaps else None)


def calendar_changed(app: Application, current: deadlines.Clock | None = None) -> tuple[dt.date, dt.date | None] | None:
    """(due date when last computed, due date now) when the working-day
    calendar changed since the application's last step and moved its due date."""
    latest = app.events.order_by("-id").first()
    then = (latest.detail or {}).get("due_then") if latest else None
    if not then:
        return None
    now = (current or clock(app)).due
    then_date = dt.date.fromisoformat(then)
    return (then_date, now) if now != then_date else None


def _check_date(app: Application, on: dt.date, *, not_before: dt.date | None = None) -> None:
    """A step's date: not in the future, not before the application was received (or `not_before`)."""
    if on > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天。"})
    floor = max((d for d in (app.received_on, not_before) if d), default=None)
    if floor and on < floor:
        raise ValidationError({"on": f"日期不能早于{floor:%Y年%m月%d日}。"})


def _require_open(app: Application) -> None:
    if not app.is_open:
        raise ValidationError(f"该申请已{app.get_state_display()}，不能再办理。")


# --- intake -----------------------------------------------------------------

def validate_applicant(data: dict) -> dict:
    """Art. 29: who applies (name, identity document, contact), what they seek
    (title, number or a description), and in what form. Chinese messages by field."""
    clean = {name: str(data.get(name) or "").strip() for name in APPLICANT_FIELDS}
    errors = {}
    if clean["applicant_type"] not in dict(APPLICANT_TYPES):
        errors["applicant_type"] = "请选择申请人类型。"
    if not clean["applicant_name"]:
        errors["applicant_name"] = "请填写申请人姓名或名称（条例第二十九条）。"
    if not clean["id_document"]:
        errors["id_document"] = "请填写身份证明（证件号码或统一社会信用代码，条例第二十九条）。"
    if not clean["phone"] and not clean["email"] and not clean["address"]:
        errors["phone"] = "请至少填写一种联系方式（条例第二十九条）。"
    if not (clean["info_title"] or clean["info_number"] or clean["info_description"]):
        errors["info_description"] = "请填写所需信息的名称、文号或便于查询的特征性描述（条例第二十九条）。"
    if clean["form"] not in Application.Form.values:
        errors["form"] = "请选择信息的载体形式。"
    if clean["delivery"] not in Application.Delivery.values:
        errors["delivery"] = "请选择获取信息的方式。"
    if clean["email"]:
        try:
            validate_email(clean["email"])
        except ValidationError:
            errors["email"] = "请填写有效的电子邮箱地址。"
    for name, limit in (("applicant_name", 100), ("id_document", 100), ("legal_representative", 50),
                        ("contact_person", 50), ("phone", 30), ("email", 254), ("address", 200), ("postcode", 10),
                        ("info_title", 300), ("info_number", 80), ("info_description", 4000)):
        if len(clean[name]) > limit:
            label = Application._meta.get_field(name).verbose_name
            errors[name] = f"{label}不能超过{limit}字。"
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def _create(organisation: Organisation, data: dict, *, channel: str, received_on: dt.date | None,
            submitted_at: dt.datetime, user) -> tuple[Application, str]:
    clean = validate_applicant(data)
    code = new_tracking_code()
    year = (received_on or timezone.localdate(submitted_at)).year
    app = Application(organisation=organisation, year=year, serial=next_number(ApplicationCounter, organisation_id=organisation.pk, year=year),
                      tracking_hash=tracking_hash(code), channel=channel, submitted_at=submitted_at,
                      received_on=received_on, state=S.PROCESSING if received_on else S.PENDING, **clean)
    app.save()
    if received_on:
        _event(app, K.RECEIVED, received_on, user, public_note="已收到申请")
    _record("create", app, user, None, channel=channel)
    if received_on:
        notify.received(app, code)
    return app, code


def submit_online(organisation: Organisation, data: dict, *, now: dt.datetime | None = None) -> tuple[Application, str]:
    """An application from the public site. The platform confirms receipt to
    the applicant at once (the tracking code), which is the mutual
    confirmation of Art. 31 for the internet: the date of receipt is the day
    of submission. Returns the application and its tracking code (shown once)."""
    now = now or timezone.now()
    return _create(organisation, data, channel=Application.Channel.ONLINE, received_on=timezone.localdate(now),
                   submitted_at=now, user=None)


def register(organisation: Organisation, data: dict, *, channel: str, user, received_on: dt.date | None,
             submitted_at: dt.datetime | None = None) -> tuple[Application, str]:
    """Staff register an application that came in person, by post, letter or
    fax. Art. 31: in person, the day it is handed in; by post, the day it is
    signed for; an ordinary letter or a fax, the day receipt is confirmed with
    the applicant (leave the date empty until then: confirm_receipt)."""
    _check(user, organisation)
    if channel not in Application.Channel.values:
        raise ValidationError({"channel": "请选择申请渠道。"})
    if received_on and received_on > timezone.localdate():
        raise ValidationError({"received_on": "收到申请日期不能晚于今天。"})
    if channel in (Application.Channel.IN_PERSON, Application.Channel.POST) and not received_on:
        raise ValidationError({"received_on": "当面提交以提交之日、邮寄以签收之日为收到申请日期，请填写（条例第三十一条）。"})
    return _create(organisation, data, channel=channel, received_on=received_on,
                   submitted_at=submitted_at or timezone.now(), user=user)


@transaction.atomic
def confirm_receipt(app: Application, *, on: dt.date, user) -> Application:
    """Art. 31: the day receipt of a letter, fax or online application is confirmed with the applicant."""
    app = _lock(app)
    _check(user, app)
    if app.state != S.PENDING:
        raise ValidationError("该申请已确认收到。")
    if on > timezone.localdate():
        raise ValidationError({"on": "确认日期不能晚于今天。"})
    before = _state(app)
    app.received_on, app.state = on, S.PROCESSING
    app.save(update_fields=["received_on", "state", "updated_at"])
    _event(app, K.RECEIVED, on, user, public_note="已确认收到申请")
    _record("receive", app, user, before)
    notify.received(app)
    return app


def find_by_code(code: str) -> Application | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return Application.objects.filter(tracking_hash=tracking_hash(code)).select_related("organisation").first()


# --- processing ---------------------------------------------------------------

@transaction.atomic
def assign(app: Application, handler, *, user) -> Application:
    app = _lock(app)
    _check(user, app)
    _require_open(app)
    if not permissions.can(handler, permissions.APPLICATIONS, app.organisation_id):
        raise ValidationError({"handler": f"{handler.get_username()} 不是本机关的依申请公开承办人。"})
    before = _state(app)
    app.handler = handler
    app.save(update_fields=["handler", "updated_at"])
    _event(app, K.ASSIGNED, timezone.localdate(), user, note=f"分办给 {handler.get_username()}")
    _record("assign", app, user, before, handler=handler.get_username())
    return app


@transaction.atomic
def request_correction(app: Application, *, user, items: str, period_workdays: int = 15,
                       on: dt.date | None = None) -> Application:
    """Art. 30: one request, within 7 working days of receipt, naming what to
    correct and a reasonable period; the clock stands until the correction arrives."""
    app = _lock(app)
    _check(user, app)
    on = on or timezone.localdate()
    if app.events.filter(kind=K.CORRECTION_REQUESTED).exists():
        raise ValidationError("补正应一次性告知（条例第三十条）；补正后仍不明确的，请以“补正后申请内容仍不明确”答复。")
    if app.state != S.PROCESSING:
        raise ValidationError(f"“{app.get_state_display()}”的申请不能告知补正。")
    items = (items or "").strip()
    if not items:
        raise ValidationError({"items": "请写明需要补正的事项（条例第三十条）。"})
    if not 1 <= period_workdays <= 60:
        raise ValidationError({"period_workdays": "补正期限应为1至60个工作日。"})
    current = clock(app)
    if current.correction_notice_by and on > current.correction_notice_by and not app.events.filter(kind=K.CORRECTED).exists():
        raise ValidationError(
            f"补正告知应自收到申请之日起7个工作日内作出（条例第三十条），本申请最迟为{current.correction_notice_by:%Y年%m月%d日}，已过期限。")
    by, missing = _workdays_after(on, period_workdays)
    when = (f"请自告知之日起{period_workdays}个工作日内（暂定{by:%Y年%m月%d日}前）补正" if missing
            else f"请于{by:%Y年%m月%d日}前补正")
    before = _state(app)
    app.state = S.CORRECTION
    app.save(update_fields=["state", "updated_at"])
    _event(app, K.CORRECTION_REQUESTED, on, user, note=items, public_note=f"{when}：{items}",
           by=by.isoformat(), workdays=period_workdays)
    _record("correction_request", app, user, before, by=by.isoformat())
    return app


@transaction.atomic
def receive_correction(app: Application, *, user, on: dt.date) -> Application:
    app = _lock(app)
    _check(user, app)
    if app.state != S.CORRECTION:
        raise ValidationError("该申请不在待补正状态。")
    request = app.events.filter(kind=K.CORRECTION_REQUESTED).order_by("-on", "-id").first()
    _check_date(app, on, not_before=request.on if request else None)
    before = _state(app)
    app.state = S.PROCESSING
    app.save(update_fields=["state", "updated_at"])
    _event(app, K.CORRECTED, on, user, public_note="已收到补正，答复期限自收到补正之日起重新计算")
    _record("corrected", app, user, before)
    notify.resumed(app, "已收到您的补正")
    return app


# Given as `approved_by` while an extension notice is drafted: the office
# head's approval is the notice's sign-off, checked when it is signed and sent.
APPROVAL_AT_SIGN_OFF = object()


@transaction.atomic
def extend(app: Application, *, user, days: int, reason: str, on: dt.date | None = None,
           approved_by=None) -> Application:
    """Art. 33: once, at most 20 working days, approved by the office's head
    (the office administrator), before the deadline, with notice to the
    applicant. `approved_by`: the office head who approved it, when another
    (the handler sending the signed notice) records it; else `user` approves."""
    app = _lock(app)
    if approved_by is None:
        _check(user, app, permissions.APPROVE_EXTENSION)
    else:
        _check(user, app)
        if approved_by is not APPROVAL_AT_SIGN_OFF:
            _check(approved_by, app, permissions.APPROVE_EXTENSION)
    on = on or timezone.localdate()
    _require_open(app)
    if app.events.filter(kind=K.EXTENDED).exists():
        raise ValidationError("答复期限只能延长一次（条例第三十三条）。")
    if not 1 <= days <= EXTENSION_MAX_WORKDAYS:
        raise ValidationError({"days": f"延长期限最长不得超过{EXTENSION_MAX_WORKDAYS}个工作日（条例第三十三条）。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明延期理由。"})
    current = clock(app)
    if current.due is None:
        raise ValidationError("当前无法确定答复期限（待补正、征求意见、待缴费或日历缺少数据），不能延期。")
    if on > current.due:
        raise ValidationError(f"延期须在原答复期限（{current.due:%Y年%m月%d日}）届满前告知申请人，已超过期限。")
    before = _state(app)
    _event(app, K.EXTENDED, on, user, note=reason, days=days,
           public_note=f"经批准延长答复期限{days}个工作日")
    app.save(update_fields=["updated_at"])
    approver = approved_by if approved_by not in (None, APPROVAL_AT_SIGN_OFF) else user
    _record("extend", app, user, before, days=days, approved_by=_actor(approver))
    return app


def _pause(app: Application, kind: str, answer_kind: str, *, user, on: dt.date, note: str, public: str) -> Application:
    app = _lock(app)
    _check(user, app)
    if app.state not in (S.PROCESSING, S.PAUSED):
        raise ValidationError(f"“{app.get_state_display()}”的申请不能{Event.Kind(kind).label}。")
    _check_date(app, on)
    open_ = app.events.filter(kind=kind).count() > app.events.filter(kind=answer_kind).count()
    if open_:
        raise ValidationError(f"已{Event.Kind(kind).label}，尚未收到答复。")
    before = _state(app)
    app.state = S.PAUSED
    app.save(update_fields=["state", "updated_at"])
    _event(app, kind, on, user, note=note, public_note=public)
    _record(kind, app, user, before)
    if kind in PAUSE_NOTICES:  # a fee notice tells the applicant itself
        notify.paused(app, PAUSE_NOTICES[kind])
    return app


PAUSE_NOTICES = {K.THIRD_PARTY_SENT: "依法征求第三方意见", K.ORGAN_SENT: "依法征求其他机关意见"}
RESUME_NOTICES = {K.THIRD_PARTY_ANSWERED: "征求第三方意见已结束", K.ORGAN_ANSWERED: "征求其他机关意见已结束",
                  K.FEE_PAID: "已收到您缴纳的信息处理费"}


def _resume(app: Application, kind: str, answer_kind: str, *, user, on: dt.date, note: str, **detail) -> Application:
    app = _lock(app)
    _check(user, app)
    sent = app.events.filter(kind=kind).order_by("-on", "-id").first()
    if sent is None or app.events.filter(kind=kind).count() <= app.events.filter(kind=answer_kind).count():
        raise ValidationError(f"没有待答复的{Event.Kind(kind).label}。")
    if on < sent.on:
        raise ValidationError({"on": "答复日期不能早于发出征求意见的日期。"})
    _check_date(app, on)
    before = _state(app)
    _event(app, answer_kind, on, user, note=note, **detail)
    if not (app.events.filter(kind=K.THIRD_PARTY_SENT).count() > app.events.filter(kind=K.THIRD_PARTY_ANSWERED).count()
            or app.events.filter(kind=K.ORGAN_SENT).count() > app.events.filter(kind=K.ORGAN_ANSWERED).count()
            or app.events.filter(kind=K.FEE_NOTICE).count() > app.events.filter(kind=K.FEE_PAID).count()):
        app.state = S.PROCESSING
    app.save(update_fields=["state", "updated_at"])
    _record(answer_kind, app, user, before, **detail)
    if app.state == S.PROCESSING:  # the clock runs again
        notify.resumed(app, RESUME_NOTICES[answer_kind])
    return app


@transaction.atomic
def consult_third_party(app, *, user, party: str, on: dt.date | None = None) -> Application:
    """Art. 32: a written consultation; the third party has 15 working days;
    the time does not count toward the reply period."""
    if not (party or "").strip():
        raise ValidationError({"party": "请填写第三方名称。"})
    on = on or timezone.localdate()
    return _pause(app, K.THIRD_PARTY_SENT, K.THIRD_PARTY_ANSWERED, user=user, on=on, note=party,
                  public=f"依法征求第三方意见（第三方应于{THIRD_PARTY_WORKDAYS}个工作日内答复，所需时间不计入答复期限）")


@transaction.atomic
def third_party_answer(app, *, user, on: dt.date, agrees: bool | None, note: str = "") -> Application:
    """The third party's answer (agrees / refuses with reasons / none in time: agrees=None)."""
    return _resume(app, K.THIRD_PARTY_SENT, K.THIRD_PARTY_ANSWERED, user=user, on=on, note=note, agrees=agrees)


@transaction.atomic
def consult_organ(app, *, user, organ: str, on: dt.date | None = None) -> Application:
    if not (organ or "").strip():
        raise ValidationError({"organ": "请填写被征求意见的机关。"})
    on = on or timezone.localdate()
    return _pause(app, K.ORGAN_SENT, K.ORGAN_ANSWERED, user=user, on=on, note=organ,
                  public="依法征求其他机关意见（所需时间不计入答复期限）")


@transaction.atomic
def organ_answer(app, *, user, on: dt.date, agrees: bool | None, note: str = "") -> Application:
    return _resume(app, K.ORGAN_SENT, K.ORGAN_ANSWERED, user=user, on=on, note=note, agrees=agrees)


def fee_quote(app: Application, basis: str, quantity: int) -> tuple:
    """The fee for `quantity` items or pages, and (per item) how many of the
    applicant's items came before it this month."""
    if basis == Fee.Basis.PER_ITEM:
        # Items are counted per applicant over the calendar month: the
        # applicant's earlier applications to this organisation that month
        # come first (fee measures, 按件计收).
        received = app.received_on or timezone.localdate()
        earlier = Application.objects.filter(
            organisation_id=app.organisation_id, id_document=app.id_document, pk__lt=app.pk,
            received_on__year=received.year, received_on__month=received.month).count()
        return fees.per_item(quantity, already_this_month=earlier), earlier
    return fees.per_page(quantity), 0


@transaction.atomic
def notify_fee(app, *, user, basis: str, quantity: int, reason: str, on: dt.date | None = None) -> Fee:
    """Art. 42: a fee only where the number or frequency clearly exceeds a reasonable range."""
    if basis not in Fee.Basis.values:
        raise ValidationError({"basis": "请选择计收方式。"})
    if quantity <= 0:
        raise ValidationError({"quantity": "件数或页数应大于0。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明收费理由（申请数量、频次明显超过合理范围，条例第四十二条）。"})
    amount, _ = fee_quote(app, basis, quantity)
    if amount <= 0:
        raise ValidationError({"quantity": "该数量在免费范围内，不收取信息处理费。"})
    on = on or timezone.localdate()
    if Fee.objects.filter(application=app).exists():
        raise ValidationError("同一申请只发出一次收费通知（信息处理费按申请计收一次）。")
    app = _pause(app, K.FEE_NOTICE, K.FEE_PAID, user=user, on=on, note=reason,
                 public=f"收费通知：信息处理费{amount}元，请于20个工作日内缴纳，逾期视为放弃申请")
    return Fee.objects.create(application=app, basis=basis, quantity=quantity, amount=amount, notified_on=on)


@transaction.atomic
def pay_fee(app, *, user, on: dt.date) -> Application:
    app = _resume(app, K.FEE_NOTICE, K.FEE_PAID, user=user, on=on, note="已缴费")
    Fee.objects.filter(application=app).update(paid_on=on)
    return app


# --- endings ------------------------------------------------------------------

def _close(app: Application, *, user, on: dt.date, outcome: str, kind: str, public: str, **detail) -> Application:
    before = _state(app)
    app.state, app.outcome, app.closed_on = S.CLOSED, outcome, on
    app.save(update_fields=["state", "outcome", "closed_on", "updated_at"])
    _event(app, kind, on, user, public_note=public, outcome=outcome)
    _record("close", app, user, before, outcome=outcome, **detail)
    notify.closed(app, public)
    return app


@transaction.atomic
def reply(app: Application, *, user, outcome: str, on: dt.date | None = None, reasons: str = "",
          provided: str = "", where_published: str = "", responsible_organ: str = "",
          letter_number: str = "", drafted_by=None) -> Reply:
    """Answer with one of the statutory outcomes; the outcome decides the
    letter's template and the annual report's row. `letter_number`: the
    number of the signed reply notice that sends it (notices.send), else the
    application's number with 答; `drafted_by`: its handler, when another sends it."""
    app = _lock(app)
    _check(user, app)
    on = on or timezone.localdate()
    if not outcome:
        raise ValidationError({"outcome": "请选择办理结果：答复必须有条例规定的结果。"})
    if outcome not in OUTCOME_REPORT_ROW:
        raise ValidationError({"outcome": "办理结果不在条例规定的范围内。"})
    if outcome in ("no_correction", "no_payment"):
        raise ValidationError({"outcome": "逾期不补正或逾期不缴费的，请在期限届满后使用“终止处理”，不作为答复。"})
    if app.state not in (S.PROCESSING, S.PAUSED):
        raise ValidationError(f"“{app.get_state_display()}”的申请不能答复。")
    if app.state == S.PAUSED:
        raise ValidationError("征求意见或缴费尚未结束，请先登记答复或缴费情况。")
    _check_date(app, on)
    if outcome.startswith("withheld_") or outcome in ("partial", "needs_creation", "still_unclear", "not_responsible"):
        if not (reasons or "").strip():
            raise ValidationError({"reasons": "不予公开、部分公开或无法提供的，应当说明理由和依据（条例第三十六条、第三十七条）。"})
    if outcome == "proactive" and not (where_published or "").strip():
        raise ValidationError({"where_published": "已主动公开的，应告知获取的方式和途径（条例第三十六条第（一）项）。"})
    if outcome == "not_responsible" and not (responsible_organ or "").strip():
        raise ValidationError({"responsible_organ": "能够确定负责公开机关的，应告知其名称和联系方式（条例第三十六条第（五）项）。"})
    # A reply after the due date is late even when the daily job has not run since.
    _mark_overdue(app, clock(app), on)
    before = _state(app)
    record = Reply(application=app, outcome=outcome, issued_on=on, reasons=reasons.strip(), provided=provided.strip(),
                   where_published=where_published.strip(), responsible_organ=responsible_organ.strip(),
                   letter_number=letter_number or f"{app.number}答")
    author = drafted_by or user
    record.created_by = author if getattr(author, "is_authenticated", False) else None
    record.body = letters.render_text(app, record)
    record.save()
    app.state, app.outcome, app.closed_on = S.REPLIED, outcome, on
    app.save(update_fields=["state", "outcome", "closed_on", "updated_at"])
    _event(app, K.REPLIED, on, user, public_note="已作出答复，可查看告知书", outcome=outcome)
    _record("reply", app, user, before, outcome=outcome)
    return record


@transaction.atomic
def close_without_correction(app: Application, *, user=None, on: dt.date | None = None) -> Application:
    """Art. 30: no correction within the period given: deemed withdrawn."""
    app = _lock(app)
    on = on or timezone.localdate()
    if user is not None:
        _check(user, app)
    if app.state != S.CORRECTION:
        raise ValidationError("该申请不在待补正状态。")
    request = app.events.filter(kind=K.CORRECTION_REQUESTED).order_by("-on", "-id").first()
    by, missing = correction_period(request)
    if on <= by:
        raise ValidationError(f"补正期限至{by:%Y年%m月%d日}，尚未届满。")
    if missing:
        raise ValidationError(f"补正期限为暂定（{missing}年节假日安排尚未录入工作日历），录入后才能认定逾期未补正。")
    return _close(app, user=user, on=on, outcome="no_correction", kind=K.CORRECTION_EXPIRED,
                  public="申请人无正当理由逾期不补正，视为放弃申请（条例第三十条）")


@transaction.atomic
def close_without_payment(app: Application, *, user=None, on: dt.date | None = None) -> Application:
    app = _lock(app)
    on = on or timezone.localdate()
    if user is not None:
        _check(user, app)
    current = clock(app)
    if current.fee_due is None or app.events.filter(kind=K.FEE_PAID).exists():
        raise ValidationError("该申请没有未缴的信息处理费。")
    if on <= current.fee_due:
        raise ValidationError(f"缴费期限至{current.fee_due:%Y年%m月%d日}，尚未届满。")
    return _close(app, user=user, on=on, outcome="no_payment", kind=K.FEE_EXPIRED,
                  public="申请人逾期未缴纳信息处理费，不再处理该申请")


@transaction.atomic
def transfer(app: Application, *, user, to: Organisation, on: dt.date | None = None, note: str = "") -> Application:
    """Send an application to the organisation responsible, telling the applicant."""
    app = _lock(app)
    _check(user, app)
    _require_open(app)
    if to.pk == app.organisation_id:
        raise ValidationError({"to": "不能转送给本机关。"})
    before = _state(app)
    app.state, app.transferred_to, app.closed_on = S.TRANSFERRED, to, on or timezone.localdate()
    app.save(update_fields=["state", "transferred_to", "closed_on", "updated_at"])
    _event(app, K.TRANSFERRED, app.closed_on, user, note=note, public_note=f"已转送{to.name}办理，并告知申请人")
    _record("transfer", app, user, before, to=to.pk)
    return app


@transaction.atomic
def merge(app: Application, *, into: Application, user) -> Application:
    """A duplicate handled with another application of the same applicant."""
    app = _lock(app)
    _check(user, app)
    _require_open(app)
    if into.pk == app.pk or into.organisation_id != app.organisation_id:
        raise ValidationError({"into": "只能合并到本机关的另一件申请。"})
    into = _lock(into)
    if not into.is_open:
        raise ValidationError({"into": f"{into.number}已{into.get_state_display()}，不能合并到已办结的申请。"})
    before = _state(app)
    app.state, app.merged_into, app.closed_on = S.MERGED, into, timezone.localdate()
    app.save(update_fields=["state", "merged_into", "closed_on", "updated_at"])
    _event(app, K.MERGED, app.closed_on, user, public_note=f"与{into.number}合并办理")
    _record("merge", app, user, before, into=into.pk)
    return app


@transaction.atomic
def record_review_case(*, user, organisation: Organisation, kind: str, filed_on: dt.date,
                       application: Application | None = None, result: str = ReviewCase.Result.PENDING,
                       decided_on: dt.date | None = None, note: str = "") -> ReviewCase:
    _check(user, organisation)
    if kind not in ReviewCase.Kind.values:
        raise ValidationError({"kind": "请选择行政复议或行政诉讼类型。"})
    if result not in ReviewCase.Result.values:
        raise ValidationError({"result": "请选择结果。"})
    if application is not None and application.organisation_id != organisation.pk:
        raise ValidationError({"application": "所涉申请不是该机关受理的申请。"})
    if result != ReviewCase.Result.PENDING and not decided_on:
        raise ValidationError({"decided_on": "已审结的案件请填写审结日期。"})
    case = ReviewCase.objects.create(organisation=organisation, application=application, kind=kind, filed_on=filed_on,
                                     result=result, decided_on=decided_on, note=note)
    audit.record("review_case.create", "review_case", case.pk, actor=_actor(user), after=audit.state_of(case))
    return case


# --- the daily job -------------------------------------------------------------------

def _mark_overdue(app: Application, current: deadlines.Clock, on: dt.date) -> bool:
    """Record once that the application passed its due date (the workbench,
    the statistics and the assessment read this event)."""
    if current.provisional_year is not None:
        return False  # only a real due date makes an application overdue on the record
    if not current.overdue(on) or app.events.filter(kind=K.OVERDUE).exists():
        return False
    with transaction.atomic():
        _event(app, K.OVERDUE, on, None, note=f"答复期限{current.due:%Y-%m-%d}已过")
        audit.record("application.overdue", "application", app.pk, actor="system", detail={"due": current.due.isoformat()})
    return True


def daily(today: dt.date | None = None) -> dict:
    """Record each overdue application once (an event the workbench and the
    assessment read), and close those whose correction or payment period has
    run out. Returns counts."""
    today = today or timezone.localdate()
    counts = {"overdue": 0, "no_correction": 0, "no_payment": 0}
    for app in Application.objects.filter(state__in=[S.PROCESSING, S.CORRECTION, S.PAUSED]).select_related("organisation"):
        current = clock(app)
        if app.state == S.CORRECTION:
            request = app.events.filter(kind=K.CORRECTION_REQUESTED).order_by("-on", "-id").first()
            by, missing = correction_period(request) if request else (None, None)
            if by and today > by and not missing:
                close_without_correction(app, on=today)
                counts["no_correction"] += 1
        elif app.state == S.PAUSED and current.fee_due and today > current.fee_due and not app.events.filter(kind=K.FEE_PAID).exists():
            close_without_payment(app, on=today)
            counts["no_payment"] += 1
        elif _mark_overdue(app, current, today):
            counts["overdue"] += 1
    return counts
