import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongkai.catalog import services
from gongkai.catalog.models import Document, Relation


def test_index_numbers_are_sequential_per_organisation_and_year(org_tree, make_document):
    county, city = org_tree["county"], org_tree["city"]
    a = make_document(county, "文件一", published_date=dt.date(2024, 1, 5))
    b = make_document(county, "文件二", published_date=dt.date(2024, 2, 5))
    c = make_document(county, "文件三", published_date=dt.date(2025, 1, 5))
    d = make_document(city, "文件四", published_date=dt.date(2024, 1, 5))
    assert a.index_number == "115134010087654321/2024-00001"
    assert b.index_number == "115134010087654321/2024-00002"
    assert c.index_number == "115134010087654321/2025-00001"
    assert d.index_number == "11513400MB1234567X/2024-00001"


def test_draft_has_no_index_number_until_published(org_tree, make_document):
    doc = make_document(org_tree["county"], "草稿文件", publish=False)
    assert doc.index_number is None
    published = services.publish_document(doc)
    assert published.index_number.endswith("/2024-00001")
    assert services.publish_document(published).index_number == published.index_number


def test_withdrawn_keeps_index_number_and_is_never_reused(org_tree, make_document):
    county = org_tree["county"]
    first = make_document(county, "文件一")
    withdrawn = services.withdraw_document(first)
    assert withdrawn.index_number == first.index_number
    assert withdrawn.status == Document.Status.WITHDRAWN
    assert withdrawn.withdrawn_at is not None
    second = make_document(county, "文件二")
    assert second.index_number.endswith("-00002")


def test_deleted_serial_is_not_reused(org_tree, make_document):
    county = org_tree["county"]
    make_document(county, "文件一").delete()
    assert make_document(county, "文件二").index_number.endswith("-00002")


def test_document_number_is_normalised_and_unparsed_is_flagged(org_tree, make_document):
    doc = make_document(org_tree["county"], "通知", document_number="西府发[2024]3号")
    assert doc.document_number == "西府发〔2024〕3号"
    assert doc.document_number_raw == "西府发[2024]3号"
    assert (doc.issuer_code, doc.number_year, doc.number_serial) == ("西府发", 2024, 3)
    odd = make_document(org_tree["county"], "令", document_number="西昌市人民政府令第3号")
    assert odd.document_number == "西昌市人民政府令第3号"
    assert odd.document_number_status == "unparsed"


def test_bad_input_is_refused_with_chinese_message_and_nothing_saved(org_tree):
    county = org_tree["county"]
    before = Document.objects.count()
    with pytest.raises(ValidationError) as err:
        services.create_document(organisation=county, title="  ", publish=True)
    assert "标题不能为空" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.create_document(
            organisation=county, title="通知", written_date=dt.date(2024, 5, 2), published_date=dt.date(2024, 5, 1)
        )
    assert "成文日期不能晚于发布日期" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.create_document(organisation=county, title="内部", disclosure="withheld")
    assert "法定依据" in str(err.value)
    assert Document.objects.count() == before


def test_duplicate_document_number_within_organisation_is_refused(org_tree, make_document):
    make_document(org_tree["county"], "通知一", document_number="西府发〔2024〕3号")
    with pytest.raises(ValidationError, match="已有发文字号"):
        make_document(org_tree["county"], "通知二", document_number="西府发[2024]3号")
    # Another organisation may use the same text.
    make_document(org_tree["city"], "通知三", document_number="西府发〔2024〕3号")


def test_body_is_sanitised(org_tree):
    doc = services.create_document(
        organisation=org_tree["county"],
        title="通知",
        body_html='<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>',
    )
    assert "script" not in doc.body and "onclick" not in doc.body and "javascript" not in doc.body
    assert "正文" in doc.body_text


def test_body_images_from_other_hosts_lose_their_source(org_tree):
    doc = services.create_document(
        organisation=org_tree["county"],
        title="通知",
        body_html='<p><img src="https://img.example.com/a.png" alt="外部图片"><img src="//cdn.example.com/b.png" alt="b">'
        '<img src="/media/attachments/c.png" alt="本站图片"><a href="https://www.gov.cn/">中国政府网</a></p>',
    )
    assert "example.com" not in doc.body
    assert 'src="/media/attachments/c.png"' in doc.body and 'alt="外部图片"' in doc.body
    assert 'href="https://www.gov.cn/"' in doc.body  # links to other sites stay: they load nothing


def test_relations_link_both_ways_when_target_arrives_later(org_tree, make_document):
    county, city = org_tree["county"], org_tree["city"]
    source = make_document(county, "关于转发的通知")
    relation = services.add_relation(source, Relation.Kind.FORWARDS, title="关于印发要点的通知", document_number="凉府发[2024]1号")
    assert relation.target is None and relation.target_document_number == "凉府发〔2024〕1号"
    target = make_document(city, "关于印发要点的通知", document_number="凉府发〔2024〕1号")
    assert services.link_relations(target) == 1
    assert list(target.incoming.values_list("source_id", flat=True)) == [source.pk]


def test_relation_to_existing_document_resolves_by_number(org_tree, make_document):
    target = make_document(org_tree["city"], "被引用文件", document_number="凉府发〔2023〕9号")
    source = make_document(org_tree["county"], "引用文件")
    relation = services.add_relation(source, Relation.Kind.CITES, document_number="凉府发(2023)9号")
    assert relation.target == target


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_get_distinct_gapless_serials(org_tree):
    """Many threads publish at once; every serial 1..N is used exactly once."""
    county = org_tree["county"]
    drafts = [
        services.create_document(organisation=county, title=f"并发文件{i}", published_date=dt.date(2024, 6, 1))
        for i in range(12)
    ]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def publish(doc):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            services.publish_document(doc)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    serials = sorted(Document.objects.filter(organisation=county).values_list("index_serial", flat=True))
    assert serials == list(range(1, len(drafts) + 1)), connection.vendor


@pytest.mark.django_db(transaction=True)
def test_vocabularies_survive_a_flush():
    from django.core.management import call_command

    from gongkai.catalog import vocabularies
    from gongkai.catalog.models import Genre, Topic

    call_command("flush", interactive=False, verbosity=0)
    shipped = vocabularies.load("topics")["topics"]
    assert Topic.objects.filter(parent=None).count() == len(shipped)
    assert Genre.objects.filter(name="行政规范性文件").exists()
