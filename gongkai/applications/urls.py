"""Public pages of disclosure applications, mounted at /apply/."""

from django.urls import path

from . import public_views as views

app_name = "applications"
urlpatterns = [
    path("", views.apply, name="apply"),
    path("received/", views.received, name="received"),
    path("status/", views.status, name="status"),
    path("status/end/", views.status_end, name="status_end"),
    path("status/letter/", views.letter, name="letter"),
    path("status/letter.docx", views.letter_docx, name="letter_docx"),
    path("status/files/<int:pk>/", views.download, name="file"),
    path("status/notices/<int:pk>/", views.notice, name="notice"),
    path("status/notices/<int:pk>.docx", views.notice_docx, name="notice_docx"),
    path("receipt/", views.receipt, name="receipt"),
]
