"""Workspace pages of consultations on drafts (意见征集), mounted at /staff/interact/consultations/."""

from django.urls import path

from . import consultation_staff_views as views

urlpatterns = [
    path("", views.consultation_list, name="consultation_list"),
    path("new/", views.consultation_edit, name="consultation_new"),
    path("settings/", views.consultation_settings, name="consultation_settings"),
    path("<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("<int:pk>/act/<slug:action>/", views.consultation_act, name="consultation_act"),
    path("<int:pk>/comments.xlsx", views.consultation_export, name="consultation_export"),
]
