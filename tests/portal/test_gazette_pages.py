"""The gazette's pages: the public 政府公报 pages (years, a year, an issue
with its ordered contents and PDF, "本文刊登于" on the document page, caching)
and the staff pages (list, new issue, contents, PDF, publication, denials)."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.catalog import gazette
from gongkai.catalog.gazette import ContentItem
from gongkai.catalog.models import Document, GazetteEntry, GazetteIssue

from .helpers import parse, text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "凉山彝族自治州人民政府公报"


@pytest.fixture
def setup(org_tree, make_document, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    city, county = org_tree["city"], org_tree["county"]
    admin = make_user("gz_admin", (city, "office_admin"))
    docs = {
        "rule": make_document(city, "凉山州城市绿化管理办法", document_number="凉府发〔2024〕1号"),
        "notice": make_document(city, "关于做好防汛工作的通知", document_number="凉府发〔2024〕2号"),
        "county": make_document(county, "西昌市农村供水管理规定", document_number="西府发〔2024〕5号"),
        "other": make_document(city, "未刊登的文件"),
    }
    issue = gazette.issue_create(city, user=admin, year=2024, number=3, number_to=4, total_number=738,
                                 published_on=dt.date(2024, 2, 28))
    gazette.issue_set_contents(issue, [
        ContentItem(docs["notice"].pk, "政府文件", 9),
        ContentItem(docs["rule"].pk, "规章", 1),
        ContentItem(docs["county"].pk, "部门文件", 15),
    ], user=admin)
    gazette.issue_attach_pdf(issue, SimpleUploadedFile("p.pdf", PDF), user=admin)
    gazette.issue_publish(issue, user=admin)
    older = gazette.issue_create(city, user=admin, year=2023, number=12, total_number=737)
    gazette.issue_set_contents(older, [ContentItem(docs["rule"].pk)], user=admin)
    gazette.issue_publish(older, user=admin)
    draft = gazette.issue_create(city, user=admin, year=2024, number=5)
    gazette.issue_set_contents(draft, [ContentItem(docs["other"].pk)], user=admin)
    return {"org": city, "admin": admin, "docs": docs, "issue": issue, "older": older, "draft": draft}


# ---------------------------------------------------------------- public


def test_index_lists_years_per_organisation_and_the_nav_links_it(client, setup):
    response = client.get("/gazette/")
    assert response.status_code == 200
    tree = parse(response)
    assert tree.cssselect("h1")[0].text == "政府公报"
    [section] = tree.cssselect("section.gazette-years")
    assert text_of(section.cssselect("h2")[0]) == f"《{NAME}》"
    links = [(text_of(a), a.get("href")) for a in section.cssselect("li a")]
    assert links == [("2024年", f"/gazette/2024/#org-{setup['org'].pk}"), ("2023年", f"/gazette/2023/#org-{setup['org'].pk}")]
    assert "（1期）" in text_of(section)  # the draft is not counted
    nav = tree.cssselect('nav[aria-label="主导航"] a[href="/gazette/"]')[0]
    assert text_of(nav) == "政府公报" and nav.get("aria-current") == "page"
    home_nav = parse(client.get("/")).cssselect('nav[aria-label="主导航"] a[href="/gazette/"]')
    assert len(home_nav) == 1 and home_nav[0].get("aria-current") is None


def test_year_page_lists_published_issues_only(client, setup):
    response = client.get("/gazette/2024/")
    assert response.status_code == 200
    tree = parse(response)
    rows = tree.cssselect("section.gazette-year tbody tr")
    assert [text_of(r.cssselect("th")[0]) for r in rows] == ["2024年第3-4期"]  # not the draft 第5期
    cells = [text_of(td) for td in rows[0].cssselect("td")]
    assert cells[:3] == ["总第738期", "2024年2月28日", "3"]
    assert rows[0].cssselect("a")[0].get("href") == f"/gazette/issue/{setup['issue'].pk}/"
    assert client.get("/gazette/2019/").status_code == 404


def test_issue_page_shows_the_contents_in_order_under_sections(client, setup):
    issue, docs = setup["issue"], setup["docs"]
    response = client.get(f"/gazette/issue/{issue.pk}/")
    assert response.status_code == 200
    tree = parse(response)
    assert text_of(tree.cssselect("h1")[0]) == f"《{NAME}》2024年第3-4期（总第738期）"
    contents = tree.cssselect("section.gazette-contents")[0]
    assert [text_of(h) for h in contents.cssselect("h3")] == ["政府文件", "规章", "部门文件"]
    links = [(text_of(a), a.get("href")) for a in contents.cssselect("ol.gazette-toc a")]
    assert links == [(d.title, d.get_absolute_url()) for d in (docs["notice"], docs["rule"], docs["county"])]
    assert "第9页" in text_of(contents) and "（凉府发〔2024〕2号）" in text_of(contents)
    pdf = tree.cssselect(f'a[href="/gazette/issue/{issue.pk}/pdf/"]')
    assert pdf and text_of(pdf[0]) == "下载本期PDF"


def test_a_withdrawn_document_leaves_the_public_contents(client, setup):
    doc = setup["docs"]["notice"]
    Document.objects.filter(pk=doc.pk).update(status=Document.Status.WITHDRAWN)
    tree = parse(client.get(f"/gazette/issue/{setup['issue'].pk}/"))
    assert doc.title not in text_of(tree.cssselect("section.gazette-contents")[0])


def test_unpublished_issues_and_their_pdf_are_not_public(client, setup):
    draft = setup["draft"]
    assert client.get(f"/gazette/issue/{draft.pk}/").status_code == 404
    gazette.issue_attach_pdf(draft, SimpleUploadedFile("d.pdf", PDF), user=setup["admin"])
    assert client.get(f"/gazette/issue/{draft.pk}/pdf/").status_code == 404
    assert client.get("/gazette/issue/999999/").status_code == 404
    # Nor through /media/, by a guessed file name.
    draft.refresh_from_db()
    assert client.get("/media/" + draft.pdf.name).status_code == 404


def test_pdf_is_served_as_a_pdf(client, setup):
    response = client.get(f"/gazette/issue/{setup['issue'].pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/gazette/issue/{setup['older'].pk}/pdf/").status_code == 404  # none uploaded


def test_document_page_says_where_it_was_printed(client, setup):
    docs, issue, older = setup["docs"], setup["issue"], setup["older"]
    tree = parse(client.get(docs["rule"].get_absolute_url()))
    [note] = tree.cssselect("p.gazette-published-in")
    assert text_of(note) == (f"本文刊登于《{NAME}》2023年第12期。本文刊登于《{NAME}》2024年第3-4期（第1页）。")
    assert [a.get("href") for a in note.cssselect("a")] == [f"/gazette/issue/{older.pk}/", f"/gazette/issue/{issue.pk}/"]
    # Only published issues: the draft issue's document says nothing.
    assert not parse(client.get(docs["other"].get_absolute_url())).cssselect("p.gazette-published-in")


def test_the_published_in_line_costs_one_query(client, setup):
    url = setup["docs"]["rule"].get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_CACHE_CONTROL="no-cache")
    gazette_queries = [q for q in queries.captured_queries if "gazette" in q["sql"].lower()]
    assert len(gazette_queries) == 1, gazette_queries


def test_cached_document_page_changes_when_the_issue_is_taken_down(client, setup, settings):
    settings.GONGKAI_PAGE_CACHE = True
    url = setup["docs"]["notice"].get_absolute_url()
    assert "本文刊登于" in client.get(url).content.decode()
    assert "本文刊登于" in client.get(url).content.decode()  # from the cache
    gazette.issue_unpublish(setup["issue"], user=setup["admin"])
    assert "本文刊登于" not in client.get(url).content.decode()
    assert client.get("/gazette/2024/").status_code == 404


# ---------------------------------------------------------------- staff


def test_staff_list_and_issue_page(client, setup):
    client.force_login(setup["admin"])
    tree = parse(client.get("/staff/gazette/"))
    labels = [text_of(a) for a in tree.cssselect("tbody th a")]
    assert labels == ["2024年第5期", "2024年第3-4期（总第738期）", "2023年第12期（总第737期）"]
    assert tree.cssselect('a[href="/staff/gazette/new/"]')
    tree = parse(client.get(f"/staff/gazette/{setup['issue'].pk}/"))
    assert [i.get("value") for i in tree.cssselect('#contents-form input[name="doc"]')] == [
        str(setup["docs"][k].pk) for k in ("notice", "rule", "county")]
    assert [i.get("value") for i in tree.cssselect('#contents-form input[name="add"]')] == [str(setup["docs"]["other"].pk)]


def test_staff_create_an_issue(client, setup):
    client.force_login(setup["admin"])
    org = setup["org"]
    response = client.post("/staff/gazette/new/", {"organisation": org.pk, "year": "2025", "number": "1",
                                                  "number_to": "", "total_number": "739", "published_on": ""})
    issue = GazetteIssue.objects.get(year=2025)
    assert response.status_code == 302 and response["Location"] == f"/staff/gazette/{issue.pk}/"
    assert issue.name == NAME and issue.label == "2025年第1期（总第739期）" and not issue.is_published


@pytest.mark.parametrize("data, message", [
    ({"year": "2024", "number": "4"}, "2024年第3-4期已存在"),
    ({"year": "2024", "number": "x"}, "期号必须是整数"),
    ({"year": "", "number": "1"}, "请填写年份"),
    ({"year": "2024", "number": "7", "number_to": "6"}, "合刊末期号必须大于期号"),
])
def test_staff_create_refuses_bad_input_in_chinese(client, setup, data, message):
    client.force_login(setup["admin"])
    count = GazetteIssue.objects.count()
    response = client.post("/staff/gazette/new/", {"organisation": setup["org"].pk, **data})
    assert response.status_code == 200
    assert message in text_of(parse(response).cssselect('[role="alert"]')[0])
    assert GazetteIssue.objects.count() == count


def test_staff_reorders_removes_and_adds_contents(client, setup):
    client.force_login(setup["admin"])
    issue, docs = setup["issue"], setup["docs"]
    n, r, c, o = (docs[k].pk for k in ("notice", "rule", "county", "other"))
    response = client.post(f"/staff/gazette/{issue.pk}/contents/", {
        "doc": [str(n), str(r), str(c)],
        f"order-{n}": "2", f"section-{n}": "政府文件", f"page-{n}": "9",
        f"order-{r}": "1", f"section-{r}": "规章", f"page-{r}": "1",
        f"order-{c}": "3", f"remove-{c}": "1",
        "add": [str(o)], "new_section": "部门文件",
    })
    assert response.status_code == 302
    entries = list(issue.entries.order_by("order"))
    assert [(e.document_id, e.order, e.section, e.page) for e in entries] == [
        (r, 1, "规章", 1), (n, 2, "政府文件", 9), (o, 3, "部门文件", None)]


@pytest.mark.parametrize("field, value, message", [
    ("order", "abc", "顺序必须是不超过四位的整数"),
    ("page", "-3", "页码必须是正整数"),
])
def test_staff_contents_refuse_bad_numbers(client, setup, field, value, message):
    client.force_login(setup["admin"])
    issue, n = setup["issue"], setup["docs"]["notice"].pk
    before = list(issue.entries.order_by("order").values_list("document_id", "order", "page"))
    data = {"doc": [str(n)], f"order-{n}": "1", f"page-{n}": "9"}
    data[f"{field}-{n}"] = value
    response = client.post(f"/staff/gazette/{issue.pk}/contents/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(issue.entries.order_by("order").values_list("document_id", "order", "page")) == before


def test_staff_contents_refuse_a_document_of_another_organisation(client, setup, org_tree, make_document):
    client.force_login(setup["admin"])
    foreign = make_document(org_tree["province"], "省政府文件")
    response = client.post(f"/staff/gazette/{setup['issue'].pk}/contents/", {"doc": [], "add": [str(foreign.pk)]})
    assert response.status_code == 400
    assert "不是凉山彝族自治州人民政府或其所属机构发布的文件" in response.content.decode()
    assert setup["issue"].entries.count() == 3


def test_staff_upload_pdf_checks_it(client, setup):
    client.force_login(setup["admin"])
    draft = setup["draft"]
    response = client.post(f"/staff/gazette/{draft.pk}/pdf/", {"pdf": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not pdf")})
    assert response.status_code == 400 and "文件内容不是PDF" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.pdf
    response = client.post(f"/staff/gazette/{draft.pk}/pdf/", {"pdf": SimpleUploadedFile("x.pdf", PDF)})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.pdf
    staff_file = client.get(f"/staff/gazette/{draft.pk}/pdf/file/")
    assert staff_file.status_code == 200 and b"".join(staff_file.streaming_content) == PDF


def test_staff_publish_and_take_down(client, setup):
    client.force_login(setup["admin"])
    draft = setup["draft"]
    response = client.post(f"/staff/gazette/{draft.pk}/publish/", {"action": "publish"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    client.logout()
    assert client.get(f"/gazette/issue/{draft.pk}/").status_code == 200
    client.force_login(setup["admin"])
    client.post(f"/staff/gazette/{draft.pk}/publish/", {"action": "unpublish"})
    draft.refresh_from_db()
    assert not draft.is_published


def test_staff_publish_of_an_empty_issue_says_why(client, setup):
    client.force_login(setup["admin"])
    empty = gazette.issue_create(setup["org"], user=setup["admin"], year=2024, number=6)
    response = client.post(f"/staff/gazette/{empty.pk}/publish/", {"action": "publish"}, follow=True)
    assert "公报目录不能为空" in response.content.decode()
    empty.refresh_from_db()
    assert not empty.is_published


def test_staff_pages_need_a_login(client, setup):
    for url in ("/staff/gazette/", "/staff/gazette/new/", f"/staff/gazette/{setup['issue'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_staff_denials(client, setup, org_tree, make_user):
    issue, org = setup["issue"], setup["org"]
    posts = [
        (f"/staff/gazette/{issue.pk}/", {"year": "2024", "number": "3", "total_number": "1"}),
        (f"/staff/gazette/{issue.pk}/contents/", {"doc": []}),
        (f"/staff/gazette/{issue.pk}/pdf/", {"remove": "1"}),
        (f"/staff/gazette/{issue.pk}/publish/", {"action": "unpublish"}),
        ("/staff/gazette/new/", {"organisation": org.pk, "year": "2030", "number": "1"}),
    ]
    # A reviewer of the organisation sees the issue but may change nothing.
    reviewer = make_user("gz_reviewer", (org, "reviewer", 1))
    client.force_login(reviewer)
    page = parse(client.get(f"/staff/gazette/{issue.pk}/"))
    assert not page.cssselect("#contents-form") and not page.cssselect('form[enctype="multipart/form-data"]')
    assert client.get("/staff/gazette/new/").status_code == 403
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    # A county office administrator (below the city) may edit its own gazette, not the city's,
    # and does not even see the city's issues.
    county_admin = make_user("gz_county", (org_tree["county"], "office_admin"))
    client.force_login(county_admin)
    assert client.get(f"/staff/gazette/{issue.pk}/").status_code == 404
    assert client.post(f"/staff/gazette/{issue.pk}/publish/", {"action": "unpublish"}).status_code == 404
    assert client.post("/staff/gazette/new/", {"organisation": org.pk, "year": "2030", "number": "1"}).status_code == 403
    assert not parse(client.get("/staff/gazette/")).cssselect("tbody th a")
    # A department's office administrator: departments run no gazette.
    dept_admin = make_user("gz_dept", (org_tree["department"], "office_admin"))
    client.force_login(dept_admin)
    assert client.get("/staff/gazette/new/").status_code == 403
    issue.refresh_from_db()
    assert issue.is_published and issue.total_number == 738 and issue.entries.count() == 3 and issue.pdf
    assert not GazetteIssue.objects.filter(year=2030).exists()
    assert GazetteEntry.objects.filter(issue=issue).count() == 3


def test_staff_pages_have_csrf_tokens(client, setup):
    client.force_login(setup["admin"])
    html = client.get(f"/staff/gazette/{setup['issue'].pk}/").content.decode()
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert len(forms) == 6  # issue, contents, PDF upload, PDF removal, publication, sign out
    assert all("csrfmiddlewaretoken" in form for form in forms)
    assert reverse("workspace:gazette_list") == "/staff/gazette/"
