"""Staff pages of the year's assessment, under /staff/assessment/ (gongkai.workplan.assessment_views)."""

from django.urls import path  # noqa: F401

app_name = "assessment"
urlpatterns: list = []
