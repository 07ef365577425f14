"""Staff pages of the annual report, under /staff/reports/ (gongkai.reports.staff_views)."""

from django.urls import path

from . import staff_views

app_name = "reports"
urlpatterns = [
    path("", staff_views.index, name="index"),
    path("start/", staff_views.start, name="start"),
    path("units/", staff_views.units, name="units"),
    path("units/<int:org>/township-deadline/", staff_views.township_deadline, name="township_deadline"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/save/", staff_views.save, name="save"),
    path("<int:pk>/redraft/", staff_views.redraft, name="redraft"),
    path("<int:pk>/override/", staff_views.override, name="override"),
    path("<int:pk>/override/remove/", staff_views.override_remove, name="override_remove"),
    path("<int:pk>/publish/", staff_views.publish, name="publish"),
    path("<int:pk>/reopen/", staff_views.reopen, name="reopen"),
    path("<int:pk>/departments/", staff_views.departments, name="departments"),
    path("<int:pk>/download/<str:fmt>/", staff_views.download, name="download"),
]
