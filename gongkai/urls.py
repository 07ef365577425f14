from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from gongkai.api.api import api
from gongkai.guides import urls as guide_urls
from gongkai.portal import views as portal_views
from gongkai.portal.cache import cached_urls, public_page
from gongkai.portal.sitemaps import SITEMAPS, robots_txt

admin.site.site_header = "政务公开平台管理"
admin.site.site_title = "政务公开平台管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("media/<path:path>", portal_views.media, name="media"),
    path("api/", api.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", public_page(sitemap_views.index),
         {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", public_page(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("staff/guides/", include("gongkai.guides.staff_urls")),
    path("staff/application-stats/", include("gongkai.applications.stats_urls")),
    path("staff/applications/", include("gongkai.applications.staff_urls")),
    path("staff/interact/", include("gongkai.interaction.staff_urls")),
    path("staff/monitor/", include("gongkai.monitor.urls")),
    path("staff/workplan/", include("gongkai.workplan.urls")),
    path("staff/bulletins/", include("gongkai.workplan.bulletin_urls")),
    path("staff/assessment/", include("gongkai.workplan.assessment_urls")),
    path("staff/reports/", include("gongkai.reports.staff_urls")),
    path("staff/xxgk/", include("gongkai.portal.column_staff_urls")),
    path("staff/", include("gongkai.workspace.urls")),
    path("guides/", include(cached_urls(guide_urls))),  # public pages: cached for anonymous visitors
    path("apply/", include("gongkai.applications.urls")),
    path("interact/", include("gongkai.interaction.urls")),
    path("", include("gongkai.portal.urls")),
]

handler403 = "gongkai.workspace.views.permission_denied"
handler404 = "gongkai.portal.views.page_not_found"
handler500 = "gongkai.portal.views.server_error"
