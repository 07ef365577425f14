from django.contrib import admin

from .models import WordingRule


@admin.register(WordingRule)
class WordingRuleAdmin(admin.ModelAdmin):
    list_display = ("phrase", "kind", "suggestion", "active")
    list_filter = ("kind", "active")
    search_fields = ("phrase", "suggestion")
