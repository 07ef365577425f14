"""Public URLs of the portal's site pages (issue 18); included by portal/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
