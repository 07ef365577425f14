"""Chinese word segmentation with jieba, shared by indexing and querying so both
sides cut text the same way.

jieba's dictionary and algorithm run through jieba-rs (the `rjieba` binding):
the same cuts as the pure-Python jieba, about 18 times faster, which is what
lets an import index hundreds of documents a second (bench/RESULTS.md).

The index uses jieba's search mode (every dictionary word and the shorter
dictionary words inside it), so a query for 共和国 finds 中华人民共和国. Queries
use the precise mode; HMM is off on both sides so that the cut is a pure
function of the dictionary and does not guess differently per context.
"""

import re
import threading

import rjieba

_lock = threading.Lock()
_ready = False
_WORDISH = re.compile(r"\w", re.UNICODE)

# Terms the general dictionary lacks or cuts badly in government texts.
DOMAIN_WORDS = [
    "政务公开", "政府信息公开", "依申请公开", "主动公开", "不予公开", "政策解读", "行政规范性文件",
    "工作要点", "办事指南", "政务服务", "一网通办", "放管服", "索引号", "发文字号", "牵头单位", "责任单位",
]
DOMAIN_WORD_FREQ = 20000


def _ensure_ready() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        for word in DOMAIN_WORDS:
            rjieba.add_word(word, DOMAIN_WORD_FREQ, None)
        _ready = True


def tokens_for_index(text: str) -> list[str]:
    _ensure_ready()
    return [t for t in rjieba.cut_for_search(text or "", False) if _WORDISH.search(t)]


def index_text(text: str) -> str:
    """Segmented text, tokens separated by spaces, lower-cased for ASCII."""
    return " ".join(tokens_for_index(text)).lower()


def cut_for_query(text: str) -> list[str]:
    """jieba's precise cut of a query as typed: every piece in order, the
    punctuation between words included, so that the pieces join back into
    `text` (query.py groups them into the words a person meant)."""
    _ensure_ready()
    return list(rjieba.cut(text or "", False))


def is_token(piece: str) -> bool:
    """Whether a piece of the cut is something the index holds (not punctuation)."""
    return bool(_WORDISH.search(piece))


def tokens_for_query(text: str) -> list[str]:
    return [t.lower() for t in cut_for_query(text) if is_token(t)]
