"""Staff pages of the monthly bulletins, under /staff/bulletins/ (gongkai.workplan.bulletin_views)."""

from django.urls import path  # noqa: F401

app_name = "bulletins"
urlpatterns: list = []
