"""Loading the demo catalog through the catalog services and the page importer."""

import re

import pytest
from django.core.management import call_command

from gongkai import demo
from gongkai.catalog.models import Document, Relation
from gongkai.core import creditcode
from gongkai.core.models import Organisation
from gongkai.search import services as search

SIZE = 120
INDEX_NUMBER = re.compile(r"^(?P<prefix>[0-9A-Z]{18})/(?P<year>\d{4})-(?P<serial>\d{5})$")


@pytest.fixture
def loaded(db):
    return demo.load_demo(SIZE)


def test_load_creates_organisations_documents_relations_and_samples(loaded):
    plan = demo.generate(SIZE)
    assert loaded.skipped == ""
    assert Organisation.objects.count() == len(plan.organisations) + len(demo.SAMPLE_ORGANISATIONS)
    for org in Organisation.objects.all():
        assert creditcode.validate(org.credit_code) == org.credit_code
        assert org.index_prefix == org.credit_code
    province = Organisation.objects.get(name="四川省人民政府")
    assert province.parent is None and province.level == "province"
    township = Organisation.objects.get(name="西昌市安宁镇人民政府")
    assert [o.name for o in township.ancestors()] == ["四川省人民政府", "凉山彝族自治州人民政府", "西昌市人民政府"]

    # the generated catalog and the samples, besides the workflow examples the demo staff wrote
    catalog_docs = Document.objects.filter(created_by__isnull=True)
    assert catalog_docs.count() == SIZE + 3
    assert Document.objects.count() == SIZE + 3 + loaded.workflow
    statuses = {s: catalog_docs.filter(status=s).count() for s in ("published", "draft", "withdrawn")}
    assert statuses["draft"] == sum(d.status == "draft" for d in plan) >= 1
    assert statuses["withdrawn"] == sum(d.status == "withdrawn" for d in plan) >= 1
    assert statuses["published"] + statuses["withdrawn"] == SIZE + 3 - statuses["draft"]

    for planned in plan:
        doc = Document.objects.get(title=planned.title, organisation__name=planned.organisation.name)
        assert doc.document_number == planned.document_number
        assert doc.written_date == planned.written_date
        assert (doc.topic.parent.name, doc.topic.name) == planned.topic
        assert doc.genre.name == planned.genre
        assert doc.validity == planned.validity
        if planned.status == "draft":
            assert doc.index_number is None
        else:
            assert doc.published_date == planned.published_date
            match = INDEX_NUMBER.match(doc.index_number)
            assert match and match["prefix"] == doc.organisation.index_prefix
            assert int(match["year"]) == planned.published_date.year
        assert len(doc.body_text) > 100 and doc.body.startswith("<p>")

    # Index-number serials run without gaps per organisation and year, in date order.
    by_series = {}
    for doc in catalog_docs.exclude(index_number=None).exclude(source_path__gt="").order_by("published_date", "id"):
        by_series.setdefault((doc.organisation_id, doc.index_year), []).append(doc.index_serial)
    for serials in by_series.values():
        assert serials == list(range(1, len(serials) + 1))

    planned_relations = sum(len(d.relations) for d in plan)
    assert loaded.relations == planned_relations
    demo_relations = Relation.objects.exclude(source__source_path__gt="").filter(source__created_by__isnull=True)
    assert demo_relations.count() == planned_relations
    inside = demo_relations.filter(target__isnull=False)
    assert inside.exists() and demo_relations.filter(target__isnull=True).exists()
    for relation in inside.select_related("source", "target"):
        assert relation.target.published_date <= relation.source.written_date
        assert relation.target_document_number == relation.target.document_number


def test_samples_are_imported_with_their_issuers(loaded):
    assert [r.status for r in loaded.samples] == ["created"] * 3
    qianjiang = Document.objects.get(source_path__endswith="chongqing-qianjiang-2018-workplan.txt")
    assert qianjiang.organisation.name == "重庆市黔江区人民政府"
    assert qianjiang.document_number == "黔江府办发〔2018〕67号"
    assert qianjiang.index_number == "11500114009130039C/2018-00979"
    liangshan = Document.objects.get(source_path__endswith="sichuan-2010-workplan.txt")
    assert liangshan.organisation.name == "凉山彝族自治州人民政府办公室"
    assert liangshan.document_number == "凉府办函〔2010〕211号"
    guangzhou = Document.objects.get(source_path__endswith="guangzhou-2012-workplan.txt")
    assert guangzhou.organisation.name == "广州市人民政府办公厅"
    assert guangzhou.document_number == "穗府办〔2012〕16号"


def test_second_load_changes_nothing(loaded):
    before = (Organisation.objects.count(), Document.objects.count(), Relation.objects.count())
    again = demo.load_demo(SIZE)
    assert again.skipped and str(SIZE + 3 + loaded.workflow) in again.skipped
    assert again.documents == 0
    assert (Organisation.objects.count(), Document.objects.count(), Relation.objects.count()) == before


def test_search_finds_demo_documents(loaded):
    plan = demo.generate(SIZE)
    published = [d for d in plan if d.status == "published"]
    target = next(d for d in published if d.form == "issue")
    page = search.search(f'"{target.plan_name}"', per_page=50)
    assert page.total >= 1
    assert target.title in [hit.document.title for hit in page.hits]

    subject = demo.SUBJECTS_BY_KEY[target.subject]
    expected = {d.title for d in published if subject.work in d.title}
    page = search.search(f'"{subject.work}"', per_page=100)
    found = {hit.document.title for hit in page.hits}
    assert expected and expected <= found
    assert all("<mark>" in hit.title_html or "<mark>" in hit.snippet_html for hit in page.hits)

    withdrawn = next(d for d in plan if d.status == "withdrawn")
    hits = search.search(f'"{withdrawn.title}"', per_page=100).hits
    assert withdrawn.title not in [h.document.title for h in hits]


def test_demo_command(db, capsys):
    call_command("demo", size=30)
    out, err = capsys.readouterr()
    assert "30 documents" in out and "3 of 3 sample pages imported" in out
    assert "documents: 30/30" in err
    assert "Demo staff accounts, all with the password" in out and "sun.li (政务公开办管理员)" in out
    total = Document.objects.count()
    assert total == 33 + 8  # the catalog, the samples, and the workflow examples
    call_command("demo", size=30)
    out, _ = capsys.readouterr()
    assert f"already holds {total} documents" in out
    assert Document.objects.count() == total


def test_demo_has_a_full_audit_trail_and_every_workflow_step(loaded):
    from gongkai.core import audit
    from gongkai.core.models import AuditEntry, Membership

    verdict = audit.verify()
    assert verdict.ok and verdict.checked == AuditEntry.objects.count()
    created = AuditEntry.objects.filter(object_type="document", action__in=["document.create", "document.publish"])
    assert created.values("object_id").distinct().count() == Document.objects.count()
    assert AuditEntry.objects.filter(action="membership.grant").count() == Membership.objects.count() == 8
    states = set(Document.objects.exclude(created_by=None).values_list("status", flat=True))
    assert states == {"draft", "review", "secrecy", "ready", "published", "stopped"}
    assert Document.objects.filter(status="ready", scheduled_at__isnull=False).count() == 1


@pytest.mark.parametrize("size", [0, -5, 10**7])
def test_demo_command_refuses_bad_sizes(db, size):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="between 1 and"):
        call_command("demo", size=size)
    assert Document.objects.count() == 0
