"""The open data: the public API, the feeds, the sitemap and the bulk files.

The walk at the top is the promise of the issue: an anonymous caller who
follows every public endpoint (every id, every page of every list), every
feed, every sitemap section and every bulk file finds nothing that is not
public — no draft, no document disclosed only on request or withheld, no
applicant — and a withdrawn document answers 410 with its withdrawal date."""

import csv
import datetime as dt
import io
import json
import re

import feedparser
import pytest
from django.test import Client, override_settings

from gongkai.applications import services as applications
from gongkai.catalog import export, services as catalog
from gongkai.catalog.models import Document, Relation
from gongkai.core.statute import ON_REQUEST_GROUNDS, WITHHOLDING_GROUNDS
from gongkai.guides.models import ServiceGuide
from gongkai.interaction import ticket_services as tickets
from gongkai.interaction.models import Consultation, ConsultationComment, FeedbackItem, Ticket
from gongkai.reports import annual
from gongkai.reports.models import AnnualReport
from tests.interaction.tickets_helpers import SHANGHAI, county_world, letter  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET_TITLE = "关于内部草稿机密事项的请示"
ON_REQUEST_TITLE = "依申请公开的征地补偿明细表"
WITHHELD_TITLE = "不予公开的安全生产检查记录"
APPLICANT = {
    "applicant_type": "natural", "applicant_name": "欧阳晓燕", "id_document": "居民身份证 513401199001011234",
    "phone": "13812345678", "email": "oyxy@example.com", "address": "四川省西昌市胜利路1号3栋2单元501室",
    "info_title": "申请人想要的某项批准文件", "info_number": "", "info_description": "",
    "form": "electronic", "delivery": "email",
}
SECRETS = [SECRET_TITLE, ON_REQUEST_TITLE, WITHHELD_TITLE, "欧阳晓燕", "513401199001011234", "13812345678",
           "oyxy@example.com", "申请人想要的某项批准文件", "3栋2单元501室"]


@pytest.fixture
def catalog_with_secrets(org_tree, make_document):
    county = org_tree["county"]
    public = [make_document(county, f"西昌市关于做好第{i}批农村公路养护工作的通知", body="农村公路养护。",
                            document_number=f"西府发〔2024〕{i}号") for i in range(1, 8)]
    make_document(org_tree["province"], "四川省关于加强森林防火的意见", body="森林防火。",
                  published_date=dt.date(2023, 5, 6))
    make_document(county, SECRET_TITLE, body="草稿。", publish=False)
    make_document(county, ON_REQUEST_TITLE, body="明细。", disclosure=Document.Disclosure.ON_REQUEST,
                  disclosure_ground=ON_REQUEST_GROUNDS[0][0])
    make_document(county, WITHHELD_TITLE, body="记录。", disclosure=Document.Disclosure.WITHHELD,
                  disclosure_ground=WITHHOLDING_GROUNDS[0][0])
    withdrawn = make_document(county, "已撤回的关于调整停车收费标准的通知", body="收费。")
    catalog.withdraw_document(withdrawn, reason="内容有误")
    # A public document citing the draft: the relation must not reveal it.
    Relation.objects.create(source=public[0], kind="cites", target=Document.objects.get(title=SECRET_TITLE),
                            target_title="")
    applications.submit_online(county, APPLICANT)
    return {"public": public, "withdrawn": Document.objects.get(pk=withdrawn.pk)}


# Tickets, consultations and annual reports: what the public sees of them, and
# what it never does (writers, commenters, letters not published, 举报 and
# confidential letters, drafts, comments not shown, reports not public).
WRITER = {"writer_name": "司马小明", "writer_phone": "13700001111", "writer_email": "simaxm@example.com",
          "writer_address": "西昌市航天大道一段88号"}
PUBLISHED_SUBJECT = "小区旁工地夜间施工噪声扰民"
INTERNAL_NOTE = "内部备注：该诉求人多次来电，请优先处理"
UNPUBLISHED_SUBJECT = "答复了但未公开的来信标题"
PENDING_SUBJECT = "待审核公开的来信标题"
CONFIDENTIAL_SUBJECT = "要求保密的来信公开标题"
REPORT_SUBJECT = "举报某企业偷排污水的来信公开标题"
DRAFT_CONSULTATION = "尚未发布的征集草稿标题"
COMMENTER, COMMENTER_CONTACT = "评论人上官燕", "13900002222"
COMMENT_TEXT = "原文：我是上官燕，电话13900002222，建议犬绳不超过1.5米"
PENDING_COMMENT, HIDDEN_COMMENT = "尚未审核的一条意见内容", "不予显示的广告意见内容"
UNPUBLISHED_FEEDBACK = "反馈文件尚未公开时的归纳意见"
FEEDBACK_SUMMARY = "建议明确犬绳长度并增加粪便清理义务"
DRAFT_REPORT_TITLE = "西昌市安宁镇人民政府2023年政府信息公开工作年度报告"
IN_REVIEW_REPORT_TITLE = "四川省人民政府2023年政府信息公开工作年度报告"
PUBLIC_REPORT_TITLE = "西昌市人民政府2023年政府信息公开工作年度报告"
PLANTED_FIGURE = 987654321
INTERACTION_SECRETS = [*WRITER.values(), INTERNAL_NOTE, UNPUBLISHED_SUBJECT, PENDING_SUBJECT, CONFIDENTIAL_SUBJECT,
                       REPORT_SUBJECT, DRAFT_CONSULTATION, COMMENTER, COMMENTER_CONTACT, COMMENT_TEXT, PENDING_COMMENT,
                       HIDDEN_COMMENT, UNPUBLISHED_FEEDBACK, DRAFT_REPORT_TITLE, IN_REVIEW_REPORT_TITLE,
                       str(PLANTED_FIGURE)]


def _answered(w, subject, **extra):
    """A letter received on 2024-05-06, dispatched (with an internal note) and answered."""
    text = f"航天大道某工地连续一周在晚上十一点后施工，请查处。联系人{WRITER['writer_name']}，电话{WRITER['writer_phone']}。"
    ticket, _ = tickets.submit_online(w["county"], letter(subject=subject, text=text, **WRITER, **extra),
                                      now=dt.datetime(2024, 5, 6, 10, tzinfo=SHANGHAI))
    tickets.dispatch(ticket, to=w["housing"], user=w["operator"], note=INTERNAL_NOTE)
    tickets.reply(ticket, user=w["housing_handler"],
                  text=f"{WRITER['writer_name']}您好，已责令停止夜间施工。电话{WRITER['writer_phone']}。")
    return Ticket.objects.get(pk=ticket.pk)


def _forced_public(ticket, subject):
    """A row that says published although the services never would publish it."""
    Ticket.objects.filter(pk=ticket.pk).update(publication=Ticket.Publication.PUBLISHED, public_subject=subject,
                                               public_text=subject, public_reply=subject,
                                               published_on=dt.date(2024, 5, 20))


@pytest.fixture
def interaction_with_secrets(county_world, make_document, time_machine):
    w, county = county_world, county_world["county"]
    time_machine.move_to(dt.datetime(2024, 5, 13, 10, tzinfo=SHANGHAI), tick=False)
    shown = _answered(w, PUBLISHED_SUBJECT)
    tickets.prepare_publication(shown, user=w["housing_handler"])
    shown.refresh_from_db()
    shown = tickets.approve_publication(shown, user=w["head"], subject=shown.public_subject, text=shown.public_text,
                                        reply_text=shown.public_reply)
    _answered(w, UNPUBLISHED_SUBJECT)
    pending = _answered(w, "另一封来信")
    tickets.prepare_publication(pending, user=w["housing_handler"])
    Ticket.objects.filter(pk=pending.pk).update(public_subject=PENDING_SUBJECT)
    _forced_public(_answered(w, "保密来信", confidential=True), CONFIDENTIAL_SUBJECT)
    _forced_public(_answered(w, "举报来信", ticket_type="report"), REPORT_SUBJECT)
    _forced_public(_answered(w, "不同意公开的来信", consent_publish=False), "不同意公开的来信公开标题")
    time_machine.move_to(dt.datetime(2025, 3, 3, 10, tzinfo=SHANGHAI), tick=False)

    def consultation(title, state, **extra):
        return Consultation.objects.create(
            organisation=county, title=title, draft_title="西昌市城市养犬管理办法（征求意见稿）",
            draft_text="第一条 为规范养犬行为，制定本办法。", explanation="一、起草背景。", opens_on=dt.date(2025, 1, 6),
            closes_on=dt.date(2025, 2, 6), state=state, **extra)

    def comment(c, serial, state, text, public_text, item=None):
        return ConsultationComment.objects.create(consultation=c, serial=serial, name=COMMENTER,
                                                  contact=COMMENTER_CONTACT, text=text, public_text=public_text,
                                                  state=state, item=item,
                                                  submitted_at=dt.datetime(2025, 1, 10, 9, tzinfo=SHANGHAI))

    consultation(DRAFT_CONSULTATION, Consultation.State.DRAFT)
    feedback_doc = make_document(county, "关于《西昌市城市养犬管理办法（征求意见稿）》公开征求意见采纳情况的反馈",
                                 body="采纳情况。")
    closed = consultation("关于公开征求《西昌市城市养犬管理办法（征求意见稿）》意见的公告", Consultation.State.CLOSED,
                          feedback_document=feedback_doc, feedback_note="另通过信函收到意见1条，已一并研究。")
    item = FeedbackItem.objects.create(consultation=closed, summary=FEEDBACK_SUMMARY, decision="adopted",
                                       reason="已修改第二条。")
    comment(closed, 1, ConsultationComment.State.SHOWN, COMMENT_TEXT, "建议犬绳不超过1.5米", item=item)
    comment(closed, 2, ConsultationComment.State.PENDING, PENDING_COMMENT, PENDING_COMMENT)
    comment(closed, 3, ConsultationComment.State.HIDDEN, HIDDEN_COMMENT, HIDDEN_COMMENT)
    unfinished = consultation("关于公开征求《西昌市停车管理办法（征求意见稿）》意见的公告", Consultation.State.CLOSED,
                              feedback_document=make_document(county, "停车管理办法意见采纳情况反馈（草稿）",
                                                              publish=False))
    FeedbackItem.objects.create(consultation=unfinished, summary=UNPUBLISHED_FEEDBACK, decision="partly", reason="部分。")

    figures = annual.frozen_figures(annual.assemble(county, 2023))
    report = AnnualReport.objects.create(organisation=county, year=2023, state=AnnualReport.State.PUBLISHED,
                                         published_figures=figures,
                                         document=make_document(county, PUBLIC_REPORT_TITLE, body="年度报告。"))
    planted = annual.frozen_figures(annual.assemble(w["province"], 2023))
    planted["stated"]["table4"]["review.maintained"] = PLANTED_FIGURE
    AnnualReport.objects.create(organisation=w["province"], year=2023, state=AnnualReport.State.PUBLISHED,
                                published_figures=planted,
                                document=make_document(w["province"], IN_REVIEW_REPORT_TITLE, publish=False))
    AnnualReport.objects.create(organisation=w["township"], year=2023, overview="草稿。")
    time_machine.move_to(dt.datetime(2025, 3, 4, 10, tzinfo=SHANGHAI), tick=True)
    return {"ticket": Ticket.objects.get(pk=shown.pk), "consultation": closed, "report": report,
            "hidden_tickets": list(Ticket.objects.exclude(pk=shown.pk)),
            "hidden_consultations": list(Consultation.objects.exclude(pk=closed.pk)),
            "hidden_reports": list(AnnualReport.objects.exclude(pk=report.pk))}


def _ids(model_qs):
    return list(model_qs.values_list("pk", flat=True))


def _walk_api(client: Client) -> list[tuple[str, int, str]]:
    """Every GET under /api/public/ in the schema: lists followed page by page
    to their end, item endpoints with every id of every model."""
    schema = client.get("/api/openapi.json").json()
    seen = []
    ids = sorted(set(_ids(Document.objects.all()) + _ids(ServiceGuide.objects.all()) + _ids(Ticket.objects.all())
                     + _ids(Consultation.objects.all()) + _ids(AnnualReport.objects.all()))) + [10**6]
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/public/") or "get" not in operations:
            continue
        if "{pk}" in path:
            urls = [path.replace("{pk}", str(pk)) for pk in ids]
        elif path.endswith("/search"):
            urls = [f"{path}?q={words}" for words in ("通知", "机密事项", "征地补偿", "安全生产检查", "批准文件", "欧阳")]
        else:
            urls = [f"{path}?page_size=2" if "cursor" in json.dumps(operations["get"]) else path]
        for url in urls:
            while url:
                response = client.get(url)
                body = response.content.decode("utf-8")
                seen.append((url, response.status_code, json.dumps(json.loads(body), ensure_ascii=False)))
                url = None
                if response.status_code == 200 and isinstance(response.json(), dict):
                    url = response.json().get("next")
    return seen


def test_an_anonymous_walk_of_all_open_data_finds_nothing_private(catalog_with_secrets, interaction_with_secrets,
                                                                   client):
    walked = _walk_api(client)
    assert any("/documents?" in url for url, _, _ in walked)
    # The list was followed through several pages (7 + 1 public, page size 2).
    assert sum(1 for url, _, _ in walked if "/documents?" in url) >= 4
    for path in ["/feeds/latest.atom", *(f"/feeds/org/{pk}.atom" for pk in range(1, 7)), "/sitemap.xml",
                 "/sitemap-documents.xml", "/sitemap-pages.xml", "/sitemap-guides.xml", "/robots.txt", "/data/"]:
        response = client.get(path)
        walked.append((path, response.status_code, response.content.decode("utf-8")))
    export.publish()
    manifest = client.get("/data/manifest.json").json()
    for entry in manifest["files"]:
        for info in entry["files"].values():
            response = client.get(f"/data/{info['path']}")
            assert response.status_code == 200
            walked.append((info["path"], 200, b"".join(response.streaming_content).decode("utf-8-sig")))
    tracking = list(Ticket.objects.values_list("tracking_hash", flat=True))
    for url, status, body in walked:
        assert status < 500, url
        for secret in SECRETS + INTERACTION_SECRETS + tracking:
            assert secret not in body, (url, secret)
    public_titles = [doc.title for doc in catalog_with_secrets["public"]]
    everything = "\n".join(body for _, _, body in walked)
    assert all(title in everything for title in public_titles)  # the walk did reach the public documents
    # ... and the published letter, consultation with its feedback, and annual report.
    for shown in (PUBLISHED_SUBJECT, "联系人司某某", interaction_with_secrets["consultation"].title,
                  FEEDBACK_SUMMARY, PUBLIC_REPORT_TITLE, '"table4"'):
        assert shown in everything, shown


def test_published_letters_masked_filtered_and_nothing_else(interaction_with_secrets, county_world, client):
    shown, w = interaction_with_secrets["ticket"], county_world
    listed = client.get("/api/public/tickets").json()
    assert [item["id"] for item in listed["results"]] == [shown.pk]
    item = listed["results"][0]
    assert item == client.get(f"/api/public/tickets/{shown.pk}").json()
    assert (item["subject"], item["type"], item["type_label"]) == (PUBLISHED_SUBJECT, "complaint", "投诉")
    assert item["received_on"] == "2024-05-06" and item["replied_on"] == "2024-05-13"
    assert item["replied_by"] == {"id": w["housing"].pk, "name": "西昌市住房和城乡建设局"}
    assert "司某某" in item["question"] and "137****1111" in item["reply"]
    assert item["url"] == f"/interact/letters/{shown.pk}/"
    assert set(item) == {"id", "type", "type_label", "subject", "question", "reply", "received_on", "replied_on",
                         "replied_by", "published_on", "url"}
    for query, expected in [(f"org={w['county'].pk}", [shown.pk]), (f"org={w['housing'].pk}", [shown.pk]),
                            (f"org={w['township'].pk}", []), ("type=complaint", [shown.pk]), ("type=consult", []),
                            ("year=2024", [shown.pk]), ("year=2023", []),
                            (f"org={w['housing'].pk}&year=2024&type=complaint", [shown.pk])]:
        assert [i["id"] for i in client.get(f"/api/public/tickets?{query}").json()["results"]] == expected, query
    # 举报 are never published: not even a type to ask for.
    for bad in ("type=report", "type=x", "year=24", "org=0"):
        assert client.get(f"/api/public/tickets?{bad}").status_code == 422, bad
    for hidden in interaction_with_secrets["hidden_tickets"]:
        answer = client.get(f"/api/public/tickets/{hidden.pk}")
        assert answer.status_code == 404 and answer.json()["detail"] == "没有这封公开信件。"


def test_a_letter_withdrawn_from_the_public_list_leaves_the_cached_api_at_once(interaction_with_secrets, county_world,
                                                                                client):
    shown, w = interaction_with_secrets["ticket"], county_world
    assert client.get("/api/public/tickets").json()["results"]  # now cached
    assert client.get(f"/api/public/tickets/{shown.pk}").status_code == 200
    tickets.withdraw_publication(shown, user=w["head"], reason="诉求人要求撤下")
    assert client.get("/api/public/tickets").json()["results"] == []
    assert client.get(f"/api/public/tickets/{shown.pk}").status_code == 404


def test_consultations_once_published_with_feedback_once_public(interaction_with_secrets, org_tree, client):
    closed = interaction_with_secrets["consultation"]
    listed = client.get("/api/public/consultations").json()["results"]
    unfinished = [c for c in interaction_with_secrets["hidden_consultations"] if c.state != Consultation.State.DRAFT]
    assert [item["id"] for item in listed] == sorted([closed.pk, *(c.pk for c in unfinished)], reverse=True)
    detail = client.get(f"/api/public/consultations/{closed.pk}").json()
    assert detail["state"] == "closed" and detail["draft_text"].startswith("第一条")
    assert detail["url"] == f"/interact/consultations/{closed.pk}/" and detail["feedback_published"] is True
    feedback = detail["feedback"]
    assert feedback["totals"] == {"comments": 1, "items": 1, "adopted": 1, "partly": 0, "not_adopted": 0}
    assert feedback["rows"] == [{"number": 1, "summary": FEEDBACK_SUMMARY, "decision": "adopted",
                                 "decision_label": "采纳", "reason": "已修改第二条。"}]
    assert feedback["document"]["url"] == closed.feedback_document.get_absolute_url() and feedback["decision"] is None
    # Its feedback document still a draft: no feedback at all.
    waiting = client.get(f"/api/public/consultations/{unfinished[0].pk}")
    assert waiting.json()["feedback"] is None and UNPUBLISHED_FEEDBACK not in waiting.content.decode()
    for query, expected in [(f"org={org_tree['county'].pk}", 2), (f"org={org_tree['township'].pk}", 0),
                            ("year=2025", 2), ("year=2024", 0), ("state=closed", 2), ("state=published", 0)]:
        assert len(client.get(f"/api/public/consultations?{query}").json()["results"]) == expected, query
    assert client.get("/api/public/consultations?state=draft").status_code == 422
    draft = Consultation.objects.get(state=Consultation.State.DRAFT)
    assert client.get(f"/api/public/consultations/{draft.pk}").status_code == 404


def test_annual_reports_public_with_the_tables_as_published(interaction_with_secrets, org_tree, client):
    report = interaction_with_secrets["report"]
    listed = client.get("/api/public/annual-reports").json()["results"]
    assert [item["id"] for item in listed] == [report.pk]
    assert listed[0]["title"] == PUBLIC_REPORT_TITLE and listed[0]["document"]["id"] == report.document_id
    detail = client.get(f"/api/public/annual-reports/{report.pk}").json()
    assert detail["format"] == "2021" and detail["tables"] == report.published_figures["stated"]
    assert detail["fees"] == report.published_figures["fees"]
    # Keyed as the format keys them.
    from gongkai.reports.formats import FORMAT_2021

    assert set(detail["tables"]["table3"]) == {row.key for row in FORMAT_2021.table(3).rows}
    assert "review.maintained" in detail["tables"]["table4"] and "article_20_1.normative" in detail["tables"]["table2"]
    for query, expected in [(f"org={org_tree['county'].pk}", [report.pk]), (f"org={org_tree['province'].pk}", []),
                            ("year=2023", [report.pk]), ("year=2022", [])]:
        assert [i["id"] for i in client.get(f"/api/public/annual-reports?{query}").json()["results"]] == expected
    assert client.get("/api/public/annual-reports?year=99").status_code == 422
    for hidden in interaction_with_secrets["hidden_reports"]:
        assert client.get(f"/api/public/annual-reports/{hidden.pk}").status_code == 404
    # The catalog document withdrawn: the report is no longer public, cached or not.
    catalog.withdraw_document(report.document, reason="数据有误")
    assert client.get("/api/public/annual-reports").json()["results"] == []
    assert client.get(f"/api/public/annual-reports/{report.pk}").status_code == 404


def test_a_withdrawn_document_answers_410_with_its_withdrawal_date(catalog_with_secrets, client):
    withdrawn = catalog_with_secrets["withdrawn"]
    response = client.get(f"/api/public/documents/{withdrawn.pk}")
    assert response.status_code == 410
    assert response.json()["withdrawn_at"][:10] == withdrawn.withdrawn_at.isoformat()[:10]
    listed = client.get("/api/public/documents?page_size=200").json()["results"]
    assert withdrawn.pk not in [item["id"] for item in listed]
    draft = Document.objects.get(title=SECRET_TITLE)
    assert client.get(f"/api/public/documents/{draft.pk}").status_code == 404


def test_documents_filter_as_the_catalog_does_and_page_by_cursor(catalog_with_secrets, org_tree, client):
    county, province = org_tree["county"], org_tree["province"]
    everything = client.get("/api/public/documents?page_size=200").json()["results"]
    assert len(everything) == 8
    assert [item["id"] for item in everything] == sorted((item["id"] for item in everything), reverse=True)
    only_county = client.get(f"/api/public/documents?org={county.pk}&page_size=200").json()["results"]
    assert {item["organisation"]["id"] for item in only_county} == {county.pk} and len(only_county) == 7
    # The province with the organisations below it, as the catalog counts.
    below = client.get(f"/api/public/documents?org={province.pk}&page_size=200").json()["results"]
    assert len(below) == 8
    own = client.get(f"/api/public/documents?org={province.pk}&sub=0&page_size=200").json()["results"]
    assert [item["title"] for item in own] == ["四川省关于加强森林防火的意见"]
    by_year = client.get("/api/public/documents?year=2023").json()["results"]
    assert [item["title"] for item in by_year] == ["四川省关于加强森林防火的意见"]
    # Cursor pages: disjoint, in order, together the whole list; a document
    # added meanwhile does not shift the pages already read.
    first = client.get("/api/public/documents?page_size=3").json()
    Document.objects.filter(pk=everything[0]["id"])  # noqa: B018 (nothing changes yet)
    second = client.get(first["next"]).json()
    assert [i["id"] for i in first["results"] + second["results"]] == [i["id"] for i in everything[:6]]
    item = client.get(f"/api/public/documents/{everything[-1]['id']}").json()
    assert item["url"].startswith("/doc/") and item["organisation"]["name"]
    assert client.get("/api/public/documents?cursor=not-base64!").status_code == 422


def test_document_detail_has_relations_and_attachments_but_never_a_hidden_target(catalog_with_secrets, client):
    citing = catalog_with_secrets["public"][0]
    detail = client.get(f"/api/public/documents/{citing.pk}").json()
    assert detail["relations"] == [] or all(rel["document_id"] is None or rel["title"] != SECRET_TITLE
                                            for rel in detail["relations"])
    assert detail["document_number"] == "西府发〔2024〕1号" and detail["body_html"]


def test_public_answers_are_conditional_and_open_to_other_sites(catalog_with_secrets, client):
    first = client.get("/api/public/documents", HTTP_ORIGIN="https://data.example.org")
    assert first.status_code == 200 and first["Access-Control-Allow-Origin"] == "*"
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/public/documents", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    preflight = client.options("/api/public/documents", HTTP_ORIGIN="https://data.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 200 and "GET" in preflight["Access-Control-Allow-Methods"]
    # A change to the public content makes the old ETag stale.
    catalog.create_document(organisation=catalog_with_secrets["public"][0].organisation, title="新发布的通知",
                            body_text="新。", publish=True)
    assert client.get("/api/public/documents", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    # The staff API stays closed to other sites.
    staff = client.get("/api/staff/workbench", HTTP_ORIGIN="https://data.example.org")
    assert "Access-Control-Allow-Origin" not in staff


@override_settings(GONGKAI_OPEN_DATA_RATE="3/m")
def test_open_data_is_limited_per_address(catalog_with_secrets, client):
    answers = [client.get("/api/public/genres", REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/feeds/latest.atom", REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429 and limited["Retry-After"] and "请求过于频繁" in limited.json()["detail"]
    assert client.get("/api/public/genres", REMOTE_ADDR="203.0.113.8").status_code == 200
    assert client.get("/catalog/", REMOTE_ADDR="203.0.113.7").status_code == 200  # the site itself is not limited


def test_feeds_are_valid_atom_announced_on_their_pages(catalog_with_secrets, org_tree, client):
    county = org_tree["county"]
    for path, expected in [("/feeds/latest.atom", 8), (f"/feeds/org/{county.pk}.atom", 7),
                           (f"/feeds/org/{org_tree['province'].pk}.atom", 8)]:
        response = client.get(path)
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10"
        assert len(feed.entries) == expected
        for entry in feed.entries:
            assert entry.id and entry.title and entry.link.startswith("http") and entry.updated_parsed
    assert client.get("/feeds/org/999999.atom").status_code == 404
    home = client.get("/").content.decode()
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="/feeds/latest.atom"', home)
    filtered = client.get(f"/catalog/?org={county.pk}").content.decode()
    assert f'href="/feeds/org/{county.pk}.atom"' in filtered
    assert "/feeds/org/" not in client.get("/catalog/").content.decode()


def test_sitemap_lists_every_public_document_and_robots_points_at_it(catalog_with_secrets, client):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-documents.xml" in index
    documents = client.get("/sitemap-documents.xml").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", documents)
    assert len(locations) == 8
    public = Document.objects.filter(status="published", disclosure="proactive")
    assert {loc.split("testserver", 1)[1] for loc in locations} == {doc.get_absolute_url() for doc in public}
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    """Bulk files of this test only (the storage is a folder, not rolled back)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_bulk_files_hold_the_public_catalog_per_organisation_and_year(catalog_with_secrets, org_tree, client):
    assert "尚未生成" in client.get("/data/").content.decode()
    assert client.get("/data/manifest.json").status_code == 404
    manifest = export.publish()
    assert manifest["documents"] == 8
    by_key = {(entry["organisation_id"], entry["year"]): entry for entry in manifest["files"]}
    assert set(by_key) == {(org_tree["county"].pk, 2024), (org_tree["province"].pk, 2023)}
    county_files = by_key[(org_tree["county"].pk, 2024)]["files"]
    lines = b"".join(client.get(f"/data/{county_files['jsonl']['path']}").streaming_content).decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 7 and all(row["body_text"] == "农村公路养护。" for row in rows)
    table = list(csv.DictReader(io.StringIO(
        b"".join(client.get(f"/data/{county_files['csv']['path']}").streaming_content).decode("utf-8-sig"))))
    assert [row["title"] for row in table] == [row["title"] for row in rows]
    assert "body_text" not in table[0]
    page = client.get("/data/").content.decode()
    assert county_files["csv"]["path"] in page
    # Only files the manifest lists are served: nothing else in storage, no escape.
    for bad in ["opendata/manifest.json", "../secret_key", "opendata/../../secret_key", county_files["csv"]["path"] + "x"]:
        assert client.get(f"/data/{bad}").status_code == 404
    # A new run replaces the files; the one before stays for readers still downloading.
    later = export.publish(now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert later["files"][0]["files"]["csv"]["path"] != manifest["files"][0]["files"]["csv"]["path"]
    export.publish(now=dt.datetime(2030, 1, 2, tzinfo=dt.UTC))
    assert client.get(f"/data/{county_files['csv']['path']}").status_code == 404  # two runs ago: gone


def test_export_command_writes_a_folder_and_refuses_bad_input(catalog_with_secrets, org_tree, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "out"
    call_command("export", "--out", str(out), "--org", org_tree["province"].short_name, "--year", "2023",
                 stdout=io.StringIO(), stderr=io.StringIO())
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == 1
    path = out / manifest["files"][0]["files"]["jsonl"]["path"]
    assert json.loads(path.read_text(encoding="utf-8"))["title"] == "四川省关于加强森林防火的意见"
    for args in (["--org", "没有这个机构", "--out", str(out)], ["--year", "24", "--out", str(out)], ["--org", "1"]):
        with pytest.raises(CommandError) as refused:
            call_command("export", *args, stdout=io.StringIO(), stderr=io.StringIO())
        assert refused.value.returncode == 2


def test_a_connection_without_an_address_is_limited_not_refused(catalog_with_secrets, client):
    # A Unix-socket connection has no REMOTE_ADDR: one shared bucket, never a 500.
    assert client.get("/api/public/genres", REMOTE_ADDR="").status_code == 200


def test_every_public_answer_matches_the_published_schema(catalog_with_secrets, interaction_with_secrets, client,
                                                          settings):
    """Every status each open-data operation declares, provoked and checked
    against the schema (objects closed: an undocumented field fails)."""
    from tests.api.test_api_hardening import Checker
    from tests.guides.conftest import GUIDE_DATA, MATERIALS
    from gongkai.guides import services as guides

    saved = guides.save_guide(None, organisation=catalog_with_secrets["public"][0].organisation,
                              data=dict(GUIDE_DATA), materials=[dict(m) for m in MATERIALS], user=None, system=True,
                              note="首次编制")
    guide = guides.publish_guide(saved, user=None, system=True)
    spec = client.get("/api/openapi.json").json()
    check = Checker(spec)
    public, withdrawn = catalog_with_secrets["public"][0], catalog_with_secrets["withdrawn"]
    calls = [
        ("/api/public/documents", "/api/public/documents?page_size=2"),
        ("/api/public/documents", "/api/public/documents?year=1800"),
        ("/api/public/documents/{pk}", f"/api/public/documents/{public.pk}"),
        ("/api/public/documents/{pk}", "/api/public/documents/999999"),
        ("/api/public/documents/{pk}", f"/api/public/documents/{withdrawn.pk}"),
        ("/api/public/documents/{pk}", "/api/public/documents/0"),
        ("/api/public/search", "/api/public/search?q=农村公路"),
        ("/api/public/search", "/api/public/search"),
        ("/api/public/organisations", "/api/public/organisations"),
        ("/api/public/organisations", "/api/public/organisations?x=1"),
        ("/api/public/topics", "/api/public/topics"),
        ("/api/public/genres", "/api/public/genres"),
        ("/api/public/guides", "/api/public/guides"),
        ("/api/public/guides", "/api/public/guides?org=0"),
        ("/api/public/guides/{pk}", f"/api/public/guides/{guide.pk}"),
        ("/api/public/guides/{pk}", "/api/public/guides/999999"),
        ("/api/public/guides/{pk}", "/api/public/guides/0"),
    ]
    shown = interaction_with_secrets
    waiting = next(c for c in shown["hidden_consultations"] if c.state != Consultation.State.DRAFT)
    draft = next(c for c in shown["hidden_consultations"] if c.state == Consultation.State.DRAFT)
    for path, pk, hidden in [("tickets", shown["ticket"].pk, shown["hidden_tickets"][0].pk),
                             ("consultations", shown["consultation"].pk, draft.pk),
                             ("annual-reports", shown["report"].pk, shown["hidden_reports"][0].pk)]:
        calls += [
            (f"/api/public/{path}", f"/api/public/{path}?page_size=1"),
            (f"/api/public/{path}", f"/api/public/{path}?year=1800"),
            (f"/api/public/{path}/{{pk}}", f"/api/public/{path}/{pk}"),
            (f"/api/public/{path}/{{pk}}", f"/api/public/{path}/{hidden}"),
            (f"/api/public/{path}/{{pk}}", f"/api/public/{path}/0"),
        ]
    calls.append(("/api/public/consultations/{pk}", f"/api/public/consultations/{waiting.pk}"))  # no feedback yet
    for template, url in calls:
        check("get", template, client.get(url))
    settings.GONGKAI_OPEN_DATA_RATE = "1/m"
    for template in [path for path in spec["paths"] if path.startswith("/api/public/")]:
        url = template.replace("{pk}", str(public.pk))
        while (response := client.get(url, REMOTE_ADDR="198.51.100.9")).status_code != 429:
            pass
        check("get", template, response)
    declared = {(method, path, status) for path, ops in spec["paths"].items() if path.startswith("/api/public/")
                for method, op in ops.items() for status in op["responses"]}
    assert declared - check.seen <= {("get", path, "422") for path in ("/api/public/organisations",
                                                                         "/api/public/topics",
                                                                         "/api/public/genres")}, declared - check.seen
