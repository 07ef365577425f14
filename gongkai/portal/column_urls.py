"""Public URLs of the portal's column pages (issue 18); included by portal/urls.py."""

from django.urls import path

from . import column_views as views

urlpatterns = [
    path("xxgk/", views.column_home, name="column_home"),
    path("xxgk/guide/", views.column_guides, name="column_guides"),
    path("xxgk/rules/", views.column_rules, name="column_rules"),
    path("xxgk/reports/", views.column_reports, name="column_reports"),
    path("xxgk/policies/", views.column_policies, name="column_policies"),
    path("xxgk/column/<slug:key>/", views.column_page, name="column_page"),
    path("xxgk/org/<int:pk>/", views.column_home, name="org_column_home"),
    path("xxgk/org/<int:pk>/guide/", views.column_guide, name="org_column_guide"),
    path("xxgk/org/<int:pk>/rules/", views.column_rules, name="org_column_rules"),
    path("xxgk/org/<int:pk>/reports/", views.column_reports, name="org_column_reports"),
    path("xxgk/org/<int:pk>/policies/", views.column_policies, name="org_column_policies"),
    path("xxgk/org/<int:pk>/column/<slug:key>/", views.column_page, name="org_column_page"),
]
