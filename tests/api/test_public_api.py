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


def _ids(model_qs):
    return list(model_qs.values_list("pk", flat=True))


def _walk_api(client: Client) -> list[tuple[str, int, str]]:
    """Every GET under /api/public/ in the schema: lists followed page by page
    to their end, item endpoints with every id of every model."""
    schema = client.get("/api/openapi.json").json()
    seen = []
    ids = _ids(Document.objects.all()) + _ids(ServiceGuide.objects.all()) + [10**6]
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


def test_an_anonymous_walk_of_all_open_data_finds_nothing_private(catalog_with_secrets, client):
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
    for url, status, body in walked:
        assert status < 500, url
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    public_titles = [doc.title for doc in catalog_with_secrets["public"]]
    everything = "\n".join(body for _, _, body in walked)
    assert all(title in everything for title in public_titles)  # the walk did reach the public documents


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


def test_every_public_answer_matches_the_published_schema(catalog_with_secrets, client, settings):
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
