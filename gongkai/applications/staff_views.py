"""Disclosure applications (依申请公开) in the staff workspace: the list by due
date, registration, the detail page with one small form per action the
application allows now, the reply letter as printable HTML and as DOCX, the
disclosed files, and the office's letter templates.

Views are thin: forms shape input, gongkai.applications.services checks the
rules and permissions and writes with an audit entry. A refusal
(ValidationError) comes back on the same page as a Chinese message that says
the rule; PermissionDenied answers 403; an application outside the user's
APPLICATIONS scope answers 404, as if it did not exist."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.core import audit, calendar, permissions
from gongkai.core.dates import date_text
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.core.statute import REPLY_OUTCOME_CHOICES, REPLY_OUTCOMES
from gongkai.portal.middleware import SecurityHeadersMiddleware
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form, int_param
from gongkai.core.http import attachment_header

from . import letters, letters_docx, notice_flow, notices, notify, selectors, services
from .models import Application, ApplicationFile, Event, Fee, LetterTemplate, Notice, Notification, Reply, ReviewCase
from .staff_forms import (
    AGREES_VALUE, PLACEHOLDERS, AssignForm, CloseForm, ConfirmReceiptForm, CorrectedForm, CorrectionForm, ExtendForm,
    FeeForm, FeePaidForm, LetterTemplateForm, MergeForm, NoticeDeliveryForm, NoticeDiscardForm, NoticeReturnForm,
    NoticeSendForm, OrganAnswerForm, OrganForm, RegisterForm, ReplyForm, ReviewCaseForm, SignOffPolicyForm,
    ThirdPartyAnswerForm, ThirdPartyForm, TransferForm, handlers_of,
)

PER_PAGE = 50
S = Application.State
K = Event.Kind
NO_ACCESS = "您没有办理依申请公开的权限（须为本机关的依申请公开承办人或政务公开办管理员）。"
TEMPLATE_RULE = "告知书模板按机构设置：政务公开办管理员只能修改本单位及下级单位的模板，默认文字只有系统管理员可以修改。"
PERSONAL_RULE = "告知书和申请人提交的材料含申请人个人信息，仅限受理机关本机关的承办人员和政务公开办管理员查看。"


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("依申请公开", reverse("applications_staff:list")), *extra)


def _require_access(user) -> None:
    require(permissions.can_anywhere(user, permissions.APPLICATIONS), NO_ACCESS)


def _application_or_404(user, pk: int) -> Application:
    app = selectors.applications(user).filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在或您无权查看。")
    return app


def _sees_applicant(user, app: Application) -> bool:
    """Applicants' personal data is for the receiving organisation's own staff (not the supervising office)."""
    return permissions.can(user, permissions.APPLICANT_DATA, app.organisation_id)


# --- list ---------------------------------------------------------------------

STATE_FILTERS = [("open", "办理中的全部（未办结）"), *S.choices, ("all", "全部")]


@staff_view
def application_list(request):
    user = request.user
    _require_access(user)
    state = request.GET.get("state") or "open"
    if state not in dict(STATE_FILTERS):
        state = "open"
    today = timezone.localdate()
    open_rows = selectors.rows(user, state="open", today=today)
    found = open_rows if state == "open" else selectors.rows(user, state=state, today=today)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "applications/staff_list.html", {
        "page": page, "state": state, "states": STATE_FILTERS, "today": today,
        "to_sign": notices.to_sign(user, selectors.applications(user)),
        "can_set_signoff": permissions.can_anywhere(user, CONFIGURE),
        "summary": selectors.summary(user, today=today, open_rows=open_rows),
        "can_edit_templates": permissions.can_anywhere(user, CONFIGURE),
        "crumbs": _crumbs(),
    })


# --- register -----------------------------------------------------------------

def _registering_organisations(user):
    """Where the user may register: organisations whose applications they
    handle and whose applicants' personal data they may read (registration
    types that data in)."""
    return permissions.organisations_for_all(user, permissions.APPLICATIONS, permissions.APPLICANT_DATA)


@staff_view
def register(request):
    user = request.user
    _require_access(user)
    organisations = _registering_organisations(user)
    require(organisations.exists(), "只有受理机关本机关的承办人员和政务公开办管理员可以登记申请。")
    if request.method == "POST":
        form = RegisterForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                app, code = services.register(data["organisation"], form.applicant_data(), channel=data["channel"],
                                              user=user, received_on=data["received_on"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已登记{app.number}。")
                messages.info(request, f"申请人查询码：{code}（只显示这一次，请随受理回执告知申请人）")
                return redirect("applications_staff:detail", pk=app.pk)
    else:
        form = RegisterForm(organisations=organisations, initial={"channel": Application.Channel.IN_PERSON,
                                                                   "received_on": timezone.localdate()})
    return render(request, "applications/staff_register.html", {
        "form": form, "crumbs": _crumbs(("登记申请", "")),
    })


# --- detail and actions ---------------------------------------------------------

@dataclass(frozen=True)
class Action:
    key: str
    title: str
    button: str
    form: type
    run: Callable  # (request, app, cleaned_data) -> success message


def _run_confirm(request, app, data):
    services.confirm_receipt(app, on=data["on"], user=request.user)
    return f"已确认收到申请，收到日期为{data['on']:%Y年%m月%d日}，答复期限自次日起算。"


def _run_assign(request, app, data):
    services.assign(app, data["handler"], user=request.user)
    return f"已分办给{data['handler'].get_username()}。"


def _drafter(kind: str) -> Callable:
    """The run of an action that drafts a notice of `kind` and submits it for sign-off."""
    def run(request, app, data):
        files = data.pop("files", None) or []
        notice = notices.draft(app, kind, data, user=request.user, files=files)
        label = notice_flow.KINDS[kind].label
        message = f"已起草{label}并提交签发；签发后发出，期限按发出之日计算。"
        return message, reverse("applications_staff:notice", args=[app.pk, notice.pk])
    return run


def _run_corrected(request, app, data):
    services.receive_correction(app, user=request.user, on=data["on"])
    return "已登记收到补正，答复期限自收到补正之日起重新计算。"


def _run_close_correction(request, app, data):
    services.close_without_correction(app, user=request.user, on=data["on"])
    return "申请人逾期未补正，视为放弃申请，已终止办理。"


def _run_third_party_answer(request, app, data):
    services.third_party_answer(app, user=request.user, on=data["on"], agrees=AGREES_VALUE[data["agrees"]],
                                note=data["note"])
    return "已登记第三方意见。"


def _run_organ_answer(request, app, data):
    services.organ_answer(app, user=request.user, on=data["on"], agrees=AGREES_VALUE[data["agrees"]], note=data["note"])
    return "已登记其他机关意见。"


def _run_fee_paid(request, app, data):
    services.pay_fee(app, user=request.user, on=data["on"])
    return "已登记缴费。"


def _run_close_payment(request, app, data):
    services.close_without_payment(app, user=request.user, on=data["on"])
    return "申请人逾期未缴纳信息处理费，已终止办理。"


def _run_merge(request, app, data):
    services.merge(app, into=data["into"], user=request.user)
    return f"已与{data['into'].number}合并办理。"


def _run_review_case(request, app, data):
    services.record_review_case(user=request.user, organisation=app.organisation, kind=data["kind"],
                                filed_on=data["filed_on"], application=app, result=data["result"],
                                decided_on=data["decided_on"], note=data["note"])
    return "已登记行政复议或行政诉讼案件。"


ACTIONS = {a.key: a for a in [
    Action("confirm", "确认收到", "确认收到", ConfirmReceiptForm, _run_confirm),
    Action("assign", "分办", "分办", AssignForm, _run_assign),
    Action("correction", "起草补正告知书", "提交签发", CorrectionForm, _drafter(notice_flow.CORRECTION)),
    Action("corrected", "收到补正", "登记收到补正", CorrectedForm, _run_corrected),
    Action("close_correction", "逾期未补正", "视为放弃申请，终止办理", CloseForm, _run_close_correction),
    Action("extend", "起草延期答复告知书（由政务公开办负责人签发）", "提交签发", ExtendForm, _drafter(notice_flow.EXTENSION)),
    Action("third_party", "起草征求第三方意见书", "提交签发", ThirdPartyForm, _drafter(notice_flow.THIRD_PARTY)),
    Action("third_party_answer", "第三方意见及决定", "登记第三方意见", ThirdPartyAnswerForm, _run_third_party_answer),
    Action("organ", "起草征求意见函（其他机关）", "提交签发", OrganForm, _drafter(notice_flow.ORGAN)),
    Action("organ_answer", "其他机关意见", "登记其他机关意见", OrganAnswerForm, _run_organ_answer),
    Action("fee", "起草收费通知书", "提交签发", FeeForm, _drafter(notice_flow.FEE)),
    Action("fee_paid", "缴纳费用", "登记缴费", FeePaidForm, _run_fee_paid),
    Action("close_payment", "逾期未缴费", "不再处理，终止办理", CloseForm, _run_close_payment),
    Action("reply", "起草答复告知书", "提交签发", ReplyForm, _drafter(notice_flow.REPLY)),
    Action("transfer", "起草转送告知书（转送其他机关）", "提交签发", TransferForm, _drafter(notice_flow.TRANSFER)),
    Action("merge", "合并重复申请", "合并", MergeForm, _run_merge),
    Action("review_case", "行政复议或行政诉讼", "登记案件", ReviewCaseForm, _run_review_case),
]}


def _open_count(kinds: list[str], sent: str, answered: str) -> bool:
    return kinds.count(sent) > kinds.count(answered)


# The actions that draft a notice, and its kind.
NOTICE_ACTIONS = {"correction": notice_flow.CORRECTION, "extend": notice_flow.EXTENSION,
                  "third_party": notice_flow.THIRD_PARTY, "organ": notice_flow.ORGAN, "fee": notice_flow.FEE,
                  "reply": notice_flow.REPLY, "transfer": notice_flow.TRANSFER}


def _available(user, app: Application, kinds: list[str], fee, drafting: set[str] = frozenset()) -> list[str]:
    """The actions the application allows now, in the order of the page
    (`drafting`: the kinds of its notices not yet sent, which are not drafted
    twice; drafting needs the applicant's data, which the letters carry). The
    services check again (and say the rule) whatever is posted."""
    found = []
    open_ = app.is_open
    if app.state == S.PENDING:
        found.append("confirm")
    if open_:
        found.append("assign")
    if app.state == S.PROCESSING:
        found.append("correction")
    if app.state == S.CORRECTION:
        found += ["corrected", "close_correction"]
    if open_ and app.state != S.PENDING and K.EXTENDED not in kinds:
        found.append("extend")
    if app.state in (S.PROCESSING, S.PAUSED):
        found.append("third_party_answer" if _open_count(kinds, K.THIRD_PARTY_SENT, K.THIRD_PARTY_ANSWERED) else "third_party")
        found.append("organ_answer" if _open_count(kinds, K.ORGAN_SENT, K.ORGAN_ANSWERED) else "organ")
        if fee is None:
            found.append("fee")
    if fee is not None and fee.paid_on is None and app.state == S.PAUSED:
        found += ["fee_paid", "close_payment"]
    if app.state == S.PROCESSING:
        found.append("reply")
    if open_:
        found += ["transfer", "merge"]
    found.append("review_case")
    may_draft = notices.may_handle(user, app)
    return [key for key in found
            if key not in NOTICE_ACTIONS or (may_draft and NOTICE_ACTIONS[key] not in drafting)]


AGREES_TEXT = {True: "同意公开", False: "不同意公开", None: "逾期未提出意见"}


def _detail_text(event: Event) -> str:
    """An event's recorded details in words, for the history."""
    detail = event.detail or {}
    parts = []
    if "agrees" in detail:
        parts.append(AGREES_TEXT.get(detail["agrees"], ""))
    if detail.get("by"):
        parts.append(f"补正期限至{detail['by']}")
    if event.kind == K.EXTENDED and detail.get("days"):
        parts.append(f"延长{detail['days']}个工作日")
    if detail.get("outcome"):
        parts.append(dict(REPLY_OUTCOME_CHOICES).get(detail["outcome"], detail["outcome"]))
    return "；".join(p for p in parts if p)


SYSTEM_ACTOR = "system"  # gongkai.core.audit.actor_name of no signed-in user


def _actor_labels(events: list[Event]) -> None:
    """Name who did each step, for the log: the member of staff's full name
    (and username), the applicant for an online submission (the only step
    taken without a signed-in user other than the daily job), the scheduled
    job for the rest; never a bare "system"."""
    from django.contrib.auth import get_user_model

    usernames = {e.actor for e in events if e.actor and e.actor != SYSTEM_ACTOR}
    User = get_user_model()
    people = {u.get_username(): u for u in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames})}
    for event in events:
        if event.actor == SYSTEM_ACTOR or not event.actor:
            if event.kind == K.RECEIVED and event.application.channel == Application.Channel.ONLINE:
                event.actor_label = "申请人（网上提交）"
            elif event.actor == SYSTEM_ACTOR:
                event.actor_label = "系统（定时任务）"
            else:
                event.actor_label = "—"
            continue
        user = people.get(event.actor)
        full = user.get_full_name().strip() if user else ""
        event.actor_label = f"{full}（{event.actor}）" if full and full != event.actor else event.actor


def _correction_by(request: Event) -> str:
    by, missing = services.correction_period(request)
    text = date_text(by)
    return f"{text}（{calendar.provisional_note(missing)}）" if missing else text


def _fee_of(app: Application) -> Fee | None:
    return Fee.objects.filter(application=app).first()


def _render_detail(request, app: Application, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    sees_applicant = _sees_applicant(user, app)
    row = selectors.row_for(app, personal=sees_applicant)
    events = list(app.events.all())
    for event in events:
        event.detail_text = _detail_text(event)
    _actor_labels(events)
    kinds = [e.kind for e in events]
    fee = _fee_of(app)
    app_notices = list(app.notices.select_related("drafted_by", "signed_by").order_by("id"))
    drafting = {n.kind for n in app_notices if n.is_open}
    forms = []
    for key in _available(user, app, kinds, fee, drafting):
        spec = ACTIONS[key]
        form = bound.get(key) or spec.form(app=app, personal=sees_applicant)
        forms.append({"key": key, "title": spec.title, "button": spec.button, "form": form,
                      "multipart": key == "reply"})
    for key, form in bound.items():  # a refused action no longer offered still shows its message
        if key not in {f["key"] for f in forms}:
            spec = ACTIONS[key]
            forms.insert(0, {"key": key, "title": spec.title, "button": spec.button, "form": form,
                             "multipart": key == "reply"})
    correction = next((e for e in reversed(events) if e.kind == K.CORRECTION_REQUESTED), None)
    files = list(app.files.all())
    return render(request, "applications/staff_detail.html", {
        "app": app, "row": row, "clock": row.clock, "events": events, "fee": fee, "reply": _reply_of(app),
        "moved": services.calendar_changed(app, row.clock) if app.is_open else None,
        "correction_by": _correction_by(correction) if correction and app.state == S.CORRECTION else None,
        "disclosed": [f for f in files if f.role == ApplicationFile.Role.DISCLOSED],
        "other_files": [f for f in files if f.role != ApplicationFile.Role.DISCLOSED],
        "review_cases": list(ReviewCase.objects.filter(application=app)),
        "notices": app_notices,
        "notifications": list(app.notifications.order_by("id")) if sees_applicant else [],
        "failed_notifications": notify.failed(app) if sees_applicant else [],
        "forms": forms, "refused": bool(bound), "sees_applicant": sees_applicant,
        "crumbs": _crumbs((app.number, "")),
    })


def _reply_of(app: Application) -> Reply | None:
    return Reply.objects.filter(application=app).first()


@staff_view
def detail(request, pk: int):
    app = _application_or_404(request.user, pk)
    return _render_detail(request, app)


@staff_view
@require_POST
def act(request, pk: int, action: str):
    app = _application_or_404(request.user, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这项操作。")
    if action in NOTICE_ACTIONS:
        require(notices.may_handle(request.user, app), notices.HANDLER_RULE)
    form = spec.form(request.POST, request.FILES, app=app, personal=_sees_applicant(request.user, app))
    if form.is_valid():
        try:
            result = spec.run(request, app, dict(form.cleaned_data))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            message, target = result if isinstance(result, tuple) else (result, None)
            messages.success(request, message)
            return redirect(target or reverse("applications_staff:detail", args=[app.pk]))
    app = _application_or_404(request.user, pk)
    return _render_detail(request, app, {action: form})


# --- the reply letter and the files ------------------------------------------------

def _replied(user, pk: int):
    app = _application_or_404(user, pk)
    require(_sees_applicant(user, app), PERSONAL_RULE)
    reply = _reply_of(app)
    if reply is None:
        raise Http404("该申请尚未答复，没有告知书。")
    return app, reply


def _letter_filename(app: Application, reply) -> str:
    name = reply.letter_number or app.number
    for bad in '\\/:*?"<>|\r\n':
        name = name.replace(bad, "_")
    return f"{name}.docx"


@staff_view
def letter_html(request, pk: int):
    app, reply = _replied(request.user, pk)
    nonce = secrets.token_urlsafe(16)
    response = render(request, "applications/letter_print.html", {
        "app": app, "reply": reply, "parts": letters_docx.letter_parts(app, reply), "nonce": nonce,
        "disclosed": list(app.files.filter(role=ApplicationFile.Role.DISCLOSED)),
    })
    # The print layout is one small <style> block of this page only: allow it by nonce, keep the rest of the policy.
    response["Content-Security-Policy"] = SecurityHeadersMiddleware.POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    return response


@staff_view
def letter_docx(request, pk: int):
    app, reply = _replied(request.user, pk)
    response = HttpResponse(letters_docx.build(app, reply),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = attachment_header(_letter_filename(app, reply))
    response["Cache-Control"] = "no-store"
    return response


@staff_view
def consultation_docx(request, pk: int, event_id: int):
    """The written consultation sent to a third party (Art. 32)."""
    app = _application_or_404(request.user, pk)
    event = app.events.filter(pk=event_id, kind=Event.Kind.THIRD_PARTY_SENT).first()
    if event is None:
        raise Http404("没有该征求意见记录。")
    response = HttpResponse(letters_docx.build_consultation(app, event),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = attachment_header(f"{app.number}征求第三方意见书.docx")
    response["Cache-Control"] = "no-store"
    return response


@staff_view
def file_download(request, pk: int, file_id: int):
    app = _application_or_404(request.user, pk)
    item = app.files.filter(pk=file_id).first()
    if item is None:
        raise Http404("文件不存在。")
    if item.role != ApplicationFile.Role.DISCLOSED:
        require(_sees_applicant(request.user, app), PERSONAL_RULE)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件已不存在于存储中。")
    response = FileResponse(handle, as_attachment=True, filename=item.name or item.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


# --- letter templates --------------------------------------------------------------
# Per organisation, inherited down the tree (see letters.py). An office
# administrator rewords the templates of their organisations and those below;
# the installation's default (no organisation) is the system administrator's.

# The office administrator's reach (own organisations and those below):
# core.permissions has no action of its own for an organisation's settings.
CONFIGURE = permissions.MANAGE_MEMBERS
DEFAULT_LEVEL = "default"


def _can_edit_templates(user, organisation: Organisation | None) -> bool:
    if organisation is None:
        return permissions.is_superuser(user)
    return permissions.can(user, CONFIGURE, organisation)


def _template_organisations(user) -> set[int] | None:
    """The organisations whose templates `user` may read: where they handle
    applications or may reword templates (None: all)."""
    handles = permissions.organisations_for(user, permissions.APPLICATIONS)
    configures = permissions.organisations_for(user, CONFIGURE)
    if handles is None or configures is None:
        return None
    return handles | configures


def _template_level(user, raw: str | None) -> Organisation | None:
    """The organisation whose templates the page shows (`org`: an id, or
    "default" for the installation's default). Without one: the system
    administrator's default, or the highest organisation the user rewords
    (else reads). Outside the user's reach: 404."""
    visible = _template_organisations(user)
    raw = (raw or "").strip()
    if raw == DEFAULT_LEVEL:
        return None
    if raw:
        pk = int_param(raw)
        if pk is None or (visible is not None and pk not in visible):
            raise Http404("没有这个机构或您无权查看其模板。")
        return get_object_or_404(Organisation, pk=pk)
    if visible is None:
        return None
    pool = permissions.organisations_for(user, CONFIGURE) or visible
    return Organisation.objects.filter(pk__in=pool).exclude(parent_id__in=pool).order_by("sort_order", "id").first()


def _template_rows(level: Organisation | None, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    used_by: dict[str, list[str]] = {kind: [info.label] for kind, info in notice_flow.KINDS.items() if kind != "reply"}
    for code, label, _, _, letter in REPLY_OUTCOMES:
        used_by.setdefault(letter, []).append(label)
    rows = []
    for key, (title, body, row) in letters.templates_for(level).items():
        own = row is not None and row.organisation_id == (level.pk if level else None)
        if row is None:
            source = "默认文字"
        elif row.organisation_id is None:
            source = "默认文字，已修改" if level is None else "默认文字（系统管理员修改）"
        elif own:
            source = "本机构已修改"
        else:
            source = f"沿用{row.organisation.name}的文字"
        form = bound.get(key) or LetterTemplateForm(key=key, initial={"key": key, "title": title, "body": body})
        rows.append({"key": key, "title": title, "body": body, "changed": own, "source": source,
                     "used_by": used_by.get(key, []), "form": form, "placeholders": letters.placeholders_for(key)})
    return rows


@transaction.atomic
def _save_template(user, organisation: Organisation | None, key: str, title: str, body: str) -> LetterTemplate:
    if not _can_edit_templates(user, organisation):
        raise PermissionDenied(TEMPLATE_RULE)
    row = LetterTemplate.objects.select_for_update(**ROW_LOCK).filter(key=key, organisation=organisation).first()
    before = audit.state_of(row) if row else None
    if row is None:
        row = LetterTemplate(key=key, organisation=organisation)
    row.title, row.body = title, body
    row.save()
    audit.record("letter_template.save", "letter_template", row.pk, actor=audit.actor_name(user),
                 before=before, after=audit.state_of(row),
                 detail={"key": key, "organisation": organisation.pk if organisation else None})
    return row


@transaction.atomic
def _reset_template(user, organisation: Organisation | None, key: str) -> bool:
    if not _can_edit_templates(user, organisation):
        raise PermissionDenied(TEMPLATE_RULE)
    row = LetterTemplate.objects.select_for_update(**ROW_LOCK).filter(key=key, organisation=organisation).first()
    if row is None:
        return False
    before, pk = audit.state_of(row), row.pk
    row.delete()
    audit.record("letter_template.reset", "letter_template", pk, actor=audit.actor_name(user), before=before,
                 detail={"key": key, "organisation": organisation.pk if organisation else None})
    return True


@staff_view
def templates(request):
    user = request.user
    require(permissions.can_anywhere(user, permissions.APPLICATIONS) or permissions.can_anywhere(user, CONFIGURE),
            NO_ACCESS)
    level = _template_level(user, request.POST.get("org") if request.method == "POST" else request.GET.get("org"))
    can_edit = _can_edit_templates(user, level)
    back = f"{reverse('applications_staff:templates')}?org={level.pk if level else DEFAULT_LEVEL}"
    bound = {}
    if request.method == "POST":
        require(can_edit, TEMPLATE_RULE)
        key = request.POST.get("key", "")
        if key not in letters.DEFAULT_TEMPLATES:
            raise Http404("没有这个模板。")
        if request.POST.get("op") == "reset":
            if _reset_template(user, level, key):
                messages.success(request, f"已恢复“{letters.DEFAULT_TEMPLATES[key][0]}”的上级机构或默认文字。")
            return redirect(f"{back}#tpl-{key}")
        form = LetterTemplateForm(request.POST, key=key)
        if form.is_valid():
            _save_template(user, level, key, form.cleaned_data["title"], form.cleaned_data["body"])
            messages.success(request, f"已保存模板“{form.cleaned_data['title']}”，此后作出的答复使用新的文字。")
            return redirect(f"{back}#tpl-{key}")
        bound[key] = form
    visible = _template_organisations(user)
    levels = Organisation.objects.order_by("sort_order", "id")
    if visible is not None:
        levels = levels.filter(pk__in=visible)
    return render(request, "applications/staff_templates.html", {
        "rows": _template_rows(level, bound), "can_edit": can_edit, "placeholders": PLACEHOLDERS,
        "level": level, "levels": levels, "default_level": DEFAULT_LEVEL,
        "crumbs": _crumbs(("告知书模板", "")),
    })


# --- notices: sign-off, sending, printing ---------------------------------------------------
# A notice's page shows the letter as it would go out today (or as it went
# out), its history with every version, and the moves the user may take now.

def _notice_or_404(user, pk: int, notice_id: int) -> tuple[Application, Notice]:
    app = _application_or_404(user, pk)
    notice = app.notices.select_related("drafted_by", "signed_by", "sent_by").filter(pk=notice_id).first()
    if notice is None:
        raise Http404("没有这份告知书。")
    require(_sees_applicant(user, app), PERSONAL_RULE)
    return app, notice


def _notice_form(notice: Notice, data=None, files=None):
    """The drafting form of the notice's action, filled with its current content."""
    key = next(key for key, kind in NOTICE_ACTIONS.items() if kind == notice.kind)
    spec = ACTIONS[key]
    initial = dict(notice.payload)
    return spec, spec.form(data, files, app=notice.application, personal=True, initial=initial)


def _payload_text(name: str, value, outcomes: dict) -> str:
    if name == "outcome":
        return outcomes.get(value, value)
    if name == "to":
        return Organisation.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    if name == "basis":
        return dict(Fee.Basis.choices).get(value, value)
    return str(value)


def _history(notice: Notice) -> list:
    """The notice's steps, each with its version's content in words."""
    steps = list(notice.steps.select_related("actor"))
    labels = {**notice_flow.MOVE_LABELS, "draft": "起草"}
    form = _notice_form(notice)[1]
    names = {name: field.label for name, field in form.fields.items()}
    outcomes = dict(REPLY_OUTCOME_CHOICES)
    for step in steps:
        step.label = labels.get(step.action, step.action)
        step.state_label = notice_flow.STATE_LABELS.get(step.to_state, step.to_state)
        step.fields = [(names.get(name, name), _payload_text(name, value, outcomes))
                       for name, value in (step.payload or {}).items() if value not in ("", None)]
    return steps


def _render_notice(request, app: Application, notice: Notice, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    handles = notices.may_handle(user, app)
    refusal_to_sign = notices.sign_refusal(user, notice) if notice.state == notice_flow.PENDING else ""
    may_sign = notice.state in (notice_flow.PENDING, notice_flow.SIGNED) and notices.may_sign(user, app, notice.kind)
    if notice.state == notice_flow.SENT:
        parts, blocked = notice.parts, ""
    elif notice.state == notice_flow.DISCARDED:
        parts, blocked = None, ""
    else:
        parts, blocked = notices.preview_or_refusal(notice, user)
    history = _history(notice)
    # A refused form is shown with its errors whatever the state now; a fresh one where the move is open.
    editing = bound.get("edit")
    if editing is None and handles and notice.state in (notice_flow.DRAFT, notice_flow.RETURNED):
        editing = _notice_form(notice)[1]
    send_form = bound.get("send")
    if send_form is None and handles and notice.state == notice_flow.SIGNED:
        send_form = NoticeSendForm(channels=notices.channels(notice), initial_channel=notices.default_channel(notice))
    delivery_form = bound.get("delivery")
    if delivery_form is None and handles and notice.state == notice_flow.SENT \
            and notice.channel in (Notice.Channel.POST, Notice.Channel.IN_PERSON):
        delivery_form = NoticeDeliveryForm()
    return render(request, "applications/staff_notice.html", {
        "app": app, "notice": notice, "parts": parts, "blocked": blocked, "history": history,
        "handles": handles, "may_sign": may_sign and not refusal_to_sign, "refusal_to_sign": refusal_to_sign,
        "return_form": bound.get("return") or NoticeReturnForm(auto_id="id_return_%s"),
        "discard_form": bound.get("discard") or NoticeDiscardForm(auto_id="id_discard_%s"),
        "edit_form": editing, "send_form": send_form, "delivery_form": delivery_form,
        "files": list(notice.files.all()), "refused": bool(bound),
        "returned_reason": next((step.comment for step in reversed(history) if step.action == notice_flow.RETURN), ""),
        "crumbs": _crumbs((app.number, reverse("applications_staff:detail", args=[app.pk])),
                          (notice.number or notice.get_kind_display(), "")),
    }, status=status)


@staff_view
def notice(request, pk: int, notice_id: int):
    app, item = _notice_or_404(request.user, pk, notice_id)
    return _render_notice(request, app, item)


NOTICE_OPS = {"submit", "recall", "sign", "return", "send", "discard", "edit", "delivery"}


@staff_view
@require_POST
def notice_act(request, pk: int, notice_id: int, op: str):
    if op not in NOTICE_OPS:
        raise Http404("没有这项操作。")
    user = request.user
    app, item = _notice_or_404(user, pk, notice_id)
    form = None
    try:
        if op == "submit":
            notices.submit(item, user=user)
            message = "已提交签发。"
        elif op == "recall":
            notices.recall(item, user=user)
            message = "已撤回，可修改后重新提交签发。"
        elif op == "sign":
            notices.sign(item, user=user)
            message = "已签发，承办人可以发出。"
        elif op == "return":
            form = NoticeReturnForm(request.POST, auto_id="id_return_%s")
            form.is_valid()
            notices.return_(item, user=user, reason=form.cleaned_data.get("reason", ""))
            message = "已退回起草人修改。"
        elif op == "discard":
            form = NoticeDiscardForm(request.POST, auto_id="id_discard_%s")
            form.is_valid()
            notices.discard(item, user=user, reason=form.cleaned_data.get("reason", ""))
            message = "已作废。"
        elif op == "edit":
            require(notices.may_handle(user, app), notices.HANDLER_RULE)
            spec, form = _notice_form(item, request.POST, request.FILES)
            if not form.is_valid():
                return _render_notice(request, app, item, {"edit": form})
            data = dict(form.cleaned_data)
            files = data.pop("files", None) or []
            notices.edit(item, data, user=user, files=files)
            message = "已修改（新版本）并重新提交签发。"
        elif op == "send":
            form = NoticeSendForm(request.POST, channels=notices.channels(item))
            if not form.is_valid():
                return _render_notice(request, app, item, {"send": form})
            data = form.cleaned_data
            item = notices.send(item, user=user, channel=data["channel"], on=data["on"],
                                delivery_note=data["delivery_note"])
            message = f"已发出{item.title}（{item.number}）。"
            if item.channel in (Notice.Channel.POST, Notice.Channel.IN_PERSON):
                message += "请打印告知书" + ("和信封" if item.channel == Notice.Channel.POST else "和送达回证") + "。"
        else:  # delivery
            form = NoticeDeliveryForm(request.POST)
            if not form.is_valid():
                return _render_notice(request, app, item, {"delivery": form})
            notices.record_delivery(item, user=user, on=form.cleaned_data["on"], note=form.cleaned_data["note"])
            message = "已登记送达。"
    except ValidationError as exc:
        item.refresh_from_db()
        if form is None:  # a move without a form (submit, recall, sign): the rule above the page
            messages.error(request, "；".join(exc.messages))
            return redirect("applications_staff:notice", pk=app.pk, notice_id=item.pk)
        errors_to_form(form, exc)
        return _render_notice(request, app, item, {op: form})
    messages.success(request, message)
    return redirect("applications_staff:notice", pk=app.pk, notice_id=item.pk)


def _print_response(request, template: str, context: dict):
    nonce = secrets.token_urlsafe(16)
    response = render(request, template, {**context, "nonce": nonce})
    response["Content-Security-Policy"] = SecurityHeadersMiddleware.POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    return response


def _sent_notice(user, pk: int, notice_id: int) -> tuple[Application, Notice]:
    app, item = _notice_or_404(user, pk, notice_id)
    if item.state != notice_flow.SENT:
        raise Http404("告知书尚未发出：发出时才编号和落款。")
    return app, item


@staff_view
def notice_print(request, pk: int, notice_id: int):
    """The letter as sent, to print: with the envelope when it goes by post, with the
    receipt to sign (送达回证) when handed over in person."""
    app, item = _sent_notice(request.user, pk, notice_id)
    addressee = _addressee(app, item)
    return _print_response(request, "applications/notice_print.html", {
        "app": app, "notice": item, "parts": item.parts, "addressee": addressee,
        "envelope": item.channel == Notice.Channel.POST, "receipt": item.channel == Notice.Channel.IN_PERSON,
        "disclosed": list(app.files.filter(role=ApplicationFile.Role.DISCLOSED)) if item.kind == notice_flow.REPLY else [],
    })


def _addressee(app: Application, item: Notice) -> dict:
    """Who the letter goes to, for the envelope and the receipt."""
    if item.to_applicant:
        return {"name": app.applicant_name, "address": app.address, "postcode": app.postcode, "phone": app.phone}
    name = item.payload.get("party") or item.payload.get("organ") or ""
    return {"name": name, "address": item.payload.get("address", ""), "postcode": "", "phone": ""}


@staff_view
def notice_docx(request, pk: int, notice_id: int):
    app, item = _sent_notice(request.user, pk, notice_id)
    response = HttpResponse(letters_docx.build_notice(item),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = attachment_header(_safe_name(item.number) + ".docx")
    response["Cache-Control"] = "no-store"
    return response


def _safe_name(name: str) -> str:
    for bad in '\\/:*?"<>|\r\n':
        name = name.replace(bad, "_")
    return name


@staff_view
@require_POST
def notification_resend(request, pk: int, notification_id: int):
    """Send a failed message to the applicant again, now."""
    app = _application_or_404(request.user, pk)
    require(notices.may_handle(request.user, app), notices.HANDLER_RULE)
    row = app.notifications.filter(pk=notification_id).first()
    if row is None:
        raise Http404("没有这条通知。")
    if row.state == Notification.State.SENT:
        messages.info(request, "该通知已发送。")
    else:
        result = notify.deliver(row.pk)
        audit.record("application.notification_resend", "application", app.pk, actor=audit.actor_name(request.user),
                     detail={"notification": row.pk, "channel": row.channel, "result": result})
        if result == "sent":
            messages.success(request, "已重新发送。")
        else:
            row.refresh_from_db()
            messages.error(request, f"仍未发送成功：{row.last_error}")
    return redirect(reverse("applications_staff:detail", args=[app.pk]) + "#notifications-h")


# --- the sign-off policy ---------------------------------------------------------------------------

def _policy_organisations(user):
    scope = permissions.organisations_for(user, permissions.MANAGE_MEMBERS)
    qs = Organisation.objects.order_by("sort_order", "id")
    return qs if scope is None else qs.filter(pk__in=scope)


@staff_view
def signoff(request):
    """Who signs each organisation's notices besides its office head, and whether drafters may sign their own."""
    user = request.user
    organisations = _policy_organisations(user)
    require(organisations.exists(), notices.POLICY_DENIED)
    raw = request.POST.get("org") if request.method == "POST" else request.GET.get("org")
    pk = int_param(raw)
    organisation = organisations.filter(pk=pk).first() if pk else organisations.first()
    if organisation is None:
        raise Http404("没有这个机构或您无权设置其签发规则。")
    candidates = handlers_of(organisation).filter(memberships__organisation=organisation).distinct()
    own = notices.SignOffPolicy.objects.filter(organisation=organisation).first()
    in_force = notices.policy_for(organisation)
    if request.method == "POST":
        form = SignOffPolicyForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                notices.set_policy(organisation, user=user, drafter_may_sign=form.cleaned_data["drafter_may_sign"],
                                   signers=form.cleaned_data["signers"], reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存{organisation.name}的告知书签发规则。")
                return redirect(f"{reverse('applications_staff:signoff')}?org={organisation.pk}")
    else:
        initial = {"drafter_may_sign": own.drafter_may_sign, "reason": own.reason,
                   "signers": list(own.signers.all())} if own else {}
        form = SignOffPolicyForm(candidates=candidates, initial=initial)
    return render(request, "applications/staff_signoff.html", {
        "organisations": organisations, "organisation": organisation, "form": form, "own": own,
        "in_force": in_force, "crumbs": _crumbs(("告知书签发规则", "")),
    })
