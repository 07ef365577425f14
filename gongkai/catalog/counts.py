"""The public catalog's facet counts, maintained instead of recounted.

`PublicCount` holds, per dimension (organisation, topic, genre, year,
validity, and "all"), how many public documents each value has; `FacetCell`
how many share each combination of the five (dimension "cell" in the
deltas), from which a filtered page counts its facets (`cell_counts`). Every save
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

from .models import cell_key

CELL_COLUMNS = ("organisation_id", "topic_id", "genre_id", "year", "validity")


def _cell(key: str) -> dict:
    org, topic, genre, year, validity = key.split("|", 4)
    return {"organisation_id": int(org), "topic_id": int(topic), "genre_id": int(genre), "year": int(year),
            "validity": validity}


def _apply(deltas: Counter, using: str) -> None:
    from .models import FacetCell, PublicCount

    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    with transaction.atomic(using=using):
        for (dimension, value), n in changes:
            if dimension == "cell":
                model, lookup = FacetCell, _cell(value)
            else:
                model, lookup = PublicCount, {"dimension": dimension, "key": value}
            rows = model.objects.using(using).filter(**lookup)
            if not rows.update(n=F("n") + n):
                row, created = model.objects.using(using).get_or_create(**lookup, defaults={"n": n})
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


def _cell_where(filters) -> tuple[str, list]:
    """The FacetCells under the search layer's `Filters`, as a WHERE clause
    (the same meaning as `selectors.apply_filters` on the documents)."""
    where, params = ["n > 0"], []
    for column, ids in (("organisation_id", filters.organisation_ids), ("topic_id", filters.topic_ids),
                        ("genre_id", filters.genre_ids)):
        if ids is not None:
            ids = sorted(int(i) for i in ids)
            where.append(f"{column} IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0")
            params.extend(ids)
    if filters.year_from:
        where.append("year >= %s")
        params.append(int(filters.year_from))
    if filters.year_to:
        where.append("year <= %s AND year > 0")
        params.append(int(filters.year_to))
    if filters.validity is not None:
        where.append("validity = %s")
        params.append(filters.validity)
    return " AND ".join(where), params


def _kept(column: str, value) -> bool:
    if column == "validity":
        return value is not None
    return value not in (None, 0, "")


def cell_counts(requests: list[tuple[object, str]]) -> list[dict]:
    """For each (Filters, cell column): {value: documents} per value of the
    column under those filters, without 0 / "" (documents without that
    facet), except validity's "" (未标注: listed, so the facet adds up). Requests with the same filters share one scan of the cells on
    PostgreSQL (GROUPING SETS); elsewhere each is one GROUP BY."""
    from .models import FacetCell

    table = FacetCell._meta.db_table
    connection = connections[DEFAULT_DB_ALIAS]
    results: list[dict] = [{} for _ in requests]
    groups: list[tuple[object, list[int]]] = []
    for i, (filters, column) in enumerate(requests):
        assert column in CELL_COLUMNS, column  # never user input in the SQL
        for seen, members in groups:
            if seen == filters:
                members.append(i)
                break
        else:
            groups.append((filters, [i]))
    with connection.cursor() as cursor:
        for filters, members in groups:
            where, params = _cell_where(filters)
            columns = [requests[i][1] for i in members]
            if connection.vendor == "postgresql" and len(columns) > 1:
                sets = ", ".join(f"({column})" for column in columns)
                cursor.execute(f"SELECT {', '.join(columns)}, SUM(n) FROM {table} WHERE {where}"
                               f" GROUP BY GROUPING SETS ({sets})", params)
                for *values, total in cursor.fetchall():
                    for i, column, value in zip(members, columns, values):  # the others are NULL in a set's rows
                        if _kept(column, value) and total:
                            results[i][value] = int(total)
                continue
            for i, column in zip(members, columns):
                cursor.execute(f"SELECT {column}, SUM(n) FROM {table} WHERE {where} GROUP BY {column}", params)
                results[i] = {value: int(total) for value, total in cursor.fetchall() if _kept(column, value) and total}
    return results


def cell_total(filters) -> int:
    from .models import FacetCell

    where, params = _cell_where(filters)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT SUM(n) FROM {FacetCell._meta.db_table} WHERE {where}", params)
        return int(cursor.fetchone()[0] or 0)


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
    """Every count from the documents, in one GROUP BY over the five cell
    columns; the single dimensions and the total are sums of the cells."""
    from .models import Document

    public = Document.objects.filter(status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE)
    rows = (public.order_by().annotate(y=publication_year(public.db))
            .values_list("organisation_id", "topic_id", "genre_id", "y", "validity").annotate(n=Count("id")))
    found = Counter()
    for org, topic, genre, year, validity, n in rows:
        year = int(year) if year else None
        found[("cell", cell_key(org, topic, genre, year, validity))] += n
        for dimension, value in (("organisation", org), ("topic", topic), ("genre", genre), ("year", year),
                                 ("validity", validity), ("all", "")):
            found[(dimension, "" if value is None else str(value))] += n
    return found


def _maintained() -> dict:
    from .models import FacetCell, PublicCount

    found = {(d, k): n for d, k, n in PublicCount.objects.values_list("dimension", "key", "n") if n}
    for *columns, n in FacetCell.objects.values_list(*CELL_COLUMNS, "n"):
        if n:
            found[("cell", cell_key(*columns))] = n
    return found


def drift() -> dict:
    """{(dimension, key): (maintained, recounted)} where the two differ."""
    maintained = _maintained()
    actual = {key: n for key, n in _recounted().items() if n}
    return {key: (maintained.get(key, 0), actual.get(key, 0))
            for key in set(maintained) | set(actual) if maintained.get(key, 0) != actual.get(key, 0)}


@transaction.atomic
def recount() -> int:
    """Rebuild the counts from the documents; returns the number of rows."""
    from .models import FacetCell, PublicCount

    found = sorted((key, n) for key, n in _recounted().items() if n)
    rows = [PublicCount(dimension=d, key=k, n=n) for (d, k), n in found if d != "cell"]
    cell_rows = [FacetCell(**_cell(k), n=n) for (d, k), n in found if d == "cell"]
    PublicCount.objects.all().delete()
    FacetCell.objects.all().delete()
    PublicCount.objects.bulk_create(rows, batch_size=2000)
    FacetCell.objects.bulk_create(cell_rows, batch_size=2000)
    return len(rows) + len(cell_rows)
