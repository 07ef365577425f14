"""Public URLs of the portal's site pages (issue 18); included by portal/urls.py."""

from django.urls import path

from . import site_views

urlpatterns: list = [
    path("org/", site_views.directory, name="directory"),
    path("org/<int:pk>/", site_views.org_site, name="org_site"),
    path("org/<int:pk>/emblem/", site_views.org_emblem, name="org_emblem"),
    path("sitemap/", site_views.site_map, name="site_map"),
]
