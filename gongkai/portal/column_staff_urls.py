"""Staff URLs of the 政府信息公开 column (issue 18); mounted at /staff/xxgk/."""

from django.urls import path

from . import column_staff_views as views

app_name = "column_staff"
urlpatterns = [
    path("", views.column_index, name="index"),
    path("org/<int:pk>/", views.column_organisation, name="organisation"),
    path("org/<int:pk>/guide/", views.guide_edit, name="guide"),
    path("org/<int:pk>/rules/", views.rule_list, name="rules"),
    path("org/<int:pk>/rules/<int:rule_pk>/delete/", views.rule_delete, name="rule_delete"),
]
