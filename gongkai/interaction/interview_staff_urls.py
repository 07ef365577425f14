"""Workspace pages of online interviews (在线访谈), mounted at /staff/interact/interviews/."""

from django.urls import path

from . import interview_staff_views as views

urlpatterns = [
    path("", views.interview_list, name="interview_list"),
    path("new/", views.interview_edit, name="interview_new"),
    path("settings/", views.interview_settings, name="interview_settings"),
    path("<int:pk>/", views.interview_detail, name="interview_detail"),
    path("<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("<int:pk>/act/<slug:action>/", views.interview_act, name="interview_act"),
]
