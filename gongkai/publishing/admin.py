from django.contrib import admin

from gongkai.core.admin import AuditedAdmin

from .models import WordingRule


@admin.register(WordingRule)
class WordingRuleAdmin(AuditedAdmin):
    list_display = ("phrase", "kind", "suggestion", "active")
    list_filter = ("kind", "active")
    search_fields = ("phrase", "suggestion")
