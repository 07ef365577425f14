"""The year's assessment (年度考核): a hand-counted scenario scored on every
indicator, the XLSX, scheme validation, the staff pages and the `workplan
score` / `workplan bulletin` commands.

The office is 西昌市人民政府 (org_tree's county); its three direct
subordinates are the units: 西昌市财政局 (with a subordinate body, its
国库支付中心), 西昌市教育局 and 西昌市安宁镇人民政府. Every expected number
below was counted by hand from the scenario (see the comments), as of
2024-06-30 unless said otherwise. An indicator without data is never given
full marks: by default it is left out and the total renormalised to 100."""

import datetime as dt
import hashlib
import io
import itertools
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gongkai.applications.models import Application, Event
from gongkai.core.models import AuditEntry, Organisation
from gongkai.monitor.models import Finding, Run, Site
from gongkai.workplan import assessment, quotas, services
from gongkai.workplan.models import Indicator, NoData, Scheme, Task

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")
K = Indicator.Kind
AS_OF = D(2024, 6, 30)
_serial = itertools.count(1)

PLAN_TEXT = """2024年西昌市政务公开工作要点
一、推进政策公开
（一）做好预决算公开。按规定公开部门预决算。
（二）做好政策解读。重要政策同步解读。
（三）做好招生信息公开。
二、加强平台建设
（一）做好网站普查。
（二）做好信息发布。
（三）做好长期工作。
"""

INDICATORS = [(K.TASKS_ON_TIME, 30, 0), (K.QUOTA, 20, 0), (K.APPLICATIONS_ON_TIME, 20, 0),
              (K.TICKETS_ON_TIME, 5, 0), (K.SATISFACTION, 5, 0), (K.MONITORING, 20, 4)]


def _app(org, received, *, state="replied", closed=None, overdue_on=None):
    """An application row written directly (back-dated), with its OVERDUE event if any."""
    n = next(_serial)
    app = Application.objects.create(
        organisation=org, year=received.year, serial=n,
        tracking_hash=hashlib.sha256(f"assessment-{n}".encode()).hexdigest(), applicant_type="natural",
        applicant_name="申请人", id_document="身份证", phone="1", channel="in_person",
        submitted_at=dt.datetime.combine(received, dt.time(9, 30), tzinfo=TZ), received_on=received, state=state,
        closed_on=closed)
    Event.objects.create(application=app, kind=Event.Kind.RECEIVED, on=received)
    if overdue_on:
        Event.objects.create(application=app, kind=Event.Kind.OVERDUE, on=overdue_on, note="答复期限已过")
    return app


def _run(site, when, findings):
    """A monitoring run started at `when` (Shanghai time) with (kind, severity, status) findings."""
    run = Run.objects.create(site=site, started_at=when.replace(tzinfo=TZ), finished_at=when.replace(tzinfo=TZ))
    for i, (kind, severity, status) in enumerate(findings):
        Finding.objects.create(run=run, kind=kind, severity=severity, page_url=f"{site.start_url}p{i}.html",
                               evidence=f"证据{i}", fingerprint=f"{run.pk}-{i}", status=status)
    return run


@pytest.fixture
def world(org_tree, make_user, make_document):
    county, township = org_tree["county"], org_tree["township"]
    Organisation.objects.filter(pk=township.pk).update(sort_order=3)
    township.refresh_from_db()
    finance = Organisation.objects.create(name="西昌市财政局", short_name="市财政局", level="department", parent=county,
                                          index_prefix="XC-CZ", sort_order=1)
    education = Organisation.objects.create(name="西昌市教育局", short_name="市教育局", level="department",
                                            parent=county, index_prefix="XC-JY", sort_order=2)
    treasury = Organisation.objects.create(name="西昌市财政局国库支付中心", level="department", parent=finance,
                                           index_prefix="XC-GK")
    office = make_user("office", (county, "office_admin"))

    # ---- tasks: a confirmed plan, and a draft plan that must not count
    plan = services.import_plan(organisation=county, text=PLAN_TEXT, user=office, year=2024)
    tasks = {tuple(t.path): t for t in plan.tasks.all()}
    lead, resp = "lead", "responsible"

    def set_task(path, due, *units):
        task = tasks[path]
        services.update_task(task, user=office, title=task.title, due_date=due,
                             units=[(role, "", org.pk) for role, org in units])
        return Task.objects.get(pk=task.pk)

    t1 = set_task(("一", "（一）"), D(2024, 3, 31), (lead, finance), (resp, education))
    t2 = set_task(("一", "（二）"), D(2024, 4, 30), (lead, education))
    t3 = set_task(("一", "（三）"), D(2024, 5, 31), (lead, education))
    set_task(("二", "（一）"), D(2024, 9, 30), (lead, finance), (resp, township))
    t5 = set_task(("二", "（二）"), D(2024, 6, 30), (lead, finance))
    set_task(("二", "（三）"), None, (lead, township))
    services.confirm_plan(plan, user=office)
    services.report_progress(t1, user=office, organisation=finance, text="已公开", percent=100, claims_done=True,
                             on=D(2024, 3, 20))
    services.report_progress(t1, user=office, organisation=education, text="已公开", percent=100, claims_done=True,
                             on=D(2024, 3, 25))
    services.confirm_done(t1, user=office)  # each unit's part on its own day (3-20, 3-25), due 3-31: on time
    services.report_progress(t2, user=office, organisation=education, text="已解读", percent=100, claims_done=True,
                             on=D(2024, 5, 10))
    services.confirm_done(t2, user=office)  # done on 5-10, due 4-30: late
    services.report_progress(t3, user=office, organisation=education, text="推进中", percent=50, on=D(2024, 5, 20))
    services.report_progress(t5, user=office, organisation=finance, text="已发布", percent=100, claims_done=True,
                             on=D(2024, 6, 28))  # reported, never confirmed: not done
    draft = services.import_plan(organisation=county, text=PLAN_TEXT, user=office, year=2024)
    first = draft.tasks.get(path=["一", "（一）"])
    services.update_task(first, user=office, title=first.title, due_date=D(2024, 2, 29), units=[(lead, "", finance.pk)])

    # ---- quotas: quarterly, 2 a quarter for 财政局 (8 a year), 1 for 教育局 (4), 0 for 安宁镇
    quotas.create_quota_plan(organisation=county, user=office, year=2024, title="2024年信息发布任务数",
                             period="quarter", targets={finance: 2, education: 1, township: 0})
    make_document(finance, "财政局信息一", published_date=D(2024, 1, 10))
    make_document(finance, "财政局信息二", published_date=D(2024, 4, 2))
    make_document(treasury, "国库支付中心信息", published_date=D(2024, 6, 30))  # a subordinate body counts
    make_document(finance, "财政局信息（7月）", published_date=D(2024, 7, 5))  # after as_of
    make_document(finance, "财政局草稿", publish=False)  # not published
    make_document(finance, "财政局信息（上年）", published_date=D(2023, 12, 20))  # last year
    for i, day in enumerate([D(2024, 1, 5), D(2024, 2, 5), D(2024, 3, 5), D(2024, 4, 5), D(2024, 5, 5)]):
        make_document(education, f"教育局信息{i}", published_date=day)  # 5 of 4: capped at full points

    # ---- applications
    _app(finance, D(2024, 2, 1), closed=D(2024, 2, 10))                                  # A1 on time
    _app(finance, D(2024, 3, 1), closed=D(2024, 4, 20), overdue_on=D(2024, 4, 15))       # A2 late
    _app(finance, D(2024, 5, 1), state="processing")                                      # A3 open, not overdue
    _app(finance, D(2023, 12, 1), closed=D(2024, 1, 5))                                  # A4 received last year
    _app(treasury, D(2024, 3, 10), state="closed", closed=D(2024, 3, 20))                # A5 on time (sub-body)
    _app(finance, D(2024, 6, 1), closed=D(2024, 7, 10))                                  # A6 answered after as_of
    _app(education, D(2024, 4, 1), state="processing", overdue_on=D(2024, 5, 10))        # A7 still open, late
    _app(education, D(2024, 2, 1), state="transferred", closed=D(2024, 2, 3))            # A8 transferred: not counted

    # ---- monitoring
    fin_site = Site.objects.create(name="西昌市财政局网站", start_url="https://cz.example.gov.cn/", organisation=finance)
    _run(fin_site, dt.datetime(2024, 3, 1, 2, 0), [("wording", "serious", "new")] * 3)  # an earlier run
    _run(fin_site, dt.datetime(2024, 6, 30, 23, 30), [  # the last run on or before 6-30 (local time)
        ("hidden_link", "serious", "new"), ("dead_link", "warning", "open"), ("dead_link", "warning", "open"),
        ("dead_link", "warning", "new")])
    _run(fin_site, dt.datetime(2024, 7, 1, 0, 30), [])  # 7-1 in Shanghai (still 6-30 in UTC): not yet
    gk_site = Site.objects.create(name="国库支付中心网站", start_url="https://gk.example.gov.cn/", organisation=treasury)
    _run(gk_site, dt.datetime(2024, 5, 1, 9, 0), [("dead_link", "warning", "new")])
    edu_site = Site.objects.create(name="西昌市教育局网站", start_url="https://jy.example.gov.cn/",
                                   organisation=education)
    _run(edu_site, dt.datetime(2024, 6, 1, 9, 0), [("wording", "serious", "new")] * 6)
    town_site = Site.objects.create(name="安宁镇网站", start_url="https://an.example.gov.cn/", organisation=township)
    _run(town_site, dt.datetime(2023, 12, 20, 9, 0), [("hidden_link", "serious", "open")] * 2)  # last year only

    scheme = assessment.create_scheme(organisation=county, user=office, year=2024, name="2024年度政务公开工作考核",
                                      indicators=INDICATORS)
    return {"county": county, "finance": finance, "education": education, "township": township,
            "treasury": treasury, "office": office, "scheme": scheme, "org_tree": org_tree}


def _points(score):
    return {s.kind: s.points for s in score.indicators}


def _by_unit(scores):
    return {s.organisation.name: s for s in scores}


# ---------------------------------------------------------------- the scenario, by hand


def test_units_of(world):
    assert [u.name for u in assessment.units_of(world["scheme"])] == ["西昌市财政局", "西昌市教育局", "西昌市安宁镇人民政府"]


def test_scores_counted_by_hand(world):
    scores = assessment.compute(world["scheme"], as_of=AS_OF)
    by = _by_unit(scores)
    fin, edu, town = by["西昌市财政局"], by["西昌市教育局"], by["西昌市安宁镇人民政府"]

    # Tasks (30), each unit on its own part: 财政局 due 一（一） on time (its part 3-20), 二（二） reported
    # not confirmed → 1/2 → 15.00; 教育局 一（一） on time (its part 3-25), 一（二） late, 一（三） open →
    # 1/3 → 10.00; 安宁镇 二（一） is due 9-30, 二（三） has no due → none due → no data. The draft plan never counts.
    assert _points(fin)[K.TASKS_ON_TIME] == Decimal("15.00")
    assert _points(edu)[K.TASKS_ON_TIME] == Decimal("10.00")
    assert (fin.score(K.TASKS_ON_TIME).numerator, fin.score(K.TASKS_ON_TIME).denominator) == (1, 2)
    assert edu.score(K.TASKS_ON_TIME).detail == [
        "到期任务3项，按时完成1项",
        "一、（一） 做好预决算公开：按时完成（2024-03-25）",
        "一、（二） 做好政策解读：逾期完成（2024-05-10）",
        "一、（三） 做好招生信息公开：未完成",
    ]
    assert fin.score(K.TASKS_ON_TIME).detail[-1] == "二、（二） 做好信息发布：未完成（已报送完成，待牵头单位确认）"
    town_tasks = town.score(K.TASKS_ON_TIME)
    assert (town_tasks.no_data, town_tasks.counted, town_tasks.points) == (True, False, Decimal("0.00"))
    assert town_tasks.detail == ["无到期任务", "无数据：本项不计入，总分按其余指标的分值折算"]
    assert town_tasks.text == "无数据（不计入）"

    # Quota (20): 财政局 8 required, published 3 by 6-30 (1-10, 4-2, the 国库支付中心's 6-30) → 20×3/8 = 7.50;
    # 教育局 4 required, 5 published → capped → 20.00; 安宁镇 0 required → no data.
    assert _points(fin)[K.QUOTA] == Decimal("7.50")
    assert (fin.score(K.QUOTA).numerator, fin.score(K.QUOTA).denominator) == (3, 8)
    assert _points(edu)[K.QUOTA] == Decimal("20.00")
    assert town.score(K.QUOTA).no_data and town.score(K.QUOTA).detail[0] == "2024年信息发布任务数：全年任务数0条，截至2024-06-30已发布0条"

    # Applications (20): 财政局 A1, A2 (late), A5 (国库支付中心) → 20×2/3 = 13.33;
    # 教育局 A7 open but overdue → 0/1 → 0.00 (A8 transferred: not counted); 安宁镇 none → no data.
    assert _points(fin)[K.APPLICATIONS_ON_TIME] == Decimal("13.33")
    assert (fin.score(K.APPLICATIONS_ON_TIME).numerator, fin.score(K.APPLICATIONS_ON_TIME).denominator) == (2, 3)
    assert fin.score(K.APPLICATIONS_ON_TIME).detail[0] == "已办结或已超期的申请3件，按时答复2件，超期1件"
    assert "2024-04-15超期" in fin.score(K.APPLICATIONS_ON_TIME).detail[1]
    assert _points(edu)[K.APPLICATIONS_ON_TIME] == Decimal("0.00") and not edu.score(K.APPLICATIONS_ON_TIME).no_data
    assert town.score(K.APPLICATIONS_ON_TIME).no_data

    # Tickets and satisfaction (5 + 5): no unit had a ticket: no data for everyone, never full points
    # (tests/interaction/test_tickets_stats.py scores units that had some).
    for unit in (fin, edu, town):
        for kind in (K.TICKETS_ON_TIME, K.SATISFACTION):
            item = unit.score(kind)
            assert (item.no_data, item.counted, item.points) == (True, False, Decimal("0.00"))
        assert unit.score(K.TICKETS_ON_TIME).detail == ["无已答复或已超期的工单",
                                                        "无数据：本项不计入，总分按其余指标的分值折算"]
        assert unit.score(K.SATISFACTION).detail == ["无已评价的工单",
                                                     "无数据：本项不计入，总分按其余指标的分值折算"]

    # Monitoring (20, 4 a serious problem, 2 a warning): 财政局's 6-30 23:30 run: 1 serious + 3 warnings,
    # 国库支付中心 1 warning → 20 − 4 − 2×4 = 8.00; 教育局 6 serious → 20 − 24 → 0.00;
    # 安宁镇's site was last checked in 2023 → no data.
    assert _points(fin)[K.MONITORING] == Decimal("8.00")
    assert _points(edu)[K.MONITORING] == Decimal("0.00") and not edu.score(K.MONITORING).no_data
    fin_detail = fin.score(K.MONITORING).detail
    assert "西昌市财政局网站（2024-06-30监测）：严重问题1个，一般问题3个：暗链（严重）1个、死链（一般）3个" in fin_detail
    assert "国库支付中心网站（2024-05-01监测）：严重问题0个，一般问题1个：死链（一般）1个" in fin_detail
    assert town.score(K.MONITORING).detail[:2] == ["安宁镇网站：本年度截至2024-06-30尚未监测，不扣分", "本年度没有监测过的网站"]
    assert town.score(K.MONITORING).no_data

    # Totals, the 10 points of tickets and satisfaction left out and the rest renormalised to 100:
    # 财政局 (15 + 7.50 + 13.33 + 8) = 43.83 of 90 → 43.83 × 100 / 90 = 48.70;
    # 教育局 (10 + 20 + 0 + 0) = 30 of 90 → 33.33; 安宁镇 has no data at all: 0 (it had 100 when no data
    # meant full marks).
    assert [(s.organisation.name, s.total, s.rank) for s in scores] == [
        ("西昌市财政局", Decimal("48.70"), 1),
        ("西昌市教育局", Decimal("33.33"), 2),
        ("西昌市安宁镇人民政府", Decimal("0.00"), 3),
    ]
    assert (fin.raw, fin.scored_weight, fin.full_weight, fin.renormalised) == (
        Decimal("43.83"), Decimal("90.00"), Decimal("100.00"), True)
    assert fin.basis == "计入总分的指标分值合计90.00分，实得43.83分，折算为满分100.00分：43.83÷90.00×100.00＝48.70分"
    assert (town.no_data, town.total_text, town.scored_weight) == (True, "无数据", Decimal("0.00"))


def test_no_data_scored_as_zero_when_the_scheme_says_so(world):
    scheme = assessment.create_scheme(organisation=world["county"], user=world["office"], year=2024,
                                      name="无数据计0分", indicators=INDICATORS, no_data=NoData.ZERO)
    assert scheme.no_data == NoData.ZERO
    by = _by_unit(assessment.compute(scheme, as_of=AS_OF))
    fin, edu, town = by["西昌市财政局"], by["西昌市教育局"], by["西昌市安宁镇人民政府"]
    # Every indicator counts with its weight; no data scores 0: the plain sums, never full marks.
    assert [(u.total, u.renormalised) for u in (fin, edu, town)] == [
        (Decimal("43.83"), False), (Decimal("30.00"), False), (Decimal("0.00"), False)]
    tickets = fin.score(K.TICKETS_ON_TIME)
    assert (tickets.no_data, tickets.counted, tickets.points, tickets.text) == (True, True, Decimal("0.00"), "无数据（计0分）")
    assert tickets.detail[-1] == "无数据：本项计0分"
    assert town.total_text == "0.00" and town.basis == "总分为各项得分之和：0.00分"


def test_an_indicator_overrides_its_schemes_no_data_rule(world):
    indicators = [(kind, weight, deduction, NoData.ZERO if kind == K.TICKETS_ON_TIME else "")
                  for kind, weight, deduction in INDICATORS]
    scheme = assessment.create_scheme(organisation=world["county"], user=world["office"], year=2024,
                                      name="信箱计0分", indicators=indicators)
    assert [i.no_data for i in scheme.indicators.all()] == ["", "", "", "zero", "", ""]
    assert AuditEntry.objects.get(action="workplan.scheme.create", object_id=str(scheme.pk)).detail["indicators"][3] == [
        "tickets_on_time", "5.00", "0.00", "zero"]
    fin = _by_unit(assessment.compute(scheme, as_of=AS_OF))["西昌市财政局"]
    # Tickets count as 0 of 5, satisfaction is left out: 43.83 of 95 → 43.83 × 100 / 95 = 46.14.
    assert (fin.scored_weight, fin.total) == (Decimal("95.00"), Decimal("46.14"))
    assert fin.score(K.TICKETS_ON_TIME).counted and not fin.score(K.SATISFACTION).counted
    with pytest.raises(ValidationError) as info:
        assessment.create_scheme(organisation=world["county"], user=world["office"], year=2024, name="满分",
                                 indicators=[(K.QUOTA, 10, 0, "full")])
    assert info.value.message_dict == {"indicators": ["无数据指标的计分方式不正确。"]}
    with pytest.raises(ValidationError) as info:
        assessment.create_scheme(organisation=world["county"], user=world["office"], year=2024, name="满分",
                                 indicators=[(K.QUOTA, 10, 0)], no_data="full")
    assert info.value.message_dict == {"no_data": ["无数据指标的计分方式不正确。"]}


def test_default_as_of_is_the_end_of_a_past_year(world):
    scores = _by_unit(assessment.compute(world["scheme"]))  # 2024 is over: as of 2024-12-31
    # 财政局: 一（一） on time, 二（一） (due 9-30) open, 二（二） not confirmed → 1/3 → 10.00;
    # 安宁镇: 二（一） due and open → 0/1 → 0.00.
    assert scores["西昌市财政局"].score(K.TASKS_ON_TIME).points == Decimal("10.00")
    assert scores["西昌市安宁镇人民政府"].score(K.TASKS_ON_TIME).points == Decimal("0.00")
    # 财政局 published 4 of 8 (the 7-5 one too) → 10.00; A6 answered 7-10 without being overdue → 3/4 → 15.00.
    assert scores["西昌市财政局"].score(K.QUOTA).points == Decimal("10.00")
    assert scores["西昌市财政局"].score(K.APPLICATIONS_ON_TIME).points == Decimal("15.00")
    # The 7-1 run found nothing; 国库支付中心 still has its warning → 20 − 2 = 18.00.
    assert scores["西昌市财政局"].score(K.MONITORING).points == Decimal("18.00")


def test_named_units_and_competition_ranking(world, make_document):
    # 安宁镇 gets a target of its own (its 0 in the first plan is no data): 1, and publishes 1.
    quotas.create_quota_plan(organisation=world["county"], user=world["office"], year=2024, title="乡镇专项",
                             period="year", targets={world["township"]: 1})
    make_document(world["township"], "安宁镇信息", published_date=D(2024, 6, 1))
    scheme = assessment.create_scheme(
        organisation=world["county"], user=world["office"], year=2024, name="信息发布专项考核",
        indicators=[(K.QUOTA, 10, 0)], units=[world["township"], world["education"], world["finance"]])
    scores = assessment.compute(scheme, as_of=AS_OF)
    # 教育局 10 (capped), 安宁镇 10 (2 counted of 1 required: capped), 财政局 10×3/8 = 3.75: ranks 1, 1, 3.
    assert [(s.organisation.name, s.total, s.rank) for s in scores] == [
        ("西昌市教育局", Decimal("10.00"), 1),
        ("西昌市安宁镇人民政府", Decimal("10.00"), 1),
        ("西昌市财政局", Decimal("3.75"), 3),
    ]


def test_xlsx(world):
    scheme = world["scheme"]
    book = load_workbook(io.BytesIO(assessment.to_xlsx(scheme, assessment.compute(scheme, as_of=AS_OF))))
    assert book.sheetnames == ["得分", "评分依据"]
    sheet = book["得分"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("排名", "单位", "任务按时完成率（30分）", "信息发布任务完成率（20分）", "依申请公开按时答复率（20分）",
                       "政民互动按时答复率（5分）", "政民互动满意度（5分）", "网站监测问题（20分）", "实得分", "计入总分的分值",
                       "总分")
    no_data = "无数据（不计入）"
    assert rows[1] == (1, "西昌市财政局", 15, 7.5, 13.33, no_data, no_data, 8, 43.83, 90, 48.7)
    assert rows[2] == (2, "西昌市教育局", 10, 20, 0, no_data, no_data, 0, 30, 90, 33.33)
    assert rows[3] == (3, "西昌市安宁镇人民政府", no_data, no_data, no_data, no_data, no_data, no_data, 0, 0, "无数据")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 20
    basis = book["评分依据"]
    lines = list(basis.iter_rows(values_only=True))
    assert lines[0] == ("单位", "指标", "分值", "得分", "说明")
    assert len(lines) == 1 + 3 * 7  # six indicators and the total, per unit
    edu_tasks = next(r for r in lines if r[0] == "西昌市教育局" and r[1] == "任务按时完成率")
    assert edu_tasks[2:4] == (30, 10)
    assert edu_tasks[4].splitlines()[2] == "一、（二） 做好政策解读：逾期完成（2024-05-10）"
    fin_total = next(r for r in lines if r[0] == "西昌市财政局" and r[1] == "总分")
    assert fin_total[2:4] == (100, 48.7) and "43.83÷90.00×100.00" in fin_total[4]
    town_tickets = next(r for r in lines if r[0] == "西昌市安宁镇人民政府" and r[1] == "政民互动满意度")
    assert town_tickets[3] == no_data
    assert basis.freeze_panes == "A2" and basis["A1"].font.bold


# ---------------------------------------------------------------- schemes


def test_create_scheme_is_audited(world):
    scheme = world["scheme"]
    assert [(i.kind, i.weight, i.deduction) for i in scheme.indicators.all()] == [
        (k, Decimal(w), Decimal(d)) for k, w, d in INDICATORS]
    entry = AuditEntry.objects.filter(action="workplan.scheme.create", object_id=str(scheme.pk)).get()
    assert entry.actor == "office"
    assert entry.detail["indicators"][-1] == ["monitoring", "20.00", "4.00"]


@pytest.mark.parametrize("change, field, message", [
    ({"name": "  "}, "name", "请填写考核方案名称。"),
    ({"indicators": [(K.QUOTA, 10, 0), (K.QUOTA, 5, 0)]}, "indicators", "考核指标“信息发布任务完成率”重复。"),
    ({"indicators": [(K.QUOTA, -1, 0)]}, "indicators", "“信息发布任务完成率”的分值不能为负数。"),
    ({"indicators": [(K.MONITORING, 10, -2)]}, "indicators", "“网站监测问题”的每项扣分不能为负数。"),
    ({"indicators": []}, "indicators", "请至少设置一项考核指标。"),
    ({"year": 1999}, "year", "年度不正确。"),
])
def test_create_scheme_refusals(world, change, field, message):
    before = Scheme.objects.count()
    args = {"organisation": world["county"], "user": world["office"], "year": 2024, "name": "考核",
            "indicators": [(K.QUOTA, 10, 0)], **change}
    with pytest.raises(ValidationError) as info:
        assessment.create_scheme(**args)
    assert info.value.message_dict == {field: [message]}
    assert Scheme.objects.count() == before


def test_create_scheme_units_outside_and_permission(world, make_user):
    department = world["org_tree"]["department"]  # 四川省财政厅: not below 西昌市
    with pytest.raises(ValidationError) as info:
        assessment.create_scheme(organisation=world["county"], user=world["office"], year=2024, name="考核",
                                 indicators=[(K.QUOTA, 10, 0)], units=[world["finance"], department])
    assert info.value.message_dict == {"units": ["“四川省财政厅”不在“西昌市人民政府”的下级机构中。"]}
    drafter = make_user("fin_drafter", (world["finance"], "drafter"))
    with pytest.raises(PermissionDenied):
        assessment.create_scheme(organisation=world["county"], user=drafter, year=2024, name="考核",
                                 indicators=[(K.QUOTA, 10, 0)])


# ---------------------------------------------------------------- pages


def _no_inline_code(html: str) -> None:
    assert "style=" not in html and "<script" not in html


def test_pages_for_the_office(world, client):
    client.force_login(world["office"])
    scheme = world["scheme"]
    page = client.get("/staff/assessment/")
    html = page.content.decode()
    assert page.status_code == 200 and scheme.name in html and "新建考核方案" in html
    _no_inline_code(html)
    page = client.get(f"/staff/assessment/{scheme.pk}/?as_of=2024-06-30")
    html = page.content.decode()
    assert page.status_code == 200
    _no_inline_code(html)
    assert "<details" in html and "48.70" in html and "实得43.83分，折算" in html
    assert "一、（二） 做好政策解读：逾期完成（2024-05-10）" in html
    # No data is shown as such, with the scheme's rule; never as full points.
    assert "指标无数据时：不计入，按其余指标折算" in html
    assert '<td class="no-data">无数据（不计入）</td>' in html
    assert "第3名 西昌市安宁镇人民政府：无数据" in html
    assert "43.83÷90.00×100.00＝48.70分" in html
    # The totals as a chart beside the table, its figures in words for screen readers.
    chart = html.split('id="scores-chart-title"')[1].split("</svg>")[0]
    assert "<rect" in chart and "33.33分（第" in chart and "48.70分（第1名）" in chart
    assert f"/staff/assessment/{scheme.pk}/scores.xlsx?as_of=2024-06-30" in html
    download = client.get(f"/staff/assessment/{scheme.pk}/scores.xlsx?as_of=2024-06-30")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert download["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    book = load_workbook(io.BytesIO(download.content))
    assert book["得分"]["D2"].value == 7.5  # 财政局's quota points
    assert book["得分"]["F2"].value == "无数据（不计入）"
    assert client.get(f"/staff/assessment/{scheme.pk}/?as_of=yesterday").status_code == 404


def test_create_through_the_form(world, client):
    client.force_login(world["office"])
    page = client.get("/staff/assessment/").content.decode()
    assert 'name="no_data"' in page and 'name="no_data_tickets_on_time"' in page
    form = {"name": "2024年专项考核", "year": "2024", "organisation": str(world["county"].pk),
            "weight_quota": "60", "weight_monitoring": "40", "deduction_monitoring": "5",
            "no_data": "zero", "no_data_monitoring": "exclude",
            "units": [str(world["finance"].pk), str(world["education"].pk)]}
    response = client.post("/staff/assessment/", form)
    scheme = Scheme.objects.get(name="2024年专项考核")
    assert response.status_code == 302 and response["Location"] == f"/staff/assessment/{scheme.pk}/"
    assert scheme.no_data == NoData.ZERO
    assert [(i.kind, i.weight, i.deduction, i.no_data) for i in scheme.indicators.all()] == [
        ("quota", Decimal("60.00"), Decimal("0.00"), ""), ("monitoring", Decimal("40.00"), Decimal("5.00"), "exclude")]
    html = client.get(f"/staff/assessment/{scheme.pk}/?as_of=2024-06-30").content.decode()
    assert "指标无数据时：计0分（网站监测问题：不计入，按其余指标折算）" in html
    # Without a choice the scheme excludes indicators without data.
    client.post("/staff/assessment/", {**form, "name": "默认规则", "no_data": "", "no_data_monitoring": ""})
    assert Scheme.objects.get(name="默认规则").no_data == NoData.EXCLUDE
    assert set(scheme.units.values_list("name", flat=True)) == {"西昌市财政局", "西昌市教育局"}
    # The service's refusal comes back on the form.
    response = client.post("/staff/assessment/", {**form, "name": "重复", "weight_quota": "", "weight_monitoring": ""})
    assert response.status_code == 200 and "请至少设置一项考核指标。" in response.content.decode()
    assert not Scheme.objects.filter(name="重复").exists()


def test_pages_refuse_others(world, client, make_user):
    scheme = world["scheme"]
    url, xlsx = f"/staff/assessment/{scheme.pk}/", f"/staff/assessment/{scheme.pk}/scores.xlsx"
    assert client.get(url).status_code == 302  # not signed in: the login page
    drafter = make_user("fin_drafter", (world["finance"], "drafter"))
    client.force_login(drafter)
    assert client.get(url).status_code == 404
    assert client.get(xlsx).status_code == 404
    page = client.get("/staff/assessment/")
    assert page.status_code == 200 and scheme.name not in page.content.decode()
    response = client.post("/staff/assessment/", {"name": "越权", "year": "2024", "organisation": world["county"].pk,
                                                   "weight_quota": "10"})
    assert response.status_code == 403 and not Scheme.objects.filter(name="越权").exists()
    other_office = make_user("other_office", (world["org_tree"]["department"], "office_admin"))
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    # An office can only create schemes for organisations it manages: 西昌市 is not in the list.
    response = client.post("/staff/assessment/", {"name": "越权", "year": "2024", "organisation": world["county"].pk,
                                                   "weight_quota": "10"})
    assert response.status_code == 200 and not Scheme.objects.filter(name="越权").exists()
    province_office = make_user("province_office", (world["org_tree"]["province"], "office_admin"))
    client.force_login(province_office)
    assert client.get(url).status_code == 200  # the province's office reaches the county below


# ---------------------------------------------------------------- commands


def _call(*argv):
    out = io.StringIO()
    call_command("workplan", *argv, stdout=out)
    return out.getvalue()


def test_score_command(world, tmp_path):
    scheme = world["scheme"]
    data = json.loads(_call("score", "--scheme", str(scheme.pk), "--json", "--as-of", "2024-06-30"))
    assert data["as_of"] == "2024-06-30"
    assert [(u["rank"], u["organisation"]["name"], u["total"]) for u in data["units"]] == [
        (1, "西昌市财政局", 48.7), (2, "西昌市教育局", 33.33), (3, "西昌市安宁镇人民政府", 0.0)]
    fin_tasks = data["units"][0]["indicators"][0]
    assert (fin_tasks["kind"], fin_tasks["points"], fin_tasks["numerator"], fin_tasks["denominator"]) == (
        "tasks_on_time", 15.0, 1, 2)
    path = tmp_path / "scores.xlsx"
    text = _call("score", "--scheme", str(scheme.pk), "--as-of", "2024-06-30", "--xlsx", str(path))
    lines = text.splitlines()
    assert lines[0] == "2024年度政务公开工作考核 (西昌市人民政府, 2024), scores as of 2024-06-30"
    assert "1. 西昌市财政局: 48.70 points" in lines
    assert "   任务按时完成率: 15.00 of 30.00" in lines
    assert "      无数据：本项不计入，总分按其余指标的分值折算" in lines  # under 0.00 of a no-data indicator
    assert lines[-1] == f"written to {path}"
    assert load_workbook(path)["得分"]["B2"].value == "西昌市财政局"


def test_score_command_errors(world, tmp_path):
    with pytest.raises(CommandError) as info:
        _call("score", "--scheme", "99999")
    assert info.value.returncode == 1 and str(info.value) == "no assessment scheme with id 99999"
    with pytest.raises(CommandError) as info:
        _call("score", "--scheme", "abc")
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        _call("score", "--scheme", str(world["scheme"].pk), "--xlsx", str(tmp_path / "missing" / "x.xlsx"))
    assert info.value.returncode == 2 and str(info.value).startswith(f"cannot write {tmp_path / 'missing' / 'x.xlsx'}")


def test_bulletin_command(world):
    from gongkai.workplan.models import Bulletin

    with pytest.raises(CommandError) as info:
        _call("bulletin", "--org", "西昌市人民政府", "--month", "2024-13")
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        _call("bulletin", "--org", "不存在的机关", "--month", "2024-05")
    assert info.value.returncode == 1 and str(info.value) == "no organisation '不存在的机关'"
    out = _call("bulletin", "--org", "西昌市", "--month", "2024-05")  # by short name
    bulletin = Bulletin.objects.get(organisation=world["county"], month=D(2024, 5, 1))
    assert out.startswith(f"bulletin {bulletin.pk} of 西昌市人民政府 for 2024-05")
    with pytest.raises(CommandError) as info:  # a month not over yet is refused by the bulletin service
        _call("bulletin", "--org", str(world["county"].pk), "--month", "2999-01")
    assert info.value.returncode == 1 and str(info.value).startswith("the bulletin was not generated: ")
