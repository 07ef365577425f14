"""规范性文件清理 pages, included at staff/cleanup/ in the "workspace" namespace."""

from django.urls import path

from . import cleanup_views

urlpatterns = [
    path("", cleanup_views.cleanup_list, name="cleanup_list"),
    path("new/", cleanup_views.cleanup_new, name="cleanup_new"),
    path("<int:pk>/", cleanup_views.cleanup_detail, name="cleanup_detail"),
    path("<int:pk>/close/", cleanup_views.cleanup_close, name="cleanup_close"),
]
