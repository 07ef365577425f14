"""Tickets (工单) in the staff workspace, mounted at /staff/interact/tickets/:
the list by due date, registration of calls, letters and visits, the detail
page with one small form per action the user may take now, the writer's
files, the statistics (chart and XLSX), the time limits (presets) and the
knowledge base.

Views are thin: forms shape input, gongkai.interaction.ticket_services
checks the rules and permissions and writes with an audit entry. A refusal
(ValidationError) comes back on the same page as a Chinese message;
PermissionDenied answers 403; a ticket outside the user's scope answers
404, as if it did not exist."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.core import permissions, xlsx
from gongkai.core.models import Organisation
from gongkai.workspace import charts
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form, int_param

from . import ticket_selectors as selectors
from . import ticket_services as services
from . import ticket_stats as stats
from .models import DeadlinePreset, KnowledgeEntry, Ticket, TicketType
from .ticket_staff_forms import (
    ApprovePublicationForm, ConfirmForm, CooperateForm, DecideDisputeForm, DecideExtensionForm, DispatchForm,
    DisputeForm, DivertForm, ExtensionForm, KnowledgeForm, PresetForm, ReasonForm, ReclassifyForm, RegisterForm,
    ReplyForm, RuleForm, StaffRateForm, TicketKnowledgeForm,
)

PER_PAGE = 50
S = Ticket.State
NO_ACCESS = "您没有办理政民互动工单的权限（须为本机构的承办人员或政务公开办管理员）。"
WRITER_RULE = "诉求人的个人信息和附件仅限受理机构和承办单位本机构的人员查看；举报件和要求保密的，仅限受理机构。"


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("政民互动工单", reverse("interaction_staff:tickets:list")), *extra)


def _require_access(user) -> None:
    require(permissions.can_anywhere(user, services.HANDLE), NO_ACCESS)


def _ticket_or_404(user, pk: int) -> Ticket:
    ticket = selectors.tickets(user).filter(pk=pk).first()
    if ticket is None:
        raise Http404("工单不存在或您无权查看。")
    return ticket


# --- list ------------------------------------------------------------------------------

STATE_FILTERS = [("open", "办理中的全部（未答复）"), ("todo", "待我审批或派单"), *S.choices, ("all", "全部")]


@staff_view
def ticket_list(request):
    user = request.user
    _require_access(user)
    state = request.GET.get("state") or "open"
    if state not in dict(STATE_FILTERS):
        state = "open"
    ticket_type = request.GET.get("type", "")
    q = (request.GET.get("q") or "").strip()[:selectors.SEARCH_MAX]
    today = timezone.localdate()
    found = selectors.rows(user, state=state, ticket_type=ticket_type, q=q, today=today)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    open_rows = found if state == "open" and not (ticket_type or q) else selectors.rows(user, state="open", today=today)
    return render(request, "interaction/tickets/staff_list.html", {
        "page": page, "state": state, "states": STATE_FILTERS, "type": ticket_type, "types": TicketType.choices,
        "q": q, "summary": selectors.summary(open_rows),
        "can_register": _registering_offices(user).exists(),
        "manages": permissions.manages_installation(user),
        "crumbs": _crumbs(),
    })


# --- register ------------------------------------------------------------------------------


def _registering_offices(user):
    return permissions.organisations_for_all(user, services.HANDLE, services.WRITER_DATA)


@staff_view
def register(request):
    user = request.user
    _require_access(user)
    offices = _registering_offices(user)
    require(offices.exists(), "只有受理机构本机构的承办人员和政务公开办管理员可以登记工单。")
    if request.method == "POST":
        form = RegisterForm(request.POST, offices=offices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket, code = services.register(data["office"], form.ticket_data(), channel=data["channel"],
                                                 user=user, received_on=data["received_on"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已登记{ticket.number}。")
                messages.info(request, f"诉求人查询码：{code}（只显示这一次，请告知诉求人）")
                return redirect("interaction_staff:tickets:detail", pk=ticket.pk)
    else:
        form = RegisterForm(offices=offices, initial={"channel": Ticket.Channel.PHONE,
                                                       "received_on": timezone.localdate()})
    return render(request, "interaction/tickets/staff_register.html", {
        "form": form, "crumbs": _crumbs(("登记来电来信", "")),
    })


# --- detail and actions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    button: str
    form: type
    run: Callable  # (request, ticket, cleaned_data) -> success message


def _run_dispatch(request, ticket, data):
    services.dispatch(ticket, to=data["to"], user=request.user, co_handlers=list(data["co_handlers"]),
                      note=data["note"])
    return f"已派单给{data['to'].name}。"


def _run_reclassify(request, ticket, data):
    ticket = services.reclassify(ticket, user=request.user, ticket_type=data["ticket_type"])
    return f"已更改为“{ticket.get_ticket_type_display()}”，办理时限{ticket.limit_workdays}个工作日。"


def _run_divert(request, ticket, data):
    services.divert(ticket, user=request.user, channel=data["channel"], note=data["note"])
    return "已告知诉求人通过相应渠道办理，工单不再办理。"


def _run_reply(request, ticket, data):
    services.reply(ticket, user=request.user, text=data["text"], on=data["on"])
    return "已答复，诉求人可凭查询码查看并评价。"


def _run_dispute(request, ticket, data):
    services.dispute(ticket, user=request.user, reason=data["reason"])
    return "已提出派单异议，等待受理机构审核；办理期限继续计算。"


def _run_decide_dispute(request, ticket, data):
    upheld = data["decision"] == "upheld"
    services.decide_dispute(ticket, user=request.user, upheld=upheld, reason=data["reason"], to=data["to"],
                            co_handlers=list(data["co_handlers"]))
    if not upheld:
        return "异议不成立，由原承办单位继续办理。"
    return f"异议成立，已改派给{data['to'].name}。" if data["to"] else "异议成立，工单已退回待派单。"


def _run_cooperate(request, ticket, data):
    services.cooperate(ticket, user=request.user, text=data["text"])
    return "已提交协办意见。"


def _run_request_extension(request, ticket, data):
    services.request_extension(ticket, user=request.user, days=data["days"], reason=data["reason"])
    return "已申请延期，等待受理机构审批。"


def _run_decide_extension(request, ticket, data):
    approve = data["decision"] == "approve"
    services.decide_extension(ticket, user=request.user, approve=approve, note=data["note"])
    return "已同意延期，并已告知诉求人。" if approve else "已不同意延期。"


def _run_rate(request, ticket, data):
    ticket = services.rate(ticket, satisfaction=data["satisfaction"], resolved=data["resolved"] == "yes",
                           comment=data["comment"], reopen=bool(data.get("reopen")), user=request.user)
    return "已登记回访评价，工单重新办理。" if ticket.state == S.HANDLING else "已登记回访评价，工单办结。"


def _run_prepare_publication(request, ticket, data):
    services.prepare_publication(ticket, user=request.user)
    return "已去标识化并提请公开，等待受理机构审核。"


def _run_approve_publication(request, ticket, data):
    services.approve_publication(ticket, user=request.user, subject=data["subject"], text=data["text"],
                                 reply_text=data["reply_text"])
    return "已公开。"


def _run_refuse_publication(request, ticket, data):
    services.refuse_publication(ticket, user=request.user, reason=data["reason"])
    return "已决定不予公开。"


def _run_withdraw_publication(request, ticket, data):
    services.withdraw_publication(ticket, user=request.user, reason=data["reason"])
    return "已撤下公开。"


def _run_knowledge(request, ticket, data):
    services.save_entry(None, user=request.user, organisation=ticket.organisation or ticket.office,
                        question=data["question"], answer=data["answer"], keywords=data["keywords"],
                        is_public=data["is_public"], source=ticket)
    return "已收入知识库，等待审核。"


ACTIONS = {a.key: a for a in [
    Action("dispatch", "派单", "派单", DispatchForm, _run_dispatch),
    Action("transfer", "改派（办理期限继续计算）", "改派", DispatchForm, _run_dispatch),
    Action("reply", "答复", "答复", ReplyForm, _run_reply),
    Action("reclassify", "更改诉求类型", "更改", ReclassifyForm, _run_reclassify),
    Action("divert", "告知其他渠道（不作为工单办理）", "告知并结束", DivertForm, _run_divert),
    Action("dispute", "派单异议（退单，每个单位只能提出一次）", "提出异议", DisputeForm, _run_dispute),
    Action("decide_dispute", "审核派单异议", "提交审核结果", DecideDisputeForm, _run_decide_dispute),
    Action("cooperate", "协办意见", "提交协办意见", CooperateForm, _run_cooperate),
    Action("request_extension", "申请延期", "申请延期", ExtensionForm, _run_request_extension),
    Action("decide_extension", "审批延期", "提交审批结果", DecideExtensionForm, _run_decide_extension),
    Action("rate", "登记回访评价", "登记评价", StaffRateForm, _run_rate),
    Action("prepare_publication", "提请公开（自动隐去个人信息）", "去标识化并提请公开", ConfirmForm, _run_prepare_publication),
    Action("approve_publication", "审核公开", "公开", ApprovePublicationForm, _run_approve_publication),
    Action("refuse_publication", "不予公开", "不予公开", ReasonForm, _run_refuse_publication),
    Action("withdraw_publication", "撤下公开", "撤下", ReasonForm, _run_withdraw_publication),
    Action("knowledge", "收入知识库", "收入知识库", TicketKnowledgeForm, _run_knowledge),
]}


def _available(user, ticket: Ticket) -> list[str]:
    """The actions this user may take on the ticket now, in page order (the services check again)."""
    found = []
    dispatcher, handler, decider = (services.can_dispatch(user, ticket), services.can_handle(user, ticket),
                                    services.can_decide(user, ticket))
    state = ticket.state
    if dispatcher and state == S.RECEIVED:
        found += ["dispatch", "reply", "reclassify", "divert"]
    if dispatcher and state == S.HANDLING:
        found.append("transfer")
    if handler and state == S.HANDLING:
        found.append("reply")
        if not ticket.events.filter(kind=services.K.DISPUTED, organisation_id=ticket.organisation_id).exists():
            found.append("dispute")
        if services.pending_extension(ticket) is None and \
                not ticket.events.filter(kind=services.K.EXTENDED, round=ticket.round).exists():
            found.append("request_extension")
    if dispatcher and state in (S.HANDLING, S.DISPUTED):
        found.append("reclassify")
    if decider and state == S.DISPUTED:
        found.append("decide_dispute")
    if services.cooperating_organisation(user, ticket) is not None and state in (S.HANDLING, S.DISPUTED):
        found.append("cooperate")
    if decider and ticket.is_open and services.pending_extension(ticket) is not None:
        found.append("decide_extension")
    if (dispatcher or handler) and state == S.ANSWERED:
        found.append("rate")
    if (dispatcher or handler) and state in (S.ANSWERED, S.CLOSED) and ticket.consent_publish \
            and not ticket.never_published \
            and ticket.publication in (Ticket.Publication.NONE, Ticket.Publication.REFUSED):
        found.append("prepare_publication")
    if decider and ticket.publication == Ticket.Publication.PENDING:
        found += ["approve_publication", "refuse_publication"]
    if decider and ticket.publication == Ticket.Publication.PUBLISHED:
        found.append("withdraw_publication")
    if (dispatcher or handler) and state in (S.ANSWERED, S.CLOSED):
        found.append("knowledge")
    return list(dict.fromkeys(found))


def _event_text(event) -> str:
    detail = event.detail or {}
    parts = []
    if event.kind in (services.K.EXTENSION_REQUESTED, services.K.EXTENDED) and detail.get("days"):
        parts.append(f"{detail['days']}个工作日")
    if detail.get("satisfaction"):
        parts.append(Ticket.Satisfaction(detail["satisfaction"]).label)
        if detail.get("resolved") is not None:
            parts.append("已解决" if detail["resolved"] else "未解决")
        parts.append("诉求人评价" if detail.get("by") == "writer" else "回访登记")
    if detail.get("channel") in services.DIVERT_CHANNELS:
        parts.append(services.DIVERT_CHANNELS[detail["channel"]][0])
    if event.kind == services.K.PUBLICATION_PREPARED:
        parts.append(f"隐去个人信息{detail.get('masked', 0)}处")
    return "；".join(parts)


def _render_detail(request, ticket: Ticket, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    row = selectors.row_for(user, ticket)
    events = list(ticket.events.select_related("organisation").order_by("on", "id"))
    for event in events:
        event.detail_text = _event_text(event)
    forms = []
    for key in _available(user, ticket):
        spec = ACTIONS[key]
        forms.append({"key": key, "title": spec.title, "button": spec.button,
                      "form": bound.get(key) or spec.form(ticket=ticket, user=user)})
    for key, form in bound.items():
        if key not in {f["key"] for f in forms}:
            spec = ACTIONS[key]
            forms.insert(0, {"key": key, "title": spec.title, "button": spec.button, "form": form})
    kq = (request.GET.get("kq") or "").strip()[:selectors.SEARCH_MAX]
    scope = permissions.organisations_for(user, services.HANDLE)
    replies = list(ticket.replies.select_related("organisation", "created_by"))
    text = ticket.text
    if not row.personal:  # the letter and the answers as those who may not read the writer's data see them
        text = services.mask_personal(ticket.text, ticket)[0]
        for answer in replies:
            answer.text = services.mask_personal(answer.text, ticket)[0]
    return render(request, "interaction/tickets/staff_detail.html", {
        "ticket": ticket, "row": row, "clock": row.clock, "events": events, "subject": row.subject, "text": text,
        "replies": replies,
        "co_handlers": list(ticket.co_handlers.all()),
        "files": list(ticket.files.all()) if row.personal else [],
        "file_count": ticket.files.count(),
        "pending_extension": services.pending_extension(ticket),
        "forms": forms, "refused": bool(bound), "sees_writer": row.personal,
        "kq": kq, "knowledge": list(selectors.knowledge(kq, public_only=False, organisations=scope)[:10]) if kq else [],
        "crumbs": _crumbs((ticket.number, "")),
    }, status=status)


@staff_view
def detail(request, pk: int):
    _require_access(request.user)
    return _render_detail(request, _ticket_or_404(request.user, pk))


@staff_view
@require_POST
def act(request, pk: int, action: str):
    _require_access(request.user)
    ticket = _ticket_or_404(request.user, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有这项操作。")
    form = spec.form(request.POST, ticket=ticket, user=request.user)
    if form.is_valid():
        try:
            message = spec.run(request, ticket, form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, message)
            return redirect("interaction_staff:tickets:detail", pk=ticket.pk)
    return _render_detail(request, _ticket_or_404(request.user, pk), {action: form})


@staff_view
def file_download(request, pk: int, file_id: int):
    _require_access(request.user)
    ticket = _ticket_or_404(request.user, pk)
    require(services.sees_writer(request.user, ticket), WRITER_RULE)
    item = ticket.files.filter(pk=file_id).first()
    if item is None:
        raise Http404("文件不存在。")
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件已不存在于存储中。") from None
    response = FileResponse(handle, as_attachment=True, filename=item.name or os.path.basename(item.file.name))
    response["Cache-Control"] = "no-store"
    return response


# --- statistics -----------------------------------------------------------------------------


def _stats_scope(request):
    user = request.user
    _require_access(user)
    scope = permissions.organisations_for(user, services.HANDLE)
    organisations = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        organisations = organisations.filter(pk__in=scope)
    if "org" in request.GET:
        org_id = int_param(request.GET.get("org"))
        organisation = organisations.filter(pk=org_id).first() if org_id else None
    else:
        organisation = organisations.first()
    if organisation is None:
        raise Http404("机构不存在或您无权查看其统计。")
    # With the organisations below only where the user's scope holds all of them.
    with_children = scope is None or organisation.descendant_ids() <= scope
    today = timezone.localdate()
    year = int_param(request.GET.get("year")) if "year" in request.GET else today.year
    if year is None or stats.year_error(year):
        raise Http404("年度无效。")
    return organisations, organisation, year, with_children


@staff_view
def statistics(request):
    organisations, organisation, year, with_children = _stats_scope(request)
    figures = stats.compute(organisation, year, with_children=with_children)
    today = timezone.localdate()
    chart = charts.bars([(TicketType(code).label, f.received, f"{f.received}件") for code, f in figures.by_type.items()])
    rate_chart = charts.bars([(org.short_name or org.name, float(f.on_time_rate or 0),
                               stats.rate_text(f.on_time_rate) + f"（{f.on_time}/{f.due}）")
                              for org, f in figures.by_organisation if f.due], top=100)
    return render(request, "interaction/tickets/staff_stats.html", {
        "organisations": organisations, "organisation": organisation, "year": year,
        "years": list(range(today.year, max(stats.FIRST_YEAR, today.year - 5) - 1, -1)),
        "stats": figures, "rows": stats.table(figures), "headings": stats.HEADINGS, "chart": chart,
        "with_children": with_children,
        "rate_chart": rate_chart,
        "xlsx_url": f"{reverse('interaction_staff:tickets:stats_xlsx')}?org={organisation.pk}&year={year}",
        "crumbs": _crumbs(("统计", "")),
    })


@staff_view
def statistics_xlsx(request):
    _organisations, organisation, year, with_children = _stats_scope(request)
    content = stats.to_xlsx(stats.compute(organisation, year, with_children=with_children))
    return xlsx.response(content, f"政民互动工单统计-{organisation.name}-{year}.xlsx")


# --- time limits -----------------------------------------------------------------------------


@staff_view
def presets(request):
    user = request.user
    _require_access(user)
    manages = permissions.manages_installation(user)
    bound_key, bound_form = None, None
    if request.method == "POST":
        require(manages, "办理时限方案适用于全部机构，只有顶层机构的政务公开办管理员和系统管理员可以修改。")
        if request.POST.get("op") == "create":
            new_form = PresetForm(request.POST)
            if new_form.is_valid():
                try:
                    created = services.create_preset(user=user, **new_form.cleaned_data)
                except ValidationError as exc:
                    errors_to_form(new_form, exc)
                else:
                    messages.success(request, f"已新增方案“{created.title}”，请核对各类诉求的办理时限。")
                    return redirect("interaction_staff:tickets:presets")
            return _presets_page(request, manages, new_form=new_form)
        preset = DeadlinePreset.objects.filter(pk=int_param(request.POST.get("preset"))).first()
        if preset is None:
            raise Http404("没有这个方案。")
        try:
            if request.POST.get("op") == "default":
                services.make_default(preset, user=user)
                messages.success(request, f"新受理的工单将采用“{preset.title}”。")
                return redirect("interaction_staff:tickets:presets")
            ticket_type = request.POST.get("ticket_type", "")
            form = RuleForm(request.POST)
            if form.is_valid():
                services.set_rule(preset, ticket_type, form.cleaned_data["workdays"], user=user)
                messages.success(request, "已保存办理时限。已受理的工单仍按受理时的时限办理。")
                return redirect("interaction_staff:tickets:presets")
            bound_key, bound_form = (preset.pk, ticket_type), form
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("interaction_staff:tickets:presets")
    return _presets_page(request, manages, bound_key=bound_key, bound_form=bound_form)


def _presets_page(request, manages: bool, *, bound_key=None, bound_form=None, new_form=None):
    rows = []
    for preset in DeadlinePreset.objects.prefetch_related("rules").order_by("-is_default", "name"):
        limits = {rule.ticket_type: rule.workdays for rule in preset.rules.all()}
        cells = []
        for code, label in TicketType.choices:
            form = bound_form if bound_key == (preset.pk, code) else RuleForm(
                initial={"workdays": limits.get(code)}, prefix=f"p{preset.pk}-{code}")
            cells.append({"code": code, "label": label, "workdays": limits.get(code), "form": form})
        rows.append({"preset": preset, "cells": cells})
    return render(request, "interaction/tickets/staff_presets.html", {
        "rows": rows, "manages": manages, "new_form": new_form or PresetForm(), "crumbs": _crumbs(("办理时限", "")),
    })


# --- knowledge base ---------------------------------------------------------------------------


def _knowledge_scope(user):
    scope = permissions.organisations_for(user, services.HANDLE)
    qs = Organisation.objects.order_by("sort_order", "id")
    return (qs if scope is None else qs.filter(pk__in=scope)), scope


@staff_view
def knowledge(request):
    user = request.user
    _require_access(user)
    organisations, scope = _knowledge_scope(user)
    q = (request.GET.get("q") or "").strip()[:selectors.SEARCH_MAX]
    approved = selectors.knowledge(q, public_only=False, organisations=scope)
    drafts = KnowledgeEntry.objects.filter(state=KnowledgeEntry.State.DRAFT).select_related("organisation")
    if scope is not None:
        drafts = drafts.filter(organisation_id__in=scope)
    for entry in drafts:
        entry.can_decide = permissions.can(user, services.DECIDE, entry.organisation_id)
    return render(request, "interaction/tickets/staff_knowledge.html", {
        "q": q, "page": Paginator(approved, PER_PAGE).get_page(request.GET.get("page")), "drafts": drafts,
        "crumbs": _crumbs(("知识库", "")),
    })


@staff_view
def knowledge_edit(request, pk: int | None = None):
    user = request.user
    _require_access(user)
    organisations, scope = _knowledge_scope(user)
    entry = None
    if pk is not None:
        entry = KnowledgeEntry.objects.filter(pk=pk).first()
        if entry is None or (scope is not None and entry.organisation_id not in scope):
            raise Http404("没有这个条目或您无权查看。")
    if request.method == "POST":
        form = KnowledgeForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_entry(entry, user=user, organisation=data["organisation"], question=data["question"],
                                    answer=data["answer"], keywords=data["keywords"], is_public=data["is_public"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "已保存，等待政务公开办审核。")
                return redirect("interaction_staff:tickets:knowledge")
    else:
        initial = ({"organisation": entry.organisation_id, "question": entry.question, "answer": entry.answer,
                    "keywords": entry.keywords, "is_public": entry.is_public} if entry else {})
        form = KnowledgeForm(organisations=organisations, initial=initial)
    return render(request, "interaction/tickets/staff_knowledge_form.html", {
        "form": form, "entry": entry,
        "crumbs": _crumbs(("知识库", reverse("interaction_staff:tickets:knowledge")), ("编辑条目" if entry else "新增条目", "")),
    })


@staff_view
@require_POST
def knowledge_decide(request, pk: int):
    user = request.user
    _require_access(user)
    _organisations, scope = _knowledge_scope(user)
    entry = KnowledgeEntry.objects.filter(pk=pk).first()
    if entry is None or (scope is not None and entry.organisation_id not in scope):
        raise Http404("没有这个条目或您无权查看。")
    approve = request.POST.get("op") == "approve"
    try:
        services.decide_entry(entry, user=user, approve=approve)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "已审核通过。" if approve else "已停用。")
    return redirect("interaction_staff:tickets:knowledge")
