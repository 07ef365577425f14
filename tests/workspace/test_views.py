"""The staff workspace through HTTP: sign-in and lockout, the workbench and
its counts, drafting with Chinese messages that name the field, what a
reviewer sees (disclosure ground, wording warnings with their place,
personal data), one-click masking, CSRF, and accessible markup."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.catalog.models import Attachment, Document, Genre
from gongkai.core.models import AuditEntry
from gongkai.publishing import privacy, services, workflow
from gongkai.publishing.models import PrivacyFinding
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


def valid_id(first17="51340119800101123"):
    return first17 + privacy.id_check_character(first17)


def form_data(org, **changes):
    data = {"organisation": org.pk, "title": "关于做好2024年度城乡居民医疗保险参保缴费工作的通知",
            "document_number": "西府发〔2024〕15号", "genre": Genre.objects.get(name="通知").pk, "disclosure": "proactive",
            "body_html": "<p>各乡镇人民政府：现就参保缴费工作通知如下。</p>"}
    data.update(changes)
    return data


def test_login_and_lockout(org_tree, county_staff, settings):
    client = Client()
    page = client.get(reverse("workspace:home"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("workspace:login"))
    response = client.post(reverse("workspace:login"), {"username": "drafter", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    assert "工作台" in client.get(reverse("workspace:home")).content.decode()
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        bad = other.post(reverse("workspace:login"), {"username": "reviewer1", "password": "wrong-password"})
        assert bad.status_code in (200, 429)
    locked = other.post(reverse("workspace:login"), {"username": "reviewer1", "password": PASSWORD})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()


def test_workbench_shows_what_waits_with_counts(org_tree, county_staff, client):
    county = org_tree["county"]
    for n in range(3):
        doc = services.save_draft(None, user=county_staff["drafter"], organisation=county, title=f"关于第{n + 1}批农村危房改造的通知")
        services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    client.force_login(county_staff["reviewer1"])
    tree = parse(client.get(reverse("workspace:home")))
    waiting = tree.get_element_by_id("panel-waiting")
    assert "待我处理（3）" in text_of(waiting) and "第2批" in text_of(waiting)
    client.force_login(county_staff["reviewer2"])
    assert "待我处理（0）" in text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-waiting"))
    # an unrelated organisation's reviewer sees none of them
    from gongkai.core.models import Membership

    Membership.objects.create(user=county_staff["nobody"], organisation=org_tree["department"], role="reviewer", review_level=1)
    client.force_login(county_staff["nobody"])
    assert "待我处理（0）" in client.get(reverse("workspace:home")).content.decode()
    assert client.get(reverse("api:staff_workbench")).json()["counts"]["waiting"] == 0


def test_drafting_through_the_form(org_tree, county_staff, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(county_staff["drafter"])
    county = org_tree["county"]
    response = client.post(reverse("workspace:document_new"), form_data(county))
    doc = Document.objects.get(title__startswith="关于做好2024年度")
    assert response.status_code == 302 and response["Location"] == reverse("workspace:document", args=[doc.pk])
    assert doc.created_by == county_staff["drafter"] and doc.status == "draft"

    before = (Document.objects.count(), AuditEntry.objects.count())
    cases = [
        (form_data(county, title=""), "标题"),
        (form_data(county, title="关于另一件事的通知"), "发文字号"),  # the same number again
        (form_data(county, title="关于X的通知", document_number="", disclosure="withheld"), "法定依据"),
        (form_data(county, title="关于Y的通知", document_number="", attachment=SimpleUploadedFile("x.exe", b"MZ\x90\x00")), "附件类型"),
        (form_data(county, title="关于Z的通知", document_number="", attachment=SimpleUploadedFile("scan.pdf", b"not a pdf")), "不符"),
        (form_data(org_tree["department"], title="越权起草"), "发布机构"),
    ]
    for data, words in cases:
        response = client.post(reverse("workspace:document_new"), data)
        assert response.status_code == 200, words
        alert = text_of(parse(response).xpath("//*[@role='alert']")[0])
        assert words in alert, (words, alert)
    assert (Document.objects.count(), AuditEntry.objects.count()) == before  # nothing half-written
    response = client.post(reverse("workspace:document_new"), form_data(county, title="关于附件的通知", document_number="",
                                                                    attachment=SimpleUploadedFile("名单.txt", "名单".encode())))
    assert response.status_code == 302
    assert Attachment.objects.filter(document__title="关于附件的通知").count() == 1


def test_reviewer_sees_ground_wording_and_personal_data_and_masks_in_one_click(org_tree, county_staff, client):
    county = org_tree["county"]
    number = valid_id()
    doc = services.save_draft(None, user=county_staff["drafter"], organisation=county, title="关于李某某申请政府信息公开的处理情况",
                              disclosure="on_request", disclosure_ground="specific_need",
                              body_html=f"<p>第一段说明。</p><p>申请人李某某（身份证号{number}）来函。按照中华人民共合国有关规定办理。</p>")
    services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    client.force_login(county_staff["reviewer1"])
    page = client.get(reverse("workspace:document", args=[doc.pk]))
    html = page.content.decode()
    assert "仅涉及特定对象，依申请公开（第二十七条）" in html
    wording = text_of(parse(page).xpath("//section[@aria-labelledby='wording-h']")[0])
    assert "正文第2段" in wording and "中华人民共合国" in wording
    found = text_of(parse(page).xpath("//section[@aria-labelledby='privacy-h']")[0])
    assert number not in found and "513401********" in found  # the findings table shows only the masked form
    finding = PrivacyFinding.objects.get(document=doc)
    response = client.post(reverse("workspace:finding", args=[doc.pk, finding.pk]), {"decision": "mask"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert number not in doc.body and PrivacyFinding.objects.get(pk=finding.pk).state == "masked"
    # a reviewer may not waive: the refusal is a 403 page in Chinese
    other = services.save_draft(None, user=county_staff["drafter"], organisation=county, title="处罚决定公示",
                                body_html=f"<p>当事人身份证号{number}。</p>")
    services.act(other, workflow.SUBMIT, user=county_staff["drafter"])
    finding = PrivacyFinding.objects.get(document=other)
    denied = client.post(reverse("workspace:finding", args=[other.pk, finding.pk]),
                         {"decision": "waive", "ground": "punitive", "reason": "行政处罚决定依法公示"})
    assert denied.status_code == 403 and "权限" in denied.content.decode()
    assert PrivacyFinding.objects.get(pk=finding.pk).state == "open"


def test_forms_need_the_csrf_token(org_tree, county_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_staff["drafter"])
    response = client.post(reverse("workspace:document_new"), form_data(org_tree["county"]))
    assert response.status_code == 403 and not Document.objects.exists()


def test_workspace_pages_are_accessible(org_tree, county_staff, client):
    doc = services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于防汛的通知",
                              body_html="<p>做好防汛。</p>")
    pages = []
    for user, url in [("drafter", reverse("workspace:home")), ("drafter", reverse("workspace:documents")),
                      ("drafter", reverse("workspace:document_new")), ("drafter", reverse("workspace:document", args=[doc.pk])),
                      ("office_admin", reverse("workspace:members"))]:
        client.force_login(county_staff[user])
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((url, parse(response)))
    for url, tree in pages:
        assert tree.get("lang") == "zh-CN" and len(tree.xpath("//h1")) == 1, url
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{url}: duplicate ids"
        labelled = set(tree.xpath("//label/@for"))
        for field in tree.xpath("//input | //select | //textarea"):
            if field.get("type") in ("hidden", "submit", "button"):
                continue
            assert field.get("id") in labelled or field.get("aria-label"), f"{url}: {field.get('name')} has no label"
        for table in tree.xpath("//main//table"):
            assert table.xpath("./caption") and all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), url
        # Scripts only from this site's static files (the drafting form's editor), never inline.
        scripts = tree.xpath("//script")
        assert all(s.get("src", "").startswith("/static/") and not (s.text or "").strip() for s in scripts), url
        assert not tree.xpath("//*[@style]"), url


def test_api_writes_need_the_csrf_token(org_tree, county_staff):
    doc = services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于秋冬季防火的通知")
    client = Client(enforce_csrf_checks=True)
    client.force_login(county_staff["drafter"])
    response = client.post(f"/api/staff/documents/{doc.pk}/actions", {"action": "submit"}, content_type="application/json")
    assert response.status_code == 403
    doc.refresh_from_db()
    assert doc.status == "draft"


def test_superuser_flag_changes_are_audited(county_staff):
    from gongkai.core import audit

    user = county_staff["nobody"]
    user.is_superuser = True
    user.save()
    entry = AuditEntry.objects.filter(action="user.flags").latest("seq")
    assert entry.detail["changed"] == ["is_superuser"] and entry.detail["username"] == "nobody"
    user.first_name = "名字"
    user.save()  # not a permission change: no entry
    assert AuditEntry.objects.filter(action="user.flags").count() == 1
    assert audit.verify().ok


def test_workbench_lists_documents_citing_an_abolished_one(org_tree, county_staff, client, make_document, normative):
    from gongkai.catalog import lifecycle
    from gongkai.catalog import services as catalog

    county = org_tree["county"]
    old = make_document(county, "西昌市城市道路管理办法", "第一条 为加强城市道路管理。", genre=normative, document_number="西府发〔2015〕8号")
    citing = make_document(county, "关于做好城市道路占用审批工作的通知", "依据《西昌市城市道路管理办法》办理。")
    catalog.add_relation(citing, "cites", target=old)
    lifecycle.change_validity(old, "abolished", on=None, user=county_staff["publisher"], note="已被新办法取代")
    client.force_login(county_staff["drafter"])
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-cited"))
    assert "（1）" in panel and "关于做好城市道路占用审批工作的通知" in panel and "废止" in panel
    client.force_login(county_staff["nobody"])
    assert "所引用文件已失效或废止（0）" in client.get(reverse("workspace:home")).content.decode()


def test_unreadable_attachments_are_flagged_for_a_person(org_tree, county_staff, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于公示名单的通知")
    services.add_attachment(doc, SimpleUploadedFile("名单扫描件.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), user=county_staff["drafter"])
    client.force_login(county_staff["drafter"])
    section = text_of(parse(client.get(reverse("workspace:document", args=[doc.pk]))).xpath("//section[@aria-labelledby='privacy-h']")[0])
    assert "无法自动检查" in section and "名单扫描件.png" in section


def test_openapi_schema_is_served_and_no_docs_page_loads_a_cdn(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/staff/documents/{pk}/actions" in schema["paths"]
    assert client.get("/api/docs").status_code == 404


def test_wording_dictionary_is_edited_by_the_top_office_and_warns_at_once(org_tree, county_staff, make_user, client):
    from gongkai.core import audit
    from gongkai.publishing.models import WordingRule

    client.force_login(county_staff["drafter"])  # the dictionaries are the offices' (per organisation)
    assert client.get(reverse("workspace:wording")).status_code == 403
    top = make_user("province.office", (org_tree["province"], "office_admin"))
    client.force_login(top)
    assert "中华人民共合国" in client.get(reverse("workspace:wording")).content.decode()
    response = client.post(reverse("workspace:wording"), {"phrase": "", "kind": "error"})
    assert response.status_code == 200 and "词语" in text_of(parse(response).xpath("//*[@role='alert']")[0])
    response = client.post(reverse("workspace:wording"), {"phrase": "西昌市城乡规划局", "kind": "outdated",
                                                          "suggestion": "西昌市自然资源局", "active": "on"})
    assert response.status_code == 302
    rule = WordingRule.objects.get(phrase="西昌市城乡规划局")
    assert AuditEntry.objects.filter(action="wording_rule.create", object_id=str(rule.pk), actor="province.office").exists()
    report = services.wording_report(Document(title="通知", body_text="第一段。\n请向西昌市城乡规划局报送材料。", organisation=org_tree["county"]))
    assert [(w["place"], w["text"], w["suggestion"]) for w in report] == [("正文第2段", "西昌市城乡规划局", "西昌市自然资源局")]
    client.post(reverse("workspace:wording"), {"pk": rule.pk, "phrase": "西昌市城乡规划局", "kind": "outdated"})  # switched off
    assert services.wording_report(Document(title="通知", body_text="请向西昌市城乡规划局报送材料。", organisation=org_tree["county"])) == []
    assert audit.verify().ok


def test_organisation_changes_in_the_admin_are_audited(org_tree, admin_client):
    from gongkai.core import audit

    county = org_tree["county"]
    url = reverse("admin:core_organisation_change", args=[county.pk])
    response = admin_client.post(url, {
        "name": county.name, "short_name": county.short_name, "level": county.level, "parent": county.parent_id,
        "sort_order": county.sort_order, "issuer_code": county.issuer_code, "credit_code": "",
        "index_prefix": county.index_prefix, "review_levels": 2,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    county.refresh_from_db()
    assert county.review_levels == 2
    entry = AuditEntry.objects.get(action="organisation.edit", object_id=str(county.pk))
    assert entry.detail["changed"] == ["review_levels"] and entry.before_hash != entry.after_hash
    assert audit.verify().ok


def test_workbench_lists_applications_by_due_date_for_handlers(org_tree, make_user, client):
    import datetime as dt

    from gongkai.applications import services as applications

    handler = make_user("chengban", (org_tree["county"], "handler"))
    data = {"applicant_type": "natural", "applicant_name": "王小明", "id_document": "身份证 51340119900101123X",
            "phone": "13812345678", "info_title": "道路改造批复", "form": "electronic", "delivery": "email"}
    late, _ = applications.register(org_tree["county"], data, channel="in_person", user=handler, received_on=dt.date(2024, 9, 27))
    client.force_login(handler)
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-applications"))
    assert late.number in panel and "已超期" in panel and "王小明" in panel
