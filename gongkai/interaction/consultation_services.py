"""Use cases of consultations on drafts (意见征集). Each checks the user's
permission (gongkai.core.permissions), the rules (consultation_rules), and
writes its change with an audit entry in one transaction; a refusal is a
ValidationError with a Chinese message (by field where it has one) or
PermissionDenied, and nothing is written then.

Who does what, in the consultation's organisation (an office
administrator's roles reach the organisations below, as everywhere):
- drafters and office administrators (EDIT) prepare a consultation,
  moderate and register comments, decide on them, draft the adoption
  feedback and link the final decision;
- publishers (PUBLISH) put a prepared consultation on the public site;
- the writers' contact details are read only by the organisation's own
  handlers and office administrators (APPLICANT_DATA), never shown publicly;
- office administrators (MANAGE_MEMBERS) set the organisation's feedback period.

The adoption feedback goes into the catalog as a draft document (genre
chosen from the catalog's list) and through the normal review; once that
document is published it is the feedback the public reads, and a catalog
relation (Relation.Kind.FEEDBACK) links it with the final decision.
"""

from __future__ import annotations

import datetime as dt
import html

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, Genre, Relation
from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.publishing import services as publishing, workflow
from gongkai.core.dates import date_text

from . import consultation_rules as rules
from .models import Consultation, ConsultationComment, ConsultationPolicy, FeedbackItem

C = Consultation.State
S = ConsultationComment.State

EDIT_DENIED = "您没有管理“{org}”意见征集的权限（须为该机构的起草人或政务公开办管理员）。"
PUBLISH_DENIED = "只有“{org}”的发布人可以发布意见征集。"
CONFIGURE_DENIED = "只有“{org}”或其上级机构的政务公开办管理员可以修改意见征集设置。"
FEEDBACK_GENRE = "其他"
# The feedback may change while its catalog document is not in review or public.
FEEDBACK_EDITABLE = (workflow.DRAFT, workflow.STOPPED, workflow.WITHDRAWN)

LONG_FIELDS = ("draft_text", "explanation", "how_to_comment", "short_reason")
FIELDS = ("title", "draft_title", "draft_text", "explanation", "how_to_comment", "opens_on", "closes_on", "major",
          "short_reason", "require_name", "moderated")
DEFAULT_HOW_TO_COMMENT = ("请在本页面下方“提出意见”栏填写意见和建议，并注明对应的条款。"
                          "姓名和联系方式仅供起草单位研究意见时联系使用，不在网站公开。")


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _name(org) -> str:
    return org.name if isinstance(org, Organisation) else str(org)


def may_edit(user, organisation) -> bool:
    return permissions.can(user, permissions.EDIT, organisation)


def may_publish(user, organisation) -> bool:
    return permissions.can(user, permissions.PUBLISH, organisation)


def sees_contacts(user, organisation) -> bool:
    """Writers' names and contact details: the organisation's own handlers and office administrators."""
    return permissions.can(user, permissions.APPLICANT_DATA, organisation)


def may_configure(user, organisation) -> bool:
    return permissions.can(user, permissions.MANAGE_MEMBERS, organisation)


def _require_edit(user, consultation_or_org) -> None:
    org = consultation_or_org.organisation if isinstance(consultation_or_org, Consultation) else consultation_or_org
    if not may_edit(user, org):
        raise PermissionDenied(EDIT_DENIED.format(org=_name(org)))


def _state(consultation: Consultation) -> dict:
    return audit.state_of(consultation)


def _record(action: str, consultation: Consultation, user, before: dict | None = None, **detail) -> None:
    audit.record(f"consultation.{action}", "consultation", consultation.pk, actor=audit.actor_name(user),
                 before=before, after=_state(consultation), detail=detail or None)


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=consultation.pk)


# --- preparing and publishing -------------------------------------------------------


def validate(data: dict, *, today: dt.date | None = None) -> None:
    """The consultation's own rules, by field."""
    errors = {}
    for name, label in (("title", "征集标题"), ("draft_title", "草案名称"), ("draft_text", "草案全文"),
                        ("explanation", "起草说明")):
        value = (data.get(name) or "").strip()
        message = rules.text_error(value, what=label, max_chars=200000 if name in LONG_FIELDS else 200, min_chars=1)
        if message:
            errors[name] = message
    errors.update(rules.period_errors(data.get("opens_on"), data.get("closes_on"), major=bool(data.get("major")),
                                      short_reason=data.get("short_reason") or "", today=today))
    if errors:
        raise ValidationError(errors)


def consultation_save(consultation: Consultation | None, *, user, organisation: Organisation | None = None,
                      today: dt.date | None = None, **data) -> Consultation:
    """Create or change a consultation that is not yet public (`today`: the
    day its close date is checked against, the local date by default)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown consultation fields: {sorted(unknown)}")
    org = organisation if consultation is None else consultation.organisation
    if org is None:
        _refuse("请选择征集机关。", "organisation")
    _require_edit(user, org)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if not data.get("how_to_comment"):
        data["how_to_comment"] = DEFAULT_HOW_TO_COMMENT
    if not (data.get("major") and data.get("opens_on") and data.get("closes_on")
            and rules.is_short(data["opens_on"], data["closes_on"], True)):
        data["short_reason"] = ""  # a reason is asked for, and shown, only for a shortened period
    validate(data, today=today or timezone.localdate())
    with transaction.atomic():
        if consultation is None:
            consultation = Consultation(organisation=org, created_by=user if user.is_authenticated else None, **data)
            consultation.full_clean()
            consultation.save()
            _record("create", consultation, user)
            return consultation
        consultation = _locked(consultation)
        if consultation.state != C.DRAFT:
            _refuse(f"“{consultation.get_state_display()}”的意见征集不能修改。")
        before = _state(consultation)
        for name, value in data.items():
            setattr(consultation, name, value)
        consultation.full_clean()
        consultation.save()
        _record("edit", consultation, user, before)
        return consultation


def consultation_publish(consultation: Consultation, *, user, today: dt.date | None = None) -> Consultation:
    """Put a prepared consultation on the public site. Its period runs from
    its open date, which must not be in the past."""
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):  # published on another day (the demo's past ones)
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
    today = timezone.localdate(now)
    with transaction.atomic():
        consultation = _locked(consultation)
        if not may_publish(user, consultation.organisation):
            raise PermissionDenied(PUBLISH_DENIED.format(org=consultation.organisation.name))
        if consultation.state != C.DRAFT:
            _refuse(f"“{consultation.get_state_display()}”的意见征集不能再次发布。")
        if consultation.opens_on < today:
            _refuse("开始日期已过：征求意见的期限自发布之日起计算，请先将开始日期改为今天或之后的日期。")
        validate({name: getattr(consultation, name) for name in FIELDS}, today=today)
        before = _state(consultation)
        consultation.state, consultation.published_at = C.PUBLISHED, now
        consultation.save(update_fields=["state", "published_at", "updated_at"])
        _record("publish", consultation, user, before)
    return consultation


def close_due(today: dt.date) -> int:
    """Close every published consultation whose close date has passed (the
    daily job; comments are refused after the close date in any case)."""
    closed = 0
    for pk in Consultation.objects.filter(state=C.PUBLISHED, closes_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            consultation = Consultation.objects.select_for_update(**ROW_LOCK).filter(pk=pk, state=C.PUBLISHED,
                                                                            closes_on__lt=today).first()
            if consultation is None:
                continue
            before = _state(consultation)
            consultation.state, consultation.closed_at = C.CLOSED, timezone.now()
            consultation.save(update_fields=["state", "closed_at", "updated_at"])
            _record("close", consultation, None, before, closes_on=consultation.closes_on.isoformat())
            closed += 1
    return closed


# --- comments ---------------------------------------------------------------------------


def check_comment(consultation: Consultation, *, name: str, contact: str, text: str) -> dict[str, str]:
    """What is wrong with a comment, by field ({} when nothing)."""
    errors = {}
    message = rules.text_error(text, what="意见内容", max_chars=rules.MAX_COMMENT_CHARS)
    if message:
        errors["text"] = message
    message = rules.field_error(name, what="姓名或名称", max_chars=rules.MAX_NAME_CHARS)
    if message:
        errors["name"] = message
    elif consultation.require_name and not (name or "").strip():
        errors["name"] = "本次意见征集要求署名：请填写姓名或名称（不在网站公开）。"
    message = rules.field_error(contact, what="联系方式", max_chars=rules.MAX_CONTACT_CHARS)
    if message:
        errors["contact"] = message
    return errors


def _add_comment(consultation: Consultation, *, name: str, contact: str, text: str, channel: str, state: str,
                 at: dt.datetime) -> ConsultationComment:
    """Write a comment of a consultation locked by the caller."""
    serial = (consultation.comments.aggregate(m=Max("serial"))["m"] or 0) + 1
    comment = ConsultationComment(
        consultation=consultation, serial=serial, name=(name or "").strip(), contact=(contact or "").strip(),
        text=text.strip(), public_text=rules.public_text(text, timezone.localdate(at)), channel=channel,
        state=state, submitted_at=at)
    comment.full_clean(exclude=["item"])
    comment.save()
    return comment


def open_error(consultation: Consultation, today: dt.date) -> str:
    """Why the consultation takes no comments on `today` ('' when it does)."""
    if consultation.state == C.DRAFT:
        return "本次意见征集尚未发布，不能提出意见。"
    if consultation.state == C.PUBLISHED and today < consultation.opens_on:
        return f"本次意见征集自{date_text(consultation.opens_on)}开始，届时方可提出意见。"
    if not consultation.is_open_on(today):
        return f"本次意见征集已于{date_text(consultation.closes_on)}截止，不再接收意见。"
    return ""


def comment_submit(consultation: Consultation, *, name: str = "", contact: str = "", text: str,
                   now: dt.datetime | None = None) -> ConsultationComment:
    """A comment sent through the portal while the consultation is open."""
    now = now or timezone.now()
    with transaction.atomic():
        consultation = _locked(consultation)
        closed = open_error(consultation, timezone.localdate(now))
        if closed:
            _refuse(closed)
        errors = check_comment(consultation, name=name, contact=contact, text=text)
        if errors:
            raise ValidationError(errors)
        comment = _add_comment(consultation, name=name, contact=contact, text=text,
                               channel=ConsultationComment.Channel.ONLINE,
                               state=S.PENDING if consultation.moderated else S.SHOWN, at=now)
        # No personal data in the log's clear text: the comment's fields are in its hashes only.
        audit.record("consultation.comment", "consultation", consultation.pk, actor="public",
                     after=audit.state_of(comment), detail={"serial": comment.serial, "state": comment.state})
    return comment


def comment_register(consultation: Consultation, *, user, channel: str, text: str, name: str = "",
                     contact: str = "", received_on: dt.date) -> ConsultationComment:
    """A comment that came by letter, e-mail, phone or a meeting, registered by
    staff; shown like a moderated one. It must have arrived by the close date."""
    _require_edit(user, consultation)
    if consultation.state == C.DRAFT:
        _refuse("意见征集尚未发布，不能登记意见。")
    if channel not in ConsultationComment.Channel.values or channel == ConsultationComment.Channel.ONLINE:
        _refuse("请选择收到意见的渠道。", "channel")
    if received_on is None or not (consultation.opens_on <= received_on <= consultation.closes_on):
        _refuse(f"只能登记征求意见期间（{date_text(consultation.opens_on)}至{date_text(consultation.closes_on)}）收到的意见。",
                "received_on")
    errors = check_comment(consultation, name=name, contact=contact, text=text)
    if not (name or "").strip():
        errors.pop("name", None)  # a phone call or a meeting may leave no name
    if errors:
        raise ValidationError(errors)
    at = timezone.make_aware(dt.datetime.combine(received_on, dt.time(9, 0)))
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.feedback_document_id and not feedback_editable(consultation):
            _refuse("采纳情况反馈已提交审核或已发布，不能再登记意见。")
        comment = _add_comment(consultation, name=name, contact=contact, text=text, channel=channel,
                               state=S.SHOWN, at=at)
        audit.record("consultation.comment_register", "consultation", consultation.pk, actor=audit.actor_name(user),
                     after=audit.state_of(comment), detail={"serial": comment.serial, "channel": channel})
    return comment


def comment_moderate(comment: ConsultationComment, *, user, show: bool, reason: str = "") -> ConsultationComment:
    """Show a comment on the public page, or keep it off with a reason
    (abuse, advertising, nothing to do with the draft)."""
    consultation = comment.consultation
    _require_edit(user, consultation)
    reason = (reason or "").strip()
    if not show and not reason:
        _refuse("不予显示须说明理由（如：与征求意见内容无关、含有广告或不文明用语）。", "reason")
    if len(reason) > 200:
        _refuse("理由不能超过200字。", "reason")
    with transaction.atomic():
        comment = ConsultationComment.objects.select_for_update(**ROW_LOCK).get(pk=comment.pk)
        if consultation.feedback_document_id and not feedback_editable(consultation):
            _refuse("采纳情况反馈已提交审核或已发布，意见的显示状态不能再更改。")
        before = audit.state_of(comment)
        comment.state = S.SHOWN if show else S.HIDDEN
        comment.hidden_reason = "" if show else reason
        if not show and comment.item_id:
            _detach([comment])
        comment.save(update_fields=["state", "hidden_reason", "item"])
        audit.record("consultation.moderate", "consultation", consultation.pk, actor=audit.actor_name(user),
                     before=before, after=audit.state_of(comment),
                     detail={"serial": comment.serial, "state": comment.state})
    return comment


# --- decisions and the adoption feedback ----------------------------------------------------


def feedback_editable(consultation: Consultation) -> bool:
    doc = consultation.feedback_document
    return doc is None or doc.status in FEEDBACK_EDITABLE


def feedback_published(consultation: Consultation) -> bool:
    doc = consultation.feedback_document
    return doc is not None and doc.is_public


def _detach(comments) -> None:
    """Take comments out of their items; an item left without comments goes."""
    old = {c.item_id for c in comments if c.item_id}
    for comment in comments:
        comment.item = None
        comment.save(update_fields=["item"])
    FeedbackItem.objects.filter(pk__in=old, comments__isnull=True).delete()


def decide(consultation: Consultation, comment_ids, *, user, decision: str, reason: str,
           summary: str = "") -> FeedbackItem:
    """Record 采纳 / 部分采纳 / 不采纳 with a reason for one comment or a
    group of comments (one row of the feedback; a group needs its own
    summary unless it is one comment). Comments already decided move to the
    new row."""
    _require_edit(user, consultation)
    reason, summary = (reason or "").strip(), (summary or "").strip()
    if decision not in rules.DECISION_LABELS:
        _refuse("请选择是否采纳。", "decision")
    message = rules.text_error(reason, what="理由", max_chars=2000, min_chars=2)
    if message:
        _refuse(message, "reason")
    ids = sorted({int(pk) for pk in comment_ids if str(pk).isdigit()})
    if not ids:
        _refuse("请至少选择一条意见。", "comments")
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.state != C.CLOSED:
            _refuse("意见征集截止后才能逐条研究处理意见。")
        if not feedback_editable(consultation):
            _refuse("采纳情况反馈已提交审核或已发布，处理意见不能再修改。")
        comments = list(consultation.comments.select_for_update(**ROW_LOCK).filter(pk__in=ids).order_by("serial"))
        if len(comments) != len(ids):
            _refuse("所选意见不属于本次意见征集。", "comments")
        pending = [c.serial for c in comments if c.state != S.SHOWN]
        if pending:
            _refuse(f"第{'、'.join(map(str, pending))}条意见未公开显示（待审核或不予显示），不能纳入采纳情况反馈；请先审核。",
                    "comments")
        if len(comments) > 1 and not summary:
            summary = "；".join(c.public_text for c in comments)
        summary = summary or comments[0].public_text
        if len(summary) > 5000:
            _refuse("意见内容（归纳）不能超过5000字。", "summary")
        message = rules.text_error(summary, what="意见内容（归纳）", max_chars=5000, min_chars=1)
        if message:
            _refuse(message, "summary")
        _detach(comments)
        item = FeedbackItem.objects.create(consultation=consultation, summary=rules.public_text(summary),
                                           decision=decision, reason=reason, decided_by=user)
        for comment in comments:
            comment.item = item
            comment.save(update_fields=["item"])
        audit.record("consultation.decide", "consultation", consultation.pk, actor=audit.actor_name(user),
                     after=audit.state_of(item),
                     detail={"serials": [c.serial for c in comments], "decision": decision})
        _refresh_feedback_draft(consultation, user)
    return item


def feedback_rows(consultation: Consultation) -> list[dict]:
    """The feedback table: 序号 | 意见内容 | 是否采纳 | 理由, in the order of
    the first comment of each row, and the serials of the comments in each."""
    items = {}
    for comment in consultation.comments.filter(item__isnull=False).select_related("item").order_by("serial"):
        row = items.setdefault(comment.item_id, {"item": comment.item, "serials": []})
        row["serials"].append(comment.serial)
    rows = []
    for number, row in enumerate(items.values(), start=1):
        item = row["item"]
        rows.append({"number": number, "summary": item.summary, "decision": item.decision,
                     "decision_label": rules.DECISION_LABELS[item.decision], "reason": item.reason,
                     "serials": row["serials"], "item": item})
    return rows


def feedback_totals(consultation: Consultation, rows: list[dict] | None = None) -> dict:
    rows = feedback_rows(consultation) if rows is None else rows
    shown = consultation.comments.filter(state=S.SHOWN).count()
    return rules.totals([row["decision"] for row in rows], shown)


def feedback_blocker(consultation: Consultation) -> str:
    """Why the feedback cannot be drafted yet ('' when it can)."""
    if consultation.state != C.CLOSED:
        return "意见征集截止后才能起草采纳情况反馈。"
    pending = list(consultation.comments.filter(state=S.PENDING).values_list("serial", flat=True))
    if pending:
        return f"还有{len(pending)}条意见待审核（第{'、'.join(map(str, pending[:10]))}条{'等' if len(pending) > 10 else ''}）。"
    undecided = list(consultation.comments.filter(state=S.SHOWN, item__isnull=True).values_list("serial", flat=True))
    if undecided:
        return (f"还有{len(undecided)}条意见未作出是否采纳的处理意见（第{'、'.join(map(str, undecided[:10]))}条"
                f"{'等' if len(undecided) > 10 else ''}）。")
    if not feedback_editable(consultation):
        return "采纳情况反馈已提交审核或已发布。"
    return ""


def feedback_title(consultation: Consultation) -> str:
    name = consultation.draft_title.strip().strip("《》")
    return f"关于《{name}》公开征求意见采纳情况的反馈"[:300]


def feedback_html(consultation: Consultation) -> str:
    """The feedback document's body: the note, the period and totals, the table."""
    rows = feedback_rows(consultation)
    total = feedback_totals(consultation, rows)
    esc = html.escape
    name = consultation.draft_title.strip().strip("《》")
    parts = [f"<p>{esc(consultation.organisation.name)}于{date_text(consultation.opens_on)}至{date_text(consultation.closes_on)}"
             f"就《{esc(name)}》向社会公开征求意见。{rules.totals_sentence(total)}现将意见采纳情况反馈如下。</p>"]
    parts += [f"<p>{esc(line.strip())}</p>" for line in consultation.feedback_note.splitlines() if line.strip()]
    parts.append("<table><caption>意见采纳情况</caption><thead><tr><th scope=\"col\">序号</th>"
                 "<th scope=\"col\">意见内容</th><th scope=\"col\">是否采纳</th><th scope=\"col\">理由</th></tr></thead><tbody>")
    for row in rows:
        parts.append(f"<tr><td>{row['number']}</td><td>{esc(row['summary'])}</td><td>{esc(row['decision_label'])}</td>"
                     f"<td>{esc(row['reason'])}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<p>合计：{total['items']}项意见，采纳{total[rules.ADOPTED]}项，部分采纳{total[rules.PARTLY]}项，"
                 f"不采纳{total[rules.NOT_ADOPTED]}项。</p>")
    return "".join(parts)


def _refresh_feedback_draft(consultation: Consultation, user) -> None:
    """Keep a feedback draft in step with the decisions."""
    doc = consultation.feedback_document
    if doc is not None and doc.status == workflow.DRAFT and not feedback_blocker(consultation):
        publishing.save_draft(doc, user=user, body_html=feedback_html(consultation))


def feedback_draft(consultation: Consultation, *, user, genre: Genre | None = None, note: str | None = None) -> Document:
    """Draft the adoption feedback as a catalog document of the consultation's
    organisation (or bring its draft up to date); it is then submitted and
    reviewed like any document. A stopped or withdrawn one is replaced."""
    _require_edit(user, consultation)
    if note is not None and note.strip():
        message = rules.text_error(note, what="反馈说明", max_chars=3000, min_chars=1)
        if message:
            _refuse(message, "feedback_note")
    with transaction.atomic():
        consultation = _locked(consultation)
        if note is not None:
            consultation.feedback_note = note.strip()
        blocked = feedback_blocker(consultation)
        if blocked:
            _refuse(blocked)
        before = _state(consultation)
        doc = consultation.feedback_document
        genre = genre or Genre.objects.filter(name=FEEDBACK_GENRE).first()
        if doc is not None and doc.status == workflow.DRAFT:
            doc = publishing.save_draft(doc, user=user, title=feedback_title(consultation), genre=genre,
                                        body_html=feedback_html(consultation))
        else:
            doc = publishing.save_draft(
                None, user=user, organisation=consultation.organisation, title=feedback_title(consultation),
                genre=genre, body_html=feedback_html(consultation), keywords="意见征集,采纳情况反馈",
                summary=f"《{consultation.draft_title.strip('《》')}》公开征求意见的意见采纳情况。",
                written_date=timezone.localdate(), disclosure=Document.Disclosure.PROACTIVE)
        consultation.feedback_document = doc
        consultation.save(update_fields=["feedback_document", "feedback_note", "updated_at"])
        if consultation.decision_id:
            catalog.add_relation(doc, Relation.Kind.FEEDBACK, target=consultation.decision, actor=user)
        _record("feedback_draft", consultation, user, before, document=doc.pk)
    return doc


def decision_candidates(user, consultation: Consultation):
    """Documents the final decision may be: the consultation organisation's
    own and those of the organisations above it (a department's draft is
    often decided by its government), that the user may see, newest first."""
    org_ids = [consultation.organisation_id, *[o.pk for o in consultation.organisation.ancestors()]]
    qs = (Document.objects.filter(organisation_id__in=org_ids).filter(permissions.scope_filter(user, permissions.VIEW))
          .exclude(status__in=(workflow.STOPPED, workflow.WITHDRAWN)))
    if consultation.feedback_document_id:
        qs = qs.exclude(pk=consultation.feedback_document_id)
    return qs.select_related("organisation").order_by("-updated_at", "-id")


def link_decision(consultation: Consultation, document: Document, *, user) -> Consultation:
    """Name the final decision document. Once the feedback is in the catalog
    too, a relation links the two: the decision's page then shows the
    feedback (when both are public) and the feedback's page the decision."""
    _require_edit(user, consultation)
    if document is None or not decision_candidates(user, consultation).filter(pk=document.pk).exists():
        _refuse("请选择本机构或上级机构的文件作为最终决定文件。", "document")
    with transaction.atomic():
        consultation = _locked(consultation)
        if consultation.state == C.DRAFT:
            _refuse("意见征集尚未发布。")
        if consultation.decision_id and consultation.decision_id != document.pk and consultation.feedback_document_id:
            linked = Relation.objects.filter(source_id=consultation.feedback_document_id, kind=Relation.Kind.FEEDBACK)
            if linked.exists():
                _refuse("采纳情况反馈已与最终决定文件关联，不能更换。")
        before = _state(consultation)
        consultation.decision = document
        consultation.save(update_fields=["decision", "updated_at"])
        if consultation.feedback_document_id:
            catalog.add_relation(consultation.feedback_document, Relation.Kind.FEEDBACK, target=document, actor=user)
        _record("link_decision", consultation, user, before, document=document.pk)
    return consultation


# --- export -------------------------------------------------------------------------


def export_xlsx(consultation: Consultation, *, user) -> bytes:
    """Every comment for the drafting team; names and contact details only
    for those who may read them."""
    from gongkai.core import xlsx

    _require_edit(user, consultation)
    personal = sees_contacts(user, consultation.organisation)
    header = ["序号", "提交时间", "渠道", "显示状态", "意见内容", "是否采纳", "理由"]
    widths = [8, 18, 10, 12, 60, 10, 40]
    if personal:
        header[2:2] = ["姓名或名称", "联系方式"]
        widths[2:2] = [16, 20]
    rows = []
    comments = consultation.comments.select_related("item").order_by("serial")
    for comment in comments:
        row = [comment.serial, timezone.localtime(comment.submitted_at).strftime("%Y-%m-%d %H:%M"),
               comment.get_channel_display(), comment.get_state_display(), comment.text,
               rules.DECISION_LABELS.get(comment.item.decision, "") if comment.item else "",
               comment.item.reason if comment.item else ""]
        if personal:
            row[2:2] = [comment.name, comment.contact]
        rows.append(row)
    book = xlsx.workbook()
    text_col = header.index("意见内容") + 1
    xlsx.sheet(book, "征集意见", header, rows, widths=widths, wrap_columns=(text_col, len(header)))
    return xlsx.to_bytes(book)


# --- the organisation's rule -------------------------------------------------------------


def feedback_days(organisation: Organisation) -> int:
    """The organisation's feedback period: its own setting, else the nearest
    organisation above it with one, else the default."""
    chain = [organisation, *reversed(organisation.ancestors())]
    found = {p.organisation_id: p.feedback_days
             for p in ConsultationPolicy.objects.filter(organisation_id__in=[o.pk for o in chain])}
    for org in chain:
        if org.pk in found:
            return found[org.pk]
    return rules.DEFAULT_FEEDBACK_DAYS


def feedback_days_of(organisations: list[Organisation]) -> list[tuple[Organisation, int]]:
    """Each organisation with its feedback period (for the settings page: one query for all)."""
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    own = dict(ConsultationPolicy.objects.values_list("organisation_id", "feedback_days"))
    rows = []
    for org in organisations:
        node, days, hops = org.pk, None, 0
        while node is not None and days is None and hops < 50:
            days, node, hops = own.get(node), parents.get(node), hops + 1
        rows.append((org, days or rules.DEFAULT_FEEDBACK_DAYS))
    return rows


def feedback_due(consultation: Consultation, days: int | None = None) -> dt.date:
    return rules.feedback_due(consultation.closes_on, feedback_days(consultation.organisation) if days is None else days)


def policy_save(organisation: Organisation, *, user, feedback_days: int) -> ConsultationPolicy:
    if not may_configure(user, organisation):
        raise PermissionDenied(CONFIGURE_DENIED.format(org=organisation.name))
    with transaction.atomic():
        policy = ConsultationPolicy.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
        before = audit.state_of(policy) if policy else None
        policy = policy or ConsultationPolicy(organisation=organisation)
        policy.feedback_days = feedback_days
        try:
            policy.full_clean()
        except ValidationError as exc:
            raise ValidationError({"feedback_days": "期限应为1至365日。"}) from exc
        policy.save()
        audit.record("consultation.policy", "organisation", organisation.pk, actor=audit.actor_name(user),
                     before=before, after=audit.state_of(policy), detail={"feedback_days": feedback_days})
    return policy
