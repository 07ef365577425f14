"""The 政府信息公开 column in the staff workspace (issue 18): per
organisation, its empty columns as warnings, its openness guide (each save a
new version) and the rules that fill its columns. Mounted at /staff/xxgk/.

Everything here needs the column permission in the organisation
(column_services.can_edit_column: its openness office administrators and
those above); the services check it again and do the writing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import fields_for_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.catalog.models import Genre, Topic
from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs, errors_to_form

from . import column_selectors as selectors
from . import column_services as services
from .models import ColumnRule, DisclosureColumn, OpennessGuide

DENIED = "您没有管理该机构政府信息公开专栏的权限（须为本机构或上级机构的政务公开办管理员）。"


class GuideForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="修改说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = fields_for_model(OpennessGuide, fields=services.GUIDE_FIELDS)
        for name in services.GUIDE_FIELDS:
            self.fields[name] = fields[name]
            field = self.fields[name]
            field.required = name in services.REQUIRED_GUIDE_FIELDS
            field.error_messages["required"] = f"请填写“{field.label}”。"
        self.fields["fees"].help_text = "留空时公众看到：行政机关依申请提供政府信息，不收取费用。"
        self.order_fields([*services.GUIDE_FIELDS, "note"])


class RuleForm(forms.Form):
    column = forms.ModelChoiceField(label="栏目", queryset=DisclosureColumn.objects.none(), empty_label="请选择栏目")
    topic = forms.ModelChoiceField(label="主题分类", queryset=Topic.objects.none(), required=False,
                                   empty_label="不限", help_text="含下级主题。")
    genre = forms.ModelChoiceField(label="体裁分类", queryset=Genre.objects.none(), required=False, empty_label="不限")
    keyword = forms.CharField(label="标题关键词", max_length=30, required=False)
    everyone = forms.BooleanField(label="适用于所有机构", required=False)

    def __init__(self, *args, organisation, shared: bool, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [c.pk for c in DisclosureColumn.objects.all() if c.applies_to(organisation)]
        self.fields["column"].queryset = DisclosureColumn.objects.filter(pk__in=ids).order_by("section", "sort_order", "id")
        self.fields["column"].label_from_instance = lambda c: f"{c.parent.name} / {c.name}" if c.parent_id else c.name
        self.fields["topic"].queryset = Topic.objects.select_related("parent").order_by("parent_id", "sort_order", "id")
        self.fields["topic"].label_from_instance = lambda t: f"{t.parent.name} / {t.name}" if t.parent_id else t.name
        self.fields["genre"].queryset = Genre.objects.order_by("sort_order", "id")
        if not shared:
            del self.fields["everyone"]


def _organisation(request, pk) -> Organisation:
    org = get_object_or_404(Organisation, pk=pk)
    require(services.can_edit_column(request.user, org), DENIED)
    return org


def _crumbs(org: Organisation | None = None, *extra):
    trail = [("政府信息公开专栏", reverse("column_staff:index"))]
    if org is not None:
        trail.append((org.name, reverse("column_staff:organisation", args=[org.pk])))
    return crumbs(*trail, *extra)


@staff_view
def column_index(request):
    scope = permissions.organisations_for(request.user, services.COLUMN_EDIT)
    require(scope is None or bool(scope), DENIED)
    orgs = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        orgs = orgs.filter(pk__in=scope)
    orgs = list(orgs)
    if len(orgs) == 1:
        return redirect("column_staff:organisation", orgs[0].pk)
    return render(request, "portal/column_staff/index.html", {"organisations": orgs, "crumbs": _crumbs()})


@staff_view
def column_organisation(request, pk):
    org = _organisation(request, pk)
    return render(request, "portal/column_staff/organisation.html", {
        "org": org, "crumbs": _crumbs(org),
        "empty": selectors.empty_columns(org),
        "tree": selectors.column_tree(org),
        "guide": selectors.current_guide(org),
        "empty_text": selectors.EMPTY_COLUMN_TEXT,
    })


@staff_view
def guide_edit(request, pk):
    org = _organisation(request, pk)
    current = selectors.current_guide(org)
    if request.method == "POST":
        form = GuideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_openness_guide(
                    org, data, user=request.user, note=data.get("note") or "",
                    expected_number=data.get("number") if data.get("number") is not None else 0,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                if current is not None and saved.pk == current.pk:
                    messages.info(request, "内容没有变化，未生成新版本。")
                else:
                    messages.success(request, f"已保存为第{saved.number}版，公众页面显示最新版本。")
                return redirect("column_staff:guide", org.pk)
    else:
        initial = {name: getattr(current, name) for name in services.GUIDE_FIELDS} if current else {}
        initial["number"] = current.number if current else 0
        form = GuideForm(initial=initial)
    return render(request, "portal/column_staff/guide_form.html", {
        "org": org, "form": form, "current": current, "versions": selectors.guide_versions(org),
        "crumbs": _crumbs(org, ("政府信息公开指南", "")),
    })


@staff_view
def rule_list(request, pk):
    org = _organisation(request, pk)
    shared = services.can_edit_shared_rules(request.user)
    form = RuleForm(request.POST or None, organisation=org, shared=shared)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_column_rule(
                data["column"], organisation=None if data.get("everyone") else org, topic=data["topic"],
                genre=data["genre"], keyword=data["keyword"], user=request.user,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已为栏目“{data['column'].name}”添加规则。")
            return redirect("column_staff:rules", org.pk)
    return render(request, "portal/column_staff/rules.html", {
        "org": org, "form": form, "columns": selectors.column_rules(org), "shared": shared,
        "crumbs": _crumbs(org, ("栏目规则", "")),
    })


@staff_view
@require_POST
def rule_delete(request, pk, rule_pk):
    org = _organisation(request, pk)
    rule = get_object_or_404(ColumnRule.objects.select_related("column", "organisation"), pk=rule_pk)
    if rule.organisation_id not in (None, org.pk):
        raise PermissionDenied("该规则不属于本机构。")
    services.delete_column_rule(rule, user=request.user)
    messages.success(request, f"已删除栏目“{rule.column.name}”的规则：{rule.description}。")
    return redirect("column_staff:rules", org.pk)
