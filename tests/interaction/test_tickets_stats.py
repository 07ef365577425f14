"""Statistics of the tickets (gongkai.interaction.ticket_stats), the
work-plan assessment's mailbox indicators that read them, the staff
statistics page with its chart and XLSX, and `gongkai tickets stats`.

The scenario (2024, the county 西昌市人民政府 receives every letter; counted
by hand, as of 2024-06-30 unless said otherwise; "on time" replies come a
day or two after receipt, "late" ones weeks after the due date):
  T1 住建局     投诉 03-01, answered 03-04 on time, rated 满意 (solved)
  T2 住建局     咨询 03-04 (due 03-07), answered 03-20 late, rated 基本满意 (not solved)
  T3 城建监察大队 (below 住建局) 求助 04-01, answered 04-02, rated 不满意 and reopened,
                answered again 04-08 (the new round's due date: 清明 04-04..06 off, 04-07 a working
                Sunday), rated 满意 (solved): judged by its second rating
  T4 生态环境局  建议 05-06 (due 05-24: 劳动节, 05-11 a working Saturday), never answered: overdue
                (the daily job, 05-29)
  T5 生态环境局  投诉 06-20, answered 07-02: not due by 06-30, answered by 07-05
  T6 西昌市 (the office answers at once) 咨询 02-01, answered 02-02
  T7 西昌市     a request for information, diverted before dispatch: not a ticket
  T8 住建局     投诉 received 2023-12-20: another year
  T9 安宁镇     举报 06-03 (due 06-25, 端午 06-10 off), answered 06-28 late, not rated
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gongkai.core.models import Organisation
from gongkai.interaction import ticket_services as services
from gongkai.interaction import ticket_stats as stats
from gongkai.workplan import assessment
from gongkai.workplan.models import Indicator
from tests.interaction.tickets_helpers import clock_at, county_world, letter  # noqa: F401

pytestmark = pytest.mark.django_db
D = dt.date
K = Indicator.Kind


@pytest.fixture
def scenario(county_world, clock_at):
    w = county_world
    brigade = Organisation.objects.create(name="西昌市城建监察大队", level="department", parent=w["housing"],
                                          index_prefix="XC-CJ")
    operator, head = w["operator"], w["head"]

    def received(day, ticket_type, **extra):
        clock_at(*day)
        ticket, _ = services.register(w["county"], letter(ticket_type=ticket_type, **extra), channel="phone",
                                      user=operator)
        return ticket

    def handle(ticket, to, answered_on, rating=None, resolved=None, reopen=False):
        clock_at(*ticket.received_on.timetuple()[:3])
        services.dispatch(ticket, to=to, user=operator)
        clock_at(*answered_on)
        services.reply(ticket, user=head, text="经核查，已按规定处理，感谢您的来信。")
        if rating:
            services.rate(ticket, satisfaction=rating, resolved=resolved, reopen=reopen)

    clock_at(2023, 12, 20)
    services.register(w["county"], letter(), channel="phone", user=operator)                    # T8
    t1 = received((2024, 3, 1), "complaint")
    handle(t1, w["housing"], (2024, 3, 4), "satisfied", True)
    t2 = received((2024, 3, 4), "consult")
    handle(t2, w["housing"], (2024, 3, 20), "basically", False)
    t3 = received((2024, 4, 1), "help")
    handle(t3, brigade, (2024, 4, 2), "unsatisfied", False, reopen=True)
    clock_at(2024, 4, 8)
    services.reply(t3, user=head, text="已联系维修单位上门处理，问题已解决。")
    services.rate(t3, satisfaction="satisfied", resolved=True)
    t4 = received((2024, 5, 6), "suggestion")
    services.dispatch(t4, to=w["environment"], user=operator)
    services.daily(D(2024, 5, 29))
    t5 = received((2024, 6, 20), "complaint")
    handle(t5, w["environment"], (2024, 7, 2))
    t6 = received((2024, 2, 1), "consult")
    clock_at(2024, 2, 2)
    services.reply(t6, user=operator, text="您咨询的事项可在市政务服务中心办理，所需材料见办事指南。")
    t7 = received((2024, 3, 5), "consult")
    services.divert(t7, user=operator, channel="disclosure")
    t9 = received((2024, 6, 3), "report")
    handle(t9, w["township"], (2024, 6, 28))
    clock_at(2024, 7, 10)
    return {**w, "brigade": brigade, "t": {1: t1, 2: t2, 3: t3, 4: t4, 5: t5, 6: t6, 9: t9}}


def test_figures_counted_by_hand(scenario):
    w = scenario
    housing = stats.compute(w["housing"], 2024, as_of=D(2024, 6, 30))
    f = housing.totals
    assert (f.received, f.answered, f.due, f.late, f.on_time) == (3, 3, 3, 1, 2)  # T1, T2 (late), T3 (below)
    assert (f.rated, f.satisfied, f.basically, f.unsatisfied, f.resolved) == (3, 2, 1, 0, 2)  # T3 by its 2nd rating
    assert (f.response_rate, f.on_time_rate, f.satisfaction_rate, f.resolution_rate) == (
        Decimal("100.0"), Decimal("66.7"), Decimal("100.0"), Decimal("66.7"))
    assert housing.diverted == 0 and stats.compute(w["county"], 2024).diverted == 1  # T7, the office's
    only = stats.compute(w["housing"], 2024, as_of=D(2024, 6, 30), with_children=False).totals
    assert (only.received, only.late) == (2, 1)  # without the 大队

    env = stats.compute(w["environment"], 2024, as_of=D(2024, 6, 30)).totals
    # T4 overdue and never answered, T5 not yet due: 0 of 1 on time, response 0 of 1, no rating.
    assert (env.received, env.answered, env.due, env.late, env.rated) == (2, 0, 1, 1, 0)
    assert (env.on_time_rate, env.satisfaction_rate) == (Decimal("0.0"), None)
    later = stats.compute(w["environment"], 2024, as_of=D(2024, 7, 5)).totals
    assert (later.answered, later.due, later.late) == (1, 2, 1)  # T5 answered on 07-02, on time

    county = stats.compute(w["county"], 2024, as_of=D(2024, 6, 30))
    assert county.totals.received == 7 and county.totals.late == 3  # T2, T4, T9
    assert [m.received for m in county.by_month] == [0, 1, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0]
    assert {code: f.received for code, f in county.by_type.items()} == {
        "consult": 2, "help": 1, "complaint": 2, "report": 1, "suggestion": 1}
    assert [(org.name, f.received) for org, f in county.by_organisation] == [
        ("西昌市住房和城乡建设局", 2), ("西昌市生态环境局", 2), ("西昌市人民政府", 1), ("西昌市城建监察大队", 1),
        ("西昌市安宁镇人民政府", 1)]  # by count, then sort order, then name
    everyone = stats.compute(None, 2024, as_of=D(2024, 6, 30)).totals
    assert everyone.received == 7 and stats.compute(None, 2023, as_of=D(2023, 12, 31)).totals.received == 1


def test_the_assessments_mailbox_indicators(scenario):
    w = scenario
    scheme = assessment.create_scheme(organisation=w["county"], user=w["head"], year=2024, name="2024年度政民互动考核",
                                      indicators=[(K.TICKETS_ON_TIME, 50, 0), (K.SATISFACTION, 50, 0)])
    by = {s.organisation.name: s for s in assessment.compute(scheme, as_of=D(2024, 6, 30))}
    housing, env, town = by["西昌市住房和城乡建设局"], by["西昌市生态环境局"], by["西昌市安宁镇人民政府"]
    # 住建局 (with its 大队): 2 of 3 on time → 50 × 2/3 = 33.33; satisfied or basically 3 of 3 → 50.00.
    on_time, satisfaction = housing.score(K.TICKETS_ON_TIME), housing.score(K.SATISFACTION)
    assert (on_time.points, on_time.numerator, on_time.denominator, on_time.no_data) == (Decimal("33.33"), 2, 3, False)
    assert on_time.detail[0] == "已答复或已超期的工单3件，按时办结2件，超期1件"
    assert on_time.detail[1].endswith("（2024-03-04受理）：2024-03-20超期")
    assert (satisfaction.points, satisfaction.numerator, satisfaction.denominator) == (Decimal("50.00"), 3, 3)
    assert satisfaction.detail == ["已评价的工单3件：满意2件，基本满意1件，不满意0件"]
    assert housing.total == Decimal("83.33")
    # 生态环境局: T4 overdue → 0.00 (data, not full marks); no rating → no data, left out: total 0.
    assert (env.score(K.TICKETS_ON_TIME).points, env.score(K.TICKETS_ON_TIME).no_data) == (Decimal("0.00"), False)
    assert env.score(K.SATISFACTION).no_data and env.score(K.SATISFACTION).detail[0] == "无已评价的工单"
    assert env.total == Decimal("0.00")
    # 安宁镇: T9 late → 0 of 1.
    assert (town.score(K.TICKETS_ON_TIME).numerator, town.score(K.TICKETS_ON_TIME).denominator) == (0, 1)
    # A unit without tickets has no data on both, never full marks.
    quiet = Organisation.objects.create(name="西昌市统计局", level="department", parent=w["county"], index_prefix="XC-TJ")
    scheme2 = assessment.create_scheme(organisation=w["county"], user=w["head"], year=2024, name="统计局",
                                       indicators=[(K.TICKETS_ON_TIME, 50, 0), (K.SATISFACTION, 50, 0)], units=[quiet])
    (score,) = assessment.compute(scheme2, as_of=D(2024, 6, 30))
    assert [(i.no_data, i.points, i.detail[0]) for i in score.indicators] == [
        (True, Decimal("0.00"), "无已答复或已超期的工单"), (True, Decimal("0.00"), "无已评价的工单")]
    assert score.total_text == "无数据"


def test_staff_statistics_page_chart_and_xlsx(scenario, client):
    w = scenario
    client.force_login(w["head"])
    page = client.get("/staff/interact/tickets/statistics/", {"org": w["county"].pk, "year": 2024})
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "各承办单位按时办结率" in html
    assert "投诉：2件" in html  # the chart's description carries the figures
    book = load_workbook(io.BytesIO(client.get("/staff/interact/tickets/statistics.xlsx",
                                               {"org": w["county"].pk, "year": 2024}).content))
    assert book.sheetnames == ["说明", "按诉求类型", "按月份", "按承办单位"]
    rows = list(book["按诉求类型"].iter_rows(values_only=True))
    assert rows[0][:6] == ("诉求类型", "收到", "已答复", "应办结", "按时办结", "超期")
    assert rows[-1][0] == "合计" and rows[-1][1] == 7  # as of today (2024-07-10): T5 answered too
    # A department's handler sees its own figures, not the county's (404 as if it did not exist).
    client.force_login(w["housing_handler"])
    assert client.get("/staff/interact/tickets/statistics/", {"org": w["county"].pk, "year": 2024}).status_code == 404
    own = client.get("/staff/interact/tickets/statistics/", {"org": w["housing"].pk, "year": 2024})
    # Its own tickets only (T1, T2): the 大队 below is outside a handler's scope.
    assert own.status_code == 200 and "（含下级机构）" not in own.content.decode()
    assert own.context["stats"].totals.received == 2
    client.force_login(w["drafter"])
    assert client.get("/staff/interact/tickets/statistics/").status_code == 403
    assert client.get("/staff/interact/tickets/statistics/", {"org": w["county"].pk, "year": "2O24"}).status_code in (403, 404)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("tickets", *args, stdout=out, stderr=err)
        return 0, out.getvalue()
    except Exception as exc:
        return getattr(exc, "returncode", 1), str(exc)


def test_the_stats_command(scenario):
    code, out = run("stats", "--org", "西昌市住房和城乡建设局", "--year", "2024", "--json")
    data = json.loads(out)
    assert code == 0 and data["year"] == 2024 and data["as_of"] == "2024-07-10"
    assert (data["totals"]["received"], data["totals"]["late"], data["totals"]["on_time_rate"]) == (3, 1, 66.7)
    assert data["by_type"]["咨询"]["received"] == 1 and len(data["by_month"]) == 12
    code, out = run("stats", "--org", "西昌市", "--year", "2024")
    assert code == 0 and "合计" in out and "西昌市住房和城乡建设局" in out
    assert run("stats", "--org", "没有这个机构", "--year", "2024")[0] == 2
    assert run("stats", "--org", "西昌市", "--year", "1999")[0] == 2
    assert run("stats", "--org", "西昌市", "--year", "twenty")[0] == 2
