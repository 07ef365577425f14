"""Staff pages of work-plan supervision, under /staff/workplan/ (gongkai.workplan.views)."""

from django.urls import path  # noqa: F401

app_name = "workplan"
urlpatterns: list = []
