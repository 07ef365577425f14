from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
    path("search/", views.search, name="search"),
    path("doc/id/<int:pk>/", views.document_by_id, name="document_by_id"),
    path("doc/<path:index_number>/", views.document, name="document"),
]
