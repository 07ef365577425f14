"""Reading service guides for the public pages and the workspace."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from gongkai.core import permissions
from gongkai.core.models import Organisation

from .models import GuideMaterial, ServiceGuide
from .services import changed_fields, material_changes

QUERY_LIMIT = 100


def public_guides() -> QuerySet[ServiceGuide]:
    return ServiceGuide.objects.filter(published=True).select_related("organisation")


def public_guide(pk: int) -> ServiceGuide | None:
    return public_guides().filter(pk=pk).first()


def search(qs: QuerySet[ServiceGuide], text: str) -> QuerySet[ServiceGuide]:
    """Guides whose item name or item code contains every word of `text`."""
    for word in text.split()[:10]:
        qs = qs.filter(Q(item_name__icontains=word) | Q(item_code__icontains=word))
    return qs


def organisations_with_public_guides() -> QuerySet[Organisation]:
    return Organisation.objects.filter(service_guides__published=True).distinct().order_by("sort_order", "id")


def visible_guides(user) -> QuerySet[ServiceGuide]:
    """The guides of the organisations the staff member may see."""
    return ServiceGuide.objects.filter(permissions.scope_filter(user, permissions.VIEW)).select_related("organisation")


def materials(guide: ServiceGuide) -> list[GuideMaterial]:
    return list(guide.materials.order_by("sort_order", "id"))


@dataclass
class HistoryEntry:
    number: int
    saved_at: object
    note: str
    changed: list[str] = field(default_factory=list)  # field names, in Chinese
    materials_added: list[str] = field(default_factory=list)
    materials_removed: list[str] = field(default_factory=list)
    materials_changed: list[str] = field(default_factory=list)
    saved_by: str = ""  # shown in the workspace only
    first: bool = False


def history(guide: ServiceGuide) -> list[HistoryEntry]:
    """Every version of `guide`, newest first, each with what changed since
    the version before it."""
    versions = list(guide.versions.order_by("number"))
    entries, previous = [], None
    for version in versions:
        changes = material_changes(previous, version.snapshot) if previous is not None else None
        entries.append(HistoryEntry(
            number=version.number,
            saved_at=version.saved_at,
            note=version.note,
            changed=changed_fields(previous, version.snapshot) if previous is not None else [],
            materials_added=changes["added"] if changes else [],
            materials_removed=changes["removed"] if changes else [],
            materials_changed=changes["changed"] if changes else [],
            saved_by=version.saved_by,
            first=previous is None,
        ))
        previous = version.snapshot
    entries.reverse()
    return entries
