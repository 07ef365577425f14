"""The clean-up campaign pages (规范性文件清理) through HTTP: an office
administrator runs a campaign from start to result notice; drafters, other
organisations and anonymous visitors are kept out."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.catalog import lifecycle
from gongkai.catalog.models import CleanupCampaign, CleanupItem, Document
from gongkai.core import audit
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

V = Document.Validity


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "admin": make_user("gongkaiban", (county, "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "outsider": make_user("caizheng", (org_tree["department"], "office_admin")),
    }


@pytest.fixture
def county_docs(org_tree, make_document, normative):
    county = org_tree["county"]
    return [
        make_document(county, "西昌市城区摊点摊位管理办法", genre=normative, document_number="西府发〔2015〕12号"),
        make_document(county, "西昌市城镇老旧小区改造实施办法", genre=normative, document_number="西府发〔2021〕9号"),
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_office_admin_runs_a_campaign_end_to_end(org_tree, people, county_docs, make_document, normative):
    county = org_tree["county"]
    expired = make_document(county, "西昌市城市房屋拆迁管理实施细则", genre=normative, document_number="西府发〔2010〕5号",
                            validity=V.EXPIRED, expiry_date=dt.date(2020, 12, 31))
    abolish, keep = county_docs
    client = client_for(people["admin"])

    listing = client.get(reverse("workspace:cleanup_list"))
    assert listing.status_code == 200
    assert reverse("workspace:cleanup_new") in listing.content.decode()

    form = client.get(reverse("workspace:cleanup_new"))
    assert form.status_code == 200
    page = parse(form)
    assert page.cssselect('label[for="id_organisation"]') and page.cssselect('label[for="id_title"]')
    options = [o.get("value") for o in page.cssselect("#id_organisation option") if o.get("value")]
    assert str(county.pk) in options and str(org_tree["township"].pk) in options
    assert str(org_tree["city"].pk) not in options

    started = client.post(reverse("workspace:cleanup_new"), {"organisation": county.pk, "title": "2024年度行政规范性文件清理"})
    campaign = CleanupCampaign.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("workspace:cleanup_detail", args=[campaign.pk])
    detail_url = started["Location"]

    page = parse(client.get(detail_url))
    text = text_of(page)
    assert "列入2份规范性文件" in text and abolish.title in text and "西府发〔2015〕12号" in text
    assert page.cssselect("table caption") and page.cssselect('tbody th[scope="row"]')
    items = {item.document_id: item for item in campaign.items.all()}
    legends = [text_of(legend) for legend in page.cssselect("fieldset legend")]
    assert len(legends) == 2 and all("处理意见" in legend for legend in legends)
    first = items[abolish.pk].pk
    for value in ("keep", "amend", "abolish"):
        radio_id = f"decision-{first}" if value == "keep" else f"decision-{first}-{value}"
        assert page.cssselect(f'input[type="radio"][id="{radio_id}"][value="{value}"]')
        assert page.cssselect(f'label[for="{radio_id}"]')

    # Half decided: the close is refused with the number still open.
    saved = client.post(detail_url, {f"decision-{first}": "abolish", f"note-{first}": "管理职能已调整"})
    assert saved.status_code == 302
    refused = client.post(reverse("workspace:cleanup_close", args=[campaign.pk]))
    assert refused.status_code == 200
    assert "还有1份文件未作出处理意见" in text_of(parse(refused))
    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN

    second = items[keep.pk].pk
    client.post(detail_url, {f"decision-{first}": "abolish", f"note-{first}": "管理职能已调整",
                             f"decision-{second}": "keep", f"note-{second}": ""})
    closed = client.post(reverse("workspace:cleanup_close", args=[campaign.pk]))
    assert closed.status_code == 302 and closed["Location"] == detail_url

    campaign.refresh_from_db()
    abolish.refresh_from_db()
    keep.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.CLOSED
    assert (abolish.validity, abolish.expiry_date) == (V.ABOLISHED, timezone.localdate())
    assert keep.validity == V.VALID
    result = campaign.result_document
    assert result.status == Document.Status.DRAFT
    assert abolish.title in result.body and expired.document_number in result.body

    shown = client.get(detail_url)
    body = shown.content.decode()
    assert reverse("workspace:document", args=[result.pk]) in body
    assert "西昌市关于公布规范性文件清理结果的通知" in body and "审核" in body
    assert "清理已完成" in body  # the success message
    assert not parse(shown).cssselect('input[type="radio"]')  # decisions are final
    assert audit.verify().ok


def test_bad_input_comes_back_with_a_chinese_message(org_tree, people, county_docs):
    client = client_for(people["admin"])
    empty = client.post(reverse("workspace:cleanup_new"), {"organisation": org_tree["county"].pk, "title": "  "})
    assert empty.status_code == 200 and "请填写清理名称" in empty.content.decode()
    assert not CleanupCampaign.objects.exists()

    campaign = lifecycle.start_campaign(org_tree["county"], "2024年度行政规范性文件清理", user=people["admin"])
    again = client.post(reverse("workspace:cleanup_new"), {"organisation": org_tree["county"].pk, "title": "第二次清理"})
    assert again.status_code == 200 and "已有进行中的清理" in again.content.decode()

    a, b = campaign.items.order_by("id")
    bad = client.post(reverse("workspace:cleanup_detail", args=[campaign.pk]),
                      {f"decision-{a.pk}": "keep", f"decision-{b.pk}": "burn", f"note-{b.pk}": "无效意见"})
    assert bad.status_code == 200
    page = parse(bad)
    assert "请选择列表中的处理意见" in text_of(page.cssselect('[role="alert"]')[0])
    assert page.cssselect(f'input[name="decision-{a.pk}"][value="keep"][checked]')  # what was typed is kept
    assert set(CleanupItem.objects.values_list("decision", flat=True)) == {""}  # nothing saved


def test_drafter_gets_403_on_start_decide_and_close(org_tree, people, county_docs):
    campaign = lifecycle.start_campaign(org_tree["county"], "2024年度行政规范性文件清理", user=people["admin"])
    item = campaign.items.first()
    client = client_for(people["drafter"])

    assert client.get(reverse("workspace:cleanup_new")).status_code == 403
    assert client.post(reverse("workspace:cleanup_new"),
                       {"organisation": org_tree["county"].pk, "title": "越权清理"}).status_code == 403
    assert client.post(reverse("workspace:cleanup_detail", args=[campaign.pk]),
                       {f"decision-{item.pk}": "abolish"}).status_code == 403
    denied = client.post(reverse("workspace:cleanup_close", args=[campaign.pk]))
    assert denied.status_code == 403 and "清理" in denied.content.decode()
    # They may look, without the forms.
    page = client.get(reverse("workspace:cleanup_detail", args=[campaign.pk]))
    assert page.status_code == 200 and not parse(page).cssselect('input[type="radio"]')
    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN and CleanupCampaign.objects.count() == 1
    assert set(campaign.items.values_list("decision", flat=True)) == {""}


def test_admin_cannot_start_a_campaign_above_their_organisation(org_tree, people):
    response = client_for(people["admin"]).post(reverse("workspace:cleanup_new"),
                                                {"organisation": org_tree["city"].pk, "title": "凉山州清理"})
    assert response.status_code == 403
    assert not CleanupCampaign.objects.exists()


def test_another_organisations_user_gets_404(org_tree, people, county_docs):
    campaign = lifecycle.start_campaign(org_tree["county"], "2024年度行政规范性文件清理", user=people["admin"])
    client = client_for(people["outsider"])
    assert client.get(reverse("workspace:cleanup_detail", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("workspace:cleanup_close", args=[campaign.pk])).status_code == 404
    listing = client.get(reverse("workspace:cleanup_list"))
    assert listing.status_code == 200 and campaign.title not in listing.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(org_tree, people, county_docs):
    campaign = lifecycle.start_campaign(org_tree["county"], "2024年度行政规范性文件清理", user=people["admin"])
    client = Client()
    for url in (reverse("workspace:cleanup_list"), reverse("workspace:cleanup_new"),
                reverse("workspace:cleanup_detail", args=[campaign.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login"))
    response = client.post(reverse("workspace:cleanup_close", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login"))
    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN


def test_changes_need_post_with_csrf(org_tree, people, county_docs):
    campaign = lifecycle.start_campaign(org_tree["county"], "2024年度行政规范性文件清理", user=people["admin"])
    client = client_for(people["admin"])
    assert client.get(reverse("workspace:cleanup_close", args=[campaign.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["admin"])
    assert strict.post(reverse("workspace:cleanup_close", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN
