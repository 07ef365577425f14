"""The monitoring page an office works through: the latest findings of every
site in scope in one list, the serious ones first, paged, filtered by
organisation (with those below it), site, kind and severity; odd filter
values never fail; with no site yet, it says how to add one."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.monitor import services, views
from gongkai.monitor.models import Site
from tests.monitor.findings import F
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(org_tree, make_user, client):
    user = make_user("county.office", (org_tree["county"], "office_admin"))
    client.force_login(user)
    return user


@pytest.fixture
def watched(org_tree):
    county = Site.objects.create(name="西昌市门户网站", start_url="http://127.0.0.1:9/c/", organisation=org_tree["county"])
    town = Site.objects.create(name="安宁镇网站", start_url="http://127.0.0.1:9/t/", organisation=org_tree["township"])
    old = dt.datetime(2024, 6, 1, 8, tzinfo=dt.timezone.utc)
    # an earlier run's finding, fixed since: not listed
    services.record_run(county, [F("dead_link", "warning", "http://x/gone.pdf", "", "http://x/0")], pages=1, started_at=old)
    services.record_run(county, [F("dead_link", "warning", "http://x/a.pdf", "附件 (404)", "http://x/1"),
                                 F("wording", "serious", "中华人民共和国国务院院", "", "http://x/2")],
                        pages=3, started_at=old + dt.timedelta(days=7))
    services.record_run(town, [F("hidden_link", "serious", "http://bet.example/", "display:none", "http://t/1"),
                               F("dead_link", "warning", "http://t/b.doc", "(404)", "http://t/2")],
                        pages=2, started_at=old + dt.timedelta(days=7))
    return {"county": county, "town": town}


def rows(response) -> list[tuple[str, str, str]]:
    """(severity, kind, evidence) of each listed finding, in order."""
    found = []
    for tr in parse(response).xpath("//table[contains(@class,'findings-list')]/tbody/tr"):
        cells = tr.xpath("td")
        found.append((text_of(cells[0]), text_of(cells[1]), (cells[5].text or "").strip()))
    return found


def test_serious_first_and_only_the_latest_runs(watched, office, client):
    response = client.get(reverse("monitor:report"))
    listed = rows(response)
    assert [r[0] for r in listed] == ["严重", "严重", "一般", "一般"]
    assert {r[2] for r in listed} == {"中华人民共和国国务院院", "http://bet.example/", "http://x/a.pdf", "http://t/b.doc"}
    assert "http://x/gone.pdf" not in response.content.decode()
    assert "监测发现（4处）" in text_of(parse(response).get_element_by_id("findings-h"))


def test_filters_by_organisation_site_kind_and_severity(org_tree, watched, office, client):
    url = reverse("monitor:report")
    # the county's filter takes in the township below it; the township's only its own
    assert len(rows(client.get(url, {"org": org_tree["county"].pk}))) == 4
    assert {r[2] for r in rows(client.get(url, {"org": org_tree["township"].pk}))} == {"http://bet.example/", "http://t/b.doc"}
    assert {r[2] for r in rows(client.get(url, {"site": watched["county"].pk}))} == {"中华人民共和国国务院院", "http://x/a.pdf"}
    assert rows(client.get(url, {"kind": "hidden_link"})) == [("严重", "暗链", "http://bet.example/")]
    assert [r[2] for r in rows(client.get(url, {"severity": "warning", "site": watched["town"].pk}))] == ["http://t/b.doc"]
    empty = client.get(url, {"kind": "spam_link"})
    assert rows(empty) == [] and "没有符合筛选条件的监测发现" in empty.content.decode()
    # the filter row: each select has its label, the chosen values stay selected
    form = parse(client.get(url, {"kind": "dead_link"})).xpath("//form[@aria-label='筛选监测发现']")[0]
    for select in form.xpath(".//select"):
        assert form.xpath(f".//label[@for='{select.get('id')}']"), select.get("name")
    assert form.xpath(".//select[@name='kind']/option[@selected]/@value") == ["dead_link"]


def test_odd_filter_values_are_ignored(watched, office, client):
    for params in ({"org": "abc"}, {"site": "99999999"}, {"kind": "<script>"}, {"severity": "x"}, {"page": "-1"},
                   {"org": "1" * 30}):
        response = client.get(reverse("monitor:report"), params)
        assert response.status_code == 200, params
        assert len(rows(response)) == 4, params


def test_another_organisations_site_is_no_filter_choice(org_tree, watched, make_user, client):
    client.force_login(make_user("town.office", (org_tree["township"], "office_admin")))
    response = client.get(reverse("monitor:report"), {"site": watched["county"].pk})
    assert {r[2] for r in rows(response)} == {"http://bet.example/", "http://t/b.doc"}
    assert "西昌市门户网站" not in response.content.decode()


def test_paged(org_tree, office, client, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    site = Site.objects.create(name="西昌市门户网站", start_url="http://127.0.0.1:9/c/", organisation=org_tree["county"])
    services.record_run(site, [F("dead_link", "warning", f"http://x/{n}.pdf", "", f"http://x/{n}") for n in range(5)]
                        + [F("spam_link", "serious", "http://bet.example/", "", "http://x/9")], pages=6)
    first = client.get(reverse("monitor:report"), {"kind": "dead_link"})
    assert len(rows(first)) == 3
    nav = parse(first).xpath("//nav[@aria-label='监测发现分页']")[0]
    assert "第1/2页" in text_of(nav)
    next_href = nav.xpath(".//a/@href")[0]
    assert "kind=dead_link" in next_href and "page=2" in next_href
    second = client.get(reverse("monitor:report") + next_href)
    assert len(rows(second)) == 2
    assert rows(client.get(reverse("monitor:report")))[0][1] == "违规链接"  # the serious one leads page 1


def test_no_site_yet_says_how_to_add_one(office, client):
    response = client.get(reverse("monitor:report"))
    section = text_of(parse(response).get_element_by_id("empty-h").getparent())
    assert "添加监测网站" in section and "起始地址" in section and "主办单位" in section
    assert parse(response).xpath("//section[h2[@id='empty-h']]//a/@href") == [reverse("monitor:site_new")]
