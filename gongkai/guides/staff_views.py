"""Service guides in the staff workspace: list, detail, create and edit (the
materials as a formset, no JavaScript), publish and unpublish.

A guide outside the user's VIEW scope answers 404, as if it did not exist;
writing needs GUIDE_EDIT in the guide's organisation (403 otherwise). The
services check the permission again and do the writing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.core import permissions
from gongkai.core.models import Organisation
from gongkai.workspace.auth import require, staff_view
from gongkai.workspace.pages import crumbs

from . import selectors, services
from .forms import GuideForm, material_formset
from .models import ServiceGuide

PER_PAGE = 30
STATES = {"published": "已发布", "draft": "未发布"}


def _crumbs(*extra: tuple[str, str]) -> list[dict]:
    return crumbs(("办事指南", reverse("guides_staff:list")), *extra)


def _guide_or_404(user, pk: int) -> ServiceGuide:
    guide = selectors.visible_guides(user).filter(pk=pk).first()
    if guide is None:
        raise Http404("办事指南不存在或您无权查看。")
    return guide


def _editable_organisations(user):
    scope = permissions.organisations_for(user, permissions.GUIDE_EDIT)
    qs = Organisation.objects.order_by("sort_order", "id")
    return qs if scope is None else qs.filter(pk__in=scope)


def _can_edit(user, guide: ServiceGuide) -> bool:
    return permissions.can(user, permissions.GUIDE_EDIT, guide.organisation_id)


@staff_view
def guide_list(request):
    user = request.user
    qs = selectors.visible_guides(user)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        qs = selectors.search(qs, q)
    state = request.GET.get("state", "")
    if state in STATES:
        qs = qs.filter(published=state == "published")
    else:
        state = ""
    page = Paginator(qs.order_by("-updated_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    editable = permissions.organisations_for(user, permissions.GUIDE_EDIT)
    for guide in page:
        guide.can_edit = editable is None or guide.organisation_id in editable
    return render(request, "guides/staff_list.html", {
        "page": page, "q": q, "state": state, "states": STATES.items(),
        "can_create": permissions.can_anywhere(user, permissions.GUIDE_EDIT),
        "crumbs": _crumbs(),
    })


@staff_view
def guide_detail(request, pk: int):
    guide = _guide_or_404(request.user, pk)
    return render(request, "guides/staff_detail.html", {
        "guide": guide,
        "materials": selectors.materials(guide),
        "entries": selectors.history(guide),
        "can_edit": _can_edit(request.user, guide),
        "crumbs": _crumbs((guide.item_name[:30], "")),
    })


def _errors_to_forms(exc: ValidationError, form: GuideForm) -> list[str]:
    """Put a service's refusal on the form by field; material problems come
    back as a list shown above the materials."""
    material_errors = []
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return material_errors
    for name, errors in exc.message_dict.items():
        if name == "materials":
            material_errors.extend(errors)
        elif name in form.fields and not form.fields[name].disabled:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)
    return material_errors


def _error_summary(form: GuideForm, formset, material_errors: list[str]) -> list[tuple[str, str]]:
    """(anchor, message) for every problem, in page order."""
    summary = [("guide-form", message) for message in form.non_field_errors()]
    for field in form:
        summary += [(field.id_for_label, message) for message in field.errors]
    summary += [("materials-heading", message) for message in [*formset.non_form_errors(), *material_errors]]
    for position, row in enumerate(formset.forms, start=1):
        for field in row:
            summary += [(field.id_for_label, f"第{position}项申请材料：{message}") for message in field.errors]
    return summary


@staff_view
def guide_edit(request, pk: int | None = None):
    user = request.user
    guide = _guide_or_404(user, pk) if pk else None
    if guide is not None:
        require(_can_edit(user, guide), services.PERMISSION_MESSAGE)
        organisations = None
    else:
        organisations = _editable_organisations(user)
        require(organisations.exists(), "您没有编写办事指南的权限。")
    material_errors: list[str] = []
    if request.method == "POST":
        form = GuideForm(request.POST, instance=guide, organisations=organisations)
        formset = material_formset(request.POST)
        form_ok, formset_ok = form.is_valid(), formset.is_valid()  # both, to show every message at once
        if form_ok and formset_ok:
            before_version = guide.version if guide else 0
            try:
                saved = services.save_guide(
                    guide,
                    organisation=form.cleaned_data["organisation"],
                    data=form.content(),
                    materials=formset.materials(),
                    user=user,
                    note=form.cleaned_data.get("note") or "",
                    expected_version=form.cleaned_data.get("version") if guide else None,
                )
            except ValidationError as exc:
                material_errors = _errors_to_forms(exc, form)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                if saved.version == before_version:
                    messages.info(request, "内容没有变化，未生成新版本。")
                else:
                    messages.success(request, f"办事指南已保存（第{saved.version}版）。")
                return redirect("guides_staff:detail", pk=saved.pk)
    else:
        initial = {} if guide else {"fees": "不收费"}
        form = GuideForm(instance=guide, organisations=organisations, initial=initial)
        formset = material_formset(guide=guide)
    title = "修改办事指南" if guide else "编写办事指南"
    extra = [(guide.item_name[:30], reverse("guides_staff:detail", args=[guide.pk]))] if guide else []
    return render(request, "guides/staff_form.html", {
        "form": form,
        "formset": formset,
        "material_errors": material_errors,
        "error_summary": _error_summary(form, formset, material_errors) if request.method == "POST" else [],
        "guide": guide,
        "title": title,
        "crumbs": _crumbs(*extra, (title, "")),
    })


def _set_published(request, pk: int, value: bool):
    guide = _guide_or_404(request.user, pk)
    require(_can_edit(request.user, guide), services.PERMISSION_MESSAGE)
    was = guide.published
    if value:
        guide = services.publish_guide(guide, user=request.user)
        messages.success(request, "办事指南已发布。" if not was else "办事指南已是发布状态。")
    else:
        guide = services.unpublish_guide(guide, user=request.user)
        messages.success(request, "办事指南已撤下，公众不再能看到。" if was else "办事指南本来就未发布。")
    return redirect("guides_staff:detail", pk=guide.pk)


@staff_view
@require_POST
def guide_publish(request, pk: int):
    return _set_published(request, pk, True)


@staff_view
@require_POST
def guide_unpublish(request, pk: int):
    return _set_published(request, pk, False)
