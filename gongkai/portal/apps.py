from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_columns(sender, **kwargs):
    """The shipped 政府信息公开 column tree after every migrate and every flush
    (tests that commit data flush), like the catalog's vocabularies (which
    are installed first: the catalog comes before the portal in INSTALLED_APPS).
    Idempotent: columns the office edited are left as they are."""
    from gongkai.catalog.models import Genre, Topic

    from . import column_data
    from .models import ColumnRule, DisclosureColumn

    column_data.install(DisclosureColumn, ColumnRule, Topic, Genre)


class PortalConfig(AppConfig):
    name = "gongkai.portal"
    label = "portal"
    verbose_name = "门户网站"

    def ready(self):
        from gongkai.core import generation

        from .models import ColumnRule, DisclosureColumn, OpennessGuide

        post_migrate.connect(_install_columns, sender=self, dispatch_uid="portal-install-columns")
        # The 政府信息公开 column's public pages show these (cached pages go stale at once).
        for model in (DisclosureColumn, ColumnRule, OpennessGuide):
            generation.watch(model)
