"""政府公报 (the gazette): issues, their tables of contents and printed PDFs.

国办发〔2018〕22号: 省级 and 设区的市 governments run a 公报, other 市/县
governments may; 地方政府所属部门及乡镇、街道不办 (GAZETTE_LEVELS). A local
公报 carries the government's own 规章 and 规范性文件 and those of its
departments, so an issue's contents are public catalog documents of the
organisation or of an organisation below it. The text printed in the 公报 is
the standard text (标准文本, 立法法 Art. 97 for 规章); the document page says
where it was printed (`published_in`).

Numbering as local gazettes print it: "YYYY年第N期（总第M期）", merged issues
"第N-M期" (GazetteIssue.number / number_to / total_number). Two issues of one
organisation and year never share a number, merged or not.

Writes (`issue_*`) run in one transaction, ask gongkai.core.permissions
themselves (EDIT in the issue's organisation: its drafters and office
administrators, an office administrator's reach extending to the
organisations below) and append an audit entry; a change to a published
issue makes the cached public pages stale (gongkai.core.generation).
Reads for the public pages (`published_*`, `issue_entries`, `published_in`)
show published issues only.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from gongkai.core import audit, generation, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation, descendant_ids

from .models import Document, GazetteEntry, GazetteIssue
from .selectors import public_documents

# Who runs a gazette (国办发〔2018〕22号): governments, not departments or townships.
GAZETTE_LEVELS = (Organisation.Level.PROVINCE, Organisation.Level.CITY, Organisation.Level.COUNTY)
# Typical 目录 sections, offered as suggestions in the staff form.
SECTIONS = ("规章", "政府文件", "办公厅文件", "部门文件", "人事任免", "政策解读")
ISSUE_FIELDS = ("name", "year", "number", "number_to", "total_number", "published_on")
MAX_ENTRIES = 300


# --- reads -------------------------------------------------------------------


def published_issues() -> QuerySet[GazetteIssue]:
    return GazetteIssue.objects.filter(is_published=True).select_related("organisation")


@dataclass
class GazetteYears:
    organisation: Organisation
    name: str
    years: list[tuple[int, int]]  # (year, number of issues), newest first


def published_years() -> list[GazetteYears]:
    """Per organisation running a gazette, its years with published issues."""
    rows = (GazetteIssue.objects.filter(is_published=True)
            .values("organisation_id", "year").annotate(n=Count("id")).order_by("organisation_id", "-year"))
    by_org = {org_id: [(r["year"], r["n"]) for r in group] for org_id, group in groupby(rows, key=lambda r: r["organisation_id"])}
    if not by_org:
        return []
    organisations = Organisation.objects.filter(pk__in=by_org).order_by("sort_order", "id")
    latest_name = {}  # the name of each organisation's newest issue
    for org_id, name in (GazetteIssue.objects.filter(is_published=True).order_by("-year", "-number")
                         .values_list("organisation_id", "name")):
        latest_name.setdefault(org_id, name)
    return [GazetteYears(org, latest_name.get(org.pk, f"{org.name}公报"), by_org[org.pk]) for org in organisations]


def published_in_year(year: int) -> list[tuple[Organisation, list[GazetteIssue]]]:
    """The published issues of one year, per organisation, in issue order."""
    issues = list(published_issues().filter(year=year)
                  .annotate(entry_count=Count("entries"))
                  .order_by("organisation__sort_order", "organisation_id", "number"))
    return [(org, list(group)) for org, group in groupby(issues, key=lambda i: i.organisation)]


def published_issue(pk: int) -> GazetteIssue | None:
    return published_issues().filter(pk=pk).first()


@dataclass
class ContentsSection:
    heading: str
    entries: list[GazetteEntry]


def issue_entries(issue: GazetteIssue, *, public_only: bool = True) -> list[GazetteEntry]:
    """The issue's table of contents in order (public documents only for the public pages)."""
    qs = issue.entries.select_related("document", "document__organisation").order_by("order", "id")
    if public_only:
        qs = qs.filter(document__status=Document.Status.PUBLISHED, document__disclosure=Document.Disclosure.PROACTIVE)
    return list(qs)


def sections(entries: list[GazetteEntry]) -> list[ContentsSection]:
    """Consecutive entries under the same heading, as the printed 目录 groups them."""
    return [ContentsSection(heading, list(group)) for heading, group in groupby(entries, key=lambda e: e.section)]


def published_in(document: Document) -> list[GazetteEntry]:
    """Where a document was printed: its entries in published issues (one
    query), for "本文刊登于《…》YYYY年第N期" on its page."""
    return list(GazetteEntry.objects.filter(document_id=document.pk, issue__is_published=True)
                .select_related("issue").only("issue__id", "issue__name", "issue__year", "issue__number",
                                              "issue__number_to", "issue__total_number", "page", "document_id")
                .order_by("issue__year", "issue__number"))


def staff_issues(user) -> QuerySet[GazetteIssue]:
    """The issues a user may see in the workspace."""
    return (GazetteIssue.objects.filter(permissions.scope_filter(user, permissions.VIEW))
            .select_related("organisation").annotate(entry_count=Count("entries")))


def gazette_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose gazette the user may edit."""
    scope = permissions.organisations_for(user, permissions.EDIT)
    qs = Organisation.objects.filter(level__in=GAZETTE_LEVELS).order_by("sort_order", "id")
    return qs if scope is None else qs.filter(pk__in=scope)


def candidate_documents(issue: GazetteIssue, query: str = "", limit: int = 50) -> list[Document]:
    """Public documents of the issue's organisation and those below, not yet in
    its contents, newest first; `query` matches the title or the 文号."""
    from django.db.models import Q

    org_ids = {issue.organisation_id} | descendant_ids({issue.organisation_id})
    qs = (public_documents().filter(organisation_id__in=org_ids)
          .exclude(pk__in=issue.entries.values("document_id"))
          .select_related("organisation").order_by("-published_date", "-id"))
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(document_number__icontains=query))
    return list(qs.only("id", "title", "document_number", "published_date", "index_number",
                        "organisation__name", "organisation__short_name")[:limit])


# --- writes ------------------------------------------------------------------


def _require_edit(user, organisation_id: int) -> None:
    if not permissions.can(user, permissions.EDIT, organisation_id):
        raise PermissionDenied("您没有编辑该机构政府公报的权限。")


def _check(issue: GazetteIssue) -> None:
    """Field rules, the organisation's level, and the numbers no other issue
    of the organisation and year holds (a merged issue holds all of its own)."""
    errors = {}
    try:
        issue.full_clean(exclude=["pdf"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if issue.organisation_id and issue.organisation.level not in GAZETTE_LEVELS:
        errors.setdefault("organisation", []).append(
            "政府公报由省、市、县级人民政府主办；政府部门和乡镇（街道）不办公报（国办发〔2018〕22号）。")
    if not errors:
        mine = set(issue.numbers)
        others = GazetteIssue.objects.filter(organisation_id=issue.organisation_id, year=issue.year).exclude(pk=issue.pk)
        for other in others.only("id", "number", "number_to", "year", "total_number"):
            if mine & set(other.numbers):
                errors["number"] = [f"{issue.year}年{other.number_label}已存在，期号不能重复。"]
                break
        if issue.total_number:
            clash = (GazetteIssue.objects.filter(organisation_id=issue.organisation_id, total_number=issue.total_number)
                     .exclude(pk=issue.pk).first())
            if clash is not None:
                errors["total_number"] = [f"总第{issue.total_number}期已用于{clash.label}。"]
    if errors:
        raise ValidationError(errors)


def _lock(issue: GazetteIssue) -> GazetteIssue:
    list(GazetteIssue.objects.select_for_update(**ROW_LOCK).filter(pk=issue.pk).values_list("pk", flat=True))
    issue.refresh_from_db()
    return issue


def _changed(issue: GazetteIssue) -> None:
    if issue.is_published:
        generation.bump()


@transaction.atomic
def issue_create(organisation: Organisation, *, user, **fields) -> GazetteIssue:
    """A new issue (not yet public). `fields`: ISSUE_FIELDS; the name defaults
    to the organisation's previous issue's, or "<机关名称>公报"."""
    _require_edit(user, organisation.pk)
    unknown = set(fields) - set(ISSUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown gazette fields: {sorted(unknown)}")
    if not (fields.get("name") or "").strip():
        previous = GazetteIssue.objects.filter(organisation=organisation).order_by("-year", "-number").first()
        fields["name"] = previous.name if previous else f"{organisation.name}公报"
    fields["name"] = fields["name"].strip()
    issue = GazetteIssue(organisation=organisation, **fields)
    _check(issue)
    issue.save()
    audit.record("gazette.create", "gazette_issue", issue.pk, actor=audit.actor_name(user),
                 after=audit.state_of(issue), detail={"organisation": organisation.pk, "label": issue.label})
    return issue


@transaction.atomic
def issue_update(issue: GazetteIssue, *, user, **fields) -> GazetteIssue:
    """Change an issue's name, numbers or date (a published one too: a correction)."""
    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    before = audit.state_of(issue)
    for name, value in fields.items():
        if name not in ISSUE_FIELDS:
            raise TypeError(f"unknown gazette field: {name}")
        setattr(issue, name, value.strip() if isinstance(value, str) else value)
    _check(issue)
    issue.save()
    audit.record("gazette.update", "gazette_issue", issue.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(issue), detail={"label": issue.label})
    _changed(issue)
    return issue


@dataclass
class ContentItem:
    document_id: int
    section: str = ""
    page: int | None = None


@transaction.atomic
def issue_set_contents(issue: GazetteIssue, items: list[ContentItem], *, user) -> list[GazetteEntry]:
    """Replace the issue's table of contents with `items`, in that order. Each
    document must be public and of the issue's organisation or one below it;
    each appears once."""
    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    if len(items) > MAX_ENTRIES:
        raise ValidationError(f"一期公报的目录最多{MAX_ENTRIES}条。")
    ids = [item.document_id for item in items]
    duplicates = sorted({pk for pk in ids if ids.count(pk) > 1})
    if duplicates:
        raise ValidationError("同一份文件在目录中只能出现一次。")
    errors = []
    for item in items:
        item.section = (item.section or "").strip()
        if len(item.section) > 50:
            errors.append("栏目名称不能超过50字。")
        if item.page is not None and not 1 <= item.page <= 100000:
            errors.append("页码必须是正整数。")
    org_ids = {issue.organisation_id} | descendant_ids({issue.organisation_id})
    found = {d.pk: d for d in Document.objects.filter(pk__in=ids).only("id", "title", "status", "disclosure", "organisation_id")}
    for pk in ids:
        doc = found.get(pk)
        if doc is None:
            errors.append("所选文件不存在。")
        elif not doc.is_public:
            errors.append(f"《{doc.title}》不是已发布的主动公开信息，不能列入公报目录。")
        elif doc.organisation_id not in org_ids:
            errors.append(f"《{doc.title}》不是{issue.organisation.name}或其所属机构发布的文件。")
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    before = list(issue.entries.order_by("order", "id").values_list("document_id", flat=True))
    issue.entries.all().delete()
    entries = GazetteEntry.objects.bulk_create([
        GazetteEntry(issue=issue, document_id=item.document_id, order=n, section=item.section, page=item.page)
        for n, item in enumerate(items, start=1)
    ])
    audit.record("gazette.contents", "gazette_issue", issue.pk, actor=audit.actor_name(user),
                 before={"documents": before}, after={"documents": ids},
                 detail={"documents": ids, "sections": [item.section for item in items]})
    _changed(issue)
    return entries


@transaction.atomic
def issue_attach_pdf(issue: GazetteIssue, file, *, user) -> GazetteIssue:
    """Store the printed issue's PDF (checked: a real PDF within the size
    limit), replacing the previous one (its file removed once this commits)."""
    from .models import validate_gazette_pdf

    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    try:
        validate_gazette_pdf(file)
    except ValidationError as exc:
        raise ValidationError({"pdf": exc.messages}) from None
    before = audit.state_of(issue)
    old = issue.pdf.name
    storage = issue.pdf.storage
    issue.pdf.save(f"{issue.year}-{issue.number}.pdf", file, save=False)
    issue.pdf_size = issue.pdf.size
    issue.save(update_fields=["pdf", "pdf_size", "updated_at"])
    if old and old != issue.pdf.name:
        _remove_after_commit(storage, old)
    audit.record("gazette.pdf", "gazette_issue", issue.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(issue), detail={"pdf": issue.pdf.name, "size": issue.pdf_size})
    _changed(issue)
    return issue


@transaction.atomic
def issue_remove_pdf(issue: GazetteIssue, *, user) -> GazetteIssue:
    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    if not issue.pdf:
        return issue
    before = audit.state_of(issue)
    old, storage = issue.pdf.name, issue.pdf.storage
    issue.pdf, issue.pdf_size = "", 0
    issue.save(update_fields=["pdf", "pdf_size", "updated_at"])
    _remove_after_commit(storage, old)
    audit.record("gazette.pdf_remove", "gazette_issue", issue.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(issue), detail={"pdf": old})
    _changed(issue)
    return issue


def _remove_after_commit(storage, name: str) -> None:
    from gongkai.core.db import after_commit

    def remove():
        if not GazetteIssue.objects.filter(pdf=name).exists():
            storage.delete(name)

    after_commit(remove)


@transaction.atomic
def issue_publish(issue: GazetteIssue, *, user) -> GazetteIssue:
    """Make the issue public: it needs a table of contents whose documents are
    all public. The 出版日期 stays what the office entered (an old issue
    loaded into the database was printed long before it goes online)."""
    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    if issue.is_published:
        raise ValidationError("该期公报已发布。")
    entries = list(issue.entries.select_related("document"))
    if not entries:
        raise ValidationError("请先编排目录：公报目录不能为空。")
    hidden = [e.document.title for e in entries if not e.document.is_public]
    if hidden:
        raise ValidationError(f"目录中的《{hidden[0]}》已不再公开，请先从目录中移除。")
    before = audit.state_of(issue)
    issue.is_published = True
    issue.published_at = timezone.now()
    issue.save(update_fields=["is_published", "published_at", "updated_at"])
    audit.record("gazette.publish", "gazette_issue", issue.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(issue), detail={"label": issue.label, "documents": [e.document_id for e in entries]})
    generation.bump()
    return issue


@transaction.atomic
def issue_unpublish(issue: GazetteIssue, *, user) -> GazetteIssue:
    """Take a published issue off the public site (an error to correct)."""
    _require_edit(user, issue.organisation_id)
    issue = _lock(issue)
    if not issue.is_published:
        raise ValidationError("该期公报尚未发布。")
    before = audit.state_of(issue)
    issue.is_published = False
    issue.save(update_fields=["is_published", "updated_at"])
    audit.record("gazette.unpublish", "gazette_issue", issue.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(issue), detail={"label": issue.label})
    generation.bump()
    return issue
