"""Search follows every save and deletion of a document, inside the same
transaction as the change (the services wrap each change in one)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongkai.catalog.models import Document

from . import index


@receiver(post_save, sender=Document, dispatch_uid="search-index-document")
def _document_saved(sender, instance: Document, raw=False, **kwargs):
    if not raw:
        index.update(instance)


@receiver(post_delete, sender=Document, dispatch_uid="search-remove-document")
def _document_deleted(sender, instance: Document, **kwargs):
    index.remove(instance.pk)
