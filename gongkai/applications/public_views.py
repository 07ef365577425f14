"""The public side of disclosure applications (依申请公开): the application
form, the one-time receipt with the tracking code, and the status pages for
whoever holds the code.

- The tracking code never travels in a URL: the receipt page reads it from
  the session once (POST-redirect-GET) and drops it; a successful lookup
  keeps only the application's id in the session, which the letter and file
  pages then require.
- A wrong code gets one generic answer whether or not anything exists, and
  lookups are rate-limited per address: codes cannot be enumerated.
- No page here shows the applicant's personal data, nor a handler's
  internal notes: only the events' public notes.
"""

from __future__ import annotations

import importlib
import logging
import mimetypes
import os
import secrets

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from gongkai.core.dates import date_text
from gongkai.core.form_tokens import spam_refusal
from gongkai.core.models import Organisation
from gongkai.core.statute import CORRECTION_NOTICE_WORKDAYS, EXTENSION_MAX_WORKDAYS, REPLY_WORKDAYS
from gongkai.portal.middleware import SecurityHeadersMiddleware
from gongkai.portal.views import Crumb
from gongkai.core.http import attachment_header

from . import letters_docx, notice_flow, notices, services
from .forms import ApplicationForm, LookupForm, initial_from
from .models import Application, ApplicationFile, Notice

logger = logging.getLogger(__name__)

# Per client address (django-ratelimit, counted in the shared cache).
SUBMIT_RATE = "5/h"        # applications accepted
POST_RATE = "30/h"         # any post of the form (refused ones too)
LOOKUP_RATE = "20/10m"     # tracking-code lookups
RECEIPT_KEY = "applications.receipt"   # {"id", "code"}: for the one receipt page, then dropped
STATUS_KEY = "applications.status"     # the id of the application whose code was given
PRINT_KEY = "applications.printable"   # the id of the application just submitted: its printable receipt (no code)
PUBLIC_FILE_ROLES = (ApplicationFile.Role.DISCLOSED, ApplicationFile.Role.LETTER)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _home(*extra: Crumb) -> list[Crumb]:
    return [Crumb("首页", reverse("portal:home")), Crumb("依申请公开", reverse("applications:apply")), *extra]


def _limited(request, group: str, rate: str, *, increment: bool = True) -> bool:
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=increment)


def _too_many(request, what: str, wait: str, seconds: int) -> HttpResponse:
    response = render(request, "applications/apply_limited.html",
                      {"what": what, "wait": wait, "crumbs": _home(Crumb("请稍后再试"))}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _due(app: Application) -> dict:
    """What to say about the reply's due date: a date, or why there is none."""
    clock = services.clock(app)
    if clock.due and app.is_open and clock.provisional_year:
        # The statutory rule, and the date as far as it can be known before
        # the State Council's schedule for that year is out.
        return {"date": clock.due, "provisional_year": clock.provisional_year, "text": (
            f"自收到申请之日起{REPLY_WORKDAYS}个工作日内"
            + (f"（已延长{clock.extension}个工作日）" if clock.extension else "")
            + f"，暂定{date_text(clock.due)}前（{clock.provisional_year}年法定节假日安排公布后按其重新计算）")}
    if clock.due and app.is_open:
        return {"date": clock.due, "text": f"{date_text(clock.due)}前"
                + (f"（已延长{clock.extension}个工作日）" if clock.extension else "")}
    if clock.state == "correction":
        return {"text": "待补正：自收到补正后的申请之日起重新计算答复期限。"}
    if clock.state == "paused":
        return {"text": "征求意见或等待缴费期间，所需时间不计入答复期限。"}
    if app.received_on is None:
        return {"text": "自受理机关确认收到申请之日起计算。"}
    return {}


def _crumbs_apply():
    return [Crumb("首页", reverse("portal:home")), Crumb("依申请公开")]


# --- applying -------------------------------------------------------------------


def _apply_page(request, form: ApplicationForm, *, notice: str = "", status: int = 200):
    if form.is_bound:
        form.mark_errors()
    summary = form.error_summary() if form.is_bound else []
    return render(request, "applications/apply.html", {
        "form": form,
        "error_summary": summary,
        "notice": notice,
        "reply_workdays": REPLY_WORKDAYS,
        "extension_workdays": EXTENSION_MAX_WORKDAYS,
        "correction_workdays": CORRECTION_NOTICE_WORKDAYS,
        "crumbs": _crumbs_apply(),
    }, status=status)


def _stored_name(upload) -> str:
    """An unguessable file name (the original one is kept in ApplicationFile.name)."""
    return secrets.token_urlsafe(16) + os.path.splitext(upload.name)[1].lower()


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    if request.method != "POST":
        initial = {}
        org = request.GET.get("org", "")
        if org.isdigit() and Organisation.objects.filter(pk=int(org)).exists():
            initial["organisation"] = int(org)
        return _apply_page(request, ApplicationForm(initial=initial))

    if _limited(request, "applications.apply.post", POST_RATE):
        return _too_many(request, "提交申请", "一小时", 3600)
    refusal = spam_refusal(request.POST)  # uses up the form's token: each is good for one submission
    if refusal:
        # Refused quietly: nothing saved, the same words for every spam cause; a form sent twice is told so.
        return _apply_page(request, ApplicationForm(initial=initial_from(request.POST)), notice=refusal)
    form = ApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _apply_page(request, form)
    if _limited(request, "applications.apply", SUBMIT_RATE):
        return _too_many(request, "提交申请", "一小时", 3600)

    stored: list[ApplicationFile] = []
    try:
        with transaction.atomic():
            app, code = services.submit_online(form.cleaned_data["organisation"], form.cleaned_data["applicant"])
            for upload in form.cleaned_data["files"]:
                record = ApplicationFile(application=app, role=ApplicationFile.Role.FROM_APPLICANT,
                                         name=os.path.basename(upload.name)[:200])
                record.file.save(_stored_name(upload), File(upload), save=False)
                stored.append(record)
                record.save()
    except Exception:
        for record in stored:  # the database rolled back; the files on disk go too
            record.file.delete(save=False)
        raise
    request.session[RECEIPT_KEY] = {"id": app.pk, "code": code}
    request.session[PRINT_KEY] = app.pk
    return redirect("applications:received")


@never_cache
@require_http_methods(["GET"])  # not HEAD: a probe must not use up the one showing
def received(request):
    """The receipt, shown once: the code is in the session for this one page."""
    receipt = request.session.pop(RECEIPT_KEY, None)
    app = Application.objects.select_related("organisation").filter(pk=(receipt or {}).get("id")).first()
    if app is None:
        return render(request, "applications/apply_received.html",
                      {"gone": True, "crumbs": _home(Crumb("申请回执"))})
    return render(request, "applications/apply_received.html", {
        "application": app,
        "code": receipt["code"],
        "due": _due(app),
        "reply_workdays": REPLY_WORKDAYS,
        "crumbs": _home(Crumb("申请回执")),
    })


# --- status -----------------------------------------------------------------------


def _session_application(request) -> Application | None:
    pk = request.session.get(STATUS_KEY)
    if not pk:
        return None
    app = Application.objects.select_related("organisation").filter(pk=pk).first()
    if app is None:
        request.session.pop(STATUS_KEY, None)
    return app


def _reply(app: Application):
    if app.state != Application.State.REPLIED:
        return None
    try:
        return app.reply
    except Application.reply.RelatedObjectDoesNotExist:
        return None


def _docx_builder():
    """letters_docx.build(app, reply) -> bytes, when that module exists."""
    try:
        module = importlib.import_module("gongkai.applications.letters_docx")
    except ImportError:
        return None
    return getattr(module, "build", None)


NOT_FOUND = "未找到该查询码对应的申请。请核对查询码后重试（不区分大小写，空格和短横线可以省略）。"


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request):
    if request.method == "POST":
        if _limited(request, "applications.status", LOOKUP_RATE):
            return _too_many(request, "查询", "十分钟", 600)
        form = LookupForm(request.POST)
        message = ""
        if form.is_valid():
            app = services.find_by_code(form.cleaned_data["code"])
            if app is not None:
                request.session.cycle_key()  # a new session id for what the code opens
                request.session[STATUS_KEY] = app.pk
                return redirect("applications:status")
            message = NOT_FOUND
        return render(request, "applications/status.html", {
            "form": form, "message": message, "crumbs": _home(Crumb("查询办理进度"))})

    app = _session_application(request)
    if app is None:
        return render(request, "applications/status.html",
                      {"form": LookupForm(), "crumbs": _home(Crumb("查询办理进度"))})
    history = [(event.on, event.public_note) for event in app.events.exclude(public_note="").order_by("on", "id")]
    reply = _reply(app)
    sent = notices.sent_to_applicant(app)
    return render(request, "applications/status_detail.html", {
        "application": app,
        "due": _due(app),
        "history": history,
        "reply": reply,
        # The reply's own section only for a reply made without a notice (before sign-off existed).
        "reply_letter": reply is not None and not any(n.kind == notice_flow.REPLY for n in sent),
        "notices": sent,
        "docx": reply is not None and _docx_builder() is not None,
        "files": app.files.filter(role__in=PUBLIC_FILE_ROLES).order_by("id"),
        "crumbs": _home(Crumb("办理进度")),
    })


@require_POST
def status_end(request):
    """Forget the application this browser looked up (a shared computer)."""
    request.session.pop(STATUS_KEY, None)
    return redirect("applications:status")


def _require_session_application(request) -> Application:
    app = _session_application(request)
    if app is None:
        raise Http404("请先输入查询码")
    return app


@never_cache
@require_http_methods(["GET", "HEAD"])
def letter(request):
    app = _session_application(request)
    if app is None:
        return redirect("applications:status")
    reply = _reply(app)
    if reply is None:
        raise Http404("该申请尚未答复")
    return render(request, "applications/letter_public.html", {
        "application": app,
        "letter": letters_docx.letter_parts(app, reply),  # the letter as issued
        "docx": _docx_builder() is not None,
        "crumbs": _home(Crumb("办理进度", reverse("applications:status")), Crumb("答复告知书")),
    })


@never_cache
@require_http_methods(["GET", "HEAD"])
def letter_docx(request):
    app = _require_session_application(request)
    reply = _reply(app)
    build = _docx_builder()
    if reply is None or build is None:
        raise Http404("没有可下载的告知书")
    response = HttpResponse(build(app, reply), content_type=DOCX_TYPE)
    response["Content-Disposition"] = attachment_header(f"{reply.letter_number or '答复告知书'}.docx")
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def download(request, pk: int):
    """A disclosed file (or the signed letter), for the code holder only."""
    app = _require_session_application(request)
    record = app.files.filter(pk=pk, role__in=PUBLIC_FILE_ROLES).first()
    if record is None or not record.file:
        raise Http404("没有这个文件")
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        logger.warning("application file %s is missing from storage", record.pk)
        raise Http404("文件暂时无法下载") from None
    name = record.name or os.path.basename(record.file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


# --- the notices sent to the applicant, and the printable receipt ------------------------------

def _sent_notice(request, pk: int) -> tuple[Application, Notice]:
    """A notice sent to the applicant of the application whose code this browser gave."""
    app = _require_session_application(request)
    kinds = [key for key, kind in notice_flow.KINDS.items() if kind.to_applicant]
    notice = app.notices.filter(pk=pk, state=notice_flow.SENT, kind__in=kinds).first()
    if notice is None:
        raise Http404("没有这份告知书")
    return app, notice


@never_cache
@require_http_methods(["GET", "HEAD"])
def notice(request, pk: int):
    app, item = _sent_notice(request, pk)
    return render(request, "applications/letter_public.html", {
        "application": app,
        "letter": item.parts,
        "docx_url": reverse("applications:notice_docx", args=[item.pk]),
        "docx": True,
        "crumbs": _home(Crumb("办理进度", reverse("applications:status")), Crumb(item.title)),
    })


@never_cache
@require_http_methods(["GET", "HEAD"])
def notice_docx(request, pk: int):
    app, item = _sent_notice(request, pk)
    response = HttpResponse(letters_docx.build_notice(item), content_type=DOCX_TYPE)
    response["Content-Disposition"] = attachment_header(f"{item.number or item.title}.docx")
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def receipt(request):
    """The printable receipt (受理回执): number, organisation, date received and
    the statutory reply period, for the application this browser just
    submitted or looked up. Never the tracking code (it is not kept)."""
    pk = request.session.get(STATUS_KEY) or request.session.get(PRINT_KEY)
    app = Application.objects.select_related("organisation").filter(pk=pk).first() if pk else None
    if app is None:
        return redirect("applications:status")
    nonce = secrets.token_urlsafe(16)
    response = render(request, "applications/receipt_print.html", {
        "application": app, "due": _due(app), "reply_workdays": REPLY_WORKDAYS, "nonce": nonce,
        "site_name": getattr(settings, "GONGKAI_SITE_NAME", ""),
    })
    response["Content-Security-Policy"] = SecurityHeadersMiddleware.POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    return response
