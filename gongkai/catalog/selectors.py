"""Catalog reads the portal (and later the API) share.

Everything here answers for the public: a document is listed when it is
published and proactively disclosed, the same rule the search index follows.
Filters are the search layer's `Filters`, so a filter means the same on the
catalog page and in search.
"""

import dataclasses
import os
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet

from gongkai.core.models import Organisation, subtree_ids
from gongkai.search.backends import Filters

from . import counts, text
from .models import Document, Genre, Relation, Topic

MAX_PER_PAGE = 100


def public_documents() -> QuerySet[Document]:
    """Documents anyone may read and find: published and proactively disclosed."""
    return Document.objects.filter(status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE)


def latest_documents(limit: int = 10) -> list[Document]:
    return list(
        public_documents().select_related("organisation", "genre").order_by("-published_date", "-id")[:limit]
    )


def public_count() -> int:
    """The number of public documents (maintained: gongkai.catalog.counts)."""
    return counts.counts("all").get("", 0)


# ---------------------------------------------------------------- filters


def topic_descendant_ids(root_ids) -> set[int]:
    """The topics given and every topic below them."""
    return subtree_ids(Topic, root_ids)


def apply_filters(qs: QuerySet[Document], filters: Filters) -> QuerySet[Document]:
    """The ORM twin of `Filters.sql()` (same fields, same meaning)."""
    if filters.organisation_ids is not None:
        qs = qs.filter(organisation_id__in=filters.organisation_ids)
    if filters.topic_ids is not None:
        qs = qs.filter(topic_id__in=filters.topic_ids)
    if filters.genre_ids is not None:
        qs = qs.filter(genre_id__in=filters.genre_ids)
    if filters.year_from:
        qs = qs.filter(published_date__gte=f"{int(filters.year_from):04d}-01-01")
    if filters.year_to:
        qs = qs.filter(published_date__lte=f"{int(filters.year_to):04d}-12-31")
    if filters.validity is not None:
        qs = qs.filter(validity=filters.validity)
    return qs


# ---------------------------------------------------------------- facets


@dataclass
class FacetNode:
    """One choice in a facet: what clicking it would give (`count`)."""

    key: object
    label: str
    count: int
    children: list["FacetNode"] = field(default_factory=list)


@dataclass
class Facets:
    organisations: list[FacetNode] = field(default_factory=list)  # a tree
    topics: list[FacetNode] = field(default_factory=list)  # a tree
    genres: list[FacetNode] = field(default_factory=list)
    years: list[FacetNode] = field(default_factory=list)
    validities: list[FacetNode] = field(default_factory=list)


# The validity filter's value for documents with none marked (Document.Validity "").
VALIDITY_UNMARKED = "none"

# Each facet (named as in its maintained counts): its cell column and the filters it ignores (its own).
FACET_DIMENSIONS = {
    "organisation": ("organisation_id", {"organisation_ids": None}),
    "topic": ("topic_id", {"topic_ids": None}),
    "genre": ("genre_id", {"genre_ids": None}),
    "year": ("year", {"year_from": None, "year_to": None}),
    "validity": ("validity", {"validity": None}),
}


def _own_counts(filters: Filters) -> dict[str, dict]:
    """{dimension: {value: count}} of the public documents under every
    filter but the facet's own: the maintained counts when no other filter
    applies (the home page, the unfiltered catalog), the maintained cells
    otherwise."""
    out, requests = {}, []
    for dimension, (column, without) in FACET_DIMENSIONS.items():
        others = dataclasses.replace(filters, **without)
        if others == Filters():
            maintained = counts.counts(dimension)
            out[dimension] = maintained if dimension == "validity" else {
                int(key): n for key, n in maintained.items() if key}
        else:
            requests.append((dimension, others, column))
    for (dimension, _, _), found in zip(requests, counts.cell_counts([(o, c) for _, o, c in requests])):
        out[dimension] = found
    return out


def _tree(nodes: list[tuple[int, int | None, str]], own: dict[int, int], roll_up: bool) -> list[FacetNode]:
    """Build a tree of FacetNodes from (id, parent_id, label) rows in display order.
    With roll_up, a node counts its own documents and all below it. Nodes whose
    count is zero (and every node below them is zero) are left out."""
    by_parent: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    known = {node_id for node_id, _, _ in nodes}
    for node_id, parent_id, label in nodes:
        by_parent[parent_id if parent_id in known else None].append((node_id, label))

    def build(parent_id, depth) -> tuple[list[FacetNode], int]:
        out, subtotal = [], 0
        if depth > 20:  # a cycle in bad data must not hang the page
            return out, subtotal
        for node_id, label in by_parent.get(parent_id, []):
            children, below = build(node_id, depth + 1)
            mine = own.get(node_id, 0)
            count = mine + below if roll_up else mine
            subtotal += mine + below
            if mine + below:
                out.append(FacetNode(key=node_id, label=label, count=count, children=children))
        return out, subtotal

    return build(None, 0)[0]


def facet_counts(filters: Filters, *, include_children: bool = True) -> Facets:
    """Counts per organisation, topic, genre, year and validity.

    Each facet is counted under every current filter except its own, so a count
    says how many documents a click on that choice would list. Organisations
    count with their lower organisations when `include_children` (as the
    filter does); topics always count with their subtopics. Five GROUP BY
    queries over the maintained counts, plus one each for the organisation and
    topic trees."""
    facets = Facets()

    own = _own_counts(filters)
    own_orgs = own["organisation"]
    orgs = Organisation.objects.order_by("sort_order", "id").values_list("id", "parent_id", "name")
    facets.organisations = _tree(list(orgs), own_orgs, roll_up=include_children)

    own_topics = own["topic"]
    topics = Topic.objects.order_by("sort_order", "id").values_list("id", "parent_id", "name")
    facets.topics = _tree(list(topics), own_topics, roll_up=True)

    own_genres = own["genre"]
    for genre_id, name in Genre.objects.order_by("sort_order", "id").values_list("id", "name"):
        if own_genres.get(genre_id):
            facets.genres.append(FacetNode(key=genre_id, label=name, count=own_genres[genre_id]))

    own_years = own["year"]
    for year, n in sorted(own_years.items(), reverse=True):
        facets.years.append(FacetNode(key=year, label=f"{year}年", count=n))

    own_validity = own["validity"]
    for value, label in Document.Validity.choices:
        if value and own_validity.get(value):
            facets.validities.append(FacetNode(key=value, label=label, count=own_validity[value]))
    if own_validity.get(""):  # documents with no validity marked: listed, so the counts add up to the total
        facets.validities.append(FacetNode(key=VALIDITY_UNMARKED, label="未标注", count=own_validity[""]))
    return facets


# ---------------------------------------------------------------- home


@dataclass
class EntryPoints:
    """Ways into the catalog for the home page, each with its document count
    (the same GROUP BY queries as the catalog's facets, without filters)."""

    organisations: list[FacetNode]  # top two levels are shown
    topics: list[FacetNode]  # first level, counts include subtopics
    genres: list[FacetNode]
    years: list[FacetNode]


def entry_points(*, years: int = 8) -> EntryPoints:
    facets = facet_counts(Filters())
    return EntryPoints(
        organisations=facets.organisations,
        topics=facets.topics,
        genres=facets.genres,
        years=facets.years[:years],
    )


# ---------------------------------------------------------------- browse


@dataclass
class Browse:
    page: Page  # of Documents
    total: int
    facets: Facets
    requested_page: int  # what was asked for; differs from page.number when out of range


class _Selective:
    """The filtered public documents, newest first, for filters that keep few
    of them (a topic and a genre, a small organisation), on SQLite.

    SQLite would walk the date index and read each document row (bodies
    included) until it had a page: for a rare combination that is most of the
    table. Read the ids from the index over the facet columns instead (it
    holds every filter column and the date), sort those few, and load only
    the page's rows. Filters that keep many documents (a year, a validity)
    find a page at once on the date index and keep the plain query."""

    SHARE = 0.2  # at most this share of the public documents counts as few

    def __init__(self, qs: QuerySet, filters: Filters, total: int):
        self.qs, self.filters, self.total = qs, filters, total

    @classmethod
    def of(cls, qs: QuerySet, filters: Filters, total: int):
        if qs.db != "default" or connections[qs.db].vendor != "sqlite":
            return None
        return cls(qs, filters, total) if total <= cls.SHARE * max(public_count(), 1) else None

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window):
        if not isinstance(window, slice):
            return self[window:window + 1][0]
        start, stop = window.start or 0, min(window.stop or self.total, self.total)
        if stop <= start:
            return []
        where, params = self.filters.sql()
        with connections[self.qs.db].cursor() as cursor:
            cursor.execute(
                f"SELECT d.id FROM {Document._meta.db_table} d INDEXED BY doc_public_facets"
                f" WHERE {' AND '.join(['d.status = %s', 'd.disclosure = %s', *where])}"
                " ORDER BY d.published_date DESC, d.id DESC LIMIT %s OFFSET %s",
                [Document.Status.PUBLISHED, Document.Disclosure.PROACTIVE, *params, stop - start, start],
            )
            ids = [row[0] for row in cursor.fetchall()]
        found = self.qs.order_by().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def browse(
    filters: Filters | None = None, *, page=1, per_page: int = 20, include_children: bool = True, facets: bool = True
) -> Browse:
    """One page of the public catalog under `filters`, newest first, with facet counts."""
    filters = filters or Filters()
    qs = apply_filters(public_documents(), filters).select_related("organisation", "topic", "genre")
    qs = qs.order_by("-published_date", "-id")
    per_page = min(max(int(per_page or 20), 1), MAX_PER_PAGE)
    # The size is maintained, never counted: the whole catalog's, or the sum of its cells under the filters.
    total = public_count() if filters == Filters() else counts.cell_total(filters)
    listing = None if filters == Filters() else _Selective.of(qs, filters, total)
    paginator = Paginator(listing if listing is not None else qs, per_page)
    paginator.count = total
    try:
        requested = int(page)
    except (TypeError, ValueError):
        requested = 1
    requested = max(requested, 1)
    result_page = paginator.get_page(requested)
    return Browse(
        page=result_page,
        total=paginator.count,
        facets=facet_counts(filters, include_children=include_children) if facets else Facets(),
        requested_page=requested,
    )


# ---------------------------------------------------------------- one document


def _public_page(doc: Document | None) -> Document | None:
    """A document has a public page when it is published and proactive, or
    withdrawn (the page stays up to say so). Drafts and documents disclosed
    only on request or withheld have none."""
    if doc is not None and (doc.is_public or doc.status == Document.Status.WITHDRAWN):
        return doc
    return None


def _document_qs() -> QuerySet[Document]:
    return Document.objects.select_related("organisation", "topic", "topic__parent", "genre")


def document_by_index_number(index_number: str) -> Document | None:
    """The document a public URL names (see `_public_page`), or None."""
    return _public_page(_document_qs().filter(index_number=index_number).first())


def document_by_id(pk: int) -> Document | None:
    """The same by primary key: the URL of documents without an index number."""
    return _public_page(_document_qs().filter(pk=pk).first())


@dataclass
class AttachmentItem:
    name: str
    url: str
    size: int
    kind: str  # the file type a person recognises: PDF, DOCX, ...


def attachments(doc: Document) -> list[AttachmentItem]:
    items = []
    for attachment in doc.attachments.all():
        ext = os.path.splitext(attachment.file.name)[1].lstrip(".").upper()
        items.append(AttachmentItem(attachment.name or os.path.basename(attachment.file.name),
                                    attachment.file.url, attachment.size, ext or "文件"))
    return items


def safe_body(doc: Document) -> str:
    """The body as stored, sanitised once more on the way out."""
    return text.sanitise(doc.body)


@dataclass
class RelatedItem:
    label: str  # from the document's side: 被本文件废止, 本文件的解读 ... (Relation.OUTGOING_LABELS, INVERSE_LABELS)
    title: str
    document_number: str = ""
    document: Document | None = None  # set when the other side has a public page
    withdrawn: bool = False


def relations(doc: Document) -> list[RelatedItem]:
    """Both directions: what this document cites, interprets, amends ... (its own
    relations) and what others say about it, labelled from its side
    ("被本文件废止", "本文件的解读", ...). A target that is not public is named by the
    title the relation recorded, without a link (a withdrawn one links to its
    withdrawn page); incoming relations count only from public documents."""
    items: list[RelatedItem] = []
    outgoing = Relation.objects.filter(source=doc).select_related("target").order_by("kind", "id")
    for rel in outgoing:
        target = _public_page(rel.target)
        title = target.title if target else (rel.target_title or rel.target_document_number)
        number = target.document_number if target else rel.target_document_number
        items.append(
            RelatedItem(
                label=Relation.OUTGOING_LABELS.get(rel.kind, rel.kind),
                title=title,
                document_number=number if number != title else "",
                document=target,
                withdrawn=bool(target and target.status == Document.Status.WITHDRAWN),
            )
        )
    incoming = (
        Relation.objects.filter(
            target=doc, source__status=Document.Status.PUBLISHED, source__disclosure=Document.Disclosure.PROACTIVE
        )
        .select_related("source")
        .order_by("kind", "id")
    )
    for rel in incoming:
        items.append(
            RelatedItem(
                label=Relation.INVERSE_LABELS.get(rel.kind, rel.kind),
                title=rel.source.title,
                document_number=rel.source.document_number,
                document=rel.source,
            )
        )
    return items
