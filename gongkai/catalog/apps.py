from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_vocabularies(sender, **kwargs):
    """The shipped topics and genres after every migrate and every flush (a
    flush empties them with the rest; tests that commit data flush), so a
    database never lacks them. Idempotent: existing entries are left as edited."""
    from . import vocabularies
    from .models import Genre, Topic

    vocabularies.install(Topic, Genre)


class CatalogConfig(AppConfig):
    name = "gongkai.catalog"
    label = "catalog"
    verbose_name = "政府信息公开目录"

    def ready(self):
        post_migrate.connect(_install_vocabularies, sender=self, dispatch_uid="catalog-install-vocabularies")
