"""Staff pages of the monthly bulletins, under /staff/bulletins/ (gongkai.workplan.bulletin_views)."""

from django.urls import path

from . import bulletin_views

app_name = "bulletins"
urlpatterns = [
    path("", bulletin_views.bulletin_list, name="list"),
    path("generate/", bulletin_views.bulletin_generate, name="generate"),
    path("<int:pk>/", bulletin_views.bulletin_detail, name="detail"),
    path("<int:pk>/regenerate/", bulletin_views.bulletin_regenerate, name="regenerate"),
    path("<int:pk>/docx/", bulletin_views.bulletin_docx, name="docx"),
]
