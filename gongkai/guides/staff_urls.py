from django.urls import path

from . import staff_views

app_name = "guides_staff"
urlpatterns = [
    path("", staff_views.guide_list, name="list"),
    path("new/", staff_views.guide_edit, name="new"),
    path("<int:pk>/", staff_views.guide_detail, name="detail"),
    path("<int:pk>/edit/", staff_views.guide_edit, name="edit"),
    path("<int:pk>/publish/", staff_views.guide_publish, name="publish"),
    path("<int:pk>/unpublish/", staff_views.guide_unpublish, name="unpublish"),
]
