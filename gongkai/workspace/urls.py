from django.urls import include, path

from . import calendar_views, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("documents/", views.documents, name="documents"),
    path("documents/new/", views.document_edit, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/act/", views.document_act, name="document_act"),
    path("documents/<int:pk>/findings/<int:finding_id>/", views.finding_decide, name="finding"),
    path("documents/<int:pk>/interpretation/", views.link_interpretation, name="link_interpretation"),
    path("documents/<int:pk>/validity/", views.change_validity, name="validity"),
    path("members/", views.members, name="members"),
    path("wording/", views.wording, name="wording"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/export/", views.job_export, name="job_export"),
    path("jobs/import/", views.job_import, name="job_import"),
    path("jobs/<str:job>/download/", views.job_download, name="job_download"),
    path("cleanup/", include("gongkai.workspace.cleanup_urls")),
    path("site-identity/", include("gongkai.workspace.site_identity_views")),  # issue 18: 网站标识
    path("gazette/", include("gongkai.workspace.gazette_urls")),
]
