from django.urls import include, path

from . import feeds, mode_views, opendata, views
from .cache import public_page

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
    path("search/", views.search, name="search"),
    path("doc/id/<int:pk>/", views.document_by_id, name="document_by_id"),
    path("doc/<path:index_number>/", views.document, name="document"),
    path("display/<str:mode>/<str:state>/", mode_views.set_mode, name="display"),  # 关怀版, 大字, 高对比度
    path("data/", opendata.data_index, name="data"),
    path("data/manifest.json", opendata.data_manifest, name="data_manifest"),
    path("data/<path:path>", opendata.data_file, name="data_file"),
    path("feeds/latest.atom", public_page(feeds.LatestDocuments()), name="feed_latest"),
    path("feeds/org/<int:pk>.atom", public_page(feeds.OrganisationDocuments()), name="feed_organisation"),
    path("feeds/topic/<int:pk>.atom", public_page(feeds.TopicDocuments()), name="feed_topic"),
    # Issue 18: the 政府信息公开 column, the organisation directory and sub-sites, the gazette.
    path("", include("gongkai.portal.column_urls")),
    path("", include("gongkai.portal.site_urls")),
    path("", include("gongkai.portal.gazette_urls")),
]
