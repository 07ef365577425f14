"""Staff pages of the annual report, under /staff/reports/: the list and a
form to start one, the report (its check, the office's prose and entries,
the overrides, the preview), publication, downloads, a government's
departments side by side, and the units below an office with the state of
their reports. `services` decides and writes; these views read input and
render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.core import permissions
from gongkai.core.http import attachment_header
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form, int_param

from . import annual, annual_render, deadlines, selectors, services
from .forms import DeadlineForm, EditForm, OverrideForm, StartForm
from .models import AnnualReport

NO_MANAGE = "只有政务公开办管理员可以编制和发布政府信息公开工作年度报告。"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report_or_404(user, pk: int) -> AnnualReport:
    report = selectors.report_or_none(user, pk)
    if report is None:
        raise Http404("年度报告不存在或您无权查看。")
    return report


def _index_crumb():
    return ("政府信息公开工作年度报告", reverse("reports:index"))


def _render_index(request, form, status=200):
    user = request.user
    today = timezone.localdate()
    return render(request, "reports/index.html", {
        "reports": selectors.visible_reports(user).order_by("-year", "organisation__sort_order", "organisation_id"),
        "form": form,
        "roots": selectors.roots(user),
        "year": selectors.report_year(today),
        "crumbs": crumbs(("政府信息公开工作年度报告", "")),
    }, status=status)


@staff_view
def index(request):
    require(permissions.can_anywhere(request.user, selectors.MANAGE), NO_MANAGE)
    managed = selectors.managed_organisations(request.user)
    year = max(selectors.report_year(timezone.localdate()), annual.FIRST_YEAR)
    form = StartForm(organisations=managed, initial={"year": year,
                                                     "organisation": managed.first() if managed.count() == 1 else None})
    return _render_index(request, form)


@staff_view
@require_POST
def start(request):
    user = request.user
    require(permissions.can_anywhere(user, selectors.MANAGE), NO_MANAGE)
    # Any organisation is accepted here; the service refuses (403) one outside the user's reach.
    form = StartForm(request.POST, organisations=Organisation.objects.all())
    if form.is_valid():
        try:
            report = services.report_start(form.cleaned_data["organisation"], form.cleaned_data["year"], user=user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("reports:detail", pk=report.pk)
    form.fields["organisation"].queryset = selectors.managed_organisations(user)
    return _render_index(request, form)


def _render_detail(request, report: AnnualReport, *, edit_form=None, override_form=None, publish_errors=None,
                   status=200):
    data = annual.assemble(report.organisation, report.year, report=report)
    found = annual.problems(data)
    is_draft = report.state == AnnualReport.State.DRAFT
    if edit_form is None:
        edit_form = EditForm(last_year=data.last_year_entered, initial={
            "overview": report.overview, "problems": report.problems, "other_matters": report.other_matters,
            **{key: (report.entered or {}).get(key) for key in annual.ENTERED}})
    doc = report.document
    from gongkai.catalog.models import Document

    return render(request, "reports/detail.html", {
        "report": report, "data": data, "problems": found, "is_draft": is_draft,
        "edit_form": edit_form, "override_form": override_form or OverrideForm(),
        "publish_errors": publish_errors or [],
        # Rendered by our own template from the report's figures and prose (autoescaped).
        "preview": mark_safe(annual_render.body_html(data, annotate=True)),
        "document": doc,
        "document_url": reverse("workspace:document", args=[doc.pk]) if doc else "",
        "may_reopen": not is_draft and (doc is None or doc.status in (
            Document.Status.DRAFT, Document.Status.STOPPED, Document.Status.WITHDRAWN)),
        "is_government": report.organisation.level != deadlines.DEPARTMENT_LEVEL
                         and bool(selectors.departments_of(report.organisation)),
        "entries": [(key, label, unit, data.entered.get(key), data.last_year_entered.get(key))
                    for key, (_r, _c, label, unit) in annual.ENTERED.items()],
        "crumbs": crumbs(_index_crumb(), (report.title, "")),
    }, status=status)


@staff_view
def detail(request, pk: int):
    return _render_detail(request, _report_or_404(request.user, pk))


@staff_view
@require_POST
def save(request, pk: int):
    report = _report_or_404(request.user, pk)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_save(report, user=request.user, overview=data["overview"], problems=data["problems"],
                                 other_matters=data["other_matters"],
                                 entered={key: data.get(key) for key in annual.ENTERED})
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("reports:detail", pk=report.pk)
    return _render_detail(request, report, edit_form=form)


@staff_view
@require_POST
def redraft(request, pk: int):
    report = _report_or_404(request.user, pk)
    try:
        services.report_redraft_overview(report, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已按本年度数据重新起草“一、总体情况”。")
    return redirect("reports:detail", pk=report.pk)


@staff_view
@require_POST
def override(request, pk: int):
    report = _report_or_404(request.user, pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.report_override(report, user=request.user, cell=form.cleaned_data["cell"],
                                     value=form.cleaned_data["value"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已修改“{annual.OVERRIDABLE[form.cleaned_data['cell']]}”，系统计算值一并保留。")
            return redirect("reports:detail", pk=report.pk)
    return _render_detail(request, report, override_form=form)


@staff_view
@require_POST
def override_remove(request, pk: int):
    report = _report_or_404(request.user, pk)
    try:
        services.report_override_remove(report, user=request.user, cell=(request.POST.get("cell") or "")[:60])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已恢复系统计算值。")
    return redirect("reports:detail", pk=report.pk)


@staff_view
@require_POST
def publish(request, pk: int):
    report = _report_or_404(request.user, pk)
    try:
        doc = services.report_publish(report, user=request.user)
    except ValidationError as exc:
        return _render_detail(request, report, publish_errors=exc.messages)
    messages.success(request, f"已生成年度报告文件《{doc.title}》（体裁：年度报告），请在文件页面提交审核，审核通过后发布。")
    return redirect("reports:detail", pk=report.pk)


@staff_view
@require_POST
def reopen(request, pk: int):
    report = _report_or_404(request.user, pk)
    try:
        services.report_reopen(report, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "年度报告已撤回到编制状态。")
    return redirect("reports:detail", pk=report.pk)


@staff_view
def download(request, pk: int, fmt: str):
    report = _report_or_404(request.user, pk)
    data = annual.assemble(report.organisation, report.year, report=report)
    if fmt == "docx":
        response = HttpResponse(annual_render.render_docx(data), content_type=DOCX_TYPE)
        response["Content-Disposition"] = attachment_header(annual_render.docx_name(data))
    elif fmt == "json":
        response = HttpResponse(json.dumps(annual.as_json(data), ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = attachment_header(f"{data.title}.json")
    elif fmt == "html":
        response = HttpResponse(annual_render.page_html(data), content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = attachment_header(f"{data.title}.html")
    else:
        raise Http404("没有这种格式。")
    return response


@staff_view
def departments(request, pk: int):
    report = _report_or_404(request.user, pk)
    compared = selectors.side_by_side(report.organisation, report.year)
    return render(request, "reports/departments.html", {
        "report": report, "compared": compared,
        "crumbs": crumbs(_index_crumb(), (report.title, reverse("reports:detail", args=[report.pk])),
                         ("各部门数据对照", "")),
    })


@staff_view
def units(request):
    """The units below an office and the state of their reports on a year."""
    user = request.user
    require(permissions.can_anywhere(user, selectors.MANAGE), NO_MANAGE)
    today = timezone.localdate()
    roots = selectors.roots(user)
    managed = selectors.managed_organisations(user)
    org_id = int_param(request.GET.get("org"))
    organisation = managed.filter(pk=org_id).first() if org_id is not None else (roots[0] if roots else None)
    if organisation is None:
        raise Http404("机构不存在或您无权查看。")
    year = int_param(request.GET.get("year")) or selectors.report_year(today)
    if not annual.FIRST_YEAR <= year <= today.year:
        year = max(selectors.report_year(today), annual.FIRST_YEAR)
    only_late = request.GET.get("late") == "1"
    rows = selectors.unit_rows(selectors.units_below(organisation), year, today)
    overdue = sum(1 for row in rows if row.overdue)
    if only_late:
        rows = [row for row in rows if row.overdue or row.late]
    rule = selectors.rule_of(organisation)
    return render(request, "reports/units.html", {
        "organisation": organisation, "year": year, "rows": rows, "overdue": overdue, "only_late": only_late,
        "organisations": managed, "years": list(range(max(today.year - 1, annual.FIRST_YEAR), annual.FIRST_YEAR - 1, -1)),
        "rule": rule,
        "deadline_form": DeadlineForm(initial={"month": str(rule.month), "day": rule.day, "basis": rule.basis}
                                      if rule else {"month": "3", "day": 31}),
        "crumbs": crumbs(_index_crumb(), ("下级单位年度报告发布情况", "")),
    })


@staff_view
@require_POST
def township_deadline(request, org: int):
    organisation = selectors.managed_organisations(request.user).filter(pk=org).first()
    if organisation is None:
        raise Http404("机构不存在或您无权查看。")
    back = f"{reverse('reports:units')}?org={organisation.pk}"
    if request.POST.get("clear") == "1":
        services.township_deadline_clear(organisation, user=request.user)
        messages.success(request, "已取消本地规定，乡镇（街道）年度报告暂按3月31日前发布。")
        return redirect(back)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.township_deadline_set(organisation, user=request.user, month=form.cleaned_data["month"],
                                           day=form.cleaned_data["day"], basis=form.cleaned_data["basis"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已设置：{organisation.name}及其下乡镇（街道）于次年{form.cleaned_data['month']}月"
                                      f"{form.cleaned_data['day']}日前发布年度报告。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect(back)
