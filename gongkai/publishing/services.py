"""Publishing use cases (the review workflow will join them here)."""

from .models import WordingRule
from .wording import Checker, Rule, WordingFinding, shipped_rules

EXCEPTION_SEPARATORS = "、,，;；"


def install_wording_rules(model=WordingRule) -> None:
    """Add the shipped rules that are missing (idempotent; edited rows stay as edited)."""
    for rule in shipped_rules():
        model.objects.get_or_create(
            phrase=rule.phrase,
            defaults={"kind": rule.kind, "suggestion": rule.suggestion, "exceptions": "、".join(rule.exceptions)},
        )


def wording_checker() -> Checker:
    rules = []
    for row in WordingRule.objects.filter(active=True):
        parts = row.exceptions
        for sep in EXCEPTION_SEPARATORS:
            parts = parts.replace(sep, "\n")
        rules.append(Rule(row.phrase, row.kind, row.suggestion, tuple(p.strip() for p in parts.splitlines() if p.strip())))
    return Checker(rules)


def check_wording(text: str) -> list[WordingFinding]:
    """The office's active rules against `text` (a drafter's body, say)."""
    return wording_checker().check(text)
