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
    # Unquoted, 参保缴费 is two words (参保, 缴费), each required anywhere;
    # the document holding the run as typed ranks first.
    assert titles(search("参保缴费")) == [together.title, apart.title]
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


# --- What people type: sentences without spaces (issue 13) ------------------------------

OPINION = "关于进一步加强政务公开工作的实施意见"


@pytest.fixture
def sentences(org_tree, make_document):
    """Documents for sentences typed without spaces. The dates put the ones
    holding the typed sentence verbatim last, so that ranking them first is
    the verbatim rule's doing, not the date's."""
    county, city, township = org_tree["county"], org_tree["city"], org_tree["township"]
    return {
        # 怎么申请最低生活保障: every word but 怎么, in another order.
        "dibao": make_document(
            county, "关于做好最低生活保障申请工作的通知",
            "各乡镇要为群众申请最低生活保障提供便利，做到应保尽保。", published_date=dt.date(2024, 6, 1),
        ),
        # Holds 最低 and 生活 but not 保障: not a hit.
        "wage": make_document(
            city, "关于调整最低工资标准的通知", "保证劳动者基本生活，申请调整的企业按程序报批。",
            published_date=dt.date(2024, 7, 1),
        ),
        # The whole title typed as one run: verbatim, in the title...
        "exact": make_document(county, OPINION, BODY_OPEN, published_date=dt.date(2021, 2, 1)),
        # ... and in the body only.
        "cited": make_document(
            township, "政务公开文件汇编", f"本汇编收录《{OPINION}》等文件，供各单位学习。",
            published_date=dt.date(2021, 3, 1),
        ),
        # The same words with others between them.
        "between": make_document(
            county, "关于进一步加强和改进基层政务公开工作的实施意见", "推进基层政务公开标准化规范化。",
            published_date=dt.date(2024, 9, 1),
        ),
        # The same words in another order, some in the body.
        "reordered": make_document(
            city, "凉山州政务公开工作实施意见", "为进一步加强政府信息管理，现就关于主动公开的有关事项提出意见。",
            published_date=dt.date(2024, 10, 1),
        ),
        # Lacks 实施: a sentence's words are all required.
        "missing": make_document(
            city, "关于进一步加强政务公开工作的意见", "推进决策公开。", published_date=dt.date(2024, 11, 1),
        ),
    }


def test_sentence_without_spaces_needs_its_words_not_the_sentence(sentences):
    parsed = parse("怎么申请最低生活保障")
    assert [(t.text, t.phrase) for t in parsed.terms] == [("申请", False), ("最低", False), ("生活", False), ("保障", False)]
    assert parsed.runs == ["怎么申请最低生活保障"]
    assert titles(search("怎么申请最低生活保障")) == [sentences["dibao"].title]


def test_typed_title_finds_other_orders_and_words_between(sentences):
    hits = titles(search(OPINION))
    assert len(hits) == 4 and sentences["missing"].title not in hits
    # Holding the sentence verbatim (title or body) comes first, whatever the date.
    assert set(hits[:2]) == {sentences["exact"].title, sentences["cited"].title}
    assert hits[0] == sentences["exact"].title  # title hits weigh more among them
    assert set(hits[2:]) == {sentences["between"].title, sentences["reordered"].title}


def test_sentence_sorted_by_date_stays_in_date_order(sentences):
    result = search(OPINION, order="date")
    assert [h.document.published_date for h in result.hits] == [
        dt.date(2024, 10, 1), dt.date(2024, 9, 1), dt.date(2021, 3, 1), dt.date(2021, 2, 1)
    ]
    # Paging a ranked list keeps the verbatim documents on the first page.
    first = search(OPINION, per_page=2)
    assert set(titles(first)) == {sentences["exact"].title, sentences["cited"].title} and first.total == 4
    second = search(OPINION, per_page=2, page=2)
    assert set(titles(second)) == {sentences["between"].title, sentences["reordered"].title}


def test_sentence_with_filters_keeps_verbatim_first(sentences, org_tree):
    result = search(OPINION, Filters(organisation_ids={org_tree["county"].pk, org_tree["city"].pk}))
    assert titles(result)[0] == sentences["exact"].title
    assert set(titles(result)) == {sentences["exact"].title, sentences["between"].title, sentences["reordered"].title}


def test_highlight_marks_the_sentence_and_its_words(sentences):
    hits = {h.document.title: h for h in search(OPINION).hits}
    assert hits[OPINION].title_html == f"<mark>{OPINION}</mark>"
    assert f"<mark>{OPINION}</mark>" in hits[sentences["cited"].title].snippet_html
    between = hits[sentences["between"].title].title_html
    for word in ("进一步", "加强", "政务公开", "工作", "实施", "意见"):
        assert f"<mark>{word}</mark>" in between
    dibao = search("怎么申请最低生活保障").hits[0].title_html
    assert "<mark>最低</mark><mark>生活</mark><mark>保障</mark><mark>申请</mark>" in dibao


@pytest.mark.parametrize(
    "typed, words",
    [
        ("我想问一下如何办理居住证", ["办理", "居住证"]),
        ("请问在哪里申请低保", ["申请", "低保"]),
        ("能不能网上办理", ["网上", "办理"]),
        ("低保的申请条件是什么", ["低保", "申请", "条件"]),
        ("社保卡丢了怎么补办", ["社保卡", "丢", "补办"]),
        # Words of titles are not stop words.
        ("关于印发工作要点的通知", ["关于", "印发", "工作要点", "通知"]),
    ],
)
def test_stop_words_are_not_required(typed, words):
    assert [t.text for t in parse(typed).terms] == words


def test_only_stop_words_are_searched_after_all(org_tree, make_document):
    doc = make_document(org_tree["county"], "企业开办遇到困难怎么办", "拨打12345热线。")
    make_document(org_tree["county"], "企业开办指南", "办理营业执照。")
    assert [t.text for t in parse("怎么办").terms] == ["怎么办"]
    assert titles(search("怎么办")) == [doc.title]
    assert [t.text for t in parse("是什么").terms] == ["是", "什么"]
    # With a word beside them, the stop words are left out again.
    assert [t.text for t in parse("企业开办 怎么办").terms] == ["企业", "开办"]
    assert set(titles(search("企业开办 怎么办"))) == {doc.title, "企业开办指南"}
    parsed = parse("怎么办 -热线")
    assert [(t.text, t.exclude) for t in parsed.terms] == [("怎么办", False), ("热线", True)]
    assert search("怎么办 -热线").total == 0


def test_quotes_still_ask_for_the_exact_text(sentences):
    assert set(titles(search(f'"{OPINION}"'))) == {sentences["exact"].title, sentences["cited"].title}
    # 加强政务公开 unquoted: two words anywhere; quoted: side by side.
    loose, quoted = titles(search("加强政务公开")), titles(search('"加强政务公开"'))
    assert {sentences["between"].title, sentences["reordered"].title} <= set(loose)
    assert sentences["between"].title not in quoted and sentences["reordered"].title not in quoted
    assert set(quoted) == {sentences["exact"].title, sentences["cited"].title, sentences["missing"].title}


def test_word_missing_from_dictionary_stays_verbatim_inside_a_sentence(org_tree, make_document):
    county = org_tree["county"]
    river = make_document(county, "关于全面推行河长制的意见", "建立河长制工作机制。")
    # Every character of 河长制 is here, and every other word, but not 河长制.
    make_document(county, "关于全面推行长江保护制度的意见", "做好河道治理。")
    parsed = parse("全面推行河长制的意见")
    assert [(t.text, t.tokens, t.phrase) for t in parsed.terms] == [
        ("全面推行", ["全面推行"], False), ("河长制", ["河", "长", "制"], True), ("意见", ["意见"], False)
    ]
    assert titles(search("全面推行河长制的意见")) == [river.title]
    assert titles(search("河长制")) == [river.title]


def test_numbers_and_letters_stay_with_their_characters(catalog):
    parsed = parse("2024年政务公开工作要点")
    assert [(t.text, t.phrase) for t in parsed.terms] == [("2024年", True), ("政务公开", False), ("工作要点", False)]
    assert titles(search("2024年政务公开工作要点")) == [catalog["open"].title]
    assert titles(search("西府发〔2024〕1号")) == [catalog["open"].title]


def test_exclusions_beside_a_sentence(sentences):
    assert titles(search("申请最低生活保障 -应保尽保")) == []
    assert titles(search('怎么申请最低生活保障 -"应保尽保"')) == []
    assert titles(search("申请最低生活保障 -临时救助")) == [sentences["dibao"].title]
    hits = titles(search(f"{OPINION} -基层"))
    assert set(hits) == {sentences["exact"].title, sentences["cited"].title, sentences["reordered"].title}
    # An excluded run drops the documents holding it as typed, not those
    # holding its words apart.
    kept = {sentences["between"].title, sentences["reordered"].title}
    assert set(titles(search('政务公开 -"加强政务公开工作"'))) == kept
    assert set(titles(search("政务公开 -加强政务公开工作"))) == kept


def test_short_run_found_verbatim_ranks_first(org_tree, make_document):
    # A run under three characters is checked on the row, not in the trigram table.
    county = org_tree["county"]
    window = make_document(county, "异地就医备案到窗口就能办", "材料齐全，窗口就能办，当场办结，办结后短信告知办理结果。")
    online = make_document(county, "异地就医备案", "网上能办吗？能。", published_date=dt.date(2020, 1, 1))
    parsed = parse("办吗")
    assert ([t.text for t in parsed.terms], parsed.runs) == (["办"], ["办吗"])
    assert titles(search("办吗")) == [online.title, window.title]
    assert titles(search("办吗", Filters(organisation_ids={county.pk}))) == [online.title, window.title]


# --- Common words: bounded work (backends.COMMON) ---------------------------------------


@pytest.fixture
def common_catalog(org_tree, make_document, monkeypatch):
    """Twelve documents with 通知 (a common word once COMMON is 5), over twelve days."""
    from gongkai.search import backends

    monkeypatch.setattr(backends, "COMMON", 5)
    docs = []
    for i in range(12):
        org = org_tree["county"] if i % 3 else org_tree["city"]
        title = f"关于第{i}批道路养护工作的通知" if i != 2 else "关于道路养护工作的通知（道路养护工作通知）"
        docs.append(make_document(org, title, f"第{i}份正文，道路养护。", published_date=dt.date(2024, 1, 1 + i)))
    return docs


def test_a_common_word_counts_exactly_without_filters_and_ranks_the_newest(common_catalog):
    result = search("通知")
    if connection.vendor == "postgresql":  # the planner's estimate: counting would scan the whole index
        assert result.common and result.approximate and result.total >= 1
        return
    assert result.common and not result.approximate and result.total == 12
    assert result.pages == 1  # by relevance, only the newest COMMON (5) matches are ranked
    assert {h.document.pk for h in result.hits} == {d.pk for d in common_catalog[-5:]}
    by_date = search("通知", order="date", per_page=5, page=2)
    assert by_date.pages == 3 and [h.document.pk for h in by_date.hits] == [d.pk for d in common_catalog[6:1:-1]]


def test_a_common_word_under_a_filter_is_estimated(common_catalog, org_tree, monkeypatch):
    from gongkai.search import backends

    # The share of the newest matches that pass, times the words' own count (exact here).
    monkeypatch.setattr(backends.Backend, "count_matches", lambda self, cursor, source, match, params: (12, False))
    monkeypatch.setattr(backends.PostgresBackend, "count_matches", backends.Backend.count_matches)
    city = Filters(organisation_ids={org_tree["city"].pk})
    result = search("通知", city, order="date")
    # 12 matches; of the newest 5 (ids 7..11), those of the city: i = 9 only -> 12 * 1 / 5 = 2.4 -> 2
    assert result.common and result.approximate and result.total == 2 and result.total_text == "约 2"
    assert [h.document.pk for h in result.hits] == [common_catalog[i].pk for i in (9, 6, 3, 0)]


@pytest.mark.parametrize("phrase", ["通知", '"道路养护"'])
def test_a_common_word_under_a_selective_filter_ranks_the_same_walking_the_filter_first(common_catalog, org_tree,
                                                                                        monkeypatch, phrase):
    """On PostgreSQL a filter that keeps few documents is walked first (newest
    first, one index probe each) instead of the word's matches: the same
    newest COMMON matches, ranked the same."""
    from gongkai.search import backends

    city = Filters(organisation_ids={org_tree["city"].pk})
    walked = []
    few = backends.PostgresBackend._few_filtered

    def spy(self, filters):
        walked.append(few(self, filters))
        return walked[-1]

    monkeypatch.setattr(backends.PostgresBackend, "_few_filtered", spy)
    monkeypatch.setattr(backends.PostgresBackend, "FILTER_FIRST", 0)  # the matches first
    matches_first = [h.document.pk for h in search(phrase, city).hits]
    monkeypatch.setattr(backends.PostgresBackend, "FILTER_FIRST", 10**9)  # the filtered documents first
    filter_first = [h.document.pk for h in search(phrase, city).hits]
    assert filter_first == matches_first and matches_first
    expected = [d.pk for i, d in enumerate(common_catalog) if i % 3 == 0]
    assert set(filter_first) <= set(expected)
    if connection.vendor == "postgresql":
        assert walked == [False, True]


def test_a_common_word_page_says_so(client, common_catalog):
    page = client.get("/search/", {"q": "通知"})
    text = page.content.decode()
    assert "结果较多" in text and ("共 12 条" in text or connection.vendor == "postgresql")
    assert "约 " in client.get("/search/", {"q": "通知", "org": common_catalog[0].organisation_id, "order": "date"}).content.decode()
