"""The full-text table `search_index`: an FTS5 table on SQLite, a tsvector
table with a GIN index on PostgreSQL, by the database this runs against.
Django knows it as the model SearchEntry (state only) so that test flushes
and `gongkai flush` empty it together with the catalog."""

from django.db import migrations, models

SQLITE_CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')"
SQLITE_DROP = "DROP TABLE IF EXISTS search_index"
PG_CREATE = [
    "CREATE TABLE IF NOT EXISTS search_index ("
    " document_id bigint PRIMARY KEY REFERENCES catalog_document(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_index_tsv ON search_index USING gin (tsv)",
]
PG_DROP = ["DROP TABLE IF EXISTS search_index"]


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
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[("document_id", models.BigIntegerField(primary_key=True, serialize=False))],
                    options={"db_table": "search_index", "verbose_name": "检索索引", "verbose_name_plural": "检索索引"},
                )
            ],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
