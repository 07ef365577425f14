"""政府公报 staff pages, included at staff/gazette/ in the "workspace" namespace."""

from django.urls import path

from . import gazette_views

urlpatterns = [
    path("", gazette_views.gazette_list, name="gazette_list"),
    path("new/", gazette_views.gazette_new, name="gazette_new"),
    path("<int:pk>/", gazette_views.gazette_issue, name="gazette_issue"),
    path("<int:pk>/contents/", gazette_views.gazette_contents, name="gazette_contents"),
    path("<int:pk>/pdf/", gazette_views.gazette_pdf, name="gazette_pdf"),
    path("<int:pk>/pdf/file/", gazette_views.gazette_pdf_file, name="gazette_pdf_file"),
    path("<int:pk>/publish/", gazette_views.gazette_publish, name="gazette_publish"),
]
