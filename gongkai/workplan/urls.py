"""Staff pages of work-plan supervision, under /staff/workplan/ (gongkai.workplan.views)."""

from django.urls import path

from . import views

app_name = "workplan"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_plan, name="import"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/confirm/", views.plan_confirm, name="plan_confirm"),
    path("plans/<int:pk>/request/", views.plan_request, name="plan_request"),
    path("plans/<int:pk>/tasks.xlsx", views.plan_xlsx, name="plan_xlsx"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/confirm/", views.task_confirm, name="task_confirm"),
    path("tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("overdue/", views.overdue, name="overdue"),
    path("quotas/", views.quota_list, name="quotas"),
    path("quotas/new/", views.quota_new, name="quota_new"),
    path("quotas/<int:pk>/", views.quota_plan, name="quota_plan"),
]
