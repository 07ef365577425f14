"""Display modes (issue 18): 关怀版, 大字 and 高对比度 by plain links, remembered
in a cookie, safe redirects back, a page cache that keeps one copy per mode,
and the CSS rules that make each mode what it says."""

from pathlib import Path

import pytest

from gongkai.portal import mode_views
from tests.portal.helpers import parse

pytestmark = pytest.mark.django_db

COOKIE = mode_views.COOKIE_NAME
CSS = Path(mode_views.__file__).parent / "static" / "portal" / "site.css"


@pytest.fixture
def published(org_tree, make_document):
    return make_document(org_tree["county"], "关于加强城市道路养护工作的通知", "城市道路养护的具体要求。")


def html_classes(response) -> set:
    return set((parse(response).get("class") or "").split())


def display_links(response) -> dict:
    return {a.text_content().strip(): a.get("href")
            for a in parse(response).xpath("//nav[@aria-label='显示方式']//a")}


@pytest.mark.parametrize("url", ["/", "/catalog/", "/search/?q=城市", "/guides/", "/apply/"])
def test_every_public_page_has_the_plain_care_link(client, published, url):
    response = client.get(url)
    assert response.status_code == 200
    links = display_links(response)
    assert set(links) == {"关怀版", "大字", "高对比度"}, links
    assert links["关怀版"].startswith("/display/care/on/?next=")
    assert html_classes(response) == set()


def test_the_link_sets_the_cookie_and_goes_back_to_the_same_page(client, published):
    doc_url = published.get_absolute_url()
    link = display_links(client.get(doc_url))["关怀版"]
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == doc_url
    assert response.cookies[COOKIE].value == "care"
    assert response.cookies[COOKIE]["max-age"] >= 30 * 24 * 3600  # remembered
    page = client.get(doc_url)
    assert html_classes(page) == {"mode-care"}
    assert set(display_links(page)) == {"退出关怀版"}
    # Leaving 关怀版 gives the standard site back.
    off = client.get(display_links(page)["退出关怀版"])
    assert off.status_code == 302 and off["Location"] == doc_url
    assert off.cookies[COOKIE].value == "" and off.cookies[COOKIE]["max-age"] == 0
    client.cookies.pop(COOKIE, None)
    assert html_classes(client.get(doc_url)) == set()


def test_large_text_and_high_contrast_toggle_independently(client, published):
    client.get("/display/large/on/?next=/catalog/")
    page = client.get("/catalog/")
    assert html_classes(page) == {"mode-large"}
    assert set(display_links(page)) == {"关怀版", "标准字号", "高对比度"}
    client.get(display_links(page)["高对比度"])
    page = client.get("/catalog/")
    assert html_classes(page) == {"mode-large", "mode-contrast"}
    assert set(display_links(page)) == {"关怀版", "标准字号", "标准配色"}
    client.get(display_links(page)["标准字号"])
    assert html_classes(client.get("/catalog/")) == {"mode-contrast"}


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http:/evil.example", "", "catalog/", "https://testserver/catalog/",
])
def test_the_redirect_stays_on_this_site(client, target):
    response = client.get("/display/care/on/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/", target


def test_the_query_string_of_the_page_survives(client, published):
    page = client.get("/search/", {"q": "城市", "page": 1})
    response = client.get(display_links(page)["大字"])
    assert response["Location"] == "/search/?q=%E5%9F%8E%E5%B8%82&page=1"


def test_unknown_modes_are_404_and_unknown_cookie_values_ignored(client, published):
    assert client.get("/display/dark/on/").status_code == 404
    assert client.get("/display/care/maybe/").status_code == 404
    client.cookies[COOKIE] = "bogus.<script>.care.care"
    page = client.get("/")
    assert html_classes(page) == {"mode-care"}
    assert b"<script>" not in page.content


def test_the_cache_keeps_one_copy_per_mode(client, published, django_assert_num_queries):
    url = published.get_absolute_url()
    standard = client.get(url)
    assert html_classes(standard) == set()
    client.cookies[COOKIE] = "care"
    care = client.get(url)  # rendered, not the standard copy
    assert html_classes(care) == {"mode-care"} and care["ETag"] != standard["ETag"]
    with django_assert_num_queries(1):  # the 关怀版 copy is cached too
        again = client.get(url)
    assert again.content == care.content
    # A browser holding the standard copy's ETag does not get a 304 in 关怀版.
    assert client.get(url, HTTP_IF_NONE_MATCH=standard["ETag"]).status_code == 200
    # The cookie's spelling does not matter, only the modes it names.
    client.cookies[COOKIE] = "care.care.nonsense"
    with django_assert_num_queries(1):
        assert client.get(url)["ETag"] == care["ETag"]
    # Back to standard: the standard copy, from the cache.
    del client.cookies[COOKIE]
    with django_assert_num_queries(1):
        back = client.get(url)
    assert back.content == standard.content and html_classes(back) == set()


def test_the_switch_itself_is_never_cached(client, published):
    first = client.get("/display/care/on/?next=/")
    assert first["Cache-Control"] == "no-store"
    client.cookies.clear()
    second = client.get("/display/contrast/on/?next=/")
    assert second.cookies[COOKIE].value == "contrast"


def css_block(selector_part: str) -> str:
    """The declarations of every rule whose selector mentions selector_part."""
    text = CSS.read_text(encoding="utf-8")
    blocks = []
    for chunk in text.split("}"):
        if "{" in chunk:
            selector, body = chunk.rsplit("{", 1)
            if selector_part in selector:
                blocks.append(body)
    return "\n".join(blocks)


def test_the_css_rules_of_each_mode_are_present():
    care = css_block("html.mode-care")
    assert "font-size: 125%" in care  # 20 px base text
    assert "line-height: 1.9" in care
    assert "min-height: 2.75rem" in care  # ≥ 44 px targets
    assert "animation: none !important" in care and "transition: none !important" in care
    assert "--text: #000000" in care  # the high-contrast palette
    assert "font-size: 112.5%" in css_block("html.mode-large")  # 18 px
    assert "--link: #00307a" in css_block("html.mode-contrast")


# ---------------------------------------------------------------- document page: 字号 and 打印


def test_document_page_has_font_size_and_print_links_without_javascript(client, published):
    url = published.get_absolute_url()
    tree = parse(client.get(url))
    tools = tree.xpath("//nav[@aria-label='阅读工具']")[0]
    links = {" ".join(a.text_content().split()): a.get("href") for a in tools.xpath(".//a")}
    assert links == {"字号大": "?size=l", "字号中": "?size=m", "字号小": "?size=s", "打印": "?print=1"}
    assert [a.text_content() for a in tools.xpath(".//a[@aria-current='true']")] == ["字号中"]
    assert not tree.xpath("//script") and not tree.xpath("//meta[@name='robots']")
    # The metadata block: two label/value pairs a row.
    first_row = tree.xpath("//table[@class='meta-table']//tr")[0]
    assert [th.text_content() for th in first_row.xpath("th")] == ["索引号", "发布机构"]

    large = parse(client.get(url + "?size=l"))
    article = large.xpath("//article")[0]
    assert "doc-size-l" in article.get("class").split()
    assert [a.text_content() for a in large.xpath("//nav[@aria-label='阅读工具']//a[@aria-current='true']")] == ["字号大"]
    assert large.xpath("//meta[@name='robots']/@content") == ["noindex"]  # one canonical page for search engines
    assert "doc-size-s" in parse(client.get(url + "?size=s")).xpath("//article")[0].get("class")
    # Anything else is the standard size, never echoed into the class.
    odd = parse(client.get(url + '?size="><b>x'))
    assert odd.xpath("//article")[0].get("class") == "document" and not odd.xpath("//article//b")

    printable = parse(client.get(url + "?print=1"))
    assert "print-view" in printable.xpath("//article")[0].get("class").split()
    hint = printable.xpath("//p[@class='print-hint']")[0]
    assert "Ctrl+P" in hint.text_content() and hint.xpath("a/@href") == [url]


def test_print_and_size_rules_are_in_the_stylesheet():
    assert "@media print" in CSS.read_text(encoding="utf-8")
    assert "display: none" in css_block(".print-view")
    assert "font-size" in css_block(".doc-size-l .doc-body")
    assert "display: none !important" in css_block(".doc-tools")


# ---------------------------------------------------------------- catalog listing


def test_catalog_is_the_familiar_table_with_folded_facets_and_a_year_select(client, org_tree, make_document):
    import datetime as dt

    doc = make_document(org_tree["county"], "关于加强城市道路养护工作的通知", "正文。",
                        document_number="西府发〔2024〕1号", published_date=dt.date(2024, 3, 1))
    make_document(org_tree["city"], "凉山州2023年预算执行情况", "正文。", published_date=dt.date(2023, 6, 1))
    tree = parse(client.get("/catalog/"))
    table = tree.xpath("//table[@class='doc-table']")[0]
    assert [" ".join(th.text_content().split()) for th in table.xpath("thead//th")] == ["索引号", "名称", "文号", "发布日期"]
    row = table.xpath(f"tbody/tr[td/a[@href='{doc.get_absolute_url()}']]")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert cells[0] == doc.index_number and cells[2] == "西府发〔2024〕1号" and cells[3] == "2024-03-01"
    # The long facets are folded; the short ones open.
    details = {d.xpath("summary/h3")[0].text_content(): d.get("open") is not None
               for d in tree.xpath("//aside[@class='facets']//details")}
    assert details == {"发布机构": False, "主题分类": False, "体裁分类": True, "发布年份": True, "有效性": True}
    assert parse(client.get(f"/catalog/?org={org_tree['county'].pk}")).xpath(
        "//section[@aria-labelledby='facet-org']/details/@open")
    # 年份 is a select of the years that have documents.
    options = tree.xpath("//form[contains(@class,'filter-form')]//select[@name='year']/option")
    assert [(o.get("value"), o.text_content()) for o in options] == [
        ("", "全部年份"), ("2024", "2024年（1条）"), ("2023", "2023年（1条）")]
    chosen = parse(client.get("/catalog/?year=2023"))
    assert chosen.xpath("//select[@name='year']/option[@selected]/@value") == ["2023"]
