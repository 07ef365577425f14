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

from gongkai.core import audit, permissions
from gongkai.core.models import Organisation
from gongkai.core.statute import REPLY_OUTCOME_CHOICES, REPLY_OUTCOMES
from gongkai.portal.middleware import SecurityHeadersMiddleware
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form, int_param
from gongkai.core.http import attachment_header

from . import letters, letters_docx, selectors, services
from .models import Application, ApplicationFile, Event, Fee, LetterTemplate, Reply, ReviewCase
from .staff_forms import (
    AGREES_VALUE, PLACEHOLDERS, AssignForm, CloseForm, ConfirmReceiptForm, CorrectedForm, CorrectionForm, ExtendForm,
    FeeForm, FeePaidForm, LetterTemplateForm, MergeForm, OrganAnswerForm, OrganForm, RegisterForm, ReplyForm,
    ReviewCaseForm, ThirdPartyAnswerForm, ThirdPartyForm, TransferForm,
)

PER_PAGE = 50
S = Application.State
K = Event.Kind
NO_ACCESS = "您没有办理依申请公开的权限（须为本机关的依申请公开承办人或政务公开办管理员）。"
EXTENSION_RULE = "延长答复期限须经政务公开办负责人（管理员）批准（条例第三十三条）；承办人不能自行延期。"
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
        "summary": selectors.summary(user, today=today, open_rows=open_rows),
        "can_edit_templates": permissions.can_anywhere(user, CONFIGURE),
        "crumbs": _crumbs(),
    })


# --- register -----------------------------------------------------------------

def _registering_organisations(user):
    """Where the user may register: organisations whose applications they
    handle and whose applicants' personal data they may read (registration
    types that data in)."""
    qs = Organisation.objects.order_by("sort_order", "id")
    for action in (permissions.APPLICATIONS, permissions.APPLICANT_DATA):
        scope = permissions.organisations_for(user, action)
        if scope is not None:
            qs = qs.filter(pk__in=scope)
    return qs


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


def _run_correction(request, app, data):
    services.request_correction(app, user=request.user, items=data["items"], period_workdays=data["period_workdays"],
                                on=data["on"])
    return "已告知补正，答复期限暂停计算，收到补正后重新计算。"


def _run_corrected(request, app, data):
    services.receive_correction(app, user=request.user, on=data["on"])
    return "已登记收到补正，答复期限自收到补正之日起重新计算。"


def _run_close_correction(request, app, data):
    services.close_without_correction(app, user=request.user, on=data["on"])
    return "申请人逾期未补正，视为放弃申请，已终止办理。"


def _run_extend(request, app, data):
    services.extend(app, user=request.user, days=data["days"], reason=data["reason"], on=data["on"])
    return f"已批准延长答复期限{data['days']}个工作日，请告知申请人。"


def _run_third_party(request, app, data):
    services.consult_third_party(app, user=request.user, party=data["party"], on=data["on"])
    return "已登记征求第三方意见，所需时间不计入答复期限。"


def _run_third_party_answer(request, app, data):
    services.third_party_answer(app, user=request.user, on=data["on"], agrees=AGREES_VALUE[data["agrees"]],
                                note=data["note"])
    return "已登记第三方意见。"


def _run_organ(request, app, data):
    services.consult_organ(app, user=request.user, organ=data["organ"], on=data["on"])
    return "已登记征求其他机关意见，所需时间不计入答复期限。"


def _run_organ_answer(request, app, data):
    services.organ_answer(app, user=request.user, on=data["on"], agrees=AGREES_VALUE[data["agrees"]], note=data["note"])
    return "已登记其他机关意见。"


def _run_fee(request, app, data):
    if Fee.objects.filter(application=app).exists():
        raise ValidationError("本申请已发出过收费通知，同一申请只收取一次信息处理费。")
    fee = services.notify_fee(app, user=request.user, basis=data["basis"], quantity=data["quantity"],
                              reason=data["reason"], on=data["on"])
    return f"已发出收费通知：信息处理费{fee.amount}元，缴费期间不计入答复期限。"


def _run_fee_paid(request, app, data):
    services.pay_fee(app, user=request.user, on=data["on"])
    return "已登记缴费。"


def _run_close_payment(request, app, data):
    services.close_without_payment(app, user=request.user, on=data["on"])
    return "申请人逾期未缴纳信息处理费，已终止办理。"


def _run_reply(request, app, data):
    with transaction.atomic():
        reply = services.reply(app, user=request.user, outcome=data["outcome"], on=data["on"], reasons=data["reasons"],
                               provided=data["provided"], where_published=data["where_published"],
                               responsible_organ=data["responsible_organ"])
        for upload in data["files"]:
            ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED, file=upload,
                                           name=upload.name[:200])
        if data["files"]:
            audit.record("application.disclosed_files", "application", app.pk, actor=audit.actor_name(request.user),
                         detail={"files": len(data["files"])})
    extra = f"，附公开的信息{len(data['files'])}个文件" if data["files"] else ""
    return f"已答复（{reply.get_outcome_display()}）{extra}，可打印或下载告知书。"


def _run_transfer(request, app, data):
    services.transfer(app, user=request.user, to=data["to"], on=data["on"], note=data["note"])
    return f"已转送{data['to'].name}，请告知申请人。"


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
    Action("correction", "告知补正", "发出补正告知", CorrectionForm, _run_correction),
    Action("corrected", "收到补正", "登记收到补正", CorrectedForm, _run_corrected),
    Action("close_correction", "逾期未补正", "视为放弃申请，终止办理", CloseForm, _run_close_correction),
    Action("extend", "延期答复（须政务公开办负责人批准）", "批准延期", ExtendForm, _run_extend),
    Action("third_party", "征求第三方意见", "登记征求意见", ThirdPartyForm, _run_third_party),
    Action("third_party_answer", "第三方意见及决定", "登记第三方意见", ThirdPartyAnswerForm, _run_third_party_answer),
    Action("organ", "征求其他机关意见", "登记征求意见", OrganForm, _run_organ),
    Action("organ_answer", "其他机关意见", "登记其他机关意见", OrganAnswerForm, _run_organ_answer),
    Action("fee", "收费通知", "发出收费通知", FeeForm, _run_fee),
    Action("fee_paid", "缴纳费用", "登记缴费", FeePaidForm, _run_fee_paid),
    Action("close_payment", "逾期未缴费", "不再处理，终止办理", CloseForm, _run_close_payment),
    Action("reply", "答复", "作出答复", ReplyForm, _run_reply),
    Action("transfer", "转送其他机关", "转送", TransferForm, _run_transfer),
    Action("merge", "合并重复申请", "合并", MergeForm, _run_merge),
    Action("review_case", "行政复议或行政诉讼", "登记案件", ReviewCaseForm, _run_review_case),
]}


def _open_count(kinds: list[str], sent: str, answered: str) -> bool:
    return kinds.count(sent) > kinds.count(answered)


def _available(user, app: Application, kinds: list[str], fee) -> list[str]:
    """The actions the application allows now, in the order of the page. The
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
    if open_ and app.state != S.PENDING and K.EXTENDED not in kinds \
            and permissions.can(user, permissions.APPROVE_EXTENSION, app.organisation_id):
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
    return found


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


def _correction_by(request: Event) -> str:
    by, missing = services.correction_period(request)
    text = selectors.date_text(by)
    return f"{text}（{selectors.provisional_note(missing)}）" if missing else text


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
    kinds = [e.kind for e in events]
    fee = _fee_of(app)
    forms = []
    for key in _available(user, app, kinds, fee):
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
    if action == "extend":
        require(permissions.can(request.user, permissions.APPROVE_EXTENSION, app.organisation_id), EXTENSION_RULE)
    form = spec.form(request.POST, request.FILES, app=app, personal=_sees_applicant(request.user, app))
    if form.is_valid():
        try:
            message = spec.run(request, app, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, message)
            return redirect("applications_staff:detail", pk=app.pk)
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
    used_by: dict[str, list[str]] = {}
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
                     "used_by": used_by.get(key, []), "form": form})
    return rows


@transaction.atomic
def _save_template(user, organisation: Organisation | None, key: str, title: str, body: str) -> LetterTemplate:
    if not _can_edit_templates(user, organisation):
        raise PermissionDenied(TEMPLATE_RULE)
    row = LetterTemplate.objects.select_for_update().filter(key=key, organisation=organisation).first()
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
    row = LetterTemplate.objects.select_for_update().filter(key=key, organisation=organisation).first()
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
