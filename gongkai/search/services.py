"""The one search interface every caller uses (portal, CLI, API, benchmark)."""

import math
from dataclasses import dataclass, field

from gongkai.catalog.models import Document

from . import highlight
from . import backends
from .backends import Filters, get_backend
from .query import ParsedQuery, parse

ORDERS = {"relevance": "相关度", "date": "发布日期"}
MAX_PER_PAGE = 100
MAX_PAGE = 500


@dataclass
class Hit:
    document: Document
    score: float
    title_html: str
    snippet_html: str


@dataclass
class SearchPage:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    order: str = "relevance"
    # More matches than ranking them all is worth (backends.COMMON): the total
    # is an estimate when `approximate`, and by relevance only the newest
    # COMMON matches are ranked, so the pages stop there.
    common: bool = False
    approximate: bool = False

    @property
    def pages(self) -> int:
        shown = min(self.total, backends.COMMON) if self.common and self.order == "relevance" else self.total
        return max(1, math.ceil(shown / self.per_page))

    @property
    def total_text(self) -> str:
        """The number of results as the page says it: "约 N" when estimated."""
        return f"约 {self.total:,}" if self.approximate else f"{self.total:,}"

    @property
    def message(self) -> str:
        return self.query.message

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _clamp(value, low, high, default):
    try:
        value = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def search(text: str | None, filters: Filters | None = None, *, order: str = "relevance", page=1, per_page=20) -> SearchPage:
    """Search the public catalog. Never raises on what a person typed."""
    parsed = parse(text)
    order = order if order in ORDERS else "relevance"
    page = _clamp(page, 1, MAX_PAGE, 1)
    per_page = _clamp(per_page, 1, MAX_PER_PAGE, 20)
    result = SearchPage(query=parsed, page=page, per_page=per_page, order=order)
    if not parsed.ok:
        return result
    raw = get_backend().search(parsed, filters or Filters(), order=order, limit=per_page, offset=(page - 1) * per_page)
    result.total, result.common, result.approximate = raw.total, raw.common, raw.approximate
    if not raw.ids:
        return result
    # Put the page back in the backend's order in Python: an ORDER BY CASE
    # with one WHEN per hit costs more to build than the whole search.
    found = (
        Document.objects.filter(pk__in=raw.ids, status=Document.Status.PUBLISHED, disclosure=Document.Disclosure.PROACTIVE)
        .select_related("organisation", "topic", "genre")
        .order_by()
        .in_bulk()
    )
    words = parsed.highlight_words
    for doc in (found[pk] for pk in raw.ids if pk in found):
        result.hits.append(
            Hit(
                document=doc,
                score=raw.scores.get(doc.pk, 0.0),
                title_html=highlight.mark(doc.title, words),
                snippet_html=highlight.snippet(doc.body_text, words),
            )
        )
    return result
