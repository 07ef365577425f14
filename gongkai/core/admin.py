"""Organisations in the Django admin (Chinese, through the model's verbose names)."""

from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "level", "parent", "issuer_code", "index_prefix", "sort_order")
    list_filter = ("level",)
    search_fields = ("name", "short_name", "issuer_code", "index_prefix", "credit_code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("sort_order", "id")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "level", "parent", "sort_order")}),
        ("编码", {"fields": ("issuer_code", "credit_code", "index_prefix")}),
    )
