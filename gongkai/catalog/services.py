"""Catalog use cases. Views, the admin, the CLI and the importer call these;
search indexing follows every save through the signals in gongkai.search."""

import datetime as dt
import hashlib
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit, docnumber, generation
from gongkai.core.db import ROW_LOCK, locked_row, next_number
from gongkai.core.models import Organisation

from . import text
from .models import Attachment, Document, IndexNumberCounter, Relation

INDEX_SERIAL_WIDTH = 5
INDEX_NUMBER_RE = re.compile(r"^(?P<prefix>[^/\s]+)/(?P<year>\d{4})-(?P<serial>\d{1,8})$")


def format_index_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}/{year}-{serial:0{INDEX_SERIAL_WIDTH}d}"


def apply_document_number(doc: Document, raw: str) -> None:
    """Set the document number fields from what a person typed (or a page said)."""
    raw = (raw or "").strip()
    if not raw:
        doc.document_number = doc.document_number_raw = doc.issuer_code = doc.document_number_status = ""
        doc.number_year = doc.number_serial = None
        return
    number = docnumber.parse(raw)
    doc.document_number_raw = raw
    doc.document_number = number.text
    doc.document_number_status = number.status
    doc.issuer_code = number.issuer_code
    doc.number_year = number.year
    doc.number_serial = number.serial


def set_body(doc: Document, body_html: str | None = None, body_text: str | None = None) -> None:
    """Set the body from HTML (sanitised) or from plain text."""
    if body_html is not None:
        doc.body = text.sanitise(body_html)
    elif body_text is not None:
        doc.body = text.text_to_html(body_text)
    doc.body_text = text.html_to_text(doc.body)


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part or "").encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


# What a document's audit hashes cover: everything stored but the derived
# plain text and the timestamps Django sets.
_UNAUDITED = ("body_text", "updated_at", "created_at")


def audit_state(doc: Document) -> dict:
    return audit.state_of(doc, exclude=_UNAUDITED)


def record(action: str, doc: Document, *, actor=None, before: dict | None = None, detail: dict | None = None,
           attachments=None) -> None:
    """The audit entry of a change to `doc`, in the caller's transaction,
    with the hash of what the public now sees of it (`attachments`: its
    attachments when the caller knows them, e.g. none yet)."""
    audit.record(action, "document", doc.pk, actor=audit.actor_name(actor), before=before,
                 after=audit_state(doc) if doc.pk else None, detail=detail,
                 content=public_content_hash(doc, attachments) if doc.pk else "")


# What the public sees of a published document (its page, its attachments),
# as the audit log records it at publication and at every later change.
_PUBLIC_FIELDS = ("organisation", "title", "index_number", "document_number", "topic", "genre", "written_date",
                  "published_date", "validity", "effective_date", "expiry_date", "disclosure", "keywords", "summary",
                  "body", "interpretation_form", "status")


def public_content_hash(doc: Document, attachments=None) -> str:
    """SHA-256 of what the public sees of `doc`; '' when it is not published."""
    if doc.status != Document.Status.PUBLISHED:
        return ""
    content = {}
    for name in _PUBLIC_FIELDS:
        field = Document._meta.get_field(name)
        # to_python: the value as it comes back from the database ("2024-03-01" -> a date).
        content[field.attname] = field.to_python(field.value_from_object(doc))
    if attachments is None:
        attachments = Attachment.objects.filter(document_id=doc.pk)
    content["attachments"] = [{"name": str(a), "file": a.file.name, "sha256": _file_sha256(a.file)}
                              for a in attachments]
    return audit.fingerprint(content)


def _file_sha256(file) -> str:
    if not file.name:
        return ""
    digest = hashlib.sha256()
    try:
        with file.storage.open(file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return "missing"
    return digest.hexdigest()


class PublishedDocuments:
    """The audit log's content source for documents (settings.GONGKAI_AUDIT_CONTENT):
    `gongkai audit verify` names a published document that no longer
    matches the content the log last recorded of it."""

    @staticmethod
    def current(object_id) -> str:
        doc = Document.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        return public_content_hash(doc) if doc is not None else ""

    @staticmethod
    def published():
        docs = Document.objects.filter(status=Document.Status.PUBLISHED).prefetch_related("attachments").order_by("pk")
        for doc in docs.iterator(chunk_size=500):
            label = f"document #{doc.pk} “{doc.title}”" + (f" ({doc.index_number})" if doc.index_number else "")
            yield str(doc.pk), label, public_content_hash(doc, doc.attachments.all())


# Foreign keys arrive as model instances the caller already loaded: checking
# that each still exists would cost a query apiece on every save.
_TRUSTED_FIELDS = ["content_hash", "organisation", "topic", "genre"]


def validate(doc: Document) -> None:
    """The model's own checks, in Chinese, before any write."""
    if doc.organisation_id is None:
        raise ValidationError({"organisation": "请选择发布机构。"})
    try:
        doc.full_clean(exclude=_TRUSTED_FIELDS)
    except ValidationError as exc:
        raise named_fields(exc, Document) from exc


def named_fields(exc: ValidationError, model) -> ValidationError:
    """Django's generic messages ("此字段不能为空。") with the field's Chinese
    name in front, so that every refusal says which field it is about."""
    if not hasattr(exc, "error_dict"):
        return exc
    named = {}
    for name, messages in exc.message_dict.items():
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:
            label = ""
        named[name] = [m if not label or label in m else f"{label}：{m}" for m in messages]
    return ValidationError(named)


def check_duplicate_number(doc: Document) -> None:
    if doc.document_number and doc.document_number_status != docnumber.STATUS_UNPARSED:
        clash = Document.objects.filter(organisation_id=doc.organisation_id, document_number=doc.document_number)
        if doc.pk:
            clash = clash.exclude(pk=doc.pk)
        if clash.exists():
            raise ValidationError({"document_number": f"本机构已有发文字号为“{doc.document_number}”的文件。"})


def create_document(
    *,
    organisation: Organisation,
    title: str,
    document_number: str = "",
    body_html: str | None = None,
    body_text: str | None = None,
    publish: bool = False,
    actor=None,
    **fields,
) -> Document:
    """Create a catalog entry; with publish=True also assign its index number."""
    doc = Document(organisation=organisation, title=(title or "").strip(), **fields)
    if actor is not None and getattr(actor, "is_authenticated", False):
        doc.created_by = actor
    apply_document_number(doc, document_number)
    set_body(doc, body_html=body_html, body_text=body_text)
    if publish and not doc.published_date:
        doc.published_date = timezone.localdate()
    # Everything that can refuse the document runs before the first write ...
    validate(doc)
    check_duplicate_number(doc)
    # ... so the writes need no savepoint of their own inside a caller's
    # transaction (an importer's page or batch): a savepoint per document
    # makes SQLite's FTS5 flush its pending index terms every time. A failed
    # write still fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        if publish:
            _mark_published(doc)  # published in the same write: one save, one index update
        doc.save()
        record("document.publish" if publish else "document.create", doc, actor=actor, attachments=())
    return doc


@transaction.atomic
def update_document(doc: Document, *, document_number: str | None = None, body_html=None, body_text=None,
                    actor=None, **fields) -> Document:
    before = audit_state(doc)
    for name, value in fields.items():
        setattr(doc, name, value)
    if document_number is not None:
        apply_document_number(doc, document_number)
    if body_html is not None or body_text is not None:
        set_body(doc, body_html=body_html, body_text=body_text)
    validate(doc)
    check_duplicate_number(doc)
    doc.save()
    record("document.edit", doc, actor=actor, before=before)
    return doc


def _next_serial(organisation_id: int, year: int) -> int:
    # Concurrent publications queue on the counter row until this transaction ends.
    return next_number(IndexNumberCounter, organisation_id=organisation_id, year=year)


@transaction.atomic
def publish_document(doc: Document, *, on: dt.date | None = None, actor=None) -> Document:
    """Publish: give the document its index number (once, never reused) and
    date. The review workflow (gongkai.publishing.services) calls this once a
    document has passed; importing and the demo call it directly."""
    doc = Document.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=doc.pk)
    if doc.status == Document.Status.PUBLISHED:
        return doc
    before = audit_state(doc)
    _mark_published(doc, on)
    validate(doc)
    doc.save()
    record("document.publish", doc, actor=actor, before=before)
    return doc


def _mark_published(doc: Document, on: dt.date | None = None) -> None:
    """Date, index number (once, never reused: the counter row is locked until
    the transaction ends) and status of a document being published."""
    if not doc.published_date:
        doc.published_date = on or timezone.localdate()
    if not doc.index_number:
        year = doc.published_date.year
        serial = _next_serial(doc.organisation_id, year)
        doc.index_year, doc.index_serial = year, serial
        doc.index_number = format_index_number(doc.organisation.index_prefix, year, serial)
    doc.status = Document.Status.PUBLISHED
    doc.withdrawn_at = None
    doc.scheduled_at = None
    doc.review_level = 0


def parse_index_number(text: str) -> tuple[str, int, int] | None:
    """`{prefix}/{year}-{serial}` into its parts; None when it has another shape."""
    match = INDEX_NUMBER_RE.match((text or "").strip())
    if not match:
        return None
    return match["prefix"], int(match["year"]), int(match["serial"])


@transaction.atomic
def adopt_index_number(doc: Document, index_number: str, *, actor=None) -> Document:
    """Keep the index number a document already has (an imported page's 索引号).
    When it is in this organisation's own series the counter moves past it, so
    later publications never reuse it."""
    index_number = (index_number or "").strip()
    doc = Document.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=doc.pk)
    if doc.index_number == index_number:
        return doc
    if doc.index_number:
        raise ValidationError(f"该文件已有索引号“{doc.index_number}”，不能更改。")
    if Document.objects.filter(index_number=index_number).exists():
        raise ValidationError(f"索引号“{index_number}”已被其他文件使用。")
    parts = parse_index_number(index_number)
    if parts and parts[0] == doc.organisation.index_prefix:
        _, year, serial = parts
        counter = locked_row(IndexNumberCounter, {"organisation_id": doc.organisation_id, "year": year}, {"last_serial": 0})
        if counter.last_serial < serial:
            counter.last_serial = serial
            counter.save(update_fields=["last_serial"])
        doc.index_year, doc.index_serial = year, serial
    before = audit_state(doc)
    doc.index_number = index_number
    doc.save(update_fields=["index_number", "index_year", "index_serial", "updated_at"])
    record("document.adopt_index_number", doc, actor=actor, before=before)
    return doc


@transaction.atomic
def withdraw_document(doc: Document, *, actor=None, reason: str = "") -> Document:
    """Withdraw a published document: it keeps its index number and leaves search."""
    doc = Document.objects.select_for_update(**ROW_LOCK).get(pk=doc.pk)
    if doc.status != Document.Status.PUBLISHED:
        raise ValidationError("只有已发布的文件可以撤回。")
    before = audit_state(doc)
    doc.status = Document.Status.WITHDRAWN
    doc.withdrawn_at = timezone.now()
    doc.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record("document.withdraw", doc, actor=actor, before=before, detail={"reason": reason} if reason else None)
    return doc


@transaction.atomic
def delete_document(doc: Document, *, actor=None) -> None:
    before, pk = audit_state(doc), doc.pk
    doc.delete()
    audit.record("document.delete", "document", pk, actor=audit.actor_name(actor), before=before)


@transaction.atomic
def add_relation(source: Document, kind: str, *, target: Document | None = None, title: str = "",
                 document_number: str = "", actor=None) -> Relation:
    """Link two documents; a target outside the catalog is kept by title and number
    and linked later by `link_relations` when it arrives."""
    number = docnumber.parse(document_number).text if document_number else ""
    if target is None and number:
        target = find_by_number(number, exclude=source)
    relation, created = Relation.objects.get_or_create(
        source=source,
        kind=kind,
        target_title=(title or (target.title if target else ""))[:300],
        target_document_number=number or (target.document_number if target else ""),
        defaults={"target": target},
    )
    if target is not None and relation.target_id != target.pk:
        relation.target = target
        relation.save(update_fields=["target"])
    relation.full_clean()
    if created:
        audit.record("relation.add", "document", source.pk, actor=audit.actor_name(actor),
                     after=audit.state_of(relation), detail={"kind": kind, "target": relation.target_id})
    return relation


def find_by_number(number: str, exclude: Document | None = None) -> Document | None:
    qs = Document.objects.filter(document_number=number).exclude(document_number_status=docnumber.STATUS_UNPARSED)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("id").first()


def link_relations(doc: Document) -> int:
    """Point dangling relations that cite this document's number (or title) at it."""
    if not doc.document_number and not doc.title:
        return 0
    pending = Relation.objects.filter(target__isnull=True).exclude(source=doc)
    by_number = pending.filter(target_document_number=doc.document_number) if doc.document_number else pending.none()
    count = by_number.update(target=doc)
    count += pending.filter(target_document_number="", target_title=doc.title).update(target=doc)
    if count:
        generation.bump()  # the citing documents' pages now link here (no save signal for update())
    return count
