"""The same tests run on SQLite FTS5 and on PostgreSQL (CI runs the suite on both)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection

from gongkai.catalog import services
from gongkai.catalog.models import Genre, Topic
from gongkai.core.models import descendant_ids
from gongkai.search import index
from gongkai.search.backends import Filters, get_backend
from gongkai.search.query import parse
from gongkai.search.services import search

BODY_OPEN = "为深入贯彻《中华人民共和国政府信息公开条例》，全面推进政务公开工作，加强政策解读和回应关切。"
BODY_BUDGET = "各部门要及时公开本部门预决算，除涉及国家秘密外，所有使用财政资金的单位都要公开预算和决算。"
BODY_RIVER = "加强河长制工作，做好防汛抗旱和水资源保护，落实最严格水资源管理制度。"


@pytest.fixture
def catalog(org_tree, make_document):
    topic_open = Topic.objects.get(parent__isnull=True, name="综合政务").children.get(name="政务公开")
    topic_fin = Topic.objects.get(parent__isnull=True, name="财政、金融、审计").children.get(name="财政")
    notice = Genre.objects.get(name="通知")
    opinion = Genre.objects.get(name="意见")
    docs = {
        "open": make_document(
            org_tree["county"], "关于印发2024年政务公开工作要点的通知", BODY_OPEN,
            topic=topic_open, genre=notice, published_date=dt.date(2024, 3, 1), document_number="西府发〔2024〕1号",
        ),
        "budget": make_document(
            org_tree["department"], "关于做好预决算公开工作的意见", BODY_BUDGET,
            topic=topic_fin, genre=opinion, published_date=dt.date(2022, 5, 1),
        ),
        "river": make_document(
            org_tree["township"], "关于加强河长制工作的通知", BODY_RIVER,
            genre=notice, published_date=dt.date(2025, 7, 1), validity="expired",
        ),
        "open_city": make_document(
            org_tree["city"], "政务公开工作情况通报", "通报全州政务公开工作情况。" + BODY_RIVER,
            topic=topic_open, genre=Genre.objects.get(name="通报"), published_date=dt.date(2023, 9, 1),
        ),
    }
    return docs


def titles(result):
    return [h.document.title for h in result.hits]


def test_backend_matches_database(db):
    assert get_backend().vendor == connection.vendor


def test_word_search_ranks_title_hits_first(catalog):
    result = search("政务公开")
    assert result.total == 2
    assert set(titles(result)) == {catalog["open"].title, catalog["open_city"].title}
    assert "<mark>政务公开</mark>" in result.hits[0].title_html


def test_sub_word_finds_longer_word(catalog):
    # 共和国 is inside 中华人民共和国: the index keeps dictionary sub-words.
    assert titles(search("共和国")) == [catalog["open"].title]


def test_word_cut_in_single_characters_must_appear_as_typed(org_tree, make_document):
    make_document(org_tree["county"], "关于长江保护的通知", "河道治理制度。")
    doc = make_document(org_tree["county"], "关于河长制的通知", "全面推行河长制。")
    assert titles(search("河长制")) == [doc.title]


def test_document_number_is_searchable(catalog):
    assert titles(search("西府发〔2024〕1号")) == [catalog["open"].title]


def test_several_words_must_all_match(catalog):
    assert titles(search("预算 决算")) == [catalog["budget"].title]
    assert search("预算 河长制").total == 0


def test_quoted_phrase_requires_exact_text(catalog):
    assert titles(search('"政策解读"')) == [catalog["open"].title]
    # Both words occur in the document, but not side by side.
    assert search('"解读政策"').total == 0


def test_excluded_word(catalog):
    assert titles(search("政务公开 -河长制")) == [catalog["open"].title]


def test_snippet_is_highlighted_and_escaped(catalog, org_tree, make_document):
    make_document(org_tree["county"], "测试<b>标题</b>", "正文含有<script>alert(1)</script>和水资源字样。")
    result = search("水资源")
    html = "".join(h.snippet_html + h.title_html for h in result.hits)
    assert "<mark>水资源</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html


def test_filters(catalog, org_tree):
    city_and_below = descendant_ids([org_tree["city"].pk])
    assert set(titles(search("政务公开", Filters(organisation_ids=city_and_below)))) == {
        catalog["open"].title, catalog["open_city"].title
    }
    assert titles(search("政务公开", Filters(organisation_ids={org_tree["city"].pk}))) == [catalog["open_city"].title]
    assert titles(search("工作", Filters(year_from=2025, year_to=2025))) == [catalog["river"].title]
    assert titles(search("工作", Filters(validity="expired"))) == [catalog["river"].title]
    notice = Genre.objects.get(name="通知")
    assert set(titles(search("工作", Filters(genre_ids={notice.pk})))) == {catalog["open"].title, catalog["river"].title}
    fin = Topic.objects.get(parent__isnull=True, name="财政、金融、审计")
    topic_ids = {fin.pk, *fin.children.values_list("pk", flat=True)}
    assert titles(search("公开", Filters(topic_ids=topic_ids))) == [catalog["budget"].title]
    assert search("公开", Filters(organisation_ids=set())).total == 0


def test_sort_by_date_and_paging(catalog):
    result = search("工作", order="date", per_page=2)
    assert result.total == 4 and result.pages == 2
    dates = [h.document.published_date for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    page2 = search("工作", order="date", per_page=2, page=2)
    assert not set(titles(result)) & set(titles(page2))
    assert search("工作", page=99).hits == []


@pytest.mark.parametrize(
    "typed, message",
    [("", "请输入"), ("   ", "请输入"), ("!!!", "没有可检索的文字"), ('"', "没有可检索"), ("-公开", "不能只有排除词"), ("？？“”", "没有可检索")],
)
def test_empty_or_malformed_queries_give_a_message(catalog, typed, message):
    result = search(typed)
    assert message in result.message
    assert result.total == 0


@pytest.mark.parametrize(
    "typed",
    ['"政务', "AND OR NOT", "政务 NEAR(公开)", "a*b^c", "'; DROP TABLE catalog_document; --", "x" * 500, "政务\x00公开", "(((", "-", "“政务公开"],
)
def test_whatever_is_typed_never_raises(catalog, typed):
    result = search(typed)
    assert result.total >= 0
    assert result.query.raw.replace("\x00", "") == typed.replace("\x00", "")


def test_withdrawal_leaves_search_in_the_same_transaction(catalog):
    services.withdraw_document(catalog["open"])
    assert catalog["open"].title not in titles(search("政务公开"))


def test_change_and_deletion_follow(catalog):
    doc = catalog["river"]
    services.update_document(doc, title="关于加强湖长制工作的通知", body_text="落实湖长制。")
    assert search("湖长制").total == 1
    assert titles(search("河长制")) == [catalog["open_city"].title]
    services.delete_document(doc)
    assert search("湖长制").total == 0


def test_drafts_and_withheld_documents_are_not_searchable(org_tree, make_document):
    make_document(org_tree["county"], "草稿中的规划", "规划草稿", publish=False)
    make_document(org_tree["county"], "内部规划", "规划", disclosure="withheld", disclosure_ground="internal_affairs")
    assert search("规划").total == 0


def test_rebuild_reindexes_everything(catalog):
    get_backend().clear()
    assert search("政务公开").total == 0
    assert index.rebuild() == 4
    assert search("政务公开").total == 2


def test_cli_json(catalog, capsys):
    call_command("search", "政务公开", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2
    assert {h["title"] for h in data["hits"]} == {catalog["open"].title, catalog["open_city"].title}
    assert all(h["index_number"] for h in data["hits"])


def test_cli_text_and_errors(catalog, capsys):
    from django.core.management.base import CommandError

    call_command("search", "预决算", "--org", "四川省财政厅")
    out = capsys.readouterr().out
    assert "1 hits" in out and catalog["budget"].title in out
    with pytest.raises(CommandError, match="not found"):
        call_command("search", "预决算", "--org", "不存在的机构")
    with pytest.raises(CommandError, match="没有可检索"):
        call_command("search", "!!!")


def test_query_parser_splits_words_and_phrases():
    parsed = parse('政务公开 "政策 解读" -河长制')
    assert [(t.text, t.phrase, t.exclude) for t in parsed.terms] == [
        ("政务公开", False, False),
        ("政策 解读", True, False),
        ("河长制", True, True),
    ]


def test_phrases_of_every_length_and_case(org_tree, make_document):
    county = org_tree["county"]
    apart = make_document(county, "关于参保工作的通知", "做好参保登记，按时缴费。")
    together = make_document(county, "关于城乡居民参保缴费的通知", "APP办理参保缴费，支持Gov网站。")
    assert titles(search('"参保缴费"')) == [together.title]  # trigram index (4 characters)
    assert titles(search("参保缴费")) == [together.title]  # a word cut in two tokens is a phrase
    assert titles(search('"gov网站"')) == [together.title]  # case does not matter
    assert titles(search('参保 -"参保缴费"')) == [apart.title]  # excluded phrase
    assert set(titles(search('"缴费"'))) == {apart.title, together.title}  # two characters: checked on the row


def test_phrase_index_follows_flush_and_reindex(org_tree, make_document):
    from django.db import connection

    from gongkai.search import index

    doc = make_document(org_tree["county"], "关于河湖长制工作的通知", "全面推行河湖长制。")
    assert titles(search('"河湖长制"')) == [doc.title]
    index.rebuild()
    assert titles(search('"河湖长制"')) == [doc.title]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_phrase")
            assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_no_phrase_rows(org_tree, make_document):
    from django.core.management import call_command
    from django.db import connection

    make_document(org_tree["county"], "关于河湖长制工作的通知", "全面推行河湖长制。")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_phrase")
            assert cursor.fetchone()[0] == 0
