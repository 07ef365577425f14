"""Staff pages of the clean-up campaigns (规范性文件清理): the list, starting
a campaign, deciding on each document and closing. The services in
gongkai.catalog.lifecycle check permissions and write with audit entries;
these views read the input and render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.catalog import lifecycle
from gongkai.catalog.models import CleanupCampaign, CleanupItem
from gongkai.core import permissions
from gongkai.core.models import Organisation

from .auth import require, staff_view
from .pages import crumbs

DECISIONS = [(value, label) for value, label in CleanupItem.Decision.choices if value]
NO_CLEANUP = "只有政务公开办管理员可以开展规范性文件清理。"


class StartForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="机构", empty_label="请选择",
                                          error_messages={"required": "请选择机构。", "invalid_choice": "请选择列表中的机构。"})
    title = forms.CharField(label="清理名称", max_length=200, help_text="如：2024年度行政规范性文件清理",
                            error_messages={"required": "请填写清理名称。", "max_length": "清理名称不能超过200字。"})

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


def _list_crumb() -> tuple[str, str]:
    return ("规范性文件清理", reverse("workspace:cleanup_list"))


def _cleanup_organisations(user):
    scope = permissions.organisations_for(user, permissions.CLEANUP)
    qs = Organisation.objects.all()
    return qs if scope is None else qs.filter(pk__in=scope)


def _visible_campaigns(user):
    return (CleanupCampaign.objects.filter(permissions.scope_filter(user, permissions.VIEW))
            .select_related("organisation", "result_document"))


def _campaign_or_404(user, pk: int) -> CleanupCampaign:
    campaign = _visible_campaigns(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404("清理不存在或您无权查看。")
    return campaign


@staff_view
def cleanup_list(request):
    campaigns = _visible_campaigns(request.user).annotate(
        total=Count("items"), undecided=Count("items", filter=Q(items__decision=CleanupItem.Decision.UNDECIDED)),
    ).order_by("-created_at", "-id")
    return render(request, "workspace/cleanup_list.html", {
        "campaigns": campaigns,
        "can_start": permissions.can_anywhere(request.user, permissions.CLEANUP),
        "crumbs": crumbs(("规范性文件清理", "")),
    })


@staff_view
def cleanup_new(request):
    user = request.user
    require(permissions.can_anywhere(user, permissions.CLEANUP), NO_CLEANUP)
    choosable = _cleanup_organisations(user)
    if request.method == "POST":
        # Any organisation is accepted here: the service refuses (403) one
        # where the user may not run a campaign.
        form = StartForm(request.POST, organisations=Organisation.objects.all())
        if form.is_valid():
            try:
                campaign = lifecycle.start_campaign(form.cleaned_data["organisation"], form.cleaned_data["title"], user=user)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                count = campaign.items.count()
                messages.success(request, f"已开始“{campaign.title}”，列入{count}份规范性文件，请逐份作出处理意见。")
                return redirect("workspace:cleanup_detail", pk=campaign.pk)
        form.fields["organisation"].queryset = choosable
    else:
        form = StartForm(organisations=choosable,
                         initial={"title": f"{timezone.localdate().year}年度行政规范性文件清理",
                                  "organisation": choosable.first() if choosable.count() == 1 else None})
    return render(request, "workspace/cleanup_new.html", {
        "form": form, "crumbs": crumbs(_list_crumb(), ("开始清理", "")),
    })


def _rows(campaign: CleanupCampaign, posted=None, errors=None) -> list[dict]:
    """One row per item: the document, and the decision and note shown in
    the form (what was posted, when the page comes back with errors)."""
    rows = []
    items = campaign.items.select_related("document").order_by("document__published_date", "id")
    for item in items:
        decision, note = item.decision, item.note
        if posted is not None:
            decision = posted.get(f"decision-{item.pk}", decision)
            note = posted.get(f"note-{item.pk}", note)
        rows.append({"item": item, "doc": item.document, "decision": decision, "note": note,
                     "error": (errors or {}).get(item.pk, "")})
    return rows


def _render_detail(request, campaign: CleanupCampaign, *, posted=None, errors=None, close_errors=None):
    rows = _rows(campaign, posted, errors)
    undecided = sum(1 for r in rows if not r["item"].decision)
    counts = {value: sum(1 for r in rows if r["item"].decision == value) for value, _ in DECISIONS}
    return render(request, "workspace/cleanup_detail.html", {
        "campaign": campaign,
        "rows": rows,
        "decisions": DECISIONS,
        "undecided": undecided,
        "counts": [(label, counts[value]) for value, label in DECISIONS],
        "errors": errors or {},
        "close_errors": close_errors or [],
        "can_cleanup": permissions.can(request.user, permissions.CLEANUP, campaign.organisation_id),
        "is_open": campaign.state == CleanupCampaign.State.OPEN,
        "crumbs": crumbs(_list_crumb(), (campaign.title[:30], "")),
    })


def _require_cleanup(user, campaign: CleanupCampaign) -> None:
    require(permissions.can(user, permissions.CLEANUP, campaign.organisation_id),
            f"您没有在“{campaign.organisation.name}”开展规范性文件清理的权限。")


@staff_view
def cleanup_detail(request, pk: int):
    campaign = _campaign_or_404(request.user, pk)
    if request.method != "POST":
        return _render_detail(request, campaign)
    _require_cleanup(request.user, campaign)
    if campaign.state != CleanupCampaign.State.OPEN:
        messages.error(request, "该清理已完成，处理意见不能再修改。")
        return redirect("workspace:cleanup_detail", pk=campaign.pk)
    allowed = {value for value, _ in DECISIONS}
    errors, changes = {}, []
    for item in campaign.items.select_related("document").order_by("id"):
        decision = (request.POST.get(f"decision-{item.pk}") or "").strip()
        note = (request.POST.get(f"note-{item.pk}") or "").strip()
        if decision and decision not in allowed:
            errors[item.pk] = "请选择列表中的处理意见。"
        elif len(note) > 300:
            errors[item.pk] = "说明不能超过300字。"
        elif not decision and note:
            errors[item.pk] = "填写说明时请同时选择处理意见。"
        elif decision and (decision != item.decision or note != item.note):
            changes.append((item, decision, note))
    if errors:
        return _render_detail(request, campaign, posted=request.POST, errors=errors)
    try:
        with transaction.atomic():
            for item, decision, note in changes:
                lifecycle.decide(item, decision, note=note, user=request.user)
    except ValidationError as exc:
        return _render_detail(request, campaign, posted=request.POST, close_errors=exc.messages)
    if changes:
        messages.success(request, f"已保存{len(changes)}份文件的处理意见。")
    else:
        messages.info(request, "处理意见没有变化。")
    return redirect("workspace:cleanup_detail", pk=campaign.pk)


@staff_view
@require_POST
def cleanup_close(request, pk: int):
    campaign = _campaign_or_404(request.user, pk)
    _require_cleanup(request.user, campaign)
    try:
        result = lifecycle.close_campaign(campaign, user=request.user)
    except ValidationError as exc:
        return _render_detail(request, campaign, close_errors=exc.messages)
    messages.success(request, f"清理已完成，已起草《{result.title}》，请提交审核后发布。")
    return redirect("workspace:cleanup_detail", pk=campaign.pk)
