from django.contrib import admin

from gongkai.core.admin import AuditedAdmin

from .models import ColumnRule, Site


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ("name", "start_url", "organisation", "own", "max_pages", "active")
    list_filter = ("own", "active")
    search_fields = ("name", "start_url")


@admin.register(ColumnRule)
class ColumnRuleAdmin(AuditedAdmin):
    list_display = ("organisation", "genre", "topic", "max_days", "required")
    list_filter = ("required", "genre")
    autocomplete_fields = ("organisation",)
