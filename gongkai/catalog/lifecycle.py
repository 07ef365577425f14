"""The life of a document after publication: validity (有效, 失效, 废止,
已修订), expiry by date, clean-up campaigns (清理) of normative documents,
and the documents that cite something no longer in force.

Every service here runs in one transaction, asks gongkai.core.permissions
itself and appends an audit entry for each change (gongkai.core.audit), so a
refusal leaves nothing half-written.

Validity and dates (Document.expiry_date is "失效/废止日期"):

- 有效 (valid): expiry_date is an optional *future* date; on that day the
  document becomes 失效 by itself (`expire_due`, run by the worker). A date
  of today or earlier is refused: the document would already be 失效.
- 失效 (expired) and 废止 (abolished): expiry_date is the day it stopped being
  in force, today by default. A future date is refused: a document that will
  stop being in force later stays 有效 with that expiry date.
- 已修订 (amended): the document stays published (the amended text is a
  document of its own); expiry_date records the day this version stopped
  being the current text, today by default, never in the future.

A date is never earlier than the document's effective date (施行日期).
"""

from __future__ import annotations

import datetime as dt
import html

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.core.dates import date_text

from . import services
from .models import NORMATIVE_GENRE, CleanupCampaign, CleanupItem, Document, Genre, Relation

V = Document.Validity
Decision = CleanupItem.Decision

# The validity values a person may choose (NOT_APPLICABLE is for imports).
CHOOSABLE = (V.VALID, V.EXPIRED, V.ABOLISHED, V.AMENDED)
# A document in one of these is no longer in force.
NOT_IN_FORCE = (V.EXPIRED, V.ABOLISHED)
# Relations whose target the source depends on.
DEPENDING_KINDS = (Relation.Kind.CITES, Relation.Kind.FORWARDS)
RESULT_GENRE = "通知"
EXPIRE_BATCH = 200
CITED_LIMIT = 100


def _lock(doc: Document) -> Document:
    """Lock the document's row until the transaction ends and reload it, so a
    decision is taken on what is stored now (PostgreSQL; SQLite locks the
    whole database on the first write)."""
    list(Document.objects.select_for_update(**ROW_LOCK).filter(pk=doc.pk).values_list("pk", flat=True))
    doc.refresh_from_db()
    return doc


# --- validity ---------------------------------------------------------------


@transaction.atomic
def change_validity(doc: Document, validity: str, *, on: dt.date | None, user, note: str = "") -> Document:
    """Declare a published document 有效, 失效, 废止 or 已修订 (see the module
    docstring for the dates). Needs VALIDITY in the document's organisation."""
    if not permissions.can(user, permissions.VALIDITY, doc.organisation_id):
        raise PermissionDenied("您没有变更该文件有效性的权限。")
    if validity not in CHOOSABLE:
        raise ValidationError({"validity": "请选择有效性：有效、失效、废止或已修订。"})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": "说明不能超过300字。"})
    doc = _lock(doc)
    if doc.status != Document.Status.PUBLISHED:
        raise ValidationError({"validity": f"只有已发布的文件可以变更有效性（当前状态：{doc.get_status_display()}）。"})
    today = timezone.localdate()
    label = V(validity).label
    if validity == V.VALID:
        if on is not None and on <= today:
            raise ValidationError({"on": f"有效文件的失效日期须晚于今天；{date_text(on)}已到，文件将即刻失效。"
                                         "如文件已失效，请选择“失效”。"})
        expiry = on
    else:
        expiry = on or today
        if expiry > today:
            raise ValidationError({"on": f"{label}日期不能晚于今天。如文件将于{date_text(expiry)}到期失效，"
                                         "请保持“有效”并填写该日期为失效日期。"})
    if expiry and doc.effective_date and expiry < doc.effective_date:
        raise ValidationError({"on": f"{label}日期不能早于施行日期（{date_text(doc.effective_date)}）。"})
    if doc.validity == validity and doc.expiry_date == expiry:
        raise ValidationError({"validity": f"该文件已是“{label}”，无需变更。"})
    before = services.audit_state(doc)
    old = doc.validity
    doc.validity, doc.expiry_date = validity, expiry
    doc.save(update_fields=["validity", "expiry_date", "updated_at"])
    detail = {"from": old, "to": validity, "date": expiry.isoformat() if expiry else ""}
    if note:
        detail["note"] = note
    services.record("validity.change", doc, actor=user, before=before, detail=detail)
    return doc


def _expire(qs, today: dt.date, progress=None) -> int:
    """Make the documents of `qs` that are 有效 with an expiry date on or
    before `today` 失效, in batches of one transaction each (a batch's
    documents and their audit entries commit together)."""
    due = qs.filter(validity=V.VALID, expiry_date__isnull=False, expiry_date__lte=today)
    total = due.count() if progress else 0
    done = 0
    while True:
        with transaction.atomic():
            # The condition is evaluated again on the locked rows, so a
            # concurrent run (or a person's change) is never overwritten.
            batch = list(due.select_for_update(**ROW_LOCK).order_by("id")[:EXPIRE_BATCH])
            for doc in batch:
                before = services.audit_state(doc)
                doc.validity = V.EXPIRED
                doc.save(update_fields=["validity", "updated_at"])
                services.record("validity.expire", doc, actor=None, before=before,
                                detail={"from": V.VALID, "to": V.EXPIRED, "date": doc.expiry_date.isoformat()})
        done += len(batch)
        if progress and batch:
            progress(done, total)
        if len(batch) < EXPIRE_BATCH:
            return done


def expire_due(today: dt.date | None = None, *, progress=None) -> int:
    """Every 有效 document whose expiry date has come (expiry_date <= today)
    becomes 失效, by the system, with one audit entry each. Returns how many;
    a second run finds nothing left to do and returns 0."""
    return _expire(Document.objects.all(), today or timezone.localdate(), progress)


# --- clean-up campaigns -----------------------------------------------------


def _require_cleanup(user, organisation_id: int, name: str = "") -> None:
    if not permissions.can(user, permissions.CLEANUP, organisation_id):
        where = f"在“{name}”" if name else ""
        raise PermissionDenied(f"您没有{where}开展规范性文件清理的权限（须为政务公开办管理员）。")


def cleanup_candidates(organisation: Organisation, today: dt.date | None = None):
    """The documents a campaign reviews: the organisation's own published
    normative documents that are 有效 (and not already past their expiry
    date) or 已修订."""
    today = today or timezone.localdate()
    return (Document.objects.filter(organisation=organisation, status=Document.Status.PUBLISHED,
                                    genre__name=NORMATIVE_GENRE)
            .filter(Q(validity=V.AMENDED) | (Q(validity=V.VALID) & (Q(expiry_date__isnull=True) | Q(expiry_date__gt=today))))
            .order_by("published_date", "id"))


@transaction.atomic
def start_campaign(organisation: Organisation, title: str, *, user) -> CleanupCampaign:
    """Open a campaign with one undecided item per candidate document. An
    organisation has at most one open campaign."""
    _require_cleanup(user, organisation.pk, organisation.name)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写清理名称。"})
    if len(title) > 200:
        raise ValidationError({"title": "清理名称不能超过200字。"})
    # The organisation's row serialises concurrent starts.
    list(Organisation.objects.select_for_update(**ROW_LOCK).filter(pk=organisation.pk).values_list("pk", flat=True))
    running = CleanupCampaign.objects.filter(organisation=organisation, state=CleanupCampaign.State.OPEN).first()
    if running is not None:
        raise ValidationError({"organisation": f"“{organisation.name}”已有进行中的清理“{running.title}”，"
                                               "请先完成该清理再开始新的清理。"})
    campaign = CleanupCampaign.objects.create(organisation=organisation, title=title)
    doc_ids = list(cleanup_candidates(organisation).values_list("id", flat=True))
    CleanupItem.objects.bulk_create([CleanupItem(campaign=campaign, document_id=pk) for pk in doc_ids])
    audit.record("cleanup.start", "cleanup", campaign.pk, actor=audit.actor_name(user),
                 after=audit.state_of(campaign), detail={"organisation": organisation.pk, "documents": doc_ids})
    return campaign


def _lock_campaign(campaign: CleanupCampaign) -> CleanupCampaign:
    return CleanupCampaign.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=campaign.pk)


@transaction.atomic
def decide(item: CleanupItem, decision: str, *, note: str = "", user) -> CleanupItem:
    """Record the decision on one document of an open campaign: 继续有效
    (keep), 修订 (amend: the owners draft the amendment; the document stays
    in force until then) or 废止 (abolish, applied when the campaign closes)."""
    campaign = _lock_campaign(item.campaign)
    _require_cleanup(user, campaign.organisation_id, campaign.organisation.name)
    if campaign.state != CleanupCampaign.State.OPEN:
        raise ValidationError("该清理已完成，处理意见不能再修改。")
    if decision not in (Decision.KEEP, Decision.AMEND, Decision.ABOLISH):
        raise ValidationError({"decision": "请选择处理意见：继续有效、修订或废止。"})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": "说明不能超过300字。"})
    item = CleanupItem.objects.select_for_update(**ROW_LOCK).get(pk=item.pk, campaign=campaign)
    if item.decision == decision and item.note == note:
        return item
    before = audit.state_of(item)
    item.decision, item.note = decision, note
    item.save(update_fields=["decision", "note"])
    audit.record("cleanup.decide", "cleanup_item", item.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(item),
                 detail={"campaign": campaign.pk, "document": item.document_id, "decision": decision})
    return item


def result_title(organisation: Organisation) -> str:
    return f"{organisation.short_name or organisation.name}关于公布规范性文件清理结果的通知"


def _result_body(organisation: Organisation, campaign: CleanupCampaign, rows: list[tuple[Document, str]],
                 today: dt.date) -> str:
    e = html.escape
    name = organisation.short_name or organisation.name
    parts = [
        f"<p>根据规范性文件清理工作安排，{e(name)}对本机关制定的行政规范性文件进行了全面清理（{e(campaign.title)}）。"
        f"现将废止和失效的行政规范性文件目录予以公布，自公布之日起，目录所列文件不再作为行政管理的依据。</p>",
    ]
    if not rows:
        parts.append("<p>经清理，本次没有废止或失效的行政规范性文件。</p>")
    else:
        parts.append("<table><caption>废止和失效的行政规范性文件目录</caption><thead><tr>"
                     '<th scope="col">序号</th><th scope="col">标题</th><th scope="col">发文字号</th>'
                     '<th scope="col">处理结果</th><th scope="col">日期</th></tr></thead><tbody>')
        for n, (doc, result) in enumerate(rows, 1):
            parts.append(f"<tr><td>{n}</td><td>{e(doc.title)}</td><td>{e(doc.document_number or '—')}</td>"
                         f"<td>{result}</td><td>{date_text(doc.expiry_date) or '—'}</td></tr>")
        parts.append("</tbody></table>")
    parts.append(f"<p>{e(organisation.name)}</p><p>{date_text(today)}</p>")
    return "".join(parts)


@transaction.atomic
def close_campaign(campaign: CleanupCampaign, *, user) -> Document:
    """Close a campaign whose every item is decided: abolish the documents
    decided 废止 (dated today), and draft the notice that publishes the list
    of the abolished documents and the organisation's 失效 normative
    documents. The notice is an ordinary draft: it goes through review,
    secrecy review and publication like any other document."""
    campaign = _lock_campaign(campaign)
    organisation = campaign.organisation
    _require_cleanup(user, organisation.pk, organisation.name)
    if campaign.state != CleanupCampaign.State.OPEN:
        raise ValidationError("该清理已经完成。")
    undecided = campaign.items.filter(decision=Decision.UNDECIDED).count()
    if undecided:
        raise ValidationError(f"还有{undecided}份文件未作出处理意见，全部作出处理意见后才能完成清理。")
    today = timezone.localdate()
    # What expired by date but the worker has not reached yet belongs on the list.
    _expire(Document.objects.filter(organisation=organisation), today)

    abolished = []
    items = campaign.items.filter(decision=Decision.ABOLISH).select_related("document").order_by("id")
    for item in items:
        doc = _lock(item.document)
        if doc.validity in (V.VALID, V.AMENDED):
            before = services.audit_state(doc)
            old = doc.validity
            doc.validity, doc.expiry_date = V.ABOLISHED, today
            doc.save(update_fields=["validity", "expiry_date", "updated_at"])
            services.record("validity.change", doc, actor=user, before=before,
                            detail={"from": old, "to": V.ABOLISHED, "date": today.isoformat(), "campaign": campaign.pk})
        if doc.validity == V.ABOLISHED:
            abolished.append(doc)
    expired = list(Document.objects.filter(organisation=organisation, status=Document.Status.PUBLISHED,
                                           genre__name=NORMATIVE_GENRE, validity=V.EXPIRED)
                   .order_by(F("expiry_date").asc(nulls_first=True), "published_date", "id"))
    rows = [(d, "废止") for d in abolished] + [(d, "失效") for d in expired]

    result = services.create_document(
        organisation=organisation,
        title=result_title(organisation),
        body_html=_result_body(organisation, campaign, rows, today),
        genre=Genre.objects.filter(name=RESULT_GENRE).first(),
        written_date=today,
        actor=user,
    )
    before = audit.state_of(campaign)
    campaign.result_document = result
    campaign.state = CleanupCampaign.State.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["result_document", "state", "closed_at"])
    audit.record("cleanup.close", "cleanup", campaign.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(campaign),
                 detail={"abolished": [d.pk for d in abolished], "expired": [d.pk for d in expired],
                         "result_document": result.pk})
    return result


# --- citations of documents no longer in force --------------------------------


def cited_invalid_for(user, limit: int = CITED_LIMIT) -> list[tuple[Document, Document]]:
    """(citing document, cited document) pairs for the user's workbench: a
    document in the user's scope, still live (not withdrawn or stopped, and
    itself neither 失效 nor 废止), cites or forwards a document that is 失效
    or 废止. The most recently invalidated come first. One query."""
    scope = permissions.scope_filter(user, permissions.VIEW, field="source__organisation_id")
    # The cited document's title is shown: it must be public or in scope too.
    target_visible = Q(target__status=Document.Status.PUBLISHED) | permissions.scope_filter(
        user, permissions.VIEW, field="target__organisation_id")
    relations = (
        Relation.objects.filter(scope, target_visible, kind__in=DEPENDING_KINDS, target__validity__in=NOT_IN_FORCE)
        .exclude(source__status__in=[Document.Status.WITHDRAWN, Document.Status.STOPPED])
        .exclude(source__validity__in=NOT_IN_FORCE)
        .select_related("source__organisation", "source__genre", "target__organisation")
        .order_by(F("target__expiry_date").desc(nulls_last=True), F("source__published_date").desc(nulls_last=True),
                  "-source_id", "-id")
    )
    pairs, seen = [], set()
    for relation in relations[: limit * 2]:
        key = (relation.source_id, relation.target_id)
        if key in seen:
            continue
        seen.add(key)
        pairs.append((relation.source, relation.target))
        if len(pairs) >= limit:
            break
    return pairs
