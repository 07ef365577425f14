"""Whatever is typed into a URL: a Chinese message, never a server error.
And the 404 and 500 pages, in Chinese."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import reverse

from gongkai.portal import views
from gongkai.search.query import MAX_QUERY_CHARS

from .helpers import parse, text_of

pytestmark = pytest.mark.django_db


def notices(response) -> str:
    return " ".join(text_of(n) for n in parse(response).cssselect(".notice"))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"year": "abc"}, "筛选条件“年份”的值无效，已忽略。"),
        ({"year": "99999"}, "筛选条件“年份”的值无效，已忽略。"),
        ({"org": "999999"}, "筛选条件“发布机构”的值无效，已忽略。"),
        ({"org": "abc"}, "筛选条件“发布机构”的值无效，已忽略。"),
        ({"org": "99999999999999999999999"}, "筛选条件“发布机构”的值无效，已忽略。"),
        ({"topic": "-3"}, "筛选条件“主题分类”的值无效，已忽略。"),
        ({"genre": "1e9"}, "筛选条件“体裁分类”的值无效，已忽略。"),
        ({"validity": "<script>"}, "筛选条件“有效性”的值无效，已忽略。"),
        ({"sub": "7", "org": "1"}, "筛选条件“机构范围”的值无效，已忽略。"),
        ({"page": "abc"}, "页码无效，已显示第 1 页。"),
        ({"page": "0"}, "页码无效，已显示第 1 页。"),
        ({"page": "99999"}, "没有第 99999 页，共 1 页，已显示最后一页。"),
    ],
)
def test_catalog_bad_input_gives_a_chinese_message(client, portal_catalog, params, message):
    response = client.get(reverse("portal:catalog"), params)
    assert response.status_code == 200
    assert message in notices(response)
    # The bad filter is ignored: the whole public catalog is listed.
    assert f"共 {len(portal_catalog.public)} 条" in text_of(parse(response).cssselect("#results-heading")[0])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": ""}, "请输入要检索的词语。"),
        ({"q": "   "}, "请输入要检索的词语。"),
        ({"q": "\x00"}, "请输入要检索的词语。"),
        ({"q": "!!! ??? ……"}, "检索词中没有可检索的文字"),
        ({"q": "-政务公开"}, "请至少输入一个要包含的词语"),
        ({"q": "政务公开", "page": "99999"}, "没有第 99999 页，共 1 页，已显示最后一页。"),
        ({"q": "政务公开", "year_from": "2030", "year_to": "2020"}, "起始年份晚于截止年份，已对调。"),
        ({"q": "政务公开", "year_from": "abc"}, "筛选条件“起始年份”的值无效，已忽略。"),
        ({"q": "政务公开", "order": "random()"}, "筛选条件“排序”的值无效，已忽略。"),
        ({"q": "政" * (MAX_QUERY_CHARS + 50)}, f"检索词过长，只按前 {MAX_QUERY_CHARS} 个字检索。"),
    ],
)
def test_search_bad_input_gives_a_chinese_message(client, portal_catalog, params, message):
    response = client.get(reverse("portal:search"), params)
    assert response.status_code == 200
    assert message in notices(response)


@pytest.mark.parametrize(
    "query",
    ['"政务公开', "政务公开\"\"\"", "((政务 OR 公开)", "NEAR(政务 公开)", "政务* AND -", "%ff%fe", "'; DROP TABLE x;--",
     "\u200b\u3000", "😀政务公开", "a" * 5000],
)
def test_search_never_fails_whatever_is_typed(client, portal_catalog, query):
    response = client.get(reverse("portal:search"), {"q": query})
    assert response.status_code == 200
    assert parse(response).cssselect("h1")


def test_search_results_on_a_later_page_keep_the_filters(client, org_tree, make_document):
    for i in range(25):
        make_document(org_tree["county"], f"政务公开筛选分页{i:02d}")
    make_document(org_tree["department"], "财政厅政务公开文件")
    tree = parse(client.get(reverse("portal:search"), {"q": "政务公开", "org": org_tree["county"].pk}))
    next_link = tree.cssselect('nav.pagination a[rel="next"]')[0].get("href")
    assert f"org={org_tree['county'].pk}" in next_link and "page=2" in next_link
    tree = parse(client.get(reverse("portal:search") + next_link))
    assert len(tree.cssselect("ol.hits li")) == 5


def test_not_found_page_is_chinese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    tree = parse(response)
    assert tree.get("lang") == "zh-CN"
    assert [text_of(h) for h in tree.cssselect("h1")] == ["页面不存在"]
    assert tree.cssselect('a[href="/"]')


def test_server_error_handler_renders_chinese(rf: RequestFactory):
    response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert 'lang="zh-CN"' in html and "服务暂时不可用" in html


def test_an_unexpected_error_shows_the_chinese_500_page(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(views.selectors, "latest_documents", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()
    assert "database went away" not in response.content.decode()


def test_pages_accept_only_safe_methods(client, db):
    assert client.post(reverse("portal:search"), {"q": "x"}).status_code in (403, 405)


@pytest.mark.parametrize("raw", ["q=%ff%fe%00&org=%ff", "q=%E6%94%BF%E5%8A%A1&page=1e999", "year=%00&topic=%2e%2e", "q=&q=政务&org="])
def test_raw_query_strings(client, portal_catalog, raw):
    for name in ("portal:search", "portal:catalog"):
        response = client.get(f"{reverse(name)}?{raw}")
        assert response.status_code == 200


@pytest.mark.parametrize("error", [OperationalError("database is locked"),
                                   OperationalError("server closed the connection unexpectedly"),
                                   InterfaceError("connection already closed")])
def test_a_busy_or_absent_database_answers_503_try_again(client, db, monkeypatch, settings, error):
    """A write holding SQLite past its timeout, or PostgreSQL restarting: a
    clear 请稍后再试 page with Retry-After, never the fault page."""
    settings.GONGKAI_PAGE_CACHE = False

    def busy(*args, **kwargs):
        raise error

    monkeypatch.setattr(views.selectors, "latest_documents", busy)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert "系统繁忙，请稍后再试" in html and "没有保存" in html and "服务暂时不可用" not in html


@pytest.mark.parametrize("error", [OperationalError("deadlock detected"),
                                   InterfaceError("connection already closed")])
def test_a_lost_connection_while_saving_the_session_answers_503_not_400(client, db, monkeypatch, error):
    """The receipt page pops the tracking code from the session. When the
    session's UPDATE fails because the database restarted, Django's own store
    answers 400 ("session deleted") and the receipt looks gone; ours answers
    the 503 page, the session keeps the code, and a reload shows it."""
    from django.contrib.sessions.models import Session

    session = client.session
    session["applications.receipt"] = {"id": 0, "code": "x"}
    session.save()
    real_save = Session.save

    def failing(self, *args, **kwargs):
        if kwargs.get("force_update"):
            raise error
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Session, "save", failing)
    client.raise_request_exception = False
    response = client.get(reverse("applications:received"))
    assert response.status_code == 503
    assert "系统繁忙，请稍后再试" in response.content.decode()
    assert "applications.receipt" in Session.objects.get(pk=session.session_key).get_decoded()


def test_a_session_deleted_meanwhile_is_still_a_400(client, db):
    from django.contrib.sessions.models import Session

    session = client.session
    session["applications.receipt"] = {"id": 0, "code": "x"}
    session.save()
    store = type(session)(session.session_key)
    assert store.get("applications.receipt")  # loaded, as a request does first
    Session.objects.filter(pk=session.session_key).delete()
    store["changed"] = True
    from django.contrib.sessions.backends.base import UpdateError

    with pytest.raises(UpdateError):
        store.save()


def test_only_the_drafting_form_allows_the_editors_two_inline_styles(client, county_staff):
    """'unsafe-hashes' with the two hashes of portal.middleware.EDITOR_STYLES,
    on the drafting form only; every other page keeps style-src 'self'."""
    import base64
    import hashlib

    from gongkai.portal.middleware import EDITOR_STYLES

    client.force_login(county_staff["drafter"])
    form = client.get(reverse("workspace:document_new"))["Content-Security-Policy"]
    hashes = [base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in EDITOR_STYLES]
    assert "style-src 'self' 'unsafe-hashes' " + " ".join(f"'sha256-{h}'" for h in hashes) + ";" in form
    assert "script-src 'self';" in form and "unsafe-inline" not in form
    for url in ("/", reverse("workspace:home")):
        assert "style-src 'self';" in client.get(url)["Content-Security-Policy"], url
