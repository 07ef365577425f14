"""依申请转主动 (Art. 44): information disclosed on request that others may
want goes into the catalog for proactive publication, and the office sees
which information was asked for again and again.

`propose` turns a reply that disclosed information (予以公开, 部分公开) into a
catalog draft of the application's organisation: the title the handler gives
(by default what was asked for), the reply's "provided" text as body and the
files disclosed with the reply as attachments. Nothing else of the
application goes in: not the application, not the letter (it is addressed to
the applicant), and any of the applicant's particulars (name, identity
document, phone, e-mail, address, contact) found in the provided text or the
title is replaced before the draft is written. The draft then goes through
the normal review (gongkai.publishing): the privacy scan runs on it (and on
its attachments once the worker has read them) as on any draft, and nobody
publishes it without passing every review step. Whoever may submit drafts
in the organisation (drafters, the office) submits it into review at once;
a handler's proposal stays a draft for them to submit.

`repeated_requests` groups an organisation's applications of a period by
what they asked for, the normalised document number (文号) or title, an
application with both joining the two, and keeps the groups asked for at
least twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils.html import escape

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, validate_attachment
from gongkai.core import audit, docnumber, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.publishing import findings
from gongkai.publishing import services as publishing
from gongkai.publishing import workflow

from .models import Application, ApplicationFile, ProactiveProposal, Reply

# Replies whose provided information may be published for everyone (Art. 36 (2), Art. 37).
DISCLOSED_OUTCOMES = ("disclosed", "partial")
MIN_REPEATS = 2
TITLE_LIMIT = 300
SUMMARY = "本信息曾依申请公开，依据《中华人民共和国政府信息公开条例》第四十四条纳入主动公开范围。"
KEYWORDS = "依申请转主动公开"
APPLICANT = "申请人"
MASK = "＊＊＊"
NOT_DISCLOSED = "只有“予以公开”或“部分公开”的答复所提供的信息可以转为主动公开（条例第四十四条）。"
NOTHING = "答复中没有写明提供的信息，也没有公开的文件，无法转为主动公开。"


# --- keeping the applicant out ---------------------------------------------------------

def _variants(value: str, *, min_length: int) -> set[str]:
    value = (value or "").strip()
    found = {value} if len(value) >= min_length else set()
    # The number inside "居民身份证 513401199001011234", a phone typed with spaces or dashes.
    for token in re.findall(r"[0-9A-Za-z]{6,}", value):
        found.add(token)
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6:
        found.add(digits)
    return found


def scrub(text: str, app: Application) -> str:
    """`text` with the applicant's particulars replaced: the name (and a
    contact person's or representative's) by 申请人, the identity document,
    phone, e-mail and address by ＊＊＊. Longest first, so a value inside
    another goes with it."""
    text = text or ""
    replacements: dict[str, str] = {}
    for value in (app.applicant_name, app.contact_person, app.legal_representative):
        for variant in _variants(value, min_length=2):
            replacements.setdefault(variant, APPLICANT)
    for value, length in ((app.id_document, 6), (app.phone, 6), (app.email, 3), (app.address, 4)):
        for variant in _variants(value, min_length=length):
            replacements[variant] = MASK
    for variant in sorted(replacements, key=len, reverse=True):
        text = text.replace(variant, replacements[variant])
    return text


def _body(text: str) -> str:
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if not paragraphs:
        return "<p>详见附件。</p>"
    return "".join(f"<p>{escape(line)}</p>" for line in paragraphs)


def _upload_name(item: ApplicationFile) -> str:
    """The attachment's name: as shown, with the stored file's extension when it has none."""
    stored = os.path.basename(item.file.name or "")
    name = (item.name or stored).strip() or stored
    if not os.path.splitext(name)[1]:
        name += os.path.splitext(stored)[1]
    return name[:200]


# --- proposing -----------------------------------------------------------------------------

def refusal(app: Application) -> str | None:
    """Why the application's information cannot be proposed now (None: it can)."""
    reply = Reply.objects.filter(application=app).first()
    if app.state != Application.State.REPLIED or reply is None or reply.outcome not in DISCLOSED_OUTCOMES:
        return NOT_DISCLOSED
    proposal = ProactiveProposal.objects.filter(application=app).select_related("document").first()
    if proposal is not None and proposal.document_id:
        doc = proposal.document
        return f"本申请的信息已提出转为主动公开：《{doc.title}》（{doc.get_status_display()}）。"
    if not reply.provided.strip() and not app.files.filter(role=ApplicationFile.Role.DISCLOSED).exists():
        return NOTHING
    return None


def default_title(app: Application) -> str:
    return scrub(app.info_title or app.info_number, app).strip()[:TITLE_LIMIT]


@transaction.atomic
def propose(app: Application, *, user, title: str = "") -> ProactiveProposal:
    """Propose the information disclosed in `app`'s reply for proactive
    publication: a catalog draft of the organisation with the provided text
    and the disclosed files, none of the applicant's data, on its way through
    the normal review; the proposal links the application to it. Audited."""
    if not permissions.can(user, permissions.APPLICATIONS, app.organisation_id):
        raise PermissionDenied("您没有办理该申请的权限，不能提出转为主动公开。")
    app = Application.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=app.pk)
    problem = refusal(app)
    if problem:
        raise ValidationError(problem)
    organisation = app.organisation
    reply = Reply.objects.get(application=app)
    title = scrub((title or "").strip(), app).strip() or default_title(app)
    if not title:
        raise ValidationError({"title": "请填写拟主动公开信息的标题。"})
    if len(title) > TITLE_LIMIT:
        raise ValidationError({"title": f"标题不能超过{TITLE_LIMIT}字。"})
    files = list(app.files.filter(role=ApplicationFile.Role.DISCLOSED).order_by("id"))
    fields = {"title": title, "summary": SUMMARY, "keywords": KEYWORDS,
              "body_html": _body(scrub(reply.provided, app)), "disclosure": Document.Disclosure.PROACTIVE}
    may_edit = permissions.can(user, permissions.EDIT, organisation)
    handles = []
    try:
        uploads = []
        for item in files:
            name = _upload_name(item)
            try:
                handle = item.file.storage.open(item.file.name, "rb")
            except (FileNotFoundError, OSError, ValueError):
                raise ValidationError(f"公开的文件“{item.name}”已不存在于存储中，请重新上传后再提出。") from None
            handles.append(handle)
            upload = File(handle, name=name)
            try:
                validate_attachment(upload)
            except ValidationError as exc:
                raise ValidationError(f"公开的文件“{item.name}”不能作为政府信息的附件：{' '.join(exc.messages)}") from None
            uploads.append(upload)
        if may_edit:
            doc = publishing.save_draft(None, user=user, organisation=organisation, **fields)
        else:
            # A handler is no drafter: the draft is written for them (as the worker
            # writes the monthly bulletin's) and waits for the organisation's
            # drafters to submit it; it is published only through the review.
            doc = catalog.create_document(organisation=organisation, actor=user, **fields)
        for upload in uploads:
            publishing.add_attachment(doc, upload, user=user if may_edit else None, system=not may_edit,
                                      name=upload.name)
    finally:
        for handle in handles:
            handle.close()
    if permissions.can(user, permissions.SUBMIT, organisation):
        doc = publishing.act(doc, workflow.SUBMIT, user=user, comment="依申请转主动公开（条例第四十四条）")
    else:
        findings.scan_document(doc)
    proposal = ProactiveProposal.objects.filter(application=app).first() or ProactiveProposal(application=app)
    proposal.document, proposal.proposed_by = doc, (user if getattr(user, "is_authenticated", False) else None)
    proposal.save()
    audit.record("application.proactive_proposal", "application", app.pk, actor=audit.actor_name(user),
                 detail={"document": doc.pk, "files": len(files), "status": doc.status})
    return proposal


# --- information asked for again and again ---------------------------------------------

_QUOTES = "《》〈〉“”\"'‘’「」『』"
_TRAILING = "。．.，,；;：:！!？?、"


def normalise_title(text: str) -> str:
    """A title as compared: full-width forms folded, spaces and quotation
    marks dropped, trailing punctuation dropped, case folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _QUOTES)
    return text.rstrip(_TRAILING).casefold()


def normalise_number(text: str) -> str:
    """A document number as compared: its standard form (GB/T 9704) when it
    parses, else folded like a title."""
    number = docnumber.parse(text or "")
    return number.text if number.parsed else normalise_title(text)


@dataclass
class RequestGroup:
    """Applications that asked for the same information."""

    title: str
    number: str
    applications: list[Application] = field(default_factory=list)
    applicants: int = 0
    candidate: Application | None = None  # where a proposal can be made now
    proposals: list[ProactiveProposal] = field(default_factory=list)
    published: Document | None = None  # the catalog already has it, public

    @property
    def count(self) -> int:
        return len(self.applications)

    @property
    def first_on(self) -> dt.date | None:
        return min((a.received_on for a in self.applications if a.received_on), default=None)

    @property
    def last_on(self) -> dt.date | None:
        return max((a.received_on for a in self.applications if a.received_on), default=None)


def _keys(app: Application) -> list[tuple[str, str]]:
    keys = []
    if (app.info_number or "").strip():
        keys.append(("number", normalise_number(app.info_number)))
    if (app.info_title or "").strip():
        keys.append(("title", normalise_title(app.info_title)))
    return [k for k in keys if k[1]]


def _most_common(values: list[str]) -> str:
    values = [v.strip() for v in values if (v or "").strip()]
    return Counter(values).most_common(1)[0][0] if values else ""


def period_applications(organisation: Organisation, start: dt.date, end: dt.date):
    """The organisation's applications received in [start, end] (not yet
    received: submitted then), without those merged into another (the same
    applicant's duplicate) or sent to another organisation."""
    received = Q(received_on__gte=start, received_on__lte=end)
    pending = Q(received_on__isnull=True, submitted_at__date__gte=start, submitted_at__date__lte=end)
    return (Application.objects.filter(organisation=organisation).filter(received | pending)
            .exclude(state__in=[Application.State.MERGED, Application.State.TRANSFERRED])
            .select_related("organisation"))


def repeated_requests(organisation: Organisation, start: dt.date, end: dt.date, *,
                      minimum: int = MIN_REPEATS) -> list[RequestGroup]:
    """The information asked for at least `minimum` times in the period,
    most asked first. Applications are grouped by normalised document number
    or title; one that gives both joins the groups of each."""
    apps = [a for a in period_applications(organisation, start, end).order_by("received_on", "id") if _keys(a)]
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for app in apps:
        keys = _keys(app)
        for key in keys[1:]:
            a, b = find(keys[0]), find(key)
            if a != b:
                parent[b] = a
        find(keys[0])
    members: dict[tuple[str, str], list[Application]] = defaultdict(list)
    for app in apps:
        members[find(_keys(app)[0])].append(app)
    chosen = [group for group in members.values() if len(group) >= minimum]
    ids = [a.pk for group in chosen for a in group]
    replies = dict(Reply.objects.filter(application_id__in=ids).values_list("application_id", "outcome"))
    proposals = defaultdict(list)
    for proposal in ProactiveProposal.objects.filter(application_id__in=ids).select_related("document"):
        proposals[proposal.application_id].append(proposal)
    disclosed_files = set(ApplicationFile.objects.filter(application_id__in=ids, role=ApplicationFile.Role.DISCLOSED)
                          .values_list("application_id", flat=True))
    provided = set(Reply.objects.filter(application_id__in=ids).exclude(provided="")
                   .values_list("application_id", flat=True))
    groups = []
    for group in chosen:
        numbers = [normalise_number(a.info_number) for a in group if (a.info_number or "").strip()]
        result = RequestGroup(title=_most_common([a.info_title for a in group]), number=_most_common(numbers),
                              applications=group, applicants=len({a.id_document.strip() for a in group}))
        result.proposals = [p for a in group for p in proposals.get(a.pk, [])]
        if not any(p.document_id for p in result.proposals):
            result.candidate = next(
                (a for a in reversed(group)
                 if a.state == Application.State.REPLIED and replies.get(a.pk) in DISCLOSED_OUTCOMES
                 and (a.pk in provided or a.pk in disclosed_files)), None)
        if result.number:
            result.published = (Document.objects.filter(document_number=result.number,
                                                        status=Document.Status.PUBLISHED,
                                                        disclosure=Document.Disclosure.PROACTIVE)
                                .order_by("-published_date", "-id").first())
        groups.append(result)
    groups.sort(key=lambda g: (-g.count, -(g.last_on or dt.date.min).toordinal(), g.title))
    return groups


def organisations_for(user):
    """Where `user` may see the repeated requests: where they handle applications."""
    scope = permissions.organisations_for(user, permissions.APPLICATIONS)
    qs = Organisation.objects.order_by("sort_order", "id")
    return qs if scope is None else qs.filter(pk__in=scope)
