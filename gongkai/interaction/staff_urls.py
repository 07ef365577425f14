"""Workspace pages of 政民互动, mounted at /staff/interact/."""

from django.urls import include, path

app_name = "interaction_staff"
urlpatterns = [
    path("tickets/", include("gongkai.interaction.ticket_staff_urls")),
    path("consultations/", include("gongkai.interaction.consultation_staff_urls")),
    path("interviews/", include("gongkai.interaction.interview_staff_urls")),
]
