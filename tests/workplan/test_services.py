"""Work-plan services: import, review, confirmation, progress, completion,
reopening, warnings, overdue per unit and quota windows with carry-over."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core.audit import verify
from gongkai.core.models import AuditEntry, Organisation
from gongkai.ingest.extract import extract
from gongkai.workplan import quotas, services
from gongkai.workplan.models import Plan, ProgressReport, Task, TaskUnit
from tests.conftest import SHARED_SAMPLES

QIANJIANG = SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt"


@pytest.fixture
def cq(db, make_user):
    """The city government, four of the departments its 2018 plan names, and their staff."""
    top = Organisation.objects.create(name="重庆市人民政府", short_name="重庆市", level="province", index_prefix="CQ0")
    orgs = {"top": top}
    for key, name, short in [
        ("finance", "重庆市财政局", "市财政局"),
        ("office", "重庆市人民政府办公厅", "市政府办公厅"),
        ("egov", "重庆市人民政府电子政务办公室", "市政府电子政务办"),
        ("ndrc", "重庆市发展和改革委员会", "市发展改革委"),
    ]:
        orgs[key] = Organisation.objects.create(name=name, short_name=short, level="department", parent=top,
                                                index_prefix=f"CQ-{key}")
    orgs["district"] = Organisation.objects.create(name="黔江区财政局", level="department", parent=orgs["finance"],
                                                   index_prefix="CQ-qj")
    users = {
        "admin": make_user("cq-admin", (top, "office_admin")),
        "finance": make_user("cz-drafter", (orgs["finance"], "drafter")),
        "egov": make_user("dz-drafter", (orgs["egov"], "drafter")),
        "ndrc": make_user("fg-drafter", (orgs["ndrc"], "drafter")),
        "publisher": make_user("cz-publisher", (orgs["finance"], "publisher")),
    }
    return orgs, users


def _sample_text():
    return extract(QIANJIANG.read_text(encoding="utf-8")).body_text


def _plan(cq, confirm=True):
    orgs, users = cq
    plan = services.import_plan(organisation=orgs["top"], text=_sample_text(), user=users["admin"],
                                source_name=QIANJIANG.name)
    if confirm:
        plan = services.confirm_plan(plan, user=users["admin"])
    return plan


def _task(plan, number):
    return plan.tasks.get(number=number)


# ---------------------------------------------------------------- import and review


def test_import_builds_the_task_tree_with_matched_units(cq):
    orgs, users = cq
    plan = _plan(cq, confirm=False)
    assert (plan.title, plan.year, plan.state) == ("2018年重庆市政务公开工作要点", 2018, Plan.State.DRAFT)
    assert plan.tasks.count() == 22
    first = _task(plan, "1.")
    assert first.parent.number == "（二）" and first.parent.parent.number == "一、"
    assert first.path == ["一", "（二）", "1"]
    lead = first.units.get(role=TaskUnit.Role.LEAD)
    assert (lead.name, lead.organisation) == ("市财政局", orgs["finance"])
    groups = first.units.filter(role=TaskUnit.Role.RESPONSIBLE)
    assert [u.name for u in groups] == ["各区县政府", "市政府各部门", "有关单位"]
    assert all(u.organisation is None for u in groups)  # groups stay unmatched
    unmatched = services.unmatched_units(plan)
    assert "市财政局" not in unmatched and "市编办" in unmatched and "有关单位" in unmatched
    entry = AuditEntry.objects.filter(action="workplan.import").get()
    assert entry.detail["tasks"] == 22 and entry.actor == "cq-admin"


def test_a_text_without_tasks_is_refused_and_nothing_is_written(cq):
    orgs, users = cq
    with pytest.raises(ValidationError) as exc:
        services.import_plan(organisation=orgs["top"], text="2024年政务公开工作要点\n全面做好今年的政务公开工作。",
                             user=users["admin"])
    assert "未能从原文中识别出任何任务" in str(exc.value)
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_only_the_office_imports_corrects_and_confirms(cq):
    orgs, users = cq
    with pytest.raises(PermissionDenied):
        services.import_plan(organisation=orgs["top"], text=_sample_text(), user=users["finance"])
    plan = _plan(cq, confirm=False)
    task = _task(plan, "1.")
    with pytest.raises(PermissionDenied):
        services.update_task(task, user=users["finance"], title="改")
    with pytest.raises(PermissionDenied):
        services.confirm_plan(plan, user=users["finance"])
    assert Plan.objects.get().state == Plan.State.DRAFT


def test_the_office_corrects_a_task_and_assigns_a_group_to_an_organisation(cq):
    orgs, users = cq
    plan = _plan(cq, confirm=False)
    task = _task(plan, "1.")
    services.update_task(task, user=users["admin"], title="推进预决算公开", text=task.text, due_text="2018年6月底前",
                         due_date=dt.date(2018, 6, 30),
                         units=[("lead", "市财政局", orgs["finance"].pk), ("responsible", "", orgs["ndrc"].pk)])
    task.refresh_from_db()
    assert (task.title, task.due_date) == ("推进预决算公开", dt.date(2018, 6, 30))
    assert sorted(task.units.values_list("role", "name")) == [("lead", "市财政局"), ("responsible", "重庆市发展和改革委员会")]
    with pytest.raises(ValidationError, match="任务名称不能为空"):
        services.update_task(task, user=users["admin"], title=" ")
    with pytest.raises(ValidationError, match="完成时限"):
        services.update_task(task, user=users["admin"], title="x", due_date=dt.date(2030, 1, 1))
    with pytest.raises(ValidationError, match="机构不存在"):
        services.update_task(task, user=users["admin"], title="x", units=[("lead", "", 999999)])
    task.refresh_from_db()
    assert task.title == "推进预决算公开" and task.units.count() == 2  # the refusals wrote nothing
    services.delete_task(_task(plan, "（十二）"), user=users["admin"])
    assert plan.tasks.count() == 21
    services.confirm_plan(plan, user=users["admin"])
    with pytest.raises(ValidationError, match="已确认"):
        services.delete_task(_task(plan, "（十三）"), user=users["admin"])
    with pytest.raises(ValidationError, match="已经确认"):
        services.confirm_plan(plan, user=users["admin"])


# ---------------------------------------------------------------- who sees what


def test_each_unit_sees_its_tasks_only_after_confirmation(cq):
    orgs, users = cq
    plan = _plan(cq, confirm=False)
    assert not services.visible_tasks(users["finance"]).exists()
    services.confirm_plan(plan, user=users["admin"])
    finance = [t.number for t in services.visible_tasks(users["finance"])]
    assert sorted(finance) == ["1.", "2."]
    egov = {t.number for t in services.visible_tasks(users["egov"])}
    assert egov == {"4.", "（五）", "（六）", "（七）", "（八）", "（九）", "（十）"}
    assert services.visible_tasks(users["admin"]).count() == len(
        {t.pk for t in Task.objects.filter(units__organisation__isnull=False)})
    assert services.visible_tasks(users["finance"], year=2019).count() == 0


# ---------------------------------------------------------------- progress


def _two_leads(cq, plan, number="2."):
    """Task `number` led by the NDRC and the finance bureau only (the office removed the unmatched units)."""
    orgs, users = cq
    task = _task(plan, number)
    services.update_task(task, user=users["admin"], title=task.title, text=task.text,
                         units=[("lead", "市发展改革委", orgs["ndrc"].pk), ("lead", "市财政局", orgs["finance"].pk)])
    return Task.objects.get(pk=task.pk)


def _part(task, org):
    return task.units.get(organisation=org)


def test_progress_completion_confirmation_and_reopening(cq, make_document):
    orgs, users = cq
    plan = _plan(cq)
    task = _two_leads(cq, plan)
    evidence = make_document(orgs["finance"], "2018年市级部门预算公开", published_date=dt.date(2018, 3, 2))
    upload = SimpleUploadedFile("进展.txt", "已完成预算公开".encode(), content_type="text/plain")
    report = services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="已公开部门预算",
                                      percent=60, documents=[evidence], files=[upload], on=dt.date(2018, 3, 5))
    assert list(report.documents.all()) == [evidence] and report.files.count() == 1
    task.refresh_from_db()
    # The finance bureau's part is at 60 %, the NDRC's at 0: the task at their mean.
    assert (task.state, task.percent) == (Task.State.OPEN, 30)
    assert (_part(task, orgs["finance"]).percent, _part(task, orgs["ndrc"]).percent) == (60, 0)
    services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="全部完成", percent=100,
                             claims_done=True, on=dt.date(2018, 5, 4))
    task.refresh_from_db()
    # One unit's completion completes its own part, not the task.
    finance = _part(task, orgs["finance"])
    assert (finance.state, finance.completed_on) == (Task.State.REPORTED, dt.date(2018, 5, 4))
    assert (task.state, task.completed_on, task.percent) == (Task.State.OPEN, None, 50)
    # The other lead unit confirms the finance bureau's part; a unit that is not a lead may not.
    with pytest.raises(PermissionDenied):
        services.confirm_done(task, user=users["egov"], organisation=orgs["finance"])
    with pytest.raises(ValidationError, match="尚未报送完成"):
        services.confirm_done(task, user=users["ndrc"], organisation=orgs["ndrc"])
    services.confirm_done(task, user=users["ndrc"], organisation=orgs["finance"])
    task.refresh_from_db()
    assert _part(task, orgs["finance"]).state == Task.State.DONE and task.state == Task.State.OPEN
    with pytest.raises(ValidationError, match="已确认完成"):
        services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="补充", percent=100)
    # The NDRC completes its part: the task is complete once it is confirmed too.
    services.report_progress(task, user=users["ndrc"], organisation=orgs["ndrc"], text="已完成", percent=100,
                             claims_done=True, on=dt.date(2018, 5, 10))
    task.refresh_from_db()
    assert (task.state, task.completed_on, task.percent) == (Task.State.REPORTED, dt.date(2018, 5, 10), 100)
    assert not services.done_by(task, dt.date(2018, 5, 9)) and services.done_by(task, dt.date(2018, 5, 10))
    services.confirm_done(task, user=users["finance"])  # every reported part
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.confirmed_by == users["finance"]
    assert task.completed_on == dt.date(2018, 5, 10)  # the day the last unit reported done
    with pytest.raises(PermissionDenied):
        services.reopen(task, user=users["finance"], reason="x")
    with pytest.raises(ValidationError, match="原因"):
        services.reopen(task, user=users["admin"], reason=" ")
    # The office reopens the NDRC's part only: the finance bureau's stays done.
    services.reopen(task, user=users["admin"], reason="佐证材料不全", organisation=orgs["ndrc"])
    task.refresh_from_db()
    assert (task.state, task.completed_on, task.percent) == (Task.State.OPEN, None, 99)
    assert _part(task, orgs["finance"]).state == Task.State.DONE
    ndrc = _part(task, orgs["ndrc"])
    assert (ndrc.state, ndrc.completed_on, ndrc.percent) == (Task.State.OPEN, None, 99)
    entry = AuditEntry.objects.get(action="workplan.reopen")
    assert entry.detail == {"reason": "佐证材料不全", "organisations": [orgs["ndrc"].pk]}
    with pytest.raises(ValidationError, match="尚未完成"):
        services.reopen(task, user=users["admin"], reason="再次", organisation=orgs["ndrc"])
    services.reopen(task, user=users["admin"], reason="整体重做")
    assert set(task.units.values_list("state", flat=True)) == {Task.State.OPEN}
    assert verify().ok


def test_a_unit_reports_only_on_its_own_part(cq):
    orgs, users = cq
    task = _two_leads(cq, _plan(cq))
    # The NDRC's drafter may not report (nor complete) the finance bureau's part.
    with pytest.raises(PermissionDenied):
        services.report_progress(task, user=users["ndrc"], organisation=orgs["finance"], text="代报", percent=100,
                                 claims_done=True)
    # A unit that is not one of the task's may not report at all.
    with pytest.raises(ValidationError, match="不是该任务"):
        services.report_progress(task, user=users["egov"], organisation=orgs["egov"], text="x", percent=10)
    assert not ProgressReport.objects.exists()
    assert set(task.units.values_list("state", "percent")) == {(Task.State.OPEN, 0)}
    assert [o.pk for o in services.reporting_units(users["ndrc"], task)] == [orgs["ndrc"].pk]
    # The office (its roles reach the units below it) may report for a unit.
    assert {o.pk for o in services.reporting_units(users["admin"], task)} == {orgs["ndrc"].pk, orgs["finance"].pk}


def test_an_unmatched_unit_keeps_the_task_open_until_the_office_assigns_or_removes_it(cq):
    orgs, users = cq
    plan = _plan(cq, confirm=False)
    task = _task(plan, "（十二）")
    services.update_task(task, user=users["admin"], title=task.title,
                         units=[("lead", "", orgs["finance"].pk), ("responsible", "各区县政府", None)])
    services.confirm_plan(plan, user=users["admin"])
    services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="完成", percent=100,
                             claims_done=True, on=dt.date(2018, 6, 1))
    services.confirm_done(task, user=users["finance"])
    task.refresh_from_db()
    # Every matched part is done, but 各区县政府 cannot report: the task stays open.
    assert (task.state, task.percent, task.completed_on) == (Task.State.OPEN, 99, None)
    assert task.units.get(organisation__isnull=True).pending
    # The office names an organisation for the group: it now has to report its own part.
    units = [("lead", "", orgs["finance"].pk), ("responsible", "各区县政府", orgs["district"].pk)]
    services.update_task(task, user=users["admin"], title=task.title, units=units)
    task.refresh_from_db()
    assert task.state == Task.State.OPEN
    assert task.units.get(organisation=orgs["finance"]).state == Task.State.DONE  # kept through the edit
    assert task.units.get(organisation=orgs["district"]).state == Task.State.OPEN
    # Removing the group instead completes the task with the parts it has.
    services.update_task(task, user=users["admin"], title=task.title, units=[("lead", "", orgs["finance"].pk)])
    task.refresh_from_db()
    assert (task.state, task.completed_on, task.percent) == (Task.State.DONE, dt.date(2018, 6, 1), 100)
    assert task.confirmed_by == users["finance"]  # who confirmed its last part


def test_an_organisation_named_twice_in_a_task_has_one_part(cq):
    orgs, users = cq
    plan = _plan(cq)
    task = _task(plan, "（十二）")
    services.update_task(task, user=users["admin"], title=task.title,
                         units=[("lead", "市财政局", orgs["finance"].pk), ("responsible", "财政局", orgs["finance"].pk)])
    services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="完成", percent=100,
                             claims_done=True, on=dt.date(2018, 6, 1))
    task.refresh_from_db()
    assert task.state == Task.State.REPORTED
    assert [u.organisation_id for u in services.parts_of(task)] == [orgs["finance"].pk]
    groups = services.overdue_by_unit(services.tasks_of_units(None).filter(pk=task.pk), dt.date(2019, 1, 2))
    assert groups == []  # reported done: not overdue


def test_migration_carries_completed_tasks_to_their_units(cq):
    """The data step of 0003_unit_progress: a task completed under the old rule
    (one unit's report completed it for all) keeps every unit's part complete
    at the task's date; an open task's units get their own reports' percents."""
    import importlib

    from django.apps import apps

    orgs, users = cq
    plan = _plan(cq)
    done, reported, open_task = _task(plan, "1."), _task(plan, "（八）"), _two_leads(cq, plan)
    Task.objects.filter(pk=done.pk).update(state=Task.State.DONE, percent=100, completed_on=dt.date(2018, 4, 2),
                                           confirmed_by=users["admin"])
    Task.objects.filter(pk=reported.pk).update(state=Task.State.REPORTED, percent=100, completed_on=dt.date(2018, 5, 3))
    for org, percent in [(orgs["finance"], 40), (orgs["finance"], 100), (orgs["ndrc"], 30)]:
        ProgressReport.objects.create(task=open_task, organisation=org, reported_on=dt.date(2018, 3, 1), text="旧报送",
                                      percent=percent)
    Task.objects.filter(pk=open_task.pk).update(state=Task.State.OPEN, percent=99)  # reopened under the old rule
    TaskUnit.objects.update(state=Task.State.OPEN, percent=0, completed_on=None, confirmed_by=None)

    migration = importlib.import_module("gongkai.workplan.migrations.0003_unit_progress")
    migration.carry_over(apps, None)

    assert {(u.state, u.completed_on, u.confirmed_by) for u in done.units.all()} == {
        (Task.State.DONE, dt.date(2018, 4, 2), users["admin"])}
    assert done.units.filter(organisation__isnull=True).exists()  # its groups too: the task was complete
    assert {(u.state, u.completed_on, u.percent) for u in reported.units.all()} == {
        (Task.State.REPORTED, dt.date(2018, 5, 3), 100)}
    assert (_part(open_task, orgs["finance"]).percent, _part(open_task, orgs["ndrc"]).percent) == (99, 30)
    open_task.refresh_from_db()
    assert (open_task.state, open_task.percent) == (Task.State.OPEN, 64)  # (99 + 30) // 2
    # The summaries the services write agree with the carried-over parts.
    for task in (done, reported, open_task):
        task.refresh_from_db()
        before = (task.state, task.percent, task.completed_on)
        assert (services.settle(task).state, task.percent, task.completed_on) == before


def test_bad_progress_reports_are_refused_and_write_nothing(cq, make_document):
    orgs, users = cq
    plan = _plan(cq)
    task = _task(plan, "1.")
    draft = make_document(orgs["finance"], "未发布的稿件", publish=False)

    def refused(match, user=users["finance"], organisation=None, **kwargs):
        data = {"text": "进展", "percent": 50, **kwargs}
        with pytest.raises((ValidationError, PermissionDenied), match=match):
            services.report_progress(task, user=user, organisation=organisation or orgs["finance"], **data)

    refused("请填写进展情况", text=" ")
    refused("0到100", percent=120)
    refused("0到100", percent="很多")
    refused("进度应为100%", percent=80, claims_done=True)
    refused("已发布的政府信息", documents=[draft])
    refused("不是该任务", organisation=orgs["egov"], user=users["egov"])
    refused("报送任务进展", user=users["ndrc"])  # the finance bureau's task, reported by someone else
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    refused("病毒.exe", files=[bad])
    assert not ProgressReport.objects.exists()
    task.refresh_from_db()
    assert (task.state, task.percent) == (Task.State.OPEN, 0)
    assert set(task.units.values_list("state", "percent")) == {(Task.State.OPEN, 0)}


def test_a_lead_unit_returns_a_reported_completion(cq):
    orgs, users = cq
    plan = _plan(cq)
    task = _task(plan, "（八）")  # led by 市政府电子政务办
    services.update_task(task, user=users["admin"], title=task.title, text=task.text,
                         units=[("lead", "市政府电子政务办", orgs["egov"].pk), ("responsible", "市财政局", orgs["finance"].pk)])
    services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="完成", percent=100,
                             claims_done=True, on=dt.date(2018, 6, 1))
    services.report_progress(task, user=users["egov"], organisation=orgs["egov"], text="完成", percent=100,
                             claims_done=True, on=dt.date(2018, 6, 5))
    task.refresh_from_db()
    assert (task.state, task.completed_on) == (Task.State.REPORTED, dt.date(2018, 6, 5))
    with pytest.raises(PermissionDenied):
        services.confirm_done(task, user=users["finance"])  # a responsible unit does not confirm its own work
    with pytest.raises(PermissionDenied):
        services.return_report(task, user=users["finance"], reason="x", organisation=orgs["egov"])
    services.return_report(task, user=users["egov"], reason="未见公开链接", organisation=orgs["finance"])
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.completed_on is None
    finance = task.units.get(organisation=orgs["finance"])
    assert (finance.state, finance.completed_on, finance.percent) == (Task.State.OPEN, None, 99)
    assert task.units.get(organisation=orgs["egov"]).state == Task.State.REPORTED  # the lead's own part stays
    with pytest.raises(ValidationError, match="已报送完成"):
        services.confirm_done(task, user=users["egov"], organisation=orgs["finance"])
    assert AuditEntry.objects.get(action="workplan.return").detail["organisations"] == [orgs["finance"].pk]


def test_the_office_confirms_when_no_lead_unit_is_an_organisation(cq):
    orgs, users = cq
    plan = _plan(cq, confirm=False)
    task = _task(plan, "（十二）")
    services.update_task(task, user=users["admin"], title=task.title, units=[("responsible", "", orgs["finance"].pk)])
    services.confirm_plan(plan, user=users["admin"])
    services.report_progress(task, user=users["finance"], organisation=orgs["finance"], text="完成", percent=100,
                             claims_done=True)
    assert not services.can_confirm(users["finance"], task)
    services.confirm_done(task, user=users["admin"], organisation=orgs["finance"])
    assert Task.objects.get(pk=task.pk).state == Task.State.DONE


def test_report_requests_list_units_that_have_not_reported(cq):
    orgs, users = cq
    plan = _plan(cq)
    with pytest.raises(ValidationError, match="截止日期"):
        services.request_reports(plan, user=users["admin"], due_on=dt.date(2018, 3, 1), on=dt.date(2018, 3, 5))
    req = services.request_reports(plan, user=users["admin"], due_on=dt.date(2018, 3, 10), on=dt.date(2018, 3, 5))
    services.report_progress(_task(plan, "1."), user=users["finance"], organisation=orgs["finance"], text="推进中",
                             percent=30, on=dt.date(2018, 3, 6))
    missing = services.missing_reports(req)
    assert [t.number for t in missing[orgs["finance"]]] == ["2."]
    assert {t.number for t in missing[orgs["egov"]]} == {"4.", "（五）", "（六）", "（七）", "（八）", "（九）", "（十）"}
    with pytest.raises(PermissionDenied):
        services.request_reports(plan, user=users["finance"], due_on=dt.date(2018, 3, 10))


# ---------------------------------------------------------------- warnings and overdue


@pytest.mark.parametrize("today, expected", [
    # Due 2024-09-30. Counted by hand: 09-14 (a Saturday worked for Mid-Autumn) and
    # 09-29 (a Sunday worked for National Day) are working days, 09-15..17 are not.
    (dt.date(2024, 9, 13), ""),                       # 14, 18, 19, 20, 23, 24, 25, 26, 27, 29, 30: 11 left
    (dt.date(2024, 9, 14), services.DUE_NEAR),        # 10 left
    (dt.date(2024, 9, 25), services.DUE_NEAR),        # 26, 27, 29, 30: 4 left
    (dt.date(2024, 9, 26), services.DUE_SOON),        # 27, 29, 30: 3 left
    (dt.date(2024, 9, 30), services.DUE_SOON),
    (dt.date(2024, 10, 1), services.OVERDUE),
])
def test_warnings_count_working_days_on_the_official_calendar(cq, today, expected):
    orgs, users = cq
    plan = _plan(cq)
    task = _task(plan, "1.")
    task.due_date = dt.date(2024, 9, 30)
    assert services.warning(task, today) == expected


def test_warning_thresholds_are_ten_and_three_working_days(cq):
    from gongkai.core.calendar import workdays_between

    orgs, users = cq
    task = _task(_plan(cq), "1.")
    task.due_date = dt.date(2024, 9, 30)
    for day in (dt.date(2024, 9, 1) + dt.timedelta(days=n) for n in range(30)):
        left = workdays_between(day, task.due_date)
        expected = services.DUE_SOON if left <= 3 else services.DUE_NEAR if left <= 10 else ""
        assert services.warning(task, day) == expected, day
    task.state, task.completed_on = Task.State.REPORTED, dt.date(2024, 9, 20)
    assert services.warning(task, dt.date(2024, 9, 25)) == ""
    assert services.warning(task, dt.date(2024, 10, 8)) == ""


def test_overdue_tasks_are_listed_under_each_unit(cq):
    orgs, users = cq
    plan = _plan(cq)
    for number, due in [("1.", dt.date(2018, 4, 30)), ("2.", dt.date(2018, 6, 30)), ("4.", dt.date(2018, 4, 30))]:
        Task.objects.filter(plan=plan, number=number).update(due_date=due)
    services.report_progress(_task(plan, "1."), user=users["finance"], organisation=orgs["finance"], text="完成",
                             percent=100, claims_done=True, on=dt.date(2018, 4, 28))
    # 2. is led by the NDRC and the finance bureau: the finance bureau finished its part on time, the NDRC did not.
    services.report_progress(_task(plan, "2."), user=users["finance"], organisation=orgs["finance"], text="完成",
                             percent=100, claims_done=True, on=dt.date(2018, 6, 20))
    groups = services.overdue_by_unit(services.tasks_of_units(None), dt.date(2018, 7, 2))
    by_unit = {g.organisation.short_name: sorted(t.number for t in g.tasks) for g in groups}
    assert by_unit == {"市发展改革委": ["2.", "4."], "市政府电子政务办": ["4."]}
    assert groups[0].organisation == orgs["ndrc"]  # most overdue first
    assert [p.organisation for p in groups[0].parts] == [orgs["ndrc"], orgs["ndrc"]]
    assert not services.done_by(_task(plan, "2."), dt.date(2018, 7, 2))  # the task as a whole is still late
    task = _task(plan, "2.")
    finance = task.units.get(organisation=orgs["finance"])
    assert services.unit_warning(task, finance, dt.date(2018, 7, 2)) == ""
    assert services.unit_warning(task, task.units.get(organisation=orgs["ndrc"]), dt.date(2018, 7, 2)) == services.OVERDUE
    assert services.warning(task, dt.date(2018, 7, 2)) == services.OVERDUE


# ---------------------------------------------------------------- quotas


def test_quota_windows_count_the_unit_and_its_children_and_carry_shortfalls(cq, make_document):
    orgs, users = cq
    plan = quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year=2024, title="2024年信息发布任务",
                                    period="quarter", targets={orgs["finance"]: 5, orgs["egov"]: 2}, carry="next")
    for day in (dt.date(2024, 1, 10), dt.date(2024, 3, 31)):
        make_document(orgs["finance"], f"财政信息{day}", published_date=day)
    make_document(orgs["district"], "区财政信息", published_date=dt.date(2024, 2, 1))   # a child counts
    make_document(orgs["finance"], "草稿", publish=False, published_date=None)           # a draft does not
    make_document(orgs["finance"], "四月信息", published_date=dt.date(2024, 4, 1))
    for n in range(3):
        make_document(orgs["egov"], f"电子政务{n}", published_date=dt.date(2024, 1, 5 + n))

    # Before Q1 ends nothing carries.
    q1 = {w.organisation.short_name: w for w in quotas.current(plan, dt.date(2024, 3, 31))}
    assert (q1["市财政局"].actual, q1["市财政局"].required, q1["市财政局"].shortfall) == (3, 5, 2)
    q2_early = {w.organisation.short_name: w for w in quotas.current(plan, dt.date(2024, 4, 1))}
    # Finance: 3 of 5 in Q1, so Q2 needs 5 + 2; e-government published 3 of 2: nothing carried.
    assert (q2_early["市财政局"].carried_in, q2_early["市财政局"].required, q2_early["市财政局"].actual) == (2, 7, 1)
    assert q2_early["市财政局"].carried_from == ["1月1日至3月31日"]
    assert (q2_early["市政府电子政务办"].carried_in, q2_early["市政府电子政务办"].required) == (0, 2)
    # Q2 ends with finance at 1 of 7: Q3 needs 5 + 6 (the carried 2 carry on).
    q3 = {w.organisation.short_name: w for w in quotas.current(plan, dt.date(2024, 7, 1))}
    assert (q3["市财政局"].carried_in, q3["市财政局"].required) == (6, 11)
    assert quotas.year_attainment(plan, orgs["finance"], as_of=dt.date(2024, 12, 31)) == (4, 20)
    assert round(q2_early["市财政局"].attainment, 3) == round(1 / 7, 3)
    # Targets are for organisations below the office only; bad numbers are refused.
    with pytest.raises(ValidationError, match="下级机构"):
        quotas.set_target(plan, orgs["top"], 3, user=users["admin"])
    with pytest.raises(ValidationError, match="非负整数"):
        quotas.set_target(plan, orgs["finance"], -1, user=users["admin"])
    with pytest.raises(PermissionDenied):
        quotas.set_target(plan, orgs["finance"], 9, user=users["finance"])


def test_carry_to_the_last_window_and_year_and_month_periods(cq, make_document):
    orgs, users = cq
    plan = quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year=2024, title="月度",
                                    period="month", targets={orgs["finance"]: 1}, carry="last")
    make_document(orgs["finance"], "一月", published_date=dt.date(2024, 1, 9))
    december = quotas.current(plan, dt.date(2024, 12, 1))[0]
    # February to November each left 1 unpublished: 10 carried into December.
    assert (december.carried_in, december.required, len(december.carried_from)) == (10, 11, 10)
    yearly = quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year=2024, title="年度",
                                      period="year", targets={orgs["finance"]: 12})
    assert [(w.start, w.end, w.actual) for w in quotas.windows(yearly, as_of=dt.date(2024, 12, 31))] == [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 1)]
    per_quarter = quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year=2024, title="分季度",
                                           period="quarter", targets={orgs["finance"]: [2, 3, 3, 4]})
    assert list(per_quarter.quotas.values_list("target", flat=True)) == [2, 3, 3, 4]
    with pytest.raises(ValidationError, match="应为1个数，或4个数"):
        quotas.set_target(per_quarter, orgs["egov"], [1, 2], user=users["admin"])
    with pytest.raises(ValidationError, match="年度应为四位数字"):
        quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year="二〇二四", title="x")
    with pytest.raises(ValidationError, match="结转方式"):
        quotas.create_quota_plan(organisation=orgs["top"], user=users["admin"], year=2024, title="x", carry="sideways")


def test_quota_plans_set_up_in_the_admin_are_audited(cq, admin_client):
    orgs, users = cq
    response = admin_client.post("/admin/workplan/quotaplan/add/", {
        "organisation": orgs["top"].pk, "year": 2024, "title": "后台录入", "period": "year",
        "quotas-TOTAL_FORMS": 1, "quotas-INITIAL_FORMS": 0,
        "quotas-0-organisation": orgs["finance"].pk, "quotas-0-start": "2024-01-01", "quotas-0-end": "2024-12-31",
        "quotas-0-target": 30,
        "carry_rules-TOTAL_FORMS": 0, "carry_rules-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEntry.objects.filter(action="quotaplan.create").count() == 1
    assert AuditEntry.objects.filter(action="quota.create").count() == 1
    assert verify().ok
