"""The tamper-evident audit log: every state change, edit and permission change
appends an entry, in the caller's transaction, chained by SHA-256 hashes.

`record()` appends; `verify()` walks the chain and names the first entry that
was altered or removed. A person with direct write access to the database
could still rebuild the whole chain; publishing the head hash elsewhere (the
monthly bulletin, a printed report) would close that gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .db import locked_row
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
HEAD_ID = 1


def fingerprint(state: dict | None) -> str:
    """SHA-256 of an object's state as canonical JSON ('' for no state)."""
    if state is None:
        return ""
    return hashlib.sha256(_canonical(state).encode("utf-8")).hexdigest()


def _canonical(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(entry: AuditEntry) -> str:
    fields = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
        "before_hash": entry.before_hash,
        "after_hash": entry.after_hash,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def state_of(instance, exclude: tuple[str, ...] = ()) -> dict:
    """An object's stored fields as a dict, for the before/after hashes."""
    state = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        state[field.attname] = field.value_from_object(instance)
    return state


def actor_name(user) -> str:
    """How an entry names who acted: the username, or the system."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return user.get_username()


@transaction.atomic
def record(action: str, object_type: str, object_id="", *, actor: str = "", before: dict | None = None,
           after: dict | None = None, detail: dict | None = None) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change itself,
    so the change and its entry commit (or roll back) together."""
    # The head row exists after the first entry: lock it in one statement
    # (this runs once per catalog change, imports included).
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        head = locked_row(AuditHead, {"pk": HEAD_ID}, {"last_seq": 0, "last_hash": GENESIS})
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=json.loads(_canonical(detail or {})),
        before_hash=fingerprint(before),
        after_hash=fingerprint(after),
        prev_hash=head.last_hash or GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass
class Verdict:
    ok: bool
    checked: int
    first_bad: int | None = None  # the sequence number where the chain breaks
    reason: str = ""


def verify(progress=None) -> Verdict:
    """Walk the chain from the first entry. The first inconsistency is reported:
    an entry whose fields no longer give its hash (altered), a gap or a broken
    link (removed), or a head that points past the last entry (tail removed)."""
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    entries = AuditEntry.objects.order_by("seq")
    total = entries.count()
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return Verdict(False, checked, expected_seq, f"entry #{expected_seq} is missing (removed)")
        if entry.prev_hash != previous_hash:
            return Verdict(False, checked, entry.seq, f"entry #{entry.seq} does not follow entry #{entry.seq - 1} (an entry before it was altered or replaced)")
        if entry_hash(entry) != entry.entry_hash:
            return Verdict(False, checked, entry.seq, f"entry #{entry.seq} was altered after it was written")
        previous_hash, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
        if progress and checked % 5000 == 0:
            progress(checked, total)
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head and (head.last_seq != checked or (checked and head.last_hash != previous_hash)):
        return Verdict(False, checked, checked + 1, f"the log ends at entry #{checked} but was written up to #{head.last_seq} (the last entries were removed)")
    return Verdict(True, checked)
