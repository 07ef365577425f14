"""Monitoring is scoped like documents: an office administrator sees and
manages the sites of their organisations and those below, with their runs,
findings and reports; another organisation's site, run or finding is 404; a
superuser sees all (sites without an organisation included)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from gongkai.core.models import AuditEntry, Organisation
from gongkai.monitor import services
from gongkai.monitor.models import Site
from tests.monitor.findings import F
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(org_tree):
    other = Organisation.objects.create(name="云南省人民政府", short_name="云南省", level="province", index_prefix="YN0001")
    made = {}
    for key, org, name, evidence in [
        ("county", org_tree["county"], "西昌市门户网站", "http://bet-xichang.example/"),
        ("township", org_tree["township"], "安宁镇网站", "http://bet-anning.example/"),
        ("other", other, "云南省门户网站", "http://bet-yunnan.example/"),
        ("unassigned", None, "未指定单位的网站", "http://bet-nobody.example/"),
    ]:
        site = Site.objects.create(name=name, start_url=f"http://127.0.0.1:9/{key}/", organisation=org)
        run = services.record_run(site, [F("hidden_link", "serious", evidence, "display:none", f"http://x/{key}")], pages=1)
        made[key] = {"site": site, "run": run, "finding": run.findings.get(), "evidence": evidence}
    made["other_org"] = other
    return made


@pytest.fixture
def office(org_tree, make_user):
    return {
        "county": make_user("county.office", (org_tree["county"], "office_admin")),
        "province": make_user("province.office", (org_tree["province"], "office_admin")),
        "drafter": make_user("county.drafter", (org_tree["county"], "drafter")),
    }


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")


def test_the_report_lists_only_the_sites_in_scope(sites, office, root, client):
    seen = {}
    for who, user in [("county", office["county"]), ("province", office["province"]), ("root", root)]:
        client.force_login(user)
        page = client.get(reverse("monitor:report")).content.decode()
        seen[who] = {key for key in ("county", "township", "other", "unassigned") if sites[key]["evidence"] in page}
    assert seen == {
        "county": {"county", "township"},             # their own organisation and the one below
        "province": {"county", "township"},           # the whole tree below the province, not another province
        "root": {"county", "township", "other", "unassigned"},
    }


def test_the_workbook_holds_only_the_findings_in_scope(sites, office, client):
    client.force_login(office["county"])
    book = load_workbook(io.BytesIO(client.get(reverse("monitor:report_xlsx")).content))
    evidence = {row[6] for row in list(book["监测发现"].values)[1:]}
    assert evidence == {sites["county"]["evidence"], sites["township"]["evidence"]}


def test_the_workbench_panel_counts_only_the_findings_in_scope(sites, office, client):
    client.force_login(office["county"])
    panel = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-monitor"))
    assert "网站监测发现（2）" in panel
    assert sites["other"]["evidence"] not in panel and sites["unassigned"]["evidence"] not in panel
    assert services.open_count(office["county"]) == 2 and services.open_count(None) == 4


def test_direct_addresses_of_another_organisations_site_run_and_finding_are_404(sites, office, client):
    client.force_login(office["county"])
    for key in ("other", "unassigned"):
        item = sites[key]
        for url in (reverse("monitor:site", args=[item["site"].pk]), reverse("monitor:run", args=[item["run"].pk]),
                    reverse("monitor:run_xlsx", args=[item["run"].pk]),
                    reverse("monitor:finding", args=[item["finding"].pk])):
            response = client.get(url)
            assert response.status_code == 404, url
            assert item["evidence"] not in response.content.decode()
    own = sites["township"]
    assert sites["township"]["evidence"] in client.get(reverse("monitor:site", args=[own["site"].pk])).content.decode()
    assert own["evidence"] in client.get(reverse("monitor:run", args=[own["run"].pk])).content.decode()
    assert own["evidence"] in client.get(reverse("monitor:finding", args=[own["finding"].pk])).content.decode()
    book = load_workbook(io.BytesIO(client.get(reverse("monitor:run_xlsx", args=[own["run"].pk])).content))
    assert list(book["监测发现"].values)[1][6] == own["evidence"]


def test_a_drafter_gets_no_monitoring_at_all(sites, office, client):
    client.force_login(office["drafter"])
    assert client.get(reverse("monitor:report")).status_code == 403
    assert client.get(reverse("monitor:site", args=[sites["county"]["site"].pk])).status_code == 403
    assert client.get(reverse("monitor:finding", args=[sites["county"]["finding"].pk])).status_code == 403
    assert services.visible_sites(office["drafter"]).count() == 0


def test_a_superuser_reaches_every_site(sites, root, client):
    client.force_login(root)
    assert client.get(reverse("monitor:site_new")).status_code == 200
    response = client.post(reverse("monitor:site_new"), {"name": "无主办单位的网站", "start_url": "http://127.0.0.1:9/u/",
                                                         "max_pages": 10})
    assert response.status_code == 302 and Site.objects.get(name="无主办单位的网站").organisation is None
    for key in ("other", "unassigned"):
        assert client.get(reverse("monitor:finding", args=[sites[key]["finding"].pk])).status_code == 200


def test_an_office_manages_its_own_sites_only(org_tree, sites, office, client):
    client.force_login(office["county"])
    new = reverse("monitor:site_new")
    data = {"name": "安宁镇新网站", "start_url": "http://127.0.0.1:9/new/", "max_pages": 100, "active": "on"}
    # another province as the organisation: not a choice
    response = client.post(new, {**data, "organisation": sites["other_org"].pk})
    assert response.status_code == 200 and not Site.objects.filter(name="安宁镇新网站").exists()
    # no organisation: only the system administrator leaves it empty
    response = client.post(new, data)
    assert response.status_code == 200 and not Site.objects.filter(name="安宁镇新网站").exists()
    response = client.post(new, {**data, "organisation": org_tree["township"].pk})
    assert response.status_code == 302
    created = Site.objects.get(name="安宁镇新网站")
    assert created.organisation == org_tree["township"]
    assert AuditEntry.objects.filter(action="site.create", object_id=str(created.pk), actor="county.office").exists()

    # changing another organisation's site: 404, nothing changed
    other = sites["other"]["site"]
    response = client.post(reverse("monitor:site", args=[other.pk]),
                           {**data, "name": "改名", "organisation": org_tree["county"].pk})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "云南省门户网站" and other.organisation == sites["other_org"]
    # moving an own site out of the tree: refused
    own = sites["county"]["site"]
    response = client.post(reverse("monitor:site", args=[own.pk]),
                           {**data, "name": own.name, "organisation": sites["other_org"].pk})
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.organisation == org_tree["county"]
    # the service refuses too
    with pytest.raises(PermissionDenied):
        services.save_site(other, user=office["county"], name="改名")
    with pytest.raises(PermissionDenied):
        services.save_site(None, user=office["county"], name="x", start_url="http://127.0.0.1:9/x/",
                           organisation=sites["other_org"])


def test_the_province_office_sees_the_runs_below_it(sites, office):
    runs = set(services.visible_runs(office["province"]).values_list("pk", flat=True))
    assert runs == {sites["county"]["run"].pk, sites["township"]["run"].pk}
    findings = set(services.visible_findings(office["county"]).values_list("evidence", flat=True))
    assert findings == {sites["county"]["evidence"], sites["township"]["evidence"]}
