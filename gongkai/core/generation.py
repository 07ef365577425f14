"""The generation of the public site's content: one number, bumped after
every committed change to anything a public page shows (a document
published, edited, withdrawn or deleted, a relation, an attachment, an
organisation, a vocabulary, a service guide).

Cached public pages (gongkai.portal.cache) are keyed by the generation and
carry it in their ETag, so one bump makes every cached page and every
browser's copy stale at once: a public page is never stale after the change
commits. The number lives in the database, not in a process's memory, so
that every process and machine serving the site sees the same one.

The bump runs after the writer's transaction commits (once per transaction,
however many rows it changed), in its own tiny transaction: a writer never
holds the counter's row lock while it works, and a reader that sees the new
number also sees the change. A reader that still sees the old number may
cache a page under it, but nobody asks for that number again.

Apps declare what the public sees with `watch(Model)`; a write that bypasses
model signals (`QuerySet.update`, `bulk_create`) calls `bump()` itself.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from . import db

ROW_ID = 1


def _apply(using: str) -> None:
    from .models import ContentGeneration

    now, token = timezone.now(), secrets.token_hex(8)
    with transaction.atomic(using=using):
        updated = (ContentGeneration.objects.using(using).filter(pk=ROW_ID)
                   .update(number=F("number") + 1, token=token, changed_at=now))
        if not updated:
            ContentGeneration.objects.using(using).get_or_create(
                pk=ROW_ID, defaults={"number": 1, "token": token, "changed_at": now})


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark the public content changed: when the current transaction commits
    (now, outside one; at once inside one where settings say so: the test
    suite, whose test transactions never commit)."""
    # Once per transaction: a bulk import of 500 documents bumps once.
    if any(getattr(hook, "_gongkai_generation", False) for _, hook, *_ in connections[using].run_on_commit):
        return

    def hook():
        _apply(using)

    hook._gongkai_generation = True
    db.after_commit(hook, using)


def current(using: str = DEFAULT_DB_ALIAS) -> tuple[str, dt.datetime] | None:
    """(version, when it last changed), one primary-key read; None before
    the first change (nothing public yet worth caching)."""
    from .models import ContentGeneration

    # Read on every public request: plain SQL, none of the ORM's building.
    connection = connections[using]
    table = connection.ops.quote_name(ContentGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, token, changed_at FROM {table} WHERE id = %s", [ROW_ID])
        row = cursor.fetchone()
    if row is None:
        return None
    number, token, changed_at = row
    if isinstance(changed_at, str):  # SQLite hands back text
        changed_at = dt.datetime.fromisoformat(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, dt.timezone.utc)
    return f"{number}{token}", changed_at


def watch(model, when=None) -> None:
    """Bump the generation after every save or deletion of `model`'s rows
    (for which `when(instance)` holds, when given: a draft's edits change no
    public page)."""

    def changed(sender, instance=None, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
        if raw or (when is not None and instance is not None and not when(instance)):
            return
        bump(using or DEFAULT_DB_ALIAS)

    label = model if isinstance(model, str) else model._meta.label
    post_save.connect(changed, sender=model, dispatch_uid=f"generation-save-{label}", weak=False)
    post_delete.connect(changed, sender=model, dispatch_uid=f"generation-delete-{label}", weak=False)


