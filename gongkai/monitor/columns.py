"""Stale and empty columns of the platform's own catalog.

A column is an organisation's list of one genre (体裁) on the portal: what a
visitor browses. It is stale when its newest public document is older than
the office's rule for it (`ColumnRule`), or by default the national
indicators' thresholds: news columns (工作动态, 新闻发布) two weeks, every
other column six months. A column a rule marks `required` is reported when
it has no public document at all (an empty column). One grouped query reads
every column's newest date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from gongkai.catalog import selectors
from gongkai.catalog.models import Genre, Topic
from gongkai.core.models import Organisation

from .models import ColumnRule

NEWS_GENRES = ("工作动态", "新闻发布")
NEWS_DAYS = 14
DEFAULT_DAYS = 180


@dataclass
class Column:
    organisation: str
    genre: str      # the column's name: a genre or a topic
    documents: int
    newest: dt.date | None
    max_days: int
    age_days: int | None
    problem: str    # "stale", "empty"
    dimension: str = "genre"  # "genre" (体裁) or "topic" (主题)

    def as_dict(self) -> dict:
        return {"organisation": self.organisation, "column": self.genre, "dimension": self.dimension,
                "documents": self.documents, "newest": self.newest.isoformat() if self.newest else None,
                "max_days": self.max_days, "age_days": self.age_days, "problem": self.problem}


def _default_days(genre_name: str) -> int:
    return NEWS_DAYS if genre_name in NEWS_GENRES else DEFAULT_DAYS


def problems(today: dt.date | None = None, organisations: list[int] | None = None) -> list[Column]:
    """Stale and empty columns, by genre and by topic, the most overdue first.
    A topic column is only checked against the office's rules (no national
    default), so that every organisation's many topics do not drown the report."""
    today = today or timezone.localdate()
    docs = selectors.public_documents()
    if organisations is not None:
        docs = docs.filter(organisation_id__in=organisations)
    org_names = dict(Organisation.objects.values_list("id", "name"))
    names = {"genre": dict(Genre.objects.values_list("id", "name")), "topic": {t.pk: str(t) for t in Topic.objects.select_related("parent")}}
    rules = {"genre": {}, "topic": {}}
    for rule in ColumnRule.objects.all():
        dimension = "genre" if rule.genre_id else "topic"
        rules[dimension][(rule.organisation_id, rule.genre_id or rule.topic_id)] = rule
    found: list[Column] = []
    for dimension in ("genre", "topic"):
        field = f"{dimension}_id"
        stats = {(r["organisation_id"], r[field]): (r["n"], r["newest"])
                 for r in docs.exclude(**{dimension: None}).values("organisation_id", field)
                 .annotate(n=Count("id"), newest=Max("published_date"))}
        for (org_id, column_id), (count, newest) in stats.items():
            rule = rules[dimension].get((org_id, column_id)) or rules[dimension].get((None, column_id))
            if rule is None and dimension == "topic":
                continue
            limit = rule.max_days if rule else _default_days(names[dimension][column_id])
            age = (today - newest).days if newest else None
            if age is not None and age > limit:
                found.append(Column(org_names[org_id], names[dimension][column_id], count, newest, limit, age, "stale", dimension))
        for (org_id, column_id), rule in rules[dimension].items():
            if not rule.required:
                continue
            targets = [org_id] if org_id else list(organisations or org_names)
            for target in targets:
                if (target, column_id) not in stats:
                    found.append(Column(org_names[target], names[dimension][column_id], 0, None, rule.max_days, None, "empty", dimension))
    found.sort(key=lambda c: (c.problem != "empty", -(c.age_days or 0) + c.max_days))
    return found
