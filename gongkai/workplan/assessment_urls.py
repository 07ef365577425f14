"""Staff pages of the year's assessment, under /staff/assessment/ (gongkai.workplan.assessment_views)."""

from django.urls import path

from . import assessment_views as views

app_name = "assessment"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.scheme, name="scheme"),
    path("<int:pk>/scores.xlsx", views.xlsx, name="xlsx"),
]
