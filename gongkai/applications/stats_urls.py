from django.urls import path

from . import stats_views

app_name = "applications_stats"
urlpatterns_stats = [
    path("", stats_views.statistics, name="stats"),
]
urlpatterns = urlpatterns_stats
