"""The website monitor's crawler and `gongkai monitor` command, against a site served on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

import pytest
from django.core.management import call_command

from tests.monitor.site import LoopbackSite, build_generated, refused_port


from gongkai.monitor import checks  # noqa: E402
from gongkai.monitor import crawler  # noqa: E402

TIMEOUT = 2.0  # seconds per request (room for a busy machine); the slow page answers after 6


SPAM_PAGE = ("<h1>通知公告</h1><p>关于开展政务公开工作的通知。</p>"
             "<div style='display:none'><a style='display:none' href='http://casino.invalid/'>澳门博彩</a>"
             "<p>在线博彩 官方网站</p></div>")

INJECTED_PAGE = "<h1>工作动态</h1><p>我局召开安全生产工作会议。</p><p>在线博彩 澳门赌场 六合彩开奖</p>"
WORDING_PAGE = "<h1>政策解读</h1><p>根据《中华人民共合国政府信息公开条例》，现将有关情况解读如下。</p>"
CONTENT_PAGES = ("/spam.html", "/injected.html", "/wording.html")


def build_test_site(site: LoopbackSite, refused: int) -> None:
    ext = f"http://127.0.0.1:{refused}/gone.html"
    other_host = site.url("/other-host.html", host="localhost")
    site.robots("User-agent: *\nDisallow: /private/\n")
    site.page("/", f"""
        <h1>首页</h1>
        <a href="/a.html">正常页面</a>
        <a href="/missing.html">缺失页面</a>
        <img src="/img/broken.png" alt="坏图片">
        <img src="/img/ok.png" alt="好图片">
        <a href="{ext}">外部失效网站</a>
        <a href="/slow.html">慢页面</a>
        <a href="/old.html">旧地址</a>
        <a href="/loop1.html">循环跳转</a>
        <a href="/data.json">数据文件</a>
        <a href="/report.pdf">年度报告</a>
        <a href="{other_host}">另一个主机</a>
        <a href="/private/secret.html">内部页面</a>
        <a href="/head405.html">不支持HEAD</a>
        <a href="/error.html">服务器错误</a>
        <a href="/chain0.html">长跳转链</a>
        <a href="/a.html#section">带锚点</a>
        <a href="mailto:office@example.org">邮件</a>
        <script src="/static/app.js"></script>
        <link rel="stylesheet" href="/static/missing.css">
        <a href="/spam.html">通知公告</a>
        <a href="/injected.html">工作动态</a>
        <a href="/wording.html">政策解读</a>
    """, title="首页")
    site.page("/a.html", '<p>正常页面</p><a href="/">返回首页</a> <a href="/missing.html">另一个失效链接</a>',
              title="正常页面")
    site.page("/spam.html", SPAM_PAGE, title="通知公告")
    site.page("/injected.html", INJECTED_PAGE, title="工作动态")
    site.page("/wording.html", WORDING_PAGE, title="政策解读")
    site.page("/slow.html", "<p>slow</p>", delay=6.0)
    site.redirect("/old.html", "/a.html", status=301)
    site.redirect("/loop1.html", "/loop2.html")
    site.redirect("/loop2.html", "/loop1.html")
    for i in range(12):
        site.redirect(f"/chain{i}.html", f"/chain{i + 1}.html")
    site.page("/chain12.html", "<p>end of the chain</p>")
    site.file("/data.json", b'{"a": 1}', "application/json")
    site.file("/report.pdf", b"%PDF-1.4 fake", "application/pdf")
    site.file("/img/ok.png", b"\x89PNG fake", "image/png")
    site.file("/static/app.js", b"console.log(1)", "application/javascript")
    site.page("/other-host.html", '<a href="/only-from-other-host.html">x</a>')
    site.page("/only-from-other-host.html", "<p>never fetched</p>")
    site.page("/private/secret.html", '<a href="/private/deeper.html">更深</a>')
    site.page("/private/deeper.html", "<p>deeper</p>")
    site.page("/head405.html", "<p>no HEAD here</p>", head_status=405)
    site.page("/error.html", "<p>boom</p>", status=500)


@pytest.fixture(scope="module")
def site():
    with LoopbackSite() as s:
        build_test_site(s, refused_port())
        yield s


def run_crawl(site, **kw):
    kw.setdefault("timeout", TIMEOUT)
    site.hits.clear()
    site.log.clear()
    return crawler.run_sync(crawler.crawl(site.url("/"), **kw))


@pytest.fixture(scope="module")
def own_crawl(site):
    """The office's own site: robots.txt not applied."""
    report = run_crawl(site, own_hosts=("127.0.0.1",))
    return report, dict(site.hits), list(site.log)


@pytest.fixture(scope="module")
def foreign_crawl(site):
    """Someone else's site: robots.txt honoured."""
    report = run_crawl(site)
    return report, dict(site.hits), list(site.log)


def dead(report, evidence_path, site, page_path="/"):
    """The dead_link findings for a target on a page."""
    return [f for f in report.findings if f.kind == "dead_link" and f.evidence == site.url(evidence_path)
            and f.url == site.url(page_path)]


def hits_for(hits, path):
    return sum(n for (m, p), n in hits.items() if p == path)


# ------------------------------------------------------------------ dead links


def test_dead_internal_link_reported_on_every_page_that_links_it_with_its_anchor_text(site, own_crawl):
    report, hits, _ = own_crawl
    on_home = dead(report, "/missing.html", site)
    on_a = dead(report, "/missing.html", site, "/a.html")
    assert [f.context for f in on_home] == ["缺失页面 (HTTP 404)"]
    assert [f.context for f in on_a] == ["另一个失效链接 (HTTP 404)"]
    assert on_home[0].severity == "warning"
    assert hits_for(hits, "/missing.html") == 1  # checked once, shared by both pages


def test_dead_image_and_stylesheet(site, own_crawl):
    report, *_ = own_crawl
    assert [f.context for f in dead(report, "/img/broken.png", site)] == ["坏图片 (HTTP 404)"]
    assert [f.context for f in dead(report, "/static/missing.css", site)] == ["[link] (HTTP 404)"]
    assert not dead(report, "/img/ok.png", site) and not dead(report, "/static/app.js", site)


def test_dead_external_link_refused(site, own_crawl):
    report, *_ = own_crawl
    found = [f for f in report.findings if f.kind == "dead_link" and f.evidence.endswith("/gone.html")]
    assert len(found) == 1 and found[0].url == site.url("/")
    assert found[0].context == "外部失效网站 (connection failed: connection refused)"


def test_timeout_is_a_dead_link(site, own_crawl):
    report, *_ = own_crawl
    assert [f.context for f in dead(report, "/slow.html", site)] == ["慢页面 (timeout)"]
    assert {"url": site.url("/slow.html"), "error": "timeout"} in report.errors


def test_server_error_is_a_dead_link(site, own_crawl):
    report, *_ = own_crawl
    assert [f.context for f in dead(report, "/error.html", site)] == ["服务器错误 (HTTP 500)"]


def test_redirect_followed_to_a_live_page(site, own_crawl):
    report, hits, _ = own_crawl
    assert not dead(report, "/old.html", site)
    pages = [p.url for p in report.pages]
    assert pages.count(site.url("/a.html")) == 1  # reached by link and by redirect: checked once
    assert hits[("GET", "/old.html")] == 1 and hits[("GET", "/a.html")] == 2  # by link, then at the chain's end


def test_redirect_loop_and_too_long_chain(site, own_crawl):
    report, hits, _ = own_crawl
    assert [f.context for f in dead(report, "/loop1.html", site)] == ["循环跳转 (redirect loop)"]
    assert hits_for(hits, "/loop1.html") == 1 and hits_for(hits, "/loop2.html") == 1
    assert [f.context for f in dead(report, "/chain0.html", site)] == ["长跳转链 (too many redirects (more than 10))"]
    assert hits_for(hits, "/chain11.html") == 0


def test_non_html_skipped_as_a_page_but_fine_as_a_link(site, own_crawl):
    report, hits, _ = own_crawl
    pages = {p.url for p in report.pages}
    assert site.url("/data.json") not in pages and site.url("/report.pdf") not in pages
    assert {"url": site.url("/data.json"), "reason": "not HTML (application/json)"} in report.skipped
    assert not dead(report, "/data.json", site) and not dead(report, "/report.pdf", site)
    assert ("HEAD", "/report.pdf") in hits  # known file types are only status-checked


def test_head_not_allowed_falls_back_to_get(site, own_crawl):
    report, *_ = own_crawl
    # /head405.html is crawled as a page (GET); as a plain link check it needs the fallback too:
    result = crawler.run_sync(_check_one(site.url("/head405.html")))
    assert result.status == 200 and not result.dead
    assert site.hits[("HEAD", "/head405.html")] >= 1 and site.hits[("GET", "/head405.html")] >= 1
    assert not dead(report, "/head405.html", site)


async def _check_one(url):
    c = crawler.Crawler(url, max_pages=1, timeout=TIMEOUT, own_hosts=("127.0.0.1",))
    import httpx

    c.sem = asyncio.Semaphore(4)
    async with httpx.AsyncClient() as client:
        c.client = client
        result, _ = await c._fetch(url, "HEAD", read_html=False)
    return result


def test_dns_failure_is_a_dead_link():
    page = "<html><head><meta charset='utf-8'></head><body><a href='http://no-such-host.invalid/'>不存在的域名</a></body></html>"
    report = crawler.run_sync(crawler.check_html_async(page, "http://127.0.0.1:9/", timeout=2))
    found = [f for f in report.findings if f.kind == "dead_link"]
    assert len(found) == 1 and found[0].evidence == "http://no-such-host.invalid/"
    assert found[0].context.startswith("不存在的域名 (DNS failure")


# ------------------------------------------------------------------ scope, robots, limits


def test_crawl_stays_within_the_start_host(site, own_crawl):
    report, hits, _ = own_crawl
    assert all(p.url.startswith(site.url("/")) for p in report.pages)
    assert hits_for(hits, "/other-host.html") == 1  # status-checked as a link (HEAD) only
    assert ("GET", "/other-host.html") not in hits
    assert hits_for(hits, "/only-from-other-host.html") == 0


def test_robots_ignored_for_the_offices_own_host(site, own_crawl):
    report, hits, log = own_crawl
    pages = {p.url for p in report.pages}
    assert site.url("/private/secret.html") in pages and site.url("/private/deeper.html") in pages
    assert ("GET", "127.0.0.1", "/robots.txt") not in log
    assert ("GET", "localhost", "/robots.txt") in log  # the other host is not own


def test_robots_honoured_for_a_host_that_is_not_own(site, foreign_crawl):
    report, hits, log = foreign_crawl
    pages = {p.url for p in report.pages}
    assert log.count(("GET", "127.0.0.1", "/robots.txt")) == 1
    assert hits_for(hits, "/private/secret.html") == 0 and hits_for(hits, "/private/deeper.html") == 0
    assert site.url("/private/secret.html") not in pages
    assert not dead(report, "/private/secret.html", site)  # not fetched is not dead
    assert {"url": site.url("/private/secret.html"), "reason": "blocked by robots.txt"} in report.skipped
    assert site.url("/a.html") in pages  # the rest is crawled


def test_user_agent(site, own_crawl):
    assert any(ua.startswith("GongkaiMonitor/1.0") and "政务公开网站监测" in ua for ua in site.user_agents)


def test_max_pages_honoured():
    with LoopbackSite() as s:
        build_generated(s, n=60, images=3)
        report = crawler.run_sync(crawler.crawl(s.url("/"), max_pages=10, timeout=TIMEOUT, own_hosts=("127.0.0.1",)))
        page_gets = sum(n for (m, p), n in s.hits.items() if m == "GET" and p.startswith("/p/"))
    assert len(report.pages) == 10
    assert page_gets <= 10
    assert not report.findings  # pages beyond the limit are status-checked (HEAD), all alive


def test_rate_cap():
    with LoopbackSite() as s:
        build_generated(s, n=8, images=1)
        t0 = time.perf_counter()
        report = crawler.run_sync(crawler.crawl(s.url("/p/0.html"), max_pages=8, rate=20, timeout=TIMEOUT,
                                           own_hosts=("127.0.0.1",)))
        elapsed = time.perf_counter() - t0
    assert len(report.pages) == 8
    assert elapsed >= (report.requests - 1) / 20 * 0.9


# ------------------------------------------------------------------ content checks and report


def test_content_findings_pass_through_with_the_page(site, own_crawl):
    report, *_ = own_crawl
    kinds = set()
    for path in CONTENT_PAGES:
        expected = checks.check_page(site.routes[path].body, site.url(path))
        got = [f for f in report.findings if f.url == site.url(path)]
        assert expected.findings, f"{path} should give content findings"
        assert sorted((f.kind, f.evidence) for f in got if f.kind != "dead_link") == \
            sorted((f.kind, f.evidence) for f in expected.findings)
        summary = next(p for p in report.pages if p.url == site.url(path))
        assert summary.verdict != "ok"
        assert summary.counts == dict(Counter(f.kind for f in got))
        kinds |= {f.kind for f in got}
    # the hidden link's target does not resolve: a dead link on the same page
    assert [f.evidence for f in report.findings if f.url == site.url("/spam.html") and f.kind == "dead_link"] == \
        ["http://casino.invalid/"]
    if not getattr(checks, "STAND_IN", False):
        assert {"dead_link", "hidden_link", "injected_text", "wording"} <= kinds


def test_every_finding_has_page_and_context(site, own_crawl):
    report, *_ = own_crawl
    assert report.findings
    for f in report.findings:
        assert f.url and f.evidence and f.context and f.kind and f.severity
    data = report.as_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["pages_per_second"] >= 0 and data["started"] and data["finished"]
    assert {"url", "status", "verdict", "counts"} <= set(data["pages"][0])
    home = next(p for p in report.pages if p.url == site.url("/"))
    assert home.counts["dead_link"] == 8  # missing, broken img, css, external, slow, loop, chain, 500


def test_normalize_url():
    n = crawler.normalize_url
    assert n("HTTP://Example.ORG:80/a#frag") == "http://example.org/a"
    assert n("https://example.org:443") == "https://example.org/"
    assert n("../b?x=1#y", "http://h.org/a/c/d.html") == "http://h.org/a/b?x=1"
    assert n("http://h.org:8080/") == "http://h.org:8080/"
    assert n("mailto:a@b.c") is None and n("javascript:void(0)") is None and n("http://h.org:bad/") is None


def test_check_url_sync_wrapper(site):
    page = crawler.check_url(site.url("/a.html"), timeout=TIMEOUT)
    assert page.url == site.url("/a.html")
    assert [(f.kind, f.evidence) for f in page.findings] == [("dead_link", site.url("/missing.html"))]


# ------------------------------------------------------------------ the command


def run_command(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("monitor", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_command_check_page_url_json(site):
    code, out, _ = run_command("check-page", site.url("/"), "--json", "--timeout", str(TIMEOUT))
    data = json.loads(out)
    assert code == 1
    assert data["verdict"] in ("warnings", "tampered")
    kinds = {f["kind"] for f in data["findings"]}
    assert "dead_link" in kinds
    for f in data["findings"]:
        assert {"kind", "severity", "evidence", "context"} <= set(f)
    assert {"evidence": site.url("/missing.html"), "context": "缺失页面 (HTTP 404)"}.items() <= \
        next(f for f in data["findings"] if f["evidence"] == site.url("/missing.html")).items()


def test_command_check_page_file(tmp_path, site):
    clean = tmp_path / "clean.html"
    clean.write_text("<html><head><title>通知</title></head><body><p>关于做好政务公开工作的通知。</p></body></html>",
                     encoding="utf-8")
    code, out, _ = run_command("check-page", str(clean), "--json")
    assert json.loads(out)["verdict"] == "ok" and code == 0
    spam = tmp_path / "spam.html"
    spam.write_text(f"<html><body>{SPAM_PAGE}</body></html>", encoding="utf-8")
    code, out, _ = run_command("check-page", str(spam))
    assert code == 1 and ("hidden_link" in out or "injected_text" in out)
    # a file with the address it is served at: its links are checked too
    code, out, _ = run_command("check-page", str(clean.with_name("a.html")), "--json")
    assert code == 2
    (tmp_path / "a.html").write_bytes(site.routes["/a.html"].body)
    code, out, _ = run_command("check-page", str(tmp_path / "a.html"), "--base-url", site.url("/a.html"),
                               "--json", "--timeout", str(TIMEOUT))
    assert code == 1 and [f["evidence"] for f in json.loads(out)["findings"]] == [site.url("/missing.html")]


def test_command_bad_input():
    code, out, err = run_command("check-page", "/no/such/file.html")
    assert code == 2 and "No such file" in err and not out
    code, _, err = run_command("crawl", "ftp://example.org/")
    assert code == 2 and "Not an http(s) URL" in err
    code, _, err = run_command("check-page", "http://127.0.0.1:%d/" % refused_port(), "--timeout", "0.5")
    assert code == 2 and "cannot check" in err


def test_command_crawl_json_and_summary(site):
    code, out, err = run_command("crawl", site.url("/"), "--json", "--max-pages", "50", "--timeout", str(TIMEOUT))
    data = json.loads(out)
    assert code == 1
    assert data["verdict"] in ("warnings", "tampered")
    assert {"kind", "severity", "evidence", "context", "url"} <= set(data["findings"][0])
    assert site.url("/private/secret.html") in {p["url"] for p in data["pages"]}  # own host by default
    assert "pages checked" in err
    code, out, _ = run_command("crawl", site.url("/"), "--respect-robots", "--timeout", str(TIMEOUT))
    assert code == 1
    assert f"dead_link warning {site.url('/')}: {site.url('/missing.html')} — 缺失页面 (HTTP 404)" in out
    assert "verdicts: ok" in out and "private/secret.html: blocked by robots.txt" in out


def test_command_crawl_clean_site_exits_0():
    with LoopbackSite() as s:
        build_generated(s, n=15, images=2)
        code, out, _ = run_command("crawl", s.url("/"), "--max-pages", "30", "--timeout", "2")
    assert code == 0, out
    assert "15 pages" in out


def test_unreachable_start_page_is_a_finding():
    start = "http://127.0.0.1:%d/" % refused_port()
    report = crawler.run_sync(crawler.crawl(start, timeout=TIMEOUT))
    assert report.pages == []
    assert [(f.kind, f.evidence, f.context, f.url) for f in report.findings] == [
        ("dead_link", start, "start page (connection failed: connection refused)", start)]
    assert report.errors == [{"url": start, "error": "connection failed: connection refused"}]
