"""Organisations in the Django admin (Chinese, through the model's verbose names)."""

from django.contrib import admin
from django.db import transaction

from . import audit
from .models import AuditEntry, Membership, Organisation


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletions through the admin append an audit entry in the
    same transaction (who, what, before/after hashes)."""

    audit_type = ""

    def _type(self) -> str:
        return self.audit_type or self.model._meta.model_name

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = audit.state_of(self.model.objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            audit.record(f"{self._type()}.{'edit' if change else 'create'}", self._type(), obj.pk,
                         actor=audit.actor_name(request.user), before=before, after=audit.state_of(obj),
                         detail={"changed": list(form.changed_data)})

    def delete_model(self, request, obj):
        with transaction.atomic():
            before, pk = audit.state_of(obj), obj.pk
            super().delete_model(request, obj)
            audit.record(f"{self._type()}.delete", self._type(), pk, actor=audit.actor_name(request.user), before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a quota plan's targets, a scheme's indicators) are audited one by one."""
        with transaction.atomic():
            before = {obj.pk: audit.state_of(obj) for obj in formset.get_queryset()} if change else {}
            deleted = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
            super().save_formset(request, form, formset, change)
            kind = formset.model._meta.model_name
            actor = audit.actor_name(request.user)
            for obj in formset.new_objects:
                audit.record(f"{kind}.create", kind, obj.pk, actor=actor, after=audit.state_of(obj))
            for obj, changed in formset.changed_objects:
                audit.record(f"{kind}.edit", kind, obj.pk, actor=actor, before=before.get(obj.pk),
                             after=audit.state_of(obj), detail={"changed": list(changed)})
            for pk in deleted:
                audit.record(f"{kind}.delete", kind, pk, actor=actor, before=before.get(pk))


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "short_name", "level", "parent", "issuer_code", "index_prefix", "sort_order")
    list_filter = ("level",)
    search_fields = ("name", "short_name", "issuer_code", "index_prefix", "credit_code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("sort_order", "id")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "level", "parent", "sort_order")}),
        ("编码", {"fields": ("issuer_code", "credit_code", "index_prefix")}),
        ("审核", {"fields": ("review_levels",)}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read only here: roles are granted and revoked in the workspace
    (/staff/members/), where each change is checked and audited."""

    list_display = ("user", "organisation", "role", "review_level", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    list_select_related = ("user", "organisation")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read only: nobody adds, edits or deletes audit entries through a screen."""

    list_display = ("seq", "at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor", "object_id", "action")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


# --- The working-day calendar (gongkai.core.calendar) -------------------------

from .models import CalendarDay, CalendarYear, HolidayNotice  # noqa: E402

_WEEKDAYS = "一二三四五六日"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    """A year whose official schedule the office has entered in full: the
    deadlines then count working days in it (a year neither the package nor
    the office covers stops every deadline that reaches it)."""

    audit_type = "calendar_year"
    list_display = ("year", "note", "declared_at")
    ordering = ("-year",)
    search_fields = ("year", "note")


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """The office's own entry for one date: a holiday, an adjusted working
    weekend (调休上班) or a local holiday, overriding the national calendar."""

    audit_type = "calendar_day"
    list_display = ("date", "weekday", "is_workday", "name", "note", "notice")
    list_filter = ("is_workday",)
    readonly_fields = ("notice", "festival")
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj):
        return f"星期{_WEEKDAYS[obj.date.weekday()]}"


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    """Imported holiday notices, read-only (they are imported on the staff
    calendar page or with `gongkai calendar import-notice`); deleting one
    removes the days it wrote, through the audited service."""

    list_display = ("year", "title", "number", "is_amendment", "imported_at", "imported_by")
    ordering = ("-year", "-imported_at")
    readonly_fields = [f.name for f in HolidayNotice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        from . import services

        services.calendar_remove_notice(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        from . import services

        for obj in queryset:
            services.calendar_remove_notice(obj, by=request.user)
