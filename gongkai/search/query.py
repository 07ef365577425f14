"""Parse what a person typed into the search box. Never raises: a query that
yields nothing searchable comes back with a message in Chinese instead."""

import re
from dataclasses import dataclass, field

from . import segment

MAX_QUERY_CHARS = 100
MAX_TERMS = 12
_QUOTES = re.compile(r"[\"“”「」『』]")
_SPLIT = re.compile(r"[\s,，;；、。!！?？()（）\[\]【】{}<>《》:：|+*^~#$%&=\\/]+")


@dataclass
class Term:
    text: str  # as typed (a word or a phrase)
    tokens: list[str]  # what the index is asked for (all must match)
    # The exact text must also appear. True for quoted phrases and for any word
    # the segmenter cuts in several tokens: the index holds sub-words, so token
    # order there is not reliable, and 河长制 should not match 河…长…制.
    phrase: bool = False
    exclude: bool = False  # a leading minus: documents with it are dropped


@dataclass
class ParsedQuery:
    raw: str
    terms: list[Term] = field(default_factory=list)
    message: str = ""  # why there is nothing to search, for the page

    @property
    def ok(self) -> bool:
        return any(not t.exclude for t in self.terms) and not self.message

    @property
    def highlight_words(self) -> list[str]:
        words = []
        for term in self.terms:
            if term.exclude:
                continue
            words.append(term.text)
            # Single characters of a longer term would light up half the page.
            words.extend(t for t in term.tokens if len(t) > 1 or len(term.text) == 1)
        return sorted({w for w in words if w}, key=len, reverse=True)


def parse(raw: str | None) -> ParsedQuery:
    raw = (raw or "").replace("\x00", "")
    result = ParsedQuery(raw=raw)
    text = raw.strip()
    if not text:
        result.message = "请输入要检索的词语。"
        return result
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
    # Split into quoted phrases and loose words. An unmatched quote runs to the end.
    pieces: list[tuple[str, bool, bool]] = []  # (text, quoted, excluded)
    parts = _QUOTES.split(text)
    for i, part in enumerate(parts):
        if i % 2 == 1:
            if part.strip():
                # -"…" right before the quote excludes the phrase.
                excluded = parts[i - 1].endswith(("-", "－"))
                pieces.append((part.strip(), True, excluded))
        else:
            pieces.extend((w, False, False) for w in _SPLIT.split(part) if w)
    for piece, quoted, exclude in pieces:
        if not quoted and piece.startswith(("-", "－")) and len(piece) > 1:
            exclude, piece = True, piece[1:]
        piece = piece.strip("-－")
        tokens = segment.tokens_for_query(piece)
        if not tokens:
            continue
        result.terms.append(Term(text=piece, tokens=tokens, phrase=len(tokens) > 1, exclude=exclude))
        if len(result.terms) >= MAX_TERMS:
            break
    if not result.terms:
        result.message = "检索词中没有可检索的文字，请换用汉字、字母或数字。"
    elif not any(not t.exclude for t in result.terms):
        result.message = "请至少输入一个要包含的词语（不能只有排除词）。"
    return result
