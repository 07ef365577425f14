"""The public catalog's facet counts are maintained, not recounted
(gongkai.catalog.counts): after any sequence of changes they equal a recount,
a rolled-back change leaves them alone, and the home page and the unfiltered
catalog read them instead of counting the documents."""

import dataclasses
import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from gongkai.catalog import counts, selectors, services
from gongkai.catalog.models import Document, PublicCount, Topic
from gongkai.search.backends import Filters

from tests.portal.conftest import portal_catalog  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_counts_follow_every_change(org_tree, make_document):
    topics = list(Topic.objects.filter(parent__isnull=False)[:2])
    a = make_document(org_tree["county"], "关于甲事项的通知", "甲", topic=topics[0], published_date=dt.date(2023, 5, 1))
    b = make_document(org_tree["city"], "关于乙事项的通知", "乙", topic=topics[1], published_date=dt.date(2024, 5, 1))
    draft = services.create_document(organisation=org_tree["county"], title="草稿", body_text="草稿", publish=False)
    assert counts.drift() == {} and selectors.public_count() == 2
    services.publish_document(draft, on=dt.date(2024, 6, 1))
    services.update_document(Document.objects.get(pk=a.pk), title="关于甲事项的通知（修订）", topic=topics[1],
                             published_date=dt.date(2022, 1, 1))
    doc = Document.objects.only("id", "title").get(pk=b.pk)  # loaded in part: the old facets are read back
    doc.validity = Document.Validity.EXPIRED
    doc.save()
    services.withdraw_document(Document.objects.get(pk=draft.pk), reason="撤回")
    on_request = Document.objects.get(pk=a.pk)
    on_request.disclosure = Document.Disclosure.ON_REQUEST
    on_request.save()
    assert counts.drift() == {}
    assert selectors.public_count() == 1 and counts.counts("validity") == {"expired": 1}
    services.delete_document(Document.objects.get(pk=b.pk))
    assert counts.drift() == {} and selectors.public_count() == 0


def test_the_maintained_facets_equal_the_counted_ones(portal_catalog):
    assert counts.drift() == {}
    unfiltered = selectors.facet_counts(Filters())  # the maintained counts
    county = portal_catalog.orgs["county"]
    # The same facet under a filter on another dimension is counted by GROUP BY: with a
    # filter that keeps every public document, the two must agree.
    everything = Filters(validity=None, year_from=1900)
    counted = selectors.facet_counts(everything)
    assert [(n.key, n.count) for n in unfiltered.genres] == [(n.key, n.count) for n in counted.genres]
    assert [(n.key, n.count) for n in unfiltered.topics] == [(n.key, n.count) for n in counted.topics]
    assert [(n.key, n.count) for n in unfiltered.validities] == [(n.key, n.count) for n in counted.validities]
    assert unfiltered.organisations[0].count == len(portal_catalog.public)
    assert county.pk in {n.key for n in _walk(unfiltered.organisations)}


def _matches(doc, filters: Filters) -> bool:
    """Filters' meaning, in Python, for a document (the ground truth)."""
    year = doc.published_date.year if doc.published_date else None
    return ((filters.organisation_ids is None or doc.organisation_id in filters.organisation_ids)
            and (filters.topic_ids is None or doc.topic_id in filters.topic_ids)
            and (filters.genre_ids is None or doc.genre_id in filters.genre_ids)
            and (not filters.year_from or (year is not None and year >= filters.year_from))
            and (not filters.year_to or (year is not None and year <= filters.year_to))
            and (filters.validity is None or doc.validity == filters.validity))


def test_filtered_facets_and_totals_equal_the_documents_under_any_filter(org_tree, make_document):
    """A filtered page's facets and total come from the maintained cells; under
    random combinations of filters, after edits, withdrawals and a deletion,
    each equals what the documents themselves say."""
    import random
    from collections import Counter

    rng = random.Random(20261207)
    orgs = [org_tree[name] for name in ("province", "city", "county", "department")]
    topics = list(Topic.objects.all()[:6]) + [None]
    genres = list(selectors.Genre.objects.all()[:4]) + [None]
    validities = [v for v, _ in Document.Validity.choices]
    docs = []
    for i in range(60):
        docs.append(make_document(rng.choice(orgs), f"关于第{i}项工作的通知", "正文", topic=rng.choice(topics),
                                  genre=rng.choice(genres), validity=rng.choice(validities),
                                  published_date=dt.date(rng.randint(2018, 2024), rng.randint(1, 12), 1)))
    for doc in rng.sample(docs, 10):
        services.update_document(Document.objects.get(pk=doc.pk), topic=rng.choice(topics[:-1]),
                                 published_date=dt.date(rng.randint(2018, 2024), 6, 1))
    services.withdraw_document(Document.objects.get(pk=docs[0].pk), reason="撤回")
    services.delete_document(Document.objects.get(pk=docs[1].pk))
    public = list(selectors.public_documents())
    for _ in range(40):
        year_from = rng.choice([None, 2019, 2021])
        filters = Filters(
            organisation_ids=rng.choice([None, {orgs[2].pk}, {o.pk for o in orgs[1:3]}]),
            topic_ids=rng.choice([None, {t.pk for t in topics[:2] if t}]),
            genre_ids=rng.choice([None, {g.pk for g in genres[:1] if g}]),
            year_from=year_from, year_to=rng.choice([None, 2022]) if year_from != 2021 or rng.random() < 0.5 else 2021,
            validity=rng.choice([None, *validities]))
        result = selectors.browse(filters, per_page=5, include_children=False)
        assert result.total == sum(_matches(d, filters) for d in public), filters
        for attr, field, without in (("genres", "genre_id", {"genre_ids": None}),
                                     ("validities", "validity", {"validity": None}),
                                     ("years", None, {"year_from": None, "year_to": None})):
            others = dataclasses.replace(filters, **without)
            expected = Counter((d.published_date.year if field is None else getattr(d, field))
                               for d in public if _matches(d, others))
            # Documents without the facet are left out, except validity's: "" is 未标注, listed so the facet adds up.
            expected = {("none" if field == "validity" and k == "" else k): n for k, n in expected.items()
                        if k is not None and (k != "" or field == "validity")}
            assert {n.key: n.count for n in getattr(result.facets, attr)} == expected, (attr, filters)
        others = dataclasses.replace(filters, organisation_ids=None)
        expected = Counter(d.organisation_id for d in public if _matches(d, others))
        assert {n.key: n.count for n in _walk(result.facets.organisations) if n.count} == dict(expected)
    assert counts.drift() == {}


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def test_the_home_page_does_not_count_documents(client, portal_catalog, django_assert_max_num_queries, settings):
    settings.GONGKAI_PAGE_CACHE = False
    with django_assert_max_num_queries(12):
        page = client.get("/")
    assert page.status_code == 200
    total = selectors.public_count()
    assert total == len(portal_catalog.public) and f"{total}" in page.content.decode()


@pytest.mark.django_db(transaction=True)
@override_settings(GONGKAI_GENERATION_IMMEDIATE=False)
def test_a_rolled_back_change_is_not_counted(org_tree, make_document):
    make_document(org_tree["county"], "已公开的文件", "正文")
    before = dict(counts.counts("all"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            make_document(org_tree["county"], "回滚的文件", "正文")
            raise RuntimeError("rolled back")
    assert counts.counts("all") == before
    with transaction.atomic():
        make_document(org_tree["county"], "提交的文件", "正文")
        with pytest.raises(RuntimeError):
            with transaction.atomic():  # a savepoint rolled back inside a committed transaction
                make_document(org_tree["county"], "存档点回滚的文件", "正文")
                raise RuntimeError("savepoint rolled back")
        assert counts.counts("all") == before  # not before the commit
    assert counts.counts("all") == {"": before[""] + 1} and counts.drift() == {}


def test_recount_repairs_counts_after_bulk_writes(org_tree, make_document):
    make_document(org_tree["county"], "已公开的文件", "正文")
    PublicCount.objects.all().delete()  # as after a bulk load that bypassed the signals
    assert counts.drift()
    counts.recount()
    assert counts.drift() == {} and selectors.public_count() == 1


def test_planner_statistics_are_refreshed_after_bulk_writes(org_tree, make_document):
    from django.db import connection

    from gongkai.core import db

    make_document(org_tree["county"], "已公开的文件", "正文")
    db.refresh_statistics()  # ANALYZE on PostgreSQL, PRAGMA optimize on SQLite: must not fail inside a transaction
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_document'")
            assert cursor.fetchone()[0] >= 1


@pytest.mark.parametrize("share", [0.0, 1.0])  # never, always taken as few
def test_a_selective_filter_lists_exactly_what_the_plain_query_lists(org_tree, make_document, monkeypatch, share):
    """On SQLite a filter that keeps few documents is listed from the facet
    index (selectors._Selective): same documents, same order, every page."""
    from django.db import connection

    monkeypatch.setattr(selectors._Selective, "SHARE", share)
    topics = list(Topic.objects.filter(parent__isnull=False)[:3])
    for i in range(30):
        make_document(org_tree["county"] if i % 4 else org_tree["department"], f"关于第{i}项工作的通知", "正文",
                      topic=topics[i % 3], published_date=dt.date(2020 + i % 5, 1 + i % 12, 1 + i % 28))
    cases = [Filters(topic_ids={topics[0].pk}), Filters(organisation_ids={org_tree["department"].pk}),
             Filters(topic_ids={topics[1].pk}, year_from=2021, year_to=2023), Filters(topic_ids=set())]
    for filters in cases:
        expected = list(selectors.apply_filters(selectors.public_documents(), filters)
                        .order_by("-published_date", "-id").values_list("id", flat=True))
        listed, page = [], 1
        while True:
            result = selectors.browse(filters, page=page, per_page=4, facets=False)
            listed += [doc.pk for doc in result.page.object_list]
            if not result.page.has_next():
                break
            page += 1
        assert listed == expected and result.total == len(expected), filters
        chosen = selectors._Selective.of(selectors.apply_filters(selectors.public_documents(), filters), filters,
                                         len(expected))
        assert (chosen is not None) == (connection.vendor == "sqlite" and (share == 1.0 or not expected))
