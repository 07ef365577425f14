"""No page crashes the content checks (what `gongkai monitor check-page`
runs on a file): seeded generated pages mixing real government paragraphs,
spam strings repeated after the same prefix (the mirror pattern that once
crashed the brand-token rule), brackets, spaces, empty lines, very long lines,
odd unicode and broken markup, as text and as bytes."""

import json
import random
import time

from gongkai.monitor import checks
from gongkai.monitor.checks import PageReport, check_page
from tests.real_pages import all_pages

REAL = [line.strip() for path in all_pages() if path.suffix == ".txt"
        for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 8]
SPAM_WORDS = [e["phrase"] for g in json.loads(checks.DATA.read_text(encoding="utf-8"))["groups"] for e in g["entries"]]
PREFIXES = ["市", "县", "省", "与", "请与", "优", "中华", "各乡（镇）", "西昌市", "", " ", "（", "【", "AG", "www.", "_"]
SUFFIXES = ["人民政府", "政府", "政务公开", "办公室", "委员会", "的", ":", "：", "）", "】", "", " ", "\n", "。", "_", "-",
            "app-【中文*官网】", "·kaiyun(中国)官方网站", "(qū)", "（wù）"]
DECORATIONS = ["_", "-", "·", "*", "【", "】", "(", ")", "（", "）", "[", "]", "《", "》", "<", ">", "&amp;", "&", "\"", "'",
               "|", "/", "\\", ".com", "www.", "365", "888"]
ODD = ["\u200b", "\u200d", "\u202e", "\ufeff", "\u3000", "\xa0", "\u0301", "\ue000", "\U0001f600", "\U00020000",
       "\uff08", "\uff09", "\x0b", "\x0c", "\r", "\t", "\x00", "\x1f", "ǖ", "ü", "İ", "ß", "\ufffd", "﻿", "\u2028"]
MARKUP = ["<b>", "</b>", "<p>", "</p>", "<div style='display:none'>", "</div>", "<br>", "<h1>", "</h1>",
          "<a href='http://www.bet365.com/'>", "</a>", "<title>", "</title>", "<!--", "-->", "<script>", "</script>",
          "<style>.x{color:rgba(1,2,3,...);font-size:0;left:-9999px}</style>", "<span class='x'>",
          "<marquee height=1>", "<font color=#fff>", "<iframe src='//x' width=0>", "<meta name=keywords content='百家乐'>",
          "<table><tr><td>", "</td></tr></table>", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<a href='javascript:'>",
          "<script>document.write('<div style=\"display:none\">')</script>", "<p style='color:rgb(.,.,.)'>",
          "<style>@media screen{@media screen{.y{display:none}}}</style>", "<img alt='开云体育' src='x.png'>",
          "<base href='http://['>", "<a href='http://[::1'>", "<a href='http://a:99999/'>", "<option value='www.['>",
          "<meta http-equiv=refresh content='0;url=http://['>", "<iframe src='//[' width=0></iframe>"]
PAGE_URLS = ["https://www.example.gov.cn/a/b.html", "", "http://[", "file:///tmp/x.html"]


def piece(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.30:
        return rng.choice(REAL)
    if kind < 0.55:   # the same spam string after the same prefix, several times
        spam = rng.choice(SPAM_WORDS) + "".join(rng.choice(DECORATIONS) for _ in range(rng.randint(0, 3)))
        prefix, suffix = rng.choice(PREFIXES), rng.choice(SUFFIXES)
        return "".join(f"{prefix}{spam}{suffix}{rng.choice(['', '，', '。', ' ', chr(10)])}"
                       for _ in range(rng.randint(2, 6)))
    if kind < 0.65:
        return "".join(rng.choice(DECORATIONS) for _ in range(rng.randint(1, 12)))
    if kind < 0.75:
        return "".join(rng.choice(ODD) for _ in range(rng.randint(1, 8)))
    if kind < 0.85:
        return rng.choice(MARKUP)
    if kind < 0.90:   # a very long line
        return rng.choice(REAL) * rng.randint(20, 60)
    if kind < 0.95:
        return "\n" * rng.randint(1, 5) + " " * rng.randint(0, 10)
    return "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 30)))


def generated_page(rng: random.Random) -> str | bytes:
    body = "".join(piece(rng) for _ in range(rng.randint(1, 25)))
    form = rng.random()
    if form < 0.4:
        title = "".join(piece(rng) for _ in range(rng.randint(0, 3)))[:200]
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{body}</p></body></html>"
    elif form < 0.7:
        page = body   # plain text, as a .txt file given to check-page
    else:
        page = f"<div>{body}"
    if rng.random() < 0.3:
        encoding = rng.choice(["utf-8", "gbk", "utf-16"])
        return page.encode(encoding, errors="ignore")
    return page


def test_no_generated_page_crashes_the_check():
    rng = random.Random(20240520)
    started = time.process_time()   # CPU time: other work on the machine does not count
    verdicts = set()
    for case in range(400):
        page = generated_page(rng)
        try:
            report = check_page(page, PAGE_URLS[case % len(PAGE_URLS)])
        except Exception as exc:   # report the case that crashed, to replay it
            raise AssertionError(f"case {case} crashed: {exc!r}\n{page[:500]!r}") from exc
        assert isinstance(report, PageReport)
        assert report.verdict in ("ok", "warnings", "tampered")
        json.dumps(report.as_dict(), ensure_ascii=False)
        for f in report.findings:
            assert f.evidence and f.line >= 0 and f.position >= -1
        verdicts.add(report.verdict)
    assert {"ok", "tampered"} <= verdicts   # the generator makes both clean and tampered pages
    assert time.process_time() - started < 20


def test_same_spam_string_after_the_same_prefix_three_times_in_every_variant():
    """The crash once seen: the same spam string following the same prefix
    three times (the brand-token rule then grew the phrase over the prefix)."""
    for spam in ("AG", "bet365", "Bet-365", "AG真人", "威廉希尔", "开云", "BOB", "888", "WWW.", "vip", "12bet"):
        for prefix in ("市", "（", "【", " ", "-", ".", "AG", "888", "中华"):
            for suffix in ("人民政府", "政府", "）", "】", "", "。", "-", "com"):
                text = "".join(f"<p>{prefix}{spam}{suffix}</p>" for _ in range(3))
                report = check_page(f"<html><head><title>{prefix}{spam}{suffix}</title></head>"
                                    f"<body><h1>{prefix}{spam}{suffix}</h1>{text}</body></html>", wording=lambda t: [])
                assert report.verdict in ("ok", "warnings", "tampered")
