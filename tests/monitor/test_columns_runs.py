"""Stale and empty catalog columns, and runs compared with the run before."""

import datetime as dt

import pytest

from gongkai.catalog.models import Genre
from gongkai.monitor import columns, services
from gongkai.monitor.models import ColumnRule, Site
from tests.monitor.findings import F

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 7, 1)


def test_stale_columns_follow_the_national_defaults_and_the_offices_rules(org_tree, make_document):
    county, city = org_tree["county"], org_tree["city"]
    news, notice = Genre.objects.get(name="工作动态"), Genre.objects.get(name="通知")
    make_document(county, "西昌市召开防汛工作会议", "会议要求。", genre=news, published_date=TODAY - dt.timedelta(days=15))
    make_document(county, "关于做好防汛工作的通知", "通知。", genre=notice, published_date=TODAY - dt.timedelta(days=170))
    make_document(city, "凉山州政务动态", "动态。", genre=news, published_date=TODAY - dt.timedelta(days=3))
    found = {(c.organisation, c.genre): c for c in columns.problems(TODAY)}
    assert set(found) == {("西昌市人民政府", "工作动态")}  # news older than two weeks; the notice within six months
    assert found[("西昌市人民政府", "工作动态")].age_days == 15 and found[("西昌市人民政府", "工作动态")].max_days == 14
    # the office tightens the notices' column to 90 days and requires a 规划 column everywhere
    ColumnRule.objects.create(genre=notice, max_days=90)
    ColumnRule.objects.create(organisation=county, genre=Genre.objects.get(name="规划"), max_days=365, required=True)
    found = {(c.organisation, c.genre): c.problem for c in columns.problems(TODAY)}
    assert found == {("西昌市人民政府", "工作动态"): "stale", ("西昌市人民政府", "通知"): "stale",
                     ("西昌市人民政府", "规划"): "empty"}
    assert columns.problems(TODAY)[0].problem == "empty"


def test_drafts_do_not_keep_a_column_fresh(org_tree, make_document):
    news = Genre.objects.get(name="工作动态")
    make_document(org_tree["county"], "旧动态", "内容。", genre=news, published_date=TODAY - dt.timedelta(days=40))
    make_document(org_tree["county"], "未发布的新动态", "内容。", genre=news, publish=False, published_date=None)
    assert [c.problem for c in columns.problems(TODAY)] == ["stale"]


def test_runs_are_compared_with_the_previous_one():
    site = Site.objects.create(name="西昌市人民政府门户网站", start_url="http://127.0.0.1:9/")
    first = services.record_run(site, [F("dead_link", "warning", "http://x/a.pdf", "通知附件 (404)", "http://x/1"),
                                       F("hidden_link", "serious", "http://bet.example/", "display:none", "http://x/2")], pages=10)
    assert (first.new, first.still_open, first.fixed) == (2, 0, 0)
    second = services.record_run(site, [F("hidden_link", "serious", "http://bet.example/", "display:none", "http://x/2"),
                                        F("wording", "serious", "中华人民共合国", "…中华人民共合国…", "http://x/3")], pages=10)
    assert (second.new, second.still_open, second.fixed) == (1, 1, 1)
    assert {f.evidence: f.status for f in second.findings.all()} == {"http://bet.example/": "open", "中华人民共合国": "new"}
    assert {f.evidence for f in services.open_findings(None)} == {"http://bet.example/", "中华人民共合国"}


def test_report_page_and_workbook_for_the_office(org_tree, make_user, make_document, client):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    site = Site.objects.create(name="西昌市人民政府门户网站", start_url="http://127.0.0.1:9/", organisation=org_tree["county"])
    services.record_run(site, [F("hidden_link", "serious", "http://bet.example/", "display:none 博彩", "http://x/2")], pages=3)
    make_document(org_tree["county"], "旧动态", "内容。", genre=Genre.objects.get(name="工作动态"),
                  published_date=dt.date(2020, 1, 1))
    client.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    assert client.get(reverse("monitor:report")).status_code == 403
    client.force_login(make_user("office", (org_tree["county"], "office_admin")))
    page = client.get(reverse("monitor:report")).content.decode()
    assert "暗链" in page and "http://bet.example/" in page and "旧动态" not in page and "未按时更新" in page
    book = load_workbook(io.BytesIO(client.get(reverse("monitor:report_xlsx")).content))
    rows = list(book["监测发现"].values)
    assert rows[1][2] == "暗链" and rows[1][6] == "http://bet.example/"
    assert list(book["栏目更新"].values)[1][:3] == ("西昌市人民政府", "工作动态", "未更新")


def test_workbench_shows_open_monitor_findings_to_the_office(org_tree, make_user, client):
    from django.urls import reverse

    site = Site.objects.create(name="西昌市人民政府门户网站", start_url="http://127.0.0.1:9/", organisation=org_tree["county"])
    services.record_run(site, [F("dead_link", "warning", "http://x/a.pdf", "附件 (404)", "http://x/1"),
                               F("injected_text", "serious", "AG真人娱乐", "…县AG真人娱乐政府…", "http://x/2")], pages=3)
    client.force_login(make_user("office", (org_tree["county"], "office_admin")))
    from tests.portal.helpers import parse, text_of

    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-monitor"))
    assert "网站监测发现（2）" in panel and panel.index("内容篡改") < panel.index("死链")
    client.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    assert "panel-monitor" not in client.get(reverse("workspace:home")).content.decode()


def test_the_worker_crawls_a_due_site_and_stores_the_run():
    from gongkai.monitor import runner
    from tests.monitor.site import LoopbackSite

    with LoopbackSite() as s:
        s.page("/", '<html><head><title>门户</title></head><body><a href="/gone.html">通知附件</a>'
                    '<div style="display:none"><a href="http://bet365.example.com/">博彩</a></div></body></html>')
        site = Site.objects.create(name="门户", start_url=s.url("/"), max_pages=10)
        assert runner.due_sites() == [site]
        run = runner.run_site(site)
    assert run.error == "" and run.pages == 1
    assert {f.kind for f in run.findings.all()} >= {"dead_link", "hidden_link"}
    assert runner.due_sites() == []


def test_topic_columns_follow_the_offices_rules(org_tree, make_document):
    from gongkai.catalog.models import Topic

    county = org_tree["county"]
    topic = Topic.objects.filter(parent__isnull=False).first()
    make_document(county, "关于某事项的公告", "内容。", topic=topic, published_date=TODAY - dt.timedelta(days=100))
    assert [c for c in columns.problems(TODAY) if c.dimension == "topic"] == []  # no national default for topics
    ColumnRule.objects.create(topic=topic, max_days=60)
    stale = [c for c in columns.problems(TODAY) if c.dimension == "topic"]
    assert [(c.organisation, c.genre, c.age_days) for c in stale] == [("西昌市人民政府", str(topic), 100)]
    with pytest.raises(Exception):
        ColumnRule.objects.create(topic=topic, genre=Genre.objects.get(name="通知"), max_days=30)
