"""Service guides in the Django admin: read-mostly. Guides are written in the
workspace (/staff/guides/), where every change is checked, kept as a version
and audited; here administrators look them up. Versions are never changed or
deleted. The only writes offered are publishing and unpublishing, through
the services (permission-checked and audited)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from gongkai.core.admin import ReadOnlyAdmin

from . import services
from .models import GuideMaterial, ServiceGuide, ServiceGuideVersion


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuideMaterialInline(ReadOnlyInline):
    model = GuideMaterial
    fields = ("sort_order", "name", "source", "form", "copies", "required", "note")
    readonly_fields = fields


class ServiceGuideVersionInline(ReadOnlyInline):
    model = ServiceGuideVersion
    fields = ("number", "saved_at", "saved_by", "note")
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(ServiceGuide)
class ServiceGuideAdmin(ReadOnlyAdmin):
    list_display = ("item_name", "item_code", "organisation", "published", "version", "updated_at")
    list_filter = ("published", "organisation__level")
    search_fields = ("item_name", "item_code", "organisation__name")
    list_select_related = ("organisation",)
    readonly_fields = [f.name for f in ServiceGuide._meta.fields]
    inlines = [GuideMaterialInline, ServiceGuideVersionInline]
    actions = ["publish", "unpublish"]

    def _apply(self, request, queryset, write, done: str):
        changed = refused = 0
        for guide in queryset:
            try:
                if write(guide, user=request.user).published != guide.published:
                    changed += 1
            except PermissionDenied:
                refused += 1
        self.message_user(request, f"{done}{changed}份办事指南。")
        if refused:
            self.message_user(request, f"{refused}份办事指南因没有权限未处理。", messages.WARNING)

    @admin.action(description="发布所选办事指南")
    def publish(self, request, queryset):
        self._apply(request, queryset, services.publish_guide, "已发布")

    @admin.action(description="撤下所选办事指南")
    def unpublish(self, request, queryset):
        self._apply(request, queryset, services.unpublish_guide, "已撤下")


@admin.register(ServiceGuideVersion)
class ServiceGuideVersionAdmin(ReadOnlyAdmin):
    list_display = ("guide", "number", "saved_at", "saved_by", "note")
    search_fields = ("guide__item_name", "guide__item_code", "saved_by", "note")
    list_select_related = ("guide",)
    readonly_fields = [f.name for f in ServiceGuideVersion._meta.fields]

