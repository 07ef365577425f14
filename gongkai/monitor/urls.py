from django.urls import path

from . import views

app_name = "monitor"
urlpatterns = [
    path("", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
]
