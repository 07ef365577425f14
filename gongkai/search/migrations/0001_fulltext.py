"""The full-text tables: an FTS5 table on SQLite, a tsvector table with a GIN
index on PostgreSQL. Which one depends on the database this runs against."""

from django.db import migrations

SQLITE_CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')"
SQLITE_DROP = "DROP TABLE IF EXISTS search_fts"
PG_CREATE = [
    "CREATE TABLE IF NOT EXISTS search_entry ("
    " document_id bigint PRIMARY KEY REFERENCES catalog_document(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_entry_tsv ON search_entry USING gin (tsv)",
]
PG_DROP = ["DROP TABLE IF EXISTS search_entry"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": [SQLITE_CREATE], "postgresql": PG_CREATE}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Gongkai's search supports SQLite and PostgreSQL, not {vendor}.")
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in {"sqlite": [SQLITE_DROP], "postgresql": PG_DROP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
