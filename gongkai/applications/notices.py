"""Notices the procedure sends (notice_flow has the moves and the kinds):
drafted by the handler, signed off (签发) by the office head or whoever the
organisation names, then sent by the channel the applicant chose.

- Drafting checks the notice against the rules of the service action it
  carries as if it were sent today (a dry run of the action, rolled back):
  a correction request after the 7 working days, an extension after the
  deadline, a reply without the reasons the statute asks for are refused at
  once, with the service's own message. Signing checks again.
- Sending takes the action (services.request_correction, extend,
  consult_third_party, consult_organ, notify_fee, reply, transfer) on the
  day it is sent, in the same transaction as the notice's number (the
  organisation's series per kind and year, NoticeCounter, taken under its
  row lock), its letter as issued, the event, the audit entries and the
  messages to the applicant. So the date sent is the date the clock and the
  annual report count: the reply's closed_on, the correction request's day,
  the day the extension takes effect.
- Separation of duties: whoever drafted or edited a notice does not sign it
  (unless the organisation's SignOffPolicy allows it). An extension is signed
  by someone who may approve one (the office head, Art. 33).
- Every move is a NoticeStep with the content's version, and an audit entry
  on the application (`application.notice_<move>`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core.dates import date_text
from gongkai.core.db import ROW_LOCK, next_number
from gongkai.core.models import Organisation
from gongkai.core.statute import (
    EXTENSION_MAX_WORKDAYS, FEE_PAYMENT_WORKDAYS, OTHER_ORGAN_WORKDAYS, OUTCOME_LABEL, THIRD_PARTY_WORKDAYS,
)

from . import deadlines, fees, letters, notice_flow as flow, notify, services
from .models import Application, ApplicationFile, Event, Fee, Notice, NoticeCounter, NoticeStep, SignOffPolicy

HANDLER_RULE = "告知书含申请人个人信息，仅限受理机关本机关的承办人员和政务公开办管理员起草、修改和发出。"
SIGNER_RULE = "只有本机关政务公开办负责人（管理员）或本机关指定的签发人可以签发告知书。"
EXTENSION_SIGNER_RULE = "延期答复须经政府信息公开工作机构负责人同意（条例第三十三条）：延期答复告知书只能由政务公开办负责人签发。"
SEPARATION_RULE = "按职责分离要求，起草或修改告知书的人不能签发本人的告知书；请由其他签发人签发。"
PREVIEW_NUMBER = "（编号于发出时生成）"
DEFAULT_PAYMENT = "请持本通知书到本机关办理缴费手续，缴费后请保留缴费凭证。"

# Channels: to the applicant, the one they chose (Application.delivery) by default.
C = Notice.Channel
DELIVERY_CHANNEL = {"online": C.ONLINE, "email": C.EMAIL, "post": C.POST, "pickup": C.IN_PERSON}
APPLICANT_CHANNELS = (C.ONLINE, C.EMAIL, C.POST, C.IN_PERSON)
OTHER_CHANNELS = (C.POST, C.IN_PERSON, C.OTHER)

# What each kind carries: the arguments of its service action (and what the letter needs besides).
TEXT_LIMITS = {"items": 2000, "reason": 1000, "party": 200, "organ": 200, "address": 300, "payment": 500,
               "reasons": 4000, "provided": 4000, "where_published": 300, "responsible_organ": 300,
               "contact": 200, "note": 1000, "basis": 8, "outcome": 40}
PAYLOAD = {
    flow.CORRECTION: {"items": str, "period_workdays": int},
    flow.EXTENSION: {"days": int, "reason": str},
    flow.THIRD_PARTY: {"party": str, "address": str},
    flow.ORGAN: {"organ": str, "address": str},
    flow.FEE: {"basis": str, "quantity": int, "reason": str, "payment": str},
    flow.REPLY: {"outcome": str, "reasons": str, "provided": str, "where_published": str, "responsible_organ": str},
    flow.TRANSFER: {"to": int, "contact": str, "note": str},
}


def clean_payload(kind: str, data: dict) -> dict:
    """The fields of `kind` from `data`: text stripped and cut to its limit,
    numbers as numbers (a missing or unreadable number is left out and the
    service says what is missing)."""
    if kind not in PAYLOAD:
        raise ValidationError("没有这类告知书。")
    clean = {}
    for name, kind_of in PAYLOAD[kind].items():
        value = data.get(name)
        if kind_of is int:
            if isinstance(value, Organisation):
                value = value.pk
            try:
                clean[name] = int(value)
            except (TypeError, ValueError):
                continue
        else:
            clean[name] = str(value or "").strip()
            limit = TEXT_LIMITS.get(name)
            if limit and len(clean[name]) > limit:
                raise ValidationError({name: f"内容不能超过{limit}字。"})
    return clean


# --- who may do what ---------------------------------------------------------------------

def may_handle(user, app: Application) -> bool:
    """Draft, edit and send: the receiving organisation's own staff who handle applications."""
    return (permissions.can(user, permissions.APPLICATIONS, app.organisation_id)
            and permissions.can(user, permissions.APPLICANT_DATA, app.organisation_id))


def policy_for(organisation: Organisation) -> SignOffPolicy | None:
    """The sign-off policy in force in `organisation`: its own, else the nearest above (None: the strict default)."""
    rows = {p.organisation_id: p for p in SignOffPolicy.objects.all()}
    node, hops = organisation, 0
    while rows and node is not None and hops < 50:
        if node.pk in rows:
            return rows[node.pk]
        node, hops = node.parent, hops + 1
    return None


def may_sign(user, app: Application, kind: str | None = None) -> bool:
    """May `user` sign the application's notices (of `kind`)? The office head
    of the receiving organisation (permissions.SIGN_OFF), or a person the
    organisation's policy names who handles its applications; an extension
    only someone who may approve one."""
    org = app.organisation_id
    if not getattr(user, "is_authenticated", False):
        return False
    if kind == flow.EXTENSION and not permissions.can(user, permissions.APPROVE_EXTENSION, org):
        return False
    if permissions.can(user, permissions.SIGN_OFF, org):
        return True
    policy = policy_for(app.organisation)
    return bool(policy and may_handle(user, app) and policy.signers.filter(pk=user.pk).exists())


def authors(notice: Notice) -> set[int]:
    """Whoever drafted or edited the notice (they may not sign it by default)."""
    found = {notice.drafted_by_id} if notice.drafted_by_id else set()
    found |= set(notice.steps.filter(action__in=("draft", flow.EDIT)).exclude(actor=None)
                 .values_list("actor_id", flat=True))
    return found


def sign_refusal(user, notice: Notice) -> str:
    """Why `user` may not sign `notice` now ("" if they may)."""
    app = notice.application
    if not may_sign(user, app, notice.kind):
        return EXTENSION_SIGNER_RULE if notice.kind == flow.EXTENSION else SIGNER_RULE
    policy = policy_for(app.organisation)
    if not flow.may_sign_own(authors(notice), user.pk, drafter_may_sign=bool(policy and policy.drafter_may_sign)):
        return SEPARATION_RULE
    return ""


def _require_handler(user, app: Application) -> None:
    if not may_handle(user, app):
        raise PermissionDenied(HANDLER_RULE)


# --- the action each kind takes, and its letter ----------------------------------------------

def _date(day: dt.date | None, provisional_year: int | None = None) -> str:
    if day is None:
        return "（日期待定）"
    text = date_text(day)
    return f"{text}（暂定）" if provisional_year else text


def _clock(app: Application) -> deadlines.Clock:
    return services.clock(app)


def _perform(kind: str, payload: dict, app: Application, *, user, on: dt.date, number: str,
             approved_by=None, drafted_by=None) -> tuple[dict, str]:
    """Take the action of a notice of `kind` with `payload` on `on`, and
    return its letter's parts (numbered `number`, dated `on`) and one line
    for the applicant's message. Raises the service's refusal."""
    p = payload
    if kind == flow.REPLY:
        record = services.reply(app, user=user, outcome=p.get("outcome", ""), on=on, reasons=p.get("reasons", ""),
                                provided=p.get("provided", ""), where_published=p.get("where_published", ""),
                                responsible_organ=p.get("responsible_organ", ""), letter_number=number,
                                drafted_by=drafted_by)
        return letters.render_parts(record.application, record), f"办理结果：{OUTCOME_LABEL.get(record.outcome, '')}。"
    values: dict
    if kind == flow.CORRECTION:
        if "period_workdays" not in p:
            raise ValidationError({"period_workdays": "请填写补正期限（工作日）。"})
        app = services.request_correction(app, user=user, items=p.get("items", ""),
                                          period_workdays=p["period_workdays"], on=on)
        request = app.events.filter(kind=Event.Kind.CORRECTION_REQUESTED).order_by("-id").first()
        by, missing = services.correction_period(request)
        values = {"items": p["items"], "period": p["period_workdays"], "by": _date(by, missing)}
        summary = f"请于{_date(by, missing)}前补正；答复期限自收到补正后的申请之日起重新计算。"
    elif kind == flow.EXTENSION:
        if "days" not in p:
            raise ValidationError({"days": f"请填写延长的工作日数（最长{EXTENSION_MAX_WORKDAYS}个工作日）。"})
        before = _clock(app)
        app = services.extend(app, user=user, days=p["days"], reason=p.get("reason", ""), on=on,
                              approved_by=approved_by)
        after = _clock(app)
        new_due = _date(after.due, after.provisional_year)
        values = {"reason": p["reason"], "days": p["days"], "old_due": _date(before.due, before.provisional_year),
                  "new_due": new_due}
        summary = f"经批准，答复期限延长{p['days']}个工作日，本机关将于{new_due}前作出答复。"
    elif kind == flow.THIRD_PARTY:
        app = services.consult_third_party(app, user=user, party=p.get("party", ""), on=on)
        values, summary = {"party": p["party"], "workdays": THIRD_PARTY_WORKDAYS}, ""
    elif kind == flow.ORGAN:
        app = services.consult_organ(app, user=user, organ=p.get("organ", ""), on=on)
        values, summary = {"organ": p["organ"], "workdays": OTHER_ORGAN_WORKDAYS}, ""
    elif kind == flow.FEE:
        if "quantity" not in p:
            raise ValidationError({"quantity": "请填写件数或页数。"})
        basis, quantity = p.get("basis", ""), p["quantity"]
        _, earlier = services.fee_quote(app, basis, quantity) if basis in Fee.Basis.values else (0, 0)
        fee = services.notify_fee(app, user=user, basis=basis, quantity=quantity, reason=p.get("reason", ""), on=on)
        current = _clock(fee.application)
        pay_by = _date(current.fee_due, current.provisional_year)
        if basis == Fee.Basis.PER_ITEM:
            quantity_text = f"{quantity}件（本月此前已申请{earlier}件）" if earlier else f"{quantity}件"
            tiers = fees.per_item_tiers(quantity, earlier)
        else:
            quantity_text, tiers = f"{quantity}页", fees.per_page_tiers(quantity)
        values = {"reason": p["reason"].rstrip("。"), "basis": fee.get_basis_display(), "quantity": quantity_text,
                  "tiers": tiers, "amount": fee.amount, "payment": p.get("payment") or DEFAULT_PAYMENT,
                  "pay_by": pay_by, "pay_workdays": FEE_PAYMENT_WORKDAYS}
        summary = f"应缴信息处理费{fee.amount}元，请于{pay_by}前缴纳；缴费期间答复期限暂停计算。"
    elif kind == flow.TRANSFER:
        to = Organisation.objects.filter(pk=p.get("to")).first()
        if to is None:
            raise ValidationError({"to": "请选择受转送的机关。"})
        app = services.transfer(app, user=user, to=to, on=on, note=p.get("note", ""))
        contact = p.get("contact", "")
        values = {"to": to.name, "contact": f"，该机关联系方式：{contact}" if contact else "",
                  "reasons": letters.sentence(p.get("note", ""))}
        summary = f"您的申请已转送{to.name}办理，由该机关作出答复。"
    else:
        raise ValidationError("没有这类告知书。")
    parts = letters.notice_parts(kind, app, values, number=number, date=on, remedy=flow.KINDS[kind].remedy)
    return parts, summary


class _DryRun(Exception):
    pass


def preview(app: Application, kind: str, payload: dict, *, user) -> dict:
    """The letter as it would go out if sent today, by taking the action in a
    transaction that is then rolled back. Raises the action's refusal (the
    rule, in the service's words) when it could not be sent today."""
    try:
        with transaction.atomic():
            fresh = Application.objects.select_related("organisation").get(pk=app.pk)
            parts, _ = _perform(kind, payload, fresh, user=user, on=timezone.localdate(), number=PREVIEW_NUMBER,
                                approved_by=services.APPROVAL_AT_SIGN_OFF)
            raise _DryRun(parts)
    except _DryRun as done:
        return done.args[0]


def preview_or_refusal(notice: Notice, user) -> tuple[dict | None, str]:
    """(parts, "") for a notice not yet sent, or (None, why it could not be sent today)."""
    try:
        return preview(notice.application, notice.kind, notice.payload, user=notice.drafted_by or user), ""
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return None, "；".join(messages)


# --- the moves ------------------------------------------------------------------------------

def _lock(notice: Notice) -> Notice:
    return (Notice.objects.select_for_update(**ROW_LOCK).select_related("application__organisation")
            .get(pk=notice.pk))


def _step(notice: Notice, action: str, before: str, user, comment: str = "") -> NoticeStep:
    return NoticeStep.objects.create(notice=notice, action=action, from_state=before, to_state=notice.state,
                                     version=notice.version, payload=notice.payload, comment=comment,
                                     actor=user if getattr(user, "is_authenticated", False) else None)


def _audit(notice: Notice, action: str, user, before: str, **detail) -> None:
    audit.record(f"application.notice_{action}", "application", notice.application_id, actor=audit.actor_name(user),
                 before={"notice": notice.pk, "state": before},
                 after={"notice": notice.pk, "state": notice.state, "version": notice.version},
                 detail={"notice": notice.pk, "kind": notice.kind, "version": notice.version, **detail})


def _move(notice: Notice, action: str, user, comment: str = "", **detail) -> Notice:
    try:
        move = flow.move(notice.state, action)
    except flow.Refused as exc:
        raise ValidationError(str(exc)) from None
    comment = (comment or "").strip()
    if move.needs_comment and not comment:
        raise ValidationError({"comment": "请写明退回的理由。"})
    if len(comment) > 1000:
        raise ValidationError({"comment": "意见不能超过1000字。"})
    before = notice.state
    notice.state = flow.target(before, action)
    notice.save()
    _step(notice, action, before, user, comment)
    _audit(notice, action, user, before, **detail)
    return notice


def _attach(notice: Notice, files) -> None:
    for upload in files or ():
        ApplicationFile.objects.create(application=notice.application, notice=notice,
                                       role=ApplicationFile.Role.PENDING, file=upload, name=upload.name[:200])


@transaction.atomic
def draft(app: Application, kind: str, payload: dict, *, user, submit: bool = True, files=()) -> Notice:
    """A new notice of `kind` (checked as if sent today), submitted for sign-off unless `submit` is False."""
    app = Application.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=app.pk)
    _require_handler(user, app)
    if kind not in flow.KINDS:
        raise ValidationError("没有这类告知书。")
    label = flow.KINDS[kind].label
    if app.notices.filter(kind=kind, state__in=flow.OPEN_STATES).exists():
        raise ValidationError(f"本申请已有未发出的{label}，请先办理或作废该{label}。")
    payload = clean_payload(kind, payload)
    parts = preview(app, kind, payload, user=user)
    notice = Notice.objects.create(application=app, kind=kind, payload=payload, drafted_by=user, title=parts["title"])
    _step(notice, "draft", "", user)
    _audit(notice, "draft", user, "")
    _attach(notice, files)
    if submit:
        _move(notice, flow.SUBMIT, user)
    return notice


@transaction.atomic
def edit(notice: Notice, payload: dict, *, user, submit: bool = True, files=()) -> Notice:
    """A new version of a draft or returned notice (the earlier ones stay in its history)."""
    notice = _lock(notice)
    _require_handler(user, notice.application)
    if (notice.state, flow.EDIT) not in flow.TRANSITIONS:
        raise ValidationError(f"“{notice.get_state_display()}”的告知书不能修改，请先撤回或由签发人退回。")
    payload = clean_payload(notice.kind, payload)
    parts = preview(notice.application, notice.kind, payload, user=user)
    notice.payload, notice.version, notice.title = payload, notice.version + 1, parts["title"]
    _move(notice, flow.EDIT, user)
    _attach(notice, files)
    if submit:
        _move(notice, flow.SUBMIT, user)
    return notice


@transaction.atomic
def submit(notice: Notice, *, user) -> Notice:
    notice = _lock(notice)
    _require_handler(user, notice.application)
    preview(notice.application, notice.kind, notice.payload, user=user)
    return _move(notice, flow.SUBMIT, user)


@transaction.atomic
def recall(notice: Notice, *, user) -> Notice:
    """The drafter takes a notice back from sign-off to change it."""
    notice = _lock(notice)
    _require_handler(user, notice.application)
    return _move(notice, flow.RECALL, user)


@transaction.atomic
def sign(notice: Notice, *, user) -> Notice:
    """签发: the office head (or a named signer) approves the notice as it
    stands; it is checked once more against the rules as of today."""
    notice = _lock(notice)
    if (notice.state, flow.SIGN) not in flow.TRANSITIONS:
        raise ValidationError(f"“{notice.get_state_display()}”的告知书不能签发。")
    refusal = sign_refusal(user, notice)
    if refusal:
        raise (ValidationError(refusal) if refusal == SEPARATION_RULE else PermissionDenied(refusal))
    preview(notice.application, notice.kind, notice.payload, user=notice.drafted_by or user)
    notice.signed_by, notice.signed_at = user, timezone.now()
    return _move(notice, flow.SIGN, user)


@transaction.atomic
def return_(notice: Notice, *, user, reason: str) -> Notice:
    """The signer sends the notice back to its drafter with the reason (退回)."""
    notice = _lock(notice)
    if not may_sign(user, notice.application, notice.kind):
        raise PermissionDenied(SIGNER_RULE)
    if notice.state == flow.SIGNED:
        notice.signed_by, notice.signed_at = None, None
    return _move(notice, flow.RETURN, user, comment=reason)


@transaction.atomic
def discard(notice: Notice, *, user, reason: str = "") -> Notice:
    notice = _lock(notice)
    _require_handler(user, notice.application)
    notice = _move(notice, flow.DISCARD, user, comment=reason)
    for item in notice.files.filter(role=ApplicationFile.Role.PENDING):
        item.file.delete(save=False)
        item.delete()
    return notice


def channels(notice: Notice) -> list[tuple[str, str]]:
    """The channels a notice may go by (to the applicant: e-mail only to an address they gave)."""
    allowed = APPLICANT_CHANNELS if notice.to_applicant else OTHER_CHANNELS
    app = notice.application
    return [(c.value, c.label) for c in allowed if not (c == C.EMAIL and not app.email)]


def default_channel(notice: Notice) -> str:
    if not notice.to_applicant:
        return C.POST
    chosen = DELIVERY_CHANNEL.get(notice.application.delivery, C.POST)
    return chosen if chosen in dict(channels(notice)) else C.ONLINE


def number_for(app: Application, kind: str, year: int, serial: int) -> str:
    """西昌市依申补〔2026〕第3号: the organisation, the series' code, the year and the serial."""
    prefix = app.organisation.short_name or app.organisation.name
    return f"{prefix}依申{flow.KINDS[kind].code}〔{year}〕第{serial}号"


@transaction.atomic
def send(notice: Notice, *, user, channel: str = "", on: dt.date | None = None, delivery_note: str = "") -> Notice:
    """Send a signed notice: its action taken on `on` (today by default; the
    posting date by post, the day handed over in person), its number taken,
    its letter fixed, the applicant told. All or nothing."""
    notice = _lock(notice)
    app = notice.application
    _require_handler(user, app)
    if (notice.state, flow.SEND) not in flow.TRANSITIONS:
        raise ValidationError(f"“{notice.get_state_display()}”的告知书不能发出：告知书须经签发后才能发出。")
    today = timezone.localdate()
    on = on or today
    channel = channel or default_channel(notice)
    if channel not in dict(channels(notice)):
        raise ValidationError({"channel": "申请人未提供电子邮箱，不能以电子邮件发送。" if channel == C.EMAIL
                               else "请选择送达方式。"})
    if on > today:
        raise ValidationError({"on": "发出日期不能晚于今天。"})
    signed_on = timezone.localdate(notice.signed_at) if notice.signed_at else today
    if on < signed_on:
        raise ValidationError({"on": f"发出日期不能早于签发日期（{signed_on:%Y年%m月%d日}）。"})
    if channel in (C.ONLINE, C.EMAIL) and on != today:
        raise ValidationError({"on": "网上或电子邮件送达的，以发出当日为发出日期。"})
    if channel == C.POST and notice.to_applicant and not app.address:
        raise ValidationError({"channel": "申请人未提供通信地址，不能邮寄；请选择其他送达方式。"})
    delivery_note = (delivery_note or "").strip()
    if len(delivery_note) > 200:
        raise ValidationError({"delivery_note": "送达记录不能超过200字。"})
    serial = next_number(NoticeCounter, organisation_id=app.organisation_id, kind=notice.kind, year=on.year)
    number = number_for(app, notice.kind, on.year, serial)
    parts, summary = _perform(notice.kind, notice.payload, app, user=user, on=on, number=number,
                              approved_by=notice.signed_by, drafted_by=notice.drafted_by)
    notice.number, notice.year, notice.serial = number, on.year, serial
    notice.parts, notice.body, notice.title = parts, letters.parts_text(parts), parts["title"]
    notice.sent_on, notice.channel, notice.delivery_note, notice.sent_by = on, channel, delivery_note, user
    _move(notice, flow.SEND, user, number=number, sent_on=on.isoformat(), channel=channel)
    if notice.kind == flow.REPLY:
        notice.files.filter(role=ApplicationFile.Role.PENDING).update(role=ApplicationFile.Role.DISCLOSED)
    if notice.to_applicant:
        notify.notice_sent(notice, summary)
    return notice


@transaction.atomic
def record_delivery(notice: Notice, *, user, on: dt.date, note: str = "") -> Notice:
    """The signed receipt (送达回证) of a notice handed over in person, or the
    post's proof of delivery: the date, and who signed or the item's number."""
    notice = _lock(notice)
    _require_handler(user, notice.application)
    if on is None or on > timezone.localdate():
        raise ValidationError({"on": "送达日期不能晚于今天。"})
    if notice.sent_on and on < notice.sent_on:
        raise ValidationError({"on": "送达日期不能早于发出日期。"})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": "送达记录不能超过200字。"})
    notice.delivered_on = on
    if note:
        notice.delivery_note = note
    return _move(notice, flow.RECORD_DELIVERY, user, delivered_on=on.isoformat())


# --- the sign-off policy ------------------------------------------------------------------------

POLICY_DENIED = "只有本机构或上级机构的政务公开办管理员（或系统管理员）可以设置告知书签发规则。"


def set_policy(organisation: Organisation, *, user, drafter_may_sign: bool, signers=(), reason: str = "") -> SignOffPolicy:
    """Name the organisation's signers besides its office head, and whether a
    drafter may sign their own notice (relaxing that needs a reason). Audited."""
    if not permissions.can(user, permissions.MANAGE_MEMBERS, organisation):
        raise PermissionDenied(POLICY_DENIED)
    reason = (reason or "").strip()
    if drafter_may_sign and not reason:
        raise ValidationError({"reason": "允许起草人签发本人的告知书须填写理由。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "理由不能超过300字。"})
    signers = list(signers)
    for person in signers:
        if not (permissions.can(person, permissions.APPLICATIONS, organisation)
                and permissions.can(person, permissions.APPLICANT_DATA, organisation)):
            raise ValidationError({"signers": f"{person.get_username()}不是本机构办理依申请公开的人员，不能指定为签发人。"})
    with transaction.atomic():
        policy = SignOffPolicy.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
        before = _policy_state(policy)
        policy = policy or SignOffPolicy(organisation=organisation)
        policy.drafter_may_sign, policy.reason = bool(drafter_may_sign), reason
        policy.changed_by = user if getattr(user, "is_authenticated", False) else None
        policy.save()
        policy.signers.set(signers)
        audit.record("signoff_policy.set", "organisation", organisation.pk, actor=audit.actor_name(user),
                     before=before, after=_policy_state(policy),
                     detail={"organisation": organisation.name, "drafter_may_sign": policy.drafter_may_sign,
                             "signers": sorted(p.get_username() for p in signers), "reason": reason})
    return policy


def _policy_state(policy: SignOffPolicy | None) -> dict | None:
    if policy is None:
        return None
    return {"drafter_may_sign": policy.drafter_may_sign, "reason": policy.reason,
            "signers": sorted(policy.signers.values_list("pk", flat=True))}


# --- reads ----------------------------------------------------------------------------------------

def to_sign(user, applications) -> list[Notice]:
    """The notices awaiting `user`'s signature among `applications` (a queryset in their scope)."""
    pending = (Notice.objects.filter(state=flow.PENDING, application__in=applications)
               .select_related("application__organisation", "drafted_by").order_by("created_at", "id"))
    return [n for n in pending if not sign_refusal(user, n)]


def sent_to_applicant(app: Application) -> list[Notice]:
    """What the applicant was sent, oldest first (the status page lists it)."""
    kinds = [key for key, kind in flow.KINDS.items() if kind.to_applicant]
    return list(app.notices.filter(state=flow.SENT, kind__in=kinds).order_by("sent_on", "id"))
