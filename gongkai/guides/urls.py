from django.urls import path

from . import views

app_name = "guides"
urlpatterns = [
    path("", views.guide_list, name="list"),
    path("<int:pk>/", views.guide_detail, name="detail"),
    path("<int:pk>/history/", views.guide_history, name="history"),
]
