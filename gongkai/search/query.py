"""Parse what a person typed into the search box. Never raises: a query that
yields nothing searchable comes back with a message in Chinese instead.

What is typed becomes terms, all of which must match:
- an unquoted run of text (`怎么申请最低生活保障`) is cut into words by the
  segmenter; every word must appear in the document, in any order, except the
  words that only say how a person asks (QUERY_STOP_WORDS). Documents that hold
  the whole run verbatim rank first (`ParsedQuery.runs`);
- a "quoted phrase" must appear verbatim;
- `-word` and `-"phrase"` drop the documents that hold them.
"""

import re
from dataclasses import dataclass, field

from . import segment

MAX_QUERY_CHARS = 100
MAX_TERMS = 12
_QUOTES = re.compile(r"[\"“”「」『』]")
_SPLIT = re.compile(r"[\s,，;；、。!！?？()（）\[\]【】{}<>《》:：|+*^~#$%&=\\/]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Words that say how a person asks, not what they look for: in a typed sentence
# (`请问怎么申请最低生活保障`) they are not required of the documents, which
# seldom use them. Matched against the segmenter's precise cut, also across
# its pieces (我想 is cut 我 + 想, 能不能 is 能 + 不能). A query made of nothing
# else keeps them (`怎么办` still searches for 怎么办). Quoted phrases and
# excluded words are taken as typed. Words of titles such as 关于 or 通知 are
# not here: they say what kind of document is wanted.
QUERY_STOP_WORDS = frozenset(
    {
        # asking how, what, where, whether
        "怎么", "怎么办", "怎样", "怎么样", "如何", "什么", "啥", "哪", "哪里", "哪儿", "哪些", "哪个",
        "多少", "是否", "能否", "可否", "有没有", "是不是", "能不能", "可不可以", "要不要",
        # particles
        "的", "了", "吗", "呢", "吧", "啊", "呀", "么",
        # the person asking
        "请问", "请", "问", "我想", "我要", "想问", "一下", "你好", "您好", "麻烦",
        # linking and modal verbs
        "是", "在", "能", "可以", "要", "需要", "应该",
        # looking things up
        "查", "找", "了解",
    }
)
_STOP_MAX_PIECES = 3  # the most pieces of the precise cut a stop word above spans


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
    # Unquoted runs cut into several words (or with stop words left out), as
    # typed: a document holding one of them verbatim (title, number, keywords
    # or body) ranks before the others when sorting by relevance.
    runs: list[str] = field(default_factory=list)
    message: str = ""  # why there is nothing to search, for the page

    @property
    def ok(self) -> bool:
        return any(not t.exclude for t in self.terms) and not self.message

    @property
    def highlight_words(self) -> list[str]:
        words = list(self.runs)  # longest first below: a run found verbatim is one mark
        for term in self.terms:
            if term.exclude:
                continue
            words.append(term.text)
            # Single characters of a longer term would light up half the page.
            words.extend(t for t in term.tokens if len(t) > 1 or len(term.text) == 1)
        return sorted({w for w in words if w}, key=len, reverse=True)


def _stop_length(pieces: list[str], start: int) -> int:
    """How many pieces from `start` make up a stop word (0: none)."""
    for length in range(min(_STOP_MAX_PIECES, len(pieces) - start), 0, -1):
        if "".join(pieces[start : start + length]) in QUERY_STOP_WORDS:
            return length
    return 0


def query_words(run: str, drop_stops: bool = True) -> list[tuple[str, list[str]]]:
    """The words of an unquoted run, each as (text as typed, its index tokens).

    A word is what the segmenter's precise cut gives, except where it falls
    apart: the cut leaves a word its dictionary lacks in single characters
    (河长制 → 河 长 制), and numbers and Latin letters in separate pieces
    (2024年, 〔2024〕1号). Such neighbours, with any punctuation between them,
    are put back together into one word, which must then appear verbatim.
    Stop words (dropped with `drop_stops`) end a word."""
    pieces = segment.cut_for_query(run)
    words: list[tuple[str, list[str]]] = []
    text, tokens, gap = "", [], ""  # the word being glued together

    def close():
        nonlocal text, tokens, gap
        if tokens:
            words.append((text, tokens))
        text, tokens, gap = "", [], ""

    i = 0
    while i < len(pieces):
        stop = _stop_length(pieces, i) if drop_stops else 0
        if stop:
            close()
            i += stop
            continue
        piece = pieces[i]
        i += 1
        if not segment.is_token(piece):
            if tokens:
                gap += piece  # kept only if the word goes on after it
            continue
        if len(piece) > 1 and _CJK.search(piece):
            close()  # a dictionary word stands alone
            words.append((piece, [piece.lower()]))
            continue
        # A single character, or letters and digits: glue to its neighbours.
        text += gap + piece
        tokens.append(piece.lower())
        gap = ""
    close()
    return words


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
    result.terms, result.runs = _terms(pieces, drop_stops=True)
    if not any(not t.exclude for t in result.terms):
        # Nothing but stop words to look for: look for them after all.
        result.terms, result.runs = _terms(pieces, drop_stops=False)
    if not result.terms:
        result.message = "检索词中没有可检索的文字，请换用汉字、字母或数字。"
    elif not any(not t.exclude for t in result.terms):
        result.message = "请至少输入一个要包含的词语（不能只有排除词）。"
    return result


def _terms(pieces: list[tuple[str, bool, bool]], drop_stops: bool) -> tuple[list[Term], list[str]]:
    terms: list[Term] = []
    runs: list[str] = []
    seen: set[tuple[str, bool]] = set()

    def add(term: Term) -> None:
        key = (term.text.lower(), term.exclude)
        if key not in seen and len(terms) < MAX_TERMS:
            seen.add(key)
            terms.append(term)

    for piece, quoted, exclude in pieces:
        if not quoted and piece.startswith(("-", "－")) and len(piece) > 1:
            exclude, piece = True, piece[1:]
        piece = piece.strip("-－")
        if quoted or exclude:
            # Taken as typed: one term, verbatim if cut in several tokens (an
            # excluded run drops the documents holding it, not those holding
            # any of its words).
            tokens = segment.tokens_for_query(piece)
            if tokens:
                add(Term(text=piece, tokens=tokens, phrase=len(tokens) > 1, exclude=exclude))
            continue
        words = query_words(piece, drop_stops=drop_stops)
        for word, tokens in words:
            add(Term(text=word, tokens=tokens, phrase=len(tokens) > 1))
        if words and [w for w, _ in words] != [piece] and piece.lower() not in {r.lower() for r in runs}:
            runs.append(piece)
        if len(terms) >= MAX_TERMS:
            break
    return terms, runs
