"""Consultations on drafts (意见征集) in the staff workspace: the list,
preparing and publishing one, moderating and registering comments, deciding
on them, drafting the adoption feedback into the catalog, naming the final
decision, the XLSX of all comments and the organisation's feedback period.

Views are thin: forms shape input, consultation_services checks the rules
and permissions and writes with an audit entry. A refusal comes back on the
same page as a Chinese message; PermissionDenied answers 403; a
consultation outside the user's scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form

from . import consultation_rules as rules
from . import consultation_selectors as selectors
from . import consultation_services as services
from .consultation_forms import (ConsultationForm, DecideForm, DecisionForm, FeedbackForm, ModerateForm, PolicyForm,
                                 RegisterForm)
from .models import Consultation, ConsultationComment

NO_ACCESS = "您没有管理意见征集的权限（须为起草人、发布人或政务公开办管理员）。"


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("意见征集", reverse("interaction_staff:consultation_list")), *extra)


def _consultation_or_404(user, pk: int) -> Consultation:
    consultation = selectors.staff_consultations(user).filter(pk=pk).first()
    if consultation is None:
        raise Http404("意见征集不存在或您无权查看。")
    return consultation


@staff_view
def consultation_list(request):
    user = request.user
    qs = selectors.staff_consultations(user).order_by("-created_at", "-id")
    state = request.GET.get("state", "")
    if state in Consultation.State.values:
        qs = qs.filter(state=state)
    today = timezone.localdate()
    return render(request, "interaction/consultations/staff_list.html", {
        "consultations": qs[:200], "state": state, "states": Consultation.State.choices, "today": today,
        "may_create": selectors.editable_organisations(user).exists(),
        "may_configure": permissions.can_anywhere(user, permissions.MANAGE_MEMBERS),
        "overdue": selectors.overdue_feedback(user, today),
        "crumbs": _crumbs(),
    })


@staff_view
def consultation_edit(request, pk: int | None = None):
    user = request.user
    consultation = _consultation_or_404(user, pk) if pk else None
    orgs = selectors.editable_organisations(user)
    if consultation is not None:
        require(services.may_edit(user, consultation.organisation), "您没有修改该意见征集的权限。")
        if consultation.state != Consultation.State.DRAFT:
            messages.error(request, f"“{consultation.get_state_display()}”的意见征集不能修改。")
            return redirect("interaction_staff:consultation_detail", pk=consultation.pk)
    else:
        require(orgs.exists(), NO_ACCESS)
    if request.method == "POST":
        form = ConsultationForm(request.POST, instance=consultation, organisations=orgs)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.FIELDS}
            try:
                saved = services.consultation_save(consultation, user=user,
                                                   organisation=form.cleaned_data.get("organisation"), **data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error("organisation", str(exc))
            else:
                messages.success(request, "意见征集已保存（草稿）。发布后公众即可查看并提出意见。")
                return redirect("interaction_staff:consultation_detail", pk=saved.pk)
    else:
        form = ConsultationForm(instance=consultation, organisations=orgs)
    title = "修改意见征集" if consultation else "新建意见征集"
    return render(request, "interaction/consultations/staff_form.html", {
        "form": form, "c": consultation, "title": title, "min_days": rules.MAJOR_MIN_DAYS, "basis": rules.MAJOR_BASIS,
        "crumbs": _crumbs((title, "")),
    })


def _forms(user, consultation: Consultation, bound: tuple[str, object] | None = None) -> dict:
    """The action forms the user may use on this consultation now (one bound after a refusal)."""
    forms = {}
    edit = services.may_edit(user, consultation.organisation)
    C = Consultation.State
    if consultation.state == C.DRAFT and services.may_publish(user, consultation.organisation):
        forms["publish"] = None
    if edit and consultation.state != C.DRAFT:
        forms["register"] = RegisterForm()
        forms["decision"] = DecisionForm(candidates=services.decision_candidates(user, consultation)[:100])
    if edit and consultation.state == C.CLOSED:
        shown = consultation.comments.filter(state=ConsultationComment.State.SHOWN).order_by("serial")
        forms["decide"] = DecideForm(comments=shown)
        forms["feedback"] = FeedbackForm(initial={"feedback_note": consultation.feedback_note})
    if bound is not None:
        forms[bound[0]] = bound[1]
    return forms


def _detail(request, consultation: Consultation, bound: tuple[str, object] | None = None, status: int = 200):
    user = request.user
    today = timezone.localdate()
    comments = list(consultation.comments.select_related("item").order_by("serial"))
    rows = services.feedback_rows(consultation)
    doc = consultation.feedback_document
    return render(request, "interaction/consultations/staff_detail.html", {
        "c": consultation,
        "today": today,
        "may_edit": services.may_edit(user, consultation.organisation),
        "sees_contacts": services.sees_contacts(user, consultation.organisation),
        "comments": comments,
        "pending": [c for c in comments if c.state == ConsultationComment.State.PENDING],
        "rows": rows,
        "totals": services.feedback_totals(consultation, rows),
        "blocker": services.feedback_blocker(consultation),
        "editable": services.feedback_editable(consultation),
        "feedback_doc": doc,
        "feedback_public": services.feedback_published(consultation),
        "feedback_due": services.feedback_due(consultation) if consultation.state != Consultation.State.DRAFT else None,
        "short": rules.is_short(consultation.opens_on, consultation.closes_on, consultation.major),
        "min_days": rules.MAJOR_MIN_DAYS,
        "forms": _forms(user, consultation, bound),
        "refused": bound is not None,
        "crumbs": _crumbs((consultation.title, "")),
    }, status=status)


@staff_view
def consultation_detail(request, pk: int):
    return _detail(request, _consultation_or_404(request.user, pk))


def _comment(consultation: Consultation, pk) -> ConsultationComment:
    comment = consultation.comments.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if comment is None:
        raise Http404("没有这条意见。")
    return comment


@staff_view
@require_POST
def consultation_act(request, pk: int, action: str):
    user = request.user
    consultation = _consultation_or_404(user, pk)
    shown = consultation.comments.filter(state=ConsultationComment.State.SHOWN).order_by("serial")
    forms = {
        "moderate": lambda: ModerateForm(request.POST),
        "register": lambda: RegisterForm(request.POST),
        "decide": lambda: DecideForm(request.POST, comments=shown),
        "feedback": lambda: FeedbackForm(request.POST),
        "decision": lambda: DecisionForm(request.POST, candidates=services.decision_candidates(user, consultation)),
    }
    if action != "publish" and action not in forms:
        raise Http404("没有这项操作。")
    form = forms[action]() if action in forms else None
    if form is not None and not form.is_valid():
        if action == "moderate":
            messages.error(request, "请选择公开显示或不予显示。")
            return redirect("interaction_staff:consultation_detail", pk=consultation.pk)
        return _detail(request, consultation, (action, form), status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "publish":
            services.consultation_publish(consultation, user=user)
            messages.success(request, "意见征集已发布，公众可在“意见征集”栏目查看并提出意见。")
        elif action == "moderate":
            comment = _comment(consultation, request.POST.get("comment"))
            services.comment_moderate(comment, user=user, show=data["show"], reason=data["reason"])
            messages.success(request, f"第{comment.serial}条意见已{'公开显示' if data['show'] else '设为不予显示'}。")
        elif action == "register":
            comment = services.comment_register(consultation, user=user, **data)
            messages.success(request, f"已登记第{comment.serial}条意见。")
        elif action == "decide":
            services.decide(consultation, data["comments"], user=user, decision=data["decision"],
                            reason=data["reason"], summary=data["summary"])
            messages.success(request, "已记录处理意见。")
        elif action == "feedback":
            doc = services.feedback_draft(consultation, user=user, genre=data["genre"], note=data["feedback_note"])
            messages.success(request, f"已起草采纳情况反馈《{doc.title}》。请在“政府信息”中核对后提交审核，发布后即在征集页面公开。")
        elif action == "decision":
            services.link_decision(consultation, data["document"], user=user)
            messages.success(request, "已关联最终决定文件。")
    except ValidationError as exc:
        if form is None or action == "moderate":
            for message in exc.messages:
                messages.error(request, message)
            return redirect("interaction_staff:consultation_detail", pk=consultation.pk)
        errors_to_form(form, exc)
        consultation.refresh_from_db()
        return _detail(request, consultation, (action, form), status=400)
    return redirect("interaction_staff:consultation_detail", pk=consultation.pk)


@staff_view
def consultation_export(request, pk: int):
    from gongkai.core import xlsx

    consultation = _consultation_or_404(request.user, pk)
    content = services.export_xlsx(consultation, user=request.user)
    return xlsx.response(content, f"{consultation.title[:60]}-征集意见.xlsx")


@staff_view
def consultation_settings(request):
    user = request.user
    scope = permissions.organisations_for(user, permissions.MANAGE_MEMBERS)
    require(scope is None or bool(scope), "只有政务公开办管理员可以修改意见征集设置。")
    orgs = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        orgs = orgs.filter(pk__in=scope)
    if request.method == "POST":
        form = PolicyForm(request.POST, organisations=orgs)
        if form.is_valid():
            try:
                services.policy_save(form.cleaned_data["organisation"], user=user,
                                     feedback_days=form.cleaned_data["feedback_days"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "意见征集设置已保存。")
                return redirect("interaction_staff:consultation_settings")
    else:
        form = PolicyForm(organisations=orgs, initial={"feedback_days": rules.DEFAULT_FEEDBACK_DAYS})
    rows = services.feedback_days_of(list(orgs[:500]))
    return render(request, "interaction/consultations/staff_settings.html", {
        "form": form, "rows": rows, "default_days": rules.DEFAULT_FEEDBACK_DAYS,
        "crumbs": _crumbs(("设置", "")),
    })
