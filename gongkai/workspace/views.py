"""The staff workspace: workbench, drafting, review actions, privacy findings,
interpretations, validity and roles. Views are thin: they read forms, call
the services (which check permissions and write with an audit entry) and
render; a refusal comes back as a Chinese message on the same page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.catalog import lifecycle, selectors as catalog_selectors
from gongkai.catalog.models import INTERPRETATION_GENRE, Document
from gongkai.core import calendar as workdays, permissions
from gongkai.core import services as core_services
from gongkai.core.models import Membership, Organisation, review_level_name
from gongkai.publishing import findings, services as publishing, workflow
from gongkai.publishing.models import PrivacyFinding, WordingRule

from . import selectors
from .auth import require, staff_view
from .forms import (ActionForm, DraftForm, GrantForm, InterpretationLinkForm, RevokeForm, ValidityForm, WaiveForm,
                    WordingRuleForm)
from .pages import crumbs, errors_to_form

PER_PAGE = 30


class StaffLoginView(LoginView):
    template_name = "workspace/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("workspace:login")


def _attempt(request, success: str, service, *args, **kwargs) -> bool:
    """Call a service; its refusal becomes error messages, its success one message."""
    try:
        service(*args, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _document_or_404(user, pk: int) -> Document:
    doc = selectors.visible_documents(user).filter(pk=pk).first()
    if doc is None:
        raise Http404("文件不存在或您无权查看。")
    return doc


@staff_view
def home(request):
    panels = selectors.workbench(request.user)
    if permissions.can_anywhere(request.user, permissions.WORKPLAN_REPORT):
        from gongkai.workplan import selectors as workplan

        count, items = workplan.workbench_panel(request.user)
        panels.append(selectors.Panel("workplan", "督办任务", count, items, "没有已逾期或10个工作日内到期的任务。"))
    return render(request, "workspace/home.html", {
        "panels": panels, "crumbs": crumbs(), "calendar_missing": _calendar_missing(request.user),
    })


def _calendar_missing(user) -> int | None:
    """The year whose holiday notice is due for import, for the office
    administrators and handlers whose deadlines depend on it."""
    if not permissions.can_anywhere(user, permissions.APPLICATIONS):
        return None
    return workdays.missing_year(timezone.localdate())


@staff_view
def documents(request):
    qs = selectors.visible_documents(request.user)
    status = request.GET.get("status", "")
    if status in workflow.STATE_LABELS:
        qs = qs.filter(status=status)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(title__icontains=q)
    page = Paginator(qs.order_by("-updated_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "workspace/documents.html", {
        "page": page, "status": status, "q": q, "states": workflow.STATE_LABELS.items(),
        "crumbs": crumbs(("政府信息", "")),
    })


def _editable_organisations(user):
    scope = permissions.organisations_for(user, permissions.EDIT)
    qs = Organisation.objects.all()
    return qs if scope is None else qs.filter(pk__in=scope)


@staff_view
def document_edit(request, pk: int | None = None):
    doc = _document_or_404(request.user, pk) if pk else None
    orgs = _editable_organisations(request.user)
    if doc is not None:
        require(permissions.can(request.user, permissions.EDIT, doc.organisation), "您没有修改该文件的权限。")
        if doc.status != workflow.DRAFT:
            messages.error(request, f"“{doc.get_status_display()}”状态的文件不能修改。")
            return redirect("workspace:document", pk=doc.pk)
    else:
        require(orgs.exists(), "您没有起草文件的权限。")
    if request.method == "POST":
        form = DraftForm(request.POST, request.FILES, organisations=orgs)
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisation = data.pop("organisation")
            upload = data.pop("attachment")
            try:
                with transaction.atomic():
                    if doc is None:
                        saved = publishing.save_draft(None, user=request.user, organisation=organisation, **data)
                    else:
                        if organisation.pk != doc.organisation_id:
                            raise ValidationError({"organisation": "草稿的发布机构不能更改；请在目标机构重新起草。"})
                        saved = publishing.save_draft(doc, user=request.user, **data)
                    if upload is not None:
                        publishing.add_attachment(saved, upload, user=request.user)
            except ValidationError as exc:
                errors_to_form(form, exc, {"body": "body_html"})
            except PermissionDenied as exc:
                form.add_error("organisation", str(exc))
            else:
                messages.success(request, "草稿已保存。")
                return redirect("workspace:document", pk=saved.pk)
    else:
        form = DraftForm(initial=DraftForm.initial_for(doc) if doc else {"disclosure": Document.Disclosure.PROACTIVE}, organisations=orgs)
    title = "修改草稿" if doc else "起草政府信息"
    return render(request, "workspace/document_form.html", {
        "form": form, "doc": doc, "title": title,
        "crumbs": crumbs(("政府信息", reverse("workspace:documents")), (title, "")),
    })


def _actions_for(user, doc: Document) -> list[dict]:
    """The workflow buttons this user may press on this document now."""
    actions = []
    for action in workflow.actions_from(doc.status):
        move = workflow.TRANSITIONS[(doc.status, action)]
        level = doc.review_level if move.permission == workflow.PERM_REVIEW else None
        if action == workflow.UNSCHEDULE and not doc.scheduled_at:
            continue
        if permissions.can(user, move.permission, doc.organisation_id, review_level=level):
            actions.append({"action": action, "label": workflow.ACTION_LABELS[action], "needs_comment": move.needs_comment})
    return actions


@staff_view
def document_detail(request, pk: int):
    doc = _document_or_404(request.user, pk)
    user = request.user
    body_findings = list(PrivacyFinding.objects.filter(document=doc).select_related("attachment"))
    wording = publishing.wording_report(doc) if doc.status not in (workflow.PUBLISHED, workflow.WITHDRAWN) else []
    candidates = None
    if permissions.can(user, permissions.EDIT, doc.organisation) and not doc.is_interpretation:
        candidates = selectors.visible_documents(user).filter(
            genre__name=INTERPRETATION_GENRE, organisation__in=_editable_organisations(user)
        ).exclude(status__in=[workflow.WITHDRAWN, workflow.STOPPED]).exclude(pk=doc.pk).order_by("-updated_at")[:200]
    stage = ""
    if doc.status == workflow.REVIEW:
        stage = review_level_name(doc.review_level, doc.organisation.review_levels)
    return render(request, "workspace/document_detail.html", {
        "doc": doc,
        "stage": stage,
        "body": mark_safe(catalog_selectors.safe_body(doc)),  # sanitised by nh3 on the way out
        "attachments": list(doc.attachments.all()),
        "unchecked": findings.unchecked_attachments(doc) if doc.status not in (workflow.PUBLISHED, workflow.WITHDRAWN) else [],
        "findings": body_findings,
        "open_findings": sum(1 for f in body_findings if f.state == PrivacyFinding.State.OPEN),
        "can_mask": permissions.can(user, permissions.MASK, doc.organisation),
        "can_waive": permissions.can(user, permissions.WAIVE, doc.organisation),
        "can_edit": doc.status == workflow.DRAFT and permissions.can(user, permissions.EDIT, doc.organisation),
        "can_validity": doc.status == workflow.PUBLISHED and permissions.can(user, permissions.VALIDITY, doc.organisation),
        "wording": wording,
        "actions": _actions_for(user, doc),
        "action_form": ActionForm(),
        "waive_form": WaiveForm(),
        "validity_form": ValidityForm(initial={"validity": doc.validity or "valid"}),
        "link_form": InterpretationLinkForm(candidates=candidates) if candidates is not None else None,
        "interpretations": publishing.interpretations_of(doc),
        "policies": publishing.interpreted_policies(doc),
        "steps": selectors.history(doc),
        "levels": [review_level_name(i, doc.organisation.review_levels) for i in range(1, doc.organisation.review_levels + 1)],
        "crumbs": crumbs(("政府信息", reverse("workspace:documents")), (doc.title[:30], "")),
    })


def _back(doc: Document) -> HttpResponseRedirect:
    return redirect("workspace:document", pk=doc.pk)


@staff_view
@require_POST
def document_act(request, pk: int):
    doc = _document_or_404(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"操作未执行：{error}")
        return _back(doc)
    action = form.cleaned_data["action"]
    try:
        result = publishing.act(doc, action, user=request.user, comment=form.cleaned_data["comment"],
                                scheduled_at=form.cleaned_data["scheduled_at"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"操作未执行：{message}")
        return _back(doc)
    messages.success(request, f"已{workflow.ACTION_LABELS.get(action, action)}：当前状态为“{result.get_status_display()}”。")
    if not permissions.can(request.user, permissions.VIEW, result.organisation):
        return redirect("workspace:home")
    return _back(result)


@staff_view
@require_POST
def finding_decide(request, pk: int, finding_id: int):
    doc = _document_or_404(request.user, pk)
    finding = get_object_or_404(PrivacyFinding, pk=finding_id, document=doc)
    try:
        if request.POST.get("decision") == "mask_all":
            count = findings.mask_all(doc, request.user)
            messages.success(request, f"已对正文中的{count}处个人信息去标识化。")
        elif request.POST.get("decision") == "waive":
            form = WaiveForm(request.POST)
            if not form.is_valid():
                for name, errors in form.errors.items():
                    label = form.fields[name].label if name in form.fields else ""
                    messages.error(request, f"{label}：{'；'.join(errors)}")
                return _back(doc)
            findings.waive_finding(finding, request.user, form.cleaned_data["ground"], form.cleaned_data["reason"])
            messages.success(request, "已依法保留该处信息，理由已记录。")
        else:
            findings.mask_finding(finding, request.user)
            messages.success(request, f"已去标识化为 {finding.masked}。")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _back(doc)


@staff_view
@require_POST
def link_interpretation(request, pk: int):
    doc = _document_or_404(request.user, pk)
    require(permissions.can(request.user, permissions.EDIT, doc.organisation), "您没有关联解读材料的权限。")
    candidates = selectors.visible_documents(request.user).filter(genre__name=INTERPRETATION_GENRE)
    form = InterpretationLinkForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, "请选择一份解读材料。")
        return _back(doc)
    _attempt(request, "已关联解读材料；两份文件的页面将互相链接。",
             publishing.link_interpretation, doc, form.cleaned_data["interpretation"], user=request.user)
    return _back(doc)


@staff_view
@require_POST
def change_validity(request, pk: int):
    doc = _document_or_404(request.user, pk)
    form = ValidityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择有效性，日期格式为 YYYY-MM-DD。")
        return _back(doc)
    _attempt(request, "有效性已更新。", lifecycle.change_validity, doc, form.cleaned_data["validity"],
             on=form.cleaned_data["on"], user=request.user, note=form.cleaned_data["note"])
    return _back(doc)


@staff_view
def members(request):
    user = request.user
    scope = permissions.organisations_for(user, permissions.MANAGE_MEMBERS)
    require(scope is None or bool(scope), "只有政务公开办管理员可以管理人员角色。")
    orgs = Organisation.objects.all() if scope is None else Organisation.objects.filter(pk__in=scope)
    memberships = Membership.objects.filter(organisation__in=orgs).select_related("user", "organisation").order_by("organisation__sort_order", "organisation_id", "user__username")
    grant_form = GrantForm(organisations=orgs)
    if request.method == "POST":
        if request.POST.get("op") == "revoke":
            form = RevokeForm(request.POST, memberships=memberships)
            if form.is_valid():
                membership = form.cleaned_data["membership"]
                core_services.revoke_role(by=user, membership=membership)
                messages.success(request, f"已撤销 {membership.user.get_username()} 在“{membership.organisation.name}”的{membership.role_label}角色。")
                return redirect("workspace:members")
            messages.error(request, "要撤销的角色不存在或不在您的管理范围内。")
        else:
            grant_form = GrantForm(request.POST, organisations=orgs)
            if grant_form.is_valid():
                data = grant_form.cleaned_data
                try:
                    with transaction.atomic():
                        target = get_user_model().objects.filter(username=data["username"]).first()
                        if target is None:
                            if not data["password"]:
                                raise ValidationError({"password": "新用户须设置初始密码。"})
                            target = core_services.create_user(by=user, username=data["username"], password=data["password"],
                                                               full_name=data["full_name"], organisation=data["organisation"])
                        core_services.grant_role(by=user, user=target, organisation=data["organisation"],
                                                 role=data["role"], review_level=data["review_level"])
                except ValidationError as exc:
                    errors_to_form(grant_form, exc)
                else:
                    messages.success(request, f"已授予 {data['username']} 角色。")
                    return redirect("workspace:members")
    return render(request, "workspace/members.html", {
        "memberships": memberships, "grant_form": grant_form, "crumbs": crumbs(("人员与角色", "")),
    })


@staff_view
def wording(request):
    """The wording dictionary (表述检查词库): add, change, switch off entries."""
    require(permissions.can_edit_wording_dictionary(request.user), "只有本级政务公开办管理员可以维护表述检查词库。")
    rule = None
    if request.GET.get("edit") or request.POST.get("pk"):
        rule = WordingRule.objects.filter(pk=(request.POST.get("pk") or request.GET.get("edit") or "0")).first()
        if rule is None:
            raise Http404("词条不存在。")
    if request.method == "POST":
        form = WordingRuleForm(request.POST)
        if form.is_valid():
            try:
                saved = publishing.save_wording_rule(rule, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存词条“{saved.phrase}”。")
                return redirect("workspace:wording")
    elif rule is not None:
        form = WordingRuleForm(initial={"phrase": rule.phrase, "kind": rule.kind, "suggestion": rule.suggestion,
                                        "exceptions": rule.exceptions, "active": rule.active})
    else:
        form = WordingRuleForm()
    kind = request.GET.get("kind", "")
    rules = WordingRule.objects.all()
    if kind:
        rules = rules.filter(kind=kind)
    return render(request, "workspace/wording.html", {
        "form": form, "rule": rule, "rules": rules, "kind": kind, "kinds": WordingRuleForm.base_fields["kind"].choices,
        "crumbs": crumbs(("表述检查词库", "")),
    })


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限。"
    return render(request, "workspace/403.html", {"message": message}, status=403)
