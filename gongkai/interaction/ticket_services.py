"""Mailbox and hotline tickets (工单): the use cases. Each one locks the
ticket's row, checks the move against the table of allowed moves (MOVES) and
the user's permission, appends its event and an audit entry in the same
transaction, and refuses with a Chinese message that says the rule.

Who may do what (gongkai.core.permissions has no ticket actions of its own;
the tickets reuse the actions of the disclosure applications, whose roles do
the same work):
- HANDLE (依申请公开承办人 and 政务公开办管理员, an administrator's role
  reaching the organisations below): see and handle the tickets of an
  organisation: as the receiving office (受理机构: register, dispatch,
  answer at once, tell the writer the right channel, record a 回访 rating)
  or as the lead organisation (承办单位: dispute the dispatch once, ask for an
  extension, reply, propose publication) or as a co-handler (协办单位: add
  its opinion).
- DECIDE (the office head, 政务公开办管理员 of the receiving office): decide
  a dispatch dispute, approve an extension, approve or refuse publication,
  approve knowledge-base entries.
- WRITER_DATA (the organisation's own staff, never carried down the tree):
  the writer's name and contact, for the receiving office and the lead
  organisation; for a 举报 or a ticket whose writer asked for
  confidentiality (保密), for the receiving office only.
- The time limits (presets) serve the whole installation: edited by those
  who manage it (permissions.manages_installation).

The writer's personal data never goes into an audit entry (only the fields in
AUDITED are hashed) nor onto a public page.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK, next_number
from gongkai.core.models import Organisation
from gongkai.core.tracking import CODE_LENGTH, new_tracking_code, normalise_code, tracking_hash
from gongkai.publishing import privacy

from . import ticket_deadlines as deadlines
from .models import (
    DeadlinePreset, DeadlineRule, KnowledgeEntry, Ticket, TicketCounter, TicketEvent, TicketReply, TicketType,
)
from .models.tickets import MAX_LIMIT_WORKDAYS

K = TicketEvent.Kind
S = Ticket.State
P = Ticket.Publication

HANDLE = permissions.APPLICATIONS
DECIDE = permissions.APPROVE_EXTENSION
WRITER_DATA = permissions.APPLICANT_DATA

# The only fields a ticket's audit entries hash: never the writer's personal data.
AUDITED = ("state", "office_id", "organisation_id", "ticket_type", "round", "limit_workdays", "due_on",
           "answered_on", "closed_on", "satisfaction", "publication", "published_on", "year", "serial")

SUBJECT_MAX, TEXT_MIN, TEXT_MAX = 100, 10, 3000
REPLY_MIN, REPLY_MAX = 10, 5000
REASON_MIN, REASON_MAX = 4, 500
FOLLOW_UP_MAX_CHARS, FOLLOW_UPS_MAX = 1000, 5
COMMENT_MAX = 500

# Allowed moves: use case -> the states it may start from.
MOVES: dict[str, frozenset[str]] = {
    "dispatch": frozenset({S.RECEIVED, S.HANDLING}),   # from 办理中: a transfer (改派), the clock kept
    "dispute": frozenset({S.HANDLING}),
    "decide_dispute": frozenset({S.DISPUTED}),
    "cooperate": frozenset({S.HANDLING, S.DISPUTED}),
    "reclassify": frozenset({S.RECEIVED, S.HANDLING, S.DISPUTED}),
    "request_extension": frozenset({S.HANDLING}),
    "decide_extension": frozenset({S.HANDLING, S.DISPUTED}),
    "reply": frozenset({S.RECEIVED, S.HANDLING}),       # from 待派单: the office answers at once (即时答复)
    "follow_up": frozenset({S.RECEIVED, S.HANDLING, S.DISPUTED, S.ANSWERED}),
    "rate": frozenset({S.ANSWERED}),
    "divert": frozenset({S.RECEIVED}),
    "prepare_publication": frozenset({S.ANSWERED, S.CLOSED}),
    "approve_publication": frozenset({S.ANSWERED, S.CLOSED}),
}
MOVE_LABELS = {
    "dispatch": "派单", "dispute": "提出派单异议", "decide_dispute": "审核派单异议", "cooperate": "提交协办意见",
    "reclassify": "更改诉求类型", "request_extension": "申请延期", "decide_extension": "审批延期", "reply": "答复",
    "follow_up": "补充说明", "rate": "评价", "divert": "告知其他渠道", "prepare_publication": "提请公开",
    "approve_publication": "审核公开",
}

# Matters that are not tickets: the writer is told the lawful channel
# (北京市接诉即办工作条例 Art. 11; 政府信息公开条例 Art. 39). code -> (label, what the writer reads)
DIVERT_CHANNELS = {
    "disclosure": ("政府信息公开申请", "您的诉求属于申请获取政府信息，不作为工单办理。请通过本网站“依申请公开”栏目提出政府信息公开申请（《中华人民共和国政府信息公开条例》第二十七条）。"),
    "petition": ("信访事项", "您反映的事项属于信访事项，请通过信访渠道提出（《信访工作条例》）。"),
    "litigation": ("诉讼事项", "您反映的事项属于诉讼事项，请依法向人民法院提起诉讼。"),
    "arbitration": ("仲裁事项", "您反映的事项属于仲裁事项，请依法向仲裁机构申请仲裁。"),
    "reconsideration": ("行政复议事项", "您反映的事项属于行政复议事项，请依法向行政复议机关申请行政复议。"),
    "discipline": ("纪检监察事项", "您反映的事项属于纪检监察事项，请向纪检监察机关反映。"),
    "emergency": ("紧急事项", "紧急情况请立即拨打110（治安）、119（火警）、120（急救）或122（交通事故）。"),
    "repeat": ("重复诉求", "您的同一诉求已在办理中，没有新的情况和理由，请凭原查询码查看办理进展。"),
}

_SCRIPT = re.compile(r"<\s*/?\s*(?:script|iframe|object|embed|style|svg)\b|javascript\s*:|<[^>]*\bon[a-z]+\s*=",
                     re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"[0-9+\-() （）\s]{6,30}")


# --- small helpers ---------------------------------------------------------------


def _state(ticket: Ticket) -> dict:
    return {name: getattr(ticket, name) for name in AUDITED}


def _actor(user) -> str:
    return audit.actor_name(user)


def _today() -> dt.date:
    return timezone.localdate()


def _lock(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_for_update(**ROW_LOCK).select_related("office", "organisation", "preset")
            .get(pk=ticket.pk))


def _require(ticket: Ticket, move: str) -> None:
    if ticket.state not in MOVES[move]:
        raise ValidationError(f"该工单{ticket.get_state_display()}，不能{MOVE_LABELS[move]}。")


def _deny(message: str):
    raise PermissionDenied(message)


def clean_text(value, label: str, *, minimum: int = 0, maximum: int, field: str | None = None) -> str:
    """Text typed by a person: trimmed, control characters dropped; refused
    (with the field's name) when empty, too short, too long or carrying a
    script. Pages escape it anyway; a script in a letter is refused so that
    nothing of it is ever stored or published."""
    text = _CONTROL.sub("", str(value or "")).strip()
    key = field or "text"
    if minimum and not text:
        raise ValidationError({key: f"请填写{label}。"})
    if minimum and len(text) < minimum:
        raise ValidationError({key: f"{label}过短，请至少写{minimum}个字。"})
    if len(text) > maximum:
        raise ValidationError({key: f"{label}不能超过{maximum}字（现有{len(text)}字）。"})
    if _SCRIPT.search(text):
        raise ValidationError({key: f"{label}中不能包含网页脚本或代码（如 <script>），请删除后再提交。"})
    return text


def _event(ticket: Ticket, kind: str, on: dt.date, user, *, organisation: Organisation | None = None, note: str = "",
           public_note: str = "", **detail) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, on=on, round=ticket.round, actor=_actor(user),
                                      organisation=organisation, note=note, public_note=public_note[:300],
                                      detail=detail)


def clock(ticket: Ticket) -> deadlines.Clock:
    return deadlines.compute(deadlines.steps_of(ticket.events.all()), ticket.limit_workdays)


def _record(action: str, ticket: Ticket, user, before: dict | None, **detail) -> None:
    """The stored due date (a copy of the derived one, for lists), then the audit entry."""
    current = clock(ticket)
    if ticket.due_on != current.due:
        ticket.due_on = current.due
        Ticket.objects.filter(pk=ticket.pk).update(due_on=current.due)
    audit.record(f"ticket.{action}", "ticket", ticket.pk, actor=_actor(user), before=before, after=_state(ticket),
                 detail=detail)


def _check_date(ticket: Ticket, on: dt.date, *, not_before: dt.date | None = None) -> None:
    if on > _today():
        raise ValidationError({"on": "日期不能晚于今天。"})
    floor = max(d for d in (ticket.received_on, not_before) if d)
    if on < floor:
        raise ValidationError({"on": f"日期不能早于{floor:%Y年%m月%d日}。"})


def _round_events(ticket: Ticket, kind: str):
    return ticket.events.filter(kind=kind, round=ticket.round)


# --- who may do what ------------------------------------------------------------


def _can(user, action: str, org_id: int | None) -> bool:
    return org_id is not None and permissions.can(user, action, org_id)


def can_dispatch(user, ticket: Ticket) -> bool:
    """The receiving office's staff: register, dispatch, answer at once, divert, record a 回访."""
    return _can(user, HANDLE, ticket.office_id)


def can_handle(user, ticket: Ticket) -> bool:
    """The lead organisation's staff (and the administrators above it)."""
    return _can(user, HANDLE, ticket.organisation_id)


def can_decide(user, ticket: Ticket) -> bool:
    """The receiving office's head: disputes, extensions, publication."""
    return _can(user, DECIDE, ticket.office_id)


def cooperating_organisation(user, ticket: Ticket) -> Organisation | None:
    """The co-handler organisation in which `user` acts on this ticket, if any."""
    for org in ticket.co_handlers.all():
        if permissions.can(user, HANDLE, org.pk):
            return org
    return None


def can_view(user, ticket: Ticket) -> bool:
    return can_dispatch(user, ticket) or can_handle(user, ticket) or cooperating_organisation(user, ticket) is not None


def sees_writer(user, ticket: Ticket) -> bool:
    """The writer's name and contact: the receiving office's own staff, and
    the lead organisation's own staff unless the ticket is a 举报 or
    confidential (then the receiving office only)."""
    if _can(user, WRITER_DATA, ticket.office_id):
        return True
    if ticket.never_published:
        return False
    return _can(user, WRITER_DATA, ticket.organisation_id)


def visible_filter(user) -> Q:
    """Tickets `user` may see: received, led or co-handled by an organisation in their HANDLE scope."""
    scope = permissions.organisations_for(user, HANDLE)
    if scope is None:
        return Q()
    co = Ticket.co_handlers.through.objects.filter(organisation_id__in=scope).values("ticket_id")
    return Q(office_id__in=scope) | Q(organisation_id__in=scope) | Q(pk__in=co)


# --- time limits ------------------------------------------------------------------


def default_preset() -> DeadlinePreset | None:
    """The preset new tickets take."""
    return DeadlinePreset.objects.filter(is_default=True).first()


def find_preset(name: str) -> DeadlinePreset | None:
    return DeadlinePreset.objects.filter(name=(name or "").strip()).first()


def limit_for(preset: DeadlinePreset, ticket_type: str) -> int:
    """The time limit of `ticket_type` under `preset`, in working days."""
    rule = DeadlineRule.objects.filter(preset=preset, ticket_type=ticket_type).first()
    if rule is None:
        label = dict(TicketType.choices).get(ticket_type, ticket_type)
        raise ValidationError(f"办理时限方案“{preset.title}”没有设置“{label}”的办理时限，请政务公开办先设置。")
    return rule.workdays


def parse_type(text: str) -> str | None:
    """A ticket type from its code (complaint) or its Chinese name (投诉)."""
    text = (text or "").strip()
    for code, label in TicketType.choices:
        if text in (code, label):
            return code
    return None


def _check_installation(user) -> None:
    if not permissions.manages_installation(user):
        _deny("办理时限方案适用于全部机构，只有顶层机构的政务公开办管理员和系统管理员可以修改。")


@transaction.atomic
def set_rule(preset: DeadlinePreset, ticket_type: str, workdays: int, *, user) -> DeadlineRule:
    """Change one time limit. Tickets already received keep theirs."""
    _check_installation(user)
    if ticket_type not in TicketType.values:
        raise ValidationError({"ticket_type": "请选择诉求类型。"})
    if isinstance(workdays, bool) or not isinstance(workdays, int) or not 1 <= workdays <= MAX_LIMIT_WORKDAYS:
        raise ValidationError({"workdays": f"办理时限应为1至{MAX_LIMIT_WORKDAYS}个工作日。"})
    rule = DeadlineRule.objects.select_for_update(**ROW_LOCK).filter(preset=preset, ticket_type=ticket_type).first()
    before = audit.state_of(rule) if rule else None
    if rule is None:
        rule = DeadlineRule(preset=preset, ticket_type=ticket_type)
    rule.workdays = workdays
    rule.save()
    audit.record("ticket.deadline_rule", "ticket.deadline_rule", rule.pk, actor=_actor(user), before=before,
                 after=audit.state_of(rule), detail={"preset": preset.name, "ticket_type": ticket_type,
                                                     "workdays": workdays})
    return rule


PRESET_NAME = re.compile(r"[a-z][a-z0-9-]{1,29}")


@transaction.atomic
def create_preset(*, user, name: str, title: str, basis: str = "",
                  copy_from: DeadlinePreset | None = None) -> DeadlinePreset:
    """A new preset (another region's rule), its limits copied from `copy_from`
    (default: the default preset) to be edited; never the default at once."""
    _check_installation(user)
    name = (name or "").strip()
    if not PRESET_NAME.fullmatch(name):
        raise ValidationError({"name": "代码应为2至30个小写英文字母、数字或短横线，以字母开头，如 beijing。"})
    if DeadlinePreset.objects.filter(name=name).exists():
        raise ValidationError({"name": f"已有代码为“{name}”的方案。"})
    title = clean_text(title, "名称", minimum=2, maximum=100, field="title")
    basis = clean_text(basis, "依据", maximum=REASON_MAX, field="basis")
    source = copy_from or default_preset()
    preset = DeadlinePreset.objects.create(name=name, title=title, basis=basis)
    if source is not None:
        DeadlineRule.objects.bulk_create([
            DeadlineRule(preset=preset, ticket_type=rule.ticket_type, workdays=rule.workdays)
            for rule in source.rules.all()])
    audit.record("ticket.deadline_preset_create", "ticket.deadline_preset", preset.pk, actor=_actor(user),
                 after=audit.state_of(preset),
                 detail={"copied_from": source.name if source else None,
                         "rules": dict(preset.rules.values_list("ticket_type", "workdays"))})
    return preset


@transaction.atomic
def make_default(preset: DeadlinePreset, *, user) -> DeadlinePreset:
    """New tickets take this preset's limits from now on."""
    _check_installation(user)
    if not preset.rules.exists():
        raise ValidationError("该方案尚未设置办理时限。")
    missing = set(TicketType.values) - set(preset.rules.values_list("ticket_type", flat=True))
    if missing:
        labels = "、".join(TicketType(t).label for t in TicketType.values if t in missing)
        raise ValidationError(f"该方案缺少{labels}的办理时限，不能作为新工单的方案。")
    previous = DeadlinePreset.objects.select_for_update(**ROW_LOCK).filter(is_default=True).exclude(pk=preset.pk).first()
    if previous is not None:
        previous.is_default = False
        previous.save(update_fields=["is_default"])
    preset.is_default = True
    preset.save(update_fields=["is_default"])
    audit.record("ticket.deadline_preset_default", "ticket.deadline_preset", preset.pk, actor=_actor(user),
                 after=audit.state_of(preset), detail={"previous": previous.name if previous else None})
    return preset


# --- intake ----------------------------------------------------------------------

WRITER_FIELDS = ("writer_name", "writer_phone", "writer_email", "writer_address")


def validate_ticket(data: dict) -> dict:
    """What a ticket needs: its type, a subject and the matter, who writes
    and how to reach them (for the reply and the 回访). Chinese messages by field."""
    errors: dict[str, str] = {}
    clean: dict = {}

    def take(name, label, **kw):
        try:
            clean[name] = clean_text(data.get(name), label, field=name, **kw)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            clean[name] = ""

    ticket_type = str(data.get("ticket_type") or "")
    if ticket_type not in TicketType.values:
        errors["ticket_type"] = "请选择诉求类型（咨询、求助、投诉、举报或建议）。"
    clean["ticket_type"] = ticket_type
    take("subject", "标题", minimum=2, maximum=SUBJECT_MAX)
    take("text", "诉求内容", minimum=TEXT_MIN, maximum=TEXT_MAX)
    take("writer_name", "姓名", minimum=1, maximum=50)
    take("writer_phone", "联系电话", maximum=30)
    take("writer_email", "电子邮箱", maximum=254)
    take("writer_address", "通信地址", maximum=200)
    if not errors.get("writer_phone") and clean["writer_phone"] and not _PHONE.fullmatch(clean["writer_phone"]):
        errors["writer_phone"] = "联系电话只能包含数字、空格、括号、加号和短横线，如 13812345678 或 0834-3201234。"
    if not errors.get("writer_email") and clean["writer_email"]:
        try:
            validate_email(clean["writer_email"])
        except ValidationError:
            errors["writer_email"] = "请填写有效的电子邮箱地址，例如 name@example.com。"
    if not any(clean[name] for name in ("writer_phone", "writer_email", "writer_address")) \
            and not any(errors.get(name) for name in ("writer_phone", "writer_email", "writer_address")):
        errors["writer_phone"] = "请至少填写联系电话、电子邮箱或通信地址中的一项，以便告知办理情况和回访。"
    area = data.get("area")
    if area is not None and not isinstance(area, Organisation):
        errors["area"] = "请从列表中选择事发地。"
    clean["area"] = area
    clean["consent_publish"] = bool(data.get("consent_publish"))
    clean["confidential"] = bool(data.get("confidential"))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def _create(office: Organisation, data: dict, *, channel: str, received_on: dt.date, submitted_at: dt.datetime,
            user) -> tuple[Ticket, str]:
    clean = validate_ticket(data)
    preset = default_preset()
    if preset is None:
        raise ValidationError("尚未设置工单办理时限方案，暂不能受理。请联系政务公开办。")
    limit = limit_for(preset, clean["ticket_type"])
    code = new_tracking_code()
    year = received_on.year
    ticket = Ticket.objects.create(
        office=office, year=year, serial=next_number(TicketCounter, office_id=office.pk, year=year),
        tracking_hash=tracking_hash(code), channel=channel, submitted_at=submitted_at, received_on=received_on,
        state=S.RECEIVED, preset=preset, limit_workdays=limit, **clean)
    _event(ticket, K.RECEIVED, received_on, user, organisation=office,
           public_note=f"{office.name}已受理（{ticket.get_ticket_type_display()}，办理时限{limit}个工作日）",
           preset=preset.name, workdays=limit)
    _record("create", ticket, user, None, channel=channel, preset=preset.name)
    return ticket, code


def submit_online(office: Organisation, data: dict, *, now: dt.datetime | None = None) -> tuple[Ticket, str]:
    """A ticket from the public site, received on the day it is sent (the
    tracking code is the receipt). Returns it and its code (shown once)."""
    now = now or timezone.now()
    return _create(office, data, channel=Ticket.Channel.ONLINE, received_on=timezone.localdate(now),
                   submitted_at=now, user=None)


def register(office: Organisation, data: dict, *, channel: str, user, received_on: dt.date | None = None,
             submitted_at: dt.datetime | None = None) -> tuple[Ticket, str]:
    """Staff register a phone call, a letter or a visit (they type in the writer's data)."""
    if not (_can(user, HANDLE, office.pk) and _can(user, WRITER_DATA, office.pk)):
        _deny("只有受理机构本机构的承办人员和政务公开办管理员可以登记工单。")
    if channel not in Ticket.Channel.values or channel == Ticket.Channel.ONLINE:
        raise ValidationError({"channel": "请选择电话、信件或来访。"})
    received_on = received_on or _today()
    if received_on > _today():
        raise ValidationError({"received_on": "受理日期不能晚于今天。"})
    if received_on < _today() - dt.timedelta(days=366):
        raise ValidationError({"received_on": "受理日期不能早于一年前。"})
    return _create(office, data, channel=channel, received_on=received_on,
                   submitted_at=submitted_at or timezone.now(), user=user)


def find_by_code(code: str) -> Ticket | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return Ticket.objects.filter(tracking_hash=tracking_hash(code)).select_related("office", "organisation").first()


# --- dispatch ---------------------------------------------------------------------


def _in_office_tree(ticket: Ticket, orgs, field: str) -> None:
    tree = ticket.office.descendant_ids()
    outside = [o.name for o in orgs if o.pk not in tree]
    if outside:
        raise ValidationError({field: f"“{'、'.join(outside)}”不是{ticket.office.name}或其下级机构，不能派单。"})


@transaction.atomic
def dispatch(ticket: Ticket, *, to: Organisation, user, co_handlers=(), note: str = "") -> Ticket:
    """派单 (or 改派 of a ticket in hand): to one lead organisation, with
    co-handlers, in the receiving office's tree. The clock keeps running."""
    ticket = _lock(ticket)
    if not can_dispatch(user, ticket):
        _deny("只有受理机构的承办人员和政务公开办管理员可以派单。")
    _require(ticket, "dispatch")
    co_handlers = [o for o in co_handlers if o.pk != to.pk]
    _in_office_tree(ticket, [to], "to")
    _in_office_tree(ticket, co_handlers, "co_handlers")
    note = clean_text(note, "派单说明", maximum=REASON_MAX, field="note")
    current = set(ticket.co_handlers.values_list("pk", flat=True))
    if ticket.state == S.HANDLING and to.pk == ticket.organisation_id and current == {o.pk for o in co_handlers}:
        raise ValidationError({"to": f"该工单已由{to.name}承办。"})
    before = _state(ticket)
    transfer = ticket.state == S.HANDLING
    ticket.organisation, ticket.state = to, S.HANDLING
    ticket.save(update_fields=["organisation", "state", "updated_at"])
    ticket.co_handlers.set(co_handlers)
    helpers = "、".join(o.name for o in co_handlers)
    _event(ticket, K.DISPATCHED, _today(), user, organisation=to, note=note,
           public_note=f"已转交{to.name}办理" + (f"，{helpers}协办" if helpers else ""),
           co_handlers=[o.pk for o in co_handlers], transfer=transfer)
    _record("dispatch", ticket, user, before, to=to.pk, co_handlers=sorted(o.pk for o in co_handlers))
    return ticket


@transaction.atomic
def dispute(ticket: Ticket, *, user, reason: str) -> Ticket:
    """派单异议 (退单): the lead organisation says the matter is not its own,
    once per organisation and ticket, with a reason; the office decides."""
    ticket = _lock(ticket)
    if not can_handle(user, ticket):
        _deny("只有承办单位的承办人员可以对派单提出异议。")
    _require(ticket, "dispute")
    reason = clean_text(reason, "异议理由", minimum=REASON_MIN, maximum=REASON_MAX, field="reason")
    if ticket.events.filter(kind=K.DISPUTED, organisation=ticket.organisation).exists():
        raise ValidationError("本单位已对该工单提出过一次派单异议，不能再次提出。")
    before = _state(ticket)
    ticket.state = S.DISPUTED
    ticket.save(update_fields=["state", "updated_at"])
    _event(ticket, K.DISPUTED, _today(), user, organisation=ticket.organisation, note=reason)
    _record("dispute", ticket, user, before)
    return ticket


@transaction.atomic
def decide_dispute(ticket: Ticket, *, user, upheld: bool, reason: str, to: Organisation | None = None,
                   co_handlers=()) -> Ticket:
    """The office decides: not upheld, the lead keeps the ticket; upheld, it is
    re-dispatched to `to` at once, or waits for dispatch. The clock keeps running."""
    ticket = _lock(ticket)
    if not can_decide(user, ticket):
        _deny("派单异议由受理机构的政务公开办负责人（管理员）审核。")
    _require(ticket, "decide_dispute")
    reason = clean_text(reason, "审核意见", minimum=REASON_MIN, maximum=REASON_MAX, field="reason")
    disputing = ticket.organisation
    before = _state(ticket)
    if not upheld:
        if to is not None:
            raise ValidationError({"to": "异议不成立时由原承办单位继续办理，不需要选择新的承办单位。"})
        ticket.state = S.HANDLING
        ticket.save(update_fields=["state", "updated_at"])
        _event(ticket, K.DISPUTE_REJECTED, _today(), user, organisation=disputing, note=reason)
        _record("dispute_rejected", ticket, user, before)
        return ticket
    if to is not None:
        if to.pk == ticket.organisation_id:
            raise ValidationError({"to": "异议成立的，应派给其他单位。"})
        co_handlers = [o for o in co_handlers if o.pk != to.pk]
        _in_office_tree(ticket, [to], "to")
        _in_office_tree(ticket, co_handlers, "co_handlers")
    _event(ticket, K.DISPUTE_UPHELD, _today(), user, organisation=disputing, note=reason)
    if to is None:
        ticket.organisation, ticket.state = None, S.RECEIVED
        ticket.save(update_fields=["organisation", "state", "updated_at"])
        ticket.co_handlers.clear()
    else:
        ticket.organisation, ticket.state = to, S.HANDLING
        ticket.save(update_fields=["organisation", "state", "updated_at"])
        ticket.co_handlers.set(co_handlers)
        helpers = "、".join(o.name for o in co_handlers)
        _event(ticket, K.DISPATCHED, _today(), user, organisation=to,
               public_note=f"已转交{to.name}办理" + (f"，{helpers}协办" if helpers else ""),
               co_handlers=[o.pk for o in co_handlers], transfer=True)
    _record("dispute_upheld", ticket, user, before, to=to.pk if to else None)
    return ticket


@transaction.atomic
def cooperate(ticket: Ticket, *, user, text: str) -> TicketEvent:
    """A co-handler's opinion for the lead organisation's reply (协办意见)."""
    ticket = _lock(ticket)
    org = cooperating_organisation(user, ticket)
    if org is None:
        _deny("只有协办单位的承办人员可以提交协办意见。")
    _require(ticket, "cooperate")
    text = clean_text(text, "协办意见", minimum=REASON_MIN, maximum=REPLY_MAX, field="text")
    event = _event(ticket, K.COOPERATED, _today(), user, organisation=org, note=text)
    _record("cooperate", ticket, user, _state(ticket), organisation=org.pk)
    return event


@transaction.atomic
def reclassify(ticket: Ticket, *, user, ticket_type: str) -> Ticket:
    """The office corrects the writer's choice of type: the ticket takes that
    type's time limit under its own preset, counted from receipt."""
    ticket = _lock(ticket)
    if not can_dispatch(user, ticket):
        _deny("只有受理机构的承办人员和政务公开办管理员可以更改诉求类型。")
    _require(ticket, "reclassify")
    if ticket_type not in TicketType.values:
        raise ValidationError({"ticket_type": "请选择诉求类型。"})
    if ticket_type == ticket.ticket_type:
        raise ValidationError({"ticket_type": "诉求类型没有变化。"})
    limit = limit_for(ticket.preset, ticket_type)
    before = _state(ticket)
    old = ticket.get_ticket_type_display()
    ticket.ticket_type, ticket.limit_workdays = ticket_type, limit
    ticket.save(update_fields=["ticket_type", "limit_workdays", "updated_at"])
    _event(ticket, K.RECLASSIFIED, _today(), user,
           public_note=f"诉求类型由“{old}”更正为“{ticket.get_ticket_type_display()}”，办理时限为{limit}个工作日",
           ticket_type=ticket_type, workdays=limit)
    _record("reclassify", ticket, user, before, ticket_type=ticket_type)
    return ticket


@transaction.atomic
def divert(ticket: Ticket, *, user, channel: str, note: str = "") -> Ticket:
    """Not a ticket (an information request, 信访, 诉讼, 行政复议, ...): the writer is told the lawful channel."""
    ticket = _lock(ticket)
    if not can_dispatch(user, ticket):
        _deny("只有受理机构的承办人员和政务公开办管理员可以告知其他渠道。")
    _require(ticket, "divert")
    if channel not in DIVERT_CHANNELS:
        raise ValidationError({"channel": "请选择应当告知的渠道。"})
    note = clean_text(note, "说明", maximum=REASON_MAX, field="note")
    before = _state(ticket)
    ticket.state, ticket.closed_on = S.DIVERTED, _today()
    ticket.save(update_fields=["state", "closed_on", "updated_at"])
    _event(ticket, K.DIVERTED, ticket.closed_on, user, note=note, public_note=DIVERT_CHANNELS[channel][1],
           channel=channel)
    _record("divert", ticket, user, before, channel=channel)
    return ticket


# --- extension ----------------------------------------------------------------------


def pending_extension(ticket: Ticket) -> TicketEvent | None:
    """The extension asked for in this round and not yet decided."""
    asked = _round_events(ticket, K.EXTENSION_REQUESTED).order_by("-id").first()
    if asked is None:
        return None
    decided = ticket.events.filter(kind__in=[K.EXTENDED, K.EXTENSION_REFUSED], round=ticket.round, id__gt=asked.id)
    return None if decided.exists() else asked


@transaction.atomic
def request_extension(ticket: Ticket, *, user, days: int, reason: str, on: dt.date | None = None) -> TicketEvent:
    """The lead organisation asks, before the due date, for more time: at
    most the type's own time limit, once per round, with a reason."""
    ticket = _lock(ticket)
    if not can_handle(user, ticket):
        _deny("只有承办单位的承办人员可以申请延期。")
    _require(ticket, "request_extension")
    on = on or _today()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= ticket.limit_workdays:
        raise ValidationError({"days": f"延长的期限应为1至{ticket.limit_workdays}个工作日（不超过该类工单的办理时限）。"})
    reason = clean_text(reason, "延期理由", minimum=REASON_MIN, maximum=REASON_MAX, field="reason")
    if _round_events(ticket, K.EXTENDED).exists():
        raise ValidationError("本轮办理已延期一次，不能再次延期。")
    if pending_extension(ticket) is not None:
        raise ValidationError("已申请延期，正在等待审批。")
    current = clock(ticket)
    if current.due is None or on > current.due:
        raise ValidationError(f"延期须在办理期限（{current.due:%Y年%m月%d日}）届满前申请，已超过期限。")
    event = _event(ticket, K.EXTENSION_REQUESTED, on, user, organisation=ticket.organisation, note=reason, days=days)
    _record("extension_request", ticket, user, _state(ticket), days=days)
    return event


@transaction.atomic
def decide_extension(ticket: Ticket, *, user, approve: bool, note: str = "") -> Ticket:
    """The office head approves (the writer is told, with the reason) or refuses."""
    ticket = _lock(ticket)
    if not can_decide(user, ticket):
        _deny("延期由受理机构的政务公开办负责人（管理员）审批。")
    _require(ticket, "decide_extension")
    asked = pending_extension(ticket)
    if asked is None:
        raise ValidationError("没有待审批的延期申请。")
    note = clean_text(note, "审批意见", maximum=REASON_MAX, field="note")
    days = int(asked.detail.get("days") or 0)
    before = _state(ticket)
    if approve:
        _event(ticket, K.EXTENDED, _today(), user, organisation=asked.organisation, note=note or asked.note,
               public_note=f"经批准延长办理期限{days}个工作日。延期理由：{asked.note}", days=days)
        _record("extend", ticket, user, before, days=days)
    else:
        if not note:
            raise ValidationError({"note": "不同意延期的，请写明理由。"})
        _event(ticket, K.EXTENSION_REFUSED, _today(), user, organisation=asked.organisation, note=note)
        _record("extension_refused", ticket, user, before)
    ticket.save(update_fields=["updated_at"])
    return ticket


# --- reply, follow-up, rating -----------------------------------------------------------


def _mark_overdue(ticket: Ticket, current: deadlines.Clock, on: dt.date, user=None) -> bool:
    """Record once per round that the ticket passed its due date (the
    workbench, the statistics and the assessment read this event)."""
    if current.provisional_year is not None or current.due is None or on <= current.due:
        return False
    if _round_events(ticket, K.OVERDUE).exists():
        return False
    _event(ticket, K.OVERDUE, on, None, note=f"办理期限{current.due:%Y-%m-%d}已过", due=current.due.isoformat())
    audit.record("ticket.overdue", "ticket", ticket.pk, actor="system", detail={"due": current.due.isoformat(),
                                                                                "round": ticket.round})
    return True


@transaction.atomic
def reply(ticket: Ticket, *, user, text: str, on: dt.date | None = None) -> TicketReply:
    """The answer to the writer: by the lead organisation, or by the
    receiving office at once before any dispatch (即时答复)."""
    ticket = _lock(ticket)
    _require(ticket, "reply")
    if ticket.state == S.RECEIVED:
        if not can_dispatch(user, ticket):
            _deny("未派单的工单由受理机构答复。")
        organisation = ticket.office
    else:
        if not can_handle(user, ticket):
            _deny("只有承办单位的承办人员可以答复。")
        organisation = ticket.organisation
    text = clean_text(text, "答复内容", minimum=REPLY_MIN, maximum=REPLY_MAX, field="text")
    on = on or _today()
    reopened = _round_events(ticket, K.REOPENED).order_by("-id").first()
    _check_date(ticket, on, not_before=reopened.on if reopened else None)
    _mark_overdue(ticket, clock(ticket), on)
    before = _state(ticket)
    author = user if getattr(user, "is_authenticated", False) else None
    answer = TicketReply.objects.create(ticket=ticket, round=ticket.round, organisation=organisation, text=text,
                                        replied_on=on, created_by=author)
    ticket.organisation, ticket.state, ticket.answered_on = organisation, S.ANSWERED, on
    ticket.save(update_fields=["organisation", "state", "answered_on", "updated_at"])
    _event(ticket, K.REPLIED, on, user, organisation=organisation,
           public_note=f"{organisation.name}已答复，请查看答复内容并作出评价")
    _record("reply", ticket, user, before, organisation=organisation.pk)
    return answer


@transaction.atomic
def follow_up(ticket: Ticket, *, text: str) -> TicketEvent:
    """The writer adds to the matter (补充说明) while it is open or awaiting a rating."""
    ticket = _lock(ticket)
    _require(ticket, "follow_up")
    text = clean_text(text, "补充说明", minimum=2, maximum=FOLLOW_UP_MAX_CHARS, field="text")
    if ticket.events.filter(kind=K.FOLLOW_UP).count() >= FOLLOW_UPS_MAX:
        raise ValidationError(f"每件工单最多补充说明{FOLLOW_UPS_MAX}次；如有新的诉求，请重新写信。")
    event = _event(ticket, K.FOLLOW_UP, _today(), None, note=text, public_note="您补充了说明，已转承办单位")
    _record("follow_up", ticket, None, _state(ticket))
    return event


def can_reopen(ticket: Ticket) -> bool:
    """不满意 can reopen a ticket once (the first round only)."""
    return ticket.round == 1


@transaction.atomic
def rate(ticket: Ticket, *, satisfaction: str, resolved: bool | None = None, comment: str = "", reopen: bool = False,
         user=None) -> Ticket:
    """The writer's rating of the answer (on the status page: user None), or
    the one staff recorded after calling the writer (回访). One rating per
    answer. 不满意 with `reopen` sends the ticket back to the lead
    organisation for a new round, once; otherwise the ticket is closed."""
    ticket = _lock(ticket)
    if user is not None and not (can_dispatch(user, ticket) or can_handle(user, ticket)):
        _deny("只有受理机构或承办单位的人员可以登记回访评价。")
    if _round_events(ticket, K.RATED).exists() or (ticket.state == S.CLOSED and ticket.satisfaction):
        raise ValidationError("本次答复已经评价过，不能重复评价。")
    _require(ticket, "rate")
    if satisfaction not in Ticket.Satisfaction.values:
        raise ValidationError({"satisfaction": "请选择满意、基本满意或不满意。"})
    comment = clean_text(comment, "评价意见", maximum=COMMENT_MAX, field="comment")
    if reopen and satisfaction != Ticket.Satisfaction.UNSATISFIED:
        raise ValidationError({"reopen": "只有不满意的才能要求重新办理。"})
    if reopen and not can_reopen(ticket):
        raise ValidationError({"reopen": "该工单已重新办理过一次，不能再次重新办理。"})
    today = _today()
    before = _state(ticket)
    label = Ticket.Satisfaction(satisfaction).label
    _event(ticket, K.RATED, today, user, note=comment, public_note=f"评价：{label}",
           satisfaction=satisfaction, resolved=resolved, by="staff" if user is not None else "writer")
    ticket.satisfaction, ticket.resolved, ticket.rated_on = satisfaction, resolved, today
    fields = ["satisfaction", "resolved", "rated_on", "state", "updated_at"]
    if reopen:
        ticket.round += 1
        ticket.state = S.HANDLING
        fields.append("round")
        if ticket.publication != P.NONE:
            _unpublish(ticket, user, "重新办理")
            fields += ["publication", "public_subject", "public_text", "public_reply", "published_on"]
        ticket.save(update_fields=fields)
        _event(ticket, K.REOPENED, today, user, organisation=ticket.organisation, note=comment,
               public_note=f"因评价不满意，已要求{ticket.organisation.name}重新办理")
        _record("reopen", ticket, user, before, satisfaction=satisfaction)
    else:
        ticket.state, ticket.closed_on = S.CLOSED, today
        fields.append("closed_on")
        ticket.save(update_fields=fields)
        _event(ticket, K.CLOSED, today, user, public_note="工单已办结")
        _record("rate", ticket, user, before, satisfaction=satisfaction)
    return ticket


# --- publication --------------------------------------------------------------------


def _writer_values(ticket: Ticket) -> list[tuple[str, str]]:
    """(value, masked) of the writer's own data, to mask wherever it appears."""
    pairs = []
    name = ticket.writer_name.strip()
    if len(name) >= 2:
        pairs.append((name, name[0] + "某" * min(2, len(name) - 1)))
    for value, kind in ((ticket.writer_phone, privacy.MOBILE), (ticket.writer_email, privacy.EMAIL),
                        (ticket.writer_address, None)):
        value = (value or "").strip()
        if len(value) >= 4:
            pairs.append((value, privacy.mask_value(kind, value) if kind else "（地址已隐去）"))
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def mask_personal(text: str, ticket: Ticket) -> tuple[str, int]:
    """`text` with the writer's own name and contact and every personal
    datum the privacy scan finds masked; and how many were masked."""
    count = 0
    for value, masked in _writer_values(ticket):
        count += text.count(value)
        text = text.replace(value, masked)
    findings = privacy.scan(text)
    return privacy.mask(text, findings), count + len(findings)


def personal_data_left(text: str, ticket: Ticket) -> list[str]:
    """What personal data `text` still holds (labels), for the office's check before publication."""
    found = [finding.label for finding in privacy.scan(text)]
    found += ["诉求人的姓名或联系方式" for value, _ in _writer_values(ticket) if value in text]
    return found


def latest_reply(ticket: Ticket) -> TicketReply | None:
    return ticket.replies.order_by("-round", "-id").first()


@transaction.atomic
def prepare_publication(ticket: Ticket, *, user) -> Ticket:
    """Propose an answered ticket for the public list: its subject, text and
    latest reply with personal data masked, for the office to check and approve."""
    ticket = _lock(ticket)
    if not (can_handle(user, ticket) or can_dispatch(user, ticket)):
        _deny("只有承办单位或受理机构的人员可以提请公开。")
    _require(ticket, "prepare_publication")
    if ticket.ticket_type == TicketType.REPORT:
        raise ValidationError("举报类工单一律不公开。")
    if ticket.confidential:
        raise ValidationError("诉求人要求保密的工单一律不公开。")
    if not ticket.consent_publish:
        raise ValidationError("诉求人未同意公开，不能公开。")
    if ticket.publication in (P.PENDING, P.PUBLISHED):
        raise ValidationError(f"该工单{ticket.get_publication_display()}。")
    answer = latest_reply(ticket)
    if answer is None:
        raise ValidationError("该工单没有答复，不能公开。")
    before = _state(ticket)
    subject, n1 = mask_personal(ticket.subject, ticket)
    text, n2 = mask_personal(ticket.text, ticket)
    reply_text, n3 = mask_personal(answer.text, ticket)
    ticket.public_subject, ticket.public_text, ticket.public_reply = subject[:100], text, reply_text
    ticket.publication = P.PENDING
    ticket.save(update_fields=["public_subject", "public_text", "public_reply", "publication", "updated_at"])
    _event(ticket, K.PUBLICATION_PREPARED, _today(), user, masked=n1 + n2 + n3)
    _record("publication_prepare", ticket, user, before, masked=n1 + n2 + n3)
    return ticket


@transaction.atomic
def approve_publication(ticket: Ticket, *, user, subject: str, text: str, reply_text: str) -> Ticket:
    """The office checks the masked texts (and may edit them) and publishes;
    refused while the privacy scan still finds personal data."""
    ticket = _lock(ticket)
    if not can_decide(user, ticket):
        _deny("公开由受理机构的政务公开办负责人（管理员）审核。")
    _require(ticket, "approve_publication")
    if ticket.publication != P.PENDING:
        raise ValidationError("该工单没有待审核的公开内容。")
    if ticket.never_published or not ticket.consent_publish:
        raise ValidationError("举报、要求保密或诉求人未同意公开的工单不能公开。")
    subject = clean_text(subject, "公开标题", minimum=2, maximum=SUBJECT_MAX, field="subject")
    text = clean_text(text, "公开的来信内容", minimum=TEXT_MIN, maximum=TEXT_MAX, field="text")
    reply_text = clean_text(reply_text, "公开的答复内容", minimum=REPLY_MIN, maximum=REPLY_MAX, field="reply_text")
    errors = {}
    for field, value in (("subject", subject), ("text", text), ("reply_text", reply_text)):
        left = personal_data_left(value, ticket)
        if left:
            errors[field] = f"仍含个人信息（{'、'.join(dict.fromkeys(left))}），请去标识化后再公开。"
    if errors:
        raise ValidationError(errors)
    before = _state(ticket)
    ticket.public_subject, ticket.public_text, ticket.public_reply = subject, text, reply_text
    ticket.publication, ticket.published_on = P.PUBLISHED, _today()
    ticket.save(update_fields=["public_subject", "public_text", "public_reply", "publication", "published_on",
                               "updated_at"])
    _event(ticket, K.PUBLISHED, ticket.published_on, user)
    _record("publish", ticket, user, before)
    return ticket


@transaction.atomic
def refuse_publication(ticket: Ticket, *, user, reason: str) -> Ticket:
    ticket = _lock(ticket)
    if not can_decide(user, ticket):
        _deny("公开由受理机构的政务公开办负责人（管理员）审核。")
    if ticket.publication != P.PENDING:
        raise ValidationError("该工单没有待审核的公开内容。")
    reason = clean_text(reason, "不予公开的理由", minimum=REASON_MIN, maximum=REASON_MAX, field="reason")
    before = _state(ticket)
    ticket.publication = P.REFUSED
    ticket.public_subject = ticket.public_text = ticket.public_reply = ""
    ticket.save(update_fields=["publication", "public_subject", "public_text", "public_reply", "updated_at"])
    _event(ticket, K.PUBLICATION_REFUSED, _today(), user, note=reason)
    _record("publication_refuse", ticket, user, before)
    return ticket


def _unpublish(ticket: Ticket, user, reason: str) -> None:
    ticket.publication, ticket.published_on = P.NONE, None
    ticket.public_subject = ticket.public_text = ticket.public_reply = ""
    _event(ticket, K.WITHDRAWN, _today(), user, note=reason)


@transaction.atomic
def withdraw_publication(ticket: Ticket, *, user, reason: str) -> Ticket:
    ticket = _lock(ticket)
    if not can_decide(user, ticket):
        _deny("撤下公开由受理机构的政务公开办负责人（管理员）决定。")
    if ticket.publication != P.PUBLISHED:
        raise ValidationError("该工单没有公开。")
    reason = clean_text(reason, "撤下理由", minimum=REASON_MIN, maximum=REASON_MAX, field="reason")
    before = _state(ticket)
    _unpublish(ticket, user, reason)
    ticket.save(update_fields=["publication", "published_on", "public_subject", "public_text", "public_reply",
                               "updated_at"])
    _record("publication_withdraw", ticket, user, before)
    return ticket


# --- knowledge base ------------------------------------------------------------------


def _check_entry_org(user, organisation: Organisation) -> None:
    if not permissions.can(user, HANDLE, organisation):
        _deny(f"您没有编写“{organisation.name}”知识库条目的权限。")


@transaction.atomic
def save_entry(entry: KnowledgeEntry | None, *, user, organisation: Organisation, question: str, answer: str,
               keywords: str = "", is_public: bool = False, source: Ticket | None = None) -> KnowledgeEntry:
    """Write or change an entry; a changed entry waits for approval again."""
    _check_entry_org(user, organisation)
    if entry is not None:
        entry = KnowledgeEntry.objects.select_for_update(**ROW_LOCK).get(pk=entry.pk)
        _check_entry_org(user, entry.organisation)
    errors = {}
    values = {}
    for field, value, label, minimum, maximum in (("question", question, "问题", 4, 200),
                                                  ("answer", answer, "答案", REPLY_MIN, REPLY_MAX),
                                                  ("keywords", keywords, "关键词", 0, 200)):
        try:
            values[field] = clean_text(value, label, minimum=minimum, maximum=maximum, field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field in ("question", "answer"):
        left = [f.label for f in privacy.scan(values[field])]
        if left:
            errors[field] = f"知识库不能含个人信息（{'、'.join(dict.fromkeys(left))}），请删除后再保存。"
    if errors:
        raise ValidationError(errors)
    before = audit.state_of(entry) if entry else None
    if entry is None:
        entry = KnowledgeEntry(created_by=user if getattr(user, "is_authenticated", False) else None, source=source)
    entry.organisation, entry.is_public = organisation, bool(is_public)
    entry.question, entry.answer, entry.keywords = values["question"], values["answer"], values["keywords"]
    entry.state, entry.approved_by, entry.approved_on = KnowledgeEntry.State.DRAFT, None, None
    entry.save()
    audit.record("ticket.knowledge.save", "ticket.knowledge", entry.pk, actor=_actor(user), before=before,
                 after=audit.state_of(entry))
    return entry


@transaction.atomic
def decide_entry(entry: KnowledgeEntry, *, user, approve: bool) -> KnowledgeEntry:
    """Approve an entry (then staff find it, and citizens too if public) or retire it."""
    entry = KnowledgeEntry.objects.select_for_update(**ROW_LOCK).get(pk=entry.pk)
    if not permissions.can(user, DECIDE, entry.organisation_id):
        _deny("知识库条目由政务公开办负责人（管理员）审核。")
    if approve and entry.state == KnowledgeEntry.State.APPROVED:
        raise ValidationError("该条目已审核。")
    before = audit.state_of(entry)
    if approve:
        entry.state, entry.approved_by, entry.approved_on = KnowledgeEntry.State.APPROVED, user, _today()
    else:
        entry.state = KnowledgeEntry.State.RETIRED
    entry.save()
    audit.record("ticket.knowledge.approve" if approve else "ticket.knowledge.retire", "ticket.knowledge", entry.pk,
                 actor=_actor(user), before=before, after=audit.state_of(entry))
    return entry


# --- the daily job -----------------------------------------------------------------------


def daily(today: dt.date | None = None) -> dict:
    """Record each open ticket that passed its due date, once per round (a
    second run the same day changes nothing). Returns counts."""
    today = today or _today()
    counts = {"overdue": 0}
    for ticket in Ticket.objects.filter(state__in=[S.RECEIVED, S.HANDLING, S.DISPUTED]).prefetch_related("events"):
        current = clock(ticket)
        if not current.overdue(today) or current.provisional_year is not None:
            continue
        with transaction.atomic():
            locked = _lock(ticket)
            if locked.is_open and _mark_overdue(locked, clock(locked), today):
                counts["overdue"] += 1
    return counts
