"""Validity, expiry by date, clean-up campaigns and citations of documents no
longer in force (gongkai.catalog.lifecycle)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongkai.catalog import lifecycle, services
from gongkai.catalog.models import CleanupCampaign, CleanupItem, Document, Relation
from gongkai.core import audit
from gongkai.core.models import AuditEntry

pytestmark = pytest.mark.django_db

V = Document.Validity


@pytest.fixture
def county_admin(org_tree, make_user):
    return make_user("gongkaiban", (org_tree["county"], "office_admin"))


@pytest.fixture
def county_publisher(org_tree, make_user):
    return make_user("fabu", (org_tree["county"], "publisher"))


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


# --- expiry by date -----------------------------------------------------------


def test_document_expires_on_its_expiry_date_not_the_day_before(org_tree, make_document, normative):
    doc = make_document(org_tree["county"], "西昌市城市道路挖掘管理办法", genre=normative,
                        document_number="西府发〔2020〕7号", effective_date=dt.date(2020, 7, 1),
                        expiry_date=dt.date(2025, 6, 30))

    assert lifecycle.expire_due(dt.date(2025, 6, 29)) == 0
    doc.refresh_from_db()
    assert doc.validity == V.VALID

    assert lifecycle.expire_due(dt.date(2025, 6, 30)) == 1
    doc.refresh_from_db()
    assert doc.validity == V.EXPIRED
    assert doc.expiry_date == dt.date(2025, 6, 30)


def test_expire_due_is_idempotent_and_audits_each_document_as_the_system(org_tree, make_document, normative):
    county = org_tree["county"]
    due = [
        make_document(county, "西昌市农村集体经济组织扶持办法", genre=normative, expiry_date=dt.date(2024, 12, 31)),
        make_document(org_tree["township"], "安宁镇河道保洁管理规定", genre=normative, expiry_date=dt.date(2025, 1, 1)),
    ]
    later = make_document(county, "西昌市城乡低保实施细则", genre=normative, expiry_date=dt.date(2026, 1, 1))
    open_ended = make_document(county, "西昌市物业管理暂行办法", genre=normative)
    abolished = make_document(county, "西昌市旧城改造补偿办法", genre=normative, expiry_date=dt.date(2023, 5, 1),
                              validity=V.ABOLISHED)
    seen = []

    assert lifecycle.expire_due(dt.date(2025, 1, 1), progress=lambda done, total: seen.append((done, total))) == 2
    assert lifecycle.expire_due(dt.date(2025, 1, 1)) == 0

    assert {d.pk: d.validity for d in Document.objects.filter(pk__in=[d.pk for d in due])} == {d.pk: V.EXPIRED for d in due}
    for other, validity in ((later, V.VALID), (open_ended, V.VALID), (abolished, V.ABOLISHED)):
        other.refresh_from_db()
        assert other.validity == validity
    logged = entries("validity.expire")
    assert sorted(int(e.object_id) for e in logged) == sorted(d.pk for d in due)
    assert all(e.actor == "system" and e.before_hash != e.after_hash for e in logged)
    assert seen == [(2, 2)]
    assert audit.verify().ok


# --- change_validity ----------------------------------------------------------


def test_abolish_sets_the_date_and_is_audited(org_tree, make_document, normative, county_publisher):
    doc = make_document(org_tree["county"], "西昌市建筑垃圾处置管理办法", genre=normative,
                        document_number="西府发〔2018〕21号", effective_date=dt.date(2018, 9, 1))

    result = lifecycle.change_validity(doc, V.ABOLISHED, on=None, user=county_publisher,
                                       note="上位法已废止")

    doc.refresh_from_db()
    assert (doc.validity, doc.expiry_date) == (V.ABOLISHED, timezone.localdate())
    assert result.validity == V.ABOLISHED
    assert doc.status == Document.Status.PUBLISHED  # the page stays, marked 废止
    [entry] = entries("validity.change")
    assert entry.actor == "fabu" and entry.object_id == str(doc.pk)
    assert entry.before_hash and entry.after_hash and entry.before_hash != entry.after_hash
    assert entry.detail == {"from": "valid", "to": "abolished", "date": timezone.localdate().isoformat(),
                            "note": "上位法已废止"}
    assert audit.verify().ok


def test_valid_again_with_a_future_expiry_date_then_expires_on_that_day(org_tree, make_document, normative,
                                                                        county_publisher):
    doc = make_document(org_tree["county"], "西昌市城市绿化管理办法", genre=normative, validity=V.EXPIRED,
                        expiry_date=dt.date(2024, 1, 1))
    end = timezone.localdate() + dt.timedelta(days=30)

    lifecycle.change_validity(doc, V.VALID, on=end, user=county_publisher)
    doc.refresh_from_db()
    assert (doc.validity, doc.expiry_date) == (V.VALID, end)

    assert lifecycle.expire_due(end - dt.timedelta(days=1)) == 0
    assert lifecycle.expire_due(end) == 1
    doc.refresh_from_db()
    assert doc.validity == V.EXPIRED
    assert audit.verify().ok


def test_amended_stays_published_and_records_the_date(org_tree, make_document, normative, county_publisher):
    doc = make_document(org_tree["county"], "西昌市住房公积金缴存管理办法", genre=normative,
                        effective_date=dt.date(2021, 1, 1))
    lifecycle.change_validity(doc, V.AMENDED, on=dt.date(2024, 5, 1), user=county_publisher)
    doc.refresh_from_db()
    assert (doc.validity, doc.expiry_date, doc.status) == (V.AMENDED, dt.date(2024, 5, 1), Document.Status.PUBLISHED)


@pytest.mark.parametrize("validity, on, field, words", [
    (V.VALID, "yesterday", "on", "须晚于今天"),
    (V.VALID, "today", "on", "须晚于今天"),
    (V.EXPIRED, "tomorrow", "on", "不能晚于今天"),
    (V.ABOLISHED, "tomorrow", "on", "不能晚于今天"),
    (V.ABOLISHED, "before_effective", "on", "不能早于施行日期"),
    ("repealed", None, "validity", "请选择有效性"),
    (V.VALID, None, "validity", "无需变更"),
])
def test_invalid_combinations_are_refused_and_nothing_is_written(org_tree, make_document, normative,
                                                                county_publisher, validity, on, field, words):
    today = timezone.localdate()
    dates = {"yesterday": today - dt.timedelta(days=1), "today": today, "tomorrow": today + dt.timedelta(days=1),
             "before_effective": dt.date(2019, 12, 31), None: None}
    doc = make_document(org_tree["county"], "西昌市户外广告设置管理办法", genre=normative,
                        effective_date=dt.date(2020, 1, 1))
    before = services.audit_state(Document.objects.get(pk=doc.pk))
    count = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        lifecycle.change_validity(doc, validity, on=dates[on], user=county_publisher)

    assert words in " ".join(refused.value.message_dict[field])
    assert services.audit_state(Document.objects.get(pk=doc.pk)) == before
    assert AuditEntry.objects.count() == count


def test_only_published_documents_change_validity(org_tree, make_document, normative, county_publisher):
    draft = make_document(org_tree["county"], "西昌市停车场管理办法（征求意见稿）", genre=normative, publish=False)
    with pytest.raises(ValidationError) as refused:
        lifecycle.change_validity(draft, V.ABOLISHED, on=None, user=county_publisher)
    assert "只有已发布的文件" in refused.value.message_dict["validity"][0]


def test_change_validity_is_denied_to_a_drafter_and_to_another_organisation(org_tree, make_document, normative,
                                                                            make_user, county_admin):
    county, city = org_tree["county"], org_tree["city"]
    doc = make_document(county, "西昌市网络预约出租汽车经营服务管理实施细则", genre=normative)
    township_doc = make_document(org_tree["township"], "安宁镇集镇管理规定", genre=normative)
    drafter = make_user("qicao", (county, "drafter"))
    city_publisher = make_user("zhoufabu", (city, "publisher"))
    count = AuditEntry.objects.count()

    for user in (drafter, city_publisher):
        with pytest.raises(PermissionDenied) as denied:
            lifecycle.change_validity(doc, V.ABOLISHED, on=None, user=user)
        assert "没有变更该文件有效性的权限" in str(denied.value)
    doc.refresh_from_db()
    assert doc.validity == V.VALID
    assert AuditEntry.objects.count() == count

    # The county's office administrator reaches the township below.
    lifecycle.change_validity(township_doc, V.EXPIRED, on=dt.date(2024, 12, 31), user=county_admin)
    township_doc.refresh_from_db()
    assert (township_doc.validity, township_doc.expiry_date) == (V.EXPIRED, dt.date(2024, 12, 31))


# --- clean-up campaigns -------------------------------------------------------


def test_campaign_lists_only_the_organisations_published_normative_documents_in_force(
        org_tree, make_document, normative, notice, county_admin):
    county = org_tree["county"]
    listed = [
        make_document(county, "西昌市城市供水管理办法", genre=normative, document_number="西府发〔2019〕4号"),
        make_document(county, "西昌市城市供热管理办法", genre=normative, validity=V.AMENDED,
                      expiry_date=dt.date(2023, 3, 1)),
        make_document(county, "西昌市殡葬管理办法", genre=normative, expiry_date=timezone.localdate() + dt.timedelta(days=90)),
    ]
    make_document(county, "西昌市集贸市场管理办法", genre=normative, validity=V.ABOLISHED, expiry_date=dt.date(2022, 1, 1))
    make_document(county, "西昌市渣土运输管理办法", genre=normative, validity=V.EXPIRED, expiry_date=dt.date(2022, 1, 1))
    make_document(county, "西昌市养犬管理办法", genre=normative, expiry_date=timezone.localdate())  # due today
    make_document(county, "西昌市燃气管理办法（草案）", genre=normative, publish=False)
    make_document(county, "关于做好2024年春节期间安全生产工作的通知", genre=notice)
    make_document(org_tree["township"], "安宁镇村庄规划管理规定", genre=normative)
    make_document(org_tree["city"], "凉山州城市管理办法", genre=normative)

    campaign = lifecycle.start_campaign(county, "2024年度行政规范性文件清理", user=county_admin)

    assert campaign.state == CleanupCampaign.State.OPEN and campaign.organisation == county
    assert sorted(campaign.items.values_list("document_id", flat=True)) == sorted(d.pk for d in listed)
    assert set(campaign.items.values_list("decision", flat=True)) == {""}
    [entry] = entries("cleanup.start")
    assert entry.actor == "gongkaiban" and entry.object_id == str(campaign.pk)
    assert audit.verify().ok


def test_one_open_campaign_per_organisation_and_only_for_office_administrators(
        org_tree, make_document, normative, county_admin, make_user):
    county = org_tree["county"]
    make_document(county, "西昌市城市供水管理办法", genre=normative)
    lifecycle.start_campaign(county, "2024年度行政规范性文件清理", user=county_admin)

    with pytest.raises(ValidationError) as refused:
        lifecycle.start_campaign(county, "2024年度第二次清理", user=county_admin)
    assert "已有进行中的清理" in refused.value.message_dict["organisation"][0]
    with pytest.raises(ValidationError) as refused:
        lifecycle.start_campaign(org_tree["township"], "   ", user=county_admin)
    assert "请填写清理名称" in refused.value.message_dict["title"][0]
    for user in (make_user("qicao", (county, "drafter")), make_user("fabu", (county, "publisher"))):
        with pytest.raises(PermissionDenied) as denied:
            lifecycle.start_campaign(county, "越权清理", user=user)
        assert "没有" in str(denied.value) and "清理" in str(denied.value)
    with pytest.raises(PermissionDenied):
        lifecycle.start_campaign(org_tree["city"], "上级机构的清理", user=county_admin)
    assert CleanupCampaign.objects.count() == 1
    # The township below is the county administrator's to clean up too.
    assert lifecycle.start_campaign(org_tree["township"], "安宁镇2024年度清理", user=county_admin).pk


def _campaign(org_tree, make_document, normative, admin):
    county = org_tree["county"]
    docs = {
        "abolish": make_document(county, "西昌市城区摊点摊位管理办法", genre=normative, document_number="西府发〔2015〕12号",
                                 effective_date=dt.date(2015, 6, 1)),
        "keep": make_document(county, "西昌市城镇老旧小区改造实施办法", genre=normative, document_number="西府发〔2021〕9号"),
        "amend": make_document(county, "西昌市公共租赁住房管理办法", genre=normative, document_number="西府发〔2017〕30号"),
    }
    campaign = lifecycle.start_campaign(county, "2024年度行政规范性文件清理", user=admin)
    items = {key: campaign.items.get(document=doc) for key, doc in docs.items()}
    return campaign, docs, items


def test_close_is_refused_while_items_are_undecided(org_tree, make_document, normative, county_admin):
    campaign, docs, items = _campaign(org_tree, make_document, normative, county_admin)
    lifecycle.decide(items["abolish"], "abolish", note="管理职能已调整", user=county_admin)
    count = Document.objects.count()

    with pytest.raises(ValidationError) as refused:
        lifecycle.close_campaign(campaign, user=county_admin)

    assert "还有2份文件未作出处理意见" in refused.value.messages[0]
    campaign.refresh_from_db()
    docs["abolish"].refresh_from_db()
    assert campaign.state == CleanupCampaign.State.OPEN and campaign.result_document is None
    assert docs["abolish"].validity == V.VALID
    assert Document.objects.count() == count


def test_decide_checks_the_decision_and_the_role(org_tree, make_document, normative, county_admin, make_user):
    campaign, docs, items = _campaign(org_tree, make_document, normative, county_admin)
    with pytest.raises(ValidationError) as refused:
        lifecycle.decide(items["keep"], "delete", user=county_admin)
    assert "请选择处理意见" in refused.value.message_dict["decision"][0]
    with pytest.raises(PermissionDenied):
        lifecycle.decide(items["keep"], "keep", user=make_user("qicao", (org_tree["county"], "drafter")))
    items["keep"].refresh_from_db()
    assert items["keep"].decision == CleanupItem.Decision.UNDECIDED

    item = lifecycle.decide(items["keep"], "keep", note="仍符合上位法规定", user=county_admin)
    assert (item.decision, item.note) == ("keep", "仍符合上位法规定")
    [entry] = entries("cleanup.decide")
    assert entry.object_type == "cleanup_item" and entry.detail["decision"] == "keep"


def test_close_abolishes_and_drafts_the_result_notice(org_tree, make_document, normative, county_admin):
    county = org_tree["county"]
    expired = make_document(county, "西昌市城市房屋拆迁管理实施细则", genre=normative, document_number="西府发〔2010〕5号",
                            validity=V.EXPIRED, expiry_date=dt.date(2020, 12, 31))
    due = make_document(county, "西昌市农民工工资保证金管理暂行办法", genre=normative, document_number="西府发〔2019〕16号",
                        expiry_date=dt.date(2023, 12, 31))  # past its date; the worker has not run
    other_org = make_document(org_tree["city"], "凉山州城市房屋安全管理办法", genre=normative,
                              document_number="凉府发〔2011〕3号", validity=V.EXPIRED, expiry_date=dt.date(2021, 1, 1))
    campaign, docs, items = _campaign(org_tree, make_document, normative, county_admin)
    lifecycle.decide(items["abolish"], "abolish", note="管理职能已调整", user=county_admin)
    lifecycle.decide(items["keep"], "keep", user=county_admin)
    lifecycle.decide(items["amend"], "amend", note="须按新条例修订", user=county_admin)

    result = lifecycle.close_campaign(campaign, user=county_admin)

    today = timezone.localdate()
    for key in docs:
        docs[key].refresh_from_db()
    assert (docs["abolish"].validity, docs["abolish"].expiry_date) == (V.ABOLISHED, today)
    assert docs["keep"].validity == V.VALID and docs["amend"].validity == V.VALID
    due.refresh_from_db()
    assert due.validity == V.EXPIRED

    assert result.status == Document.Status.DRAFT and result.index_number is None
    assert result.genre.name == "通知" and result.organisation == county
    assert result.title == "西昌市关于公布规范性文件清理结果的通知"
    assert result.created_by == county_admin
    body = result.body
    for doc in (docs["abolish"], expired, due):
        assert doc.title in body and doc.document_number in body
    assert "西府发〔2015〕12号</td><td>废止</td>" in body
    assert "西府发〔2010〕5号</td><td>失效</td>" in body
    assert f"{today.year}年{today.month}月{today.day}日" in body
    assert docs["keep"].title not in body and docs["amend"].title not in body and other_org.title not in body
    assert '<th scope="col">发文字号</th>' in body

    campaign.refresh_from_db()
    assert campaign.state == CleanupCampaign.State.CLOSED and campaign.closed_at is not None
    assert campaign.result_document == result
    [change] = [e for e in entries("validity.change") if e.object_id == str(docs["abolish"].pk)]
    assert change.actor == "gongkaiban" and change.detail["campaign"] == campaign.pk
    assert [e.object_id for e in entries("validity.expire")] == [str(due.pk)]
    [closing] = entries("cleanup.close")
    assert closing.detail["result_document"] == result.pk
    assert AuditEntry.objects.filter(action="document.create", object_id=str(result.pk)).exists()
    assert audit.verify().ok

    with pytest.raises(ValidationError):
        lifecycle.close_campaign(campaign, user=county_admin)
    with pytest.raises(ValidationError):
        lifecycle.decide(items["keep"], "abolish", user=county_admin)
    # A new campaign may start once the last one is closed.
    assert lifecycle.start_campaign(county, "2025年度行政规范性文件清理", user=county_admin).items.count() == 2


# --- citations of documents no longer in force --------------------------------


def test_cited_invalid_for_lists_citing_documents_in_the_users_scope(
        org_tree, make_document, normative, make_user, county_admin, django_assert_max_num_queries):
    county, city = org_tree["county"], org_tree["city"]
    cited = make_document(org_tree["province"], "四川省城市供水条例实施办法", genre=normative,
                          document_number="川府发〔2012〕8号")
    still_valid = make_document(org_tree["province"], "四川省城镇燃气安全管理办法", genre=normative)
    citing = make_document(county, "西昌市城市供水管理办法", genre=normative, document_number="西府发〔2019〕4号")
    forwarding = make_document(county, "西昌市人民政府转发省政府城市供水条例实施办法的通知")
    elsewhere = make_document(city, "凉山州城市供水管理办法", genre=normative)
    withdrawn = make_document(county, "西昌市二次供水管理办法", genre=normative)
    cites_valid = make_document(county, "西昌市燃气管理办法", genre=normative)
    interprets = make_document(county, "《西昌市城市供水管理办法》政策解读")
    services.add_relation(citing, Relation.Kind.CITES, target=cited)
    services.add_relation(forwarding, Relation.Kind.FORWARDS, target=cited)
    services.add_relation(elsewhere, Relation.Kind.CITES, target=cited)
    services.add_relation(withdrawn, Relation.Kind.CITES, target=cited)
    services.add_relation(cites_valid, Relation.Kind.CITES, target=still_valid)
    services.add_relation(interprets, Relation.Kind.INTERPRETS, target=cited)
    services.withdraw_document(withdrawn)
    drafter = make_user("qicao", (county, "drafter"))
    assert lifecycle.cited_invalid_for(drafter) == []

    province_admin = make_user("shenggongkai", (org_tree["province"], "office_admin"))
    lifecycle.change_validity(cited, V.ABOLISHED, on=None, user=province_admin)

    with django_assert_max_num_queries(2):
        pairs = lifecycle.cited_invalid_for(drafter)
        shown = [(s.title, s.organisation.name, t.title, t.get_validity_display()) for s, t in pairs]
    assert sorted(shown) == sorted([
        (citing.title, "西昌市人民政府", cited.title, "废止"),
        (forwarding.title, "西昌市人民政府", cited.title, "废止"),
    ])
    assert elsewhere.pk not in {s.pk for s, _ in lifecycle.cited_invalid_for(county_admin)}
    # A drafter's role stays in their own organisation: the city's sees only the city's.
    city_drafter = make_user("zhouqicao", (city, "drafter"))
    assert [s.pk for s, _ in lifecycle.cited_invalid_for(city_drafter)] == [elsewhere.pk]
    assert lifecycle.cited_invalid_for(make_user("nobody")) == []


def test_cited_invalid_for_puts_the_most_recently_invalidated_first(org_tree, make_document, normative, make_user):
    county = org_tree["county"]
    old = make_document(org_tree["province"], "四川省城市房屋拆迁管理条例实施细则", genre=normative,
                        validity=V.EXPIRED, expiry_date=dt.date(2011, 1, 21))
    recent = make_document(org_tree["province"], "四川省农村五保供养工作实施办法", genre=normative,
                           validity=V.ABOLISHED, expiry_date=dt.date(2024, 6, 1))
    a = make_document(county, "西昌市房屋征收与补偿实施办法", genre=normative)
    b = make_document(county, "西昌市特困人员救助供养实施办法", genre=normative)
    services.add_relation(a, Relation.Kind.CITES, target=old)
    services.add_relation(b, Relation.Kind.CITES, target=recent)
    pairs = lifecycle.cited_invalid_for(make_user("qicao", (county, "drafter")))
    assert [(s.pk, t.pk) for s, t in pairs] == [(b.pk, recent.pk), (a.pk, old.pk)]
    assert lifecycle.cited_invalid_for(make_user("qicao2", (county, "drafter")), limit=1) == [(pairs[0][0], pairs[0][1])]
