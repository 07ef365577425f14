"""Website monitoring content checks: hidden links, spam links, injected
text, SEO rewrites and wording errors — and the government pages that must
stay clean."""

import json
from pathlib import Path

import pytest

from gongkai.monitor import checks
from gongkai.monitor.checks import Finding, Link, PageReport, SpamDictionary, check_page
from tests.real_pages import all_pages, real_page

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_URL = "https://www.xichang.gov.cn/zwgk/tzgg/202405/t20240520_1.html"


def run(name: str, url: str = PAGE_URL, **kwargs) -> PageReport:
    return check_page((FIXTURES / name).read_bytes(), url, **kwargs)


def of_kind(report: PageReport, kind: str) -> list[Finding]:
    return [f for f in report.findings if f.kind == kind]


# --------------------------------------------------------------------------- clean pages

@pytest.mark.parametrize("name", [
    "clean_notice.html",               # nav drop-down, skip link, visually-hidden text, footer and script badges
    "clean_lottery_regulation.html",   # 福利彩票 管理办法, 彩票 many times, 私彩/六合彩 next to 严禁/非法
    "clean_gambling_crackdown.html",   # 打击网络赌博 news naming 百家乐 and 真人视讯 as crimes
    "clean_abbreviations.html",        # GDP, CPI, PM2.5, 5G several times between Chinese words
])
def test_clean_government_pages_have_no_findings(name):
    report = run(name)
    assert report.findings == [], [f.as_dict() for f in report.findings]
    assert report.verdict == "ok"
    assert report.title


def test_clean_notice_links_are_listed_resolved_and_hidden_menu_marked():
    report = run("clean_notice.html")
    by_url = {link.url: link for link in report.links}
    assert by_url["https://www.xichang.gov.cn/zwgk/zfxxgkzd/"].hidden          # drop-down: own site, not flagged
    assert not by_url["https://www.xichang.gov.cn/about/"].hidden
    assert by_url["https://www.xichang.gov.cn/static/img/logo.png"].tag == "img"
    assert all("#" not in link.url for link in report.links)                 # fragments dropped, skip link gone
    assert "跳到主要内容" not in report.text and "无障碍浏览提示" not in report.text
    assert "关于做好2024年政务公开工作的通知" in report.text


# --------------------------------------------------------------------------- hidden links

@pytest.mark.parametrize("name, url, words", [
    ("hidden_style_block.html", "http://www.hg0088.com/", ["皇冠体育", "display:none", ".yqlj-ext"]),
    ("hidden_inline_visibility.html", "http://www.pj8866.com/", ["葡京娱乐场官网", "visibility:hidden"]),
    ("hidden_zero_size.html", "http://www.cdjiaju-chang.com/", ["成都家具厂", "zero size", "another site"]),
    ("hidden_offscreen.html", "http://www.vns7788.com/", ["威尼斯人娱乐场", "off-screen", "-9999px"]),
    ("hidden_opacity.html", "http://www.dfh5566.cc/", ["六合彩开奖结果", "opacity:0", "#gg-bottom"]),
    ("hidden_colour.html", "http://www.hbzhuangxiu.com/", ["武汉装修公司", "colour equals the background", "#ffffff"]),
    ("hidden_tiny_container.html", "http://www.xpj3344.com/", ["新葡京", "width:1px"]),
    ("hidden_tiny_container.html", "http://www.yabo2024.vip/", ["亚博体育", "marquee"]),
    ("hidden_font_zero.html", "http://www.kaiyun66.com/", ["开云体育", "font-size:0"]),
    ("hidden_script_container.html", "http://www.hg3088.com/", ["皇冠足球", "document.write"]),
    ("script_link.html", "http://www.bet365-cn.cc/", ["bet365体育在线", "written by an inline script"]),
])
def test_hidden_links_are_caught_with_reason(name, url, words):
    report = run(name)
    found = [f for f in of_kind(report, "hidden_link") if f.evidence == url]
    assert found, [f.as_dict() for f in report.findings]
    assert found[0].severity == "serious"
    for word in words:
        assert word in found[0].context, found[0].context
    assert report.verdict == "tampered"
    assert found[0].url == PAGE_URL
    assert any(link.url == url and link.hidden for link in report.links)


def test_script_written_obfuscated_link_is_decoded():
    report = run("script_link.html")
    found = [f for f in of_kind(report, "hidden_link") if f.evidence == "http://www.abcdmoney.com/"]
    assert found and found[0].severity == "serious"
    assert "obfuscated" in found[0].context and "赚钱" in found[0].context


def test_hidden_tab_to_another_site_is_only_a_warning():
    report = run("hidden_tab_offsite.html")
    assert [(f.kind, f.severity, f.evidence) for f in report.findings] == [
        ("hidden_link", "warning", "http://www.example-shop.com/")]
    assert report.verdict == "warnings"


def test_hidden_links_to_own_site_and_skip_links_are_not_flagged():
    html = """<html><head><style>.sr{position:absolute;left:-9999px}.vh{clip:rect(0 0 0 0);position:absolute;
    width:1px;height:1px;overflow:hidden}</style></head><body>
    <a class="sr" href="#content">跳到主要内容</a><span class="vh"><a href="/wza/">无障碍说明</a></span>
    <div style="display:none"><a href="https://www.sc.gov.cn/">四川省人民政府</a></div>
    <main id="content"><p>正文</p></main></body></html>"""
    report = check_page(html, PAGE_URL)
    assert report.findings == []
    assert any(link.hidden and link.url == "https://www.xichang.gov.cn/wza/" for link in report.links)


def test_hidden_spam_link_to_own_site_is_flagged():
    html = """<html><body><p>正文</p><div style="display:none"><a href="/bc/2024.html">澳门新葡京官网</a></div></body></html>"""
    report = check_page(html, PAGE_URL)
    assert [(f.kind, f.evidence) for f in report.findings] == [
        ("hidden_link", "https://www.xichang.gov.cn/bc/2024.html")]


def test_base_href_resolves_links():
    html = """<html><head><base href="https://www.xichang.gov.cn/zwgk/"></head><body>
    <a href="tzgg/1.html#top">通知</a></body></html>"""
    assert [link.url for link in check_page(html).links] == ["https://www.xichang.gov.cn/zwgk/tzgg/1.html"]


# --------------------------------------------------------------------------- spam links

def test_spam_link_by_text():
    report = run("spam_link_text.html")
    assert [(f.kind, f.evidence) for f in report.findings] == [("spam_link", "http://www.tyjt-club.com/")]
    assert "澳门新葡京娱乐场" in report.findings[0].context
    assert report.verdict == "tampered"


def test_spam_link_by_domain():
    report = run("spam_domain.html")
    assert [(f.kind, f.evidence) for f in report.findings] == [("spam_link", "http://www.dafa888.com/")]
    assert "体育新闻" in report.findings[0].context and "dafa888" in report.findings[0].context


@pytest.mark.parametrize("url", [
    "https://www.163.com/", "https://www.12306.cn/", "https://www.58.com/", "https://www.lottery.gov.cn/",
    "https://www.cwl.gov.cn/", "http://pj.gov.cn/", "https://www.js.gov.cn/", "https://www.4399.com/",
])
def test_ordinary_domains_are_not_spam(url):
    report = check_page(f'<html><body><p>相关链接：<a href="{url}">网站</a></p></body></html>', PAGE_URL)
    assert report.findings == []


@pytest.mark.parametrize("url", ["http://www.bet365.com/", "http://hg0088.com/", "http://www.amjs.cc/x",
                                 "http://www.pj777.com/", "http://888pj.com/", "http://www.casino-online.net/"])
def test_gambling_domains_are_spam(url):
    report = check_page(f'<html><body><p>相关链接：<a href="{url}">网站</a></p></body></html>', PAGE_URL)
    assert [f.kind for f in report.findings] in (["spam_link"],), url


# --------------------------------------------------------------------------- injected text and SEO rewrite

def test_injected_gambling_sentence_in_body():
    report = run("injected_text.html")
    found = of_kind(report, "injected_text")
    assert {f.evidence for f in found} >= {"澳门新葡京", "真人娱乐", "在线赌场"}
    assert all(f.severity == "serious" for f in found)
    assert any("注册送38元彩金" in f.context for f in found)
    assert report.verdict == "tampered"
    assert {f.kind for f in report.findings} == {"injected_text"}


def test_title_and_meta_keywords_hijack():
    report = run("title_hijack.html")
    contexts = [f.context for f in of_kind(report, "injected_text")]
    assert any(c.startswith("<title>") and "澳门新葡京" in c for c in contexts)
    assert any(c.startswith("<meta keywords>") for c in contexts)


def test_seo_rewrite_inside_organisation_names_and_title():
    report = run("seo_rewrite.html")
    found = of_kind(report, "seo_rewrite")
    assert found and all(f.evidence == "AG真人娱乐" for f in found)
    assert any("西昌市AG真人娱乐政府" in f.context and f.detail == "inside an organisation name" for f in found)
    assert any(f.context.startswith("<title>/<h1>") for f in found)
    assert len(found) >= 5
    assert report.verdict == "tampered"
    # Each occurrence is reported once, as a rewrite (not again as injected text).
    assert of_kind(report, "injected_text") == []


def test_unknown_foreign_token_repeated_between_chinese_words_is_a_rewrite():
    body = "".join(f"<p>{s}</p>" for s in (
        "全县Kaiyun群众积极参与。", "县Kaiyun政府召开会议。", "坚持以Kaiyun为中心的发展思想。", "Kaiyun代表大会闭幕。"))
    report = check_page(f"<html><head><title>县Kaiyun政府</title></head><body>{body}</body></html>", PAGE_URL)
    found = of_kind(report, "seo_rewrite")
    assert found and {f.evidence for f in found} == {"Kaiyun"} and report.verdict == "tampered"


def test_unknown_abbreviation_repeated_is_only_a_warning_and_defined_one_is_clean():
    text = "全市ETF规模扩大，ETF产品增加，投资ETF基金的人数上升。"
    report = check_page(f"<html><body><p>{text.replace('ETF', 'QDII')}</p></body></html>", PAGE_URL)
    assert {(f.kind, f.severity) for f in report.findings} == {("seo_rewrite", "warning")}
    defined = "合格境内机构投资者（QDII）" + text.replace("ETF", "QDII")
    assert check_page(f"<html><body><p>{defined}</p></body></html>", PAGE_URL).findings == []


def test_regulatory_context_keeps_a_mention_clean_and_its_absence_does_not():
    clean = "<p>市公安局依法打击网络赌博、百家乐等违法犯罪活动。</p>"
    spam = "<p>百家乐在线玩，天天返水。</p>"
    assert check_page(f"<html><body>{clean}</body></html>").findings == []
    assert [f.evidence for f in check_page(f"<html><body>{spam}</body></html>").findings] == ["百家乐", "返水"]


def test_hidden_spam_text_without_links_is_injected_text():
    html = '<html><body><p>正文</p><div style="display:none">澳门新葡京 真人娱乐 在线赌场</div></body></html>'
    found = of_kind(check_page(html), "injected_text")
    assert found and found[0].context.startswith("hidden text (display:none")


# --------------------------------------------------------------------------- wording

def test_serious_wording_error_with_context():
    report = run("wording_error.html")
    assert [(f.kind, f.severity, f.evidence) for f in report.findings] == [("wording", "serious", "中华人民共合国")]
    assert "政府信息公开条例" in report.findings[0].context
    assert "中华人民共和国" in report.findings[0].detail
    assert report.verdict == "tampered"


def test_outdated_name_is_a_warning_and_wording_callable_is_used():
    report = check_page("<html><body><p>原国家旅游局发布的通知。</p></body></html>")
    assert [(f.kind, f.severity) for f in report.findings] == [("wording", "warning")]

    calls = []

    def office(text):
        calls.append(text)
        return []

    assert check_page("<html><body><p>原国家旅游局发布的通知。</p></body></html>", wording=office).findings == []
    assert calls and "国家旅游局" in calls[0]


# --------------------------------------------------------------------------- input, API

def test_gbk_bytes_are_decoded():
    html = (FIXTURES / "injected_text.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"')
    report = check_page(html.encode("gbk"), PAGE_URL)
    assert report.title == "关于做好2024年政务公开工作的通知_西昌市人民政府"
    assert "澳门新葡京" in {f.evidence for f in report.findings}
    clean = (FIXTURES / "clean_notice.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gbk"')
    assert check_page(clean.encode("gbk"), PAGE_URL).verdict == "ok"


def test_as_dict_is_json_serialisable():
    report = run("hidden_style_block.html")
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert set(data) == {"url", "title", "verdict", "findings"}
    assert data["verdict"] == "tampered"
    assert {"kind", "severity", "evidence", "context", "url"} <= set(data["findings"][0])


def test_custom_spam_dictionary_and_empty_pages():
    spam = {"phrases": [{"phrase": "测试赌", "category": "gambling", "weight": 3}], "context_words": []}
    report = check_page("<html><body><p>这是测试赌内容</p></body></html>", spam=spam)
    assert [f.evidence for f in report.findings] == ["测试赌"]
    assert isinstance(checks.shipped_spam(), SpamDictionary) and checks.shipped_spam() is checks.shipped_spam()
    assert check_page("").verdict == "ok"
    assert check_page(b"   ").findings == []
    assert isinstance(Link("u", "t", "a"), Link)


def test_shipped_spam_dictionary_is_documented():
    data = json.loads(checks.DATA.read_text(encoding="utf-8"))
    assert "compiled for gongkai" in data["source"].lower()
    assert {g["category"] for g in data["groups"]} == {"gambling", "lottery", "porn", "fake_invoice"}
    assert all(g["note"] and g["entries"] for g in data["groups"])
    assert {"打击", "整治", "监管", "管理办法", "违法", "取缔", "举报", "福利彩票发行"} <= set(data["context_words"])


def test_search_engine_redirect_script_and_meta_refresh_to_spam():
    html = """<html><head><meta http-equiv="refresh" content="5;url=http://www.pj888.com/"></head><body><p>正文</p>
    <script>if (document.referrer.indexOf("baidu") > 0) { window.location.href = "http://www.hg0088.com/"; }</script>
    </body></html>"""
    assert {(f.kind, f.evidence) for f in check_page(html, PAGE_URL).findings} == {
        ("spam_link", "http://www.pj888.com/"), ("spam_link", "http://www.hg0088.com/")}


def test_white_text_on_background_image_is_not_hidden():
    html = """<html><head><style>body{background:#fff}.banner{background:url(/img/banner.jpg) no-repeat}
    .banner a{color:#fff}</style></head><body><div class="banner"><a href="https://www.people.com.cn/">人民网</a>
    <a href="http://www.sohu.com/">搜狐</a></div></body></html>"""
    report = check_page(html, PAGE_URL)
    assert report.findings == [] and not any(link.hidden for link in report.links)
    plain = html.replace("url(/img/banner.jpg) no-repeat", "#ffffff")
    assert [f.evidence for f in check_page(plain, PAGE_URL).findings] == ["http://www.sohu.com/"]


def test_no_generated_page_crashes_the_check():
    """Seeded random pages built from spam brands, organisation words and
    punctuation (a page that once crashed the brand-token rule had the same
    spam string after the same prefix several times)."""
    import random

    from gongkai.monitor.checks import check_page

    rng = random.Random(7)
    words = ["市人民政府", "政务公开", "办公室", "关于", "通知", "澳门", "威尼斯人", "AG", "bet365", "彩票", "真人",
             "888", "-", ".", " ", "（", "）", "vip", "Bet-365", "WWW.", "com", "开户", "【", "】", "&amp;", "<b>x</b>"]
    for _ in range(400):
        title = "".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        body = "".join(rng.choice(words) for _ in range(rng.randint(5, 60)))
        report = check_page(f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                            f"<p>{body}</p><p>{body}</p><a href='http://x.example/{body[:5]}'>{body[:9]}</a></body></html>")
        assert report.verdict in ("ok", "warnings", "tampered")


# --------------------------------------------------------------------------- real pages, mirrors, brands

# Real pages: tests/real_pages.py says where each is saved.
MIRRORS = {"yichun-2023-annualreport-spammirror.txt", "dazhou-2012-infoquota-mirror.txt"}
SPAM_KINDS = {"injected_text", "seo_rewrite", "spam_link", "hidden_link"}


def test_tampered_mirror_with_a_bookmaker_brand_is_caught_at_every_occurrence():
    source = real_page("yichun-2023-annualreport-spammirror.txt").read_text(encoding="utf-8")
    report = check_page(source.encode("utf-8"), "")
    injected = "威廉希尔_威廉博彩app-【中文*官网】"
    found = of_kind(report, "seo_rewrite")
    assert [f.evidence for f in found] == [injected] * source.count(injected) == [injected] * 3
    assert all(f.severity == "serious" for f in found) and report.verdict == "tampered"
    assert [f.line for f in found] == [1, 3, 3]
    assert [source[f.position:f.position + len(injected)] for f in found] == [injected] * 3
    assert len({f.position for f in found}) == 3
    assert "请与" + injected + "办公室联系" in found[0].context and found[0].detail == "inside an organisation name"
    assert "省" + injected in found[1].context and "优" + injected + "的职能" in found[2].context
    # The 博彩 inside it, next to 强监管, is part of the rewrite, not discounted and not reported twice.
    assert of_kind(report, "injected_text") == []


def test_machine_made_mirror_with_pinyin_is_caught():
    source = real_page("dazhou-2012-infoquota-mirror.txt").read_text(encoding="utf-8")
    report = check_page(source.encode("utf-8"), "")
    found = of_kind(report, "seo_rewrite")
    assert len(found) == 1 and found[0].severity == "serious" and report.verdict == "tampered"
    assert found[0].evidence == "區(qū)" and found[0].line == 1
    for syllable in ("(qū)", "(jí)", "(mén)", "(wù)", "(biāo)"):
        assert syllable in found[0].detail
    assert "pinyin" in found[0].detail and "lines 1, 2," in found[0].detail


def test_a_few_pinyin_readings_are_not_a_mirror():
    text = "浉(shī)河区、䢺(chū)水镇和亳(bó)州市的读音如下。" * 2
    assert check_page(f"<html><body><p>{text}</p></body></html>", PAGE_URL).findings == []


@pytest.mark.parametrize("path", [p for p in all_pages() if p.name not in MIRRORS], ids=lambda p: p.name)
def test_clean_real_pages_have_no_spam_finding(path):
    report = check_page(path.read_bytes(), "")
    assert [f.as_dict() for f in report.findings if f.kind in SPAM_KINDS] == []


def test_spam_string_standing_for_a_place_name_is_reported_at_every_occurrence():
    lines = ["各县（区）人民政府，市政府各部门：", "经开云体育·官网人民政府同意，现将《2023年开云体育·官网政务公开工作要点》印发给你们。",
             "请与开云体育·官网人民政府办公室联系。", "", "开云体育·官网政务公开领导小组"]
    source = "<html><body>\n" + "\n".join(f"<p>{line}</p>" for line in lines) + "\n</body></html>"
    found = of_kind(check_page(source, PAGE_URL), "seo_rewrite")
    assert {f.evidence for f in found} == {"开云体育·官网"}
    assert sorted(f.line for f in found) == [3, 3, 4, 6]
    assert all(source[f.position:f.position + 7] == "开云体育·官网" for f in found)
    assert any("政务公开" in f.context for f in found) and all(f.severity == "serious" for f in found)


@pytest.mark.parametrize("ordinary", ["金沙江", "金沙县", "银河系", "银河", "永利村", "山东半岛", "拨开云雾", "太阳城小区"])
def test_ordinary_words_that_are_also_brand_names_never_alert(ordinary):
    body = "".join(f"<p>{s}</p>" for s in (
        f"{ordinary}人民政府办公室关于印发{ordinary}政务公开工作要点的通知。",
        f"经{ordinary}人民政府同意，{ordinary}各部门要加强监管，依法打击网络赌博。",
        f"请与{ordinary}人民政府办公室联系。"))
    report = check_page(f"<html><head><title>{ordinary}人民政府</title></head><body><h1>{ordinary}人民政府</h1>{body}"
                        f"</body></html>", PAGE_URL)
    assert report.findings == [], [f.as_dict() for f in report.findings]


def test_crackdown_notice_is_quiet_but_a_brand_in_it_is_not():
    notice = ("<p>为严厉打击赌博违法犯罪活动，市公安局决定开展专项整治。严禁利用网络开设赌场，禁止网络赌博，"
              "依法查处六合彩、时时彩、百家乐、真人视讯等赌博活动；对组织网投、体育投注的团伙依法打击。</p>")
    clean = check_page(f"<html><body>{notice}</body></html>", PAGE_URL)
    assert clean.findings == [], [f.as_dict() for f in clean.findings]
    tampered = notice.replace("百家乐", "威廉希尔")
    found = check_page(f"<html><body>{tampered}</body></html>", PAGE_URL).findings
    assert [(f.kind, f.evidence) for f in found] == [("injected_text", "威廉希尔")]
    assert found[0].line == 1 and "依法查处六合彩、时时彩、威廉希尔" in found[0].context


def test_dictionary_hits_leave_out_ambiguous_names_without_gambling_context():
    """What the importer asks about an issuer's name (ingest services)."""
    spam = checks.shipped_spam()
    assert spam.hits("金沙县人民政府") == [] and spam.hits("银河街道办事处") == []
    assert [p.phrase for _, _, p in spam.hits("金沙县人民政府")] == []
    assert [p.phrase for _, _, p in spam.hits("澳门金沙人民政府")] == ["澳门金沙"]
    assert [p.phrase for _, _, p in spam.hits("半岛体育人民政府")] == ["半岛体育"]
    assert [p.phrase for _, _, p in spam.hits("半岛·kaiyun(中国)官方网站")] == ["半岛"]
    assert [p.phrase for _, _, p in spam.all_hits("金沙县")] == ["金沙"]


def test_injected_text_is_located_in_the_source():
    html = "<html><body>\n<p>正文第一段。</p>\n<p>百家乐在线玩，天天返水。</p>\n</body></html>"
    found = check_page(html, PAGE_URL).findings
    assert [(f.evidence, f.line, html[f.position:f.position + len(f.evidence)]) for f in found] == [
        ("百家乐", 3, "百家乐"), ("返水", 3, "返水")]


def test_a_weak_word_repeated_over_a_page_is_not_spam_but_different_ones_add_up():
    rooms = "".join(f"<p>{name}社区服务中心设有阅览室、棋牌室和健身室。</p>" for name in "东西南北中上")
    assert check_page(f"<html><body>{rooms}</body></html>", PAGE_URL).findings == []
    words = "".join(f"<p>{w}</p>" for w in ("首存", "彩金", "返水", "棋牌", "下注", "官方网址"))
    found = check_page(f"<html><body>{words}</body></html>", PAGE_URL).findings
    assert {f.evidence for f in found} == {"首存", "彩金", "返水", "棋牌", "下注", "官方网址"}
