"""Work plans in the admin: plans, tasks and reports are shown (they change
through the workspace and its services, which check roles and audit); quota
plans and assessment schemes may also be set up here, audited."""

from django.contrib import admin

from gongkai.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Bulletin, CarryRule, Indicator, Plan, ProgressReport, Quota, QuotaPlan, Scheme, Task


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "year", "state", "confirmed_at")
    list_filter = ("state", "year")
    search_fields = ("title",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "plan", "due_date", "state", "percent")
    list_filter = ("state", "plan__year")
    search_fields = ("title",)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "organisation", "reported_on", "percent", "claims_done")


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "month", "created_at", "document")


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0
    autocomplete_fields = ("organisation",)


class CarryRuleInline(admin.TabularInline):
    model = CarryRule
    extra = 0


@admin.register(QuotaPlan)
class QuotaPlanAdmin(AuditedAdmin):
    list_display = ("title", "organisation", "year", "period")
    list_filter = ("year", "period")
    inlines = [QuotaInline, CarryRuleInline]
    autocomplete_fields = ("organisation",)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(AuditedAdmin):
    list_display = ("name", "organisation", "year")
    list_filter = ("year",)
    inlines = [IndicatorInline]
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("units",)
