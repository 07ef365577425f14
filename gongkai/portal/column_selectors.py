"""Reads of the 政府信息公开 column (issue 18), shared by its public and staff pages.

What a column lists: the public catalog documents (published, proactively
disclosed: catalog.selectors.public_documents) that match any of its rules
or of its sub-columns' rules. A rule matches a document when every
condition it gives holds: the topic (or one of its subtopics), the genre,
a word in the title, and, when the rule names one, the organisation. On an
organisation's own column only that organisation's documents are listed.

政府信息公开制度 (the organisation's rules on openness) is a column too
(section "rules"): shipped with the rule "topic 综合政务/政务公开 and a
rule-making genre (规章, 行政规范性文件, 决定, 意见, 通知)", which the office
may change like any other column's rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from gongkai.catalog.models import Document, Genre, Topic
from gongkai.catalog.selectors import public_documents, topic_descendant_ids
from gongkai.core.models import Organisation

from .models import ColumnRule, DisclosureColumn, OpennessGuide

ANNUAL_REPORT_GENRE = "年度报告"  # catalog migration 0010; gongkai.reports publishes under it
INTERPRETATION_GENRE = "政策解读"
POLICY_GENRES = ("规章", "行政规范性文件")  # 政策文件
EMPTY_COLUMN_TEXT = "本栏目暂无信息"


# ---------------------------------------------------------------- columns


def _all_columns() -> list[DisclosureColumn]:
    return list(DisclosureColumn.objects.prefetch_related("rules__topic", "rules__genre").order_by("sort_order", "id"))


def _subtree(column: DisclosureColumn, columns: list[DisclosureColumn]) -> list[DisclosureColumn]:
    found, frontier = [column], [column.pk]
    while frontier:
        level = [c for c in columns if c.parent_id in frontier]
        found += level
        frontier = [c.pk for c in level]
    return found


def _topic_subtrees() -> dict[int, set[int]]:
    """Each topic's id -> itself and every topic below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Topic.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)

    def below(pk):
        found = {pk}
        for child in children.get(pk, []):
            found |= below(child)
        return found

    return {pk: below(pk) for ids in children.values() for pk in ids}


def _applicable(rules, organisation: Organisation | None):
    """The rules that count on this organisation's column (its own and the
    installation-wide ones; every rule on the site-wide column) and give at
    least one condition (a rule with none would list everything: never)."""
    return [rule for rule in rules
            if (organisation is None or rule.organisation_id in (None, organisation.pk))
            and (rule.topic_id or rule.genre_id or rule.keyword)]


def rule_filter(rules, organisation: Organisation | None, topics: dict[int, set[int]] | None = None) -> Q | None:
    """The documents any of `rules` matches (None: the rules match nothing)."""
    combined = None
    for rule in _applicable(rules, organisation):
        cond = Q()
        if rule.topic_id:
            subtree = topics.get(rule.topic_id) if topics is not None else None
            cond &= Q(topic_id__in=subtree or topic_descendant_ids([rule.topic_id]))
        if rule.genre_id:
            cond &= Q(genre_id=rule.genre_id)
        if rule.keyword:
            cond &= Q(title__contains=rule.keyword)
        if rule.organisation_id and organisation is None:
            cond &= Q(organisation_id=rule.organisation_id)
        combined = cond if combined is None else combined | cond
    return combined


def _row_matches(rules, row: dict, topics: dict[int, set[int]], fold_case: bool = False) -> bool:
    """`rule_filter` read on one row: a group of documents sharing topic and
    genre (and organisation), or one document with its title. A rule with a
    title word matches only rows that carry a title (column_tree fetches the
    documents whose titles hold any rule's word)."""
    for rule in rules:
        if rule.topic_id and row["topic_id"] not in topics.get(rule.topic_id, {rule.topic_id}):
            continue
        if rule.genre_id and row["genre_id"] != rule.genre_id:
            continue
        if rule.organisation_id and row.get("organisation_id", rule.organisation_id) != rule.organisation_id:
            continue
        if rule.keyword:
            title = row.get("title")
            if title is None:
                continue
            if fold_case:  # SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's does not
                title, word = title.lower(), rule.keyword.lower()
            else:
                word = rule.keyword
            if word not in title:
                continue
        return True
    return False


def _scoped(organisation: Organisation | None) -> QuerySet[Document]:
    qs = public_documents()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def column_documents(column: DisclosureColumn, organisation: Organisation | None,
                     columns: list[DisclosureColumn] | None = None,
                     topics: dict[int, set[int]] | None = None) -> QuerySet[Document]:
    """The public documents the column (with its sub-columns) lists, newest first."""
    columns = columns if columns is not None else _all_columns()
    rules = [rule for c in _subtree(column, columns) for rule in c.rules.all()]
    condition = rule_filter(rules, organisation, topics)
    if condition is None:
        return Document.objects.none()
    return (_scoped(organisation).filter(condition)
            .select_related("organisation", "genre").order_by("-published_date", "-id"))


@dataclass
class ColumnNode:
    column: DisclosureColumn
    count: int = 0
    last_updated: object = None  # the newest document's published date
    children: list[ColumnNode] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.count == 0


def column_tree(organisation: Organisation | None, section: str = DisclosureColumn.Section.STATUTORY) -> list[ColumnNode]:
    """The columns of a section that apply to the organisation (or to the
    whole site), each with its number of documents and 最后更新 date.

    Two queries, whatever the number of columns: the count and newest date of
    the documents per topic and genre (and organisation, on the site-wide
    column when a rule names one), and the documents whose title holds any
    rule's title word. A column adds up the groups its other rules match, then
    the titled documents its title-word rules match that those groups did not
    count already."""
    from django.db import connection

    columns = _all_columns()
    topics = _topic_subtrees()
    shown = [c for c in columns if c.section == section and c.applies_to(organisation)]
    rules_of = {c.pk: _applicable([r for sub in _subtree(c, columns) for r in sub.rules.all()], organisation)
                for c in shown}
    every_rule = [r for rules in rules_of.values() for r in rules]
    by_org = organisation is None and any(r.organisation_id for r in every_rule)
    keys = ["topic_id", "genre_id"] + (["organisation_id"] if by_org else [])
    groups = list(_scoped(organisation).order_by().values(*keys).annotate(n=Count("id"), last=Max("published_date")))
    words = sorted({r.keyword for r in every_rule if r.keyword})
    titled = []
    if words:
        any_word = Q()
        for word in words:
            any_word |= Q(title__contains=word)
        titled = list(_scoped(organisation).filter(any_word).order_by()
                      .values("title", "topic_id", "genre_id", "organisation_id", "published_date"))
    fold_case = connection.vendor == "sqlite"

    def stats(column) -> tuple[int, object]:
        rules = rules_of[column.pk]
        plain = [r for r in rules if not r.keyword]
        worded = [r for r in rules if r.keyword]
        matched = [g for g in groups if _row_matches(plain, g, topics)]
        n = sum(g["n"] for g in matched)
        dates = [g["last"] for g in matched if g["last"]]
        for doc in titled if worded else ():
            if _row_matches(worded, doc, topics, fold_case) and not _row_matches(plain, doc, topics):
                n += 1
                dates += [doc["published_date"]] if doc["published_date"] else []
        return n, max(dates, default=None)

    def build(parent_id) -> list[ColumnNode]:
        return [ColumnNode(column, *stats(column), build(column.pk)) for column in shown if column.parent_id == parent_id]

    return build(None)


# The site-wide tree counts every public document of the installation: at a
# province's size it takes seconds (title words scan the catalog). It is kept
# in the shared cache, refreshed by a periodic job (portal.tasks,
# gongkai.jobs) and after a rule changes; a visitor computes it only when the
# cache has none. An organisation's own tree is small and always live.
SITE_TREE_KEY = "portal:column-tree:site:{section}"
SITE_TREE_SECONDS = 3600  # the job refreshes it every few minutes; this is the fallback's age limit


@dataclass
class SiteTree:
    nodes: list[ColumnNode]
    counted_at: object  # an aware datetime


def refresh_site_tree(section: str = DisclosureColumn.Section.STATUTORY) -> SiteTree:
    from django.core.cache import cache
    from django.utils import timezone

    tree = SiteTree(column_tree(None, section), timezone.now())
    cache.set(SITE_TREE_KEY.format(section=section), tree, SITE_TREE_SECONDS)
    return tree


def site_tree(section: str = DisclosureColumn.Section.STATUTORY) -> SiteTree:
    """The site-wide tree as last counted (counted now when none is kept)."""
    from django.core.cache import cache

    tree = cache.get(SITE_TREE_KEY.format(section=section))
    return tree if isinstance(tree, SiteTree) else refresh_site_tree(section)


def forget_site_tree() -> None:
    from django.core.cache import cache

    cache.delete_many([SITE_TREE_KEY.format(section=section) for section in DisclosureColumn.Section.values])


def tree_for(organisation: Organisation | None) -> tuple[list[ColumnNode], object]:
    """(nodes, when counted: None for live counts) of the statutory tree the
    public pages show: the organisation's live, the site's as last counted."""
    if organisation is not None:
        return column_tree(organisation), None
    tree = site_tree()
    return tree.nodes, tree.counted_at


def find_node(nodes: list[ColumnNode], column: DisclosureColumn) -> ColumnNode | None:
    for node in nodes:
        if node.column.pk == column.pk:
            return node
        found = find_node(node.children, column)
        if found is not None:
            return found
    return None


def find_column(key: str) -> DisclosureColumn | None:
    return DisclosureColumn.objects.filter(key=key).select_related("parent").first()


def rules_column() -> DisclosureColumn | None:
    """The column of 政府信息公开制度."""
    return DisclosureColumn.objects.filter(section=DisclosureColumn.Section.RULES, parent=None).order_by("sort_order", "id").first()


def empty_columns(organisation: Organisation) -> list[ColumnNode]:
    """The organisation's columns without any document, lowest level first
    (a parent is listed only when it has no sub-column): the inspection
    indicators count blank columns (国办秘函〔2019〕19号: 5 or more is a veto)."""
    found = []

    def walk(nodes):
        for node in nodes:
            if node.children:
                walk(node.children)
            elif node.empty:
                found.append(node)

    walk(column_tree(organisation))
    rules = rules_column()
    if rules is not None and not column_documents(rules, organisation).exists():
        found.insert(0, ColumnNode(rules))
    return found


def column_rules(organisation: Organisation) -> list[tuple[DisclosureColumn, list[ColumnRule]]]:
    """Every column with the rules that fill it for the organisation (its
    own and the installation-wide ones)."""
    result = []
    columns = list(DisclosureColumn.objects.order_by("sort_order", "id"))
    rules = list(ColumnRule.objects.filter(Q(organisation=None) | Q(organisation=organisation))
                 .select_related("topic", "genre", "organisation").order_by("id"))

    def walk(parent_id, section):
        for column in columns:
            if column.parent_id == parent_id and column.section == section and column.applies_to(organisation):
                result.append((column, [r for r in rules if r.column_id == column.pk]))
                walk(column.pk, section)

    walk(None, DisclosureColumn.Section.RULES)
    walk(None, DisclosureColumn.Section.STATUTORY)
    return result


# ---------------------------------------------------------------- the other entries


def current_guide(organisation: Organisation) -> OpennessGuide | None:
    return OpennessGuide.objects.filter(organisation=organisation).order_by("-number").first()


def guide_versions(organisation: Organisation) -> list[OpennessGuide]:
    return list(OpennessGuide.objects.filter(organisation=organisation).order_by("-number"))


def organisations_with_guides() -> list[Organisation]:
    ids = OpennessGuide.objects.values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("sort_order", "id"))


@dataclass
class ReportYear:
    year: int
    documents: list[Document]


YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")


def annual_reports(organisation: Organisation | None) -> list[ReportYear]:
    """The published annual reports by report year, newest first: the public
    catalog documents of the genre 年度报告 (where gongkai.reports publishes
    them; the report's year is taken from its AnnualReport when it has one,
    else from the title, else the year before publication)."""
    from gongkai.reports.models import AnnualReport

    docs = list(_scoped(organisation).filter(genre__name=ANNUAL_REPORT_GENRE)
                .select_related("organisation").order_by("-published_date", "-id"))
    years = dict(AnnualReport.objects.filter(document_id__in=[d.pk for d in docs], state=AnnualReport.State.PUBLISHED)
                 .values_list("document_id", "year"))
    by_year: dict[int, list[Document]] = {}
    for doc in docs:
        year = years.get(doc.pk)
        if year is None:
            match = YEAR_IN_TITLE.search(doc.title)
            year = int(match.group(1)) if match else (doc.published_date.year - 1 if doc.published_date else 0)
        by_year.setdefault(year, []).append(doc)
    return [ReportYear(year, by_year[year]) for year in sorted(by_year, reverse=True)]


def policy_documents(organisation: Organisation | None, *, valid_only: bool) -> QuerySet[Document]:
    """政策文件: the 规章 and 行政规范性文件, optionally only those in force (现行有效)."""
    qs = _scoped(organisation).filter(genre__name__in=POLICY_GENRES)
    if valid_only:
        qs = qs.filter(validity=Document.Validity.VALID)
    return qs.select_related("organisation", "genre").order_by("-published_date", "-id")


def genre_id(name: str) -> int | None:
    return Genre.objects.filter(name=name).values_list("pk", flat=True).first()


def organisation_tree() -> list[tuple[Organisation, list]]:
    """Every organisation as a nested tree (node, children), in the tree's order."""
    orgs = list(Organisation.objects.order_by("sort_order", "id"))

    def build(parent_id):
        return [(o, build(o.pk)) for o in orgs if o.parent_id == parent_id]

    return build(None)
