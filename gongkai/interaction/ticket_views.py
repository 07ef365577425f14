"""The public side of the mailbox and hotline (政民互动), mounted at /interact/:
the hub, the letter form, the one-time receipt with the tracking code, the
status pages for whoever holds the code (reply, follow-up, rating), the
published letters with search, the monthly statistics, and the public
knowledge base.

As for disclosure applications (gongkai.applications.public_views): the
tracking code never travels in a URL; a wrong code gets one generic answer;
every form post is rate-limited per address; no page shows the writer's
personal data or a handler's internal notes (only the events' public
notes). Nothing here needs JavaScript."""

from __future__ import annotations

import logging
import os
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from gongkai.core.dates import date_text
from gongkai.core.form_tokens import REPLAY_MESSAGE, SPAM_MESSAGE, spam_refusal
from gongkai.workspace.pages import errors_to_form

from . import ticket_selectors as selectors
from . import ticket_services as services
from . import ticket_stats as stats
from .models import Ticket, TicketFile, TicketType
from .ticket_forms import FollowUpForm, LookupForm, RateForm, TicketForm, initial_from

logger = logging.getLogger(__name__)

SUBMIT_RATE = "5/h"       # letters accepted per address
POST_RATE = "30/h"        # any post of the letter form (refused ones too)
LOOKUP_RATE = "20/10m"    # tracking-code lookups
WRITER_RATE = "10/h"      # follow-ups and ratings
SEARCH_RATE = "60/m"      # searches of the letters and the knowledge base
RECEIPT_KEY = "tickets.receipt"
STATUS_KEY = "tickets.status"
PER_PAGE = 20
NOT_FOUND = "未找到该查询码对应的来信。请核对查询码后重试。"
TICKET_REPLAY = ("这份表单已经提交过一次，不能再次提交。如果您的来信已提交成功，请勿重复提交，可凭查询码查看办理情况；"
                 "如需再次写信，请核对下方内容后重新提交（如已选择附件，请重新选择）。")


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return [{"label": "首页", "url": reverse("portal:home")},
            {"label": "政民互动", "url": reverse("interaction:tickets:index")},
            *[{"label": label, "url": url} for label, url in extra]]


def _limited(request, group: str, rate: str) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def _too_many(request, what: str, wait: str, seconds: int) -> HttpResponse:
    response = render(request, "interaction/tickets/limited.html",
                      {"what": what, "wait": wait, "crumbs": _crumbs(("请稍后再试", ""))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _limits() -> dict:
    preset = services.default_preset()
    return dict(preset.rules.values_list("ticket_type", "workdays")) if preset else {}


def _sibling(path: str) -> str:
    """A page of the other 政民互动 sections (consultations, interviews) when it exists."""
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path


# --- the hub ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def index(request):
    base = reverse("interaction:tickets:index")
    return render(request, "interaction/tickets/index.html", {
        "limits": [(TicketType(code).label, days) for code, days in _limits().items()],
        "latest": list(selectors.published()[:5]),
        "consultations_url": _sibling(base + "consultations/"),
        "interviews_url": _sibling(base + "interviews/"),
        "crumbs": _crumbs(),
    })


# --- writing -----------------------------------------------------------------------------


def _write_page(request, form: TicketForm, *, notice: str = "", status: int = 200):
    if form.is_bound:
        form.mark_errors()
    return render(request, "interaction/tickets/write.html", {
        "form": form, "error_summary": form.error_summary() if form.is_bound else [], "notice": notice,
        "crumbs": _crumbs(("我要写信", "")),
    }, status=status)


def _stored_name(upload) -> str:
    return secrets.token_urlsafe(16) + os.path.splitext(upload.name)[1].lower()


@require_http_methods(["GET", "HEAD", "POST"])
def write(request):
    limits = _limits()
    if request.method != "POST":
        initial = {}
        org = request.GET.get("org", "")
        if org.isdigit():
            initial["office"] = int(org)
        return _write_page(request, TicketForm(initial=initial, limits=limits))
    if _limited(request, "tickets.write.post", POST_RATE):
        return _too_many(request, "提交来信", "一小时", 3600)
    refusal = spam_refusal(request.POST)  # uses up the form's token
    if refusal:
        notice = TICKET_REPLAY if refusal == REPLAY_MESSAGE else SPAM_MESSAGE
        return _write_page(request, TicketForm(initial=initial_from(request.POST), limits=limits), notice=notice)
    form = TicketForm(request.POST, request.FILES, limits=limits)
    if not form.is_valid():
        return _write_page(request, form)
    if _limited(request, "tickets.write", SUBMIT_RATE):
        return _too_many(request, "提交来信", "一小时", 3600)
    stored: list[TicketFile] = []
    try:
        with transaction.atomic():
            ticket, code = services.submit_online(form.cleaned_data["office"], form.cleaned_data["ticket"])
            for upload in form.cleaned_data["files"]:
                record = TicketFile(ticket=ticket, name=os.path.basename(upload.name)[:200])
                record.file.save(_stored_name(upload), File(upload), save=False)
                stored.append(record)
                record.save()
    except Exception as exc:
        for record in stored:  # the database rolled back; the files on disk go too
            record.file.delete(save=False)
        if not isinstance(exc, ValidationError):
            raise
        errors_to_form(form, exc)
        return _write_page(request, form)
    request.session[RECEIPT_KEY] = {"id": ticket.pk, "code": code}
    return redirect("interaction:tickets:received")


def _due(ticket: Ticket) -> str:
    """The due date in words for the writer: a date, 暂定 when next year's schedule is not out yet."""
    current = services.clock(ticket)
    if current.due is None or not ticket.is_open:
        return ""
    if current.provisional_year:
        return (f"自受理之日起{ticket.limit_workdays}个工作日内，暂定{date_text(current.due)}前"
                f"（{current.provisional_year}年法定节假日安排公布后按其重新计算）")
    extension = current.extension
    return f"{date_text(current.due)}前" + (f"（已延长{extension}个工作日）" if extension else "")


@never_cache
@require_http_methods(["GET"])  # not HEAD: a probe must not use up the one showing
def received(request):
    receipt = request.session.pop(RECEIPT_KEY, None)
    ticket = Ticket.objects.select_related("office").filter(pk=(receipt or {}).get("id")).first()
    if ticket is None:
        return render(request, "interaction/tickets/received.html", {"gone": True, "crumbs": _crumbs(("来信回执", ""))})
    return render(request, "interaction/tickets/received.html", {
        "ticket": ticket, "code": receipt["code"], "due": _due(ticket), "crumbs": _crumbs(("来信回执", "")),
    })


# --- status ----------------------------------------------------------------------------------


def _session_ticket(request) -> Ticket | None:
    pk = request.session.get(STATUS_KEY)
    if not pk:
        return None
    ticket = Ticket.objects.select_related("office", "organisation").filter(pk=pk).first()
    if ticket is None:
        request.session.pop(STATUS_KEY, None)
    return ticket


def _status_page(request, ticket: Ticket, *, follow_form=None, rate_form=None, status: int = 200):
    rated_now = ticket.events.filter(kind=services.K.RATED, round=ticket.round).exists()
    can_rate = ticket.state == Ticket.State.ANSWERED and not rated_now
    if can_rate and rate_form is None:
        rate_form = RateForm(allow_reopen=services.can_reopen(ticket))
    if rate_form is not None and rate_form.is_bound:
        rate_form.mark_errors()
    can_follow = ticket.state in services.MOVES["follow_up"]
    return render(request, "interaction/tickets/status_detail.html", {
        "ticket": ticket, "due": _due(ticket), "history": selectors.public_history(ticket),
        "replies": list(ticket.replies.select_related("organisation").order_by("round", "id")),
        "rate_form": rate_form if can_rate else None,
        "follow_form": (follow_form or FollowUpForm()) if can_follow else None,
        "crumbs": _crumbs(("查询办理进度", reverse("interaction:tickets:status")), ("办理情况", "")),
    }, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    crumbs = _crumbs(("查询办理进度", ""))
    if request.method == "POST":
        if _limited(request, "tickets.status", LOOKUP_RATE):
            return _too_many(request, "查询", "十分钟", 600)
        form = LookupForm(request.POST)
        message = ""
        if form.is_valid():
            ticket = services.find_by_code(form.cleaned_data["code"])
            if ticket is not None:
                request.session.cycle_key()
                request.session[STATUS_KEY] = ticket.pk
                return redirect("interaction:tickets:status")
            message = NOT_FOUND
        return render(request, "interaction/tickets/status.html", {"form": form, "message": message, "crumbs": crumbs})
    ticket = _session_ticket(request)
    if ticket is None:
        return render(request, "interaction/tickets/status.html", {"form": LookupForm(), "crumbs": crumbs})
    return _status_page(request, ticket)


@require_POST
def status_end(request):
    request.session.pop(STATUS_KEY, None)
    return redirect("interaction:tickets:status")


def _notice(request, text: str) -> None:
    messages.success(request, text)


@never_cache
@require_POST
def follow_up(request):
    ticket = _session_ticket(request)
    if ticket is None:
        return redirect("interaction:tickets:status")
    if _limited(request, "tickets.writer", WRITER_RATE):
        return _too_many(request, "补充说明或评价", "一小时", 3600)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up(ticket, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("text", message)
        else:
            _notice(request, "已提交补充说明，承办单位可以看到。")
            return redirect("interaction:tickets:status")
    ticket.refresh_from_db()
    return _status_page(request, ticket, follow_form=form, status=200)


@never_cache
@require_POST
def rate(request):
    ticket = _session_ticket(request)
    if ticket is None:
        return redirect("interaction:tickets:status")
    if _limited(request, "tickets.writer", WRITER_RATE):
        return _too_many(request, "补充说明或评价", "一小时", 3600)
    form = RateForm(request.POST, allow_reopen=services.can_reopen(ticket))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rate(ticket, satisfaction=data["satisfaction"], resolved=data["resolved"] == "yes",
                          comment=data["comment"], reopen=bool(data.get("reopen")))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, messages in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                form.add_error(None, exc.messages)
        else:
            ticket.refresh_from_db()
            _notice(request, "感谢您的评价。" + ("已要求承办单位重新办理。" if ticket.state == Ticket.State.HANDLING else ""))
            return redirect("interaction:tickets:status")
    ticket.refresh_from_db()
    if ticket.state != Ticket.State.ANSWERED:
        # Rated already (a second rating): the page says so, no form.
        _notice_error(request, form)
        return _status_page(request, ticket)
    return _status_page(request, ticket, rate_form=form)


def _notice_error(request, form) -> None:
    for message in form.non_field_errors():
        messages.error(request, message)


# --- published letters, statistics, knowledge --------------------------------------------------


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _query(request) -> str:
    return (request.GET.get("q") or "").strip()[:selectors.SEARCH_MAX]


@require_http_methods(["GET", "HEAD"])
def letters(request):
    q = _query(request)
    ticket_type = request.GET.get("type", "")
    if (q or ticket_type) and _limited(request, "tickets.search", SEARCH_RATE):
        return _too_many(request, "检索", "一分钟", 60)
    page = _page(request, selectors.search_published(q, ticket_type).prefetch_related(selectors.replies_prefetch()))
    for item in page.object_list:
        answers = list(item.replies.all())
        item.answer = answers[-1] if answers else None
    return render(request, "interaction/tickets/letters.html", {
        "page": page, "q": q, "type": ticket_type if ticket_type in TicketType.values else "",
        "types": TicketType.choices, "crumbs": _crumbs(("公开信件", "")),
    })


@require_http_methods(["GET", "HEAD"])
def letter(request, pk: int):
    ticket = selectors.published().filter(pk=pk).first()
    if ticket is None:
        raise Http404("没有这封公开信件。")
    answer = services.latest_reply(ticket)
    return render(request, "interaction/tickets/letter.html", {
        "ticket": ticket, "answer": answer,
        "crumbs": _crumbs(("公开信件", reverse("interaction:tickets:letters")), (ticket.public_subject, "")),
    })


@require_http_methods(["GET", "HEAD"])
def statistics(request):
    today = timezone.localdate()
    text = request.GET.get("year", "")
    year = int(text) if text.isascii() and text.isdigit() and len(text) == 4 else today.year
    if stats.year_error(year):
        raise Http404("年度无效。")
    figures = stats.compute(None, year)
    return render(request, "interaction/tickets/stats_public.html", {
        "year": year, "years": list(range(today.year, max(stats.FIRST_YEAR, today.year - 5) - 1, -1)),
        "stats": figures, "rows": stats.table(figures), "headings": stats.HEADINGS,
        "crumbs": _crumbs(("办理情况统计", "")),
    })


@require_http_methods(["GET", "HEAD"])
def knowledge(request):
    q = _query(request)
    if q and _limited(request, "tickets.search", SEARCH_RATE):
        return _too_many(request, "检索", "一分钟", 60)
    page = _page(request, selectors.knowledge(q, public_only=True))
    return render(request, "interaction/tickets/knowledge.html", {
        "page": page, "q": q, "crumbs": _crumbs(("常见问题（知识库）", "")),
    })


@require_http_methods(["GET", "HEAD"])
def knowledge_entry(request, pk: int):
    entry = selectors.knowledge(public_only=True).filter(pk=pk).first()
    if entry is None:
        raise Http404("没有这条公开的问答。")
    return render(request, "interaction/tickets/knowledge_entry.html", {
        "entry": entry,
        "crumbs": _crumbs(("常见问题（知识库）", reverse("interaction:tickets:knowledge")), (entry.question, "")),
    })
