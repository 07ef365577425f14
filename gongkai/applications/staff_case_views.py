"""The case file (案卷, Art. 45) and 依申请转主动 (Art. 44) in the staff
workspace: download and rebuild an application's case file and set its
retention; propose disclosed information for proactive publication; the
list of information asked for repeatedly; the organisations' retention of
case files.

Views are thin: casefile.py and proactive.py check the rules and the
permissions and write with an audit entry. An application outside the
user's APPLICATIONS scope answers 404, as if it did not exist; the case file
(the applicant's personal data) only the receiving organisation's own
handlers and office administrators download (403 for the others)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongkai.catalog.models import Document
from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, int_param

from . import casefile, proactive, selectors
from .models import Application

NO_ACCESS = "您没有办理依申请公开的权限（须为本机关的依申请公开承办人或政务公开办管理员）。"
PERIOD_DAYS = 365  # the repeated-requests list opens on the last year
MAX_PERIOD_DAYS = 366 * 5


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("依申请公开", reverse("applications_staff:list")), *extra)


def _application_or_404(user, pk: int) -> Application:
    app = selectors.applications(user).filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在或您无权查看。")
    return app


def _detail(app: Application, anchor: str = "case-h") -> str:
    return reverse("applications_staff:detail", args=[app.pk]) + f"#{anchor}"


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the case file -----------------------------------------------------------------------

@staff_view
def case_file(request, pk: int):
    """The case file as a ZIP (audited)."""
    app = _application_or_404(request.user, pk)
    try:
        case, handle = casefile.open_for(request.user, app)
    except ValidationError:
        raise Http404("该申请的案卷尚未生成。")
    except (FileNotFoundError, OSError):
        raise Http404("案卷文件已不存在于存储中，请重新归档。")
    response = FileResponse(handle, as_attachment=True, filename=casefile.download_name(app),
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


class ArchiveForm(forms.Form):
    retention_years = forms.CharField(
        label="保管期限（年）", required=False, max_length=3,
        help_text=f"填写1至{casefile.MAX_RETENTION_YEARS}的整数，永久保管填0；留空则保持现有期限（首次归档为本机关设置的期限）。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}))


@staff_view
@require_POST
def case_file_build(request, pk: int):
    """Archive again (the case file is rebuilt in the background), optionally
    with another retention for this application."""
    app = _application_or_404(request.user, pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "保管期限无效。" + casefile.RETENTION_RULE)
        return redirect(_detail(app))
    years = form.cleaned_data["retention_years"].strip()
    try:
        if app.is_open:
            raise ValidationError("申请办结后才能归档。")
        if years:
            case = casefile.set_retention(app, years, user=request.user)
            messages.success(request, f"保管期限已改为{casefile.retention_text(case.retention_years)}"
                                      + (f"（保管至{case.retain_until:%Y年%m月%d日}）" if case.retain_until else "") + "。")
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(_detail(app))
    casefile.schedule_build(app)
    messages.success(request, "已提交归档任务：案卷由后台任务重新生成，完成后可在本页下载。")
    return redirect(_detail(app))


# --- 依申请转主动 -----------------------------------------------------------------------------

def _safe_next(request) -> str | None:
    target = request.POST.get("next") or ""
    if target.startswith("/staff/applications/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


@staff_view
@require_POST
def propose(request, pk: int):
    app = _application_or_404(request.user, pk)
    back = _safe_next(request) or _detail(app, "proactive-h")
    title = (request.POST.get("title") or "").strip()
    try:
        proposal = proactive.propose(app, user=request.user, title=title)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect(back)
    doc = proposal.document
    if doc.status == Document.Status.DRAFT:
        messages.success(request, f"已生成政府信息草稿《{doc.title}》。草稿须由本机关起草人或政务公开办管理员提交审核，"
                                  "经审核（含个人信息检查）后方可发布。")
    else:
        messages.success(request, f"已生成政府信息《{doc.title}》并提交审核，经审核（含个人信息检查）后方可发布。")
    return redirect(back)


class PeriodForm(forms.Form):
    start = forms.DateField(label="收到申请日期自", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "请填写有效的日期，如2024-01-01。", "required": "请填写开始日期。"})
    end = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "请填写有效的日期，如2024-12-31。", "required": "请填写结束日期。"})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError("开始日期不能晚于结束日期。")
            if (end - start).days > MAX_PERIOD_DAYS:
                raise ValidationError("统计期间最长为5年。")
        return data


@staff_view
def repeated(request):
    """Information asked for at least twice in a period, in one organisation."""
    user = request.user
    require(permissions.can_anywhere(user, permissions.APPLICATIONS), NO_ACCESS)
    organisations = proactive.organisations_for(user)
    if "org" in request.GET:
        org_id = int_param(request.GET.get("org"))
        organisation = organisations.filter(pk=org_id).first() if org_id else None
        if organisation is None:
            raise Http404("机构不存在或您无权查看其申请。")
    else:
        organisation = organisations.first()
    today = timezone.localdate()
    data = request.GET if "start" in request.GET or "end" in request.GET else {
        "start": (today - dt.timedelta(days=PERIOD_DAYS)).isoformat(), "end": today.isoformat()}
    form = PeriodForm(data)
    groups = None
    if organisation is not None and form.is_valid():
        groups = proactive.repeated_requests(organisation, form.cleaned_data["start"], form.cleaned_data["end"])
    return render(request, "applications/case/repeated.html", {
        "organisations": organisations, "organisation": organisation, "form": form, "groups": groups,
        "minimum": proactive.MIN_REPEATS, "here": request.get_full_path(),
        "crumbs": _crumbs(("多次申请的信息", "")),
    })


# --- retention of case files ---------------------------------------------------------------

@staff_view
def retention(request):
    """The office administrators set how long their organisations keep case files."""
    user = request.user
    scope = permissions.organisations_for(user, casefile.CONFIGURE)
    require(scope is None or bool(scope), "只有政务公开办管理员可以设置案卷保管期限。")
    organisations = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        organisations = organisations.filter(pk__in=scope)
    if request.method == "POST":
        org_id = int_param(request.POST.get("org"))
        organisation = organisations.filter(pk=org_id).first() if org_id else None
        if organisation is None:
            raise Http404("机构不存在或您无权设置。")
        try:
            row = casefile.set_organisation_retention(organisation, request.POST.get("years"), user=user)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            if row is None:
                messages.success(request, f"{organisation.name}的案卷保管期限已恢复为沿用上级机关或默认设置。")
            else:
                messages.success(request, f"{organisation.name}的案卷保管期限已设为{casefile.retention_text(row.years)}，"
                                          "此后归档的案卷按此期限保管。")
        return redirect(f"{reverse('applications_staff:case_retention')}#org-{organisation.pk}")
    rows = []
    for organisation in organisations:
        years, source = casefile.retention_for(organisation)
        own = source is not None and source.pk == organisation.pk
        rows.append({"organisation": organisation, "years": years, "text": casefile.retention_text(years), "own": own,
                     "source": "本机关设置" if own else (f"沿用{source.name}的设置" if source else "默认")})
    return render(request, "applications/case/retention.html", {
        "rows": rows, "default": casefile.retention_text(casefile.default_retention_years()),
        "rule": casefile.RETENTION_RULE, "crumbs": _crumbs(("案卷保管期限", "")),
    })
