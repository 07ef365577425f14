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
]
