"""Disclosure-application services: the statute's rules as refusals that say
the rule, the outcomes, the closures, the daily job, personal data kept out
of the audit log, and two handlers racing on one application."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongkai.applications import services
from gongkai.applications.models import Application, Event, Fee
from gongkai.core import audit
from gongkai.core.models import AuditEntry

D = dt.date
PERSON = {
    "applicant_type": "natural", "applicant_name": "王小明", "id_document": "居民身份证 513401199001011234",
    "phone": "13812345678", "email": "wxm@example.com", "address": "四川省西昌市胜利路1号",
    "info_title": "2024年西昌市城区道路改造项目批准文件", "info_number": "", "info_description": "",
    "form": "electronic", "delivery": "email",
}


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "handler": make_user("chengban", (county, "handler")),
        "head": make_user("gongkaiban", (county, "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "outsider": make_user("caizheng", (org_tree["department"], "handler")),
    }


def received(org, people, on=D(2024, 9, 27), channel="in_person"):
    app, code = services.register(org, PERSON, channel=channel, user=people["handler"], received_on=on)
    return app


@pytest.mark.django_db
def test_register_numbers_per_organisation_and_year_and_keeps_personal_data_out_of_the_log(org_tree, people):
    county = org_tree["county"]
    first = received(county, people)
    second = received(county, people, on=D(2024, 10, 8))
    assert (first.year, first.serial, second.serial) == (2024, 1, 2)
    assert first.number.endswith("依申〔2024〕1号")
    assert services.clock(first).due == D(2024, 10, 30)
    for entry in AuditEntry.objects.all():
        text = str(entry.detail) + entry.actor
        assert "王小明" not in text and "513401199001011234" not in text and "13812345678" not in text
    assert audit.verify().ok


@pytest.mark.django_db
def test_intake_rules(org_tree, people):
    county = org_tree["county"]
    with pytest.raises(ValidationError) as refused:
        services.register(county, {**PERSON, "applicant_name": "", "phone": "", "email": "", "address": "", "info_title": ""},
                          channel="post", user=people["handler"], received_on=D(2024, 9, 27))
    assert set(refused.value.message_dict) >= {"applicant_name", "phone", "info_description"}
    assert "第二十九条" in refused.value.message_dict["applicant_name"][0]
    with pytest.raises(ValidationError, match="签收之日"):
        services.register(county, PERSON, channel="post", user=people["handler"], received_on=None)
    letter, _ = services.register(county, PERSON, channel="letter", user=people["handler"], received_on=None)
    assert letter.state == "pending" and services.clock(letter).due is None
    services.confirm_receipt(letter, on=D(2024, 9, 27), user=people["handler"])
    assert services.clock(Application.objects.get(pk=letter.pk)).due == D(2024, 10, 30)
    with pytest.raises(PermissionDenied):
        services.register(county, PERSON, channel="post", user=people["drafter"], received_on=D(2024, 9, 27))
    with pytest.raises(PermissionDenied):
        services.register(county, PERSON, channel="post", user=people["outsider"], received_on=D(2024, 9, 27))
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_tracking_code_is_unguessable_and_stored_only_as_a_hash(org_tree):
    app, code = services.submit_online(org_tree["county"], PERSON)
    assert len(code) >= 20 and code not in app.tracking_hash
    assert services.find_by_code(code) == app
    assert services.find_by_code(code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    assert not Application.objects.filter(tracking_hash=code).exists()


@pytest.mark.django_db
def test_correction_rules(org_tree, people):
    app = received(org_tree["county"], people)
    with pytest.raises(ValidationError, match="第三十条.*已过期限"):
        services.request_correction(app, user=people["handler"], items="请明确所需文件的名称", on=D(2024, 10, 14))
    services.request_correction(app, user=people["handler"], items="请明确所需文件的名称", period_workdays=10, on=D(2024, 10, 9))
    with pytest.raises(ValidationError, match="一次性告知"):
        services.request_correction(app, user=people["handler"], items="再补一项", on=D(2024, 10, 10))
    with pytest.raises(ValidationError, match="不能答复"):
        services.reply(app, user=people["handler"], outcome="disclosed", on=D(2024, 10, 10))
    services.receive_correction(app, user=people["handler"], on=D(2024, 10, 21))
    assert services.clock(Application.objects.get(pk=app.pk)).due == D(2024, 11, 18)


@pytest.mark.django_db
def test_no_correction_in_time_closes_the_application(org_tree, people):
    app = received(org_tree["county"], people)
    services.request_correction(app, user=people["handler"], items="请提供身份证明", period_workdays=5, on=D(2024, 9, 30))
    by = D(2024, 10, 12)  # 5 working days after 09-30: 10-08, 09, 10, 11, 12 (worked Saturday)
    assert Event.objects.get(kind="correction_requested").detail["by"] == by.isoformat()
    assert services.daily(by) == {"overdue": 0, "no_correction": 0, "no_payment": 0}
    assert services.daily(by + dt.timedelta(days=2))["no_correction"] == 1
    app.refresh_from_db()
    assert (app.state, app.outcome) == ("closed", "no_correction")


@pytest.mark.django_db
def test_extension_rules(org_tree, people):
    app = received(org_tree["county"], people)
    with pytest.raises(PermissionDenied):
        services.extend(app, user=people["handler"], days=10, reason="涉及多个部门", on=D(2024, 10, 20))
    with pytest.raises(ValidationError, match="最长不得超过20个工作日"):
        services.extend(app, user=people["head"], days=25, reason="涉及多个部门", on=D(2024, 10, 20))
    with pytest.raises(ValidationError, match="届满前"):
        services.extend(app, user=people["head"], days=10, reason="涉及多个部门", on=D(2024, 10, 31))
    services.extend(app, user=people["head"], days=10, reason="涉及多个部门", on=D(2024, 10, 28))
    assert services.clock(app).due == D(2024, 11, 13)  # 10 working days after 10-30
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.extend(app, user=people["head"], days=5, reason="再延", on=D(2024, 10, 29))


@pytest.mark.django_db
def test_third_party_partial_disclosure(org_tree, people):
    app = received(org_tree["county"], people)
    services.consult_third_party(app, user=people["handler"], party="西昌市某建筑有限公司", on=D(2024, 10, 9))
    with pytest.raises(ValidationError, match="征求意见或缴费尚未结束"):
        services.reply(app, user=people["handler"], outcome="partial", reasons="涉及商业秘密", on=D(2024, 10, 10))
    services.third_party_answer(app, user=people["handler"], on=D(2024, 10, 16), agrees=False, note="涉及报价，不同意公开")
    app.refresh_from_db()
    assert app.state == "processing" and services.clock(app).due == D(2024, 11, 7)
    with pytest.raises(ValidationError) as refused:
        services.reply(app, user=people["handler"], outcome="", on=D(2024, 10, 20))
    assert "必须有条例规定的结果" in refused.value.message_dict["outcome"][0]
    with pytest.raises(ValidationError, match="说明理由"):
        services.reply(app, user=people["handler"], outcome="partial", on=D(2024, 10, 20))
    reply = services.reply(app, user=people["handler"], outcome="partial", reasons="报价部分涉及第三方商业秘密",
                           provided="项目批准文件（已删除报价部分）", on=D(2024, 10, 20))
    app.refresh_from_db()
    assert (app.state, app.outcome, app.closed_on) == ("replied", "partial", D(2024, 10, 20))
    assert "第三十七条" in reply.body and "60日内" in reply.body and "6个月内" in reply.body and "王小明" in reply.body


@pytest.mark.django_db
def test_fee_notice_pauses_and_unpaid_fee_closes(org_tree, people):
    app = received(org_tree["county"], people)
    with pytest.raises(ValidationError, match="免费范围"):
        services.notify_fee(app, user=people["handler"], basis="page", quantity=30, reason="数量明显超过合理范围", on=D(2024, 10, 14))
    fee = services.notify_fee(app, user=people["handler"], basis="page", quantity=120, reason="数量明显超过合理范围", on=D(2024, 10, 14))
    assert fee.amount == 70 * 10 + 20 * 20  # pages 31-100 at 10 yuan, 101-120 at 20 yuan
    assert services.daily(D(2024, 11, 11))["no_payment"] == 0  # the 20th working day
    assert services.daily(D(2024, 11, 12))["no_payment"] == 1
    app.refresh_from_db()
    assert app.outcome == "no_payment" and Fee.objects.get().paid_on is None


@pytest.mark.django_db
def test_daily_job_records_overdue_once(org_tree, people):
    app = received(org_tree["county"], people)
    assert services.daily(D(2024, 10, 30))["overdue"] == 0
    assert services.daily(D(2024, 10, 31))["overdue"] == 1
    assert services.daily(D(2024, 11, 1))["overdue"] == 0
    assert Event.objects.filter(application=app, kind="overdue").count() == 1


@pytest.mark.django_db
def test_a_late_reply_is_recorded_as_overdue_without_the_daily_job(org_tree, people):
    on_time, late = received(org_tree["county"], people), received(org_tree["county"], people)
    services.reply(on_time, user=people["handler"], outcome="disclosed", on=D(2024, 10, 30))  # the due date
    services.reply(late, user=people["handler"], outcome="disclosed", on=D(2024, 10, 31))
    assert not Event.objects.filter(application=on_time, kind="overdue").exists()
    assert Event.objects.get(application=late, kind="overdue").on == D(2024, 10, 31)
    assert services.daily(D(2024, 11, 1))["overdue"] == 0


@pytest.mark.django_db
def test_transfer_and_merge(org_tree, people):
    county = org_tree["county"]
    app, other = received(county, people), received(county, people)
    services.merge(other, into=app, user=people["handler"])
    with pytest.raises(ValidationError, match="不能再办理"):
        services.assign(other, people["handler"], user=people["handler"])
    services.transfer(app, user=people["handler"], to=org_tree["township"], on=D(2024, 9, 30))
    app.refresh_from_db()
    assert app.state == "transferred" and "已转送" in app.events.get(kind="transferred").public_note


@pytest.mark.django_db(transaction=True)
def test_two_handlers_replying_at_once_cannot_both_win(org_tree, people):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers itself; the row lock is what PostgreSQL needs")
    app = received(org_tree["county"], people)
    results, barrier = [], threading.Barrier(2)

    def answer(outcome):
        from django.db import connections

        try:
            barrier.wait()
            services.reply(app, user=people["handler"], outcome=outcome, reasons="理由", on=D(2024, 10, 20))
            results.append(("ok", outcome))
        except ValidationError as exc:
            results.append(("refused", exc.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(o,)) for o in ("disclosed", "withheld_third_party")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    app.refresh_from_db()
    winner = next(o for status, o in results if status == "ok")
    assert app.outcome == winner and app.events.filter(kind="replied").count() == 1


@pytest.mark.django_db
def test_applicant_data_stays_with_the_receiving_organisation(org_tree, make_user):
    from gongkai.core import permissions

    county_office = make_user("county.office", (org_tree["county"], "office_admin"))
    township_handler = make_user("township.handler", (org_tree["township"], "handler"))
    township = org_tree["township"]
    # the county's office supervises the township's applications ...
    assert permissions.can(county_office, permissions.APPLICATIONS, township)
    # ... but the applicants' personal data is for the township's own staff
    assert not permissions.can(county_office, permissions.APPLICANT_DATA, township)
    assert permissions.can(county_office, permissions.APPLICANT_DATA, org_tree["county"])
    assert permissions.can(township_handler, permissions.APPLICANT_DATA, township)
    assert not permissions.can(township_handler, permissions.APPLICANT_DATA, org_tree["county"])


@pytest.mark.django_db
def test_a_calendar_change_that_moves_a_deadline_is_flagged(org_tree, people, client):
    from django.urls import reverse

    from gongkai.core.models import CalendarDay

    app = received(org_tree["county"], people)
    assert services.calendar_changed(app) is None
    CalendarDay.objects.create(date=D(2024, 10, 14), is_workday=False, name="地方节假日")
    assert services.calendar_changed(app) == (D(2024, 10, 30), D(2024, 10, 31))
    client.force_login(people["handler"])
    page = client.get(reverse("applications_staff:detail", args=[app.pk])).content.decode()
    assert "工作日历已调整" in page and "2024年10月31日" in page


@pytest.mark.django_db
def test_tracking_codes_survive_being_copied_by_hand(org_tree):
    app, code = services.submit_online(org_tree["county"], PERSON)
    assert len(code.replace("-", "")) == services.CODE_LENGTH and not set("01ILO") & set(code)
    assert services.find_by_code(code.lower().replace("-", " ")) == app


@pytest.mark.django_db
def test_applicant_fields_are_checked_for_length_and_format(org_tree, people):
    with pytest.raises(ValidationError) as refused:
        services.register(org_tree["county"], {**PERSON, "email": "not-an-email", "postcode": "1" * 11,
                                               "legal_representative": "长" * 51, "info_number": None},
                          channel="in_person", user=people["handler"], received_on=D(2024, 9, 27))
    errors = refused.value.message_dict
    assert set(errors) == {"email", "postcode", "legal_representative"}
    assert "邮政编码不能超过10字" in errors["postcode"][0]
    assert not Application.objects.exists()


def test_fee_tiers():
    from decimal import Decimal

    from gongkai.applications import fees

    assert fees.per_page(30) == 0 and fees.per_page(31) == 10 and fees.per_page(100) == 700
    assert fees.per_page(201) == 700 + 100 * 20 + 40
    assert fees.per_item(10) == 0 and fees.per_item(11) == 100 and fees.per_item(30) == 2000
    assert fees.per_item(31) == 2000 + 200 and fees.per_item(41) == 2000 + 10 * 200 + 300
    assert fees.per_item(5, already_this_month=8) == Decimal(300)  # items 9..13: 9, 10 free, 11-13 at 100


@pytest.mark.django_db
def test_per_item_fee_counts_the_applicants_month(org_tree, people):
    county = org_tree["county"]
    for day in (2, 3, 8):
        received(county, people, on=D(2024, 10, day))
    app = received(county, people, on=D(2024, 10, 9))
    fee = services.notify_fee(app, user=people["handler"], basis="item", quantity=10, reason="一个月内大量申请", on=D(2024, 10, 10))
    assert fee.amount == 300  # three earlier applications this month: items 4..13, of which 11, 12, 13 cost 100


@pytest.mark.django_db
def test_a_provisional_clock_refuses_no_step_and_records_nothing_on_a_guess(org_tree, people, package_ends_2026,
                                                                            notice_text):
    import time_machine
    from zoneinfo import ZoneInfo

    from gongkai.core import services as core_services
    from gongkai.core.holiday_notice import read_notice

    with time_machine.travel(dt.datetime(2027, 1, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        late = received(org_tree["county"], people, on=D(2026, 11, 30))  # provisional due 2026-12-28
        assert services.clock(late).provisional_year is None and services.clock(late).due == D(2026, 12, 28)
        app = received(org_tree["county"], people, on=D(2026, 12, 28))
        assert services.clock(app).provisional_year == 2027
        # A correction request is not refused because the calendar lacks 2027.
        services.request_correction(app, user=people["handler"], items="请明确所需文件的名称", period_workdays=5,
                                    on=D(2027, 1, 5))
        request = Event.objects.get(application=app, kind="correction_requested")
        assert "暂定2027年01月12日前" in request.public_note  # 01-06..08, 11, 12 on weekends alone
        # The daily job closes nothing and records no overdue on a provisional date.
        other = received(org_tree["county"], people, on=D(2026, 12, 1))  # due 2026-12-29: really overdue
        assert services.daily(D(2027, 1, 20)) == {"overdue": 2, "no_correction": 0, "no_payment": 0}
        assert services.correction_period(request) == (D(2027, 1, 12), 2027)
        app.refresh_from_db()
        assert app.state == "correction"
        with pytest.raises(ValidationError, match="暂定"):
            services.close_without_correction(app, user=people["handler"], on=D(2027, 1, 20))
        assert {e.application_id for e in Event.objects.filter(kind="overdue")} == {late.pk, other.pk}
    # Once 2027's notice is in (01-01..03 off), the period is real: 01-06..08, 11, 12 still.
    text = notice_text("made-up-2027.txt")
    core_services.calendar_import_notice(read_notice(text), by=None, text=text, system=True)
    assert services.correction_period(request) == (D(2027, 1, 12), None)
    services.close_without_correction(app, user=people["handler"], on=D(2027, 1, 20))
    app.refresh_from_db()
    assert app.state == "closed"
