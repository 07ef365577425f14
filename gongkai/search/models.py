from django.db import models


class SearchEntry(models.Model):
    """The full-text table, created by migration per database (FTS5 on SQLite,
    tsvector + GIN on PostgreSQL). Declared here only so that Django empties
    it with the catalog; query it through gongkai.search.backends, not the ORM."""

    document_id = models.BigIntegerField(primary_key=True)

    class Meta:
        db_table = "search_index"
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"
