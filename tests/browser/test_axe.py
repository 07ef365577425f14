"""axe-core on every public page, in the standard site and in 关怀版 (issue 18).

axe-core is a development dependency from npm (package.json at the root,
pinned in package-lock.json; .ci/run installs it with `npm ci` into
node_modules/). Each page is opened in headless Chromium, axe is injected
through the DevTools protocol (the site's CSP allows no inline script and
needs none), and the page must have no serious or critical violation. Then
the visitor follows the page's own 关怀版 link, comes back to the same page in
关怀版, and axe runs again.

Pages that another part of issue 18 has not built yet (a 404 on this
installation) are skipped with a message, never failed."""

import datetime as dt
import json
from pathlib import Path

import pytest

from gongkai.catalog import services
from gongkai.catalog.models import Genre, Relation, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `npm ci` at the repository root (.ci/run does) to install axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def site(org_tree, make_document):
    """A small public site: documents with relations, a service guide."""
    from gongkai.guides import services as guide_services
    from tests.guides.conftest import GUIDE_DATA, MATERIALS

    topic = Topic.objects.get(name="政务公开")
    notice = Genre.objects.get(name="通知")
    plan = make_document(
        org_tree["province"], "关于印发2024年政务公开工作要点的通知",
        "为深入贯彻《中华人民共和国政府信息公开条例》，全面推进政务公开工作。\n各地各部门要加强政策解读。",
        topic=topic, genre=notice, published_date=dt.date(2024, 3, 1), document_number="川府发〔2024〕3号",
        keywords="政务公开,工作要点",
    )
    interpretation = make_document(
        org_tree["province"], "《2024年政务公开工作要点》政策解读", "一、起草背景。二、主要内容。",
        topic=topic, genre=Genre.objects.get(name="政策解读"), published_date=dt.date(2024, 3, 5),
    )
    services.add_relation(interpretation, Relation.Kind.INTERPRETS, target=plan)
    make_document(org_tree["county"], "西昌市2023年财政预算执行情况的报告", "全市一般公共预算收入完成情况良好。",
                  published_date=dt.date(2023, 6, 1), validity="expired")
    guide = guide_services.save_guide(None, organisation=org_tree["county"], data=dict(GUIDE_DATA),
                                      materials=[dict(m) for m in MATERIALS], user=None, system=True,
                                      note="首次编制")
    guide = guide_services.publish_guide(guide, user=None, system=True)
    return {"plan": plan, "guide": guide, "county": org_tree["county"]}


# (name, path or a function of the site data giving it)
PAGES = [
    ("home", "/"),
    ("catalog", "/catalog/"),
    ("catalog-filtered", "/catalog/?validity=valid"),
    ("search-results", "/search/?q=政务公开"),
    ("search-empty", "/search/"),
    ("document", lambda s: s["plan"].get_absolute_url()),
    ("guides", "/guides/"),
    ("guide", lambda s: s["guide"].get_absolute_url()),
    ("apply", "/apply/"),
    ("apply-status", "/apply/status/"),
    ("interact", "/interact/"),
    ("interact-write", "/interact/write/"),
    ("interact-status", "/interact/status/"),
    ("interact-letters", "/interact/letters/"),
    ("interact-knowledge", "/interact/knowledge/"),
    ("interact-statistics", "/interact/statistics/"),
    ("consultations", "/interact/consultations/"),
    ("interviews", "/interact/interviews/"),
    ("data", "/data/"),
    ("xxgk", "/xxgk/"),
    ("org-directory", "/org/"),
    ("org-site", lambda s: f"/org/{s['county'].pk}/"),
    ("gazette", "/gazette/"),
]


def run_axe(page, source) -> list:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


def readable(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def axe_page(chromium, live_server):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.parametrize("name,where", PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_axe_violations_in_both_modes(axe_source, axe_page, live_server, site, name, where):
    path = where(site) if callable(where) else where
    response = axe_page.goto(live_server.url + path)
    if response.status == 404:
        pytest.skip(f"{path} ({name}) is not on this installation yet (404): nothing to check")
    assert response.status == 200, (path, response.status)
    failures = {}
    standard = run_axe(axe_page, axe_source)
    if standard:
        failures["标准版"] = standard
    # The page's own 关怀版 link, as a visitor would use it: back to the same page.
    with axe_page.expect_navigation():
        axe_page.get_by_role("link", name="关怀版", exact=True).click()
    assert axe_page.evaluate("decodeURIComponent(location.pathname + location.search)") == path
    assert "mode-care" in (axe_page.locator("html").get_attribute("class") or "")
    care = run_axe(axe_page, axe_source)
    if care:
        failures["关怀版"] = care
    assert not failures, f"{path}: axe-core found serious or critical violations\n" + "\n".join(
        f"-- {mode}\n{readable(found)}" for mode, found in failures.items())


def test_care_mode_renders_large_text_big_targets_and_no_motion(axe_page, live_server, site):
    page = axe_page
    url = live_server.url + site["plan"].get_absolute_url()
    page.goto(url)

    def px(selector, prop="fontSize"):
        return float(page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({json.dumps(selector)})).{prop})"))

    assert px("body") == 16
    with page.expect_navigation():
        page.get_by_role("link", name="大字", exact=True).click()
    assert px("body") >= 18 and px(".doc-body p") >= 18
    with page.expect_navigation():
        page.get_by_role("link", name="标准字号", exact=True).click()
    assert px("body") == 16
    with page.expect_navigation():
        page.get_by_role("link", name="关怀版", exact=True).click()
    assert page.url == url
    # Remembered: another page, still 关怀版.
    page.goto(live_server.url + "/catalog/")
    assert "mode-care" in page.locator("html").get_attribute("class")
    assert px("body") >= 18
    assert px("body", "lineHeight") / px("body") >= 1.5
    # Click targets: every link in the navigation bars is at least 44 px high.
    heights = page.evaluate("""[...document.querySelectorAll('header nav a, .site-footer a')]
        .map(a => a.getBoundingClientRect().height)""")
    assert heights and min(heights) >= 44, heights
    # No motion.
    durations = page.evaluate("""[...document.querySelectorAll('*')].flatMap(e => {
        const s = getComputedStyle(e); return [s.transitionDuration, s.animationName];})""")
    assert set(durations) <= {"0s", "none"}, set(durations)
    # High-contrast palette: body text is black.
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    # Back to the standard site.
    with page.expect_navigation():
        page.get_by_role("link", name="退出关怀版", exact=True).click()
    assert px("body") == 16 and not page.locator("html").get_attribute("class")
