from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_vocabularies(sender, **kwargs):
    """The shipped topics and genres after every migrate and every flush (a
    flush empties them with the rest; tests that commit data flush), so a
    database never lacks them. Idempotent: existing entries are left as edited."""
    from . import vocabularies
    from .models import Genre, Topic

    vocabularies.install(Topic, Genre)


def _document_status(attachment) -> str | None:
    from .models import Document

    return Document.objects.filter(pk=attachment.document_id).values_list("status", flat=True).first()


class CatalogConfig(AppConfig):
    name = "gongkai.catalog"
    label = "catalog"
    verbose_name = "政府信息公开目录"

    def ready(self):
        from gongkai.core import generation

        from .models import Attachment, Document, Genre, Relation, Topic

        post_migrate.connect(_install_vocabularies, sender=self, dispatch_uid="catalog-install-vocabularies")
        # What the public pages show (gongkai.core.generation: cached pages go stale at once).
        public = (Document.Status.PUBLISHED, Document.Status.WITHDRAWN)
        generation.watch(Document, when=lambda doc: doc.status in public)
        generation.watch(Attachment, when=lambda item: _document_status(item) in public)
        for model in (Relation, Topic, Genre):
            generation.watch(model)
