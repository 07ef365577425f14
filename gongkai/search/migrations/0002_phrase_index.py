"""SQLite only: `search_phrase`, the verbatim text of each indexed document
under FTS5's trigram tokenizer, so that phrase checks stay inside an index
(see SQLiteBackend.phrase_sql). PostgreSQL checks phrases on the row."""

from django.db import migrations

CREATE = "CREATE VIRTUAL TABLE IF NOT EXISTS search_phrase USING fts5(text, tokenize = 'trigram')"
FILL = (
    "INSERT INTO search_phrase(rowid, text) "
    "SELECT id, title || char(10) || document_number || char(10) || keywords || char(10) || body_text "
    "FROM catalog_document WHERE id IN (SELECT rowid FROM search_index)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_phrase")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_fulltext"), ("catalog", "0004_document_org_number")]
    operations = [migrations.RunPython(create, drop)]
