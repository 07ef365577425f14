"""Keeping the full-text index in step with the catalog."""

from django.db import transaction

from .backends import get_backend, index_fields


def update(doc) -> None:
    """Index a public document; take anything else out of the index."""
    backend = get_backend()
    if doc.is_public:
        backend.upsert(doc.pk, *index_fields(doc))
    else:
        backend.remove(doc.pk)


def remove(doc_id: int) -> None:
    get_backend().remove(doc_id)


def rebuild(progress=None) -> int:
    """Re-index the whole catalog (after a dictionary change, or a restore)."""
    from gongkai.catalog.models import Document

    backend = get_backend()
    count = 0
    with transaction.atomic():
        backend.clear()
        docs = Document.objects.filter(status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE)
        total = docs.count()
        for doc in docs.only("id", "title", "document_number", "keywords", "index_number", "body_text").iterator(2000):
            backend.upsert(doc.pk, *index_fields(doc))
            count += 1
            if progress and count % 500 == 0:
                progress(count, total)
    if progress:
        progress(count, count)
    return count
