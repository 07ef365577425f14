"""Safety and speed of `gongkai import`: every page goes through the privacy
scan and the monitor's tamper checks; a page with findings is imported but
held in review (never public) and listed on the workbench with its findings
masked; a page that fails leaves nothing behind; the writes are in bulk with
one audit entry per page."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, IndexNumberCounter, Relation
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.ingest import services
from gongkai.publishing import findings, privacy, workflow
from gongkai.publishing import services as publishing
from gongkai.publishing.models import PrivacyFinding, ReviewStep
from gongkai.search.services import search
from tests.conftest import REPO, SHARED_SAMPLES
from tests.portal.helpers import parse, text_of

CHONGQING = SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt"
SPAM_MIRROR_NAME = "yichun-2023-annualreport-spammirror.txt"
SPAM = "威廉希尔_威廉博彩app-【中文*官网】"
ID_NUMBER = "51340119800101123" + privacy.id_check_character("51340119800101123")
MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def own_audit_anchors(settings, tmp_path):
    """audit.verify() reads the anchors file: this test's own, not one other tests wrote."""
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"


def spam_mirror() -> Path | None:
    for folder in (REPO / "tests" / "ingest" / "fixtures" / "real", REPO.parent / "shared" / "samples" / "real"):
        if (folder / SPAM_MIRROR_NAME).is_file():
            return folder / SPAM_MIRROR_NAME
    return None


def page(title: str, body: str, *, number: str = "", index: str = "", issuer: str = "西昌市人民政府",
         date: str = "2023-05-06") -> str:
    """A government page as saved text: its metadata block, title, body and signature."""
    lines = [f"索引号：{index}"] if index else []
    lines.append(f"发布机构：{issuer}")
    if number:
        lines.append(f"发文字号：{number}")
    lines += [f"成文日期：{date}", f"发布日期：{date}", title, "各乡镇人民政府，市政府各部门：", body,
              "请各单位认真贯彻执行。", issuer, "2023年5月6日"]
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def result_for(report, path):
    return next(r for r in report.results if r.path == str(path))


CLEAN_BODY = "为深入贯彻落实《中华人民共和国政府信息公开条例》，现就做好2023年政务公开工作通知如下：一、加强主动公开；二、做好依申请公开。"
PERSONAL_BODY = f"申请人李某（公民身份号码{ID_NUMBER}，联系电话{MOBILE}）的政府信息公开申请已按期答复。"


def public_pages(client, doc: Document) -> str:
    """The public catalog, its search and the document's own address as one text."""
    parts = [client.get(reverse("portal:catalog")).content.decode(),
             client.get(reverse("portal:search"), {"q": "西昌市"}).content.decode()]
    by_id = client.get(reverse("portal:document_by_id", args=[doc.pk]), follow=True)
    parts.append(str(by_id.status_code))
    if doc.index_number:
        parts.append(str(client.get(reverse("portal:document", args=[doc.index_number])).status_code))
    parts.append(client.get(reverse("portal:home")).content.decode())
    return "\n".join(parts)


# ---------------------------------------------------------------- personal data


def test_page_with_an_id_number_and_a_mobile_is_held_and_the_numbers_never_public(org_tree, tmp_path, client, capsys):
    path = write(tmp_path, "personal.txt", page("西昌市人民政府关于2023年政府信息公开申请办理情况的通报", PERSONAL_BODY,
                                               number="西府发〔2023〕31号"))
    call_command("import", str(path), "--org", str(org_tree["county"].pk), "--json")  # no failure: no exit
    out, err = capsys.readouterr()
    [row] = json.loads(out)
    assert row["status"] == "held"
    kinds = {f["kind"]: f for f in row["findings"]}
    assert set(kinds) == {"id_card", "mobile"}
    assert kinds["id_card"]["text"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert kinds["mobile"]["text"] == "139****5678" and kinds["mobile"]["place"] == "body"
    assert ID_NUMBER not in out + err and MOBILE not in out + err
    assert "held for review" in err

    doc = Document.objects.get()
    assert (doc.status, doc.review_level, doc.is_public) == (workflow.REVIEW, 1, False)
    assert doc.index_number is None  # given only on publication
    # The workflow's own findings, open: the reviewers mask or waive them.
    stored = PrivacyFinding.objects.filter(document=doc, state=PrivacyFinding.State.OPEN)
    assert sorted(stored.values_list("kind", flat=True)) == ["id_card", "mobile"]
    assert findings.blocking_message(doc)
    step = ReviewStep.objects.get(document=doc)
    assert (step.action, step.from_state, step.to_state, step.actor) == ("submit", "draft", "review", None)
    assert "居民身份证号码" in step.comment and ID_NUMBER not in step.comment
    # Nothing public: catalog, search, the document's address.
    text = public_pages(client, doc)
    assert doc.title not in text and ID_NUMBER not in text and MOBILE not in text
    assert "404" in text
    assert search("政府信息公开申请办理情况").total == 0
    # The audit log names the findings masked only.
    entry = AuditEntry.objects.get(object_type="document", object_id=str(doc.pk))
    assert entry.action == "document.create" and ID_NUMBER not in json.dumps(entry.detail, ensure_ascii=False)
    assert {f["kind"] for f in entry.detail["held"]} == {"id_card", "mobile"}


def test_id_number_in_the_title_holds_the_page(org_tree, tmp_path):
    path = write(tmp_path, "title.txt", page(f"关于{ID_NUMBER}同志任职的通知", CLEAN_BODY))
    result = services.import_paths([path], organisation=org_tree["county"]).results[0]
    assert result.status == services.HELD
    assert ("id_card", "title") in [(f.kind, f.place) for f in result.findings]
    assert not Document.objects.get().is_public


def test_clean_page_is_published_as_before(org_tree, tmp_path, client):
    path = write(tmp_path, "clean.txt", page("西昌市人民政府关于做好2023年政务公开工作的通知", CLEAN_BODY, number="西府发〔2023〕12号"))
    result = services.import_paths([path], organisation=org_tree["county"]).results[0]
    assert (result.status, result.findings) == (services.CREATED, [])
    doc = Document.objects.get()
    assert doc.is_public and doc.index_number == "115134010087654321/2023-00001"
    assert not ReviewStep.objects.filter(document=doc).exists()
    assert doc.title in client.get(reverse("portal:catalog")).content.decode()
    assert search("政务公开工作").total == 1


# ---------------------------------------------------------------- tampered pages


SPAM_VARIANTS = {
    # the gambling brand where the place name belongs, in the title
    "title": ("西昌市" + SPAM + "2023年政府信息公开工作年度报告", CLEAN_BODY),
    # the spam mirror's rewrite in the body, several times
    "body": ("西昌市2023年政府信息公开工作年度报告",
             (f"全面落实国家、省{SPAM}关于深化政务公开工作的系列决策部署，切实发挥优{SPAM}的职能作用。"
              f"如对本报告有任何疑问，请与{SPAM}办公室联系。")),
    # a heavy gambling phrase injected into a sentence
    "phrase": ("西昌市关于推进政务公开标准化规范化的通知", "各单位要深化澳门新葡京娱乐场真人荷官在线发牌的政务公开标准化规范化工作。"),
    # an organisation's name rewritten (black-hat SEO)
    "organ": ("西昌市关于做好防汛工作的通知", "请与西昌市AG真人娱乐人民政府办公室联系，做好防汛工作。AG真人娱乐政府要求各部门落实责任。"),
}


@pytest.mark.parametrize("variant", sorted(SPAM_VARIANTS))
def test_spam_rewritten_page_is_held_and_nothing_injected_is_public(org_tree, tmp_path, client, variant):
    title, body = SPAM_VARIANTS[variant]
    path = write(tmp_path, f"{variant}.txt", page(title, body))
    result = services.import_paths([path], organisation=org_tree["county"]).results[0]
    assert result.status == services.HELD, [f.as_dict() for f in result.findings]
    tampered = [f for f in result.findings if f.kind in services.TAMPER_LABELS]
    assert tampered
    if variant == "title":
        assert any(f.place == services.TITLE for f in tampered)
    doc = Document.objects.get(pk=result.document_id)
    assert not doc.is_public and doc.status == workflow.REVIEW
    step = ReviewStep.objects.get(document=doc)
    assert step.comment.startswith(services.HOLD_COMMENT) and services.TAMPER_LABELS[tampered[0].kind] in step.comment
    text = public_pages(client, doc)
    for injected in ("威廉", "博彩", "新葡京", "AG真人"):
        assert injected not in text
    assert doc.title not in text
    assert search("威廉希尔").total == search("新葡京").total == search("AG真人").total == 0


def test_the_real_spam_mirror_never_becomes_public(org_tree, tmp_path, client):
    mirror = spam_mirror()
    if mirror is None:
        pytest.skip("the spam mirror sample is not beside this clone")
    text = mirror.read_text(encoding="utf-8")
    # As saved, and with the title and metadata block a full page has.
    plain = write(tmp_path, "mirror.txt", text)
    titled = write(tmp_path, "mirror-titled.txt",
                   "发布机构：西昌市人民政府\n发布日期：2024-01-20\n宜春市2023年政府信息公开工作年度报告\n" + text)
    report = services.import_paths([plain, titled], organisation=org_tree["county"])
    assert result_for(report, titled).status == services.HELD
    assert any(f.kind in services.TAMPER_LABELS for f in result_for(report, titled).findings)
    assert result_for(report, plain).status in (services.HELD, services.FAILED)  # never created
    assert not Document.objects.filter(status=workflow.PUBLISHED).exists()
    assert "威廉" not in client.get(reverse("portal:catalog")).content.decode()
    assert search("威廉希尔").total == 0


def test_clean_real_pages_are_not_held(org_tree):
    """The shipped real pages: no false alarm on ordinary government text."""
    report = services.import_paths([SHARED_SAMPLES], organisation=org_tree["county"])
    assert [r.status for r in report.results] == [services.CREATED] * 3
    assert all(r.findings == [] for r in report.results)


def test_check_page_text_masks_personal_data_in_tamper_context():
    found = services.check_page_text("关于推进政务公开的通知", f"请联系澳门新葡京真人荷官{MOBILE}办理。")
    assert {f.kind for f in found} >= {"mobile", "injected_text"}
    assert all(MOBILE not in f.text + f.context for f in found)


# ---------------------------------------------------------------- the workbench and the review


def test_held_import_on_the_workbench_with_its_findings_then_reviewed(org_tree, county_staff, tmp_path, client):
    county = org_tree["county"]
    county.review_levels = 1
    county.save()
    personal = write(tmp_path, "personal.txt", page("西昌市人民政府关于政府信息公开申请办理情况的通报", PERSONAL_BODY))
    spam = write(tmp_path, "spam.txt", page(*SPAM_VARIANTS["phrase"]))
    report = services.import_paths([personal, spam], organisation=county)
    assert [r.status for r in report.results] == [services.HELD, services.HELD]
    doc = Document.objects.get(pk=result_for(report, personal).document_id)

    client.force_login(county_staff["reviewer1"])
    response = client.get(reverse("workspace:home"))
    html = response.content.decode()
    panel = text_of(parse(response).get_element_by_id("panel-held_imports"))
    assert "导入暂缓公开（检查发现问题）（2）" in panel
    assert doc.title in panel and "居民身份证号码" in panel and "个人信息待处理2处" in panel
    assert ID_NUMBER[:6] + "********" + ID_NUMBER[-4:] in panel
    assert ID_NUMBER not in html and MOBILE not in html
    assert "疑似" in panel  # the tampered one, named
    # It waits for the first review level as any submitted document does.
    assert doc.title in text_of(parse(response).get_element_by_id("panel-waiting"))

    # The normal review: mask, pass, secrecy, publish.
    assert findings.mask_all(doc, county_staff["reviewer1"]) == 2
    doc = publishing.act(doc, workflow.PASS, user=county_staff["reviewer1"])
    doc = publishing.act(doc, workflow.PASS, user=county_staff["secrecy"])
    doc = publishing.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    assert doc.is_public and ID_NUMBER not in doc.body_text and MOBILE not in doc.body_text
    page_html = client.get(doc.get_absolute_url()).content.decode()
    assert ID_NUMBER[:6] + "********" in page_html and ID_NUMBER not in page_html
    # ... and the other one rejected: stopped, still not public, off the list.
    other = Document.objects.get(pk=result_for(report, spam).document_id)
    publishing.act(other, workflow.STOP, user=county_staff["reviewer1"], comment="页面被篡改，终止发布。")
    client.force_login(county_staff["reviewer1"])
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-held_imports"))
    assert "（0）" in panel
    assert not Document.objects.get(pk=other.pk).is_public


def test_held_imports_follow_organisation_permissions(org_tree, county_staff, make_user, tmp_path, client):
    path = write(tmp_path, "personal.txt", page("西昌市人民政府关于政府信息公开申请办理情况的通报", PERSONAL_BODY))
    services.import_paths([path], organisation=org_tree["county"])
    elsewhere = make_user("elsewhere", (org_tree["department"], "reviewer", 1), (org_tree["department"], "drafter"))
    client.force_login(elsewhere)
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-held_imports"))
    assert "（0）" in panel and "通报" not in panel
    # The office above (the city's administrator reaches the county) sees it.
    office = make_user("city_office", (org_tree["city"], "office_admin"))
    client.force_login(office)
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-held_imports"))
    assert "（1）" in panel and "通报" in panel
    # A publisher takes no part in findings: no such panel.
    client.force_login(county_staff["publisher"])
    assert "panel-held_imports" not in client.get(reverse("workspace:home")).content.decode()


# ---------------------------------------------------------------- atomic per page, in batches


def test_a_page_whose_write_fails_leaves_nothing_and_the_batch_goes_on(org_tree, tmp_path, monkeypatch):
    county = org_tree["county"]
    paths = [
        write(tmp_path, "1.txt", page("西昌市关于第一份文件的通知", CLEAN_BODY, number="西府发〔2023〕1号")),
        write(tmp_path, "2.txt", page("西昌市关于第二份文件的通知", PERSONAL_BODY, number="西府发〔2023〕2号")),
        write(tmp_path, "3.txt", page("西昌市关于第三份文件的通知", CLEAN_BODY + "三、其他。", number="西府发〔2023〕3号")),
    ]
    real = catalog.link_relations

    def fails_for_the_second(doc):
        if "第二份" in doc.title:
            raise ValidationError("模拟写入失败")
        return real(doc)

    monkeypatch.setattr(catalog, "link_relations", fails_for_the_second)
    entries_before = AuditEntry.objects.count()
    report = services.import_paths(paths, organisation=county)
    assert [r.status for r in report.results] == [services.CREATED, services.FAILED, services.CREATED]
    assert report.results[1].error == "模拟写入失败"
    assert not Document.objects.filter(title__contains="第二份").exists()
    assert not ReviewStep.objects.exists() and not PrivacyFinding.objects.exists()
    assert AuditEntry.objects.count() == entries_before + 2
    # The rolled-back page took no index number: none skipped.
    assert sorted(Document.objects.values_list("index_serial", flat=True)) == [1, 2]
    assert IndexNumberCounter.objects.get(organisation=county, year=2023).last_serial == 2
    assert audit.verify().ok


def test_refused_page_in_a_batch_leaves_the_others_alone(org_tree, tmp_path, make_document):
    county = org_tree["county"]
    make_document(county, "已有文件", document_number="西府发〔2023〕7号")
    paths = [
        write(tmp_path, "a.txt", page("西昌市关于甲项工作的通知", CLEAN_BODY, number="西府发〔2023〕8号")),
        write(tmp_path, "b.txt", page("西昌市关于乙项工作的通知", CLEAN_BODY, number="西府发〔2023〕7号")),
        write(tmp_path, "c.txt", page("西昌市关于丙项工作的通知", CLEAN_BODY, number="西府发〔2023〕8号")),
    ]
    report = services.import_paths(paths, organisation=county)
    assert [r.status for r in report.results] == [services.CREATED, services.FAILED, services.FAILED]
    assert "西府发〔2023〕7号" in report.results[1].error and "西府发〔2023〕8号" in report.results[2].error
    assert Document.objects.count() == 2


# ---------------------------------------------------------------- bulk writes, one audit entry per page


def test_one_audit_entry_per_page_lists_its_relations(org_tree, make_document):
    county = org_tree["county"]
    cited = make_document(county, "国务院办公厅关于印发政府网站发展指引的通知", document_number="国办发〔2017〕47号")
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    doc_id = services.import_paths([CHONGQING], organisation=county).results[0].document_id
    entries = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq"))
    assert [(e.action, e.object_id) for e in entries] == [("document.publish", str(doc_id))]
    relations = entries[0].detail["relations"]
    stored = Relation.objects.filter(source_id=doc_id)
    assert len(relations) == stored.count() == 5
    assert {(r["kind"], r["document_number"]) for r in relations} == set(stored.values_list("kind", "target_document_number"))
    assert {"kind": "cites", "title": "国务院办公厅关于印发政府网站发展指引的通知", "document_number": "国办发〔2017〕47号",
            "target": cited.pk} in relations
    assert stored.get(target_document_number="国办发〔2017〕47号").target == cited
    assert audit.verify().ok


def citing_page(n: int, cites: int) -> str:
    body = "".join(f"根据《国务院办公厅关于第{k}项工作的通知》（国办发〔2019〕{k + 1}号），" for k in range(cites))
    return page(f"西昌市关于第{n}项重点工作的通知", body + CLEAN_BODY, number=f"西府发〔2023〕{100 + n}号")


def test_statements_do_not_grow_with_citations(org_tree, tmp_path):
    county = org_tree["county"]
    few = [write(tmp_path, f"few{n}.txt", citing_page(n, 1)) for n in range(5)]
    many = [write(tmp_path, f"many{n}.txt", citing_page(10 + n, 12)) for n in range(5)]
    services.import_paths([write(tmp_path, "warm.txt", citing_page(99, 1))], organisation=county)
    with CaptureQueriesContext(connection) as few_queries:
        report = services.import_paths(few, organisation=county)
    assert report.count(services.CREATED) == 5
    with CaptureQueriesContext(connection) as many_queries:
        report = services.import_paths(many, organisation=county)
    assert report.count(services.CREATED) == 5
    assert Relation.objects.filter(source__title__contains="第10项").count() == 12
    # Sixty more citations cost a few statements of the batch, not several per citation.
    assert len(many_queries) - len(few_queries) <= 3
    assert len(few_queries) / 5 <= 25  # the page-by-page import took about 50


def test_pages_of_one_batch_cite_each_other(org_tree, tmp_path):
    county = org_tree["county"]
    a = write(tmp_path, "a.txt", page("西昌市关于甲的通知", "根据《西昌市关于乙的通知》（西府发〔2023〕42号）执行。", number="西府发〔2023〕41号"))
    b = write(tmp_path, "b.txt", page("西昌市关于乙的通知", "根据《西昌市关于甲的通知》（西府发〔2023〕41号）执行。", number="西府发〔2023〕42号"))
    report = services.import_paths([a, b], organisation=county)
    doc_a, doc_b = (Document.objects.get(pk=r.document_id) for r in report.results)
    assert Relation.objects.get(source=doc_a).target == doc_b
    assert Relation.objects.get(source=doc_b).target == doc_a


def test_reimporting_a_held_page_changes_nothing(org_tree, tmp_path):
    path = write(tmp_path, "personal.txt", page("西昌市人民政府关于政府信息公开申请办理情况的通报", PERSONAL_BODY))
    first = services.import_paths([path], organisation=org_tree["county"]).results[0]
    again = services.import_paths([path, path], organisation=org_tree["county"])
    assert [r.status for r in again.results] == [services.UNCHANGED, services.UNCHANGED]
    assert again.results[0].document_id == first.document_id
    assert Document.objects.count() == ReviewStep.objects.count() == 1


def test_parallel_reading_gives_the_same_report(org_tree, tmp_path):
    paths = [write(tmp_path, f"{n}.txt", citing_page(n, 2)) for n in range(7)]
    paths.append(write(tmp_path, "held.txt", page("西昌市人民政府关于政府信息公开申请办理情况的通报", PERSONAL_BODY)))
    report = services.import_paths(paths, organisation=org_tree["county"], batch_size=3, jobs=2)
    assert [r.path for r in report.results] == [str(p) for p in paths]
    assert [r.status for r in report.results] == [services.CREATED] * 7 + [services.HELD]
    assert report.results[-1].findings
    assert Relation.objects.count() == 14
