"""Online interviews (在线访谈) in the staff workspace: the list, preparing
and announcing one, the live console (start, moderate, answer, publish the
host's and guests' words, end), answers after the interview, drafting the
transcript into the catalog, and the organisation's periods.

Views are thin: forms shape input, interview_services checks the rules and
permissions and writes with an audit entry."""

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

from . import interview_selectors as selectors
from . import interview_services as services
from .consultation_forms import ModerateForm
from .consultation_selectors import editable_organisations
from .interview_forms import AnswerForm, InterviewForm, PolicyForm, StatementForm, TranscriptForm
from .interview_views import REFRESH_SECONDS
from .models import Interview, InterviewQuestion

I = Interview.State
NO_ACCESS = "您没有管理在线访谈的权限（须为起草人、发布人或政务公开办管理员）。"


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("在线访谈", reverse("interaction_staff:interview_list")), *extra)


def _interview_or_404(user, pk: int) -> Interview:
    interview = selectors.staff_interviews(user).filter(pk=pk).first()
    if interview is None:
        raise Http404("在线访谈不存在或您无权查看。")
    return interview


@staff_view
def interview_list(request):
    user = request.user
    qs = selectors.staff_interviews(user).order_by("-starts_at", "-id")
    state = request.GET.get("state", "")
    if state in Interview.State.values:
        qs = qs.filter(state=state)
    return render(request, "interaction/interviews/staff_list.html", {
        "interviews": qs[:200], "state": state, "states": Interview.State.choices,
        "may_create": editable_organisations(user).exists(),
        "may_configure": permissions.can_anywhere(user, permissions.MANAGE_MEMBERS),
        "open_questions": selectors.unanswered(user, timezone.localdate()),
        "crumbs": _crumbs(),
    })


@staff_view
def interview_edit(request, pk: int | None = None):
    user = request.user
    interview = _interview_or_404(user, pk) if pk else None
    orgs = editable_organisations(user)
    if interview is not None:
        require(services.may_edit(user, interview.organisation), "您没有修改该访谈的权限。")
        if interview.state not in (I.DRAFT, I.ANNOUNCED):
            messages.error(request, f"“{interview.get_state_display()}”的访谈不能修改。")
            return redirect("interaction_staff:interview_detail", pk=interview.pk)
    else:
        require(orgs.exists(), NO_ACCESS)
    if request.method == "POST":
        form = InterviewForm(request.POST, instance=interview, organisations=orgs)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.FIELDS}
            try:
                saved = services.interview_save(interview, user=user, organisation=form.cleaned_data.get("organisation"),
                                                **data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            except PermissionDenied as exc:
                form.add_error("organisation", str(exc))
            else:
                messages.success(request, "在线访谈已保存。")
                return redirect("interaction_staff:interview_detail", pk=saved.pk)
    else:
        form = InterviewForm(instance=interview, organisations=orgs)
    title = "修改在线访谈" if interview else "新建在线访谈"
    notice_days = services.policy_for(interview.organisation)[0] if interview else None
    return render(request, "interaction/interviews/staff_form.html", {
        "form": form, "i": interview, "title": title, "notice_days": notice_days, "crumbs": _crumbs((title, "")),
    })


def _detail(request, interview: Interview, bound: tuple[str, object] | None = None, status: int = 200):
    user = request.user
    edit = services.may_edit(user, interview.organisation)
    questions = list(interview.questions.order_by("serial"))
    answer_forms = {}
    if edit and interview.state in (I.LIVE, I.ENDED):
        for q in questions:
            if q.state != InterviewQuestion.State.HIDDEN:
                answer_forms[q.pk] = AnswerForm(interview=interview, prefix=f"q{q.pk}",
                                                initial={"answer": q.answer, "guest": q.answered_by})
    if bound is not None and bound[0].startswith("answer-"):
        answer_forms[int(bound[0].split("-", 1)[1])] = bound[1]
    for q in questions:
        q.answer_form = answer_forms.get(q.pk)
    statement_form = None
    if edit and interview.state == I.LIVE:
        statement_form = StatementForm(speakers=services.speakers(interview))
        if bound is not None and bound[0] == "statement":
            statement_form = bound[1]
    due, provisional = services.answer_due(interview)
    return render(request, "interaction/interviews/staff_detail.html", {
        "i": interview,
        "may_edit": edit,
        "may_announce": interview.state == I.DRAFT and services.may_publish(user, interview.organisation),
        "sees_contacts": services.sees_contacts(user, interview.organisation),
        "questions": questions,
        "statements": interview.statements.order_by("at", "id"),
        "statement_form": statement_form,
        "transcript_form": TranscriptForm() if edit and interview.state == I.ENDED and (
            interview.transcript is None or interview.transcript.status in services.TRANSCRIPT_EDITABLE) else None,
        "transcript": interview.transcript,
        "answer_due": due,
        "provisional_year": provisional,
        "notice_days": services.policy_for(interview.organisation)[0],
        "editable_states": (I.DRAFT, I.ANNOUNCED),
        "refused": bound is not None,
        "crumbs": _crumbs((interview.title, "")),
    }, status=status)


@staff_view
def interview_detail(request, pk: int):
    return _detail(request, _interview_or_404(request.user, pk))


def _question(interview: Interview, pk) -> InterviewQuestion:
    question = interview.questions.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if question is None:
        raise Http404("没有这个问题。")
    return question


@staff_view
@require_POST
def interview_act(request, pk: int, action: str):
    user = request.user
    interview = _interview_or_404(user, pk)
    form, key = None, action
    try:
        if action == "announce":
            services.interview_announce(interview, user=user)
            messages.success(request, "访谈预告已发布，公众可在“在线访谈”栏目查看并提问。")
        elif action == "start":
            services.interview_start(interview, user=user)
            messages.success(request, f"访谈已开始：公开页面每{REFRESH_SECONDS}秒自动刷新，显示新的答复和发言。")
        elif action == "end":
            services.interview_end(interview, user=user)
            messages.success(request, "访谈已结束，不再接收提问。访谈中未答复的问题请在期限内答复。")
        elif action == "moderate":
            question = _question(interview, request.POST.get("question"))
            moderate = ModerateForm(request.POST)
            if not moderate.is_valid():
                raise ValidationError("请选择公开显示或不予显示。")
            show = moderate.cleaned_data["show"]
            services.question_moderate(question, user=user, show=show, reason=moderate.cleaned_data["reason"])
            messages.success(request, f"第{question.serial}号问题已{'公开显示' if show else '设为不予显示'}。")
        elif action == "answer":
            question = _question(interview, request.POST.get("question"))
            key = f"answer-{question.pk}"
            form = AnswerForm(request.POST, interview=interview, prefix=f"q{question.pk}")  # one form per question
            if not form.is_valid():
                return _detail(request, interview, (key, form), status=400)
            services.question_answer(question, user=user, guest=form.cleaned_data["guest"],
                                     answer=form.cleaned_data["answer"])
            messages.success(request, f"第{question.serial}号问题的答复已公开。")
        elif action == "statement":
            form = StatementForm(request.POST, speakers=services.speakers(interview))
            if not form.is_valid():
                return _detail(request, interview, (key, form), status=400)
            services.statement_add(interview, user=user, speaker=form.cleaned_data["speaker"],
                                   text=form.cleaned_data["text"])
            messages.success(request, "发言已公开。")
        elif action == "transcript":
            form = TranscriptForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请选择体裁分类。")
            doc = services.transcript_draft(interview, user=user, genre=form.cleaned_data["genre"])
            form = None
            messages.success(request, f"已起草《{doc.title}》。请在“政府信息”中核对后提交审核，发布后即在访谈页面链接。")
        else:
            raise Http404("没有这项操作。")
    except ValidationError as exc:
        if form is None or action == "transcript":
            for message in exc.messages:
                messages.error(request, message)
            return redirect("interaction_staff:interview_detail", pk=interview.pk)
        errors_to_form(form, exc)
        interview.refresh_from_db()
        return _detail(request, interview, (key, form), status=400)
    anchor = "#questions" if action in ("moderate", "answer") else ""
    return redirect(reverse("interaction_staff:interview_detail", args=[interview.pk]) + anchor)


@staff_view
def interview_settings(request):
    user = request.user
    scope = permissions.organisations_for(user, permissions.MANAGE_MEMBERS)
    require(scope is None or bool(scope), "只有政务公开办管理员可以修改在线访谈设置。")
    orgs = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        orgs = orgs.filter(pk__in=scope)
    if request.method == "POST":
        form = PolicyForm(request.POST, organisations=orgs)
        if form.is_valid():
            try:
                services.policy_save(form.cleaned_data["organisation"], user=user,
                                     notice_days=form.cleaned_data["notice_days"],
                                     answer_workdays=form.cleaned_data["answer_workdays"])
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "在线访谈设置已保存。")
                return redirect("interaction_staff:interview_settings")
    else:
        form = PolicyForm(organisations=orgs, initial={"notice_days": services.rules.DEFAULT_NOTICE_DAYS,
                                                       "answer_workdays": services.rules.DEFAULT_ANSWER_WORKDAYS})
    rows = services.policies_of(list(orgs[:500]))
    return render(request, "interaction/interviews/staff_settings.html", {
        "form": form, "rows": rows, "crumbs": _crumbs(("设置", "")),
        "default_notice": services.rules.DEFAULT_NOTICE_DAYS, "default_workdays": services.rules.DEFAULT_ANSWER_WORKDAYS,
    })
