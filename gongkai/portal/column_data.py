"""The column tree of the 政府信息公开 column, shipped as data
(data/disclosure_columns.json), and its installer."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "disclosure_columns.json"


def load() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _topic(Topic, path: str):
    names = path.split("/")
    node = Topic.objects.filter(parent=None, name=names[0]).first()
    for name in names[1:]:
        if node is None:
            return None
        node = Topic.objects.filter(parent=node, name=name).first()
    return node


def _install_column(models, entry: dict, parent, order: int, section: str) -> None:
    Column, Rule, Topic, Genre = models
    column, created = Column.objects.get_or_create(
        key=entry["key"],
        defaults={"name": entry["name"], "parent": parent, "section": section, "article": entry.get("article", ""),
                  "levels": ",".join(entry.get("levels", [])), "sort_order": order},
    )
    if created:
        # Shipped rules come with a new column only: the office's later edits
        # (rules deleted or changed) are never undone by a re-install.
        for rule in entry.get("rules", []):
            topic = _topic(Topic, rule["topic"]) if "topic" in rule else None
            genre = Genre.objects.filter(name=rule["genre"]).first() if "genre" in rule else None
            if ("topic" in rule and topic is None) or ("genre" in rule and genre is None):
                continue  # a vocabulary entry this installation lacks
            Rule.objects.create(column=column, topic=topic, genre=genre, keyword=rule.get("keyword", ""))
    for child_order, child in enumerate(entry.get("children", [])):
        _install_column(models, child, column, child_order, section)


def install(Column, Rule, Topic, Genre) -> None:
    """Create the shipped columns that are missing, with their rules
    (idempotent). Takes the model classes so migrations can pass their
    historical models."""
    data = load()
    models = (Column, Rule, Topic, Genre)
    _install_column(models, data["rules_column"], None, 0, "rules")
    for order, entry in enumerate(data["columns"]):
        _install_column(models, entry, None, order, "statutory")
