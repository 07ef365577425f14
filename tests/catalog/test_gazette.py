"""The gazette (政府公报): issues, numbering with merged issues, the table of
contents, the printed PDF, publication, permissions and the audit log."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.catalog import gazette
from gongkai.catalog.gazette import ContentItem
from gongkai.catalog.models import Document, GazetteEntry, GazetteIssue
from gongkai.core import generation
from gongkai.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def city(org_tree):
    return org_tree["city"]


@pytest.fixture
def admin(city, make_user):
    return make_user("gz_admin", (city, "office_admin"))


@pytest.fixture
def docs(org_tree, make_document):
    city, county = org_tree["city"], org_tree["county"]
    return {
        "rule": make_document(city, "凉山州城市绿化管理办法", document_number="凉府发〔2024〕1号"),
        "notice": make_document(city, "关于做好防汛工作的通知", document_number="凉府发〔2024〕2号"),
        "county": make_document(county, "西昌市规范性文件", document_number="西府发〔2024〕5号"),
        "draft": make_document(city, "尚未发布的草稿", publish=False),
        "province": make_document(org_tree["province"], "省政府文件", document_number="川府发〔2024〕7号"),
    }


def entries_of(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def make_issue(org, user, **fields):
    fields.setdefault("year", 2024)
    fields.setdefault("number", 1)
    return gazette.issue_create(org, user=user, **fields)


# ---------------------------------------------------------------- numbering


def test_labels_single_merged_and_total(city, admin):
    single = make_issue(city, admin, number=3, total_number=737)
    merged = make_issue(city, admin, number=5, number_to=6, total_number=738)
    assert single.name == "凉山彝族自治州人民政府公报"
    assert single.label == "2024年第3期（总第737期）"
    assert merged.label == "2024年第5-6期（总第738期）"
    assert str(merged) == "《凉山彝族自治州人民政府公报》2024年第5-6期（总第738期）"
    plain = make_issue(city, admin, number=9)
    assert plain.label == "2024年第9期"


def test_name_defaults_to_the_previous_issue(city, admin):
    make_issue(city, admin, number=1, name="凉山州政府公报")
    assert make_issue(city, admin, number=2).name == "凉山州政府公报"


def test_a_number_is_taken_once_per_organisation_and_year_merged_or_not(org_tree, city, admin, make_user):
    make_issue(city, admin, number=3, number_to=4)
    for number, number_to in ((3, None), (4, None), (2, 3), (4, 5), (1, 6)):
        with pytest.raises(ValidationError) as exc:
            make_issue(city, admin, number=number, number_to=number_to)
        assert "已存在" in str(exc.value.message_dict["number"])
    assert GazetteIssue.objects.count() == 1
    # Another year, another organisation: free.
    make_issue(city, admin, year=2025, number=3)
    county_admin = make_user("county_admin", (org_tree["county"], "office_admin"))
    make_issue(org_tree["county"], county_admin, number=3)
    assert GazetteIssue.objects.count() == 3


def test_the_database_refuses_a_duplicate_number_too(city, admin):
    from django.db import IntegrityError, transaction

    issue = make_issue(city, admin, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        GazetteIssue.objects.create(organisation=city, name=issue.name, year=2024, number=1)


def test_total_number_is_unique_per_organisation(city, admin):
    make_issue(city, admin, number=1, total_number=700)
    with pytest.raises(ValidationError) as exc:
        make_issue(city, admin, year=2025, number=1, total_number=700)
    assert "总第700期已用于2024年第1期" in str(exc.value)


@pytest.mark.parametrize("fields, field, message", [
    ({"number": 4, "number_to": 4}, "number_to", "合刊末期号必须大于期号"),
    ({"number": 4, "number_to": 2}, "number_to", "合刊末期号必须大于期号"),
    ({"number": 0}, "number", "期号从1开始"),
    ({"year": 24}, "year", "四位数的年份"),
    ({"published_on": dt.date(2020, 1, 1)}, "published_on", "出版日期与年份不符"),
])
def test_bad_numbers_are_refused_with_a_message(city, admin, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        make_issue(city, admin, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not GazetteIssue.objects.exists()


def test_departments_and_townships_run_no_gazette(org_tree, make_user):
    boss = make_user("boss", (org_tree["province"], "office_admin"))
    for key in ("department", "township"):
        with pytest.raises(ValidationError) as exc:
            make_issue(org_tree[key], boss)
        assert "国办发〔2018〕22号" in str(exc.value)
    assert not GazetteIssue.objects.exists()


def test_update_checks_the_same_rules_and_is_audited(city, admin):
    make_issue(city, admin, number=1)
    second = make_issue(city, admin, number=2)
    with pytest.raises(ValidationError):
        gazette.issue_update(second, user=admin, number=1)
    second.refresh_from_db()
    assert second.number == 2
    gazette.issue_update(second, user=admin, number=2, number_to=3, total_number=12)
    second.refresh_from_db()
    assert second.label == "2024年第2-3期（总第12期）"
    [entry] = entries_of("gazette.update")
    assert entry.actor == "gz_admin" and entry.object_id == str(second.pk)


# ---------------------------------------------------------------- contents


def test_contents_in_order_with_sections_and_pages(city, admin, docs):
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [
        ContentItem(docs["rule"].pk, "规章", 3),
        ContentItem(docs["notice"].pk, "政府文件", 10),
        ContentItem(docs["county"].pk, "部门文件"),
    ], user=admin)
    entries = gazette.issue_entries(issue)
    assert [e.document_id for e in entries] == [docs["rule"].pk, docs["notice"].pk, docs["county"].pk]
    assert [e.order for e in entries] == [1, 2, 3]
    assert [(s.heading, len(s.entries)) for s in gazette.sections(entries)] == [("规章", 1), ("政府文件", 1), ("部门文件", 1)]
    # Replaced, reordered.
    gazette.issue_set_contents(issue, [ContentItem(docs["notice"].pk), ContentItem(docs["rule"].pk)], user=admin)
    assert [e.document_id for e in gazette.issue_entries(issue)] == [docs["notice"].pk, docs["rule"].pk]
    audit = entries_of("gazette.contents")
    assert len(audit) == 2
    assert audit[1].detail["documents"] == [docs["notice"].pk, docs["rule"].pk]


@pytest.mark.parametrize("key, message", [
    ("draft", "不是已发布的主动公开信息"),
    ("province", "不是凉山彝族自治州人民政府或其所属机构发布的文件"),
])
def test_contents_refuse_documents_that_do_not_belong(city, admin, docs, key, message):
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=admin)
    with pytest.raises(ValidationError) as exc:
        gazette.issue_set_contents(issue, [ContentItem(docs["notice"].pk), ContentItem(docs[key].pk)], user=admin)
    assert message in str(exc.value)
    # Nothing half-saved: the previous contents stand.
    assert [e.document_id for e in gazette.issue_entries(issue, public_only=False)] == [docs["rule"].pk]


def test_contents_refuse_duplicates_and_unknown_documents(city, admin, docs):
    issue = make_issue(city, admin)
    with pytest.raises(ValidationError, match="只能出现一次"):
        gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk), ContentItem(docs["rule"].pk)], user=admin)
    with pytest.raises(ValidationError, match="所选文件不存在"):
        gazette.issue_set_contents(issue, [ContentItem(987654)], user=admin)
    assert not GazetteEntry.objects.exists()


def test_candidates_are_public_documents_of_the_subtree_not_yet_listed(city, admin, docs):
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=admin)
    found = {d.pk for d in gazette.candidate_documents(issue)}
    assert found == {docs["notice"].pk, docs["county"].pk}
    assert [d.pk for d in gazette.candidate_documents(issue, "西府发")] == [docs["county"].pk]


# ---------------------------------------------------------------- publication


def test_publish_needs_contents_then_shows_the_issue(city, admin, docs, time_machine):
    issue = make_issue(city, admin)
    with pytest.raises(ValidationError, match="目录不能为空"):
        gazette.issue_publish(issue, user=admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk, page=5)], user=admin)
    assert gazette.published_issue(issue.pk) is None
    assert gazette.published_in(docs["rule"]) == []
    time_machine.move_to(dt.datetime(2024, 5, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    gazette.issue_publish(issue, user=admin)
    issue.refresh_from_db()
    assert issue.is_published and timezone.localtime(issue.published_at).date() == dt.date(2024, 5, 10)
    assert issue.published_on is None  # the print date is what the office enters, never guessed
    assert gazette.published_issue(issue.pk) == issue
    [entry] = gazette.published_in(docs["rule"])
    assert entry.issue == issue and entry.page == 5
    with pytest.raises(ValidationError, match="已发布"):
        gazette.issue_publish(issue, user=admin)
    assert len(entries_of("gazette.publish")) == 1
    gazette.issue_unpublish(issue, user=admin)
    assert gazette.published_issue(issue.pk) is None and gazette.published_in(docs["rule"]) == []


def test_publish_refuses_a_document_no_longer_public(city, admin, docs, make_user):
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=admin)
    Document.objects.filter(pk=docs["rule"].pk).update(status=Document.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="已不再公开"):
        gazette.issue_publish(issue, user=admin)
    issue.refresh_from_db()
    assert not issue.is_published


def test_changes_to_a_published_issue_make_public_pages_stale(city, admin, docs):
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=admin)
    before = generation.current()
    gazette.issue_publish(issue, user=admin)
    after_publish = generation.current()
    assert after_publish != before
    gazette.issue_update(issue, user=admin, total_number=99)
    assert generation.current() != after_publish


def test_years_and_issues_of_a_year_show_only_published(org_tree, city, admin, docs, make_user):
    published = []
    for number in (1, 2):
        issue = make_issue(city, admin, number=number)
        gazette.issue_set_contents(issue, [ContentItem(docs["notice"].pk)], user=admin)
        gazette.issue_publish(issue, user=admin)
        published.append(issue)
    make_issue(city, admin, number=3)  # a draft
    old = make_issue(city, admin, year=2023, number=12)
    gazette.issue_set_contents(old, [ContentItem(docs["rule"].pk)], user=admin)
    gazette.issue_publish(old, user=admin)
    [years] = gazette.published_years()
    assert years.organisation == city and years.years == [(2024, 2), (2023, 1)]
    [(org, issues)] = gazette.published_in_year(2024)
    assert org == city and issues == published
    assert gazette.published_in_year(2022) == []


# ---------------------------------------------------------------- PDF


def test_pdf_is_checked_stored_and_replaced(city, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(city, admin)
    gazette.issue_attach_pdf(issue, SimpleUploadedFile("issue.pdf", PDF), user=admin)
    issue.refresh_from_db()
    first = issue.pdf.name
    assert first.startswith(f"gazette/{city.pk}/2024/") and issue.pdf_size == len(PDF)
    assert (tmp_path / first).read_bytes() == PDF
    gazette.issue_attach_pdf(issue, SimpleUploadedFile("again.pdf", PDF + b"x"), user=admin)
    issue.refresh_from_db()
    assert issue.pdf.name != first and not (tmp_path / first).exists()
    gazette.issue_remove_pdf(issue, user=admin)
    issue.refresh_from_db()
    assert not issue.pdf and issue.pdf_size == 0
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="gazette.pdf").order_by("seq")] == [
        "gazette.pdf", "gazette.pdf", "gazette.pdf_remove"]


@pytest.mark.parametrize("name, content, message", [
    ("fake.pdf", b"<html>not a pdf</html>", "不是PDF"),
    ("issue.docx", PDF, "只能上传PDF"),
])
def test_pdf_upload_refuses_what_is_not_a_pdf(city, admin, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(city, admin)
    with pytest.raises(ValidationError) as exc:
        gazette.issue_attach_pdf(issue, SimpleUploadedFile(name, content), user=admin)
    assert message in " ".join(exc.value.message_dict["pdf"])
    issue.refresh_from_db()
    assert not issue.pdf and not list(tmp_path.rglob("*.pdf"))


def test_pdf_upload_refuses_a_file_over_the_limit(city, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGKAI_GAZETTE_PDF_MAX_BYTES = 1024 * 1024
    issue = make_issue(city, admin)
    with pytest.raises(ValidationError, match="超过上限（1 MB）"):
        gazette.issue_attach_pdf(issue, SimpleUploadedFile("big.pdf", PDF + b"0" * 1024 * 1024), user=admin)


# ---------------------------------------------------------------- permissions


def test_who_may_edit_a_gazette(org_tree, city, admin, docs, make_user):
    issue = make_issue(city, admin)
    drafter = make_user("gz_drafter", (city, "drafter"))
    gazette.issue_update(issue, user=drafter, total_number=5)  # a drafter of the organisation may
    province_admin = make_user("gz_prov", (org_tree["province"], "office_admin"))
    gazette.issue_update(issue, user=province_admin, total_number=6)  # the office above may
    refused = [
        make_user("gz_reviewer", (city, "reviewer", 1)),
        make_user("gz_publisher", (city, "publisher")),
        make_user("gz_county", (org_tree["county"], "office_admin")),  # below, not above
        make_user("gz_none"),
    ]
    count = AuditEntry.objects.count()
    for user in refused:
        with pytest.raises(PermissionDenied):
            gazette.issue_update(issue, user=user, total_number=7)
        with pytest.raises(PermissionDenied):
            gazette.issue_create(city, user=user, year=2025, number=1)
        with pytest.raises(PermissionDenied):
            gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=user)
        with pytest.raises(PermissionDenied):
            gazette.issue_publish(issue, user=user)
    assert AuditEntry.objects.count() == count
    issue.refresh_from_db()
    assert issue.total_number == 6 and not issue.entries.exists()


def test_a_deleted_document_leaves_the_contents(city, admin, docs):
    """A document that leaves the catalog leaves the contents (no orphan line)."""
    issue = make_issue(city, admin)
    gazette.issue_set_contents(issue, [ContentItem(docs["rule"].pk)], user=admin)
    docs["rule"].delete()
    assert not GazetteEntry.objects.exists()


# ---------------------------------------------------------------- demo


def test_demo_gazettes_monthly_with_a_merged_issue(org_tree, make_document, make_user):
    from types import SimpleNamespace

    from gongkai.catalog.gazette_demo import create_gazette_demo
    from gongkai.core.models import Role

    province, department = org_tree["province"], org_tree["department"]
    for month in (1, 1, 3, 7, 8):
        make_document(province, f"省政府{month}月文件", published_date=dt.date(2024, month, 10))
    make_document(department, "财政厅文件", published_date=dt.date(2024, 3, 12))
    make_document(org_tree["county"], "县里的文件", published_date=dt.date(2024, 3, 12))  # not in the province's gazette
    admin = make_user("demo_admin", (province, "office_admin"))
    region = SimpleNamespace(orgs={"province": province, "city2": org_tree["city"]}, staff={Role.OFFICE_ADMIN: admin})
    assert create_gazette_demo(region) == 3
    issues = list(GazetteIssue.objects.order_by("number"))
    assert [i.label for i in issues] == ["2024年第1期（总第600期）", "2024年第2期（总第601期）", "2024年第3-4期（总第602期）"]
    assert all(i.is_published for i in issues)
    march = gazette.issue_entries(issues[1])
    assert [(e.document.title, e.section) for e in march] == [("省政府3月文件", "政府文件"), ("财政厅文件", "部门文件")]
    assert len(gazette.issue_entries(issues[2])) == 2
    assert create_gazette_demo(region) == 0  # once
