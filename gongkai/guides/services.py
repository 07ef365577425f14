"""Writing service guides: the only place that creates, changes, publishes
or unpublishes a guide.

Each write runs in one transaction: everything is validated before anything
is written, the user's permission is asked of gongkai.core.permissions, the
guide and its materials are written, a ServiceGuideVersion keeps the new
content (only when the content changed), and an audit entry is appended in
the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation

from .models import MAX_MATERIALS, GuideMaterial, ServiceGuide, ServiceGuideVersion

# The guide's content, in the order guides and change lists show it.
CONTENT_FIELDS = [
    "item_name", "item_code", "target", "legal_basis", "conditions", "process",
    "statutory_days", "promised_days", "fees", "fee_basis", "result_document",
    "place", "hours", "online_link", "enquiry_phone", "complaint_phone",
]
MATERIAL_FIELDS = ["name", "source", "form", "copies", "required", "note"]
MATERIALS_LABEL = "申请材料"
FIELD_LABELS: dict[str, str] = {
    **{name: str(ServiceGuide._meta.get_field(name).verbose_name) for name in CONTENT_FIELDS},
    "materials": MATERIALS_LABEL,
}
NOTE_LIMIT = ServiceGuideVersion._meta.get_field("note").max_length
PERMISSION_MESSAGE = "您没有编辑该机构办事指南的权限。"
# Fields full_clean leaves to this module (they are not content).
_NOT_CONTENT = ["organisation", "published", "published_at", "created_at", "updated_at", "version"]


# ---------------------------------------------------------------- snapshots


def _material_state(material: GuideMaterial) -> dict:
    return {name: getattr(material, name) for name in MATERIAL_FIELDS}


def snapshot(guide: ServiceGuide, materials=None) -> dict:
    """The guide's content (materials included) as JSON-ready data: what a
    version keeps and what two versions are compared by."""
    if materials is None:
        materials = guide.materials.order_by("sort_order", "id") if guide.pk else []
    data = {"organisation": guide.organisation_id}
    data.update({name: getattr(guide, name) for name in CONTENT_FIELDS})
    data["materials"] = [_material_state(m) for m in materials]
    return data


def _audit_state(guide: ServiceGuide, content: dict) -> dict:
    return {**content, "published": guide.published, "version": guide.version}


def changed_fields(before: dict | None, after: dict) -> list[str]:
    """The Chinese names of the fields whose values differ between two
    snapshots, in display order (all of them for a first version)."""
    before = before or {}
    return [FIELD_LABELS[name] for name in [*CONTENT_FIELDS, "materials"] if before.get(name) != after.get(name)]


def material_changes(before: dict | None, after: dict) -> dict[str, list[str]]:
    """Materials added, removed and changed (by name) between two snapshots."""
    old = {m["name"]: m for m in (before or {}).get("materials", [])}
    new = {m["name"]: m for m in after.get("materials", [])}
    return {
        "added": [name for name in new if name not in old],
        "removed": [name for name in old if name not in new],
        "changed": [name for name in new if name in old and new[name] != old[name]],
    }


# ---------------------------------------------------------------- checks


def _normalise(value):
    """Strings trimmed, with one kind of line break (browsers send CRLF)."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def _check_permission(user, organisation: Organisation, system: bool) -> None:
    if system:
        return
    if user is None or not permissions.can(user, permissions.GUIDE_EDIT, organisation):
        raise PermissionDenied(PERMISSION_MESSAGE)


def _add(errors: dict, field: str, messages) -> None:
    errors.setdefault(field, []).extend([messages] if isinstance(messages, str) else messages)


def _duplicate_code_message(code: str) -> str:
    return f"本机构已有事项编码为“{code}”的办事指南，事项编码不能重复。"


def _validate_content(guide: ServiceGuide, errors: dict) -> None:
    try:
        guide.full_clean(exclude=_NOT_CONTENT, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            _add(errors, field, messages)
    if "item_code" not in errors and guide.item_code:
        clash = ServiceGuide.objects.filter(organisation_id=guide.organisation_id, item_code=guide.item_code)
        if guide.pk:
            clash = clash.exclude(pk=guide.pk)
        if clash.exists():
            _add(errors, "item_code", _duplicate_code_message(guide.item_code))


def _materials_from(rows: list[dict], errors: dict) -> list[GuideMaterial]:
    materials = []
    if len(rows) > MAX_MATERIALS:
        _add(errors, "materials", f"申请材料不能超过{MAX_MATERIALS}项。")
        return materials
    seen: set[str] = set()
    for position, row in enumerate(rows, start=1):
        unknown = set(row) - set(MATERIAL_FIELDS) - {"sort_order"}
        if unknown:
            raise ValueError(f"unknown material fields: {sorted(unknown)}")
        values = {name: _normalise(value) for name, value in row.items() if name in MATERIAL_FIELDS}
        if values.get("note") is None:
            values.pop("note", None)
        material = GuideMaterial(**values, sort_order=position)
        try:
            material.full_clean(exclude=["guide", "sort_order"])
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                _add(errors, "materials", [f"第{position}项申请材料：{m}" for m in messages])
        else:
            if material.name in seen:
                _add(errors, "materials", f"第{position}项申请材料：材料名称“{material.name}”与前面的材料重复。")
            seen.add(material.name)
        materials.append(material)
    return materials


def _lock(guide: ServiceGuide) -> ServiceGuide:
    return ServiceGuide.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=guide.pk)


# ---------------------------------------------------------------- writes


def save_guide(
    guide: ServiceGuide | None,
    *,
    organisation: Organisation | None,
    data: dict,
    materials: list[dict],
    user,
    note: str = "",
    system: bool = False,
    expected_version: int | None = None,
) -> ServiceGuide:
    """Create a guide (guide=None) in `organisation`, or change `guide`.

    `data` holds content fields (CONTENT_FIELDS; on a change, missing ones
    keep their value); `materials` is the whole list of materials in order,
    each a dict of MATERIAL_FIELDS. `user` needs GUIDE_EDIT in the guide's
    organisation unless `system=True` (the demo loader, imports).
    `expected_version`, when given, refuses the save if someone else saved
    the guide since it was opened.

    Raises ValidationError (Chinese messages by field; material problems
    under "materials") or PermissionDenied; nothing is written then. A save
    that changes nothing writes nothing and creates no version.
    """
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown guide fields: {sorted(unknown)}")
    note = _normalise(note or "")
    with transaction.atomic():
        if guide is None:
            if organisation is None:
                raise ValidationError({"organisation": "请选择实施机构。"})
            _check_permission(user, organisation, system)
            current, before, before_state = None, None, None
            target = ServiceGuide(organisation=organisation)
        else:
            current = _lock(guide)
            _check_permission(user, current.organisation, system)
            if organisation is not None and organisation.pk != current.organisation_id:
                raise ValidationError({"organisation": "办事指南的实施机构不能更改；请在新的实施机构重新编写。"})
            if expected_version is not None and expected_version != current.version:
                raise ValidationError(
                    f"该办事指南在您编辑期间已被他人修改（现为第{current.version}版），"
                    "请重新打开编辑页面，核对后再保存。"
                )
            before = snapshot(current)
            before_state = _audit_state(current, before)
            target = current

        for name in CONTENT_FIELDS:
            if name in data:
                value = _normalise(data[name])
                setattr(target, name, "" if value is None and name not in ("statutory_days", "promised_days") else value)

        errors: dict[str, list[str]] = {}
        _validate_content(target, errors)
        material_objects = _materials_from(list(materials), errors)
        if len(note) > NOTE_LIMIT:
            _add(errors, "note", f"修改说明不能超过{NOTE_LIMIT}个字（现有{len(note)}个字）。")
        if errors:
            raise ValidationError(errors)

        after = snapshot(target, material_objects)
        if before is not None and after == before:
            return current  # nothing changed: no write, no version, no audit entry

        now = timezone.now()
        target.updated_at = now
        target.version = (current.version if current else 0) + 1
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            # A concurrent save took the same item code between the check and the write.
            if ServiceGuide.objects.filter(organisation_id=target.organisation_id, item_code=target.item_code).exclude(pk=target.pk).exists():
                raise ValidationError({"item_code": _duplicate_code_message(target.item_code)}) from None
            raise
        if current is not None:
            target.materials.all().delete()
        for material in material_objects:
            material.guide = target
        GuideMaterial.objects.bulk_create(material_objects)

        actor = audit.actor_name(user)
        ServiceGuideVersion.objects.create(
            guide=target, number=target.version, saved_at=now, saved_by=actor, snapshot=after, note=note,
        )
        audit.record(
            "guide.create" if current is None else "guide.update",
            "service_guide",
            target.pk,
            actor=actor,
            before=before_state,
            after=_audit_state(target, after),
            detail={
                "item_name": target.item_name,
                "item_code": target.item_code,
                "organisation": target.organisation_id,
                "version": target.version,
                "changed": changed_fields(before, after),
                "note": note,
                **({"system": True} if system else {}),
            },
        )
    return target


def publish_guide(guide: ServiceGuide, *, user, system: bool = False) -> ServiceGuide:
    """Show the guide to the public (audited; the content and its version do
    not change). Publishing a published guide does nothing."""
    return _set_published(guide, True, user=user, system=system)


def unpublish_guide(guide: ServiceGuide, *, user, system: bool = False) -> ServiceGuide:
    """Take the guide off the public site (audited); its history is kept."""
    return _set_published(guide, False, user=user, system=system)


def _set_published(guide: ServiceGuide, value: bool, *, user, system: bool) -> ServiceGuide:
    with transaction.atomic():
        current = _lock(guide)
        _check_permission(user, current.organisation, system)
        if current.published == value:
            return current
        content = snapshot(current)
        before = _audit_state(current, content)
        current.published = value
        if value:
            current.published_at = timezone.now()
        current.save(update_fields=["published", "published_at"])
        audit.record(
            "guide.publish" if value else "guide.unpublish",
            "service_guide",
            current.pk,
            actor=audit.actor_name(user),
            before=before,
            after=_audit_state(current, content),
            detail={
                "item_name": current.item_name,
                "item_code": current.item_code,
                "organisation": current.organisation_id,
                "version": current.version,
                **({"system": True} if system else {}),
            },
        )
    return current
