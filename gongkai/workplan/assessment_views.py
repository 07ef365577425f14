"""Staff pages of the year's assessment (年度考核): the schemes of the offices
a user manages (permissions.WORKPLAN_MANAGE), a form to create one, a
scheme's scores with each unit's basis, and the scores as XLSX.

A scheme outside the user's WORKPLAN_MANAGE scope answers 404, as if it did
not exist; creating one without that permission answers 403. The scores
and their definitions are gongkai.workplan.assessment."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from gongkai.core import xlsx as xlsx_file
from gongkai.core.models import Organisation
from gongkai.workspace import charts
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form

from . import assessment, selectors
from .models import Indicator, NoData, Scheme

K = Indicator.Kind
# Suggested weights for a new scheme (the form starts with them; blank = not used).
DEFAULT_WEIGHTS = {K.TASKS_ON_TIME: 30, K.QUOTA: 20, K.APPLICATIONS_ON_TIME: 20, K.TICKETS_ON_TIME: 10,
                   K.SATISFACTION: 5, K.MONITORING: 15}
DEFAULT_DEDUCTION = {K.MONITORING: 2}


def _schemes(user):
    scope = selectors.managed_scope(user)
    qs = Scheme.objects.select_related("organisation").order_by("-year", "-id")
    return qs if scope is None else qs.filter(organisation_id__in=scope)


def _scheme_or_404(user, pk: int) -> Scheme:
    scheme = _schemes(user).filter(pk=pk).first()
    if scheme is None:
        raise Http404("考核方案不存在或您无权查看。")
    return scheme


class SchemeForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    organisation = forms.ModelChoiceField(label="考核机关", queryset=Organisation.objects.none(), empty_label=None)
    units = forms.ModelMultipleChoiceField(
        label="被考核单位", queryset=Organisation.objects.none(), required=False,
        help_text="可多选（按住 Ctrl 或 Shift 键）；不选则为考核机关的直属下级机构。")
    no_data = forms.TypedChoiceField(
        label="指标无数据时", choices=NoData.choices, initial=NoData.EXCLUDE, required=False,
        empty_value=NoData.EXCLUDE,
        help_text="某单位某项指标无数据（如无到期任务、无申请、尚无政民互动数据）时不给满分："
                  "不计入并按其余指标的分值折算总分，或计0分。各指标可另行规定。")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["units"].queryset = organisations
        self.indicator_rows = []
        for kind, label in K.choices:
            weight = forms.DecimalField(label=f"{label}：分值", required=False, min_value=0, max_digits=6,
                                        decimal_places=2, initial=DEFAULT_WEIGHTS.get(kind))
            deduction = forms.DecimalField(label=f"{label}：每项扣分", required=False, min_value=0, max_digits=6,
                                           decimal_places=2, initial=DEFAULT_DEDUCTION.get(kind))
            self.fields[f"weight_{kind}"] = weight
            self.fields[f"deduction_{kind}"] = deduction
            self.fields[f"no_data_{kind}"] = forms.ChoiceField(
                label=f"{label}：无数据时", required=False, choices=[("", "按方案规定"), *NoData.choices])
        for kind, label in K.choices:
            self.indicator_rows.append((label, self[f"weight_{kind}"], self[f"deduction_{kind}"],
                                        self[f"no_data_{kind}"]))

    def indicators(self) -> list[tuple]:
        rows = []
        for kind in K.values:
            weight = self.cleaned_data.get(f"weight_{kind}")
            if weight is not None:
                rows.append((kind, weight, self.cleaned_data.get(f"deduction_{kind}") or 0,
                             self.cleaned_data.get(f"no_data_{kind}") or ""))
        return rows


@staff_view
def index(request):
    user = request.user
    scope = selectors.managed_scope(user)
    can_create = scope is None or bool(scope)
    if request.method == "POST":
        require(can_create, "您没有管理工作要点督办的权限，不能创建考核方案。")
    organisations = Organisation.objects.order_by("sort_order", "name")
    if scope is not None:
        organisations = organisations.filter(pk__in=scope)
    form = None
    if can_create:
        if request.method == "POST":
            form = SchemeForm(request.POST, organisations=organisations)
            if form.is_valid():
                try:
                    scheme = assessment.create_scheme(
                        organisation=form.cleaned_data["organisation"], user=user, year=form.cleaned_data["year"],
                        name=form.cleaned_data["name"], indicators=form.indicators(),
                        units=form.cleaned_data["units"], no_data=form.cleaned_data["no_data"])
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    messages.success(request, f"已创建考核方案“{scheme.name}”。")
                    return redirect("assessment:scheme", pk=scheme.pk)
        else:
            form = SchemeForm(organisations=organisations, initial={"year": timezone.localdate().year})
    return render(request, "workplan/assessment_index.html", {
        "schemes": _schemes(user), "form": form, "can_create": can_create,
        "crumbs": crumbs() + [{"label": "年度考核", "url": ""}],
    })


def _as_of(request, scheme: Scheme) -> dt.date:
    text = (request.GET.get("as_of") or "").strip()
    if not text:
        return assessment.default_as_of(scheme)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Http404("日期无效。") from None
    if not scheme.year <= day.year <= scheme.year + 1:
        raise Http404("日期无效。")
    return day


@staff_view
def scheme(request, pk: int):
    item = _scheme_or_404(request.user, pk)
    as_of = _as_of(request, item)
    scores = assessment.compute(item, as_of=as_of)
    indicators = list(item.indicators.order_by("sort_order", "id"))
    for ind in indicators:
        ind.scheme = item
        ind.rule_label = NoData(ind.no_data_rule).label
    rows = []
    for score in scores:
        by_kind = {s.kind: s for s in score.indicators}
        rows.append({"score": score, "cells": [by_kind[ind.kind] for ind in indicators]})
    total_weight = sum((ind.weight for ind in indicators), 0)
    xlsx_url = reverse("assessment:xlsx", args=[item.pk])
    if request.GET.get("as_of"):
        xlsx_url += f"?as_of={as_of:%Y-%m-%d}"
    return render(request, "workplan/assessment_scheme.html", {
        "scheme": item, "indicators": indicators, "rows": rows, "as_of": as_of, "xlsx_url": xlsx_url,
        "total_weight": total_weight, "total_weight_text": assessment.weight_text(total_weight),
        "no_data_label": NoData(item.no_data).label, "own_rules": any(ind.no_data for ind in indicators),
        "renormalised": any(s.renormalised for s in scores),
        "chart": charts.bars([(s.organisation.name, float(s.total), f"{s.total}分（第{s.rank}名）") for s in scores],
                             top=float(total_weight) or None),
        "crumbs": crumbs(("年度考核", reverse("assessment:index"))) + [{"label": item.name, "url": ""}],
    })


@staff_view
def xlsx(request, pk: int):
    item = _scheme_or_404(request.user, pk)
    as_of = _as_of(request, item)
    data = assessment.to_xlsx(item, assessment.compute(item, as_of=as_of))
    return xlsx_file.response(data, f"{item.name}（截至{as_of:%Y-%m-%d}）.xlsx")
