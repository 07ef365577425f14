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
from gongkai.portal.middleware import allow_inline_styles
from gongkai.publishing import attachment_text, findings, services as publishing, workflow
from gongkai.publishing.models import PrivacyFinding, ReviewPolicy, WordingRule

from . import selectors
from .auth import require, staff_view
from .forms import (ActionForm, DraftForm, GrantForm, InterpretationLinkForm, ReviewPolicyForm, RevokeForm, ValidityForm,
                    WaiveForm, WordingRuleForm)
from .pages import crumbs, errors_to_form, int_param

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


def _without_refused_steps(user, panels) -> None:
    """The "waiting for me" panel without the review steps separation of
    duties forbids this user (the document page offers them no button)."""
    for panel in panels:
        if panel.key != "waiting":
            continue
        waiting = selectors.waiting_for(user)
        refused = publishing.separation_refusals(user, waiting.filter(status__in=[workflow.REVIEW, workflow.SECRECY]))
        if refused:
            waiting = waiting.exclude(pk__in=list(refused))
            panel.count, panel.items = waiting.count(), list(waiting[:selectors.LIST_LIMIT])


@staff_view
def home(request):
    panels = selectors.workbench(request.user)
    _without_refused_steps(request.user, panels)
    if permissions.can_anywhere(request.user, permissions.WORKPLAN_REPORT):
        from gongkai.workplan import selectors as workplan

        count, items = workplan.workbench_panel(request.user)
        panels.append(selectors.Panel("workplan", "督办任务", count, items, "没有已逾期或10个工作日内到期的任务。"))
    if permissions.manages_installation(request.user):
        from gongkai.core import scheduler

        failed = scheduler.failed_jobs()
        if failed:  # shown only while something failed
            panels.append(selectors.Panel("failed_jobs", "后台任务失败", len(failed), failed))
    return render(request, "workspace/home.html", {
        "panels": panels, "crumbs": crumbs(), "calendar_missing": _calendar_missing(request.user),
        "empty_panels": [panel for panel in panels if not panel.count and not panel.items],
    })


def _calendar_missing(user) -> int | None:
    """The year whose holiday notice is due for import, for those who import
    it (a banner only for what needs action; the others' provisional
    deadlines say why under the applications panel)."""
    if not permissions.can_manage_calendar(user):
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
    allow_inline_styles(request)  # the rich-text editor's two
    return render(request, "workspace/document_form.html", {
        "form": form, "doc": doc, "title": title,
        "crumbs": crumbs(("政府信息", reverse("workspace:documents")), (title, "")),
    })


def _actions_for(user, doc: Document) -> tuple[list[dict], str]:
    """The workflow buttons this user may press on this document now, and
    why a review step their roles allow is not offered (separation of
    duties). The final reviewer's wording confirmation has its own form."""
    actions, refused = [], None
    for action in workflow.actions_from(doc.status):
        move = workflow.TRANSITIONS[(doc.status, action)]
        if action == workflow.OVERRIDE_WORDING or (action == workflow.UNSCHEDULE and not doc.scheduled_at):
            continue
        level = doc.review_level if move.permission == workflow.PERM_REVIEW else None
        if not permissions.can(user, move.permission, doc.organisation_id, review_level=level):
            continue
        if workflow.review_step(action, doc.status, doc.review_level):
            if refused is None:
                refused = publishing.separation_refusal(doc, user) or ""
            if refused:
                continue
        actions.append({"action": action, "label": workflow.ACTION_LABELS[action], "needs_comment": move.needs_comment})
    return actions, refused or ""


@staff_view
def document_detail(request, pk: int):
    doc = _document_or_404(request.user, pk)
    user = request.user
    body_findings = list(PrivacyFinding.objects.filter(document=doc).select_related("attachment")
                         .defer("attachment__text"))
    wording = publishing.wording_report(doc) if doc.status not in (workflow.PUBLISHED, workflow.WITHDRAWN) else []
    candidates = None
    if permissions.can(user, permissions.EDIT, doc.organisation) and not doc.is_interpretation:
        candidates = selectors.visible_documents(user).filter(
            genre__name=INTERPRETATION_GENRE, organisation__in=_editable_organisations(user)
        ).exclude(status__in=[workflow.WITHDRAWN, workflow.STOPPED]).exclude(pk=doc.pk).order_by("-updated_at")[:200]
    stage = ""
    if doc.status == workflow.REVIEW:
        stage = review_level_name(doc.review_level, doc.organisation.review_levels)
    actions, separation_note = _actions_for(user, doc)
    serious = publishing.serious_wording(doc) if wording else []
    steps = selectors.history(doc)
    for step in steps:
        step.label = workflow.ACTION_LABELS.get(step.action, step.action)
    attachments = list(doc.attachments.all())
    on_the_way = doc.status not in (workflow.PUBLISHED, workflow.WITHDRAWN)
    return render(request, "workspace/document_detail.html", {
        "doc": doc,
        "stage": stage,
        "body": mark_safe(catalog_selectors.safe_body(doc)),  # sanitised by nh3 on the way out
        "attachments": attachments,
        # What the worker stored of each attachment's text: no file is read here.
        "pending": [a for a in attachments if attachment_text.is_pending(a)] if on_the_way else [],
        "unchecked": [(a, attachment_text.status_label(a)) for a in attachments if attachment_text.is_unchecked(a)]
        if on_the_way else [],
        "findings": body_findings,
        "open_findings": sum(1 for f in body_findings if f.state == PrivacyFinding.State.OPEN),
        "can_mask": permissions.can(user, permissions.MASK, doc.organisation),
        "can_waive": permissions.can(user, permissions.WAIVE, doc.organisation),
        "can_edit": doc.status == workflow.DRAFT and permissions.can(user, permissions.EDIT, doc.organisation),
        "can_validity": doc.status == workflow.PUBLISHED and permissions.can(user, permissions.VALIDITY, doc.organisation),
        "wording": wording,
        "serious_block": publishing.wording_block(doc, serious) if serious else None,
        "confirmations": publishing.wording_confirmations(doc) if serious else [],
        "can_override": bool(serious) and publishing.may_override_wording(doc, user),
        "actions": actions,
        "separation_note": separation_note,
        "action_form": ActionForm(),
        "waive_form": WaiveForm(),
        "validity_form": ValidityForm(initial={"validity": doc.validity or "valid"}),
        "link_form": InterpretationLinkForm(candidates=candidates) if candidates is not None else None,
        "interpretations": publishing.interpretations_of(doc),
        "policies": publishing.interpreted_policies(doc),
        "steps": steps,
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
    policy_form = ReviewPolicyForm(organisations=orgs)
    if request.method == "POST":
        if request.POST.get("op") == "review_policy":
            policy_form = ReviewPolicyForm(request.POST, organisations=orgs)
            if policy_form.is_valid():
                data = policy_form.cleaned_data
                try:
                    if data["inherit"]:
                        publishing.clear_review_policy(data["policy_organisation"], user=user)
                    else:
                        publishing.set_review_policy(data["policy_organisation"], user=user, reason=data["reason"],
                                                     one_step_per_person=data["one_step_per_person"],
                                                     drafter_may_not_review=data["drafter_may_not_review"])
                except ValidationError as exc:
                    errors_to_form(policy_form, exc)
                else:
                    messages.success(request, f"已更新“{data['policy_organisation'].name}”的审核职责分离规则。")
                    return redirect("workspace:members")
        elif request.POST.get("op") == "revoke":
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
        "policy_form": policy_form,
        "policies": ReviewPolicy.objects.filter(organisation__in=orgs).select_related("organisation", "changed_by"),
    })


@staff_view
def wording(request):
    """The wording dictionaries (表述检查词库), one per organisation and
    inherited down the tree: add, change, switch off entries. An entry for a
    phrase the organisation inherits overrides it there and below. An office
    administrator keeps the dictionaries of their organisations and those
    below; the default dictionary is the system administrator's."""
    user = request.user
    editable = permissions.organisations_for(user, permissions.MANAGE_MEMBERS)  # the office administrator's reach
    require(editable is None or bool(editable), "只有政务公开办管理员可以维护表述检查词库。")
    own_rules = WordingRule.objects.all() if editable is None else WordingRule.objects.filter(organisation_id__in=editable)
    rule = None
    raw_rule = request.POST.get("pk") if request.method == "POST" else request.GET.get("edit")
    if raw_rule:
        rule = own_rules.filter(pk=int_param(raw_rule) or 0).select_related("organisation").first()
        if rule is None:
            raise Http404("词条不存在。")
        level = rule.organisation
    else:
        raw_level = ((request.POST.get("org") if request.method == "POST" else request.GET.get("org")) or "").strip()
        if raw_level == "default" or (not raw_level and editable is None):
            require(editable is None, "默认词库只有系统管理员可以修改。")
            level = None
        elif raw_level:
            pk = int_param(raw_level)
            if pk is None or (editable is not None and pk not in editable):
                raise Http404("没有这个机构或您无权维护其词库。")
            level = get_object_or_404(Organisation, pk=pk)
        else:
            level = (Organisation.objects.filter(pk__in=editable).exclude(parent_id__in=editable)
                     .order_by("sort_order", "id").first())
    if request.method == "POST":
        form = WordingRuleForm(request.POST)
        if form.is_valid():
            try:
                saved = publishing.save_wording_rule(rule, user=user, organisation=level, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"已保存词条“{saved.phrase}”。")
                return redirect(f"{reverse('workspace:wording')}?org={level.pk if level else 'default'}")
    elif rule is not None:
        form = WordingRuleForm(initial={"phrase": rule.phrase, "kind": rule.kind, "suggestion": rule.suggestion,
                                        "exceptions": rule.exceptions, "active": rule.active})
    else:
        form = WordingRuleForm()
    kind = request.GET.get("kind", "")
    chain = []
    node = level
    while node is not None and len(chain) < 20:
        chain.append(node)
        node = node.parent
    rules = WordingRule.objects.filter(organisation=level)
    inherited = (WordingRule.objects.filter(organisation_id__in=[o.pk for o in chain[1:]])
                 | WordingRule.objects.filter(organisation__isnull=True)) if level is not None else WordingRule.objects.none()
    if kind:
        rules, inherited = rules.filter(kind=kind), inherited.filter(kind=kind)
    overridden = set(rules.values_list("phrase", flat=True))
    rank = {o.pk: i for i, o in enumerate(chain)}
    nearest: dict[str, WordingRule] = {}
    for row in inherited.select_related("organisation"):
        if row.phrase in overridden:
            continue
        if row.phrase not in nearest or rank.get(row.organisation_id, 99) < rank.get(nearest[row.phrase].organisation_id, 99):
            nearest[row.phrase] = row
    levels = Organisation.objects.order_by("sort_order", "id")
    if editable is not None:
        levels = levels.filter(pk__in=editable)
    return render(request, "workspace/wording.html", {
        "form": form, "rule": rule, "rules": rules, "inherited": sorted(nearest.values(), key=lambda r: (r.kind, r.phrase)),
        "kind": kind, "kinds": WordingRuleForm.base_fields["kind"].choices, "level": level, "levels": levels,
        "can_default": editable is None, "crumbs": crumbs(("表述检查词库", "")),
    })


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限。"
    return render(request, "workspace/403.html", {"message": message}, status=403)


# --- background jobs: large imports and exports made by the worker --------------------------------

EXPORT_TASK = "gongkai.core.tasks.export_download"
IMPORT_TASK = "gongkai.ingest.tasks.import_folder"
MAX_UNFINISHED_JOBS = 5  # a person's jobs waiting or running at once


def _jobs_page():
    return redirect("workspace:jobs")


def _too_many_jobs(request) -> bool:
    from gongkai.core import scheduler

    if scheduler.unfinished_jobs(request.user.pk, (EXPORT_TASK, IMPORT_TASK)) >= MAX_UNFINISHED_JOBS:
        messages.error(request, f"您已有{MAX_UNFINISHED_JOBS}项后台任务在排队或进行中，请等其完成后再提交。")
        return True
    return False


@staff_view
def jobs(request):
    """The signed-in person's background exports and imports: waiting,
    running (how far), done (the download), failed (why)."""
    from django.conf import settings

    from gongkai.core import scheduler
    from gongkai.ingest.tasks import import_root

    can_import = permissions.manages_installation(request.user)
    return render(request, "workspace/jobs.html", {
        "jobs": scheduler.background_jobs(request.user.pk, (EXPORT_TASK, IMPORT_TASK)),
        "queue_in_database": scheduler.uses_database_queue(),
        "monitor_report": reverse("monitor:report_xlsx"),
        "monitor_report_title": settings.GONGKAI_BACKGROUND_EXPORTS.get("monitor:report_xlsx", ""),
        "can_import": can_import,
        "import_root": import_root() if can_import else None,
        "organisations": Organisation.objects.order_by("sort_order", "id") if can_import else [],
        "crumbs": crumbs(("后台任务", "")),
    })


@staff_view
@require_POST
def job_export(request):
    """Make one of the listed XLSX downloads in the background; the export
    view itself checks, when it runs, that this person may have it."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.urls import Resolver404, resolve

    from gongkai.core import scheduler, tasks as core_tasks

    path = (request.POST.get("path") or "").strip()[:500]
    parts = urlsplit(path)
    try:
        name = resolve(parts.path).view_name if path.startswith("/") and not parts.netloc else ""
    except Resolver404:
        name = ""
    title = settings.GONGKAI_BACKGROUND_EXPORTS.get(name)
    if title is None:
        messages.error(request, "该下载不能在后台生成。")
        return _jobs_page()
    if _too_many_jobs(request):
        return _jobs_page()
    core_tasks.export_download.enqueue(parts.path + (f"?{parts.query}" if parts.query else ""),
                                       requested_by=request.user.pk, job=scheduler.new_job_key(), title=title)
    messages.success(request, f"已开始在后台生成“{title}”，完成后可在本页下载。")
    return _jobs_page()


@staff_view
@require_POST
def job_import(request):
    """Import a folder of saved pages under the import root in the worker."""
    from gongkai.core.scheduler import Permanent
    from gongkai.ingest import tasks as ingest_tasks

    require(permissions.manages_installation(request.user),
            "只有政务公开办（最上级机构）管理员和系统管理员可以在后台导入网页文件。")
    folder = (request.POST.get("folder") or "").strip()[:300]
    org_id = int_param(request.POST.get("organisation") or "")
    if org_id is not None and not Organisation.objects.filter(pk=org_id).exists():
        messages.error(request, "请选择发布机构。")
        return _jobs_page()
    if _too_many_jobs(request):
        return _jobs_page()
    try:
        ingest_tasks.enqueue_import(folder, requested_by=request.user.pk, organisation_id=org_id,
                                    create_orgs=org_id is None and request.POST.get("create_orgs") == "on")
    except Permanent as exc:
        messages.error(request, str(exc))
        return _jobs_page()
    messages.success(request, f"已开始在后台导入“{folder or '导入目录'}”，可在本页查看进度。")
    return _jobs_page()


@staff_view
def job_download(request, job: str):
    """A background export's file, for the person who asked for it only."""
    from django.http import FileResponse

    from gongkai.core import scheduler
    from gongkai.core.http import attachment_header
    from gongkai.core.storage import private_storage

    made = scheduler.finished_job(request.user.pk, job, EXPORT_TASK) if job.isalnum() else None
    if not made or not made.get("file") or not private_storage.exists(made["file"]):
        raise Http404("文件不存在或已清理。")
    response = FileResponse(private_storage.open(made["file"], "rb"),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = attachment_header(made.get("name") or "export.xlsx")
    return response
