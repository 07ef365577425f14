from django.urls import path

from . import views

app_name = "monitor"
urlpatterns = [
    path("", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/report.xlsx", views.run_xlsx, name="run_xlsx"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
]
