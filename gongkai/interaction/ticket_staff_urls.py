"""Workspace pages of the tickets, mounted at /staff/interact/tickets/ (namespace interaction_staff:tickets)."""

from django.urls import path

from . import ticket_staff_views as views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.register, name="new"),
    path("statistics/", views.statistics, name="stats"),
    path("statistics.xlsx", views.statistics_xlsx, name="stats_xlsx"),
    path("time-limits/", views.presets, name="presets"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/new/", views.knowledge_edit, name="knowledge_new"),
    path("knowledge/<int:pk>/", views.knowledge_edit, name="knowledge_edit"),
    path("knowledge/<int:pk>/decide/", views.knowledge_decide, name="knowledge_decide"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/files/<int:file_id>/", views.file_download, name="file"),
]
