"""Highlighted titles and snippets, computed from the stored text so both
backends show the same thing."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _pattern(words: list[str]) -> re.Pattern | None:
    words = [w for w in words if w]
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)


def mark(text: str, words: list[str]) -> SafeString:
    pattern = _pattern(words)
    if pattern is None:
        return mark_safe(escape(text))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, words: list[str], width: int = 140) -> SafeString:
    """The part of `text` around the first hit, with every hit marked."""
    text = re.sub(r"\s+", " ", text or "").strip()
    pattern = _pattern(words)
    start = 0
    if pattern is not None:
        m = pattern.search(text)
        if m:
            start = max(0, m.start() - width // 4)
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + mark(piece, words) + suffix)
