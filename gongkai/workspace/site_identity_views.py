"""Staff: the site identity (网站标识) of each organisation's public sub-site
(issue 18, 集约化) — 机关名称, emblem, 主办/承办单位, contact, 网站标识码 and the
备案 numbers the footer and the meta tags show. An office administrator keeps
the identity of their organisation and those below; the root organisation's
(the installation's own site) is the system administrator's. A blank field is
inherited from above (core.models.resolve_site_identity)."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import RegexValidator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from gongkai.core import audit, generation, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation, SiteIdentity, resolve_site_identity

from .auth import require, staff_view
from .pages import crumbs

MAX_EMBLEM_BYTES = 512 * 1024
MAX_EMBLEM_SIDE = 1024  # pixels, either side
EMBLEM_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
NO_RIGHT = "只有本机构或上级机构的政务公开办管理员可以修改网站标识；最上级机构的网站标识由系统管理员修改。"
TEXT_FIELDS = ("site_name", "agency_name", "sponsor", "operator", "address", "phone", "email", "domain",
               "site_code", "icp_number", "police_number", "party_mark_url", "error_report_url")


def editable_organisations(user) -> set[int] | None:
    """Where `user` may edit the site identity (None: everywhere)."""
    if permissions.is_superuser(user):
        return None
    scope = permissions.organisations_for(user, permissions.SITE_MANAGE)
    if not scope:
        return set()
    roots = set(Organisation.objects.filter(pk__in=scope, parent__isnull=True).values_list("id", flat=True))
    return scope - roots


def can_edit(user, org: Organisation) -> bool:
    scope = editable_organisations(user)
    return scope is None or org.pk in scope


def read_emblem(upload) -> tuple[bytes, str]:
    """The uploaded emblem's bytes and file extension, once it is checked to
    be a real PNG or JPEG image of sensible size; a ValidationError in
    Chinese otherwise (SVG, which can carry scripts, is refused)."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_EMBLEM_BYTES:
        raise forms.ValidationError(f"标识图片不能超过{MAX_EMBLEM_BYTES // 1024}KB。")
    data = upload.read()
    if len(data) > MAX_EMBLEM_BYTES:
        raise forms.ValidationError(f"标识图片不能超过{MAX_EMBLEM_BYTES // 1024}KB。")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError("标识图片只能是PNG或JPEG格式的图片文件（不接受SVG等其他格式）。") from None
    if kind not in EMBLEM_FORMATS:
        raise forms.ValidationError("标识图片只能是PNG或JPEG格式的图片文件（不接受SVG等其他格式）。")
    if width > MAX_EMBLEM_SIDE or height > MAX_EMBLEM_SIDE:
        raise forms.ValidationError(f"标识图片的宽和高都不能超过{MAX_EMBLEM_SIDE}像素。")
    return data, EMBLEM_FORMATS[kind][0]


class SiteIdentityForm(forms.ModelForm):
    emblem_upload = forms.FileField(
        label="标识图片", required=False,
        help_text=f"PNG或JPEG格式，不超过{MAX_EMBLEM_BYTES // 1024}KB，宽高不超过{MAX_EMBLEM_SIDE}像素；不上传则沿用上级机构的标识。",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}))
    remove_emblem = forms.BooleanField(label="删除本机构的标识图片（改为沿用上级）", required=False)
    party_mark_url = forms.URLField(label="党政机关网站标识链接", max_length=300, required=False, assume_scheme="https",
                                    help_text="党政机关网站标识（“红色标识”）的核验地址。")
    error_report_url = forms.URLField(label="“我为政府网站找错”链接", max_length=300, required=False, assume_scheme="https",
                                      help_text="全国政府网站“我为政府网站找错”平台的本网站入口地址。")

    class Meta:
        model = SiteIdentity
        fields = TEXT_FIELDS
        help_texts = {
            "sponsor": "空则沿用上级机构的设置（下同）。",
            "site_code": "全国政府网站基本数据库分配的网站标识码，如 5101000001。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_code"].validators.append(
            RegexValidator(r"^[A-Za-z0-9]+$", "网站标识码只能由字母和数字组成。"))
        self.fields["domain"].validators.append(
            RegexValidator(r"^[A-Za-z0-9.-]+(:\d+)?$", "网站域名只填写域名，如 www.example.gov.cn（不含 http:// 和路径）。"))
        for name in ("party_mark_url", "error_report_url"):
            self.fields[name].validators.append(
                RegexValidator(r"^https?://", "链接须以 http:// 或 https:// 开头。"))
            self.fields[name].error_messages["invalid"] = "请填写完整的网址，如 https://example.gov.cn/。"
        self.fields["email"].error_messages["invalid"] = "请填写有效的电子邮箱地址。"

    def clean_emblem_upload(self):
        upload = self.cleaned_data.get("emblem_upload")
        if upload is None:
            return None
        return read_emblem(upload)


def save_identity(user, org: Organisation, form: SiteIdentityForm) -> SiteIdentity:
    """Save the organisation's identity from a valid form: the row, the
    emblem file, the audit entry and the public pages' generation together."""
    emblem = form.cleaned_data.get("emblem_upload")
    remove = form.cleaned_data.get("remove_emblem")
    with transaction.atomic():
        row = SiteIdentity.objects.select_for_update(**ROW_LOCK).filter(organisation=org).first()
        before = _state(row) if row is not None else None
        old_file = row.emblem.name if row is not None and row.emblem else ""
        if row is None:
            row = SiteIdentity(organisation=org)
        for name in TEXT_FIELDS:
            setattr(row, name, (form.cleaned_data.get(name) or "").strip())
        if emblem is not None:
            data, ext = emblem
            row.emblem.save(f"org-{org.pk}.{ext}", ContentFile(data), save=False)
        elif remove:
            row.emblem = ""
        row.save()
        audit.record("site_identity.update", "site_identity", org.pk, actor=audit.actor_name(user),
                     before=before, after=_state(row), detail={"organisation": org.name})
        generation.bump()
        if old_file and old_file != (row.emblem.name if row.emblem else ""):
            transaction.on_commit(lambda: _delete_quietly(old_file))
    return row


def _state(row: SiteIdentity) -> dict:
    return {**audit.state_of(row, exclude=("emblem", "updated_at")), "emblem": row.emblem.name if row.emblem else ""}


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # a file left behind harms nobody; the row no longer points at it
        pass


@staff_view
def identity_list(request):
    scope = editable_organisations(request.user)
    require(scope is None or bool(scope), NO_RIGHT)
    orgs = Organisation.objects.order_by("sort_order", "id")
    if scope is not None:
        orgs = orgs.filter(pk__in=scope)
    own = set(SiteIdentity.objects.values_list("organisation_id", flat=True))
    rows = [{"org": o, "own": o.pk in own} for o in orgs]
    return render(request, "workspace/site_identity_list.html", {
        "rows": rows,
        "crumbs": crumbs(("网站标识", "")),
    })


@staff_view
def identity_edit(request, pk: int):
    org = get_object_or_404(Organisation, pk=pk)
    require(can_edit(request.user, org), NO_RIGHT)
    row = SiteIdentity.objects.filter(organisation=org).first()
    if request.method == "POST":
        form = SiteIdentityForm(request.POST, request.FILES, instance=row)
        if form.is_valid():
            save_identity(request.user, org, form)
            messages.success(request, f"已保存“{org.name}”的网站标识。")
            return redirect(reverse("workspace:site_identity", args=[org.pk]))
    else:
        form = SiteIdentityForm(instance=row)
    return render(request, "workspace/site_identity_form.html", {
        "org": org,
        "form": form,
        "row": row,
        "resolved": resolve_site_identity(org),
        "crumbs": crumbs(("网站标识", reverse("workspace:site_identities")), (org.name, "")),
    })


urlpatterns = [
    path("", identity_list, name="site_identities"),
    path("<int:pk>/", identity_edit, name="site_identity"),
]
