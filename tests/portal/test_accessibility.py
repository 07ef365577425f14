"""Every page: Chinese, CSP-compliant, nothing loaded from another host, and the
WCAG 2.1 AA structure a screen-reader or keyboard user relies on."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from gongkai.portal.middleware import SecurityHeadersMiddleware

from .helpers import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(client, portal_catalog):
    """(name, response) for every kind of portal page."""
    docs, city = portal_catalog.docs, portal_catalog.orgs["city"]
    urls = {
        "home": "/",
        "catalog": reverse("portal:catalog"),
        "catalog filtered": f"{reverse('portal:catalog')}?org={city.pk}&year=2024&year=abc",
        "search form": reverse("portal:search"),
        "search results": f"{reverse('portal:search')}?q=政务公开&order=date",
        "search empty query": f"{reverse('portal:search')}?q=",
        "search no hits": f"{reverse('portal:search')}?q=不存在的词语组合",
        "document": docs["plan"].get_absolute_url(),
        "withdrawn document": docs["withdrawn"].get_absolute_url(),
        "404": "/no-such-page/",
    }
    return [(name, client.get(url)) for name, url in urls.items()]


def test_csp_header_is_strict(pages):
    for name, response in pages:
        policy = response.headers.get("Content-Security-Policy", "")
        assert policy == SecurityHeadersMiddleware.POLICY, name
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_inline_styles_or_scripts(pages):
    """What the CSP would block must not be in the templates in the first place."""
    for name, response in pages:
        tree = parse(response)
        assert not tree.xpath("//script | //style"), name
        assert not tree.xpath("//@style"), name
        handlers = [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
        assert handlers == [], name
        assert not tree.xpath("//@href[starts-with(normalize-space(.), 'javascript:')]"), name


def test_nothing_loads_from_another_host(pages):
    for name, response in pages:
        tree = parse(response)
        for attribute in ("src", "href", "action", "srcset", "poster", "data"):
            for value in tree.xpath(f"//@{attribute}"):
                parts = urlsplit(value.strip())
                assert not parts.netloc or parts.netloc == "testserver", f"{name}: {attribute}={value}"
                assert parts.scheme in ("", "http", "https") or value.startswith("#"), f"{name}: {value}"


def test_stylesheet_is_local_and_self_contained():
    path = finders.find("portal/site.css")
    assert path
    css = open(path, encoding="utf-8").read()
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@media" in css  # responsive


def test_page_structure(pages):
    for name, response in pages:
        tree = parse(response)
        assert tree.get("lang") == "zh-CN", name
        assert response["Content-Type"] == "text/html; charset=utf-8", name
        first_link = tree.xpath("//body//a")[0]
        assert first_link.get("href") == "#main" and "跳到主要内容" in first_link.text_content(), name
        assert [m.get("id") for m in tree.xpath("//main")] == ["main"], name
        assert tree.xpath("//header") and tree.xpath("//footer") and tree.xpath("//nav[@aria-label]"), name
        assert len(tree.xpath("//h1")) == 1, name
        assert tree.xpath("//title")[0].text_content().strip(), name
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"


def test_every_form_field_has_a_label(pages):
    for name, response in pages:
        tree = parse(response)
        labelled = set(tree.xpath("//label/@for"))
        for field in tree.xpath("//input | //select | //textarea"):
            if field.get("type") in ("hidden", "submit", "button"):
                continue
            assert (
                field.get("id") in labelled or field.get("aria-label") or field.get("aria-labelledby")
            ), f"{name}: {field.get('name')} has no label"
        for form in tree.xpath("//form"):
            assert form.get("method", "get").lower() == "get", name


def test_tables_have_captions_and_header_scope(pages):
    for name, response in pages:
        for table in parse(response).xpath("//main//table"):
            assert table.xpath("./caption"), name
            assert all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), name


# ---------------------------------------------------------------- contrast


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#767676", "#fff"), 2) == 4.54


def test_colour_pairs_meet_aa():
    css = open(finders.find("portal/site.css"), encoding="utf-8").read()
    root = re.search(r":root\s*{(.*?)}", css, re.S).group(1)
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", root))
    pairs = [
        ("text", "bg"), ("muted", "bg"), ("muted", "bg-soft"), ("link", "bg"), ("link", "bg-soft"),
        ("link-visited", "bg"), ("text", "mark"), ("text", "focus"), ("text", "bg-soft"),
    ]
    for fg, bg in pairs:
        assert contrast(var[fg], var[bg]) >= 4.5, (fg, bg)
    for bg in ("brand", "brand-dark", "link"):  # white text on coloured bars and buttons
        assert contrast("#ffffff", var[bg]) >= 4.5, bg
    # Every literal text colour in the stylesheet against white.
    for colour in re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css):
        if colour.lower() not in ("#fff", "#ffffff"):
            assert contrast(colour, "#ffffff") >= 4.5, colour
