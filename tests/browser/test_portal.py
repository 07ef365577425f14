"""The portal in a real browser (headless Chromium): keyboard-only search,
highlighted hits, a document page, nothing loaded from another host, no
console errors (a CSP violation would be one), a layout that fits a phone.

The live server answers from another thread, so the data must be committed:
transactional tests. Their flush empties every table; the catalog app installs
the shipped vocabularies again after it (post_migrate)."""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gongkai.catalog import services
from gongkai.catalog.models import Genre, Relation, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalog(org_tree, make_document):
    topic = Topic.objects.get(name="政务公开")
    notice = Genre.objects.get(name="通知")
    plan = make_document(
        org_tree["province"], "关于印发2024年政务公开工作要点的通知",
        "为深入贯彻《中华人民共和国政府信息公开条例》，全面推进政务公开工作。",
        topic=topic, genre=notice, published_date=dt.date(2024, 3, 1), document_number="川府发〔2024〕3号",
    )
    forward = make_document(
        org_tree["city"], "凉山州转发省政府政务公开工作要点的通知", "现将省政府通知转发给你们。",
        topic=topic, genre=notice, published_date=dt.date(2024, 4, 2),
    )
    services.add_relation(forward, Relation.Kind.FORWARDS, target=plan)
    make_document(org_tree["county"], "西昌市财政预算执行情况", "全市一般公共预算收入完成情况良好。",
                  published_date=dt.date(2023, 6, 1))
    return {"plan": plan, "forward": forward}


def test_keyboard_search_to_a_document(page, live_server, catalog, tmp_path):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").count() == 1

    # The first Tab reaches the skip link, and it becomes visible.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    box = page.locator("a.skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 0

    # Keyboard only: Tab to a search field, type, Enter.
    for _ in range(30):
        if page.evaluate("document.activeElement.type") == "search":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("no search field reachable with Tab")
    page.keyboard.type("政务公开")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/search/"

    hits = page.locator("ol.hits li")
    assert hits.count() == 2
    marks = page.locator("ol.hits mark").all_inner_texts()
    assert marks and set(marks) == {"政务公开"}

    # Open the plan's hit with the keyboard too.
    plan = catalog["plan"]
    link = page.locator("ol.hits .doc-title a", has_text=plan.title)
    assert link.count() == 1
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == plan.get_absolute_url()
    assert page.locator("h1").inner_text() == plan.title
    assert plan.index_number in page.locator("table.meta-table").inner_text()
    assert catalog["forward"].title in page.locator(".doc-relations").inner_text()
    assert "转发本文件" in page.locator(".doc-relations").inner_text()

    # The stylesheet applied (so it was served and allowed by the CSP).
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(139, 26, 26)"

    shot = tmp_path / "document.png"
    if os.environ.get("GONGKAI_SCREENSHOT_DIR"):  # to look at it by eye
        shot = Path(os.environ["GONGKAI_SCREENSHOT_DIR"]) / "document.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    here = urlsplit(live_server.url).netloc
    assert page.requests and all(urlsplit(url).netloc == here for url in page.requests), page.requests
    assert page.console_errors == []


def test_catalog_fits_a_phone_screen(page, live_server, catalog):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/catalog/", "/search/?q=政务公开", catalog["plan"].get_absolute_url()):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    # Filtering works without JavaScript: pick a facet link and the list narrows.
    page.goto(live_server.url + "/catalog/")
    page.locator('section[aria-labelledby="facet-year"] a', has_text="2023年").click()
    assert page.locator("table.doc-table .doc-title a").all_inner_texts() == ["西昌市财政预算执行情况"]
    assert page.console_errors == []
