"""Notices and their sign-off (gongkai.applications.notices), through the
services: drafted by the handler and checked against the rule of the action
it carries, signed by the office head (or a signer the organisation names;
never by its own drafter unless the organisation allows it), returned with a
reason and edited in versions, sent on a day that becomes the clock's date,
numbered per organisation, kind and year, all or nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.applications import notices, services
from gongkai.applications.models import ApplicationFile, Event, Notice, NoticeCounter, NoticeStep
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from tests.applications.test_services import PERSON

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def on_day(time_machine):
    return lambda day: time_machine.move_to(dt.datetime.combine(day, dt.time(10), SHANGHAI), tick=False)


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "handler": make_user("chengban", (county, "handler")),
        "handler2": make_user("chengban2", (county, "handler")),
        "head": make_user("gongkaiban", (county, "office_admin")),
        "deputy": make_user("fuzhuren", (county, "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "outsider": make_user("caizheng", (org_tree["department"], "handler")),
        "province": make_user("shengban", (org_tree["province"], "office_admin")),
    }


def received(org, people, on=D(2024, 9, 27), **changes):
    app, _ = services.register(org, {**PERSON, **changes}, channel="in_person", user=people["handler"], received_on=on)
    return app


def signed(app, kind, payload, people, *, drafter="handler", signer="head"):
    notice = notices.draft(app, kind, payload, user=people[drafter])
    return notices.sign(notice, user=people[signer])


def test_a_correction_request_is_sent_on_the_day_it_goes_and_numbered_then(org_tree, people, on_day):
    county = org_tree["county"]
    app = received(county, people)
    on_day(D(2024, 9, 29))
    notice = notices.draft(app, "correction", {"items": "请写明所需批准文件的年度和文号", "period_workdays": "10"},
                           user=people["handler"])
    assert notice.state == "pending" and notice.payload == {"items": "请写明所需批准文件的年度和文号", "period_workdays": 10}
    assert notice.number == "" and not Event.objects.filter(kind="correction_requested").exists()
    notices.sign(notice, user=people["head"])
    on_day(D(2024, 10, 8))  # posted after the National Day holidays, still within the 7 working days
    notices.send(notice, user=people["handler"], channel="post", delivery_note="XA123456789CN")
    notice.refresh_from_db()
    app.refresh_from_db()
    assert (notice.state, notice.sent_on, notice.channel, notice.number) == ("sent", D(2024, 10, 8), "post",
                                                                           "西昌市依申补〔2024〕第1号")
    assert app.state == "correction"
    assert Event.objects.get(application=app, kind="correction_requested").on == D(2024, 10, 8)
    # 10 working days from 10-08: 10-09..11, 10-12 (a Saturday worked in 2024), 10-14..18, 10-21.
    assert "请您于2024年10月21日前" in notice.body and notice.parts["date"] == "2024年10月8日"
    assert [s.action for s in notice.steps.all()] == ["draft", "submit", "sign", "send"]
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="application.notice_").order_by("seq")] == [
        "application.notice_draft", "application.notice_submit", "application.notice_sign", "application.notice_send"]
    assert audit.verify().ok


def test_numbers_run_per_organisation_kind_and_year(org_tree, people, on_day, make_user):
    county, township = org_tree["county"], org_tree["township"]
    town = {"handler": make_user("zhen", (township, "handler")), "head": make_user("zhenban", (township, "office_admin"))}
    on_day(D(2024, 12, 30))
    first, second = received(county, people, on=D(2024, 12, 27)), received(county, people, on=D(2024, 12, 27))
    other_org = received(township, town, on=D(2024, 12, 27))
    third_party = signed(first, "third_party", {"party": "某公司"}, people)
    for app, who in ((first, people), (second, people), (other_org, town)):
        notices.send(signed(app, "correction", {"items": "请写明文号", "period_workdays": 10}, who), user=who["handler"])
    with pytest.raises(ValidationError, match="待补正"):  # signed before, refused now: first awaits its correction
        notices.send(third_party, user=people["handler"])
    on_day(D(2025, 1, 2))
    late = received(county, people, on=D(2024, 12, 31))
    notices.send(signed(late, "correction", {"items": "请写明文号", "period_workdays": 10}, people), user=people["handler"])
    organ = signed(received(county, people, on=D(2025, 1, 2)), "organ", {"organ": "西昌市财政局"}, people)
    notices.send(organ, user=people["handler"], channel="other")
    numbers = list(Notice.objects.filter(state="sent").order_by("id").values_list("number", flat=True))
    assert numbers == ["西昌市依申补〔2024〕第1号", "西昌市依申补〔2024〕第2号", "安宁镇依申补〔2024〕第1号",
                       "西昌市依申补〔2025〕第1号", "西昌市依申函〔2025〕第1号"]
    third_party.refresh_from_db()
    assert third_party.state == "signed" and third_party.number == ""  # the refused send took no number
    assert NoticeCounter.objects.filter(kind="third_party").count() == 0


def test_separation_of_duties_and_who_signs(org_tree, people, on_day, make_user):
    county = org_tree["county"]
    on_day(D(2024, 10, 8))
    app = received(county, people)
    notice = notices.draft(app, "third_party", {"party": "西昌市某建筑有限公司"}, user=people["head"])
    with pytest.raises(ValidationError, match="职责分离"):
        notices.sign(notice, user=people["head"])  # the head drafted it
    for who in ("handler", "drafter", "outsider", "province"):  # not a signer here
        with pytest.raises(PermissionDenied):
            notices.sign(notice, user=people[who])
    notices.sign(notice, user=people["deputy"])
    assert Notice.objects.get().signed_by == people["deputy"]

    # An edit by another makes them an author too.
    reply = notices.draft(app, "organ", {"organ": "西昌市财政局"}, user=people["handler"])
    notices.return_(reply, user=people["deputy"], reason="请写全称")
    notices.edit(reply, {"organ": "西昌市财政局（预算科）"}, user=people["head"])
    with pytest.raises(ValidationError, match="职责分离"):
        notices.sign(reply, user=people["head"])

    # The county names a handler as signer, and lets drafters sign their own (with a reason).
    with pytest.raises(PermissionDenied):
        notices.set_policy(county, user=people["handler"], drafter_may_sign=True, reason="x")
    with pytest.raises(ValidationError, match="理由"):
        notices.set_policy(county, user=people["head"], drafter_may_sign=True)
    with pytest.raises(ValidationError, match="不是本机构"):
        notices.set_policy(county, user=people["head"], drafter_may_sign=False, signers=[people["outsider"]])
    notices.set_policy(county, user=people["province"], drafter_may_sign=True, signers=[people["handler2"]],
                       reason="本办只有两名工作人员")
    notices.sign(reply, user=people["head"])
    assert AuditEntry.objects.filter(action="signoff_policy.set", object_id=str(county.pk)).exists()

    other = received(county, people)
    extension = notices.draft(other, "extension", {"days": 10, "reason": "需要多个部门汇总"}, user=people["handler"])
    correction = notices.draft(other, "correction", {"items": "请写明文号", "period_workdays": 10}, user=people["handler"])
    with pytest.raises(PermissionDenied, match="第三十三条"):
        notices.sign(extension, user=people["handler2"])  # a named signer, but an extension is the head's (Art. 33)
    notices.sign(correction, user=people["handler2"])
    notices.sign(extension, user=people["head"])
    # the policy reaches the township below (no policy of its own)
    assert notices.policy_for(org_tree["township"]).organisation == county


def test_returned_notices_keep_their_versions(org_tree, people, on_day):
    on_day(D(2024, 10, 8))
    app = received(org_tree["county"], people)
    notice = notices.draft(app, "reply", {"outcome": "withheld_third_party", "reasons": "涉及商业秘密"},
                           user=people["handler"])
    with pytest.raises(ValidationError, match="退回的理由"):
        notices.return_(notice, user=people["head"], reason=" ")
    notices.return_(notice, user=people["head"], reason="请写明第三方不同意公开的理由及依据")
    with pytest.raises(ValidationError, match="不能签发"):
        notices.sign(notice, user=people["head"])
    with pytest.raises(ValidationError, match="第三十七条"):  # the new version is checked like the first
        notices.edit(notice, {"outcome": "partial"}, user=people["handler"])
    notices.edit(notice, {"outcome": "partial", "reasons": "中标单位的报价涉及商业秘密，第三方不同意公开",
                          "provided": "中标公告"}, user=people["handler"])
    notice.refresh_from_db()
    assert (notice.state, notice.version, notice.payload["outcome"]) == ("pending", 2, "partial")
    steps = list(notice.steps.order_by("id"))
    assert [(s.action, s.version) for s in steps] == [("draft", 1), ("submit", 1), ("return", 1), ("edit", 2),
                                                      ("submit", 2)]
    assert steps[0].payload["outcome"] == "withheld_third_party" and steps[2].comment.startswith("请写明")
    notices.recall(notice, user=people["handler"])
    notices.submit(notice, user=people["handler"])
    notices.sign(notice, user=people["head"])
    notice = notices.send(notice, user=people["handler"], channel="in_person")
    app.refresh_from_db()
    assert (app.state, app.outcome, app.closed_on) == ("replied", "partial", D(2024, 10, 8))
    assert app.reply.letter_number == notice.number and app.reply.body == notice.body
    assert app.reply.created_by == people["handler"]


def test_sending_dates_and_channels(org_tree, people, on_day):
    county = org_tree["county"]
    on_day(D(2024, 10, 8))
    app = received(county, people, email="", address="")
    notice = signed(app, "reply", {"outcome": "disclosed", "provided": "批准文件"}, people)
    for data, message in [
        ({"channel": "email"}, "未提供电子邮箱"),
        ({"channel": "post"}, "未提供通信地址"),
        ({"channel": "in_person", "on": D(2024, 10, 9)}, "不能晚于今天"),
        ({"channel": "in_person", "on": D(2024, 10, 7)}, "不能早于签发日期"),
        ({"channel": "fax"}, "请选择送达方式"),
    ]:
        with pytest.raises(ValidationError, match=message):
            notices.send(notice, user=people["handler"], **data)
    with pytest.raises(PermissionDenied):
        notices.send(notice, user=people["head"].__class__.objects.get(username="shengban"))
    on_day(D(2024, 10, 10))
    with pytest.raises(ValidationError, match="发出当日"):
        notices.send(notice, user=people["handler"], channel="online", on=D(2024, 10, 9))
    notices.send(notice, user=people["handler"], channel="in_person", on=D(2024, 10, 9))
    notice.refresh_from_db()
    app.refresh_from_db()
    assert notice.sent_on == app.closed_on == D(2024, 10, 9) and notice.parts["date"] == "2024年10月9日"
    notices.record_delivery(notice, user=people["handler"], on=D(2024, 10, 9), note="王小明本人签收")
    notice.refresh_from_db()
    assert notice.delivered_on == D(2024, 10, 9) and notice.delivery_note == "王小明本人签收"
    with pytest.raises(ValidationError):
        notices.send(notice, user=people["handler"])  # sent once


def test_an_extension_is_approved_by_its_signature_before_the_deadline(org_tree, people, on_day):
    on_day(D(2024, 10, 28))
    app = received(org_tree["county"], people)  # due 2024-10-30
    notice = signed(app, "extension", {"days": 10, "reason": "申请的信息涉及多个部门，需要汇总"}, people)
    on_day(D(2024, 10, 31))  # the deadline passed between the signature and the sending
    with pytest.raises(ValidationError, match="届满前"):
        notices.send(notice, user=people["handler"])
    on_day(D(2024, 10, 30))
    notices.send(notice, user=people["handler"], channel="online")
    notice.refresh_from_db()
    assert services.clock(app).due == D(2024, 11, 13)
    assert "2024年10月30日前" in notice.body and "将于2024年11月13日前作出答复" in notice.body
    assert "行政复议" not in notice.body
    entry = AuditEntry.objects.get(action="application.extend")
    assert entry.actor == "chengban" and entry.detail["approved_by"] == "gongkaiban"


def test_who_may_draft_and_one_open_notice_per_kind(org_tree, people, on_day):
    on_day(D(2024, 10, 8))
    app = received(org_tree["county"], people)
    for who in ("drafter", "outsider", "province"):  # no role here, another organisation, the supervising office
        with pytest.raises(PermissionDenied):
            notices.draft(app, "third_party", {"party": "某公司"}, user=people[who])
    with pytest.raises(ValidationError, match="第三方名称"):
        notices.draft(app, "third_party", {"party": ""}, user=people["handler"])
    first = notices.draft(app, "third_party", {"party": "某公司"}, user=people["handler"])
    with pytest.raises(ValidationError, match="未发出的征求第三方意见书"):
        notices.draft(app, "third_party", {"party": "另一公司"}, user=people["handler2"])
    notices.discard(first, user=people["handler"], reason="第三方已书面同意公开")
    notices.draft(app, "third_party", {"party": "另一公司"}, user=people["handler2"])
    assert Notice.objects.filter(state="discarded").count() == 1 and not Event.objects.filter(kind="third_party_sent").exists()
    with pytest.raises(ValidationError):
        notices.draft(app, "nonsense", {}, user=people["handler"])


def test_files_of_a_reply_are_disclosed_only_when_it_is_sent(org_tree, people, on_day):
    on_day(D(2024, 10, 8))
    app = received(org_tree["county"], people)
    pdf = b"%PDF-1.4\n%%EOF\n"
    notice = notices.draft(app, "reply", {"outcome": "disclosed", "provided": "批准文件"}, user=people["handler"],
                           files=[SimpleUploadedFile("批准文件.pdf", pdf)])
    item = ApplicationFile.objects.get()
    try:
        assert item.role == "pending" and item.notice == notice
        notices.sign(notice, user=people["head"])
        notices.send(notice, user=people["handler"], channel="online")
        item.refresh_from_db()
        assert item.role == "disclosed"
        discarded = notices.draft(received(org_tree["county"], people), "reply", {"outcome": "disclosed"},
                                  user=people["handler"], files=[SimpleUploadedFile("草稿.pdf", pdf)])
        notices.discard(discarded, user=people["handler"])
        assert list(ApplicationFile.objects.values_list("name", flat=True)) == ["批准文件.pdf"]
    finally:
        for row in ApplicationFile.objects.all():
            row.file.delete(save=False)


def test_a_fee_notice_states_the_amount_the_tiers_and_the_day_to_pay(org_tree, people, on_day):
    on_day(D(2024, 10, 8))
    county = org_tree["county"]
    earlier = [received(county, people, on=D(2024, 10, 8)) for _ in range(9)]
    app = received(county, people, on=D(2024, 10, 8))
    notice = signed(app, "fee", {"basis": "item", "quantity": 3, "reason": "申请人本月申请数量明显超过合理范围",
                                 "payment": "转账至西昌市财政局非税收入专户"}, people)
    notices.send(notice, user=people["handler"], channel="online")
    notice.refresh_from_db()
    body = notice.body
    assert "人民币200元" in body and "3件（本月此前已申请9件）" in body
    assert "本月累计第10件免费；本月累计第11至12件每件100元" in body and "转账至西昌市财政局非税收入专户" in body
    # 20 working days after 10-08 (Saturday 10-12 a working day): 11-04. A decision: the remedies.
    assert "请于2024年11月4日前" in body and "行政复议" in body
    assert app.fee.amount == 200 and len(earlier) == 9
