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
from gongkai.catalog.models import Genre
from gongkai.core.models import Organisation

from .models import ColumnRule

NEWS_GENRES = ("工作动态", "新闻发布")
NEWS_DAYS = 14
DEFAULT_DAYS = 180


@dataclass
class Column:
    organisation: str
    genre: str
    documents: int
    newest: dt.date | None
    max_days: int
    age_days: int | None
    problem: str  # "stale", "empty"

    def as_dict(self) -> dict:
        return {"organisation": self.organisation, "genre": self.genre, "documents": self.documents,
                "newest": self.newest.isoformat() if self.newest else None, "max_days": self.max_days,
                "age_days": self.age_days, "problem": self.problem}


def _default_days(genre_name: str) -> int:
    return NEWS_DAYS if genre_name in NEWS_GENRES else DEFAULT_DAYS


def problems(today: dt.date | None = None, organisations: list[int] | None = None) -> list[Column]:
    """Stale and empty columns, the most overdue first."""
    today = today or timezone.localdate()
    rows = selectors.public_documents().exclude(genre=None)
    if organisations is not None:
        rows = rows.filter(organisation_id__in=organisations)
    stats = {(r["organisation_id"], r["genre_id"]): (r["n"], r["newest"])
             for r in rows.values("organisation_id", "genre_id").annotate(n=Count("id"), newest=Max("published_date"))}
    rules = {(r.organisation_id, r.genre_id): r for r in ColumnRule.objects.all()}
    org_names = dict(Organisation.objects.values_list("id", "name"))
    genre_names = dict(Genre.objects.values_list("id", "name"))
    found: list[Column] = []
    for (org_id, genre_id), (count, newest) in stats.items():
        rule = rules.get((org_id, genre_id)) or rules.get((None, genre_id))
        limit = rule.max_days if rule else _default_days(genre_names[genre_id])
        age = (today - newest).days if newest else None
        if age is not None and age > limit:
            found.append(Column(org_names[org_id], genre_names[genre_id], count, newest, limit, age, "stale"))
    # Required columns without any public document.
    for (org_id, genre_id), rule in rules.items():
        if not rule.required:
            continue
        targets = [org_id] if org_id else [o for o in (organisations or org_names)]
        for target in targets:
            if (target, genre_id) not in stats:
                found.append(Column(org_names[target], genre_names[genre_id], 0, None, rule.max_days, None, "empty"))
    found.sort(key=lambda c: (c.problem != "empty", -(c.age_days or 0) + c.max_days))
    return found
