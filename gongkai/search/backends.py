"""The two full-text backends behind one interface, chosen by the database:
SQLite FTS5 (embedded default) and PostgreSQL tsvector('simple') + GIN.
Both index the same jieba segmentation (see segment.py) and take the same
parsed query; filters and phrase checks are the same SQL on both."""

import json
from dataclasses import dataclass, field

from django.db import connection

from . import segment
from .query import ParsedQuery

DOC_TABLE = "catalog_document"


@dataclass
class Filters:
    organisation_ids: set[int] | None = None
    topic_ids: set[int] | None = None
    genre_ids: set[int] | None = None
    year_from: int | None = None
    year_to: int | None = None
    validity: str | None = None

    def sql(self) -> tuple[list[str], list]:
        """The conditions a person chose, on the document table `d`."""
        where, params = [], []
        for column, ids in (("organisation_id", self.organisation_ids), ("topic_id", self.topic_ids), ("genre_id", self.genre_ids)):
            if ids is not None:
                ids = sorted(int(i) for i in ids)
                if not ids:
                    where.append("1 = 0")
                else:
                    where.append(f"d.{column} IN ({', '.join(['%s'] * len(ids))})")
                    params.extend(ids)
        if self.year_from:
            where.append("d.published_date >= %s")
            params.append(f"{int(self.year_from):04d}-01-01")
        if self.year_to:
            where.append("d.published_date <= %s")
            params.append(f"{int(self.year_to):04d}-12-31")
        if self.validity is not None:
            where.append("d.validity = %s")
            params.append(self.validity)
        return where, params


@dataclass
class RawHits:
    ids: list[int] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)
    total: int = 0
    # The query matched more than COMMON documents: `total` is estimated
    # ("约 N 条") and, by relevance, only the newest COMMON matches were ranked.
    common: bool = False
    approximate: bool = False


# A query matching more documents than this (通知, 关于, 工作 match most of a
# catalog) is "common": ranking every match would cost more than it is worth,
# so the newest COMMON matches are ranked, a search by date walks the catalog
# in date order, and the total is counted on the full-text index alone.
COMMON = 2000

# The public documents, on the document table `d` (what the index holds).
PUBLIC = ["d.status = %s", "d.disclosure = %s"]
PUBLIC_PARAMS = ["published", "proactive"]


def index_fields(doc) -> tuple[str, str, str]:
    """(segmented title line, segmented body, verbatim text for phrase checks)."""
    head = " ".join(filter(None, [doc.title, doc.document_number, doc.keywords, doc.index_number or ""]))
    return segment.index_text(head), segment.index_text(doc.body_text or ""), phrase_text(doc)


# The columns a quoted phrase (or a word cut into several tokens) must appear
# in verbatim. SQLite keeps their text in a trigram index (search_phrase); the
# fallback reads them from the document row.
PHRASE_COLUMNS = ("title", "document_number", "keywords", "body_text")


def phrase_text(doc) -> str:
    return "\n".join(getattr(doc, column) or "" for column in PHRASE_COLUMNS)


class Backend:
    vendor = ""

    def upsert(self, doc_id: int, title: str, body: str, verbatim: str = "") -> None:
        raise NotImplementedError

    def remove(self, doc_id: int) -> None:
        raise NotImplementedError

    # The document id as the full-text table names it (for `join=False`).
    ID_COLUMN = ""

    def match_sql(self, parsed: ParsedQuery, join: bool = True) -> tuple[str, str, list, str, list]:
        """(FROM clause, joined to the documents as `d` unless join=False,
        WHERE condition, its params, score expression, its params)."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def phrase_sql(self, parsed: ParsedQuery) -> tuple[list[str], list]:
        where, params = [], []
        for term in parsed.terms:
            if term.phrase:
                op = "NOT " if term.exclude else ""
                condition, condition_params = self.verbatim_on_row(term.text)
                where.append(f"{op}{condition}")
                params.extend(condition_params)
        return where, params

    def verbatim_on_row(self, text: str) -> tuple[str, list]:
        """SQL true when the document row `d` holds `text` verbatim (any case)."""
        columns = [f"d.{column}" for column in PHRASE_COLUMNS]
        # Most phrases are Chinese, with no letter that has a case: then
        # the columns need no lower() copy, which is most of the check's cost.
        caseless = text.lower() == text.upper()
        return "(" + " OR ".join(self.contains(c, caseless) for c in columns) + ")", [text.lower()] * len(columns)

    def rank_reads_row(self, parsed: ParsedQuery) -> bool:
        """Whether rank_sql reads the document row `d` (and needs the join)."""
        return bool(parsed.runs)

    def rank_sql(self, parsed: ParsedQuery, id_column: str) -> tuple[str, list]:
        """How many of the typed runs (ParsedQuery.runs) the document holds
        verbatim: relevance sorts on it first, then on the full-text score."""
        parts, params = [], []
        for run in parsed.runs:
            condition, condition_params = self.verbatim_on_row(run)
            parts.append(f"CASE WHEN {condition} THEN 1 ELSE 0 END")
            params.extend(condition_params)
        return " + ".join(parts) or "0", params

    def contains(self, column: str, caseless: bool = False) -> str:
        """SQL true when `column` holds the (lower-case) parameter; with
        `caseless` the parameter has no cased letter, so no lower() is needed."""
        raise NotImplementedError

    def search(self, parsed: ParsedQuery, filters: Filters, *, order: str, limit: int, offset: int) -> RawHits:
        where, params = filters.sql()
        filter_where, filter_params = list(where), list(params)
        phrase_where, phrase_params = self.phrase_sql(parsed)
        # The index holds public documents only (index.update): a search by
        # relevance with nothing to check on the documents needs the
        # full-text table alone, as fast as FTS itself.
        ranked = order == "relevance"
        join = bool(where or phrase_where) or not ranked or self.rank_reads_row(parsed)
        source, match, match_params, score, score_params = self.match_sql(parsed, join=join)
        if join:
            where = [*PUBLIC, *where]
            params = [*PUBLIC_PARAMS, *params]
        id_column, date_column = ("d.id", "d.published_date") if join else (self.ID_COLUMN, "NULL")
        # Documents holding a typed run verbatim first (relevance only: a
        # search by date stays in date order).
        verbatim, verbatim_params = self.rank_sql(parsed, id_column) if ranked else ("0", [])
        condition = " AND ".join([match, *where, *phrase_where])
        all_params = [*match_params, *params, *phrase_params]
        # Named after the inner query's columns below.
        order_by = "published_date DESC, id DESC"
        if ranked:
            order_by = "verbatim DESC, score DESC, " + order_by
        hits = RawHits()
        text_source, text_match, text_params, _, _ = self.match_sql(parsed, join=False)
        with connection.cursor() as cursor:
            # How many documents the words alone match, stopping past COMMON: a
            # walk of the index's first entries, never a count of all of them.
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {text_source} WHERE {text_match} LIMIT %s) AS c",
                           [*text_params, COMMON + 1])
            if cursor.fetchone()[0] > COMMON:
                return self._common(cursor, parsed, hits, (text_source, text_match, text_params), ranked=ranked,
                                    where=[*filter_where, *phrase_where], params=[*filter_params, *phrase_params],
                                    limit=limit, offset=offset, filters=filters)
            source, source_params = self.few_matches_source(source, match, match_params, join)
            # One pass over the matches gives the page and, as a window count,
            # the total: the match, the filters and the phrase checks (which
            # read the document text) run once, not once for COUNT and again
            # for the page. The inner query is there because FTS5's bm25()
            # cannot be called beside a window function.
            cursor.execute(
                f"SELECT id, score, COUNT(*) OVER () FROM ("
                f"SELECT {id_column} AS id, {score} AS score, {verbatim} AS verbatim, {date_column} AS published_date"
                f" FROM {source} WHERE {condition}"
                f") AS m ORDER BY {order_by} LIMIT %s OFFSET %s",
                [*score_params, *verbatim_params, *source_params, *all_params, limit, offset],
            )
            rows = cursor.fetchall()
            if rows:
                hits.total = rows[0][2]
            elif offset:  # a page past the end has no row to carry the total
                cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {condition}", [*source_params, *all_params])
                hits.total = cursor.fetchone()[0]
        for doc_id, value, _ in rows:
            hits.ids.append(doc_id)
            hits.scores[doc_id] = float(value or 0)
        return hits

    def few_matches_source(self, source: str, match: str, params: list, join: bool) -> tuple[str, list]:
        """The FROM clause for a query known to match at most COMMON
        documents, and its params (placed before the WHERE clause's)."""
        return source, []

    def count_matches(self, cursor, source: str, match: str, params: list) -> tuple[int, bool]:
        """(how many documents the words match, whether that is an estimate)."""
        cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {match}", params)
        return cursor.fetchone()[0], False

    def _common(self, cursor, parsed: ParsedQuery, hits: RawHits, words: tuple[str, str, list], *, ranked: bool,
                where: list, params: list, limit: int, offset: int, filters: Filters | None = None) -> RawHits:
        """A query matching more than COMMON documents, in bounded work.

        - The total: the full-text index's own count of the matches (no
          document is read); under filters or phrase checks, that count times
          the share of the newest COMMON matches that pass them ("约 N 条").
        - By date: the public documents in date order (an index walk), each
          checked against the set of matches, until the page is full.
        - By relevance: the newest COMMON matches that pass the filters,
          ranked (verbatim runs first, then the score); pages past them are
          not offered (`common`: the page says so)."""
        hits.common = True
        text_source, text_match, text_params = words  # the words alone, on the full-text index
        matched, hits.approximate = self.count_matches(cursor, text_source, text_match, text_params)
        public, public_params = PUBLIC, PUBLIC_PARAMS
        if where:
            # The share of the newest COMMON matches that pass the filters and checks.
            cursor.execute(
                f"SELECT COUNT(*) FROM {DOC_TABLE} d WHERE d.id IN ("
                f"SELECT {self.ID_COLUMN} FROM {text_source} WHERE {text_match} ORDER BY {self.ID_COLUMN} DESC LIMIT %s)"
                f" AND {' AND '.join([*public, *where])}",
                [*text_params, COMMON, *public_params, *params],
            )
            passed = cursor.fetchone()[0]
            hits.total, hits.approximate = round(matched * passed / COMMON), True
        else:
            hits.total = matched
        if not ranked:
            cursor.execute(
                f"SELECT d.id, 0 FROM {DOC_TABLE} d WHERE {' AND '.join([*public, *where])}"
                f" AND d.id IN (SELECT {self.ID_COLUMN} FROM {text_source} WHERE {text_match})"
                f" ORDER BY d.published_date DESC, d.id DESC LIMIT %s OFFSET %s",
                [*public_params, *params, *text_params, limit, offset],
            )
        else:
            sql, sql_params = self.newest_ranked_sql(parsed, where=where, params=params, filters=filters)
            cursor.execute(sql, [*sql_params, limit, offset])
        for doc_id, value in cursor.fetchall():
            hits.ids.append(doc_id)
            hits.scores[doc_id] = float(value or 0)
        return hits

    def newest_ranked_sql(self, parsed: ParsedQuery, *, where: list, params: list,
                          filters: Filters | None = None) -> tuple[str, list]:
        """The newest COMMON public matches passing the filters and checks
        `where` (on `d`), ranked: verbatim runs first, then the score; a
        query ending in LIMIT %s OFFSET %s (whose params the caller adds)."""
        source, match, match_params, score, score_params = self.match_sql(parsed, join=True)
        verbatim, verbatim_params = self.rank_sql(parsed, "d.id")
        condition = " AND ".join([match, *PUBLIC, *where])
        params = [*PUBLIC_PARAMS, *params]
        return (
            f"SELECT id, score FROM ("
            f"SELECT d.id AS id, {score} AS score, {verbatim} AS verbatim, d.published_date AS published_date"
            f" FROM {source} WHERE {condition} ORDER BY {self.ID_COLUMN} DESC LIMIT %s"
            f") AS m ORDER BY verbatim DESC, score DESC, published_date DESC, id DESC LIMIT %s OFFSET %s",
            [*score_params, *verbatim_params, *match_params, *params, COMMON],
        )


class SQLiteBackend(Backend):
    vendor = "sqlite"
    TABLE = "search_index"
    FILTER_INDEX = "doc_search_filter"  # declared on catalog.Document

    # Verbatim title, number, keywords and body under FTS5's trigram tokenizer:
    # a quoted string of three or more characters matches exactly where it
    # stands as a substring (case-insensitive), from the index alone.
    PHRASE_TABLE = "search_phrase"
    TRIGRAM = 3

    def upsert(self, doc_id, title, body, verbatim=""):
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.PHRASE_TABLE):
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [doc_id])
            cursor.execute(f"INSERT INTO {self.TABLE}(rowid, title, body) VALUES (%s, %s, %s)", [doc_id, title, body])
            cursor.execute(f"INSERT INTO {self.PHRASE_TABLE}(rowid, text) VALUES (%s, %s)", [doc_id, verbatim])

    def remove(self, doc_id):
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.PHRASE_TABLE):
                cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [doc_id])

    def clear(self):
        with connection.cursor() as cursor:
            for table in (self.TABLE, self.PHRASE_TABLE):
                cursor.execute(f"DELETE FROM {table}")

    def phrase_sql(self, parsed):
        where, params = [], []
        short = ParsedQuery(raw=parsed.raw)
        for term in parsed.terms:
            if not term.phrase:
                continue
            if len(term.text) < self.TRIGRAM:
                short.terms.append(term)
                continue
            op = "NOT " if term.exclude else ""
            # On d.id, not on the FTS table's rowid: SQLite would hand a rowid
            # IN-list to FTS5 and run the whole MATCH once per listed row.
            where.append(f"d.id {op}IN (SELECT rowid FROM {self.PHRASE_TABLE} WHERE {self.PHRASE_TABLE} MATCH %s)")
            params.append(self.phrase_match(term.text))
        short_where, short_params = super().phrase_sql(short)
        return [*where, *short_where], [*params, *short_params]

    def phrase_match(self, text: str) -> str:
        """The search_phrase MATCH argument for `text` verbatim (TRIGRAM or more characters)."""
        return '"' + text.replace('"', '""') + '"'

    def rank_reads_row(self, parsed):
        return any(len(run) < self.TRIGRAM for run in parsed.runs)

    def rank_sql(self, parsed, id_column):
        parts, params = [], []
        for run in parsed.runs:
            if len(run) < self.TRIGRAM:
                condition, condition_params = self.verbatim_on_row(run)
            else:
                # Read once per query: SQLite builds the IN-list of the
                # uncorrelated subquery once, then looks each match up in it.
                condition = f"{id_column} IN (SELECT rowid FROM {self.PHRASE_TABLE} WHERE {self.PHRASE_TABLE} MATCH %s)"
                condition_params = [self.phrase_match(run)]
            parts.append(f"CASE WHEN {condition} THEN 1 ELSE 0 END")
            params.extend(condition_params)
        return " + ".join(parts) or "0", params

    @staticmethod
    def fts_expression(parsed: ParsedQuery) -> str:
        def group(tokens):
            return "(" + " ".join('"' + t.replace('"', '""') + '"' for t in tokens) + ")"

        include = [group(t.tokens) for t in parsed.terms if not t.exclude]
        expression = " AND ".join(include)
        for term in parsed.terms:
            # An excluded phrase only removes documents holding it verbatim
            # (phrase_sql), not every document with its words apart.
            if term.exclude and not term.phrase:
                expression += " NOT " + group(term.tokens)
        return expression

    ID_COLUMN = "search_index.rowid"

    def match_sql(self, parsed, join=True):
        match = f"{self.TABLE} MATCH %s"
        # Title hits weigh ten times body hits. bm25() is lower-is-better: negate.
        score = f"-bm25({self.TABLE}, 10.0, 1.0)"
        if not join:
            return self.TABLE, match, [self.fts_expression(parsed)], score, []
        # CROSS JOIN keeps the FTS table the outer loop: walk the matches once
        # and look each document up by id (with a plain JOIN the planner may
        # scan the documents and run the MATCH once per document). INDEXED BY
        # makes that lookup read the filter index instead of the table row,
        # whose filter columns sit behind the long body text.
        source = f"{self.TABLE} CROSS JOIN {DOC_TABLE} d INDEXED BY {self.FILTER_INDEX} ON d.id = {self.TABLE}.rowid"
        return source, match, [self.fts_expression(parsed)], score, []

    def contains(self, column, caseless=False):
        return f"instr({column if caseless else f'lower({column})'}, %s) > 0"


class PostgresBackend(Backend):
    vendor = "postgresql"
    TABLE = "search_index"

    def upsert(self, doc_id, title, body, verbatim=""):
        # Phrases are checked on the document row (strpos), see phrase_sql.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.TABLE}(document_id, tsv) VALUES "
                "(%s, setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
                "ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv",
                [doc_id, title, body],
            )

    def remove(self, doc_id):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.TABLE} WHERE document_id = %s", [doc_id])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.TABLE}")

    ID_COLUMN = "e.document_id"

    def count_matches(self, cursor, source, match, params):
        # Counting a common word's matches scans the whole index (2 s at a
        # million documents): the planner's estimate says "约 N 条" instead.
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {source} WHERE {match}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"]), True

    def few_matches_source(self, source, match, params, join):
        # At most COMMON matches: take them from the GIN index first, then
        # join and sort those few. Left to itself the planner expects
        # thousands of matches for a rare word sorted by date, walks the date
        # index over every document and probes the full-text index for each
        # (3-6 s at a million documents). OFFSET 0 keeps the subquery apart.
        if not join:
            return source, []
        return (f"(SELECT e.* FROM {self.TABLE} e WHERE {match} OFFSET 0) e"
                f" JOIN {DOC_TABLE} d ON d.id = e.document_id"), list(params)

    # A filter keeping at most this many public documents is walked first
    # (newest first, probing the index for each) rather than the word's matches.
    FILTER_FIRST = 50_000

    def newest_ranked_sql(self, parsed, *, where, params, filters=None):
        # Pick the newest COMMON matches first (ids only), then rank those:
        # PostgreSQL computes the select list before a top-N sort, so the
        # one-step form ranked, and checked verbatim runs on, every match
        # (25,000 for a four-word sentence at a million documents: 1.9 s).
        # The index holds public documents only: without filters or checks
        # the matches need no join to be chosen.
        source, match, match_params, score, score_params = self.match_sql(parsed, join=True)
        verbatim, verbatim_params = self.rank_sql(parsed, "d.id")
        if not where:
            chosen = f"SELECT e.document_id, e.tsv FROM {self.TABLE} e WHERE {match} ORDER BY e.document_id DESC LIMIT %s"
            chosen_params = [*match_params, COMMON]
        elif self._few_filtered(filters):
            # A common word under a selective filter (an organisation): the
            # word's matches run to hundreds of thousands and few pass the
            # filter, so walk the filtered documents instead, newest first,
            # and probe the index for each (4-5 s to well under a second at a
            # million documents). The filters and checks stay on `d`.
            chosen = (f"SELECT d.id AS document_id, e.tsv FROM {DOC_TABLE} d"
                      f" CROSS JOIN LATERAL (SELECT e.tsv FROM {self.TABLE} e WHERE e.document_id = d.id AND {match}"
                      f" OFFSET 0) e"  # OFFSET 0: one probe per document, never flattened into a join
                      f" WHERE {' AND '.join([*PUBLIC, *where])} ORDER BY d.id DESC LIMIT %s")
            chosen_params = [*match_params, *PUBLIC_PARAMS, *params, COMMON]
        else:
            chosen = (f"SELECT e.document_id, e.tsv FROM {source} WHERE {' AND '.join([match, *PUBLIC, *where])}"
                      f" ORDER BY e.document_id DESC LIMIT %s")
            chosen_params = [*match_params, *PUBLIC_PARAMS, *params, COMMON]
        return (
            f"SELECT id, score FROM ("
            f"SELECT d.id AS id, {score} AS score, {verbatim} AS verbatim, d.published_date AS published_date"
            f" FROM ({chosen}) e JOIN {DOC_TABLE} d ON d.id = e.document_id"
            f") AS m ORDER BY verbatim DESC, score DESC, published_date DESC, id DESC LIMIT %s OFFSET %s",
            [*score_params, *verbatim_params, *chosen_params],
        )

    def _few_filtered(self, filters) -> bool:
        """Whether the catalog filters keep few enough public documents to walk
        (their number is the maintained cells' sum: no document is counted)."""
        if filters is None or filters == Filters():
            return False
        from gongkai.catalog import counts

        return counts.cell_total(filters) <= self.FILTER_FIRST

    def match_sql(self, parsed, join=True):
        parts, params = [], []
        for term in parsed.terms:
            if term.exclude and term.phrase:
                continue  # checked verbatim on the row (phrase_sql), as on SQLite
            parts.append(("!! " if term.exclude else "") + "plainto_tsquery('simple', %s)")
            params.append(" ".join(term.tokens))
        query = "(" + " && ".join(parts) + ")"
        source = f"{self.TABLE} e JOIN {DOC_TABLE} d ON d.id = e.document_id" if join else f"{self.TABLE} e"
        return source, f"e.tsv @@ {query}", params, f"ts_rank(e.tsv, {query})", params

    def contains(self, column, caseless=False):
        return f"strpos({column if caseless else f'lower({column})'}, %s) > 0"


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"No search backend for database {connection.vendor!r}")
