"""Public URLs of the portal's gazette pages (issue 18); included by portal/urls.py."""

from django.urls import path

from . import gazette_views

urlpatterns: list = [
    path("gazette/", gazette_views.index, name="gazette"),
    path("gazette/<int:year>/", gazette_views.year, name="gazette_year"),
    path("gazette/issue/<int:pk>/", gazette_views.issue, name="gazette_issue"),
    path("gazette/issue/<int:pk>/pdf/", gazette_views.issue_pdf, name="gazette_pdf"),
]
