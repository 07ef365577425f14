"""Consultations on drafts (意见征集): the period rules, comments (open and
close dates, moderation, masking, nothing saved on a refusal), the closing
job, decisions per comment and per group, the adoption feedback as a
catalog draft linked to the final decision, the warning for feedback not
public in time (N per organisation), the XLSX export and who may do what."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.catalog.models import Document, Genre, Relation
from gongkai.core.models import AuditEntry
from gongkai.interaction import consultation_rules as rules
from gongkai.interaction import consultation_selectors as selectors
from gongkai.interaction import consultation_services as services
from gongkai.interaction import tasks
from gongkai.interaction.models import Consultation, ConsultationComment, ConsultationPolicy
from gongkai.publishing import services as publishing, workflow

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 3, 3)  # a Monday


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


# --- the rules (no database) ------------------------------------------------------


@pytest.mark.parametrize("opens, closes, major, reason, field", [
    (TODAY, TODAY, False, "", "closes_on"),                                       # not after the open date
    (TODAY, TODAY - dt.timedelta(days=3), True, "", "closes_on"),                 # before it
    (TODAY, TODAY + dt.timedelta(days=29), True, "", "short_reason"),             # 29 days, no reason
    (TODAY, TODAY + dt.timedelta(days=30), True, "", None),                       # 30 days: the rule
    (TODAY, TODAY + dt.timedelta(days=10), True, "防汛形势紧急，须在汛期前出台。", None),  # shorter, with its reason
    (TODAY, TODAY + dt.timedelta(days=7), False, "", None),                       # not major: no minimum
    (None, TODAY, False, "", "opens_on"),
])
def test_period_rules(opens, closes, major, reason, field):
    errors = rules.period_errors(opens, closes, major=major, short_reason=reason)
    assert (set(errors) == {field}) if field else errors == {}


def test_period_counts_days_as_the_civil_code_does():
    # 开始的当日不计入: 1 March to 31 March is 30 days, to 30 March 29.
    assert rules.period_days(dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == 30
    assert rules.period_errors(dt.date(2025, 3, 1), dt.date(2025, 3, 30), major=True, short_reason="")
    assert rules.earliest_close(dt.date(2025, 3, 1), True) == dt.date(2025, 3, 31)
    message = rules.period_errors(dt.date(2025, 3, 1), dt.date(2025, 3, 30), major=True, short_reason="")["short_reason"]
    assert "29日" in message and "2025-03-31" in message and "第十五条" in message


@pytest.mark.parametrize("text, expected", [
    ("", "请填写"), ("  \n ", "请填写"), ("好", "过短"), ("很" * (rules.MAX_COMMENT_CHARS + 1), "不能超过"),
    ("建议修改<script>alert(1)</script>第三条", "网页代码"), ("看这里 <a href='javascript:x'>链接</a>", "网页代码"),
    ("建议第三条增加老旧小区的内容。", ""),
])
def test_text_rules(text, expected):
    message = rules.text_error(text, what="意见内容", max_chars=rules.MAX_COMMENT_CHARS)
    assert (expected in message) if expected else message == ""


def test_public_text_masks_personal_data():
    from gongkai.publishing.privacy import id_check_character

    id_number = "51010419900101123" + id_check_character("51010419900101123")
    shown = rules.public_text(f"我的电话13912345678，身份证{id_number}，邮箱wang@example.com。第三条建议删除。")
    assert "13912345678" not in shown and "139****5678" in shown
    assert id_number not in shown and "wang@example.com" not in shown
    assert shown.endswith("第三条建议删除。")


def test_totals():
    total = rules.totals(["adopted", "partly", "adopted", "not_adopted"], comments=6)
    assert total == {"comments": 6, "items": 4, "adopted": 2, "partly": 1, "not_adopted": 1}
    assert rules.totals_sentence(total) == "共收到意见6条，归纳为4项，其中采纳2项、部分采纳1项、不采纳1项。"


# --- services -------------------------------------------------------------------------


def data(**extra):
    values = {
        "title": "关于公开征求《西昌市城市养犬管理办法（征求意见稿）》意见的公告",
        "draft_title": "西昌市城市养犬管理办法（征求意见稿）",
        "draft_text": "第一条 为规范养犬行为，制定本办法。\n第二条 携犬出户应当使用犬绳牵领。",
        "explanation": "一、起草背景。二、主要内容。",
        "how_to_comment": "", "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=30), "major": True,
        "short_reason": "", "require_name": False, "moderated": True,
    }
    values.update(extra)
    return values


@pytest.fixture
def staff(org_tree, make_user):
    county, township = org_tree["county"], org_tree["township"]
    return {
        "drafter": make_user("c_drafter", (county, "drafter")),
        "publisher": make_user("c_publisher", (county, "publisher")),
        "handler": make_user("c_handler", (county, "handler")),
        "admin": make_user("c_admin", (county, "office_admin")),
        "city_admin": make_user("c_city_admin", (org_tree["city"], "office_admin")),
        "reviewer": make_user("c_reviewer", (county, "reviewer", 1)),
        "secrecy": make_user("c_secrecy", (county, "secrecy")),
        "stranger": make_user("c_stranger", (township, "drafter")),
    }


@pytest.fixture
def published(db, org_tree, staff):
    consultation = services.consultation_save(None, user=staff["drafter"], organisation=org_tree["county"],
                                              today=TODAY, **data())
    return services.consultation_publish(consultation, user=staff["publisher"], today=TODAY)


def comment(consultation, text="建议第二条明确犬绳长度不超过1.5米。", day=TODAY, **extra):
    return services.comment_submit(consultation, text=text, now=at(day), **extra)


def closed(consultation, day=None):
    services.close_due(day or consultation.closes_on + dt.timedelta(days=1))
    consultation.refresh_from_db()
    return consultation


@pytest.mark.django_db
def test_prepare_and_publish_with_permissions(org_tree, staff):
    county = org_tree["county"]
    with pytest.raises(PermissionDenied):
        services.consultation_save(None, user=staff["stranger"], organisation=county, today=TODAY, **data())
    with pytest.raises(PermissionDenied):
        services.consultation_save(None, user=staff["publisher"], organisation=county, today=TODAY, **data())
    consultation = services.consultation_save(None, user=staff["drafter"], organisation=county, today=TODAY, **data())
    assert consultation.state == "draft" and "本页面" in consultation.how_to_comment
    with pytest.raises(PermissionDenied):  # drafters prepare, publishers publish
        services.consultation_publish(consultation, user=staff["drafter"], today=TODAY)
    with pytest.raises(ValidationError, match="开始日期已过"):
        services.consultation_publish(consultation, user=staff["publisher"], today=TODAY + dt.timedelta(days=1))
    services.consultation_publish(consultation, user=staff["publisher"], today=TODAY)
    consultation.refresh_from_db()
    assert consultation.state == "published" and consultation.published_at
    with pytest.raises(ValidationError, match="不能修改"):
        services.consultation_save(consultation, user=staff["drafter"], today=TODAY, **data(title="改了"))
    actions = list(AuditEntry.objects.filter(object_type="consultation").values_list("action", flat=True))
    assert sorted(actions) == ["consultation.create", "consultation.publish"]


@pytest.mark.django_db
def test_short_period_needs_its_reason_and_nothing_is_saved(org_tree, staff):
    county = org_tree["county"]
    with pytest.raises(ValidationError) as refused:
        services.consultation_save(None, user=staff["drafter"], organisation=county, today=TODAY,
                                   **data(closes_on=TODAY + dt.timedelta(days=15)))
    assert "short_reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.consultation_save(None, user=staff["drafter"], organisation=county, today=TODAY,
                                   **data(closes_on=TODAY - dt.timedelta(days=1)))
    assert "截止日期必须晚于开始日期" in refused.value.message_dict["closes_on"][0]
    assert Consultation.objects.count() == 0 and not AuditEntry.objects.filter(object_type="consultation").exists()
    saved = services.consultation_save(None, user=staff["drafter"], organisation=county, today=TODAY,
                                       **data(closes_on=TODAY + dt.timedelta(days=15), short_reason="汛期将至，情况紧急。"))
    assert saved.short_reason == "汛期将至，情况紧急。" and saved.period_days == 15
    # A reason given for a period that needs none is not kept (nor shown).
    normal = services.consultation_save(None, user=staff["drafter"], organisation=county, today=TODAY,
                                        **data(short_reason="多余的理由"))
    assert normal.short_reason == ""


@pytest.mark.django_db
def test_comments_follow_the_dates_moderation_and_masking(published, staff):
    early = services.consultation_save(None, user=staff["drafter"], organisation=published.organisation,
                                       today=TODAY, **data(opens_on=TODAY + dt.timedelta(days=5),
                                                           closes_on=TODAY + dt.timedelta(days=40)))
    with pytest.raises(ValidationError, match="尚未发布"):
        comment(early)
    early = services.consultation_publish(early, user=staff["publisher"], today=TODAY)
    with pytest.raises(ValidationError, match="2025年3月8日开始"):
        comment(early)
    first = comment(published, text="建议增加犬只粪便清理义务，我的电话13912345678。", name="王女士", contact="wang@example.com")
    assert first.serial == 1 and first.state == "pending"  # moderated: shown after review
    assert "13912345678" not in first.public_text and first.text.endswith("13912345678。")
    last_day = comment(published, day=published.closes_on)
    assert last_day.serial == 2
    with pytest.raises(ValidationError, match="已于2025年4月2日截止"):
        comment(published, day=published.closes_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        comment(published, text="<script>alert('x')</script>请删除第二条")
    assert "网页代码" in refused.value.message_dict["text"][0]
    assert ConsultationComment.objects.count() == 2
    assert not list(selectors.public_comments(published))
    services.comment_moderate(first, user=published.created_by, show=True)
    assert [c.serial for c in selectors.public_comments(published)] == [1]


@pytest.mark.django_db
def test_name_required_and_unmoderated(org_tree, staff):
    consultation = services.consultation_save(None, user=staff["drafter"], organisation=org_tree["county"], today=TODAY,
                                              **data(require_name=True, moderated=False))
    services.consultation_publish(consultation, user=staff["publisher"], today=TODAY)
    with pytest.raises(ValidationError) as refused:
        comment(consultation)
    assert "要求署名" in refused.value.message_dict["name"][0]
    shown = comment(consultation, name="四川某物业服务有限公司")
    assert shown.state == "shown"


@pytest.mark.django_db
def test_moderation_needs_a_reason_and_permission(published, staff):
    first = comment(published)
    with pytest.raises(ValidationError, match="须说明理由"):
        services.comment_moderate(first, user=staff["drafter"], show=False)
    with pytest.raises(PermissionDenied):
        services.comment_moderate(first, user=staff["stranger"], show=True)
    with pytest.raises(PermissionDenied):
        services.comment_moderate(first, user=staff["publisher"], show=True)
    services.comment_moderate(first, user=staff["drafter"], show=False, reason="含有广告内容")
    first.refresh_from_db()
    assert first.state == "hidden" and first.hidden_reason == "含有广告内容"


@pytest.mark.django_db
def test_closing_job(published, staff):
    comment(published)
    assert services.close_due(published.closes_on) == 0  # the close date itself is still open
    result = tasks.close_consultations.call(at(published.closes_on + dt.timedelta(days=1), 1).isoformat())
    assert result == {"closed": 1}
    published.refresh_from_db()
    assert published.state == "closed" and published.closed_at
    assert services.close_due(published.closes_on + dt.timedelta(days=2)) == 0  # a second run changes nothing
    entry = AuditEntry.objects.get(action="consultation.close")
    assert entry.actor == "system" and entry.detail == {"closes_on": "2025-04-02"}


@pytest.fixture
def decided(published, staff):
    """Closed with four comments shown: two decided together, one alone, one hidden."""
    drafter = staff["drafter"]
    made = [comment(published, text=t, day=TODAY + dt.timedelta(days=i)) for i, t in enumerate([
        "建议明确犬绳长度不超过1.5米。", "建议增加犬只粪便清理义务。", "大型犬的标准不清楚，建议附犬种目录。", "广告：专业训犬，电话13812345678"])]
    for c in made[:3]:
        services.comment_moderate(c, user=drafter, show=True)
    services.comment_moderate(made[3], user=drafter, show=False, reason="广告")
    with pytest.raises(ValidationError, match="截止后"):
        services.decide(published, [made[0].pk], user=drafter, decision="adopted", reason="已采纳。")
    closed(published)
    return published, made


@pytest.mark.django_db
def test_decisions_per_comment_and_group(decided, staff):
    consultation, made = decided
    drafter = staff["drafter"]
    assert "未作出是否采纳" in services.feedback_blocker(consultation)
    with pytest.raises(ValidationError, match="未公开显示"):
        services.decide(consultation, [made[3].pk], user=drafter, decision="adopted", reason="已采纳。")
    with pytest.raises(ValidationError):
        services.decide(consultation, [made[0].pk], user=drafter, decision="maybe", reason="已采纳。")
    with pytest.raises(ValidationError, match="请填写理由"):
        services.decide(consultation, [made[0].pk], user=drafter, decision="adopted", reason="")
    with pytest.raises(PermissionDenied):
        services.decide(consultation, [made[0].pk], user=staff["stranger"], decision="adopted", reason="已采纳。")
    services.decide(consultation, [made[0].pk], user=drafter, decision="not_adopted", reason="先不采纳。")
    group = services.decide(consultation, [made[0].pk, made[1].pk], user=drafter, decision="adopted",
                            reason="已修改第二条。", summary="建议明确犬绳长度并增加粪便清理义务。")
    services.decide(consultation, [made[2].pk], user=drafter, decision="partly", reason="增加体高标准，犬种目录另行公布。")
    rows = services.feedback_rows(consultation)
    assert [(r["number"], r["decision_label"], r["serials"]) for r in rows] == [(1, "采纳", [1, 2]), (2, "部分采纳", [3])]
    assert rows[0]["item"].pk == group.pk and consultation.items.count() == 2  # the first, emptied row is gone
    assert services.feedback_totals(consultation, rows) == {"comments": 3, "items": 2, "adopted": 1, "partly": 1,
                                                           "not_adopted": 0}
    assert services.feedback_blocker(consultation) == ""


@pytest.mark.django_db
def test_feedback_goes_through_review_and_links_the_final_decision(decided, staff, org_tree, make_document):
    consultation, made = decided
    drafter, county = staff["drafter"], org_tree["county"]
    services.decide(consultation, [made[0].pk, made[1].pk], user=drafter, decision="adopted", reason="已修改第二条。")
    services.decide(consultation, [made[2].pk], user=drafter, decision="not_adopted", reason="犬种目录另行公布。")
    decision = make_document(county, "西昌市城市养犬管理办法", publish=False, document_number="西府发〔2025〕8号")
    with pytest.raises(ValidationError):  # another organisation's document cannot be the decision
        services.link_decision(consultation, make_document(org_tree["township"], "安宁镇文件", publish=False), user=drafter)
    services.link_decision(consultation, decision, user=drafter)
    with pytest.raises(PermissionDenied):
        services.feedback_draft(consultation, user=staff["publisher"])
    doc = services.feedback_draft(consultation, user=drafter, genre=Genre.objects.get(name="其他"),
                                  note="另通过信函收到意见1条，已一并研究。")
    assert doc.status == "draft" and doc.organisation == county and doc.created_by == drafter
    assert doc.title == "关于《西昌市城市养犬管理办法（征求意见稿）》公开征求意见采纳情况的反馈"
    assert "<th" in doc.body and "已修改第二条" in doc.body and "采纳1项" in doc.body and "13812345678" not in doc.body
    relation = Relation.objects.get(source=doc, kind=Relation.Kind.FEEDBACK)
    assert relation.target == decision
    # Changing a decision while the feedback is a draft updates the draft.
    services.decide(consultation, [made[2].pk], user=drafter, decision="partly", reason="增加体高标准。")
    doc.refresh_from_db()
    assert "增加体高标准" in doc.body and "部分采纳" in doc.body
    assert not services.feedback_published(consultation)

    # Normal review (one level for this test), then the decisions are locked.
    county.review_levels = 1
    county.save()
    doc = publishing.act(doc, workflow.SUBMIT, user=drafter)
    with pytest.raises(ValidationError, match="已提交审核"):
        services.decide(consultation, [made[2].pk], user=drafter, decision="adopted", reason="改为采纳。")
    doc = publishing.act(doc, workflow.PASS, user=staff["reviewer"])
    doc = publishing.act(doc, workflow.PASS, user=staff["secrecy"])
    doc = publishing.act(doc, workflow.PUBLISH, user=staff["publisher"])
    consultation.refresh_from_db()
    assert services.feedback_published(consultation)
    shown = selectors.public_feedback(consultation)
    assert [r["decision_label"] for r in shown["rows"]] == ["采纳", "部分采纳"] and shown["decision"] is None

    # The decision's page lists the feedback once both are public.
    from gongkai.catalog import selectors as catalog_selectors, services as catalog

    catalog.publish_document(decision)
    labels = [(item.label, item.title) for item in catalog_selectors.relations(decision)]
    assert ("公开征求意见采纳情况", doc.title) in labels
    assert ("所涉决策文件", decision.title) in [(i.label, i.title) for i in catalog_selectors.relations(doc)]


@pytest.mark.django_db
def test_feedback_blocked_by_pending_comments(published, staff):
    comment(published)
    closed(published)
    assert "待审核" in services.feedback_blocker(published)
    with pytest.raises(ValidationError, match="待审核"):
        services.feedback_draft(published, user=staff["drafter"])
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_overdue_feedback_warning_per_organisation(decided, staff, org_tree):
    consultation, made = decided
    closes = consultation.closes_on
    assert services.feedback_days(consultation.organisation) == rules.DEFAULT_FEEDBACK_DAYS
    day_after_due = closes + dt.timedelta(days=rules.DEFAULT_FEEDBACK_DAYS + 1)
    assert selectors.overdue_feedback(staff["drafter"], closes + dt.timedelta(days=rules.DEFAULT_FEEDBACK_DAYS)) == []
    [warning] = selectors.overdue_feedback(staff["drafter"], day_after_due)
    assert warning.consultation == consultation and warning.days_over == 1
    assert selectors.overdue_feedback(staff["stranger"], day_after_due) == []
    assert selectors.overdue_feedback(staff["publisher"], day_after_due) == []  # not theirs to write
    # The city's office sets 10 days for everything below it; the county's own rule would win.
    with pytest.raises(PermissionDenied):
        services.policy_save(org_tree["city"], user=staff["drafter"], feedback_days=10)
    services.policy_save(org_tree["city"], user=staff["city_admin"], feedback_days=10)
    assert services.feedback_days(consultation.organisation) == 10
    assert [w.days_over for w in selectors.overdue_feedback(staff["drafter"], closes + dt.timedelta(days=15))] == [5]
    services.policy_save(consultation.organisation, user=staff["admin"], feedback_days=20)
    assert selectors.overdue_feedback(staff["drafter"], closes + dt.timedelta(days=15)) == []
    assert dict((o.pk, d) for o, d in services.feedback_days_of([org_tree["township"], org_tree["county"]])) == {
        org_tree["township"].pk: 20, org_tree["county"].pk: 20}
    with pytest.raises(ValidationError):
        services.policy_save(consultation.organisation, user=staff["admin"], feedback_days=0)
    assert ConsultationPolicy.objects.get(organisation=consultation.organisation).feedback_days == 20


@pytest.mark.django_db
def test_registered_comments_and_export(published, staff):
    import openpyxl

    comment(published, text="=HYPERLINK(\"http://evil\")建议删除第二条", name="李四", contact="13700001111")
    with pytest.raises(ValidationError):  # arrived after the close date
        services.comment_register(published, user=staff["drafter"], channel="letter", text="信函意见：建议修改第一条。",
                                  received_on=published.closes_on + dt.timedelta(days=1))
    registered = services.comment_register(published, user=staff["drafter"], channel="letter",
                                           text="信函意见：建议修改第一条。", received_on=TODAY + dt.timedelta(days=2))
    assert registered.state == "shown" and registered.serial == 2
    book = openpyxl.load_workbook(io.BytesIO(services.export_xlsx(published, user=staff["drafter"])))
    rows = list(book.active.values)
    assert "联系方式" not in rows[0] and len(rows) == 3
    assert rows[1][4].startswith("'=HYPERLINK")  # a formula is written as text
    personal = list(openpyxl.load_workbook(io.BytesIO(services.export_xlsx(published, user=staff["admin"]))).active.values)
    assert personal[0][2:4] == ("姓名或名称", "联系方式") and personal[1][2:4] == ("李四", "13700001111")
    with pytest.raises(PermissionDenied):
        services.export_xlsx(published, user=staff["publisher"])
