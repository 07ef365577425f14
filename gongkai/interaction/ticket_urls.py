"""Public pages of the mailbox and hotline, mounted at /interact/ (namespace interaction:tickets)."""

from django.urls import path

from . import ticket_views as views

app_name = "tickets"
urlpatterns = [
    path("", views.index, name="index"),
    path("write/", views.write, name="write"),
    path("write/received/", views.received, name="received"),
    path("status/", views.status, name="status"),
    path("status/end/", views.status_end, name="status_end"),
    path("status/follow-up/", views.follow_up, name="follow_up"),
    path("status/rate/", views.rate, name="rate"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("statistics/", views.statistics, name="stats"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/<int:pk>/", views.knowledge_entry, name="knowledge_entry"),
]
