"""The public side of consultations on drafts (意见征集): the list, the
consultation's page (the draft, its explanation, the period and how to
comment, the comments shown, the adoption feedback once public) and the
comment form.

The comment form takes the applications' defences: a signed one-time token
and a honeypot against scripts (refused quietly, nothing saved), and
per-address rate limits (429 with Retry-After). The writer's name and
contact are never shown; comments are shown with personal data masked."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from gongkai.core.form_tokens import spam_refusal
from gongkai.portal.views import Crumb

from . import consultation_rules as rules
from . import consultation_selectors as selectors
from . import consultation_services as services
from .consultation_forms import CommentForm
from .models import Consultation

# Per client address (django-ratelimit, counted in the shared cache).
SUBMIT_RATE = "10/h"   # comments accepted
POST_RATE = "30/h"     # any post of the form (refused ones too)
PER_PAGE = 20


def limited(request, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def too_many(request, what: str, wait: str, seconds: int, crumbs) -> HttpResponse:
    response = render(request, "interaction/consultations/limited.html",
                      {"what": what, "wait": wait, "crumbs": crumbs}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def home_crumbs() -> list[Crumb]:
    """首页 › 政民互动 (the root of /interact/, whichever page of it is there)."""
    root = reverse("interaction:consultation_list").rsplit("consultations/", 1)[0]
    return [Crumb("首页", reverse("portal:home")), Crumb("政民互动", root)]


def _crumbs(*extra: Crumb) -> list[Crumb]:
    return [*home_crumbs(), Crumb("意见征集", reverse("interaction:consultation_list")), *extra]


@require_http_methods(["GET", "HEAD"])
def consultation_list(request):
    today = timezone.localdate()
    groups = selectors.public_groups(today)
    closed = Paginator(groups["closed"], PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "interaction/consultations/list.html", {
        "open": groups["open"], "upcoming": groups["upcoming"], "closed": closed, "today": today,
        "crumbs": [*home_crumbs(), Crumb("意见征集")],
    })


def _public(pk: int) -> Consultation:
    consultation = selectors.public_consultations().filter(pk=pk).first()
    if consultation is None:
        raise Http404("没有这项意见征集。")
    return consultation


def _page(request, consultation: Consultation, form: CommentForm | None = None, *, notice: str = "", status: int = 200):
    today = timezone.localdate()
    if form is None and consultation.is_open_on(today):
        form = CommentForm(consultation=consultation)
    if form is not None and form.is_bound:
        form.mark_errors()
    return render(request, "interaction/consultations/detail.html", {
        "c": consultation,
        "today": today,
        "is_open": consultation.is_open_on(today),
        "upcoming": consultation.state == Consultation.State.PUBLISHED and today < consultation.opens_on,
        "short": rules.is_short(consultation.opens_on, consultation.closes_on, consultation.major),
        "min_days": rules.MAJOR_MIN_DAYS,
        "basis": rules.MAJOR_BASIS,
        "comments": selectors.public_comments(consultation),
        "feedback": selectors.public_feedback(consultation),
        "form": form,
        "notice": notice,
        "crumbs": _crumbs(Crumb(consultation.title)),
    }, status=status)


@require_http_methods(["GET", "HEAD"])
def consultation_detail(request, pk: int):
    return _page(request, _public(pk))


@require_POST
def consultation_comment(request, pk: int):
    consultation = _public(pk)
    if limited(request, "interaction.consultation.post", POST_RATE):
        return too_many(request, "提交意见", "一小时", 3600, _crumbs(Crumb("请稍后再试")))
    refusal = spam_refusal(request.POST)  # uses up the form's token
    if refusal:
        form = CommentForm(initial={k: request.POST.get(k, "") for k in ("name", "contact", "text")},
                           consultation=consultation) if consultation.is_open_on(timezone.localdate()) else None
        return _page(request, consultation, form, notice=refusal)
    form = CommentForm(request.POST, consultation=consultation)
    if not form.is_valid():
        return _page(request, consultation, form)
    if limited(request, "interaction.consultation.comment", SUBMIT_RATE):
        return too_many(request, "提交意见", "一小时", 3600, _crumbs(Crumb("请稍后再试")))
    data = form.cleaned_data
    try:
        comment = services.comment_submit(consultation, name=data["name"], contact=data["contact"], text=data["text"])
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return _page(request, consultation, form)
        return _page(request, consultation, None, notice="；".join(exc.messages))
    if comment.state == comment.State.SHOWN:
        messages.success(request, f"您的意见已提交（第{comment.serial}条），已在下方公开显示。感谢您的参与！")
    else:
        messages.success(request, f"您的意见已提交（第{comment.serial}条），经审核后在本页公开显示。感谢您的参与！")
    return redirect(reverse("interaction:consultation_detail", args=[consultation.pk]) + "#comments")
