"""Staff pages of the monthly bulletins (月初通报): the list with a form to
draft one now, the preview with its chart, regeneration while the document
is a draft, and the DOCX download. `gongkai.workplan.bulletins` computes,
renders and writes (with its permission checks and audit entries); these
views read the input and render."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gongkai.catalog.models import Document
from gongkai.core import permissions
from gongkai.core.http import attachment_header
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs

from . import bulletins, selectors
from .models import Bulletin

NO_MANAGE = "只有政务公开办管理员可以生成月初通报。"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]


class GenerateForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="通报机关", empty_label="请选择",
                                          error_messages={"required": "请选择通报机关。",
                                                          "invalid_choice": "请选择列表中的机构。"})
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年度。", "invalid": "年度应为四位数字。",
                                              "min_value": "年度不正确。", "max_value": "年度不正确。"})
    month = forms.TypedChoiceField(label="月份", choices=MONTHS, coerce=int,
                                   error_messages={"required": "请选择月份。", "invalid_choice": "请选择月份。"})

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


def _choosable(user):
    """Offices in scope that have a plan or a quota plan (all of the scope when none has)."""
    managed = selectors.managed_organisations(user)
    offices = managed.filter(Q(work_plans__isnull=False) | Q(quota_plans__isnull=False)).distinct()
    return offices if offices.exists() else managed


def _visible(user):
    return (Bulletin.objects.filter(permissions.scope_filter(user, permissions.WORKPLAN_MANAGE))
            .select_related("organisation", "document"))


def _bulletin_or_404(user, pk: int) -> Bulletin:
    bulletin = _visible(user).filter(pk=pk).first()
    if bulletin is None:
        raise Http404("通报不存在或您无权查看。")
    return bulletin


def _render_list(request, form, status=200):
    rows = _visible(request.user).order_by("-month", "organisation__sort_order", "organisation__name")
    return render(request, "workplan/bulletin_list.html", {
        "bulletins": rows,
        "form": form,
        "can_generate": permissions.can_anywhere(request.user, permissions.WORKPLAN_MANAGE),
        "crumbs": crumbs(("月初通报", "")),
    }, status=status)


@staff_view
def bulletin_list(request):
    last = bulletins.previous_month(timezone.localdate())
    choosable = _choosable(request.user)
    form = GenerateForm(organisations=choosable, initial={
        "year": last.year, "month": str(last.month),
        "organisation": choosable.first() if choosable.count() == 1 else None,
    })
    return _render_list(request, form)


@staff_view
@require_POST
def bulletin_generate(request):
    user = request.user
    require(permissions.can_anywhere(user, permissions.WORKPLAN_MANAGE), NO_MANAGE)
    # Any organisation is accepted here: the service refuses (403) one where
    # the user may not manage work-plan supervision.
    form = GenerateForm(request.POST, organisations=Organisation.objects.all())
    if form.is_valid():
        month = dt.date(form.cleaned_data["year"], form.cleaned_data["month"], 1)
        try:
            bulletin = bulletins.generate(form.cleaned_data["organisation"], month, user=user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已生成《{bulletin.data['title']}》草稿，请核对后提交审核。")
            return redirect("bulletins:detail", pk=bulletin.pk)
    form.fields["organisation"].queryset = _choosable(user)
    return _render_list(request, form)


@staff_view
def bulletin_detail(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk)
    doc = bulletin.document
    is_draft = doc is None or doc.status == Document.Status.DRAFT
    return render(request, "workplan/bulletin_detail.html", {
        "bulletin": bulletin,
        "data": bulletin.data,
        # Rendered from the stored figures by our own template (autoescaped).
        "preview": mark_safe(bulletins.render_html(bulletin.data, chart=True)) if bulletin.data else "",
        "document": doc,
        "document_url": reverse("workspace:document", args=[doc.pk]) if doc else "",
        "can_regenerate": is_draft,
        "crumbs": crumbs(("月初通报", reverse("bulletins:list")), (bulletin.data.get("title", "通报"), "")),
    })


@staff_view
@require_POST
def bulletin_regenerate(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk)
    try:
        bulletin = bulletins.generate(bulletin.organisation, bulletin.month, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已按最新数据重新生成通报草稿。")
    return redirect("bulletins:detail", pk=bulletin.pk)


@staff_view
def bulletin_docx(request, pk: int):
    bulletin = _bulletin_or_404(request.user, pk)
    if not bulletin.data:
        raise Http404("该通报没有数据。")
    response = HttpResponse(bulletins.render_docx(bulletin.data), content_type=DOCX_TYPE)
    response["Content-Disposition"] = attachment_header(f"{bulletin.data['title']}.docx")
    return response
