"""The tamper-evident audit log: every state change, edit and permission change
appends an entry, in the caller's transaction, chained by keyed hashes.

`record()` appends; `verify()` walks the chain and names the first entry that
was altered or removed, compares the log with its anchors, and compares what
the public sees of each published object with what the log last recorded of
it; `anchor()` writes the chain's head outside the database.

What keeps a person who holds only the database from rewriting history:
- the hashes are HMAC-SHA256 with a key that is not in the database
  (GONGKAI_AUDIT_KEY, or a key file generated on first use). Entries written
  before the key existed keep their plain SHA-256 (`scheme`); once an entry
  is keyed, no later one may be plain, and the anchors say where keyed
  hashes began;
- anchors: the head (sequence number, hash, number of entries, time) is
  appended daily to a file outside the database and to a copy elsewhere
  (GONGKAI_AUDIT_ANCHOR_COPY), each line chained to the one before by its own
  keyed hash, so removing the last entries, or editing an anchor, shows;
- content hashes: each entry about an object named in GONGKAI_AUDIT_CONTENT
  (published documents) records the hash of what the public sees of it after
  the change, so an edit made directly in the database shows.
Someone holding the key and every copy of the anchors can still rewrite the
log (README, "What the audit log proves").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .db import ROW_LOCK, locked_row
from .models import AuditEntry, AuditHead

try:  # POSIX: anchors written by several workers at once queue on the file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_ID = 1
LEGACY = "sha256"  # entries written before the key (migration 0008)
KEYED = "hmac-sha256"


def fingerprint(state: dict | None) -> str:
    """SHA-256 of an object's state as canonical JSON ('' for no state)."""
    if state is None:
        return ""
    return hashlib.sha256(_canonical(state).encode("utf-8")).hexdigest()


def _canonical(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


# --- the key -----------------------------------------------------------------

_keys: dict[str, bytes] = {}


def _key() -> bytes:
    """GONGKAI_AUDIT_KEY, or the key file (generated on first use, mode 0600)."""
    if settings.GONGKAI_AUDIT_KEY:
        return settings.GONGKAI_AUDIT_KEY.encode("utf-8")
    path = Path(settings.GONGKAI_AUDIT_KEY_FILE)
    if str(path) not in _keys:
        _keys[str(path)] = _read_or_create_key(path)
    return _keys[str(path)]


def _read_or_create_key(path: Path) -> bytes:
    if not path.exists():
        if AuditEntry.objects.exclude(scheme__in=("", LEGACY)).exists():
            # A new key would fork the log: the entries written so far could no longer be verified.
            raise ImproperlyConfigured(f"The audit key file {path} is missing, but the audit log holds entries "
                                       "hashed with a key: restore the file from the backup (or set GONGKAI_AUDIT_KEY).")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then linked into place: a process
        # that races this one finds either no file or the complete key.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".audit_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(temp)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"The audit key file {path} is empty or too short: restore it from the backup.")
    return key.encode("utf-8")


def key_id() -> str:
    """Names the key without revealing it: which key wrote an entry or an anchor."""
    return hmac.new(_key(), b"gongkai audit key id", hashlib.sha256).hexdigest()[:16]


def keyed_scheme() -> str:
    return f"{KEYED}:{key_id()}"


# --- entries -------------------------------------------------------------------


def _utc_text(moment: dt.datetime) -> str:
    """The time as the hash sees it: UTC with microseconds, the same text
    whichever database or backup the value comes back from."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)  # stored in UTC (USE_TZ)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_hash(entry: AuditEntry) -> str:
    fields = {
        "seq": entry.seq,
        "at": _utc_text(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
        "before_hash": entry.before_hash,
        "after_hash": entry.after_hash,
        "prev_hash": entry.prev_hash,
    }
    if _is_legacy(entry):
        return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()
    fields["scheme"] = entry.scheme
    fields["content_hash"] = entry.content_hash
    return hmac.new(_key(), _canonical(fields).encode("utf-8"), hashlib.sha256).hexdigest()


def _is_legacy(entry: AuditEntry) -> bool:
    return entry.scheme in ("", LEGACY)


def state_of(instance, exclude: tuple[str, ...] = ()) -> dict:
    """An object's stored fields as a dict, for the before/after hashes."""
    state = {}
    for field_ in instance._meta.concrete_fields:
        if field_.name in exclude:
            continue
        state[field_.attname] = field_.value_from_object(instance)
    return state


def actor_name(user) -> str:
    """How an entry names who acted: the username, or the system."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return user.get_username()


def _content_sources() -> dict:
    """object type -> its content source (settings.GONGKAI_AUDIT_CONTENT): an
    object with `current(object_id)`, the hash of what the public sees of it
    now ('' when it is not published), and `published()`, (object_id,
    label, hash) of every published one."""
    return {kind: import_string(path) for kind, path in getattr(settings, "GONGKAI_AUDIT_CONTENT", {}).items()}


@transaction.atomic
def record(action: str, object_type: str, object_id="", *, actor: str = "", before: dict | None = None,
           after: dict | None = None, detail: dict | None = None, content: str | None = None) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change itself,
    after the change, so the change and its entry commit (or roll back)
    together. `content`: the hash of what the public sees of the object now
    (asked of its content source when not given)."""
    if content is None:
        source = _content_sources().get(object_type)
        if source is not None:
            content = source.current(object_id)
    scheme = keyed_scheme()
    # The head row exists after the first entry: lock it in one statement
    # (this runs once per catalog change, imports included).
    head = AuditHead.objects.select_for_update(**ROW_LOCK).filter(pk=HEAD_ID).first()
    if head is None:
        head = locked_row(AuditHead, {"pk": HEAD_ID}, {"last_seq": 0, "last_hash": GENESIS})
    now = timezone.now()
    entry = AuditEntry(
        seq=head.last_seq + 1,
        # Milliseconds: a JSON dump (dumpdata, DjangoJSONEncoder) keeps no
        # more, and a log restored from one must still give the same hashes.
        at=now.replace(microsecond=now.microsecond // 1000 * 1000),
        actor=actor or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=json.loads(_canonical(detail or {})),
        before_hash=fingerprint(before),
        after_hash=fingerprint(after),
        prev_hash=head.last_hash or GENESIS,
        scheme=scheme,
        content_hash=content,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


# --- walking the chain -----------------------------------------------------------


class _Walk:
    """Follows the chain entry by entry and stops at the first inconsistency."""

    def __init__(self, legacy_until: int | None, progress=None, total: int = 0):
        self.legacy_until = legacy_until  # the last entry the anchors allow a plain hash
        self.scheme = keyed_scheme()
        self.progress, self.total = progress, total
        self.checked = 0
        self.last_seq, self.last_hash = 0, GENESIS
        self.first_hash: str | None = None
        self.first_keyed: int | None = None
        self.first_bad: int | None = None
        self.problem = ""
        self.contents: dict[tuple[str, str], tuple[str, int]] = {}  # last recorded public content

    def fail(self, seq: int, problem: str) -> bool:
        self.first_bad, self.problem = seq, problem
        return False

    def run(self, entries, expected_seq: int = 1, previous_hash: str | None = GENESIS) -> bool:
        """None as `previous_hash`: the first entry's link is taken as it is
        (the caller checks that entry's own hash)."""
        for entry in entries:
            seq = entry.seq
            if seq != expected_seq:
                return self.fail(expected_seq, f"entry #{expected_seq} is missing (removed)")
            if previous_hash is not None and entry.prev_hash != previous_hash:
                return self.fail(seq, f"entry #{seq} does not follow entry #{seq - 1} (an entry before it was altered or replaced)")
            if _is_legacy(entry):
                if self.first_keyed is not None:
                    return self.fail(seq, f"entry #{seq} has a hash made without the key although entry #{self.first_keyed} "
                                          "before it is keyed (it was rewritten by someone without the key)")
                if self.legacy_until is not None and seq > self.legacy_until:
                    return self.fail(seq, f"entry #{seq} has a hash made without the key, but the anchors show keyed hashes "
                                          f"from entry #{self.legacy_until + 1} (it was rewritten by someone without the key)")
            else:
                if self.first_keyed is None:
                    self.first_keyed = seq
                if entry.scheme != self.scheme:
                    written = entry.scheme.partition(":")[2] or "?"
                    return self.fail(seq, f"entry #{seq} was hashed with another audit key (key id {written}; the key in "
                                          f"use has id {self.scheme.partition(':')[2]}): restore the key it was written "
                                          "with, or it was forged")
            if entry_hash(entry) != entry.entry_hash:
                return self.fail(seq, f"entry #{seq} was altered after it was written")
            if not _is_legacy(entry) and entry.content_hash is not None:
                self.contents[(entry.object_type, entry.object_id)] = (entry.content_hash, seq)
            if self.first_hash is None:
                self.first_hash = entry.entry_hash
            previous_hash, expected_seq = entry.entry_hash, seq + 1
            self.last_seq, self.last_hash = seq, entry.entry_hash
            self.checked += 1
            if self.progress and self.checked % 5000 == 0:
                self.progress(self.checked, self.total)
        return True


# --- anchors -----------------------------------------------------------------------


def _anchor_mac(line: dict) -> str:
    body = {name: value for name, value in line.items() if name != "mac"}
    return hmac.new(_key(), _canonical(body).encode("utf-8"), hashlib.sha256).hexdigest()


def _copy_path() -> Path | None:
    copy = getattr(settings, "GONGKAI_AUDIT_ANCHOR_COPY", "")
    return Path(copy) if copy else None


def anchor_time(line: dict) -> str:
    """An anchor's time for a person: local, to the minute."""
    try:
        moment = dt.datetime.fromisoformat(line["at"])
    except (KeyError, TypeError, ValueError):
        return "?"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _read_anchor_file(path: Path) -> tuple[bool | None, list[dict], list[str]]:
    """(exists, None when unreadable; the anchors up to the first bad line;
    what is wrong with it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False, [], []
    except OSError as exc:
        return None, [], [f"the anchors file {path} cannot be read ({exc.strerror or exc})"]
    anchors, previous, own = [], GENESIS, key_id()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        problem = ""
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        if not isinstance(line, dict):
            problem = f"line {number} of the anchors file {path} is damaged (not an anchor)"
        elif line.get("key") != own:
            problem = (f"the anchors in {path} were written with another audit key (key id {line.get('key')}; the key "
                       f"in use has id {own}): restore the key file or GONGKAI_AUDIT_KEY from the backup")
        elif not hmac.compare_digest(str(line.get("mac", "")), _anchor_mac(line)):
            problem = f"line {number} of the anchors file {path} was edited"
        elif line.get("n") != len(anchors) + 1 or line.get("prev") != previous:
            problem = (f"line {number} of the anchors file {path} does not follow the line before it "
                       "(an anchor was removed or replaced)")
        if problem:
            return True, anchors, [problem]
        anchors.append(line)
        previous = line["mac"]
    return True, anchors, []


@dataclass
class Anchors:
    lines: list[dict] = field(default_factory=list)  # the anchors both places agree on, and any only one has
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def last(self) -> dict | None:
        return self.lines[-1] if self.lines else None

    def legacy_until(self) -> int | None:
        """The last entry that may have a hash made without the key: where
        keyed hashes began according to the first anchor."""
        if not self.lines:
            return None
        first = self.lines[0]
        return first["keyed_from"] - 1 if first.get("keyed_from") else first["seq"]


def read_anchors() -> Anchors:
    """The anchors file and its copy, each checked line by line and against each other."""
    primary, copy = Path(settings.GONGKAI_AUDIT_ANCHORS), _copy_path()
    result = Anchors()
    exists, lines, problems = _read_anchor_file(primary)
    result.lines = lines
    result.problems += problems
    if copy is None:
        return result
    copy_exists, copy_lines, copy_problems = _read_anchor_file(copy)
    if copy_exists is None:  # another mount, unreachable for now: the file alone is checked
        result.notes += copy_problems
        return result
    result.problems += copy_problems
    if not exists and copy_lines:
        result.problems.append(f"the anchors file {primary} is missing, but its copy {copy} holds {len(copy_lines)} "
                               "anchors (it was removed): restore it from the copy")
    else:
        for number, (mine, theirs) in enumerate(zip(lines, copy_lines), start=1):
            if mine != theirs:
                result.problems.append(f"the anchors file {primary} and its copy {copy} differ at line {number} "
                                       "(one of them was edited)")
                break
        else:
            if len(copy_lines) > len(lines) and not problems:
                result.problems.append(f"the last {len(copy_lines) - len(lines)} anchors are missing from {primary} "
                                       f"but its copy {copy} holds them (they were removed)")
            elif len(lines) > len(copy_lines) and not copy_problems:
                result.notes.append(f"the copy {copy} lacks the last {len(lines) - len(copy_lines)} anchors "
                                    "(it could not be written then); the next anchor completes it")
    if len(copy_lines) > len(result.lines):
        result.lines = copy_lines
    return result


class AuditProblem(Exception):
    """The log or its anchors are not whole: nothing is written that would
    vouch for them (an anchor, a baseline)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Anchored:
    line: dict
    path: Path
    copy: Path | None = None
    copy_error: str = ""


def _lock(handle) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _append(handle, lines: list[dict]) -> None:
    handle.write("".join(_canonical(line) + "\n" for line in lines))
    handle.flush()
    os.fsync(handle.fileno())


def anchor(now: dt.datetime | None = None) -> Anchored:
    """Append the chain's head (sequence number, hash, number of entries,
    time) to the anchors file and its copy, after checking that the log
    still holds what the last anchor recorded and grew from there only.
    Runs outside a transaction: an anchor must only ever name committed
    entries. Raises AuditProblem when the check fails."""
    if connection.in_atomic_block:
        raise RuntimeError("audit.anchor() runs outside a transaction (an anchor names committed entries only)")
    try:
        _key()
    except ImproperlyConfigured as exc:
        raise AuditProblem([str(exc).rstrip(".")]) from None
    primary, copy = Path(settings.GONGKAI_AUDIT_ANCHORS), _copy_path()
    primary.parent.mkdir(parents=True, exist_ok=True)
    with open(primary, "a", encoding="utf-8") as handle:
        _lock(handle)  # until the line is written: concurrent anchors chain one after the other
        anchors = read_anchors()
        if anchors.problems:
            raise AuditProblem(anchors.problems)
        head = AuditHead.objects.filter(pk=HEAD_ID).first()
        if head is None and AuditEntry.objects.exists():  # the first entry creates the head in its transaction
            raise AuditProblem(["the log's head is missing (removed)"])
        seq, digest = (head.last_seq, head.last_hash or GENESIS) if head else (0, GENESIS)
        problems = _check_since(anchors, seq, digest)
        if problems:
            raise AuditProblem(problems)
        last = anchors.last
        keyed_from = (last or {}).get("keyed_from") or (
            AuditEntry.objects.filter(seq__lte=seq).exclude(scheme__in=("", LEGACY)).order_by("seq")
            .values_list("seq", flat=True).first())
        line = {
            "n": len(anchors.lines) + 1,
            "at": (now or timezone.now()).astimezone(dt.UTC).isoformat(timespec="seconds"),
            "seq": seq,
            "hash": digest,
            "entries": AuditEntry.objects.filter(seq__lte=seq).count(),
            "keyed_from": keyed_from,
            "key": key_id(),
            "prev": last["mac"] if last else GENESIS,
        }
        line["mac"] = _anchor_mac(line)
        _append(handle, [line])
        result = Anchored(line, primary, copy)
        if copy is not None:
            try:
                copy.parent.mkdir(parents=True, exist_ok=True)
                with open(copy, "a", encoding="utf-8") as out:
                    _lock(out)
                    # The anchors it missed while it was unreachable first.
                    readable, copied, unread = _read_anchor_file(copy)
                    if readable is None:
                        raise OSError(unread[0])
                    _append(out, anchors.lines[len(copied):] + [line])
            except OSError as exc:
                result.copy_error = exc.strerror or str(exc)
    return result


def _check_since(anchors: Anchors, seq: int, digest: str) -> list[str]:
    """The log from the last anchor to the head `seq`: still there, unchanged, whole."""
    last = anchors.last
    start = last["seq"] if last and last["seq"] > 0 else 1
    if last and seq < last["seq"]:
        return [(f"the log ends at entry #{seq}, but the anchor of {anchor_time(last)} records it up to entry "
                 f"#{last['seq']} (the last entries were removed)")]
    walk = _Walk(anchors.legacy_until())
    entries = AuditEntry.objects.filter(seq__gte=start, seq__lte=seq).order_by("seq").iterator(chunk_size=2000)
    whole = walk.run(entries, start, GENESIS if start == 1 else None)
    if not whole:
        return [walk.problem]
    if seq >= start and not walk.checked:
        return [f"entry #{start} is missing (removed)"]
    if last and last["seq"] > 0 and walk.first_hash != last["hash"]:
        return [f"entry #{last['seq']} is not the one anchored on {anchor_time(last)} (the log was rewritten from there)"]
    if walk.last_seq != seq or walk.last_hash != digest:
        return [(f"the log's head says entry #{seq}, but the log ends at entry #{walk.last_seq} "
                 "(the head or the last entries were changed)")]
    return []


def daily_anchor() -> None:
    """The worker's daily anchor (gongkai.core.tasks): written once the
    caller's transaction commits, at once outside one, never for a
    transaction that rolls back. A refusal is logged, never raised: the
    worker's other jobs go on."""
    transaction.on_commit(_daily_anchor_now)


def _daily_anchor_now() -> None:
    try:
        result = anchor()
    except AuditProblem as exc:
        logger.error("audit log not anchored: %s", exc)
        return
    except Exception:
        logger.exception("audit log not anchored")
        return
    if result.copy_error:
        logger.error("audit anchor written to %s but not to its copy %s: %s", result.path, result.copy,
                     result.copy_error)


# --- verifying ---------------------------------------------------------------------

LISTED = 20  # documents named one by one; the rest are counted


@dataclass
class Verdict:
    ok: bool
    checked: int
    first_bad: int | None = None  # the sequence number where the chain breaks
    reason: str = ""  # the first problem
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_anchor: dict | None = None
    anchors: int = 0
    contents_checked: int = 0  # published objects compared with their recorded content


def verify(progress=None, *, documents: bool = True) -> Verdict:
    """Walk the chain from the first entry and report the first
    inconsistency: an entry whose fields no longer give its hash (altered), a
    gap or a broken link (removed), a hash made without the key after keyed
    hashes began, or a head that points past the last entry (tail removed).
    Then compare the log with its anchors (entries removed or rewritten since
    an anchor, anchors edited or removed) and, with `documents`, each
    published object with the content the log last recorded of it."""
    return _verify(progress, documents=documents)[0]


def _verify(progress=None, *, documents: bool = True) -> tuple[Verdict, dict]:
    """verify(), and the content the log last recorded of each object."""
    try:
        _key()
    except ImproperlyConfigured as exc:
        return Verdict(False, 0, None, str(exc).rstrip("."), [str(exc).rstrip(".")]), {}
    anchors = read_anchors()
    entries = AuditEntry.objects.order_by("seq")
    walk = _Walk(anchors.legacy_until(), progress, entries.count() if progress else 0)
    whole = walk.run(entries.iterator(chunk_size=2000))
    if whole:
        head = AuditHead.objects.filter(pk=HEAD_ID).first()
        if head is None and walk.checked:
            walk.fail(walk.checked + 1, f"the log's head is missing (removed); the log ends at entry #{walk.checked}")
            whole = False
        elif head and (head.last_seq != walk.checked or (walk.checked and head.last_hash != walk.last_hash)):
            walk.fail(walk.checked + 1, f"the log ends at entry #{walk.checked} but was written up to #{head.last_seq} "
                                        "(the last entries were removed)")
            whole = False
    problems = [walk.problem] if not whole else []
    first_bad = walk.first_bad
    problems += anchors.problems
    notes = list(anchors.notes)

    # The anchors: nothing removed or rewritten since any of them.
    if anchors.lines:
        last = anchors.last
        end = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if end < last["seq"]:
            problems.append(f"entries #{end + 1} to #{last['seq']} were removed: the anchor of {anchor_time(last)} records "
                            f"the log up to entry #{last['seq']}, it now ends at entry #{end}")
            first_bad = min(first_bad or end + 1, end + 1)
        anchored = {line["seq"]: line for line in anchors.lines if line["seq"] > 0}
        present = {}
        seqs = sorted(anchored)
        for i in range(0, len(seqs), 500):
            present.update(AuditEntry.objects.filter(seq__in=seqs[i:i + 500]).values_list("seq", "entry_hash"))
        for seq in seqs:
            if seq in present and present[seq] != anchored[seq]["hash"]:
                problems.append(f"entry #{seq} is not the one anchored on {anchor_time(anchored[seq])} "
                                "(the log was rewritten from there)")
                first_bad = min(first_bad or seq, seq)
                break
    else:
        notes.append("no anchor has been written yet, so the removal of the last entries cannot be detected: "
                     "run `gongkai audit anchor` (the worker writes one every day)")
    if anchors.lines and _copy_path() is None:
        notes.append("the anchors are kept in the data folder only (GONGKAI_AUDIT_ANCHOR_COPY is not set): "
                     "someone who can write that folder can rewrite them too")

    verdict = Verdict(False, walk.checked, first_bad, "", problems, notes, anchors.last, len(anchors.lines))
    if documents and whole:
        _check_contents(walk.contents, verdict)
    elif documents:
        verdict.notes.append("the published documents were not compared with the log, as the chain is broken")
    verdict.ok = not verdict.problems
    verdict.reason = verdict.problems[0] if verdict.problems else ""
    return verdict, walk.contents


def _check_contents(recorded: dict[tuple[str, str], tuple[str, int]], verdict: Verdict) -> None:
    for object_type, source in _content_sources().items():
        changed, unrecorded, seen = [], [], set()
        for object_id, label, digest in source.published():
            seen.add(object_id)
            verdict.contents_checked += 1
            last = recorded.get((object_type, object_id))
            if last is None:
                unrecorded.append(label)
            elif last[0] == "":
                changed.append(f"{label} is published, but the log's last entry about it (#{last[1]}) has it "
                               "unpublished (it was published outside the application)")
            elif last[0] != digest:
                changed.append(f"{label} no longer matches its content recorded in entry #{last[1]} "
                               "(it was changed outside the application)")
        for (kind, object_id), (digest, seq) in recorded.items():
            if kind == object_type and digest and object_id not in seen:
                changed.append(f"{object_type} #{object_id} is no longer published, but the log's last entry about it "
                               f"(#{seq}) has it published (it was withdrawn or removed outside the application)")
        verdict.problems += changed[:LISTED]
        if len(changed) > LISTED:
            verdict.problems.append(f"... and {len(changed) - LISTED} more {object_type}s changed outside the application")
        if unrecorded:
            named = "; ".join(unrecorded[:5]) + ("; ..." if len(unrecorded) > 5 else "")
            verdict.notes.append(f"{len(unrecorded)} published {object_type}(s) have no recorded content yet (published "
                                 f"before the log recorded it): {named}. Check them, then run `gongkai audit baseline`")


def record_baseline(progress=None) -> int:
    """Record the public content of the published objects the log has none
    of (published before it recorded content), once the log is checked:
    from then on `verify` compares them too. How many were recorded."""
    verdict, recorded = _verify(documents=False)
    if not verdict.ok:
        raise AuditProblem(verdict.problems)
    done = 0
    for object_type, source in _content_sources().items():
        missing = [(object_id, digest) for object_id, _label, digest in source.published()
                   if (object_type, object_id) not in recorded]
        for i in range(0, len(missing), 500):
            with transaction.atomic():
                for object_id, digest in missing[i:i + 500]:
                    record("content.baseline", object_type, object_id, actor="system", content=digest)
            done += len(missing[i:i + 500])
            if progress:
                progress(done, len(missing))
    return done
