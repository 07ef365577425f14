"""Controlled vocabularies (topic, genre) shipped as data files."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def install(Topic, Genre) -> None:
    """Create the shipped topics and genres that are missing (idempotent).
    Takes the model classes so migrations can pass their historical models."""
    for order, entry in enumerate(load("topics")["topics"]):
        parent, _ = Topic.objects.get_or_create(parent=None, name=entry["name"], defaults={"sort_order": order})
        for child_order, child in enumerate(entry["children"]):
            Topic.objects.get_or_create(parent=parent, name=child, defaults={"sort_order": child_order})
    for order, name in enumerate(load("genres")["genres"]):
        Genre.objects.get_or_create(name=name, defaults={"sort_order": order})
