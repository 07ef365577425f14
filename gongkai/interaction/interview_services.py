"""Use cases of online interviews (在线访谈). Each checks the user's
permission, the rules (interview_rules) and writes its change with an
audit entry in one transaction; a refusal is a ValidationError with a
Chinese message (by field where it has one) or PermissionDenied, and
nothing is written then.

Who does what, in the interview's organisation: drafters and office
administrators (EDIT) prepare it, run it live (start, end, moderate, answer,
publish the host's and guests' words), answer afterwards and draft the
transcript; publishers (PUBLISH) announce it; askers' contact details are
read only by the organisation's own handlers and office administrators
(APPLICANT_DATA); office administrators (MANAGE_MEMBERS) set the
organisation's notice and answer periods.

The transcript (访谈实录) goes into the catalog as a draft document (genre
chosen from the catalog's list) and through the normal review."""

from __future__ import annotations

import datetime as dt
import html

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.catalog.models import Document, Genre
from gongkai.core import audit, calendar, permissions
from gongkai.core.dates import date_text
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.publishing import services as publishing, workflow

from . import consultation_rules as text_rules
from . import interview_rules as rules
from .models import Interview, InterviewPolicy, InterviewQuestion, InterviewStatement

I = Interview.State
Q = InterviewQuestion.State

EDIT_DENIED = "您没有管理“{org}”在线访谈的权限（须为该机构的起草人或政务公开办管理员）。"
PUBLISH_DENIED = "只有“{org}”的发布人可以发布访谈预告。"
CONFIGURE_DENIED = "只有“{org}”或其上级机构的政务公开办管理员可以修改在线访谈设置。"
TRANSCRIPT_GENRE = "其他"
# The transcript may be (re)drafted while its catalog document is not in review or public.
TRANSCRIPT_EDITABLE = (workflow.DRAFT, workflow.STOPPED, workflow.WITHDRAWN)
FIELDS = ("title", "summary", "starts_at", "duration_minutes", "guests", "host")


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def may_edit(user, organisation) -> bool:
    return permissions.can(user, permissions.EDIT, organisation)


def may_publish(user, organisation) -> bool:
    return permissions.can(user, permissions.PUBLISH, organisation)


def sees_contacts(user, organisation) -> bool:
    return permissions.can(user, permissions.APPLICANT_DATA, organisation)


def may_configure(user, organisation) -> bool:
    return permissions.can(user, permissions.MANAGE_MEMBERS, organisation)


def _require_edit(user, interview_or_org) -> None:
    org = interview_or_org.organisation if isinstance(interview_or_org, Interview) else interview_or_org
    if not may_edit(user, org):
        raise PermissionDenied(EDIT_DENIED.format(org=org.name))


def _record(action: str, interview: Interview, user, before: dict | None = None, **detail) -> None:
    audit.record(f"interview.{action}", "interview", interview.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(interview), detail=detail or None)


def _locked(interview: Interview) -> Interview:
    return Interview.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=interview.pk)


# --- the organisation's rule ------------------------------------------------------------


def policy_for(organisation: Organisation) -> tuple[int, int]:
    """(notice days, answer working days): the organisation's own setting,
    else the nearest organisation above it with one, else the defaults."""
    chain = [organisation, *reversed(organisation.ancestors())]
    found = {p.organisation_id: p for p in InterviewPolicy.objects.filter(organisation_id__in=[o.pk for o in chain])}
    for org in chain:
        if org.pk in found:
            return found[org.pk].notice_days, found[org.pk].answer_workdays
    return rules.DEFAULT_NOTICE_DAYS, rules.DEFAULT_ANSWER_WORKDAYS


def policies_of(organisations: list[Organisation]) -> list[tuple[Organisation, int, int]]:
    """Each organisation with its (notice days, answer working days), for the settings page."""
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    own = {p.organisation_id: (p.notice_days, p.answer_workdays) for p in InterviewPolicy.objects.all()}
    rows = []
    for org in organisations:
        node, found, hops = org.pk, None, 0
        while node is not None and found is None and hops < 50:
            found, node, hops = own.get(node), parents.get(node), hops + 1
        rows.append((org, *(found or (rules.DEFAULT_NOTICE_DAYS, rules.DEFAULT_ANSWER_WORKDAYS))))
    return rows


def policy_save(organisation: Organisation, *, user, notice_days: int, answer_workdays: int) -> InterviewPolicy:
    if not may_configure(user, organisation):
        raise PermissionDenied(CONFIGURE_DENIED.format(org=organisation.name))
    with transaction.atomic():
        policy = InterviewPolicy.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
        before = audit.state_of(policy) if policy else None
        policy = policy or InterviewPolicy(organisation=organisation)
        policy.notice_days, policy.answer_workdays = notice_days, answer_workdays
        try:
            policy.full_clean()
        except ValidationError as exc:
            raise ValidationError({name: "超出允许的范围。" for name in exc.message_dict}) from exc
        policy.save()
        audit.record("interview.policy", "organisation", organisation.pk, actor=audit.actor_name(user), before=before,
                     after=audit.state_of(policy),
                     detail={"notice_days": notice_days, "answer_workdays": answer_workdays})
    return policy


# --- preparing and announcing -----------------------------------------------------------


def validate(data: dict) -> None:
    errors = {}
    message = text_rules.text_error(data.get("title") or "", what="访谈主题", max_chars=200, min_chars=2)
    if message:
        errors["title"] = message
    message = text_rules.field_error(data.get("host") or "", what="主持人", max_chars=50)
    if message:
        errors["host"] = message
    if (data.get("summary") or "").strip():
        message = text_rules.text_error(data["summary"], what="访谈简介", max_chars=5000, min_chars=1)
        if message:
            errors["summary"] = message
    message = rules.guests_error(data.get("guests") or "") or (
        "访谈嘉宾不能包含网页代码或尖括号。" if "<" in (data.get("guests") or "") else "")
    if message:
        errors["guests"] = message
    if not data.get("starts_at"):
        errors["starts_at"] = "请填写访谈时间。"
    if errors:
        raise ValidationError(errors)


def interview_save(interview: Interview | None, *, user, organisation: Organisation | None = None,
                   **data) -> Interview:
    """Create or change an interview. Its time may change until it starts;
    once announced, a new time must still leave the notice period."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown interview fields: {sorted(unknown)}")
    org = organisation if interview is None else interview.organisation
    if org is None:
        _refuse("请选择主办机关。", "organisation")
    _require_edit(user, org)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    validate(data)
    with transaction.atomic():
        if interview is None:
            interview = Interview(organisation=org, created_by=user if user.is_authenticated else None, **data)
            interview.full_clean()
            interview.save()
            _record("create", interview, user)
            return interview
        interview = _locked(interview)
        if interview.state not in (I.DRAFT, I.ANNOUNCED):
            _refuse(f"“{interview.get_state_display()}”的访谈不能修改。")
        if interview.state == I.ANNOUNCED and data["starts_at"] != interview.starts_at:
            notice_days, _ = policy_for(org)
            message = rules.notice_error(timezone.localdate(data["starts_at"]), timezone.localdate(), notice_days)
            if message:
                _refuse(message, "starts_at")
        before = audit.state_of(interview)
        for name, value in data.items():
            setattr(interview, name, value)
        interview.full_clean()
        interview.save()
        _record("edit", interview, user, before)
        return interview


def interview_announce(interview: Interview, *, user, now: dt.datetime | None = None) -> Interview:
    """Publish the announcement (topic, time, guests): at least the notice
    period before the interview. Questions are taken from now on."""
    now = now or timezone.now()
    with transaction.atomic():
        interview = _locked(interview)
        if not may_publish(user, interview.organisation):
            raise PermissionDenied(PUBLISH_DENIED.format(org=interview.organisation.name))
        if interview.state != I.DRAFT:
            _refuse(f"“{interview.get_state_display()}”的访谈不能再次预告。")
        validate({name: getattr(interview, name) for name in FIELDS})
        notice_days, _ = policy_for(interview.organisation)
        message = rules.notice_error(timezone.localdate(interview.starts_at), timezone.localdate(now), notice_days)
        if message:
            _refuse(message)
        before = audit.state_of(interview)
        interview.state, interview.announced_at = I.ANNOUNCED, now
        interview.save(update_fields=["state", "announced_at", "updated_at"])
        _record("announce", interview, user, before)
    return interview


def interview_start(interview: Interview, *, user, now: dt.datetime | None = None) -> Interview:
    _require_edit(user, interview)
    now = now or timezone.now()
    with transaction.atomic():
        interview = _locked(interview)
        if interview.state != I.ANNOUNCED:
            _refuse("只有已预告的访谈可以开始。")
        if timezone.localdate(now) < timezone.localdate(interview.starts_at):
            starts = timezone.localtime(interview.starts_at)
            _refuse(f"访谈预告的时间是{date_text(starts)} {starts:%H:%M}，不能提前开始。")
        before = audit.state_of(interview)
        interview.state, interview.started_at = I.LIVE, now
        interview.save(update_fields=["state", "started_at", "updated_at"])
        _record("start", interview, user, before)
    return interview


def interview_end(interview: Interview, *, user, now: dt.datetime | None = None) -> Interview:
    _require_edit(user, interview)
    now = now or timezone.now()
    with transaction.atomic():
        interview = _locked(interview)
        if interview.state != I.LIVE:
            _refuse("只有正在进行的访谈可以结束。")
        before = audit.state_of(interview)
        interview.state, interview.ended_at = I.ENDED, now
        interview.save(update_fields=["state", "ended_at", "updated_at"])
        open_questions = interview.questions.filter(answered_at__isnull=True).exclude(state=Q.HIDDEN).count()
        _record("end", interview, user, before, unanswered=open_questions)
    return interview


# --- questions --------------------------------------------------------------------------


def check_question(*, name: str, contact: str, text: str) -> dict[str, str]:
    errors = {}
    message = text_rules.text_error(text, what="问题", max_chars=text_rules.MAX_QUESTION_CHARS)
    if message:
        errors["text"] = message
    message = text_rules.field_error(name, what="网名或姓名", max_chars=text_rules.MAX_NAME_CHARS)
    if message:
        errors["name"] = message
    message = text_rules.field_error(contact, what="联系方式", max_chars=text_rules.MAX_CONTACT_CHARS)
    if message:
        errors["contact"] = message
    return errors


def question_submit(interview: Interview, *, name: str = "", contact: str = "", text: str,
                    now: dt.datetime | None = None) -> InterviewQuestion:
    """A citizen's question, before or during the interview; shown once moderated."""
    now = now or timezone.now()
    errors = check_question(name=name, contact=contact, text=text)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        interview = _locked(interview)
        if not interview.takes_questions:
            _refuse("本次访谈已经结束，不再接收提问。" if interview.state == I.ENDED else "本次访谈尚未发布，不能提问。")
        serial = (interview.questions.aggregate(m=Max("serial"))["m"] or 0) + 1
        question = InterviewQuestion(
            interview=interview, serial=serial, name=name.strip(), contact=contact.strip(), text=text.strip(),
            public_text=text_rules.public_text(text, timezone.localdate(now)), submitted_at=now,
            during_live=interview.state == I.LIVE)
        question.full_clean()
        question.save()
        audit.record("interview.question", "interview", interview.pk, actor="public", after=audit.state_of(question),
                     detail={"serial": serial, "live": question.during_live})
    return question


def question_moderate(question: InterviewQuestion, *, user, show: bool, reason: str = "") -> InterviewQuestion:
    interview = question.interview
    _require_edit(user, interview)
    reason = (reason or "").strip()
    if not show and not reason:
        _refuse("不予显示须说明理由（如：与访谈主题无关、重复提问、含有广告或不文明用语）。", "reason")
    if len(reason) > 200:
        _refuse("理由不能超过200字。", "reason")
    with transaction.atomic():
        question = InterviewQuestion.objects.select_for_update(**ROW_LOCK).get(pk=question.pk)
        if question.is_answered and not show:
            _refuse("已答复的问题不能设为不予显示。")
        before = audit.state_of(question)
        question.state, question.hidden_reason = (Q.SHOWN, "") if show else (Q.HIDDEN, reason)
        question.save(update_fields=["state", "hidden_reason"])
        audit.record("interview.moderate", "interview", interview.pk, actor=audit.actor_name(user), before=before,
                     after=audit.state_of(question), detail={"serial": question.serial, "state": question.state})
    return question


def question_answer(question: InterviewQuestion, *, user, guest: str, answer: str,
                    now: dt.datetime | None = None) -> InterviewQuestion:
    """Publish a guest's answer: live during the interview, or afterwards
    (within the answer period). Answering shows the question too."""
    now = now or timezone.now()
    interview = question.interview
    _require_edit(user, interview)
    message = text_rules.text_error(answer, what="答复", max_chars=rules.MAX_ANSWER_CHARS, min_chars=2)
    if message:
        _refuse(message, "answer")
    guest = (guest or "").strip()
    if guest not in interview.guest_list:
        _refuse("请选择答复的访谈嘉宾。", "guest")
    with transaction.atomic():
        interview = _locked(interview)
        question = InterviewQuestion.objects.select_for_update(**ROW_LOCK).get(pk=question.pk)
        if interview.state not in (I.LIVE, I.ENDED):
            _refuse("访谈开始后才能答复问题。")
        if question.state == Q.HIDDEN:
            _refuse("不予显示的问题不能答复。")
        if interview.transcript_id and interview.transcript.status not in TRANSCRIPT_EDITABLE:
            _refuse("访谈实录已提交审核或已发布，不能再答复；如需补充请另行公开。")
        before = audit.state_of(question)
        question.state = Q.SHOWN
        question.answer, question.answered_by, question.answer_user = answer.strip(), guest, user
        if not question.answered_at:
            question.answered_at = now
            question.answered_live = interview.state == I.LIVE
        question.save(update_fields=["state", "answer", "answered_by", "answer_user", "answered_at", "answered_live"])
        audit.record("interview.answer", "interview", interview.pk, actor=audit.actor_name(user), before=before,
                     after=audit.state_of(question), detail={"serial": question.serial, "live": question.answered_live})
    return question


def statement_add(interview: Interview, *, user, speaker: str, text: str,
                  now: dt.datetime | None = None) -> InterviewStatement:
    """What the host or a guest says, published live."""
    _require_edit(user, interview)
    now = now or timezone.now()
    speaker = (speaker or "").strip()
    speakers = interview.guest_list + ([f"主持人 {interview.host}"] if interview.host else ["主持人"])
    if speaker not in speakers:
        _refuse("请选择发言人。", "speaker")
    message = text_rules.text_error(text, what="发言内容", max_chars=rules.MAX_STATEMENT_CHARS, min_chars=2)
    if message:
        _refuse(message, "text")
    with transaction.atomic():
        interview = _locked(interview)
        if interview.state != I.LIVE:
            _refuse("只能在访谈进行中发布发言。")
        statement = InterviewStatement.objects.create(interview=interview, speaker=speaker, text=text.strip(), at=now,
                                                      created_by=user)
        audit.record("interview.statement", "interview", interview.pk, actor=audit.actor_name(user),
                     after=audit.state_of(statement))
    return statement


def speakers(interview: Interview) -> list[str]:
    return [f"主持人 {interview.host}" if interview.host else "主持人", *interview.guest_list]


# --- after the interview ---------------------------------------------------------------


def answer_due(interview: Interview, workdays: int | None = None) -> tuple[dt.date | None, int | None]:
    """The last day for the answers the interview left open, and the year
    counted provisionally (on weekends alone) when the calendar lacks it."""
    if interview.ended_at is None:
        return None, None
    if workdays is None:
        _, workdays = policy_for(interview.organisation)
    ended_on = timezone.localdate(interview.ended_at)
    try:
        return rules.answer_due(ended_on, workdays, calendar.add_workdays), None
    except calendar.CalendarGap:
        rough = calendar.provisional()
        due = rules.answer_due(ended_on, workdays, rough.add_workdays)
        return due, min(rough.gaps) if rough.gaps else due.year


def transcript_title(interview: Interview) -> str:
    return f"“{interview.title}”在线访谈实录"[:300]


def transcript_entries(interview: Interview) -> tuple[list[dict], list[dict]]:
    """What was said live, in order (the host's and guests' words and the
    questions answered during the interview), and the answers given after it."""
    live = [{"at": s.at, "kind": "statement", "speaker": s.speaker, "text": s.text}
            for s in interview.statements.all()]
    later = []
    for q in interview.questions.filter(state=Q.SHOWN, answered_at__isnull=False).order_by("answered_at", "serial"):
        entry = {"at": q.answered_at, "kind": "answer", "question": q.public_text, "speaker": q.answered_by,
                 "text": q.answer, "serial": q.serial}
        (live if q.answered_live else later).append(entry)
    live.sort(key=lambda e: e["at"])
    return live, later


def transcript_html(interview: Interview) -> str:
    esc = html.escape
    start = timezone.localtime(interview.started_at or interview.starts_at)
    parts = [f"<p>访谈主题：{esc(interview.title)}</p>",
             f"<p>访谈时间：{date_text(start)} {start:%H:%M}</p>",
             f"<p>访谈嘉宾：{esc('；'.join(interview.guest_list))}</p>"]
    if interview.host:
        parts.append(f"<p>主持人：{esc(interview.host)}</p>")
    if interview.summary:
        parts += [f"<p>{esc(line.strip())}</p>" for line in interview.summary.splitlines() if line.strip()]
    live, later = transcript_entries(interview)
    parts.append("<h2>访谈实录</h2>")
    for entry in live:
        if entry["kind"] == "answer":
            parts.append(f"<p><strong>网友提问：</strong>{esc(entry['question'])}</p>")
        parts.append(f"<p><strong>{esc(entry['speaker'])}：</strong>{esc(entry['text'])}</p>")
    if later:
        parts.append("<h2>访谈后答复</h2>")
        for entry in later:
            parts.append(f"<p><strong>网友提问：</strong>{esc(entry['question'])}</p>")
            parts.append(f"<p><strong>{esc(entry['speaker'])}：</strong>{esc(entry['text'])}</p>")
    return "".join(parts)


def transcript_draft(interview: Interview, *, user, genre: Genre | None = None) -> Document:
    """Draft the transcript as a catalog document of the interview's
    organisation (or bring its draft up to date); it is then submitted and
    reviewed like any document. A stopped or withdrawn one is replaced."""
    _require_edit(user, interview)
    with transaction.atomic():
        interview = _locked(interview)
        if interview.state != I.ENDED:
            _refuse("访谈结束后才能起草访谈实录。")
        pending = interview.questions.filter(state=Q.PENDING).count()
        if pending:
            _refuse(f"还有{pending}个问题待审核：请先审核（公开显示或不予显示）后再起草访谈实录。")
        doc = interview.transcript
        if doc is not None and doc.status not in TRANSCRIPT_EDITABLE:
            _refuse("访谈实录已提交审核或已发布。")
        genre = genre or Genre.objects.filter(name=TRANSCRIPT_GENRE).first()
        before = audit.state_of(interview)
        if doc is not None and doc.status == workflow.DRAFT:
            doc = publishing.save_draft(doc, user=user, title=transcript_title(interview), genre=genre,
                                        body_html=transcript_html(interview))
        else:
            doc = publishing.save_draft(
                None, user=user, organisation=interview.organisation, title=transcript_title(interview), genre=genre,
                body_html=transcript_html(interview), keywords="在线访谈,访谈实录",
                summary=f"{interview.title}在线访谈的文字实录。", written_date=timezone.localdate(),
                disclosure=Document.Disclosure.PROACTIVE)
        interview.transcript = doc
        interview.save(update_fields=["transcript", "updated_at"])
        _record("transcript_draft", interview, user, before, document=doc.pk)
    return doc
