"""Public pages of 政民互动, mounted at /interact/."""

from django.urls import include, path

app_name = "interaction"
urlpatterns = [
    path("", include("gongkai.interaction.ticket_urls")),
    path("consultations/", include("gongkai.interaction.consultation_urls")),
    path("interviews/", include("gongkai.interaction.interview_urls")),
]
