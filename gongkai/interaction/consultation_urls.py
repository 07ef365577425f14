"""Public pages of consultations on drafts (意见征集), mounted at /interact/consultations/."""

from django.urls import path

from . import consultation_views as views

urlpatterns = [
    path("", views.consultation_list, name="consultation_list"),
    path("<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("<int:pk>/comment/", views.consultation_comment, name="consultation_comment"),
]
