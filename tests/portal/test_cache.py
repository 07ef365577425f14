"""Cached public pages (gongkai.portal.cache, gongkai.core.generation): a
second anonymous visit costs one query, a browser's ETag gets a 304 without
rendering, and a page is never stale after a change commits — publishing,
withdrawing, editing, a relation, an organisation's name, a guide. Signed-in
staff and drafts' edits leave the cache alone."""

import pytest
from django.db import transaction
from django.test import override_settings

from gongkai.catalog import services
from gongkai.catalog.models import Document
from gongkai.core import generation
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

def text(response) -> str:
    return text_of(parse(response))


PUBLIC_URLS = ["/", "/catalog/", "/catalog/?genre=1", "/search/?q=城市", "/guides/"]


@pytest.fixture
def published(org_tree, make_document):
    return make_document(org_tree["county"], "关于加强城市道路养护工作的通知", "城市道路养护的具体要求。")


def test_a_second_visit_is_one_query_and_the_same_bytes(client, published, django_assert_num_queries):
    for url in [*PUBLIC_URLS, published.get_absolute_url()]:
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Cache-Control"] == "no-cache"
        with django_assert_num_queries(1):  # the generation
            again = client.get(url)
        assert again.content == first.content and again["ETag"] == first["ETag"], url
        # Served by the middleware near the top, with the headers the ones below added.
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert again["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
        # The browser revalidates: 304, no body, no rendering.
        with django_assert_num_queries(1):
            revalidated = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert revalidated.status_code == 304 and revalidated.content == b"" and revalidated["ETag"] == first["ETag"]
        assert "Cookie" in again["Vary"]


def test_pages_change_at_once_when_a_document_is_published_edited_and_withdrawn(client, org_tree, published,
                                                                              make_document):
    urls = ["/", "/catalog/", "/search/?q=城市", f"/catalog/?org={org_tree['county'].pk}"]
    before = {url: client.get(url) for url in urls}
    new = make_document(org_tree["county"], "关于城市公园免费开放的公告", "城市公园。")
    for url in urls:
        page = client.get(url)
        assert new.title in text(page), url
        assert page["ETag"] != before[url]["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=before[url]["ETag"]).status_code == 200  # the old copy is stale
    doc_url = new.get_absolute_url()
    assert client.get(doc_url).status_code == 200
    services.update_document(new, title="关于城市公园延长开放时间的公告")
    assert "延长开放时间" in client.get(doc_url).content.decode()
    assert "延长开放时间" in client.get("/catalog/").content.decode()
    services.withdraw_document(Document.objects.get(pk=new.pk), reason="内容调整")
    assert client.get(doc_url).status_code == 410
    for url in urls:
        assert "延长开放时间" not in text(client.get(url)), url


def test_relations_and_organisation_names_reach_cached_pages(client, org_tree, published, make_document):
    doc_url = published.get_absolute_url()
    before = client.get(doc_url).content.decode()
    interpretation = make_document(org_tree["county"], "《关于加强城市道路养护工作的通知》政策解读", "解读。")
    services.add_relation(interpretation, "interprets", target=published)
    after = client.get(doc_url).content.decode()
    assert interpretation.title not in before and interpretation.title in after
    county = org_tree["county"]
    county.name = "西昌市人民政府（更名）"
    county.save()
    assert "西昌市人民政府（更名）" in client.get(doc_url).content.decode()


def test_a_drafts_edits_and_staff_visits_leave_the_cache_alone(client, org_tree, published, make_user):
    version = generation.current()
    draft = services.create_document(organisation=org_tree["county"], title="尚未发布的草稿", body_text="草稿",
                                     publish=False)
    services.update_document(draft, title="仍是草稿")
    assert generation.current() == version  # nothing public changed
    staff = make_user("staff", (org_tree["county"], "drafter"))
    client.force_login(staff)
    page = client.get("/")
    assert "ETag" not in page  # signed-in: rendered for them, never cached
    client.logout()


def test_a_guide_change_reaches_the_public_guide_pages(client, published):
    first = client.get("/guides/")
    generation.bump()  # what a guide's save does (gongkai.guides.apps)
    assert client.get("/guides/")["ETag"] != first["ETag"]


@pytest.mark.django_db(transaction=True)
@override_settings(GONGKAI_GENERATION_IMMEDIATE=False)
def test_the_generation_moves_once_per_commit_and_not_before(org_tree, make_document, client):
    make_document(org_tree["county"], "第一份公开文件", "正文。")
    start = generation.current()
    with transaction.atomic():
        for i in range(3):
            make_document(org_tree["county"], f"批量导入的第{i}份文件", "正文。")
        assert generation.current() == start  # not before the commit
    after = generation.current()
    assert after != start
    assert int(after[0][:-16]) == int(start[0][:-16]) + 1  # once for the whole transaction
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            make_document(org_tree["county"], "回滚的文件", "正文。")
            raise RuntimeError("rolled back")
    assert generation.current() == after  # nothing committed, nothing bumped
    assert "批量导入的第2份文件" in client.get("/").content.decode()


def test_the_cache_can_be_turned_off(client, published, settings, django_assert_num_queries):
    settings.GONGKAI_PAGE_CACHE = False
    client.get("/")
    page = client.get("/")
    assert "ETag" not in page and page.status_code == 200


def test_several_processes_share_pages_through_redis(client, published, settings):
    """With GONGKAI_REDIS_URL (several processes or machines), the pages live in Redis."""
    import os

    import redis

    url = os.environ.get("GONGKAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {url}")
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                  "LOCATION": url, "KEY_PREFIX": f"gongkai-test-{os.getpid()}"}}
    try:
        caches["pages"].clear()
        first = client.get("/")
        version, digest = first["ETag"].strip('"').split("-")
        assert caches["pages"].get(f"page:{version}:{digest}") is not None  # stored in Redis
        assert client.get("/").content == first.content
    finally:
        caches["pages"].clear()
