from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


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


def _before_save(sender, instance, raw=False, **kwargs):
    """What the row counted for before this save, when it was not loaded whole."""
    if raw or getattr(instance, "_counted", None) is not None:
        return
    if instance._state.adding or instance.pk is None:
        instance._counted = ()
        return
    old = sender.objects.filter(pk=instance.pk).first()
    instance._counted = old.public_facets() if old is not None else ()


def _saved(sender, instance, raw=False, using=None, **kwargs):
    from . import counts

    if raw:
        return
    now = instance.public_facets()
    counts.record(instance._counted, now, using=using or "default")
    instance._counted = now


def _deleted(sender, instance, using=None, **kwargs):
    from . import counts

    counted = getattr(instance, "_counted", None)
    if counted is None:
        counted = instance.public_facets()
    counts.record(counted, (), using=using or "default")


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
        # The public facet counts follow every document change (gongkai.catalog.counts).
        pre_save.connect(_before_save, sender=Document, dispatch_uid="catalog-counts-before")
        post_save.connect(_saved, sender=Document, dispatch_uid="catalog-counts-save")
        post_delete.connect(_deleted, sender=Document, dispatch_uid="catalog-counts-delete")
