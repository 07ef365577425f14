"""Database patterns shared by the apps."""


# How every row lock is taken: `qs.select_for_update(**ROW_LOCK)`.
# - no_key: FOR NO KEY UPDATE, not FOR UPDATE. A plain FOR UPDATE also blocks
#   the FOR KEY SHARE that PostgreSQL's foreign-key check takes at COMMIT (the
#   constraints are deferred), so a transaction holding a document or an
#   organisation and waiting for the audit chain's head deadlocks with one
#   holding the head and committing a row that refers to that document
#   (seen under load in tests/faults). We never change a primary key.
# - of self: only the query's own rows, never the rows select_related joins
#   in (locking every document's organisation serialised a whole office).
# SQLite ignores both: it has one writer at a time.
ROW_LOCK = {"no_key": True, "of": ("self",)}


def ensure_row(model, **fields) -> None:
    """Insert the row unless one with the same unique key exists, without
    racing a concurrent insert (INSERT .. ON CONFLICT DO NOTHING)."""
    model.objects.bulk_create([model(**fields)], ignore_conflicts=True)


def locked_row(model, key: dict, defaults: dict | None = None):
    """The row with `key`, created with `defaults` if missing, locked until
    the transaction ends: concurrent writers queue on it."""
    ensure_row(model, **key, **(defaults or {}))
    return model.objects.select_for_update(**ROW_LOCK).get(**key)


def next_number(model, field: str = "last_serial", **key) -> int:
    """Take the next number of a counter row (created at 0 on first use) in
    one statement that also locks the row until the transaction ends:
    concurrent callers queue and never get the same number (UPDATE ..
    RETURNING: SQLite 3.35+, PostgreSQL)."""
    from django.db import connection

    columns = list(key)
    where = " AND ".join(f"{model._meta.get_field(c).column} = %s" for c in columns)
    sql = f"UPDATE {model._meta.db_table} SET {field} = {field} + 1 WHERE {where} RETURNING {field}"
    params = [key[c].pk if hasattr(key[c], "pk") else key[c] for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            ensure_row(model, **key, **{field: 0})
            cursor.execute(sql, params)
            row = cursor.fetchone()
    return row[0]


# After this many rows written in one go, the planner's statistics are refreshed.
ANALYZE_AFTER_ROWS = 1000


def refresh_statistics(using: str = "default") -> None:
    """Refresh the query planner's statistics after a bulk write (an import,
    the demo, a reindex): PostgreSQL's ANALYZE (autovacuum gets to it only
    later, and until then a plan made for an empty table probes an index once
    per row), SQLite's `PRAGMA optimize`."""
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")


def after_commit(func, using: str = "default") -> None:
    """Run `func` once the current transaction commits (dropped with a
    rolled-back transaction or savepoint), or now outside one. The test suite
    runs it at once (`GONGKAI_GENERATION_IMMEDIATE`): its test transactions
    never commit, so on-commit hooks would never run."""
    from django.conf import settings
    from django.db import connections, transaction

    if not connections[using].in_atomic_block or getattr(settings, "GONGKAI_GENERATION_IMMEDIATE", False):
        func()
    else:
        transaction.on_commit(func, using=using)
