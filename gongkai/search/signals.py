"""Search follows every save and deletion of a document, inside the same
transaction as the change (the services wrap each change in one)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongkai.catalog.models import Document

from . import index


@receiver(post_save, sender=Document, dispatch_uid="search-index-document")
def _document_saved(sender, instance: Document, created=False, raw=False, **kwargs):
    if raw or (created and not instance.is_public):
        return  # a new draft: nothing to index, nothing to take out
    index.update(instance)


@receiver(post_delete, sender=Document, dispatch_uid="search-remove-document")
def _document_deleted(sender, instance: Document, **kwargs):
    index.remove(instance.pk)
