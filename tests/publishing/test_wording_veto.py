"""Serious wording errors (严重表述错误: the country's name, the Party's name,
leaders' names and titles, …) block the final approval (终审) and
publication until the text is corrected, or until the final reviewer
confirms it with a written reason: audited, and shown in the document's
review history. Other kinds of wording findings only warn."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongkai.catalog.models import Document, Genre
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.publishing import services, workflow
from gongkai.publishing.models import ReviewStep, WordingRule
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """audit.verify() compares with the anchors file: this test's own, not one another run wrote."""
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"

WRONG = "<p>根据《中华人民共合国政府信息公开条例》，现将有关事项通知如下。</p>"
RIGHT = "<p>根据《中华人民共和国政府信息公开条例》，现将有关事项通知如下。</p>"
REASON = "系引用原件照录的错误表述，已在按语中注明，经请示照录发布。"


def draft(staff, org, body=WRONG, title="关于做好政府信息公开工作的通知"):
    return services.save_draft(None, user=staff["drafter"], organisation=org, title=title,
                               genre=Genre.objects.get(name="通知"), body_html=body)


def to_final_review(doc, staff):
    doc = services.act(doc, workflow.SUBMIT, user=staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=staff["reviewer1"])
    doc = services.act(doc, workflow.PASS, user=staff["reviewer2"])
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 3)
    return doc


def test_serious_error_blocks_final_approval_until_corrected(org_tree, county_staff):
    s = county_staff
    doc = to_final_review(draft(s, org_tree["county"]), s)
    assert [w["text"] for w in services.serious_wording(doc)] == ["中华人民共合国"]
    with pytest.raises(ValidationError, match="严重表述错误.*中华人民共合国") as refused:
        services.act(doc, workflow.PASS, user=s["reviewer3"])
    assert "终审人" in refused.value.messages[0]
    assert Document.objects.get(pk=doc.pk).review_level == 3
    # corrected: returned, edited, resubmitted, then it goes through
    doc = services.act(doc, workflow.RETURN, user=s["reviewer3"], comment="国名有误，请改正。")
    doc = services.save_draft(doc, user=s["drafter"], body_html=RIGHT)
    doc = to_final_review(doc, s)
    assert services.serious_wording(doc) == []
    doc = services.act(doc, workflow.PASS, user=s["reviewer3"])
    doc = services.act(doc, workflow.PASS, user=s["secrecy"])
    doc = services.act(doc, workflow.PUBLISH, user=s["publisher"])
    assert doc.status == workflow.PUBLISHED


def test_a_ready_document_with_a_serious_error_cannot_be_published_or_scheduled(org_tree, county_staff):
    s = county_staff
    doc = to_final_review(draft(s, org_tree["county"], body="<p>请各单位认真学习贯彻落实。</p>"), s)
    doc = services.act(doc, workflow.PASS, user=s["reviewer3"])
    doc = services.act(doc, workflow.PASS, user=s["secrecy"])
    assert doc.status == workflow.READY
    # the office adds a serious-error rule the text falls under after the final approval
    WordingRule.objects.create(phrase="认真学习贯彻落实", kind="error", suggestion="（测试用）")
    with pytest.raises(ValidationError, match="严重表述错误"):
        services.act(doc, workflow.PUBLISH, user=s["publisher"])
    with pytest.raises(ValidationError, match="严重表述错误"):
        services.act(doc, workflow.SCHEDULE, user=s["publisher"], scheduled_at=timezone.now() + dt.timedelta(hours=1))
    # a schedule set before is held back by the worker, with the reason
    Document.objects.filter(pk=doc.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=5))
    count, held = services.publish_due(timezone.now())
    assert count == 0 and "严重表述错误" in held[0]
    assert Document.objects.get(pk=doc.pk).status == workflow.READY
    # the final reviewer confirms it with a reason: now it can go out
    services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
    doc = services.act(Document.objects.get(pk=doc.pk), workflow.PUBLISH, user=s["publisher"])
    assert doc.status == workflow.PUBLISHED


def test_other_kinds_only_warn(org_tree, county_staff):
    s = county_staff
    doc = to_final_review(draft(s, org_tree["county"], body="<p>由国土资源部牵头。</p>"), s)  # an outdated organ name
    assert services.wording_report(doc) and services.serious_wording(doc) == []
    doc = services.act(doc, workflow.PASS, user=s["reviewer3"])
    assert doc.status == workflow.SECRECY


def test_the_final_reviewer_overrides_with_a_reason_audited_and_in_the_history(org_tree, county_staff, client):
    s = county_staff
    doc = to_final_review(draft(s, org_tree["county"]), s)
    with pytest.raises(ValidationError, match="须填写意见"):
        services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment="  ")
    doc = services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 3)  # the override moves nothing
    with pytest.raises(ValidationError, match="已"):
        services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)  # once is enough
    doc = services.act(doc, workflow.PASS, user=s["reviewer3"])
    doc = services.act(doc, workflow.PASS, user=s["secrecy"])
    doc = services.act(doc, workflow.PUBLISH, user=s["publisher"])
    assert doc.status == workflow.PUBLISHED and "中华人民共合国" in doc.body_text

    entry = AuditEntry.objects.get(action="workflow.override_wording", object_id=str(doc.pk))
    assert entry.actor == "reviewer3" and entry.detail["reason"] == REASON
    assert [f["text"] for f in entry.detail["findings"]] == ["中华人民共合国"]
    assert audit.verify().ok
    step = ReviewStep.objects.get(document=doc, action=workflow.OVERRIDE_WORDING)
    assert (step.actor, step.level, step.comment) == (s["reviewer3"], 3, REASON)
    client.force_login(s["drafter"])
    history = text_of(parse(client.get(reverse("workspace:document", args=[doc.pk]))).xpath("//section[@aria-labelledby='hist-h']")[0])
    assert REASON in history and "reviewer3" in history and workflow.ACTION_LABELS[workflow.OVERRIDE_WORDING] in history


def test_only_the_final_reviewer_may_override(org_tree, county_staff, make_user):
    s = county_staff
    doc = services.act(draft(s, org_tree["county"]), workflow.SUBMIT, user=s["drafter"])
    # not before the document reaches the final review
    with pytest.raises(ValidationError, match="终审"):
        services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
    doc = services.act(doc, workflow.PASS, user=s["reviewer1"])
    doc = services.act(doc, workflow.PASS, user=s["reviewer2"])
    for name in ("reviewer1", "reviewer2", "secrecy", "publisher", "drafter", "office_admin", "nobody"):
        with pytest.raises(PermissionDenied, match="终审人"):
            services.act(doc, workflow.OVERRIDE_WORDING, user=s[name], comment=REASON)
    # a final reviewer who took another step of this document may not either
    county = org_tree["county"]
    both = make_user("both.levels", (county, "reviewer", 1), (county, "reviewer", 3))
    other = services.act(draft(s, county, title="关于做好信息公开年报编制的通知"), workflow.SUBMIT, user=s["drafter"])
    other = services.act(other, workflow.PASS, user=both)
    other = services.act(other, workflow.PASS, user=s["reviewer2"])
    with pytest.raises(PermissionDenied, match="初审"):
        services.act(other, workflow.OVERRIDE_WORDING, user=both, comment=REASON)
    assert not ReviewStep.objects.filter(action=workflow.OVERRIDE_WORDING).exists()
    assert not AuditEntry.objects.filter(action="workflow.override_wording").exists()
    with pytest.raises(ValidationError, match="严重表述错误"):
        services.act(doc, workflow.PASS, user=s["reviewer3"])
    # nothing to override in a correct text
    clean = to_final_review(draft(s, county, body=RIGHT, title="关于做好政务公开培训的通知"), s)
    with pytest.raises(ValidationError, match="没有严重表述错误"):
        services.act(clean, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)


def test_an_override_lasts_one_round(org_tree, county_staff):
    s = county_staff
    doc = to_final_review(draft(s, org_tree["county"]), s)
    doc = services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
    doc = services.act(doc, workflow.RETURN, user=s["reviewer3"], comment="另有问题，请修改。")
    doc = to_final_review(doc, s)  # resubmitted unchanged: the earlier confirmation does not carry over
    with pytest.raises(ValidationError, match="严重表述错误"):
        services.act(doc, workflow.PASS, user=s["reviewer3"])


def test_an_interpretation_with_a_serious_error_holds_its_policy_back(org_tree, county_staff):
    s = county_staff
    county = org_tree["county"]
    policy = draft(s, county, body=RIGHT, title="西昌市城乡居民临时救助实施办法")
    policy = services.save_draft(policy, user=s["drafter"], genre=Genre.objects.get(name="行政规范性文件"))
    reading = draft(s, county, title="《西昌市城乡居民临时救助实施办法》政策解读",
                    body="<p>一、制定背景。二、主要内容。三、牢记实命。</p>")
    reading = services.save_draft(reading, user=s["drafter"], genre=Genre.objects.get(name="政策解读"),
                                  interpretation_form="text")
    services.link_interpretation(policy, reading, user=s["drafter"])
    for doc in (policy, reading):
        doc = to_final_review(doc, s)
        if doc.pk == reading.pk:
            services.act(doc, workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
        doc = services.act(doc, workflow.PASS, user=s["reviewer3"])
        services.act(doc, workflow.PASS, user=s["secrecy"])
    # the confirmation covers what the final reviewer saw, not an error a rule added later finds
    WordingRule.objects.create(phrase="制定背景", kind="error", suggestion="（测试用）")
    with pytest.raises(ValidationError, match="政策解读》：.*严重表述错误.*制定背景"):
        services.act(Document.objects.get(pk=policy.pk), workflow.PUBLISH, user=s["publisher"])
    assert Document.objects.get(pk=policy.pk).status == Document.objects.get(pk=reading.pk).status == workflow.READY
    # confirmed again by the final reviewer, both go out together
    services.act(Document.objects.get(pk=reading.pk), workflow.OVERRIDE_WORDING, user=s["reviewer3"], comment=REASON)
    services.act(Document.objects.get(pk=policy.pk), workflow.PUBLISH, user=s["publisher"])
    assert Document.objects.get(pk=reading.pk).status == workflow.PUBLISHED


def test_the_page_offers_the_override_to_the_final_reviewer_only(org_tree, county_staff, client):
    s = county_staff
    doc = services.act(draft(s, org_tree["county"]), workflow.SUBMIT, user=s["drafter"])
    url = reverse("workspace:document", args=[doc.pk])
    client.force_login(s["reviewer3"])
    assert not parse(client.get(url)).xpath("//form[@id='override-form']")  # not at 终审 yet
    doc = services.act(doc, workflow.PASS, user=s["reviewer1"])
    doc = services.act(doc, workflow.PASS, user=s["reviewer2"])
    for name in ("reviewer2", "drafter", "secrecy"):
        client.force_login(s[name])
        page = client.get(url)
        assert not parse(page).xpath("//form[@id='override-form']"), name
    client.force_login(s["reviewer3"])
    page = client.get(url)
    wording = text_of(parse(page).xpath("//section[@aria-labelledby='wording-h']")[0])
    assert "严重表述错误" in wording and "终审" in wording
    assert parse(page).xpath("//form[@id='override-form']")
    # the main action buttons do not carry the override
    assert "override_wording" not in [b.get("value") for b in parse(page).xpath("//section[@aria-labelledby='act-h']//button")]
    response = client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "override_wording", "comment": ""})
    assert response.status_code == 302 and not ReviewStep.objects.filter(action="override_wording").exists()
    response = client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "override_wording", "comment": REASON})
    assert response.status_code == 302
    page = client.get(url)
    wording = text_of(parse(page).xpath("//section[@aria-labelledby='wording-h']")[0])
    assert REASON in wording and not parse(page).xpath("//form[@id='override-form']")
    client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "pass"})
    assert Document.objects.get(pk=doc.pk).status == workflow.SECRECY
