"""Portal pages against real data: home, catalog with facets and filters,
document pages, withdrawn and draft handling, search."""

from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from gongkai.catalog import services
from gongkai.catalog.models import Document

from .helpers import parse, text_of

pytestmark = pytest.mark.django_db


def listed_titles(tree) -> list[str]:
    return [text_of(a) for a in tree.cssselect("ol.doc-list .doc-title a, table.doc-table .doc-title a")]


def facet(tree, name: str, param: str) -> dict[int | str, int]:
    """{value of `param` in the link: count shown} for one facet section."""
    out = {}
    for a in tree.cssselect(f'section[aria-labelledby="facet-{name}"] ul.facet-list a'):
        value = parse_qs(urlsplit(a.get("href")).query)[param][0]
        count = int(a.cssselect("span.count")[0].text)
        out[int(value) if value.isdigit() else value] = count
    return out


# ---------------------------------------------------------------- home


def test_home_shows_latest_counts_and_entry_points(client, portal_catalog):
    response = client.get("/")
    assert response.status_code == 200
    tree = parse(response)
    public = portal_catalog.public
    newest_first = sorted(public, key=lambda d: (d.published_date, d.pk), reverse=True)
    assert listed_titles(tree) == [d.title for d in newest_first]
    assert text_of(tree.cssselect("p.lead strong")[0]) == str(len(public))
    # Entry points: each organisation counts its documents and those below it.
    province = portal_catalog.orgs["province"]
    link = tree.cssselect(f'a[href="{reverse("portal:catalog")}?org={province.pk}"]')[0]
    assert link.cssselect("span.count")[0].text == str(len(public))
    genres = Counter(d.genre_id for d in public)
    for genre_id, n in genres.items():
        link = tree.cssselect(f'a[href="{reverse("portal:catalog")}?genre={genre_id}"]')[0]
        assert link.cssselect("span.count")[0].text == str(n)
    years = Counter(d.published_date.year for d in public)
    for year, n in years.items():
        link = tree.cssselect(f'a[href="{reverse("portal:catalog")}?year={year}"]')[0]
        assert link.cssselect("span.count")[0].text == str(n)
    for hidden in ("draft", "on_request", "withdrawn"):
        assert portal_catalog.docs[hidden].title not in response.content.decode()


# ---------------------------------------------------------------- catalog


def test_catalog_lists_only_public_documents_newest_first(client, portal_catalog):
    tree = parse(client.get(reverse("portal:catalog")))
    expected = sorted(portal_catalog.public, key=lambda d: (d.published_date, d.pk), reverse=True)
    assert listed_titles(tree) == [d.title for d in expected]
    assert f"共 {len(expected)} 条" in text_of(tree.cssselect("#results-heading")[0])


def test_facet_counts_follow_the_data(client, portal_catalog):
    tree = parse(client.get(reverse("portal:catalog")))
    public = portal_catalog.public
    expected_orgs = {
        org.pk: sum(1 for d in public if org.pk in portal_catalog.ancestors(d.organisation))
        for org in portal_catalog.orgs.values()
    }
    assert facet(tree, "org", "org") == {pk: n for pk, n in expected_orgs.items() if n}
    expected_topics = Counter()
    for d in public:
        expected_topics[d.topic_id] += 1
        if d.topic.parent_id:
            expected_topics[d.topic.parent_id] += 1
    assert facet(tree, "topic", "topic") == dict(expected_topics)
    assert facet(tree, "genre", "genre") == dict(Counter(d.genre_id for d in public))
    assert facet(tree, "year", "year") == dict(Counter(d.published_date.year for d in public))
    assert facet(tree, "validity", "validity") == dict(Counter(d.validity for d in public))


def test_each_facet_is_counted_under_the_other_filters(client, portal_catalog):
    notice = portal_catalog.genres["notice"]
    tree = parse(client.get(reverse("portal:catalog"), {"genre": notice.pk}))
    public = portal_catalog.public
    notices = [d for d in public if d.genre_id == notice.pk]
    assert sorted(listed_titles(tree)) == sorted(d.title for d in notices)
    years = Counter(d.published_date.year for d in notices)
    assert facet(tree, "year", "year") == dict(years)
    # The genre facet itself still offers every genre (it ignores its own filter).
    assert facet(tree, "genre", "genre") == dict(Counter(d.genre_id for d in public))
    selected = tree.cssselect('section[aria-labelledby="facet-genre"] a[aria-current="true"]')
    assert [text_of(a).startswith(notice.name) for a in selected] == [True]


def test_organisation_filter_includes_children_unless_asked_not_to(client, portal_catalog):
    city = portal_catalog.orgs["city"]
    below_city = [d for d in portal_catalog.public if city.pk in portal_catalog.ancestors(d.organisation)]
    assert {d.organisation_id for d in below_city} > {city.pk}  # the test needs documents further down
    tree = parse(client.get(reverse("portal:catalog"), {"org": city.pk}))
    assert sorted(listed_titles(tree)) == sorted(d.title for d in below_city)
    tree = parse(client.get(reverse("portal:catalog"), {"org": city.pk, "sub": "0"}))
    assert sorted(listed_titles(tree)) == sorted(d.title for d in below_city if d.organisation_id == city.pk)


def test_topic_filter_includes_subtopics(client, portal_catalog):
    parent = portal_catalog.topics["open"].parent
    expected = [d for d in portal_catalog.public if d.topic and d.topic.parent_id == parent.pk]
    assert {d.topic_id for d in expected} == {portal_catalog.topics["open"].pk, portal_catalog.topics["gov"].pk}
    tree = parse(client.get(reverse("portal:catalog"), {"topic": parent.pk}))
    assert sorted(listed_titles(tree)) == sorted(d.title for d in expected)


def test_year_and_validity_filters(client, portal_catalog):
    tree = parse(client.get(reverse("portal:catalog"), {"year": 2024}))
    expected = [d for d in portal_catalog.public if d.published_date.year == 2024]
    assert sorted(listed_titles(tree)) == sorted(d.title for d in expected)
    tree = parse(client.get(reverse("portal:catalog"), {"validity": "expired"}))
    assert listed_titles(tree) == [d.title for d in portal_catalog.public if d.validity == "expired"]
    assert "有效性：失效" in text_of(tree.cssselect(".active-filters")[0])


def test_catalog_paginates_with_aria_current(client, org_tree, make_document):
    for i in range(45):
        make_document(org_tree["county"], f"分页测试文件{i:02d}")
    tree = parse(client.get(reverse("portal:catalog"), {"page": 2}))
    nav = tree.cssselect('nav.pagination[aria-label="分页"]')[0]
    current = nav.cssselect('[aria-current="page"]')
    assert len(current) == 1 and "2" in text_of(current[0])
    assert len(listed_titles(tree)) == 20
    assert nav.cssselect('a[rel="prev"]') and nav.cssselect('a[rel="next"]')
    assert "共 3 页" in text_of(nav)


# ---------------------------------------------------------------- document page


def metadata(tree) -> dict[str, str]:
    table = tree.cssselect("table.meta-table")[0]
    assert table.cssselect("caption")
    # Two label/value pairs a row (the usual two-column block).
    return {text_of(th): text_of(td) for tr in table.cssselect("tr")
            for th, td in zip(tr.cssselect('th[scope="row"]'), tr.cssselect("td"), strict=True)}


def test_document_page_has_metadata_body_and_attachment(client, portal_catalog):
    doc = portal_catalog.docs["plan"]
    assert doc.index_number
    response = client.get(f"/doc/{doc.index_number}/")
    assert response.status_code == 200
    tree = parse(response)
    assert [text_of(h) for h in tree.cssselect("h1")] == [doc.title]
    meta = metadata(tree)
    assert meta["索引号"] == doc.index_number
    assert meta["发布机构"] == doc.organisation.name
    assert meta["发文字号"] == "川府发〔2024〕3号"  # normalised on the way in
    assert meta["主题分类"] == str(doc.topic)
    assert meta["体裁分类"] == doc.genre.name
    assert meta["成文日期"] == "2024年2月20日"
    assert meta["发布日期"] == "2024年3月1日"
    assert meta["有效性"] == "有效"
    assert meta["公开属性"] == "主动公开"
    body = text_of(tree.cssselect(".doc-body")[0])
    assert "全面推进政务公开工作" in body and "加强政策解读" in body
    link = tree.cssselect(".doc-attachments a")[0]
    attachment = doc.attachments.get()
    assert link.get("href") == attachment.file.url and text_of(link) == "工作要点.pdf"
    assert "PDF" in text_of(tree.cssselect(".doc-attachments")[0])
    assert "2.0 KB" in text_of(tree.cssselect(".doc-attachments")[0]).replace("\xa0", " ")


def relation_rows(tree) -> list[tuple[str, str, str | None]]:
    rows = []
    for li in tree.cssselect(".doc-relations li"):
        link = li.cssselect("a")
        rows.append((text_of(li.cssselect(".rel-label")[0]), text_of(li), link[0].get("href") if link else None))
    return rows


def test_document_page_shows_relations_in_both_directions(client, portal_catalog):
    docs = portal_catalog.docs
    plan_rows = relation_rows(parse(client.get(docs["plan"].get_absolute_url())))
    by_label = {}
    for label, text, href in plan_rows:
        by_label.setdefault(label, []).append((text, href))
    assert by_label["转发本文件"] == [(f"转发本文件 {docs['forward'].title} {docs['forward'].document_number}", docs["forward"].get_absolute_url())]
    assert [href for _, href in by_label["本文件的解读"]] == [docs["interpretation"].get_absolute_url()]
    assert [href for _, href in by_label["引用本文件"]] == [docs["funds"].get_absolute_url()]  # not the withdrawn or draft one
    # The unresolved citation: title and number as text, no link.
    assert by_label["本文件引用"] == [("本文件引用 中华人民共和国政府信息公开条例 国务院令第711号", None)]

    forward_rows = relation_rows(parse(client.get(docs["forward"].get_absolute_url())))
    assert forward_rows == [("本文件转发", f"本文件转发 {docs['plan'].title} {docs['plan'].document_number}", docs["plan"].get_absolute_url())]
    interpretation_rows = relation_rows(parse(client.get(docs["interpretation"].get_absolute_url())))
    assert [(label, href) for label, _, href in interpretation_rows] == [("本文件解读的文件", docs["plan"].get_absolute_url())]


def test_withdrawn_document_page_says_so_and_is_gone_from_lists_and_search(client, portal_catalog):
    doc = portal_catalog.docs["withdrawn"]
    response = client.get(f"/doc/{doc.index_number}/")
    assert response.status_code == 410
    tree = parse(response)
    notice = text_of(tree.cssselect(".notice-withdrawn")[0])
    assert "已撤回" in notice and f"{doc.withdrawn_at.astimezone().year}年" in notice
    assert "这份方案已被撤回" not in response.content.decode()  # the body is no longer shown
    assert doc.title not in client.get(reverse("portal:catalog")).content.decode()
    tree = parse(client.get(reverse("portal:search"), {"q": "工作方案"}))
    assert tree.cssselect("ol.hits") == [] and "共 0 条" in text_of(tree.cssselect("#results-heading")[0])


@pytest.mark.parametrize("name", ["draft", "on_request"])
def test_unpublished_documents_are_not_found(client, portal_catalog, name):
    doc = portal_catalog.docs[name]
    response = client.get(reverse("portal:document_by_id", args=[doc.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    if doc.index_number:
        assert client.get(f"/doc/{doc.index_number}/").status_code == 404


def test_id_url_redirects_to_the_index_number_url(client, portal_catalog):
    doc = portal_catalog.docs["plan"]
    response = client.get(reverse("portal:document_by_id", args=[doc.pk]))
    assert response.status_code == 301 and response["Location"] == f"/doc/{doc.index_number}/"
    assert client.get("/doc/id/999999/").status_code == 404
    assert client.get("/doc/no/such/index-00001/").status_code == 404


def test_document_body_is_sanitised_on_the_page(client, org_tree):
    doc = services.create_document(
        organisation=org_tree["county"], title="正文清洗测试", publish=True,
        body_html='<p>正文<script>alert(1)</script><a href="javascript:alert(2)">链接</a></p><img src="x" onerror="alert(3)">',
    )
    html = client.get(doc.get_absolute_url()).content.decode()
    assert "正文" in html
    for bad in ("<script", "javascript:", "onerror"):
        assert bad not in html


# ---------------------------------------------------------------- search


def test_search_highlights_hits_and_uses_the_same_filters(client, portal_catalog):
    response = client.get(reverse("portal:search"), {"q": "政务公开"})
    assert response.status_code == 200
    tree = parse(response)
    hits = tree.cssselect("ol.hits li")
    expected = [d for d in portal_catalog.public if "政务公开" in d.title + d.body_text]
    assert sorted(text_of(li.cssselect(".doc-title a")[0]) for li in hits) == sorted(d.title for d in expected)
    assert all(text_of(m) == "政务公开" for m in tree.cssselect("ol.hits mark"))
    assert tree.cssselect("ol.hits .doc-title mark")
    # Filters: organisation with its children.
    city = portal_catalog.orgs["city"]
    tree = parse(client.get(reverse("portal:search"), {"q": "政务公开", "org": city.pk}))
    below = [d for d in expected if city.pk in portal_catalog.ancestors(d.organisation)]
    assert sorted(text_of(a) for a in tree.cssselect("ol.hits .doc-title a")) == sorted(d.title for d in below)
    assert len(below) < len(expected)


def test_search_sort_by_date(client, portal_catalog):
    tree = parse(client.get(reverse("portal:search"), {"q": "政务公开", "order": "date"}))
    dates = [t.get("datetime") for t in tree.cssselect("ol.hits time")]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)
    assert text_of(tree.cssselect('.sort-links [aria-current="true"]')[0]) == "按发布日期"


def test_search_escapes_titles_and_bodies(client, org_tree, make_document):
    make_document(org_tree["county"], '政务公开<script>alert("x")</script>测试', "正文 <b>政务公开</b> & 更多")
    response = client.get(reverse("portal:search"), {"q": "政务公开"})
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b>政务公开</b>" not in html
    tree = parse(response)
    title = tree.cssselect("ol.hits .doc-title a")[0]
    assert text_of(title) == '政务公开<script>alert("x")</script>测试'
    assert [text_of(m) for m in title.cssselect("mark")] == ["政务公开"]


def test_search_paginates(client, org_tree, make_document):
    for i in range(25):
        make_document(org_tree["county"], f"政务公开分页{i:02d}")
    tree = parse(client.get(reverse("portal:search"), {"q": "政务公开", "page": 2}))
    assert len(tree.cssselect("ol.hits li")) == 5
    current = tree.cssselect('nav.pagination [aria-current="page"]')
    assert len(current) == 1 and "2" in text_of(current[0])


def test_withdrawal_removes_a_document_from_search_and_catalog(client, portal_catalog):
    doc = portal_catalog.docs["funds"]

    def hits():
        tree = parse(client.get(reverse("portal:search"), {"q": "财政资金"}))
        return [text_of(a) for a in tree.cssselect("ol.hits .doc-title a")]

    assert hits() == [doc.title]
    services.withdraw_document(doc)
    assert hits() == []
    assert doc.title not in listed_titles(parse(client.get(reverse("portal:catalog"))))
    assert Document.objects.get(pk=doc.pk).index_number == doc.index_number


def test_attachments_of_drafts_are_not_served_to_the_public(org_tree, make_document, make_user, client, settings, tmp_path):
    from django.core.files.base import ContentFile

    from gongkai.catalog.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    draft = make_document(org_tree["county"], "内部草稿", "草稿正文", publish=False)
    public = make_document(org_tree["county"], "已公开的通知", "正文")
    hidden = Attachment.objects.create(document=draft, file=ContentFile(b"secret list", name="names.txt"))
    shown = Attachment.objects.create(document=public, file=ContentFile(b"public list", name="list.txt"))
    assert client.get(shown.file.url).status_code == 200
    assert client.get(hidden.file.url).status_code == 404
    assert client.get("/media/applications/1/id-card.pdf").status_code == 404
    client.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    response = client.get(hidden.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"secret list"


def test_validity_counts_add_up_to_the_total_with_unmarked_documents(client, org_tree, make_document):
    """有效性 counts sum to the total: documents with no validity are counted as 未标注, and the
    filter lists exactly them, with and without another filter."""
    import re

    county = org_tree["county"]
    make_document(county, "有效的规范性文件", validity=Document.Validity.VALID)
    make_document(county, "已废止的文件", validity=Document.Validity.ABOLISHED)
    make_document(county, "未标注有效性的通知甲", validity="")
    make_document(org_tree["city"], "未标注有效性的通知乙", validity="")
    for extra, total in (("", 4), (f"&org={county.pk}", 3)):
        page = parse(client.get(f"/catalog/?page=1{extra}"))
        assert f"共 {total} 条" in text_of(page.xpath("//h2[@id='results-heading']")[0])
        facet = text_of(page.xpath("//h3[@id='facet-validity']/ancestor::section[1]")[0])
        assert "未标注" in facet, facet
        assert sum(int(n) for n in re.findall(r"(\d+)", facet)) == total, facet
        unmarked = client.get(f"/catalog/?validity=none{extra}").content.decode()
        assert "未标注有效性的通知甲" in unmarked and "有效的规范性文件" not in unmarked
        assert ("未标注有效性的通知乙" in unmarked) == (extra == "")
