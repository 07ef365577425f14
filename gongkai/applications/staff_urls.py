from django.urls import path

from . import staff_views

app_name = "applications_staff"
urlpatterns = [
    path("", staff_views.application_list, name="list"),
    path("new/", staff_views.register, name="new"),
    path("templates/", staff_views.templates, name="templates"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", staff_views.act, name="act"),
    path("<int:pk>/letter/", staff_views.letter_html, name="letter"),
    path("<int:pk>/letter.docx", staff_views.letter_docx, name="letter_docx"),
    path("<int:pk>/files/<int:file_id>/", staff_views.file_download, name="file"),
    path("<int:pk>/consultation/<int:event_id>.docx", staff_views.consultation_docx, name="consultation_docx"),
    # Notices: sign-off (签发), sending, printing (gongkai.applications.notices).
    path("signoff/", staff_views.signoff, name="signoff"),
    path("<int:pk>/notices/<int:notice_id>/", staff_views.notice, name="notice"),
    path("<int:pk>/notices/<int:notice_id>/print/", staff_views.notice_print, name="notice_print"),
    path("<int:pk>/notices/<int:notice_id>/<slug:op>/", staff_views.notice_act, name="notice_act"),
    path("<int:pk>/notices/<int:notice_id>.docx", staff_views.notice_docx, name="notice_docx"),
    path("<int:pk>/notifications/<int:notification_id>/resend/", staff_views.notification_resend,
         name="notification_resend"),
]

# The case file (归档) and 依申请转主动: gongkai.applications.staff_case_views.
from . import staff_case_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/case-file.zip", staff_case_views.case_file, name="case_file"),
    path("<int:pk>/case-file/build/", staff_case_views.case_file_build, name="case_file_build"),
    path("<int:pk>/proactive/", staff_case_views.propose, name="propose"),
    path("repeated/", staff_case_views.repeated, name="repeated"),
    path("case-retention/", staff_case_views.retention, name="case_retention"),
]
