from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = "机构与基础设置"

    def ready(self):
        from . import generation, signals  # noqa: F401  (signals: audits user permission flags)
        from .models import Organisation

        generation.watch(Organisation)  # names and the tree on every public page
        connection_created.connect(_private_sqlite, dispatch_uid="gongkai-private-sqlite")


def _private_sqlite(sender, connection, **kwargs):
    """A new SQLite database is this account's only (0600), like the data folder."""
    if connection.vendor == "sqlite":
        from pathlib import Path

        from gongkai.settings import private_database_files

        name = str(connection.settings_dict.get("NAME") or "")
        if name and not name.startswith(":memory:") and "mode=memory" not in name:
            private_database_files(Path(name))
