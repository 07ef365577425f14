"""Privacy findings of a document (个人信息去标识化): personal data in the body
or an attachment blocks publication until it is masked or waived on a legal
ground.

A finding never stores the personal data itself: only its masked form, its
place, a context with every value in it masked, and a keyed digest
(HMAC-SHA256 with SECRET_KEY) that recognises the same value on a re-scan.
To mask, the value is found again by scanning the current text and matching
the digest.

`scan_document` is what the workflow calls on submission and before
publication; it brings the findings in line with the current texts:

- a waived finding whose value is still there stays waived;
- a masked finding stays as the record of the decision; if its value shows up
  again in clear (pasted back), that occurrence is a new open finding;
- open findings whose value is gone are deleted, new values are added as open.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Attachment, Document
from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK

from . import attachment_text, privacy
from .models import PrivacyFinding

CONTEXT_CHARS = 40
REASON_MAX = 300
OPEN, MASKED, WAIVED = PrivacyFinding.State.OPEN, PrivacyFinding.State.MASKED, PrivacyFinding.State.WAIVED

UNREWRITABLE_MESSAGE = "该附件格式无法自动去标识化，请替换附件或依法保留。"
STALE_MESSAGE = "该处信息已不在当前内容中（可能已被修改），检查结果已过期，请刷新后重试。"


def digest(kind: str, value: str) -> str:
    """The keyed fingerprint of one value: recognises it on a re-scan, and
    cannot be reversed without the installation's SECRET_KEY."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"{kind}\0{value}".encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Hit:
    """One finding of a scan with what may be stored of it."""

    found: privacy.Finding
    digest: str
    context: str

    @property
    def masked(self) -> str:
        return self.found.masked


def _window(text: str, start: int, end: int, size: int = CONTEXT_CHARS) -> str:
    """At most `size` characters of `text` around [start, end), on one line."""
    budget = size - (end - start)
    if budget <= 0:
        snippet = text[start:start + size]
    else:
        left = budget // 2
        a = max(0, start - left)
        b = min(len(text), end + budget - (start - a))
        a = max(0, a - (budget - (start - a) - (b - end)))
        snippet = text[a:b]
    return re.sub(r"\s+", " ", snippet).strip()


def _hits(text: str) -> list[_Hit]:
    """The scan of `text`, each finding with its digest and a context cut
    from the text with every finding masked (no value leaks through a
    neighbour cut in half)."""
    found = privacy.scan(text or "")
    pieces, spans, last, length = [], [], 0, 0
    for f in found:
        pieces.append(text[last:f.start])
        length += f.start - last
        masked = f.masked
        spans.append((length, length + len(masked)))
        pieces.append(masked)
        length += len(masked)
        last = f.end
    pieces.append(text[last:])
    masked_text = "".join(pieces)
    return [_Hit(f, digest(f.kind, f.text), _window(masked_text, s, e)) for f, (s, e) in zip(found, spans)]


def _part_findings(doc: Document, attachment: Attachment | None) -> QuerySet:
    qs = PrivacyFinding.objects.filter(document=doc)
    return qs.filter(attachment__isnull=True) if attachment is None else qs.filter(attachment=attachment)


def _sync_part(doc: Document, attachment: Attachment | None, text: str) -> None:
    """Bring the findings of one text (the body or one attachment) in line with it."""
    existing: dict[str, list[PrivacyFinding]] = defaultdict(list)
    for finding in _part_findings(doc, attachment).order_by("offset", "id"):
        existing[finding.digest].append(finding)
    hits: dict[str, list[_Hit]] = defaultdict(list)
    for hit in _hits(text):
        hits[hit.digest].append(hit)

    create, update, delete = [], [], []
    for key, occurrences in hits.items():
        stored = existing.pop(key, [])
        # A waived value still there stays waived; a masked one that shows up
        # again is open again (a new finding, the masked one stays as history).
        candidates = [f for f in stored if f.state == WAIVED] + [f for f in stored if f.state == OPEN]
        for hit in occurrences:
            fields = {"kind": hit.found.kind, "offset": hit.found.start, "masked": hit.masked[:100],
                      "context": hit.context[:120]}
            if candidates:
                finding = candidates.pop(0)
                if any(getattr(finding, name) != value for name, value in fields.items()):
                    for name, value in fields.items():
                        setattr(finding, name, value)
                    update.append(finding)
            else:
                create.append(PrivacyFinding(document=doc, attachment=attachment, digest=key, state=OPEN, **fields))
        delete.extend(f.pk for f in candidates if f.state == OPEN)
    for stored in existing.values():
        delete.extend(f.pk for f in stored if f.state == OPEN)

    if delete:
        PrivacyFinding.objects.filter(pk__in=delete).delete()
    if update:
        PrivacyFinding.objects.bulk_update(update, ["kind", "offset", "masked", "context"])
    if create:
        PrivacyFinding.objects.bulk_create(create)


def _lock(pk: int) -> Document:
    """The document's row, locked until the transaction ends (one decision
    or re-scan of a document at a time), freshly read."""
    return Document.objects.select_for_update(**ROW_LOCK).get(pk=pk)


def scan_document(doc: Document) -> list[PrivacyFinding]:
    """Scan the body text and each attachment's text, store the findings (see
    the module's docstring) and return the open ones. Idempotent. An
    attachment whose text cannot be read keeps the findings it had."""
    if doc.pk is None:
        raise ValueError("scan_document needs a saved document")
    with transaction.atomic():
        _lock(doc.pk)
        _sync_part(doc, None, doc.body_text or "")
        for attachment in doc.attachments.all():
            text = attachment_text.extract_attachment(attachment)
            if text is not None:
                _sync_part(doc, attachment, text)
        return list(open_findings(doc).select_related("attachment"))


def open_findings(doc: Document) -> QuerySet:
    return PrivacyFinding.objects.filter(document=doc, state=OPEN)


def blocking_message(doc: Document) -> str | None:
    """Why `doc` cannot be published yet, as stored (scan first), or None."""
    count = open_findings(doc).count()
    if not count:
        return None
    return f"正文或附件中有{count}处个人信息尚未去标识化或依法保留，不能发布。"


def unchecked_attachments(doc: Document) -> list[Attachment]:
    """Attachments whose text could not be read (format or damage): a person
    must check them (attachment_text.UNCHECKED_MESSAGE). Reads every file."""
    return [a for a in doc.attachments.all() if attachment_text.extract_attachment(a) is None]


# --- Decisions ------------------------------------------------------------------

def _require(user, action: str, doc: Document, message: str) -> None:
    if not permissions.can(user, action, doc.organisation_id):
        raise PermissionDenied(message)


def _current(finding: PrivacyFinding) -> PrivacyFinding:
    try:
        return PrivacyFinding.objects.select_for_update(**ROW_LOCK).select_related("attachment").get(pk=finding.pk)
    except PrivacyFinding.DoesNotExist:
        raise ValidationError(STALE_MESSAGE) from None


def _values(text: str) -> dict[str, privacy.Finding]:
    """digest -> the value in `text` (its first occurrence)."""
    values = {}
    for found in privacy.scan(text or ""):
        values.setdefault(digest(found.kind, found.text), found)
    return values


def _mask_body(doc: Document, digests: set[str]) -> None:
    """Replace every value with these digests in the body, everywhere (text,
    links), and save it. `doc` is the locked row."""
    values = _values(doc.body_text)
    if digests - values.keys():
        raise ValidationError(STALE_MESSAGE)
    replacements = {values[d].text: values[d].masked for d in digests}
    body, _count = attachment_text.replace_in_html(doc.body or "", replacements)
    catalog.set_body(doc, body_html=body)
    if digests & _values(doc.body_text).keys():
        raise ValidationError("未能在正文中自动去标识化该处信息（可能被格式分隔），请编辑正文后重试。")
    doc.save(update_fields=["body", "body_text", "updated_at"])


def _mask_attachment(attachment: Attachment, key: str) -> str:
    """Replace the value with this digest in the attachment's file; the text
    after masking."""
    ext = attachment_text.extension_of(attachment.file.name)
    if not attachment_text.can_rewrite(ext):
        raise ValidationError(UNREWRITABLE_MESSAGE)
    values = _values(attachment_text.extract_attachment(attachment) or "")
    if key not in values:
        raise ValidationError(STALE_MESSAGE)
    if not attachment_text.mask_in_file(attachment, {values[key].text: values[key].masked}):
        raise ValidationError(UNREWRITABLE_MESSAGE)
    text = attachment_text.extract_attachment(attachment)
    if text is None or key in _values(text):
        raise ValidationError("未能在附件中自动去标识化该处信息，请替换附件或依法保留。")
    return text


def _decide(findings: list[PrivacyFinding], state: str, user) -> None:
    now = timezone.now()
    for finding in findings:
        finding.state, finding.decided_at = state, now
        finding.decided_by = user if getattr(user, "is_authenticated", False) else None
    PrivacyFinding.objects.bulk_update(findings, ["state", "decided_by", "decided_at", "waiver_ground", "waiver_reason"])


def _copy_body(source: Document, target) -> None:
    if isinstance(target, Document) and target is not source:
        target.body, target.body_text, target.updated_at = source.body, source.body_text, source.updated_at


def _refresh(original: PrivacyFinding, current: PrivacyFinding) -> None:
    for name in ("state", "decided_by", "decided_at", "waiver_ground", "waiver_reason", "offset", "context", "masked"):
        setattr(original, name, getattr(current, name))


MASK_DENIED = "您没有对本文件中的个人信息去标识化的权限。"
WAIVE_DENIED = "您没有依法保留个人信息的权限，须由保密审查人或政务公开办管理员决定。"


def mask_finding(finding: PrivacyFinding, user) -> PrivacyFinding:
    """Mask one finding's value (every occurrence of it in the same text):
    in the body's HTML, or by rewriting the attachment. Raises
    PermissionDenied, or ValidationError when it cannot be done."""
    with transaction.atomic():
        doc = _lock(finding.document_id)
        _require(user, permissions.MASK, doc, MASK_DENIED)
        current = _current(finding)
        if current.state == MASKED:
            raise ValidationError("该处信息已经去标识化。")
        attachment = current.attachment
        before = catalog.audit_state(doc)
        if attachment is None:
            _mask_body(doc, {current.digest})
        else:
            text = _mask_attachment(attachment, current.digest)
        # Every occurrence of the value in this text is gone now.
        same = [f for f in _part_findings(doc, attachment).filter(digest=current.digest).exclude(state=MASKED)
                if f.pk != current.pk]
        _decide([current, *same], MASKED, user)
        detail = {"finding": current.pk, "kind": current.kind, "masked": current.masked}
        if attachment is not None:
            detail["attachment"] = attachment.pk
        if same:
            detail["also"] = sorted(f.pk for f in same)
        audit.record("privacy.mask", "document", doc.pk, actor=audit.actor_name(user), before=before,
                     after=catalog.audit_state(doc), detail=detail)
        _sync_part(doc, attachment, doc.body_text if attachment is None else text)
    _refresh(finding, current)
    if attachment is None and PrivacyFinding.document.is_cached(finding):
        _copy_body(doc, finding.document)
    return finding


def mask_all(doc: Document, user) -> int:
    """Mask every open finding of the body at once (the drafter's one click);
    how many were masked."""
    with transaction.atomic():
        locked = _lock(doc.pk)
        _require(user, permissions.MASK, locked, MASK_DENIED)
        targets = list(_part_findings(locked, None).filter(state=OPEN).order_by("offset", "id").select_for_update(**ROW_LOCK))
        if not targets:
            return 0
        digests = {f.digest for f in targets}
        before = catalog.audit_state(locked)
        _mask_body(locked, digests)
        # Waived occurrences of the same values are masked as well (the body
        # is replaced everywhere).
        same = list(_part_findings(locked, None).filter(digest__in=digests, state=WAIVED))
        _decide(targets + same, MASKED, user)
        after = catalog.audit_state(locked)
        first_of: dict[str, PrivacyFinding] = {}
        for finding in targets:
            first_of.setdefault(finding.digest, finding)
        for finding in targets:
            detail = {"finding": finding.pk, "kind": finding.kind, "masked": finding.masked, "all": True}
            also = sorted(f.pk for f in same if f.digest == finding.digest) if first_of[finding.digest] is finding else []
            if also:
                detail["also"] = also
            audit.record("privacy.mask", "document", locked.pk, actor=audit.actor_name(user), before=before,
                         after=after, detail=detail)
        _sync_part(locked, None, locked.body_text)
    _copy_body(locked, doc)
    return len(targets)


def waive_finding(finding: PrivacyFinding, user, ground: str, reason: str) -> PrivacyFinding:
    """Keep the personal data on a legal ground (惩戒性公示, 强制性信息披露 …)
    with a reason; audited. Raises PermissionDenied or ValidationError."""
    with transaction.atomic():
        doc = _lock(finding.document_id)
        _require(user, permissions.WAIVE, doc, WAIVE_DENIED)
        errors = {}
        if ground not in PrivacyFinding.WaiverGround.values:
            choices = "、".join(PrivacyFinding.WaiverGround.labels)
            errors["waiver_ground"] = f"请选择保留依据（{choices}）。"
        reason = (reason or "").strip()
        if not reason:
            errors["waiver_reason"] = "请填写保留理由。"
        elif len(reason) > REASON_MAX:
            errors["waiver_reason"] = f"保留理由不能超过{REASON_MAX}字。"
        if errors:
            raise ValidationError(errors)
        # A reason that quotes the personal data must not store it.
        reason = privacy.mask(reason, privacy.scan(reason))
        current = _current(finding)
        if current.state != OPEN:
            raise ValidationError(f"该处信息已处理（{current.get_state_display()}），不能再依法保留。")
        current.waiver_ground, current.waiver_reason = ground, reason
        _decide([current], WAIVED, user)
        detail = {"finding": current.pk, "kind": current.kind, "masked": current.masked, "ground": ground,
                  "reason": reason}
        if current.attachment_id:
            detail["attachment"] = current.attachment_id
        audit.record("privacy.waive", "document", doc.pk, actor=audit.actor_name(user), detail=detail)
    _refresh(finding, current)
    return finding
