from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _drop_orphan_phrases(sender, using="default", **kwargs):
    """A flush empties search_index (Django knows it) but not search_phrase
    (SQLite only, unknown to Django): drop the rows left without a partner."""
    connection = connections[using]
    if connection.vendor != "sqlite" or "search_phrase" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_phrase WHERE rowid NOT IN (SELECT rowid FROM search_index)")


class SearchConfig(AppConfig):
    name = "gongkai.search"
    label = "search"
    verbose_name = "全文检索"

    def ready(self):
        from . import signals  # noqa: F401

        post_migrate.connect(_drop_orphan_phrases, sender=self, dispatch_uid="search-drop-orphan-phrases")
