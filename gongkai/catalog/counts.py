"""The public catalog's facet counts, maintained instead of recounted.

`PublicCount` holds, per dimension (organisation, topic, genre, year,
validity, and "all"), how many public documents each value has. Every save
or deletion of a document applies the difference between what the row
counted for when it was loaded (`Document._counted`) and what it counts for
now. Each difference is applied when its transaction commits, in a short
transaction of its own with the rows locked in a fixed order, so that
concurrent writers never deadlock on the counters and never hold them while
they work (the test suite, whose transactions never commit, applies them at
once: `GONGKAI_GENERATION_IMMEDIATE`).

`recount()` rebuilds the table from the documents (after bulk writes that
bypass model signals, and from `gongkai reindex`); `drift()` says whether the
maintained counts match a recount.
"""

from __future__ import annotations

from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import CharField, Count, F, Func, IntegerField, Value
from django.db.models.functions import Cast, ExtractYear

from gongkai.core import db

def _apply(deltas: Counter, using: str) -> None:
    from .models import PublicCount

    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    with transaction.atomic(using=using):
        for (dimension, value), n in changes:
            rows = PublicCount.objects.using(using).filter(dimension=dimension, key=value)
            if not rows.update(n=F("n") + n):
                row, created = PublicCount.objects.using(using).get_or_create(
                    dimension=dimension, key=value, defaults={"n": n})
                if not created:
                    rows.update(n=F("n") + n)


def record(before, after, using: str = DEFAULT_DB_ALIAS) -> None:
    """Count a document's change from the facets `before` to `after`, when
    its transaction commits (Django drops the hook with a rolled-back
    transaction or savepoint, so a change that never happened is never counted)."""
    if before == after:
        return
    deltas = Counter()
    for key in before or ():
        deltas[key] -= 1
    for key in after or ():
        deltas[key] += 1
    db.after_commit(lambda: _apply(deltas, using), using)


def counts(dimension: str) -> dict[str, int]:
    from .models import PublicCount

    return {key: n for key, n in PublicCount.objects.filter(dimension=dimension, n__gt=0).values_list("key", "n")}


def publication_year(using: str = "default"):
    """The publication year as SQL. On SQLite, Django's ExtractYear calls a
    Python function once per row (800 ms over 100,000 documents); the date is
    stored as 'YYYY-MM-DD' text there, so its first four characters are read
    in SQL instead."""
    if connections[using].vendor == "sqlite":
        return Cast(Func(F("published_date"), Value(1), Value(4), function="substr", output_field=CharField()),
                    IntegerField())
    return ExtractYear("published_date")


def _recounted() -> Counter:
    from .models import Document

    public = Document.objects.filter(status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE)
    found = Counter()
    for dimension, column in (("organisation", "organisation_id"), ("topic", "topic_id"), ("genre", "genre_id"),
                              ("validity", "validity")):
        for value, n in public.order_by().values_list(column).annotate(n=Count("id")):
            found[(dimension, "" if value is None else str(value))] += n
    years = public.order_by().annotate(y=publication_year(public.db)).values_list("y").annotate(n=Count("id"))
    for year, n in years:
        found[("year", "" if year is None else str(int(year)))] += n
    found[("all", "")] = public.count()
    return found


def drift() -> dict:
    """{(dimension, key): (maintained, recounted)} where the two differ."""
    from .models import PublicCount

    maintained = {(d, k): n for d, k, n in PublicCount.objects.values_list("dimension", "key", "n") if n}
    actual = {key: n for key, n in _recounted().items() if n}
    return {key: (maintained.get(key, 0), actual.get(key, 0))
            for key in set(maintained) | set(actual) if maintained.get(key, 0) != actual.get(key, 0)}


@transaction.atomic
def recount() -> int:
    """Rebuild the counts from the documents; returns the number of rows."""
    from .models import PublicCount

    rows = [PublicCount(dimension=d, key=k, n=n) for (d, k), n in sorted(_recounted().items()) if n]
    PublicCount.objects.all().delete()
    PublicCount.objects.bulk_create(rows)
    return len(rows)
