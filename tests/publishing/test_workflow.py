"""The review workflow through its services: the table of moves, who may take
them, the checks before publication, 三同步 and scheduled publication."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from gongkai.catalog.models import Document, Genre, Relation
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.publishing import services, workflow
from gongkai.publishing.models import PrivacyFinding, ReviewStep
from gongkai.search import services as search

pytestmark = pytest.mark.django_db

BODY = "为进一步规范城乡居民最低生活保障审批工作，现就有关事项通知如下。一、严格审核申请材料。二、按月公示保障对象。"


def draft(staff, org, title="关于规范城乡居民最低生活保障审批工作的通知", genre="通知", body=BODY, **fields):
    return services.save_draft(None, user=staff["drafter"], organisation=org, title=title,
                               genre=Genre.objects.get(name=genre), body_html=f"<p>{body}</p>",
                               document_number=fields.pop("document_number", ""), **fields)


def to_ready(doc, staff):
    doc = services.act(doc, workflow.SUBMIT, user=staff["drafter"])
    for level in (1, 2, 3):
        assert (doc.status, doc.review_level) == (workflow.REVIEW, level)
        doc = services.act(doc, workflow.PASS, user=staff[f"reviewer{level}"])
    assert doc.status == workflow.SECRECY
    return services.act(doc, workflow.PASS, user=staff["secrecy"])


def test_three_reviews_and_secrecy_then_publication(org_tree, county_staff):
    doc = draft(county_staff, org_tree["county"])
    assert doc.status == workflow.DRAFT and doc.created_by == county_staff["drafter"]
    doc = to_ready(doc, county_staff)
    assert doc.status == workflow.READY
    assert not search.search("最低生活保障").hits  # not public before publication
    doc = services.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    assert doc.status == workflow.PUBLISHED and doc.index_number.startswith(org_tree["county"].index_prefix)
    assert [h.document.pk for h in search.search("最低生活保障").hits] == [doc.pk]
    steps = list(ReviewStep.objects.filter(document=doc).values_list("action", "from_state", "to_state", "level"))
    assert steps == [
        ("submit", "draft", "review", 0), ("pass", "review", "review", 1), ("pass", "review", "review", 2),
        ("pass", "review", "secrecy", 3), ("pass", "secrecy", "ready", 0), ("publish", "ready", "published", 0),
    ]
    actions = list(AuditEntry.objects.filter(object_type="document", object_id=str(doc.pk)).order_by("seq").values_list("action", "actor"))
    assert actions[0] == ("document.create", "drafter")
    assert ("workflow.pass", "secrecy") in actions and actions[-1] == ("document.publish", "publisher")
    assert audit.verify().ok


def test_configured_review_levels(org_tree, make_user):
    org = org_tree["township"]
    org.review_levels = 1
    org.save()
    staff = {"drafter": make_user("d", (org, "drafter")), "r": make_user("r", (org, "reviewer", 1))}
    doc = services.save_draft(None, user=staff["drafter"], organisation=org, title="安宁镇关于开展秋季防火工作的通知", body_html="<p>做好防火。</p>")
    doc = services.act(doc, workflow.SUBMIT, user=staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=staff["r"])
    assert doc.status == workflow.SECRECY  # one level configured: 终审 passes straight to secrecy review


def test_return_needs_a_comment_and_goes_back_to_the_drafter(org_tree, county_staff):
    doc = services.act(draft(county_staff, org_tree["county"]), workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.PASS, user=county_staff["reviewer1"])
    with pytest.raises(ValidationError) as refused:
        services.act(doc, workflow.RETURN, user=county_staff["reviewer2"], comment="  ")
    assert "须填写意见" in refused.value.messages[0]
    assert Document.objects.get(pk=doc.pk).status == workflow.REVIEW
    doc = services.act(doc, workflow.RETURN, user=county_staff["reviewer2"], comment="请补充政策依据。")
    assert (doc.status, doc.review_level) == (workflow.DRAFT, 0)
    from gongkai.workspace import selectors

    returned = list(selectors.returned_to(county_staff["drafter"]))
    assert returned == [doc]
    assert selectors.last_comment(doc).comment == "请补充政策依据。"
    # edited and resubmitted, it starts again at the first level
    doc = services.save_draft(doc, user=county_staff["drafter"], body_html="<p>依据《社会救助暂行办法》。</p>")
    doc = services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 1)
    assert list(selectors.returned_to(county_staff["drafter"])) == []


def test_stop_and_moves_outside_the_table_are_refused(org_tree, county_staff):
    doc = draft(county_staff, org_tree["county"])
    with pytest.raises(ValidationError, match="草稿.*不能.*立即发布"):
        services.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    with pytest.raises(ValidationError, match="不能“通过”"):
        services.act(doc, workflow.PASS, user=county_staff["reviewer1"])
    doc = services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    doc = services.act(doc, workflow.STOP, user=county_staff["reviewer1"], comment="该事项已由上级统一发布。")
    assert doc.status == workflow.STOPPED
    with pytest.raises(ValidationError):
        services.act(doc, workflow.PASS, user=county_staff["reviewer1"])
    with pytest.raises(ValidationError, match="不能修改"):
        services.save_draft(doc, user=county_staff["drafter"], title="改标题")


def test_reviewer_of_another_level_cannot_pass(org_tree, county_staff):
    doc = services.act(draft(county_staff, org_tree["county"]), workflow.SUBMIT, user=county_staff["drafter"])
    for name in ("reviewer2", "reviewer3", "secrecy", "publisher", "drafter", "office_admin", "nobody"):
        with pytest.raises(PermissionDenied):
            services.act(doc, workflow.PASS, user=county_staff[name])
    assert Document.objects.get(pk=doc.pk).review_level == 1


def test_disclosure_ground_is_required_for_withheld_and_on_request(org_tree, county_staff):
    with pytest.raises(ValidationError) as refused:
        draft(county_staff, org_tree["county"], disclosure=Document.Disclosure.WITHHELD)
    assert "disclosure_ground" in refused.value.message_dict
    doc = draft(county_staff, org_tree["county"], disclosure=Document.Disclosure.WITHHELD, disclosure_ground="process_info")
    assert doc.get_disclosure_ground_display().startswith("属于四类过程性信息")


def test_privacy_finding_blocks_publication_until_masked(org_tree, county_staff):
    from gongkai.publishing import findings, privacy

    first17 = "51340119800101123"
    id_number = first17 + privacy.id_check_character(first17)
    doc = draft(county_staff, org_tree["county"], title="关于张某某最低生活保障资格的公示",
                body=f"申请人张某某，身份证号{id_number}，经审核符合条件。")
    doc = services.act(doc, workflow.SUBMIT, user=county_staff["drafter"])
    for level in (1, 2, 3):
        doc = services.act(doc, workflow.PASS, user=county_staff[f"reviewer{level}"])
    with pytest.raises(ValidationError, match="个人信息"):
        services.act(doc, workflow.PASS, user=county_staff["secrecy"])
    finding = PrivacyFinding.objects.get(document=doc, state=PrivacyFinding.State.OPEN)
    findings.mask_finding(finding, county_staff["secrecy"])
    doc = services.act(doc, workflow.PASS, user=county_staff["secrecy"])
    doc = services.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    assert id_number not in doc.body and "513401********1234"[:6] in doc.body
    assert audit.verify().ok


def test_normative_document_goes_out_only_with_its_interpretation(org_tree, county_staff):
    county = org_tree["county"]
    policy = draft(county_staff, county, title="西昌市城乡居民最低生活保障实施办法", genre="行政规范性文件",
                   document_number="西府发〔2024〕3号")
    policy = to_ready(policy, county_staff)
    with pytest.raises(ValidationError, match="三同步"):
        services.act(policy, workflow.PUBLISH, user=county_staff["publisher"])
    reading = draft(county_staff, county, title="《西昌市城乡居民最低生活保障实施办法》政策解读", genre="政策解读",
                    interpretation_form="text", body="一、制定背景。二、主要内容。")
    services.link_interpretation(policy, reading, user=county_staff["drafter"])
    with pytest.raises(ValidationError, match="还处于“草稿”"):
        services.act(policy, workflow.PUBLISH, user=county_staff["publisher"])
    reading = to_ready(reading, county_staff)
    policy = services.act(policy, workflow.PUBLISH, user=county_staff["publisher"])
    reading.refresh_from_db()
    assert policy.status == reading.status == workflow.PUBLISHED
    assert Relation.objects.filter(source=reading, target=policy, kind="interprets").exists()


def test_interpretation_link_needs_the_interpretation_genre(org_tree, county_staff):
    county = org_tree["county"]
    policy = draft(county_staff, county, title="西昌市殡葬管理办法", genre="行政规范性文件")
    other = draft(county_staff, county, title="关于殡葬改革的通知")
    with pytest.raises(ValidationError, match="不是“政策解读”"):
        services.link_interpretation(policy, other, user=county_staff["drafter"])
    with pytest.raises(PermissionDenied):
        services.link_interpretation(policy, other, user=county_staff["reviewer1"])


def test_scheduled_publication_is_caught_up_once(org_tree, county_staff):
    doc = to_ready(draft(county_staff, org_tree["county"]), county_staff)
    with pytest.raises(ValidationError, match="晚于当前时间"):
        services.act(doc, workflow.SCHEDULE, user=county_staff["publisher"], scheduled_at=timezone.now() - dt.timedelta(minutes=1))
    when = timezone.now() + dt.timedelta(hours=2)
    doc = services.act(doc, workflow.SCHEDULE, user=county_staff["publisher"], scheduled_at=when)
    assert doc.status == workflow.READY and doc.scheduled_at == when
    assert services.publish_due(timezone.now()) == (0, [])  # not yet
    # the worker was down when the time came; the next run catches up, once
    later = when + dt.timedelta(hours=5)
    assert services.publish_due(later) == (1, [])
    assert services.publish_due(later) == (0, [])
    doc.refresh_from_db()
    assert doc.status == workflow.PUBLISHED and doc.scheduled_at is None
    entry = AuditEntry.objects.filter(action="document.publish", object_id=str(doc.pk)).get()
    assert entry.actor == "system"


def test_worker_command_runs_one_tick(org_tree, county_staff, capsys):
    doc = to_ready(draft(county_staff, org_tree["county"]), county_staff)
    Document.objects.filter(pk=doc.pk).update(scheduled_at=timezone.now() - dt.timedelta(days=1))
    call_command("worker", "--once")
    assert "worker: publish_due: published 1, held 0" in capsys.readouterr().out
    assert Document.objects.get(pk=doc.pk).status == workflow.PUBLISHED


def test_withdrawal_keeps_the_index_number_and_leaves_search(org_tree, county_staff):
    doc = services.act(to_ready(draft(county_staff, org_tree["county"]), county_staff), workflow.PUBLISH, user=county_staff["publisher"])
    number = doc.index_number
    with pytest.raises(ValidationError, match="须填写意见"):
        services.act(doc, workflow.WITHDRAW, user=county_staff["publisher"])
    with pytest.raises(PermissionDenied):
        services.act(doc, workflow.WITHDRAW, user=county_staff["drafter"], comment="内容有误")
    doc = services.act(doc, workflow.WITHDRAW, user=county_staff["publisher"], comment="内容有误，撤回。")
    assert doc.status == workflow.WITHDRAWN and doc.index_number == number and doc.withdrawn_at
    assert not search.search("最低生活保障").hits


def test_bad_draft_input_names_the_field_and_saves_nothing(org_tree, county_staff):
    before = (Document.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="  ")
    assert "标题" in refused.value.message_dict["title"][0]
    with pytest.raises(ValidationError) as refused:
        services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于X的通知",
                            written_date=timezone.localdate() + dt.timedelta(days=3))
    assert "成文日期" in refused.value.message_dict["written_date"][0]
    services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于开展安全检查的通知",
                        document_number="西府发〔2024〕9号")
    with pytest.raises(ValidationError) as refused:
        services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于开展消防检查的通知",
                            document_number="西府发[2024]9号")
    assert "西府发〔2024〕9号" in refused.value.message_dict["document_number"][0]
    doc = services.save_draft(None, user=county_staff["drafter"], organisation=org_tree["county"], title="关于防汛的通知",
                              body_html='<p onclick="steal()">防汛<script>alert(1)</script></p>')
    assert "script" not in doc.body and "onclick" not in doc.body
    assert Document.objects.count() == before[0] + 2


def test_audit_verify_finds_a_tampered_workflow_entry(org_tree, county_staff, capsys):
    doc = services.act(to_ready(draft(county_staff, org_tree["county"]), county_staff), workflow.PUBLISH, user=county_staff["publisher"])
    call_command("audit", "verify")
    assert "The audit log is whole" in capsys.readouterr().out
    # someone rewrites who passed the secrecy review
    entry = AuditEntry.objects.get(action="workflow.pass", actor="secrecy", object_id=str(doc.pk))
    AuditEntry.objects.filter(pk=entry.pk).update(actor="publisher")
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert f"entry #{entry.seq} was altered" in capsys.readouterr().out


def test_the_final_reviewers_confirmation_moves_nothing():
    assert workflow.target(workflow.REVIEW, workflow.OVERRIDE_WORDING, 3, 3) == (workflow.REVIEW, 3)
    assert workflow.target(workflow.READY, workflow.OVERRIDE_WORDING, 0, 3) == (workflow.READY, 0)
    assert workflow.move_for(workflow.SECRECY, workflow.OVERRIDE_WORDING).needs_comment
    for state in (workflow.DRAFT, workflow.PUBLISHED, workflow.WITHDRAWN, workflow.STOPPED):
        with pytest.raises(workflow.TransitionRefused):
            workflow.move_for(state, workflow.OVERRIDE_WORDING)


def test_a_small_township_carries_a_document_with_two_people_only_under_a_relaxed_policy(org_tree, county_staff, make_user):
    """Separation of duties is the default; a township with two staff relaxes it
    explicitly (its county's office administrator, with a reason)."""
    township = org_tree["township"]
    writer = make_user("writer", (township, "drafter"), (township, "publisher"))
    checker = make_user("checker", (township, "reviewer", 1), (township, "reviewer", 2), (township, "reviewer", 3),
                        (township, "secrecy"))
    doc = services.save_draft(None, user=writer, organisation=township, title="安宁镇关于开展秋季防火工作的通知",
                              body_html="<p>做好防火。</p>")
    doc = services.act(doc, workflow.SUBMIT, user=writer)
    doc = services.act(doc, workflow.PASS, user=checker)
    with pytest.raises(PermissionDenied, match="职责分离"):
        services.act(doc, workflow.PASS, user=checker)
    services.set_review_policy(township, user=county_staff["office_admin"], one_step_per_person=False,
                               drafter_may_not_review=True, reason="镇政府只有两名工作人员。")
    for _ in range(3):
        doc = services.act(doc, workflow.PASS, user=checker)
    doc = services.act(doc, workflow.PUBLISH, user=writer)
    assert doc.status == workflow.PUBLISHED
    assert list(ReviewStep.objects.filter(document=doc, action="pass").values_list("actor__username", flat=True)) == ["checker"] * 4


def test_an_attachment_not_read_yet_holds_publication(org_tree, county_staff, settings, tmp_path):
    """The privacy scan cannot have seen an attachment the worker has not read:
    publication waits for it, then goes ahead once it is read and clean."""
    from django.core.files.base import ContentFile

    from gongkai.catalog.models import Attachment
    from gongkai.publishing import attachment_text

    settings.MEDIA_ROOT = tmp_path
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"
    doc = to_ready(draft(county_staff, org_tree["county"]), county_staff)
    Attachment(document=doc, name="说明.txt", file=ContentFile("会议时间另行通知。".encode(), name="说明.txt")).save()
    with pytest.raises(ValidationError, match="附件内容正在由后台任务读取（说明.txt）"):
        services.act(doc, workflow.PUBLISH, user=county_staff["publisher"])
    assert Document.objects.get(pk=doc.pk).status == workflow.READY
    attachment_text.read_pending()  # the worker's next tick
    doc = services.act(Document.objects.get(pk=doc.pk), workflow.PUBLISH, user=county_staff["publisher"])
    assert doc.status == workflow.PUBLISHED
