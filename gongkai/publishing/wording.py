"""The wording check: serious wording errors, outdated organ names and secrecy
markings in a text, each with its place and the suggested wording.

Pure: rules in, findings out. The rules are data (data/wording.json ships
the defaults; each organisation's office adds to them and overrides them as
WordingRule rows, inherited down the tree: `nearest_rules`). A rule may list
longer phrases that contain it and are correct (农业部 inside 农业部门): a
match inside one of those is not a finding."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "wording.json"
KIND_LABELS = {"error": "严重表述错误", "outdated": "机构名称已变更", "secrecy": "密级标志", "sensitive": "敏感词"}


@dataclass(frozen=True)
class Rule:
    phrase: str
    kind: str
    suggestion: str = ""
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordingFinding:
    start: int
    end: int
    text: str
    kind: str
    suggestion: str

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_dict(self) -> dict:
        return {"offset": self.start, "text": self.text, "kind": self.kind, "label": self.label,
                "suggestion": self.suggestion}


def shipped_rules() -> list[Rule]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return [Rule(r["phrase"], r["kind"], r.get("suggestion", ""), tuple(r.get("except", ()))) for r in data["rules"]]


def nearest_rules(layers) -> list[Rule]:
    """The rules in force where several dictionaries apply. `layers`, nearest
    first (the organisation's own, its parent's, ..., the default), are each
    a list of (rule, active). For each phrase the nearest entry decides: one
    switched off silences the phrase there and below."""
    decided: dict[str, Rule | None] = {}
    for layer in layers:
        for rule, active in layer:
            if rule.phrase and rule.phrase not in decided:
                decided[rule.phrase] = rule if active else None
    return [rule for rule in decided.values() if rule is not None]


@dataclass
class Checker:
    """Compiled once for a set of rules; `check(text)` is one regex pass."""

    rules: list[Rule]
    _by_phrase: dict = field(init=False, repr=False)
    _pattern: re.Pattern | None = field(init=False, repr=False)

    def __post_init__(self):
        self._by_phrase = {r.phrase: r for r in self.rules if r.phrase}
        phrases = sorted(self._by_phrase, key=len, reverse=True)  # longest first
        self._pattern = re.compile("|".join(map(re.escape, phrases))) if phrases else None

    def check(self, text: str) -> list[WordingFinding]:
        if not self._pattern or not text:
            return []
        found = []
        for match in self._pattern.finditer(text):
            rule = self._by_phrase[match.group()]
            if any(_covered(text, match.start(), match.end(), longer) for longer in rule.exceptions):
                continue
            found.append(WordingFinding(match.start(), match.end(), match.group(), rule.kind, rule.suggestion))
        return found


def _covered(text: str, start: int, end: int, longer: str) -> bool:
    """True when an occurrence of `longer` in `text` spans [start, end)."""
    lo = max(0, end - len(longer))
    hi = min(start, len(text) - len(longer))
    return any(text.startswith(longer, i) and i <= start and i + len(longer) >= end for i in range(lo, hi + 1))
