"""The public side of online interviews (在线访谈): the list, the interview's
page (announcement, live answers, the transcript once public) and the
question form.

While an interview is live its page reloads itself every REFRESH_SECONDS
with a plain `<meta http-equiv="refresh">` (no JavaScript needed), and
offers a manual refresh link and a link that turns the reloading off
(WCAG 2.2.1: the visitor can stop a time limit)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gongkai.core.form_tokens import spam_refusal
from gongkai.portal.views import Crumb

from . import interview_selectors as selectors
from . import interview_services as services
from .consultation_views import home_crumbs, limited, too_many
from .interview_forms import QuestionForm
from .models import Interview

SUBMIT_RATE = "10/h"   # questions accepted
POST_RATE = "30/h"     # any post of the form
REFRESH_SECONDS = 30
PER_PAGE = 20


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [*home_crumbs(), Crumb("在线访谈", reverse("interaction:interview_list")), *extra]


@require_http_methods(["GET", "HEAD"])
def interview_list(request):
    groups = selectors.public_groups()
    ended = Paginator(groups["ended"], PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "interaction/interviews/list.html", {
        "live": groups["live"], "upcoming": groups["upcoming"], "ended": ended,
        "crumbs": [*home_crumbs(), Crumb("在线访谈")],
    })


def _public(pk: int) -> Interview:
    interview = selectors.public_interviews().filter(pk=pk).first()
    if interview is None:
        raise Http404("没有这场在线访谈。")
    return interview


def _page(request, interview: Interview, *, notice: str = "", status: int = 200):
    live = interview.state == Interview.State.LIVE
    transcript = interview.transcript if interview.transcript and interview.transcript.is_public else None
    _, answer_workdays = services.policy_for(interview.organisation)
    stream, later = services.transcript_entries(interview)
    return render(request, "interaction/interviews/detail.html", {
        "i": interview,
        "live": live,
        "refresh": REFRESH_SECONDS if live and request.GET.get("refresh") != "off" else 0,
        "refresh_off": request.GET.get("refresh") == "off",
        # What was said and answered live (newest first while live), and the answers given afterwards.
        "stream": list(reversed(stream)) if live else stream,
        "later": later,
        "waiting": selectors.public_questions(interview).filter(answered_at__isnull=True),
        "transcript": transcript,
        "answer_workdays": answer_workdays,
        # While live the page reloads itself: the question is written on a page of its own.
        "form": QuestionForm() if interview.state == Interview.State.ANNOUNCED else None,
        "notice": notice,
        "crumbs": _crumbs(Crumb(interview.title)),
    }, status=status)


def _ask_page(request, interview: Interview, form: QuestionForm | None, *, notice: str = "", status: int = 200):
    if form is not None and form.is_bound:
        form.mark_errors()
    return render(request, "interaction/interviews/ask.html", {
        "i": interview, "form": form, "notice": notice,
        "crumbs": _crumbs(Crumb(interview.title, reverse("interaction:interview_detail", args=[interview.pk])),
                          Crumb("我要提问")),
    }, status=status)


@require_http_methods(["GET", "HEAD"])
def interview_detail(request, pk: int):
    return _page(request, _public(pk))


@require_http_methods(["GET", "HEAD", "POST"])
def interview_ask(request, pk: int):
    interview = _public(pk)
    if request.method != "POST":
        return _ask_page(request, interview, QuestionForm() if interview.takes_questions else None)
    if limited(request, "interaction.interview.post", POST_RATE):
        return too_many(request, "提问", "一小时", 3600, _crumbs(Crumb("请稍后再试")))
    refusal = spam_refusal(request.POST)
    if refusal:
        form = QuestionForm(initial={k: request.POST.get(k, "") for k in ("name", "contact", "text")}) \
            if interview.takes_questions else None
        return _ask_page(request, interview, form, notice=refusal)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _ask_page(request, interview, form)
    if limited(request, "interaction.interview.ask", SUBMIT_RATE):
        return too_many(request, "提问", "一小时", 3600, _crumbs(Crumb("请稍后再试")))
    data = form.cleaned_data
    try:
        question = services.question_submit(interview, name=data["name"], contact=data["contact"], text=data["text"])
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _ask_page(request, interview, form)
        interview.refresh_from_db()
        return _ask_page(request, interview, None, notice="；".join(exc.messages))
    messages.success(request, f"您的问题已提交（第{question.serial}号），经审核后公开显示。")
    return redirect(reverse("interaction:interview_detail", args=[interview.pk]) + "#questions")
