"""Public pages of online interviews (在线访谈), mounted at /interact/interviews/."""

from django.urls import path

from . import interview_views as views

urlpatterns = [
    path("", views.interview_list, name="interview_list"),
    path("<int:pk>/", views.interview_detail, name="interview_detail"),
    path("<int:pk>/ask/", views.interview_ask, name="interview_ask"),
]
