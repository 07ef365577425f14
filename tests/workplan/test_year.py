"""A whole year of work-plan supervision, run through the services and the
worker as an office would live it: the real 2018 plan of Chongqing imported
and checked, progress reported (and a completion reopened), a quarterly
quota plan with carry-over, three monthly bulletins drafted by the worker on
the first working day of April, July and October, and the year's scores.

Every expected figure is counted by hand in the comments beside it."""

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from gongkai.applications import services as applications
from gongkai.catalog.models import Document
from gongkai.core.audit import verify
from gongkai.core.models import Organisation
from gongkai.ingest.extract import extract
from gongkai.monitor.models import Site
from gongkai.monitor.services import record_run
from gongkai.core import scheduler
from gongkai.workplan import assessment, quotas, services
from gongkai.workplan.models import Bulletin, Indicator, Task
from tests.conftest import SHARED_SAMPLES

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSON = {
    "applicant_type": "natural", "applicant_name": "张三", "id_document": "居民身份证 500101199001011234",
    "phone": "13912345678", "email": "zs@example.com", "address": "重庆市渝中区解放碑1号",
    "info_title": "2018年市级部门预算", "info_number": "", "info_description": "",
    "form": "electronic", "delivery": "email",
}


def tick(day: dt.date):
    """The worker's scheduler at 09:00 that day (the daily jobs at the day's
    first tick), the jobs run at once: what each job that ran returned,
    by its name, and 0 bulletins when that job was not due."""
    results = scheduler.tick(now=dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI))
    report = SimpleNamespace(bulletins=0, applications={})
    for result in results.values():
        if result.task.name == "draft_due_bulletins":
            report.bulletins = result.return_value["bulletins"]
        elif result.task.name == "application_deadlines":
            report.applications = result.return_value
    return report


@pytest.fixture
def city(db, make_user):
    top = Organisation.objects.create(name="重庆市人民政府", short_name="重庆市", level="province", index_prefix="CQ0")
    orgs = {"top": top}
    for order, (key, name, short) in enumerate([
        ("office", "重庆市人民政府办公厅", "市政府办公厅"),
        ("ndrc", "重庆市发展和改革委员会", "市发展改革委"),
        ("finance", "重庆市财政局", "市财政局"),
        ("egov", "重庆市人民政府电子政务办公室", "市政府电子政务办"),
    ]):
        orgs[key] = Organisation.objects.create(name=name, short_name=short, level="department", parent=top,
                                                sort_order=order, index_prefix=f"CQ-{key}")
    orgs["district"] = Organisation.objects.create(name="黔江区财政局", level="department", parent=orgs["finance"],
                                                   index_prefix="CQ-qj")
    users = {"admin": make_user("gongkaiban", (top, "office_admin"))}
    for key in ("office", "ndrc", "finance", "egov"):
        users[key] = make_user(f"{key}-liaison", (orgs[key], "drafter"))
    users["handler"] = make_user("finance-handler", (orgs["finance"], "handler"))
    users["egov-handler"] = make_user("egov-handler", (orgs["egov"], "handler"))
    return orgs, users


def test_a_year_of_supervision(city, make_document):
    orgs, users = city
    admin = users["admin"]

    def publish(key, *days):
        for day in days:
            make_document(orgs[key], f"{orgs[key].short_name or orgs[key].name}{day:%Y%m%d}信息", published_date=day)

    def report(number, key, day, percent=100, done=True, evidence=()):
        return services.report_progress(plan.tasks.get(number=number), user=users[key], organisation=orgs[key],
                                        text=f"{number}进展", percent=percent, claims_done=done,
                                        documents=evidence, on=day)

    def confirm(number, key):
        services.confirm_done(plan.tasks.get(number=number), user=users[key])

    # ---- February: the plan is imported from the real page, checked and confirmed.
    text = extract((SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt").read_text(encoding="utf-8")).body_text
    plan = services.import_plan(organisation=orgs["top"], text=text, user=admin, source_name="2018年工作要点")
    assert (plan.year, plan.tasks.count()) == (2018, 22)
    dues = {"1.": D(2018, 3, 31), "2.": D(2018, 6, 30), "3.": D(2018, 9, 30), "4.": D(2018, 9, 30),
            "（三）": D(2018, 6, 30), "（八）": D(2018, 6, 30)}
    for number, due in dues.items():
        task = plan.tasks.get(number=number)
        units = list(task.units.values_list("role", "name", "organisation_id"))
        services.update_task(task, user=admin, title=task.title, text=task.text, due_text=f"{due:%Y年%-m月%-d日}前",
                             due_date=due, units=units)
    # （十三） keeps the due its own words give (今年年底前); the office names who does it.
    training = plan.tasks.get(number="（十三）")
    assert (training.due_text, training.due_date) == ("今年年底前", D(2018, 12, 31))
    services.update_task(training, user=admin, title=training.title, text=training.text, due_text=training.due_text,
                         due_date=training.due_date, units=[("lead", "市政府办公厅", orgs["office"].pk)])
    plan = services.confirm_plan(plan, user=admin)
    quota_plan = quotas.create_quota_plan(
        organisation=orgs["top"], user=admin, year=2018, title="2018年政务信息发布任务数", period="quarter", carry="next",
        targets={orgs["finance"]: 3, orgs["ndrc"]: 2, orgs["egov"]: 2, orgs["office"]: 2}, work_plan=plan)
    assert sorted(t.number for t in services.visible_tasks(users["finance"])) == ["1.", "2."]

    # ---- First quarter. Finance 3 (one by its district bureau), NDRC 1, e-government 3, office 0.
    publish("finance", D(2018, 1, 15), D(2018, 3, 20))
    publish("district", D(2018, 2, 10))
    publish("ndrc", D(2018, 3, 1))
    publish("egov", D(2018, 1, 8), D(2018, 2, 8), D(2018, 3, 8))
    evidence = Document.objects.get(title="市财政局20180320信息")
    report("1.", "finance", D(2018, 3, 20), evidence=[evidence])
    confirm("1.", "finance")  # the finance bureau leads task 1. alone
    app1, _ = applications.register(orgs["finance"], PERSON, channel="in_person", user=users["handler"],
                                    received_on=D(2018, 3, 5))
    applications.reply(app1, user=users["handler"], outcome="disclosed", on=D(2018, 3, 20))

    assert tick(D(2018, 4, 1)).bulletins == 0   # a Sunday: not yet
    assert tick(D(2018, 4, 2)).bulletins == 1   # the first working day of April
    assert tick(D(2018, 4, 3)).bulletins == 0   # never twice
    march = Bulletin.objects.get(month=D(2018, 3, 1))
    rows = _rows(march)
    # unit: (due in March, done in March, done so far, overdue, Q1 required, Q1 published, attainment %, rank)
    assert rows == {
        "市政府办公厅": (0, 0, 0, 0, 2, 0, 0.0, 4),
        "市发展改革委": (0, 0, 0, 0, 2, 1, 50.0, 3),
        "市财政局": (1, 1, 1, 0, 3, 3, 100.0, 1),
        "市政府电子政务办": (0, 0, 0, 0, 2, 3, 100.0, 1),   # 3 of 2: capped at 100 %
    }

    # ---- Second quarter. The office asks for reports in May.
    req = services.request_reports(plan, user=admin, due_on=D(2018, 5, 10), on=D(2018, 5, 2))
    report("（三）", "office", D(2018, 5, 8), percent=50, done=False)
    missing = {org.short_name: sorted(t.number for t in tasks) for org, tasks in services.missing_reports(req).items()}
    assert "市政府办公厅" in missing and "（三）" not in missing["市政府办公厅"]
    assert missing["市财政局"] == ["2."]
    publish("finance", D(2018, 4, 10), D(2018, 6, 30))                       # Q2: 2 of 3
    publish("ndrc", D(2018, 4, 2), D(2018, 5, 2), D(2018, 6, 2))             # 3 of 2 + 1 carried
    publish("egov", D(2018, 5, 20))                                          # 1 of 2
    publish("office", D(2018, 4, 3), D(2018, 5, 3), D(2018, 6, 3), D(2018, 6, 4))  # 4 of 2 + 2 carried
    report("（八）", "egov", D(2018, 6, 15))
    confirm("（八）", "egov")
    report("（三）", "office", D(2018, 6, 28))
    confirm("（三）", "office")
    app2, _ = applications.register(orgs["finance"], {**PERSON, "info_title": "财政专项资金分配"}, channel="in_person",
                                    user=users["handler"], received_on=D(2018, 5, 2))
    app4, _ = applications.register(orgs["egov"], PERSON, channel="in_person", user=users["egov-handler"],
                                    received_on=D(2018, 6, 1))
    applications.reply(app4, user=users["egov-handler"], outcome="disclosed", on=D(2018, 6, 15))

    report_of_july = tick(D(2018, 7, 2))  # also records app2 overdue (due 2018-05-30)
    assert report_of_july.bulletins == 1 and report_of_july.applications["overdue"] == 1
    june = Bulletin.objects.get(month=D(2018, 6, 1))
    assert _rows(june) == {
        "市政府办公厅": (1, 1, 1, 0, 4, 4, 100.0, 1),        # Q2 needs 2 + 2 carried from Q1
        "市发展改革委": (1, 0, 0, 1, 3, 3, 100.0, 2),        # 2. is overdue: ranked after the office
        "市财政局": (1, 0, 1, 1, 3, 2, 66.7, 3),
        "市政府电子政务办": (1, 1, 1, 0, 2, 1, 50.0, 4),
    }
    overdue = {row["organisation"]["short_name"]: [t["number"] for t in row["overdue_tasks"]]
               for row in june.data["units"]}
    assert overdue["市财政局"] == ["2."] and overdue["市发展改革委"] == ["2."]
    june_q2 = {row["organisation"]["short_name"]: row["quotas"][0] for row in june.data["units"]}
    assert june_q2["市政府办公厅"]["carried_from"] == ["1月1日至3月31日"]

    # ---- Third quarter. The office reopens （八） (no evidence); late completions.
    applications.reply(app2, user=users["handler"], outcome="disclosed", on=D(2018, 7, 3))
    services.reopen(plan.tasks.get(number="（八）"), user=admin, reason="未附公开链接")
    report("2.", "finance", D(2018, 7, 10))
    report("2.", "ndrc", D(2018, 7, 10))  # each unit reports its own part
    confirm("2.", "ndrc")  # the lead unit confirms both parts
    report("（八）", "egov", D(2018, 7, 12))
    confirm("（八）", "egov")
    report("3.", "ndrc", D(2018, 9, 25))
    confirm("3.", "ndrc")
    publish("finance", D(2018, 7, 5), D(2018, 8, 1), D(2018, 8, 15), D(2018, 9, 10))  # 4 of 3 + 1 carried
    publish("egov", D(2018, 7, 20), D(2018, 9, 28))                                   # 2 of 2 + 1 carried
    publish("office", D(2018, 8, 8), D(2018, 9, 9))                                   # 2 of 2
    app3, _ = applications.register(orgs["finance"], {**PERSON, "info_title": "政府采购合同"}, channel="in_person",
                                    user=users["handler"], received_on=D(2018, 8, 1))
    applications.reply(app3, user=users["handler"], outcome="disclosed", on=D(2018, 8, 20))

    assert tick(D(2018, 10, 5)).bulletins == 0  # National Day: 10-08 is the first working day
    assert tick(D(2018, 10, 9)).bulletins == 1  # the worker was down on the 8th: caught up
    september = Bulletin.objects.get(month=D(2018, 9, 1))
    assert _rows(september) == {
        "市政府办公厅": (0, 0, 1, 0, 2, 2, 100.0, 1),
        "市财政局": (0, 0, 2, 0, 4, 4, 100.0, 1),
        # 4. and （五） (力争今年9月底) overdue; （八） done again in July
        "市政府电子政务办": (2, 0, 1, 2, 3, 2, 66.7, 3),
        "市发展改革委": (2, 1, 2, 1, 2, 0, 0.0, 4),
    }
    assert september.data["totals"]["overdue"] == 3
    for bulletin in (march, june, september):
        doc = bulletin.document
        assert doc.status == Document.Status.DRAFT and doc.organisation == orgs["top"]
        assert doc.attachments.filter(name__endswith=".docx").count() == 1
    assert Bulletin.objects.count() == 3

    # ---- Fourth quarter and the year's end.
    report("4.", "ndrc", D(2018, 11, 20))  # reported, never confirmed by a lead unit this year
    report("（十三）", "office", D(2018, 12, 10))
    confirm("（十三）", "office")
    publish("finance", D(2018, 10, 15), D(2018, 11, 15), D(2018, 12, 14))
    publish("ndrc", D(2018, 10, 8), D(2018, 11, 8), D(2018, 12, 3), D(2018, 12, 4))
    publish("egov", D(2018, 11, 11))
    publish("office", D(2018, 10, 10), D(2018, 11, 12))
    finding = SimpleNamespace
    site = Site.objects.create(name="电子政务办门户", start_url="http://egov.cq.example/", organisation=orgs["egov"],
                               active=False)
    record_run(site, [finding(kind="dead_link", severity="warning", url=f"http://egov.cq.example/{n}", evidence=f"/x{n}",
                              context="") for n in range(5)],
               pages=300, started_at=dt.datetime(2018, 6, 1, 3, tzinfo=SHANGHAI))
    record_run(site, [finding(kind="hidden_link", severity="serious", url="http://egov.cq.example/", evidence="bet365",
                              context="")]
               + [finding(kind="dead_link", severity="warning", url=f"http://egov.cq.example/{n}", evidence=f"/x{n}",
                          context="") for n in range(2)],
               pages=310, started_at=dt.datetime(2018, 11, 1, 3, tzinfo=SHANGHAI))
    finance_site = Site.objects.create(name="财政局网站", start_url="http://cz.cq.example/", organisation=orgs["finance"],
                                       active=False)
    record_run(finance_site, [], pages=120, started_at=dt.datetime(2018, 11, 2, 3, tzinfo=SHANGHAI))

    year = {w.organisation.short_name: (w.actual, w.required)
            for w in quotas.current(quota_plan, D(2018, 12, 31))}
    # Q4: finance 3 of 3; NDRC 4 of 2 + 2 carried; e-government 1 of 2 + 1 carried; office 2 of 2.
    assert year == {"市财政局": (3, 3), "市发展改革委": (4, 4), "市政府电子政务办": (1, 3), "市政府办公厅": (2, 2)}

    scheme = assessment.create_scheme(organisation=orgs["top"], user=admin, year=2018, name="2018年政务公开工作考核",
                                      indicators=[(Indicator.Kind.TASKS_ON_TIME, 40, 0), (Indicator.Kind.QUOTA, 30, 0),
                                                  (Indicator.Kind.APPLICATIONS_ON_TIME, 10, 0),
                                                  (Indicator.Kind.TICKETS_ON_TIME, 5, 0),
                                                  (Indicator.Kind.SATISFACTION, 5, 0),
                                                  (Indicator.Kind.MONITORING, 10, 2)])
    scores = {s.organisation.short_name: s for s in assessment.compute(scheme, as_of=D(2018, 12, 31))}
    points = {name: [str(i.points) for i in s.indicators] + [str(s.total), s.rank] for name, s in scores.items()}
    # 政民互动 (tickets, satisfaction) has no data for anyone, nor have units without applications or a
    # monitored site: those indicators are 无数据, excluded, and the total is rescaled to the weights that count.
    assert points == {
        # tasks on time: （三） 06-28 ≤ 06-30 and （十三） 12-10 ≤ 12-31: 2 of 2. Quota 8 of 8. 70 of 70 → 100.
        "市政府办公厅": ["40.00", "30.00", "0.00", "0.00", "0.00", "0.00", "100.00", 1],
        # 1. on time, 2. done 07-10 after 06-30: 1 of 2. Quota 12 of 12 (the district's counts).
        # Applications: app2 went overdue: 2 of 3 → 6.67. Its site's last run found nothing. 66.67 of 90.
        "市财政局": ["20.00", "30.00", "6.67", "0.00", "0.00", "10.00", "74.08", 2],
        # 3. on time; 2. late; 4. reported but not confirmed: 1 of 3 → 13.33. Quota 1+3+0+4 = 8 of 8. 43.33 of 70.
        "市发展改革委": ["13.33", "30.00", "0.00", "0.00", "0.00", "0.00", "61.90", 3],
        # 4. not done, （八） redone 07-12 after 06-30: 0 of 2. Quota 3+1+2+1 = 7 of 8 → 26.25.
        # Monitoring: the November run (not June's) has 1 serious and 2 other problems: 10 − 2 − 1 − 1. 42.25 of 90.
        "市政府电子政务办": ["0.00", "26.25", "10.00", "0.00", "0.00", "6.00", "46.94", 4],
    }
    tasks_detail = scores["市政府电子政务办"].score(Indicator.Kind.TASKS_ON_TIME).detail
    assert any("逾期完成" in line and "2018-07-12" in line for line in tasks_detail), tasks_detail

    book = load_workbook(io.BytesIO(assessment.to_xlsx(scheme, list(scores.values()))))
    sheet = book.worksheets[0]
    by_unit = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_unit["重庆市人民政府办公厅"][0] == 1 and float(by_unit["重庆市人民政府办公厅"][-1]) == 100.0
    assert float(by_unit["重庆市人民政府电子政务办公室"][-1]) == 46.94
    # Every matched unit of six tasks finished its part; only （十三） names no group (各区县政府, 有关单位 …)
    # that the office has yet to assign to organisations, so only it is complete.
    finished = {t.number for t in plan.tasks.all()
                if all(u.state == Task.State.DONE for u in t.units.all() if u.organisation_id)}
    assert len(finished & {"1.", "2.", "3.", "（三）", "（八）", "（十三）"}) == 6
    assert list(Task.objects.filter(plan=plan, state=Task.State.DONE).values_list("number", flat=True)) == ["（十三）"]
    assert verify().ok


def _rows(bulletin):
    """unit → (due, done, done so far, overdue, required, published, attainment %, rank) for the first quota plan."""
    out = {}
    for row in bulletin.data["units"]:
        quota = row["quotas"][0]
        out[row["organisation"]["short_name"]] = (row["due"], row["done"], row["done_total"], row["overdue"],
                                                 quota["required"], quota["actual"], quota["attainment"], row["rank"])
    return out
