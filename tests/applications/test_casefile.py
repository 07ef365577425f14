"""The case file (案卷, Art. 45) of a closed application: built by a task
enqueued when the closing transaction commits, with every event, the reply
letter (HTML and DOCX), the consultation letter, the files and the audit
trail, and an index page listing each with its date, kind and file name; a
rebuild keeps one row and replaces the file; the retention the office sets
(per organisation, inherited, or per application); who may download it; the
`gongkai applications archive` export."""

import datetime as dt
import hashlib
import io
import zipfile
from io import StringIO

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongkai.applications import casefile, services, tasks
from gongkai.applications.models import ApplicationFile, CaseFile
from gongkai.core.models import AuditEntry
from tests.applications.test_services import PERSON

pytestmark = pytest.mark.django_db

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISCLOSED_PDF = b"%PDF-1.4\n% \xe6\x89\xb9\xe5\xa4\x8d\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROVIDED = "西昌市发展和改革局关于2024年西昌市城区道路改造项目的批复（西发改〔2024〕12号）全文，见附件。"


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "handler": make_user("chengban", (county, "handler")),
        "head": make_user("gongkaiban", (county, "office_admin")),
        "city_head": make_user("zhougongkaiban", (org_tree["city"], "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "outsider": make_user("caizheng", (org_tree["department"], "handler")),
        "town": make_user("anning", (org_tree["township"], "handler")),
    }


@pytest.fixture
def stored(db):
    """Files the test writes to the private storage go again after it."""
    yield
    for item in ApplicationFile.objects.all():
        item.file.delete(save=False)
    for case in CaseFile.objects.exclude(file=""):
        case.file.delete(save=False)


def closed(org, people, capture, *, on=D(2024, 9, 27), replied=D(2024, 10, 25), **changes):
    """An application received in person, with the applicant's identity
    proof, a third-party consultation, and a reply disclosing a file (as the
    reply form does: the file in the same transaction); the hooks of the
    closing transaction run as on commit."""
    handler = people["handler"]
    app, _ = services.register(org, {**PERSON, **changes}, channel="in_person", user=handler, received_on=on)
    ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.FROM_APPLICANT,
                                   file=ContentFile(PDF, name="id.pdf"), name="身份证明.pdf")
    services.consult_third_party(app, user=handler, party="西昌市某建筑有限公司", on=on + dt.timedelta(days=12))
    services.third_party_answer(app, user=handler, on=on + dt.timedelta(days=19), agrees=True)
    with capture(execute=True) as hooks:
        services.reply(app, user=handler, outcome="disclosed", on=replied, provided=PROVIDED)
        ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED,
                                       file=ContentFile(DISCLOSED_PDF, name="pifu.pdf"), name="项目批复.pdf")
    assert hooks, "the build is enqueued on commit"
    app.refresh_from_db()
    return app


def stored_bytes(case: CaseFile) -> bytes:
    with case.file.storage.open(case.file.name, "rb") as handle:
        return handle.read()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_closing_builds_the_case_file_with_every_item_and_an_index(org_tree, people, stored,
                                                                   django_capture_on_commit_callbacks):
    county = org_tree["county"]
    app = closed(county, people, django_capture_on_commit_callbacks)
    case = CaseFile.objects.get(application=app)
    data = stored_bytes(case)
    assert case.built_at and case.sha256 == hashlib.sha256(data).hexdigest() and case.size == len(data)
    assert case.missing == 0

    files = members(data)
    folder = "西昌市依申〔2024〕1号案卷/"
    assert all(name.startswith(folder) for name in files)
    names = {name[len(folder):] for name in files}
    by_suffix = lambda suffix: [n for n in names if n.endswith(suffix)]  # noqa: E731
    assert "index.html" in names
    assert len(by_suffix("办理记录.html")) == 1 and len(by_suffix("操作留痕.html")) == 1
    assert len(by_suffix("答.html")) == 1 and len(by_suffix("答.docx")) == 1  # the reply letter, HTML and DOCX
    assert len(by_suffix(".docx")) == 2  # and the third party's consultation letter
    assert files[folder + by_suffix("身份证明.pdf")[0]] == PDF
    assert files[folder + by_suffix("项目批复.pdf")[0]] == DISCLOSED_PDF

    # The reply letter as issued, in both forms.
    letter = files[folder + by_suffix("答.html")[0]].decode("utf-8")
    assert "政府信息公开申请答复告知书" in letter and "西发改〔2024〕12号" in letter and "项目批复.pdf" in letter
    import docx
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files[folder + by_suffix("答.docx")[0]])).paragraphs)
    assert "王小明" in text and "西发改〔2024〕12号" in text

    # The index: the registration data, then one line per item with its date, kind and file name.
    index = lxml.html.fromstring(files[folder + "index.html"])
    registration = {row.xpath("string(th)"): row.xpath("string(td)") for row in index.xpath("//section[1]//tr")}
    assert registration["申请编号"] == app.number and registration["姓名或名称"] == "王小明"
    assert registration["身份证明"] == PERSON["id_document"] and registration["答复或终止日期"] == "2024年10月25日"
    rows = [[cell.text_content().strip() for cell in tr.xpath("td")] for tr in index.xpath("//section[2]//tbody/tr")]
    assert len(rows) == case.items
    kinds = [row[2] for row in rows]
    titles = " ".join(row[3] for row in rows)
    for event in app.events.all():  # every event has its line
        assert event.get_kind_display() in titles
    assert kinds.count("办理事项") == app.events.count()
    assert {"答复告知书（网页）", "答复告知书（DOCX）", "征求第三方意见书（DOCX）", "申请人提交的文件", "公开的信息",
            "操作留痕（审计日志）"} <= set(kinds)
    reply_row = next(row for row in rows if row[2] == "答复告知书（DOCX）")
    assert reply_row[1] == "2024-10-25"
    # Each line's link points at a file in the ZIP; each file is listed with its SHA-256.
    for link in index.xpath("//section[2]//a/@href"):
        assert link.split("#")[0] in names
    for row in index.xpath("//section[3]//tbody/tr"):
        name, size, digest = (cell.text_content().strip() for cell in row.xpath("td"))
        assert hashlib.sha256(files[folder + name]).hexdigest() == digest and int(size) == len(files[folder + name])
    # Built by the system, audited with its hash.
    entry = AuditEntry.objects.filter(action="application.case_file").get()
    assert entry.detail["sha256"] == case.sha256 and entry.actor == "system"


def test_the_build_waits_for_the_commit_and_an_open_application_has_none(org_tree, people, stored):
    county = org_tree["county"]
    app, _ = services.register(county, PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 9, 27))
    # Not captured: the test's transaction never commits, so nothing is built.
    services.reply(app, user=people["handler"], outcome="not_exist", on=D(2024, 10, 9))
    assert not CaseFile.objects.exists()
    other, _ = services.register(county, PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 9, 27))
    with pytest.raises(ValidationError, match="尚未办结"):
        casefile.build(other)
    assert tasks.build_case_file.enqueue(other.pk).return_value["skipped"]
    assert not CaseFile.objects.exists()


def test_a_rebuild_replaces_the_file_and_keeps_one_row(org_tree, people, stored, django_capture_on_commit_callbacks):
    app = closed(org_tree["county"], people, django_capture_on_commit_callbacks)
    first = CaseFile.objects.get(application=app)
    storage = first.file.storage
    old_name = first.file.name
    services.record_review_case(user=people["handler"], organisation=app.organisation, kind="reconsideration",
                                filed_on=D(2024, 11, 20), application=app, note="申请人不服答复")
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.build_case_file.enqueue(app.pk).return_value
    assert CaseFile.objects.filter(application=app).count() == 1
    case = CaseFile.objects.get(application=app)
    assert case.pk == first.pk and case.file.name != old_name
    assert not storage.exists(old_name) and storage.exists(case.file.name)
    data = stored_bytes(case)
    assert result["sha256"] == case.sha256 == hashlib.sha256(data).hexdigest()
    assert case.items == first.items + 1  # the reconsideration is on the index now
    index = next(v for k, v in members(data).items() if k.endswith("/index.html")).decode("utf-8")
    assert "行政复议" in index and "申请人不服答复" in index
    assert AuditEntry.objects.filter(action="application.case_file").count() == 2


def test_retention_per_organisation_inherited_and_per_application(org_tree, people, stored,
                                                                   django_capture_on_commit_callbacks):
    county, city = org_tree["county"], org_tree["city"]
    assert casefile.retention_for(county) == (casefile.DEFAULT_RETENTION_YEARS, None)
    # The city's office sets 30 years: the county below inherits it.
    casefile.set_organisation_retention(city, "30", user=people["city_head"])
    assert casefile.retention_for(county) == (30, city)
    app = closed(county, people, django_capture_on_commit_callbacks)
    case = CaseFile.objects.get(application=app)
    assert (case.retention_years, case.retain_until) == (30, D(2054, 12, 31))
    index = next(v for k, v in members(stored_bytes(case)).items() if k.endswith("/index.html")).decode("utf-8")
    assert "30年" in index and "2054年12月31日" in index

    # The county's own setting wins for what it archives next; 0 is permanent.
    casefile.set_organisation_retention(county, 0, user=people["head"])
    assert casefile.retention_for(county) == (0, county)
    # One application's retention, set by its handler at archive time, stays through rebuilds.
    casefile.set_retention(app, "15", user=people["handler"])
    with django_capture_on_commit_callbacks(execute=True):
        casefile.build(app)
    case.refresh_from_db()
    assert (case.retention_years, case.retain_until) == (15, D(2039, 12, 31))
    casefile.set_retention(app, 0, user=people["handler"])
    case.refresh_from_db()
    assert (case.retention_years, case.retain_until) == (0, None)

    # Refusals: the rule in words, nothing written.
    with pytest.raises(PermissionDenied):
        casefile.set_organisation_retention(county, 5, user=people["handler"])
    with pytest.raises(PermissionDenied):
        casefile.set_organisation_retention(city, 5, user=people["head"])  # the county's office is below the city
    with pytest.raises(PermissionDenied):
        casefile.set_retention(app, 5, user=people["outsider"])
    for bad in ("abc", "101", "-1", "", "1.5", "１０"):
        with pytest.raises(ValidationError) as refused:
            casefile.set_retention(app, bad, user=people["handler"])
        assert casefile.RETENTION_RULE in refused.value.message_dict["retention_years"]
    fresh, _ = services.register(county, PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 9, 27))
    with pytest.raises(ValidationError, match="办结后"):
        casefile.set_retention(fresh, 10, user=people["handler"])
    assert not CaseFile.objects.filter(application=fresh).exists()
    case.refresh_from_db()
    assert case.retention_years == 0
    # Removing the county's setting inherits the city's again.
    casefile.set_organisation_retention(county, None, user=people["head"])
    assert casefile.retention_for(county) == (30, city)


def test_download_only_for_the_receiving_organisations_staff_and_audited(org_tree, people, stored, client,
                                                                         django_capture_on_commit_callbacks):
    app = closed(org_tree["county"], people, django_capture_on_commit_callbacks)
    case = CaseFile.objects.get(application=app)
    url = reverse("applications_staff:case_file", args=[app.pk])

    client.force_login(people["handler"])
    page = client.get(reverse("applications_staff:detail", args=[app.pk]))
    assert url in page.content.decode() and case.sha256 in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == stored_bytes(case)
    entry = AuditEntry.objects.get(action="application.case_file_download")
    assert (entry.actor, entry.object_id, entry.detail["sha256"]) == ("chengban", str(app.pk), case.sha256)

    # Another organisation's handler, a drafter: no such application for them.
    for who in ("outsider", "drafter"):
        client.force_login(people[who])
        assert client.get(url).status_code == 404
    # The city's office supervises the county's applications but not its applicants' data.
    client.force_login(people["city_head"])
    assert client.get(reverse("applications_staff:detail", args=[app.pk])).status_code == 200
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert AuditEntry.objects.filter(action="application.case_file_download").count() == 1


def test_archive_again_from_the_page_with_another_retention(org_tree, people, stored, client,
                                                            django_capture_on_commit_callbacks):
    app = closed(org_tree["county"], people, django_capture_on_commit_callbacks)
    first = CaseFile.objects.get(application=app)
    url = reverse("applications_staff:case_file_build", args=[app.pk])
    client.force_login(people["handler"])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"retention_years": "30"}, follow=True)
    assert "保管期限已改为30年" in response.content.decode()
    case = CaseFile.objects.get(application=app)
    assert (case.retention_years, case.retain_until) == (30, D(2054, 12, 31)) and case.sha256 != first.sha256
    response = client.post(url, {"retention_years": "永久"}, follow=True)
    assert casefile.RETENTION_RULE in response.content.decode()
    assert CaseFile.objects.get(application=app).retention_years == 30
    client.force_login(people["outsider"])
    assert client.post(url, {"retention_years": "1"}).status_code == 404
    assert CaseFile.objects.get(application=app).retention_years == 30


def test_office_sets_retention_on_its_page(org_tree, people, client):
    url = reverse("applications_staff:case_retention")
    client.force_login(people["handler"])
    assert client.get(url).status_code == 403
    client.force_login(people["head"])
    page = client.get(url).content.decode()
    assert "西昌市人民政府" in page and "凉山彝族自治州人民政府" not in page  # the county's office and those below
    response = client.post(url, {"org": org_tree["county"].pk, "years": "30"}, follow=True)
    assert "已设为30年" in response.content.decode()
    assert casefile.retention_for(org_tree["township"]) == (30, org_tree["county"])
    response = client.post(url, {"org": org_tree["county"].pk, "years": "x"}, follow=True)
    assert casefile.RETENTION_RULE in response.content.decode()
    assert client.post(url, {"org": org_tree["city"].pk, "years": "5"}).status_code == 404


# --- gongkai applications archive ---------------------------------------------------------------

def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("applications", "archive", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_archive_exports_a_years_case_files_building_the_missing_ones(org_tree, people, stored, tmp_path,
                                                                      django_capture_on_commit_callbacks):
    county = org_tree["county"]
    first = closed(county, people, django_capture_on_commit_callbacks)
    # Closed without its hooks running (a worker that was down): no case file yet.
    second, _ = services.register(county, PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 11, 4))
    services.reply(second, user=people["handler"], outcome="not_exist", on=D(2024, 11, 18))
    # Closed another year, and another organisation's: not exported.
    closed(county, people, django_capture_on_commit_callbacks, on=D(2023, 12, 4), replied=D(2023, 12, 20))
    town, _ = services.register(org_tree["township"], PERSON, channel="in_person", user=people["town"],
                                received_on=D(2024, 9, 2))
    services.reply(town, user=people["town"], outcome="not_exist", on=D(2024, 9, 10))
    assert not CaseFile.objects.filter(application=second).exists()

    out, err = run("--org", "西昌市", "--year", "2024", "--out", str(tmp_path / "export"))
    lines = out.splitlines()
    assert lines[0].startswith("[1/2] 西昌市依申〔2024〕1号: stored")
    assert lines[1].startswith("[2/2] 西昌市依申〔2024〕2号: built")
    assert "2 of 2 case files" in lines[-1] and not err
    exported = sorted(p.name for p in (tmp_path / "export").iterdir())
    assert exported == ["SHA256SUMS", "西昌市依申〔2024〕1号案卷.zip", "西昌市依申〔2024〕2号案卷.zip"]
    sums = dict(reversed(line.split("  ")) for line in (tmp_path / "export" / "SHA256SUMS").read_text().splitlines())
    for name, digest in sums.items():
        assert hashlib.sha256((tmp_path / "export" / name).read_bytes()).hexdigest() == digest
    assert sums["西昌市依申〔2024〕1号案卷.zip"] == CaseFile.objects.get(application=first).sha256

    # One ZIP; a stored file that no longer matches its hash is rebuilt.
    case = CaseFile.objects.get(application=second)
    with case.file.storage.open(case.file.name, "wb") as handle:
        handle.write(b"not the case file")
    with django_capture_on_commit_callbacks(execute=True):  # the replaced file goes once the rebuild commits
        out, _ = run("--org", str(county.pk), "--year", "2024", "--out", str(tmp_path / "2024.zip"))
    assert "[2/2] 西昌市依申〔2024〕2号: rebuilt" in out
    with zipfile.ZipFile(tmp_path / "2024.zip") as bundle:
        assert sorted(bundle.namelist()) == ["SHA256SUMS", "西昌市依申〔2024〕1号案卷.zip", "西昌市依申〔2024〕2号案卷.zip"]
        inner = bundle.read("西昌市依申〔2024〕2号案卷.zip")
    assert hashlib.sha256(inner).hexdigest() == CaseFile.objects.get(application=second).sha256
    assert not (tmp_path / "2024.zip.part").exists()


def test_archive_refuses_bad_input_in_plain_words(org_tree, people, tmp_path):
    cases = [
        (("--org", "不存在的机关", "--year", "2024"), "no organisation"),
        (("--org", "西昌市", "--year", "二〇二四"), "YEAR must be a year"),
        (("--org", "西昌市", "--year", "1999"), "give a year from"),
        (("--org", "西昌市", "--year", str(dt.date.today().year + 2)), "has not begun"),
        (("--org", "西昌市", "--year", "2024", "--out", str(tmp_path / "missing" / "out")), "does not exist"),
    ]
    (tmp_path / "a-file").write_text("x")
    cases.append((("--org", "西昌市", "--year", "2024", "--out", str(tmp_path / "a-file")), "is a file"))
    for args, message in cases:
        with pytest.raises(CommandError, match=message) as refused:
            run(*args)
        assert refused.value.returncode == 2
    # Nothing closed that year: said so, nothing written.
    out, _ = run("--org", "西昌市", "--year", "2023", "--out", str(tmp_path / "empty"))
    assert "nothing to export" in out and not (tmp_path / "empty").exists()


def test_notices_and_their_sign_off_go_into_the_case_file(org_tree, people, stored, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from gongkai.applications import notices
    from gongkai.applications.models import NoticeStep

    today = timezone.localdate()
    app, _ = services.register(org_tree["county"], PERSON, channel="in_person", user=people["handler"], received_on=today)
    notice = notices.draft(app, "reply", {"outcome": "disclosed", "provided": PROVIDED}, user=people["handler"])
    notices.sign(notice, user=people["head"])
    with django_capture_on_commit_callbacks(execute=True):
        notices.send(notice, user=people["handler"])
    notice.refresh_from_db()
    case = CaseFile.objects.get(application=app)
    assert case.retain_until == D(today.year + casefile.DEFAULT_RETENTION_YEARS, 12, 31)
    files = members(stored_bytes(case))
    letters = {name.rsplit("/", 1)[-1]: data for name, data in files.items() if notice.number in name}
    assert sorted(name.rsplit(".", 1)[-1] for name in letters) == ["docx", "html"]
    html = next(data for name, data in letters.items() if name.endswith(".html")).decode("utf-8")
    assert notice.number in html and "西发改〔2024〕12号" in html
    index = next(data for name, data in files.items() if name.endswith("/index.html")).decode("utf-8")
    rows = lxml.html.fromstring(index).xpath("//section[2]//tbody/tr")
    signoffs = [row.xpath("string(td[4])") for row in rows if row.xpath("string(td[3])") == "签发记录"]
    steps = NoticeStep.objects.filter(notice=notice).count()
    assert steps >= 3 and len(signoffs) == steps
    assert any("签发（gongkaiban" in line for line in signoffs) and any("发出（chengban" in line for line in signoffs)
    signoff_page = next(data for name, data in files.items() if name.endswith("告知书签发记录.html")).decode("utf-8")
    assert "gongkaiban" in signoff_page and notice.number in signoff_page
