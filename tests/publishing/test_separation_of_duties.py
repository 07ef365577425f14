"""Separation of duties in the review workflow (职责分离): by default one
person takes at most one review step (初审, 复审, 终审, 保密审查) of the same
document, and whoever drafted or submitted it reviews none of it. An
organisation's office administrator (or the system administrator) may relax
that, audited; the organisations below inherit it. The document page offers
no step its reader may not take, and the service refuses it in Chinese."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.catalog.models import Document, Genre
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.publishing import services, workflow
from gongkai.publishing.models import ReviewPolicy, ReviewStep
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """audit.verify() compares with the anchors file: this test's own, not one another run wrote."""
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"

BODY = "<p>各乡镇要组织开展秋冬季森林防火检查，落实防火责任。</p>"


def draft(user, org, title="关于开展秋冬季森林防火检查的通知"):
    return services.save_draft(None, user=user, organisation=org, title=title, genre=Genre.objects.get(name="通知"),
                               body_html=BODY)


@pytest.fixture
def everyone(org_tree, make_user):
    """One account holding every role of the county's workflow."""
    county = org_tree["county"]
    return make_user("all.roles", (county, "drafter"), (county, "reviewer", 1), (county, "reviewer", 2),
                     (county, "reviewer", 3), (county, "secrecy"), (county, "publisher"))


@pytest.fixture
def reviewer_all_levels(org_tree, make_user):
    """A reviewer holding every review level and the secrecy review (no drafting)."""
    county = org_tree["county"]
    return make_user("multi.reviewer", (county, "reviewer", 1), (county, "reviewer", 2), (county, "reviewer", 3),
                     (county, "secrecy"))


# --- the pure rule -------------------------------------------------------------

def test_the_rule_without_a_database():
    strict, relaxed = workflow.Separation(), workflow.Separation(one_step_per_person=False, drafter_may_not_review=False)
    level1, level2, secrecy = (workflow.REVIEW, 1), (workflow.REVIEW, 2), (workflow.SECRECY, 0)
    taken = [(7, level1)]
    assert workflow.separation_conflict(7, level2, drafters=set(), taken=taken, policy=strict) == ("step", level1)
    assert workflow.separation_conflict(7, level1, drafters=set(), taken=taken, policy=strict) is None  # the same step
    assert workflow.separation_conflict(8, level2, drafters=set(), taken=taken, policy=strict) is None
    assert workflow.separation_conflict(7, secrecy, drafters={7}, taken=[], policy=strict) == ("drafter", None)
    assert workflow.separation_conflict(7, level2, drafters={7}, taken=taken, policy=relaxed) is None
    # which review step a recorded move was taken at
    assert workflow.review_step(workflow.PASS, workflow.REVIEW, 2) == level2
    assert workflow.review_step(workflow.RETURN, workflow.SECRECY, 0) == secrecy
    assert workflow.review_step(workflow.OVERRIDE_WORDING, workflow.SECRECY, 3) == (workflow.REVIEW, 3)
    assert workflow.review_step(workflow.SUBMIT, workflow.DRAFT, 0) is None
    assert workflow.review_step(workflow.PUBLISH, workflow.READY, 0) is None


# --- the service refuses ------------------------------------------------------------

def test_one_account_with_every_role_cannot_carry_a_document_alone(org_tree, everyone, county_staff):
    doc = services.act(draft(everyone, org_tree["county"]), workflow.SUBMIT, user=everyone)
    for action, comment in ((workflow.PASS, ""), (workflow.RETURN, "请修改。"), (workflow.STOP, "不发布。")):
        with pytest.raises(PermissionDenied, match="起草人或提交人.*不能审核") as refused:
            services.act(doc, action, user=everyone, comment=comment)
    assert "职责分离" in str(refused.value)
    doc.refresh_from_db()
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 1)
    assert list(ReviewStep.objects.filter(document=doc).values_list("action", flat=True)) == ["submit"]


def test_a_reviewer_takes_only_one_review_step_of_a_document(org_tree, county_staff, reviewer_all_levels):
    multi = reviewer_all_levels
    doc = services.act(draft(county_staff["drafter"], org_tree["county"]), workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=multi)  # 初审
    for action, comment in ((workflow.PASS, ""), (workflow.RETURN, "请修改。"), (workflow.STOP, "不发布。")):
        with pytest.raises(PermissionDenied, match="已办理本文件的“初审”.*一个审核环节"):
            services.act(doc, action, user=multi, comment=comment)
    doc = services.act(doc, workflow.PASS, user=county_staff["reviewer2"])
    with pytest.raises(PermissionDenied, match="初审"):
        services.act(doc, workflow.PASS, user=multi)  # 终审
    doc = services.act(doc, workflow.PASS, user=county_staff["reviewer3"])
    with pytest.raises(PermissionDenied, match="初审"):
        services.act(doc, workflow.PASS, user=multi)  # 保密审查
    doc = services.act(doc, workflow.PASS, user=county_staff["secrecy"])
    doc = services.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    assert doc.status == workflow.PUBLISHED
    actors = list(ReviewStep.objects.filter(document=doc, action="pass").values_list("actor__username", flat=True))
    assert actors == ["multi.reviewer", "reviewer2", "reviewer3", "secrecy"]


def test_the_submitter_may_not_review_either(org_tree, county_staff, make_user):
    county = org_tree["county"]
    # an office administrator submits a drafter's document, and also holds 初审
    admin = make_user("admin.reviewer", (county, "office_admin"), (county, "reviewer", 1))
    doc = services.act(draft(county_staff["drafter"], county), workflow.SUBMIT, user=admin)
    with pytest.raises(PermissionDenied, match="起草人或提交人"):
        services.act(doc, workflow.PASS, user=admin)
    assert Document.objects.get(pk=doc.pk).review_level == 1


def test_a_new_round_after_a_return_starts_afresh(org_tree, county_staff, reviewer_all_levels):
    multi = reviewer_all_levels
    doc = services.act(draft(county_staff["drafter"], org_tree["county"]), workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=multi)
    doc = services.act(doc, workflow.RETURN, user=county_staff["reviewer2"], comment="请补充依据。")
    doc = services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=county_staff["reviewer1"])
    # in this round multi has taken no step yet: 复审 is theirs to take, then no other
    doc = services.act(doc, workflow.PASS, user=multi)
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 3)
    with pytest.raises(PermissionDenied, match="复审"):
        services.act(doc, workflow.PASS, user=multi)


def test_the_superuser_is_bound_too(org_tree, county_staff, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")
    doc = services.act(draft(county_staff["drafter"], org_tree["county"]), workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=root)
    with pytest.raises(PermissionDenied, match="初审"):
        services.act(doc, workflow.PASS, user=root)


# --- the UI offers only what may be taken --------------------------------------------

def _act_buttons(response) -> list[str]:
    return [b.get("value") for b in parse(response).xpath("//section[@aria-labelledby='act-h']//button")]


def test_the_document_page_offers_no_step_the_reader_may_not_take(org_tree, county_staff, reviewer_all_levels, everyone, client):
    county = org_tree["county"]
    multi = reviewer_all_levels
    doc = services.act(draft(county_staff["drafter"], county), workflow.SUBMIT, user=county_staff["drafter"])
    url = reverse("workspace:document", args=[doc.pk])
    client.force_login(multi)
    assert set(_act_buttons(client.get(url))) == {"pass", "return", "stop"}
    client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "pass"})
    doc.refresh_from_db()
    assert doc.review_level == 2
    page = client.get(url)
    assert _act_buttons(page) == []
    note = text_of(parse(page).xpath("//*[@id='separation-note']")[0])
    assert "初审" in note and "职责分离" in note
    # the workbench does not list it as waiting for them
    waiting = text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-waiting"))
    assert doc.title not in waiting and "待我处理（0）" in waiting
    # a forged request is refused in Chinese and changes nothing
    denied = client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "pass"})
    assert denied.status_code == 403 and "职责分离" in denied.content.decode()
    doc.refresh_from_db()
    assert doc.review_level == 2
    # the same through the API
    response = client.post(f"/api/staff/documents/{doc.pk}/actions", {"action": "pass"}, content_type="application/json")
    assert response.status_code == 403 and "职责分离" in response.json()["detail"]
    # reviewer2 is offered the step and sees it waiting
    client.force_login(county_staff["reviewer2"])
    assert "pass" in _act_buttons(client.get(url))
    assert doc.title in text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-waiting"))

    # the drafter holding every role is offered no review of their own document
    own = services.act(draft(everyone, county, title="关于调整农村低保标准的通知"), workflow.SUBMIT, user=everyone)
    client.force_login(everyone)
    page = client.get(reverse("workspace:document", args=[own.pk]))
    assert _act_buttons(page) == []
    assert "起草人或提交人" in text_of(parse(page).xpath("//*[@id='separation-note']")[0])
    assert own.title not in text_of(parse(client.get(reverse("workspace:home"))).get_element_by_id("panel-waiting"))


# --- the policy: relaxed per organisation, inherited down, audited --------------------------

def test_a_relaxed_policy_is_set_by_the_office_inherited_below_and_audited(org_tree, county_staff, make_user, everyone):
    city, county = org_tree["city"], org_tree["county"]
    city_admin = make_user("city.admin", (city, "office_admin"))
    policy = services.set_review_policy(city, user=city_admin, one_step_per_person=False, drafter_may_not_review=False,
                                        reason="机构编制少，审核人员不足，经主要负责人批准。")
    assert policy.organisation == city
    entry = AuditEntry.objects.get(action="review_policy.set")
    assert entry.actor == "city.admin" and entry.object_id == str(city.pk)
    assert entry.detail["one_step_per_person"] is False and "审核人员不足" in entry.detail["reason"]
    assert audit.verify().ok
    # the county below inherits it: one person may now carry a document alone
    assert services.review_policy_for(county) == policy
    doc = services.act(draft(everyone, county), workflow.SUBMIT, user=everyone)
    for _ in range(4):
        doc = services.act(doc, workflow.PASS, user=everyone)
    assert doc.status == workflow.READY

    # the county's office re-tightens it for itself
    services.set_review_policy(county, user=county_staff["office_admin"], one_step_per_person=True, drafter_may_not_review=True)
    assert services.review_policy_for(county).organisation == county
    doc = services.act(draft(everyone, county, title="关于做好冬季供暖保障的通知"), workflow.SUBMIT, user=everyone)
    with pytest.raises(PermissionDenied, match="起草人或提交人"):
        services.act(doc, workflow.PASS, user=everyone)
    # ... and goes back to inheriting the city's
    services.clear_review_policy(county, user=county_staff["office_admin"])
    assert services.review_policy_for(county) == policy
    assert list(AuditEntry.objects.filter(action__startswith="review_policy.").order_by("seq").values_list("action", flat=True)) == [
        "review_policy.set", "review_policy.set", "review_policy.clear"]


def test_each_relaxation_is_separate(org_tree, county_staff, reviewer_all_levels, make_user):
    county = org_tree["county"]
    # several steps allowed, but the drafter still may not review
    services.set_review_policy(county, user=county_staff["office_admin"], one_step_per_person=False,
                               drafter_may_not_review=True, reason="审核人员不足。")
    doc = services.act(draft(county_staff["drafter"], county), workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=reviewer_all_levels)
    doc = services.act(doc, workflow.PASS, user=reviewer_all_levels)
    assert doc.review_level == 3
    writer = make_user("writer.reviewer", (county, "drafter"), (county, "reviewer", 1))
    own = services.act(draft(writer, county, title="关于做好冬季供暖保障的通知"), workflow.SUBMIT, user=writer)
    with pytest.raises(PermissionDenied, match="起草人或提交人"):
        services.act(own, workflow.PASS, user=writer)


def test_only_the_office_administrator_or_superuser_sets_the_policy(org_tree, county_staff, django_user_model):
    city, county = org_tree["city"], org_tree["county"]
    for name in ("drafter", "reviewer3", "secrecy", "publisher", "nobody"):
        with pytest.raises(PermissionDenied, match="政务公开办管理员"):
            services.set_review_policy(county, user=county_staff[name], one_step_per_person=False,
                                       drafter_may_not_review=False, reason="人手不足。")
    # the county's office administrator reaches below, not above
    with pytest.raises(PermissionDenied):
        services.set_review_policy(city, user=county_staff["office_admin"], one_step_per_person=False,
                                   drafter_may_not_review=False, reason="人手不足。")
    with pytest.raises(PermissionDenied):
        services.clear_review_policy(city, user=county_staff["office_admin"])
    # relaxing needs a written reason
    with pytest.raises(ValidationError) as refused:
        services.set_review_policy(county, user=county_staff["office_admin"], one_step_per_person=False,
                                   drafter_may_not_review=True, reason="  ")
    assert "理由" in refused.value.message_dict["reason"][0]
    assert not ReviewPolicy.objects.exists() and not AuditEntry.objects.filter(action__startswith="review_policy.").exists()
    services.set_review_policy(org_tree["township"], user=county_staff["office_admin"], one_step_per_person=False,
                               drafter_may_not_review=False, reason="镇里只有两名工作人员。")
    root = django_user_model.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")
    services.set_review_policy(city, user=root, one_step_per_person=False, drafter_may_not_review=True, reason="试点。")
    assert ReviewPolicy.objects.count() == 2


def test_the_members_page_sets_the_policy(org_tree, county_staff, client):
    county = org_tree["county"]
    client.force_login(county_staff["office_admin"])
    page = client.get(reverse("workspace:members"))
    section = text_of(parse(page).xpath("//section[@aria-labelledby='policy-h']")[0])
    assert "同一人只能办理同一文件的一个审核环节" in section
    response = client.post(reverse("workspace:members"), {
        "op": "review_policy", "policy_organisation": county.pk, "one_step_per_person": "", "drafter_may_not_review": "on",
        "reason": "审核人员不足。"})
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(organisation=county)
    assert (policy.one_step_per_person, policy.drafter_may_not_review) == (False, True)
    section = text_of(parse(client.get(reverse("workspace:members"))).xpath("//section[@aria-labelledby='policy-h']")[0])
    assert "审核人员不足" in section
    # without a reason: the page says why, nothing changes
    response = client.post(reverse("workspace:members"), {
        "op": "review_policy", "policy_organisation": county.pk, "reason": ""})
    assert response.status_code == 200 and "理由" in text_of(parse(response).xpath("//section[@aria-labelledby='policy-h']")[0])
    assert ReviewPolicy.objects.get(organisation=county).drafter_may_not_review is True
    client.force_login(county_staff["drafter"])
    assert client.post(reverse("workspace:members"), {"op": "review_policy", "policy_organisation": county.pk,
                                                      "reason": "x"}).status_code == 403
