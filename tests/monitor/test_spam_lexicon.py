"""The shipped spam lexicon (gongkai/monitor/data/spam.json), entry by entry.

For every entry: injected into a real government page where a place name
stood (the hijacked-mirror pattern) it is found, every occurrence of it; in
clean text that shares its characters it is not; next to regulatory words
(打击, 监管) a generic term stays quiet while a brand name is still found.
Ambiguous names (金沙, 银河, 开云 …) count only with gambling context: their
ordinary uses (金沙江, 银河系, 拨开云雾 …) stay quiet, also inside
organisation names."""

import html
import json
import re
from pathlib import Path

import pytest

from gongkai.monitor import checks
from gongkai.monitor.checks import check_page
from tests.real_pages import all_pages, real_page

FIXTURES = Path(__file__).parent / "fixtures"
DATA = json.loads(checks.DATA.read_text(encoding="utf-8"))
ENTRIES = [dict(entry, _group=group) for group in DATA["groups"] for entry in group["entries"]]
PHRASES = [e["phrase"] for e in ENTRIES]
SPAM = checks.SpamDictionary(DATA)

# A real annual report of a town government (镇安县茅坪回族镇, 2022): 镇安县 stands
# three times where a tampered mirror would put its spam string.
REAL = real_page("zhenan-maoping-2022-annualreport.txt").read_text(encoding="utf-8")
PLACE = "镇安县"
REGULATORY = "市公安局坚持强监管，依法严厉打击{}等违法犯罪活动。"
DECORATION = "·(中国)官方网站"   # how injected brand names are dressed: 开云·kaiyun(中国)官方网站


def no_wording(text):
    return []


def page(text: str) -> str:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    return (f"<html><head><title>茅坪回族镇2022年度政府信息公开工作年度报告</title></head>\n"
            f"<body>\n{body}\n</body></html>")


def check(text: str):
    return check_page(page(text), "https://www.zazf.gov.cn/gk/gk05/tbnb/96193.htm", wording=no_wording)


def ident(entry):
    return entry["phrase"]


def is_brand(entry) -> bool:
    return bool(entry.get("brand", entry["_group"].get("brand", False)))


def injected(entry) -> str:
    """The string a mirror puts where the place name was."""
    return entry["phrase"] + DECORATION if entry.get("ambiguous") else entry["phrase"]


def split_apart(phrase: str) -> tuple[str, str] | None:
    """Two pieces of the phrase that hold no lexicon entry (no ambiguous one
    if possible), so that clean text can use both without the phrase."""
    candidates = []
    for i in range(1, len(phrase)):
        a, b = phrase[:i].strip(), phrase[i:].strip()
        if not a or not b:
            continue
        found = SPAM.all_hits(f"。{a}。") + SPAM.all_hits(f"。{b}。")
        if any(not p.ambiguous for _, _, p in found):
            continue
        candidates.append((bool(found), abs(len(a) - len(b)), a, b))
    if not candidates:
        return None
    _, _, a, b = min(candidates)
    return a, b


# --------------------------------------------------------------------------- the lexicon itself


def test_real_page_is_clean_and_holds_the_place_three_times():
    assert REAL.count(PLACE) == 3
    assert check(REAL).findings == []


def test_lexicon_is_documented_with_sources():
    assert all(re.match(r"https?://", url) for url in DATA["sources"])
    assert len(DATA["sources"]) >= 5
    for group in DATA["groups"]:
        assert group["name"] and len(group["note"]) > 40 and group["entries"], group["name"]
        assert group["category"] in {"gambling", "lottery", "porn", "fake_invoice"}
        for source in group.get("sources", []):
            assert re.match(r"https?://|issue ", source), source
    gambling = [g for g in DATA["groups"] if g["category"] == "gambling"]
    assert all(g["sources"] for g in gambling)


def test_no_entry_twice_and_ambiguous_entries_have_ordinary_uses():
    lowered = [p.lower() for p in PHRASES]
    assert len(lowered) == len(set(lowered)), sorted({p for p in lowered if lowered.count(p) > 1})
    for entry in ENTRIES:
        if entry.get("ambiguous"):
            assert is_brand(entry), entry
            assert entry["ordinary"] and all(entry["phrase"].lower() in o.lower() for o in entry["ordinary"]), entry
        assert 1 <= entry.get("weight", entry["_group"].get("weight", 2)) <= 3


@pytest.mark.parametrize("phrase", [
    "威廉希尔", "立博", "澳门新葡京", "皇冠体育", "太阳城", "金沙", "银河", "永利", "bet365", "188金宝博", "12bet", "优德",
    "必发", "沙巴体育", "开云", "九游", "乐鱼", "半岛", "亚博", "华体会", "BOB", "米乐", "爱游戏"])
def test_brand_names_of_the_issue_are_brands(phrase):
    entry = next(e for e in ENTRIES if e["phrase"] == phrase)
    assert is_brand(entry) and SPAM.lookup(phrase).brand


@pytest.mark.parametrize("phrase", [
    "百家乐", "六合彩", "时时彩", "彩票开奖", "真人视讯", "棋牌", "老虎机", "体育投注", "网投", "赌场", "博彩", "娱乐城",
    "成人视频", "午夜福利"])
def test_generic_terms_of_the_issue_are_terms(phrase):
    assert SPAM.lookup(phrase) is not None and not SPAM.lookup(phrase).brand


@pytest.mark.parametrize("phrase", ["金沙", "银河", "永利", "开云", "半岛", "亚博", "九游", "乐鱼", "米乐", "爱游戏",
                                    "太阳城", "BOB"])
def test_short_brand_names_that_are_ordinary_words_are_ambiguous(phrase):
    assert SPAM.lookup(phrase).ambiguous


# --------------------------------------------------------------------------- every entry


@pytest.mark.parametrize("entry", ENTRIES, ids=ident)
def test_entry_substituted_for_a_place_name_is_found_at_every_occurrence(entry):
    spam = injected(entry)
    source = page(REAL.replace(PLACE, spam))
    report = check_page(source, "", wording=no_wording)
    found = [f for f in report.findings if entry["phrase"].lower() in f.evidence.lower()]
    assert found, [f.as_dict() for f in report.findings]
    assert all(f.kind == "seo_rewrite" and f.severity == "serious" for f in found), [f.as_dict() for f in found]
    expected_lines = [source.count("\n", 0, m.start()) + 1 for m in re.finditer(re.escape(spam), source)]
    assert sorted(f.line for f in found) == expected_lines
    for f in found:
        assert source[f.position:f.position + len(f.evidence)] == f.evidence
        assert f.evidence in f.context and "政府" in f.context
    assert report.verdict == "tampered"


@pytest.mark.parametrize("entry", ENTRIES, ids=ident)
def test_entry_is_not_found_in_clean_text_that_shares_its_characters(entry):
    phrase = entry["phrase"]
    sentences = []
    pieces = split_apart(phrase)
    if pieces:
        a, b = pieces
        sentences.append(f"会议强调，要把{a}摆在突出位置；{b}相关工作同步推进。")
    for ordinary in entry.get("ordinary", []):
        sentences.append(f"会议研究了{ordinary}有关工作，要求各部门抓好落实。")
    assert sentences, phrase
    text = REAL.replace("一、总体情况", "一、总体情况\n" + "\n".join(sentences))
    report = check(text)
    assert report.findings == [], [f.as_dict() for f in report.findings]
    if entry.get("ambiguous"):
        # Alone (no gambling cue), even where a place name stands: 金沙县人民政府, 银河人民政府.
        assert check(REAL.replace(PLACE, phrase)).findings == [] or phrase.isascii()


@pytest.mark.parametrize("entry", ENTRIES, ids=ident)
def test_entry_next_to_regulatory_words(entry):
    """A generic term in a crackdown notice is regulatory text; a brand name
    is found whatever surrounds it; an ambiguous name needs gambling context."""
    text = REAL.replace("一、总体情况", "一、总体情况\n" + REGULATORY.format(entry["phrase"]))
    report = check(text)
    if is_brand(entry) and not entry.get("ambiguous"):
        found = [f for f in report.findings if f.evidence.lower() == entry["phrase"].lower()]
        assert [(f.kind, f.severity) for f in found] == [("injected_text", "serious")], [
            f.as_dict() for f in report.findings]
        assert "监管" in found[0].context
    else:
        assert report.findings == [], [f.as_dict() for f in report.findings]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.get("ambiguous")], ids=ident)
def test_ambiguous_name_counts_with_gambling_context(entry):
    phrase = entry["phrase"]
    for spam in (f"{phrase}娱乐官网", f"{phrase}·kaiyun(中国)官方网站登录入口", f"澳门{phrase}"):
        text = REAL.replace("一、总体情况", f"一、总体情况\n欢迎访问{spam}，注册即送。")
        found = [f for f in check(text).findings if phrase.lower() in f.evidence.lower()]
        assert found and all(f.severity == "serious" for f in found), spam


# --------------------------------------------------------------------------- the phrase pattern


def alternation(keys) -> re.Pattern:
    """The phrase pattern as it was first written (the oracle): every phrase,
    longest first, ASCII ones as whole words, under IGNORECASE."""
    parts = []
    for key in sorted(keys, key=len, reverse=True):
        esc = re.escape(key)
        if key.isascii():
            esc = rf"(?<![a-z0-9]){esc}(?![a-z0-9])"
        parts.append(esc)
    return re.compile("|".join(parts), re.IGNORECASE)


def spans(pattern: re.Pattern, text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


# Characters that stand next to phrases in generated text: word characters
# that make an ASCII phrase part of a longer word (and those that IGNORECASE
# takes for letters: İ ı ſ and the Kelvin sign), punctuation, Chinese text.
NEIGHBOURS = ["", "", " ", "a", "Z", "9", "_", "-", "İ", "ı", "ſ", "\u212a", "。", "，", "\n", "县", "体育", "官网",
              "娱乐", "·", "(", "é"]


def generated_spam(seed: int, sentences: int = 400) -> str:
    """Phrases in every case, glued to their neighbours, cut short and run
    together (金沙金沙娱乐, bet365bet, 皇冠体), between clean real text."""
    import random

    rng = random.Random(seed)
    keys = list(SPAM.phrases)
    out = []
    for _ in range(sentences):
        phrase = rng.choice(keys)
        form = rng.randrange(6)
        if form == 1:
            phrase = phrase.upper()
        elif form == 2:
            phrase = "".join(c.upper() if rng.random() < 0.5 else c for c in phrase)
        elif form == 3:
            phrase = phrase[:rng.randrange(1, len(phrase) + 1)]
        elif form == 4:
            phrase = phrase + rng.choice(keys)
        elif form == 5:
            phrase = phrase.replace("k", "\u212a").replace("s", "ſ").replace("i", "İ")
        start = rng.randrange(0, len(REAL) - 40)
        out.append(rng.choice(NEIGHBOURS) + phrase + rng.choice(NEIGHBOURS) + REAL[start:start + rng.randrange(40)])
    return "".join(out)


def test_phrase_pattern_matches_what_the_plain_alternation_matches_on_real_pages():
    oracle = alternation(SPAM.phrases)
    pages = all_pages() + sorted(FIXTURES.glob("*.html"))
    assert len(pages) > 20
    found = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        for variant in (text, text.upper(), text.lower()):
            assert spans(SPAM.pattern, variant) == spans(oracle, variant), path.name
        found += len(spans(oracle, text))
    assert found > 10  # the tampered mirrors hold phrases: the comparison is not only of empty lists


@pytest.mark.parametrize("seed", range(5))
def test_phrase_pattern_matches_what_the_plain_alternation_matches_on_generated_spam(seed):
    text = generated_spam(seed)
    expected = spans(alternation(SPAM.phrases), text)
    assert len(expected) > 200
    assert spans(SPAM.pattern, text) == expected


def test_phrase_pattern_of_other_lexicons():
    """Phrases one of which is the start of another, one-character and mixed
    ones, and two that one character of text matches alike (s and ſ: then
    the plain alternation is used)."""
    lexicons = [
        ["av", "ava", "java", "b", "bet", "bet365", "365", "365bet", "金", "金沙", "金沙娱乐", "k", "kk", "im体育", "a b"],
        ["sa", "ſb", "ok", "o\u212a"],
        ["i", "ı", "İx"],
    ]
    text = generated_spam(7, 100) + " av ava java bet365bet 365bet BET365 金沙娱乐金 kk KK \u212ak sa ſb SB ok o\u212a i ı İx IX "
    for phrases in lexicons:
        spam = checks.SpamDictionary({"phrases": [{"phrase": p} for p in phrases]})
        for variant in (text, text.upper()):
            assert spans(spam.pattern, variant) == spans(alternation(spam.phrases), variant), phrases


def test_every_case_variant_is_asked_of_re_itself():
    """The characters IGNORECASE matches an ASCII letter with, over all of
    Unicode (outside the Basic Multilingual Plane too)."""
    every = "".join(map(chr, range(0x110000)))
    letters = sorted({c for p in SPAM.phrases for c in p if c.lower() != c or c.upper() != c})
    variants = checks._case_variants(frozenset(letters))
    for letter in letters:
        assert variants[letter] == sorted(re.findall(re.escape(letter), every, re.IGNORECASE)), letter
