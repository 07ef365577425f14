"""The statistics of disclosure applications (annual report tables 3 and 4).

The hand-counted fixture: the expected numbers below were counted by hand
from the list of applications in `year_2024` (see the comment by each one),
not computed; the random year checks the identities and an independent
recount over ~300 applications."""

import datetime as dt
import hashlib
import itertools
import json
import random
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.applications import services, stats
from gongkai.applications.models import Application, ReviewCase
from gongkai.core.statute import APPLICANT_TYPES, OUTCOME_REPORT_ROW

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")
URL = "/staff/application-stats/"
_serial = itertools.count(1)

APPLICANT = {"applicant_name": "张三", "id_document": "身份证 510101199001011234", "phone": "13800000000",
             "info_title": "2023年度部门预算", "form": "electronic", "delivery": "email"}


def make_app(org, applicant_type, received, *, state=None, outcome="", closed=None, submitted=None):
    """An application row written directly (back-dated; the services' rules are not in the way)."""
    n = next(_serial)
    submitted = submitted or dt.datetime.combine(received, dt.time(9, 30), tzinfo=TZ)
    if state is None:
        state = "replied" if closed else ("processing" if received else "pending")
    return Application.objects.create(
        organisation=org, year=(received or submitted.astimezone(TZ).date()).year, serial=n,
        tracking_hash=hashlib.sha256(f"stats-{n}".encode()).hexdigest(), applicant_type=applicant_type,
        applicant_name="申请人", id_document="身份证", phone="1", channel="in_person", submitted_at=submitted,
        received_on=received, state=state, outcome=outcome, closed_on=closed)


def cols(natural, commercial, research, welfare, legal_service, other, total):
    return {"natural": natural, "commercial": commercial, "research": research, "welfare": welfare,
            "legal_service": legal_service, "other": other, "total": total}


def results(upheld, corrected, other, pending, total):
    return {"upheld": upheld, "corrected": corrected, "other": other, "pending": pending, "total": total}


ZERO = cols(0, 0, 0, 0, 0, 0, 0)


@pytest.fixture
def handler(org_tree, make_user):
    return make_user("handler", (org_tree["county"], "handler"))


@pytest.fixture
def year_2024(org_tree, handler):
    """Applications of 西昌市人民政府 (the county) across 2022-2025, and one of its township."""
    county, township = org_tree["county"], org_tree["township"]
    apps = {}
    # Through the services, as they happen.
    apps["A4"], _ = services.register(county, {**APPLICANT, "applicant_type": "natural"}, channel="in_person",
                                      user=handler, received_on=D(2024, 2, 1))
    services.reply(apps["A4"], user=handler, outcome="proactive", on=D(2024, 2, 20), where_published="本机关门户网站")  # new, row 1, natural
    apps["A5"], _ = services.submit_online(county, {**APPLICANT, "applicant_type": "natural"},
                                           now=dt.datetime(2024, 3, 5, 10, 0, tzinfo=TZ))
    services.reply(apps["A5"], user=handler, outcome="withheld_state_secret", on=D(2024, 3, 28),
                   reasons="属于国家秘密")  # new, row 3.1, natural
    apps["A9"], _ = services.register(county, {**APPLICANT, "applicant_type": "other"}, channel="post",
                                      user=handler, received_on=D(2024, 8, 15))
    services.request_correction(apps["A9"], user=handler, items="请明确所需信息的名称", on=D(2024, 8, 16))
    services.close_without_correction(apps["A9"], user=handler, on=D(2024, 9, 30))  # new, row 6.1, other
    # Written directly, back-dated.
    apps["A1"] = make_app(county, "natural", D(2023, 11, 20), outcome="disclosed", closed=D(2024, 1, 10))  # carried, row 1
    apps["A2"] = make_app(county, "commercial", D(2023, 12, 25))  # carried, carried forward (open)
    apps["A3"] = make_app(county, "natural", D(2023, 5, 1), outcome="partial", closed=D(2023, 5, 20))  # 2023 only
    apps["A6"] = make_app(county, "research", D(2024, 4, 10), outcome="partial", closed=D(2024, 5, 6))  # new, row 2
    apps["A7"] = make_app(county, "welfare", D(2024, 6, 3), outcome="not_exist", closed=D(2024, 6, 25))  # new, row 4.1
    apps["A8"] = make_app(county, "legal_service", D(2024, 7, 1), state="transferred", closed=D(2024, 7, 3))  # new, row 4.1
    apps["A10"] = make_app(county, "natural", D(2024, 12, 20))  # new, carried forward
    apps["A11"] = make_app(county, "commercial", D(2024, 12, 28), outcome="repeat", closed=D(2025, 1, 15))  # new, carried forward
    apps["A12"] = make_app(county, "natural", D(2024, 9, 9), state="merged", closed=D(2024, 9, 10))  # not counted
    apps["A12"].merged_into = apps["A10"]
    apps["A12"].save()
    # Receipt not confirmed: the day of submission, local time, counts.
    apps["A13"] = make_app(county, "natural", None, submitted=dt.datetime(2024, 12, 31, 20, 0, tzinfo=TZ))  # new, carried forward
    apps["A14"] = make_app(county, "commercial", None, submitted=dt.datetime(2025, 1, 1, 1, 0, tzinfo=TZ))  # 2025 (2024-12-31 17:00 UTC)
    apps["A15"] = make_app(county, "commercial", D(2024, 10, 10), state="closed", outcome="no_payment",
                           closed=D(2024, 12, 31))  # new, row 6.2
    apps["A16"] = make_app(county, "research", D(2023, 12, 31), outcome="excessive", closed=D(2024, 1, 1))  # carried, row 5.4
    apps["A17"] = make_app(county, "natural", D(2022, 6, 1), state="correction")  # carried, carried forward
    apps["A18"] = make_app(township, "natural", D(2024, 5, 5), outcome="disclosed", closed=D(2024, 5, 20))  # the township's
    apps["A19"] = make_app(county, "natural", D(2025, 1, 2))  # 2025
    # Review cases.
    ReviewCase.objects.create(organisation=county, application=apps["A5"], kind="reconsideration",
                              filed_on=D(2024, 4, 20), result="corrected", decided_on=D(2024, 6, 1))
    ReviewCase.objects.create(organisation=county, application=apps["A7"], kind="lawsuit_direct",
                              filed_on=D(2024, 10, 1), result="upheld", decided_on=D(2025, 1, 1))  # pending on 2024-12-31
    ReviewCase.objects.create(organisation=county, application=apps["A3"], kind="reconsideration",
                              filed_on=D(2023, 6, 1), result="upheld", decided_on=D(2023, 8, 1))  # 2023
    ReviewCase.objects.create(organisation=township, application=apps["A18"], kind="lawsuit_after",
                              filed_on=D(2024, 7, 1))  # the township's
    return apps


# Counted by hand from the comments in year_2024.
EXPECTED_2024 = {
    "year": 2024,
    "with_children": False,
    "columns": ["natural", "commercial", "research", "welfare", "legal_service", "other", "total"],
    "table3": {
        "new": cols(4, 2, 1, 1, 1, 1, 10),           # A4 A5 A10 A13 | A11 A15 | A6 | A7 | A8 | A9
        "carried_over": cols(2, 1, 1, 0, 0, 0, 4),   # A1 A17 | A2 | A16
        "outcomes": {
            "1": cols(2, 0, 0, 0, 0, 0, 2),          # A1 A4
            "2": cols(0, 0, 1, 0, 0, 0, 1),          # A6
            "3.1": cols(1, 0, 0, 0, 0, 0, 1),        # A5
            "3.2": ZERO, "3.3": ZERO, "3.4": ZERO, "3.5": ZERO, "3.6": ZERO, "3.7": ZERO, "3.8": ZERO,
            "4.1": cols(0, 0, 0, 1, 1, 0, 2),        # A7 (not_exist), A8 (transferred)
            "4.2": ZERO, "4.3": ZERO,
            "5.1": ZERO, "5.2": ZERO, "5.3": ZERO,
            "5.4": cols(0, 0, 1, 0, 0, 0, 1),        # A16
            "5.5": ZERO,
            "6.1": cols(0, 0, 0, 0, 0, 1, 1),        # A9
            "6.2": cols(0, 1, 0, 0, 0, 0, 1),        # A15
            "6.3": ZERO,
        },
        "outcomes_total": cols(3, 1, 2, 1, 1, 1, 9),
        "carried_forward": cols(3, 2, 0, 0, 0, 0, 5),  # A10 A13 A17 | A2 A11
    },
    "table4": {
        "reconsideration": results(0, 1, 0, 0, 1),
        "lawsuit_direct": results(0, 0, 0, 1, 1),
        "lawsuit_after": results(0, 0, 0, 0, 0),
    },
}


def run(*args) -> str:
    out = StringIO()
    call_command("applications", "stats", *args, stdout=out)
    return out.getvalue()


def test_the_command_matches_the_hand_counted_fixture(year_2024, org_tree):
    county = org_tree["county"]
    data = json.loads(run("--org", "西昌市", "--year", "2024", "--json"))
    expected = {"organisation": {"id": county.pk, "name": "西昌市人民政府", "short_name": "西昌市"}, **EXPECTED_2024}
    assert data == expected
    # By id and by full name too.
    assert json.loads(run("--org", str(county.pk), "--year", "2024", "--json")) == expected
    assert json.loads(run("--org", "西昌市人民政府", "--year", "2024", "--json")) == expected


def test_last_year_and_the_carry_over(year_2024, org_tree):
    data = json.loads(run("--org", "西昌市", "--year", "2023", "--json"))["table3"]
    # 2023: A1 A3 A16 new (A17 from 2022 carried); A3 replied partial; A1 A2 A16 A17 open at the end.
    assert data["new"] == cols(2, 1, 1, 0, 0, 0, 4)            # A1 A3 | A2 | A16
    assert data["carried_over"] == cols(1, 0, 0, 0, 0, 0, 1)   # A17
    assert data["outcomes"]["2"] == cols(1, 0, 0, 0, 0, 0, 1)  # A3
    assert data["outcomes_total"] == cols(1, 0, 0, 0, 0, 0, 1)
    assert data["carried_forward"] == EXPECTED_2024["table3"]["carried_over"]
    assert json.loads(run("--org", "西昌市", "--year", "2023", "--json"))["table4"]["reconsideration"] == results(1, 0, 0, 0, 1)


def test_with_children_adds_the_township(year_2024):
    data = json.loads(run("--org", "西昌市", "--year", "2024", "--json", "--with-children"))
    assert data["with_children"] is True
    assert data["table3"]["new"] == cols(5, 2, 1, 1, 1, 1, 11)
    assert data["table3"]["outcomes"]["1"] == cols(3, 0, 0, 0, 0, 0, 3)
    assert data["table4"]["lawsuit_after"] == results(0, 0, 0, 1, 1)


def test_the_text_table(year_2024):
    text = run("--org", "西昌市", "--year", "2024")
    lines = {line.split()[0]: line.split()[1:8] for line in text.splitlines() if line and not line.startswith((" ", "Table", "row", "kind"))}
    assert lines["new"] == ["4", "2", "1", "1", "1", "1", "10"]
    assert lines["4.1"] == ["0", "0", "0", "1", "1", "0", "2"]
    assert lines["carried_forward"] == ["3", "2", "0", "0", "0", "0", "5"]
    assert lines["lawsuit_direct"][:5] == ["0", "0", "0", "1", "1"]
    assert "（四）无法提供 1.本机关不掌握相关政府信息" in text and "西昌市人民政府" in text


def test_one_query_per_table(year_2024, org_tree):
    with CaptureQueriesContext(connection) as queries:
        stats.table3(org_tree["county"], 2024)
        stats.table4(org_tree["county"], 2024)
    assert len(queries) == 2


@pytest.mark.parametrize("args, words", [
    (("--org", "nowhere", "--year", "2024"), "no organisation 'nowhere'"),
    (("--org", "西昌市", "--year", "20x4"), "YEAR must be a year like 2024"),
    (("--org", "西昌市", "--year", "1999"), "apply from 2008"),
    (("--org", "西昌市", "--year", "2999"), "has not begun yet"),
    (("--org", "西昌市"), "--year"),
])
def test_bad_org_or_year(org_tree, args, words):
    with pytest.raises(CommandError, match=words):
        run(*args)


# --- a random year ----------------------------------------------------------------

STATES_OPEN = ["processing", "correction", "paused"]
OUTCOMES = list(OUTCOME_REPORT_ROW)
TYPES = [code for code, _ in APPLICANT_TYPES]


def random_applications(rng: random.Random, orgs, n: int = 300):
    first, days = D(2022, 1, 1), (D(2024, 12, 31) - D(2022, 1, 1)).days
    for _ in range(n):
        org = rng.choice(orgs)
        received = first + dt.timedelta(days=rng.randrange(days + 1))
        kind = rng.random()
        if kind < 0.08:  # receipt not confirmed, some submitted around midnight of New Year's Eve
            at = dt.datetime.combine(received, dt.time(rng.choice([0, 9, 23]), rng.choice([0, 30, 59])), tzinfo=TZ)
            if rng.random() < 0.3:
                at = dt.datetime(rng.choice([2022, 2023, 2024]), 12, 31, 23, 30, tzinfo=TZ) + dt.timedelta(hours=rng.choice([0, 1]))
            make_app(org, rng.choice(TYPES), None, submitted=at)
            continue
        closed = received + dt.timedelta(days=rng.randrange(0, 80))
        if kind < 0.3:
            make_app(org, rng.choice(TYPES), received, state=rng.choice(STATES_OPEN))
        elif kind < 0.36:
            make_app(org, rng.choice(TYPES), received, state="transferred", closed=closed)
        elif kind < 0.40:
            make_app(org, rng.choice(TYPES), received, state="merged", closed=closed)
        elif kind < 0.42:  # hand-entered oddity: finished without an outcome
            make_app(org, rng.choice(TYPES), received, state="closed", closed=closed)
        else:
            outcome = rng.choice(OUTCOMES)
            make_app(org, rng.choice(TYPES), received, state="closed" if outcome.startswith("no_") else "replied",
                     outcome=outcome, closed=closed)
    for _ in range(40):
        filed = first + dt.timedelta(days=rng.randrange(days + 1))
        result = rng.choice(["upheld", "corrected", "other", "pending"])
        decided = None if result == "pending" else filed + dt.timedelta(days=rng.randrange(1, 200))
        ReviewCase.objects.create(organisation=rng.choice(orgs), kind=rng.choice(ReviewCase.Kind.values),
                                  filed_on=filed, result=result, decided_on=decided)


def recount(org_ids, year) -> dict:
    """Table 3 counted in Python, one application at a time, from the documented definitions."""
    counts = {"new": Counter(), "carried_over": Counter(), "carried_forward": Counter(),
              "outcomes": {code: Counter() for code in stats.ROW_CODES}}
    for app in Application.objects.filter(organisation_id__in=org_ids):
        received = app.received_on or app.submitted_at.astimezone(TZ).date()
        if app.state == "merged" or received.year > year or (app.closed_on and app.closed_on.year < year):
            continue
        counts["new" if received.year == year else "carried_over"][app.applicant_type] += 1
        if app.closed_on and app.closed_on.year == year:
            row = OUTCOME_REPORT_ROW.get(app.outcome) or ("4.1" if app.state == "transferred" else "6.3")
            counts["outcomes"][row][app.applicant_type] += 1
        else:
            counts["carried_forward"][app.applicant_type] += 1

    def row(counter):
        return {**{t: counter[t] for t in TYPES}, "total": sum(counter.values())}
    outcomes = {code: row(c) for code, c in counts["outcomes"].items()}
    return {"new": row(counts["new"]), "carried_over": row(counts["carried_over"]), "outcomes": outcomes,
            "outcomes_total": row(sum(counts["outcomes"].values(), Counter())),
            "carried_forward": row(counts["carried_forward"])}


def test_a_random_year_adds_up(org_tree):
    county, department = org_tree["county"], org_tree["department"]
    township = org_tree["township"]
    random_applications(random.Random(20240101), [county, department, township])
    assert Application.objects.count() == 300
    for org, with_children, ids in ((county, False, {county.pk}), (department, False, {department.pk}),
                                    (county, True, {county.pk, township.pk})):
        tables = {y: stats.table3(org, y, with_children=with_children) for y in (2022, 2023, 2024)}
        for year, t in tables.items():
            assert stats.check(t) == []
            assert t.as_dict() == recount(ids, year)
            for column in stats.COLUMNS:
                assert t.new[column] + t.carried_over[column] == t.outcomes_total[column] + t.carried_forward[column]
                assert t.outcomes_total[column] == sum(t.outcomes[code][column] for code in stats.ROW_CODES)
            for row in [t.new, t.carried_over, t.outcomes_total, t.carried_forward, *t.outcomes.values()]:
                assert row["total"] == sum(row[c] for c in stats.APPLICANT_COLUMNS)
            t4 = stats.table4(org, year, with_children=with_children)
            assert stats.check(t4) == []
            assert sum(t4.counts[k]["total"] for k in stats.REVIEW_KINDS) == ReviewCase.objects.filter(
                organisation_id__in=ids, filed_on__year=year).count()
        for year in (2023, 2024):
            assert tables[year - 1].carried_forward == tables[year].carried_over
            assert stats.check(tables[year], previous=tables[year - 1]) == []
        assert tables[2023].outcomes_total["total"] > 10  # the sample is not degenerate


def test_check_finds_broken_identities(org_tree):
    t = stats.table3(org_tree["county"], 2024)
    assert stats.check(t) == []
    t.outcomes["1"]["natural"] = 1
    t.outcomes["1"]["total"] = 1
    problems = stats.check(t)
    assert any("(7) total" in p for p in problems) and len(problems) == 2  # column natural and column total
    t.new["natural"] = 5
    assert any("new: total 0 is not the sum" in p for p in stats.check(t))
    previous = stats.table3(org_tree["county"], 2023)
    previous.carried_forward = cols(1, 0, 0, 0, 0, 0, 1)
    assert any("carried over from 2023" in p for p in stats.check(stats.table3(org_tree["county"], 2024), previous))
    t4 = stats.table4(org_tree["county"], 2024)
    t4.counts["lawsuit_after"]["pending"] = 2
    assert stats.check(t4) == ["table 4 lawsuit_after: total 0 is not the sum of the columns (2)"]


# --- the page ---------------------------------------------------------------------

def cells_of(html, label):
    doc = lxml.html.fromstring(html)
    for th in doc.iter("th"):
        if th.text_content().strip() == label:
            return [td.text_content().strip() for td in th.getparent().iter("td")]
    raise AssertionError(f"no row {label}")


def test_the_page_for_the_office_admin_and_the_handler(client, year_2024, org_tree, make_user, handler):
    county = org_tree["county"]
    admin = make_user("admin", (county, "office_admin"))
    for user in (admin, handler):
        client.force_login(user)
        response = client.get(URL, {"org": county.pk, "year": 2024})
        assert response.status_code == 200
        html = response.content.decode()
        assert stats.CORNER_NOTE in html
        assert cells_of(html, "一、本年新收政府信息公开申请数量") == ["4", "2", "1", "1", "1", "1", "10"]
        assert cells_of(html, "（四）无法提供 1.本机关不掌握相关政府信息") == ["0", "0", "0", "1", "1", "0", "2"]
        assert cells_of(html, "（七）总计") == ["3", "1", "2", "1", "1", "1", "9"]
        assert cells_of(html, "四、结转下年度继续办理") == ["3", "2", "0", "0", "0", "0", "5"]
        doc = lxml.html.fromstring(html)
        table4 = doc.xpath("//section[@aria-labelledby='t4-title']//tbody//td")
        assert [td.text_content() for td in table4] == ["0", "1", "0", "0", "1", "0", "0", "0", "1", "1"] + ["0"] * 5
        # The chart: one bar per outcome row with applications, widths as SVG attributes, no inline style.
        rects = doc.xpath("//svg//rect")
        assert len(rects) == 7 and max(int(r.get("width")) for r in rects) == 560
        assert "style=" not in html and "<script" not in html
        assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    # The admin's role reaches the township: the overview with it.
    client.force_login(admin)
    response = client.get(URL, {"org": county.pk, "year": 2024, "children": "1"})
    assert cells_of(response.content.decode(), "一、本年新收政府信息公开申请数量")[-1] == "11"
    assert client.get(URL, {"org": org_tree["township"].pk, "year": 2024}).status_code == 200
    # The handler's does not.
    client.force_login(handler)
    assert client.get(URL, {"org": county.pk, "year": 2024, "children": "1"}).status_code == 404
    assert client.get(URL, {"org": org_tree["township"].pk, "year": 2024}).status_code == 404
    # Without parameters: the handler's organisation.
    response = client.get(URL)
    assert response.status_code == 200 and response.context["organisation"] == county


def test_the_page_refuses_other_organisations(client, year_2024, org_tree, make_user):
    other = make_user("other", (org_tree["department"], "handler"))
    client.force_login(other)
    assert client.get(URL, {"org": org_tree["county"].pk, "year": 2024}).status_code == 404
    assert client.get(URL, {"org": "x", "year": 2024}).status_code == 404
    assert client.get(URL, {"org": org_tree["department"].pk, "year": "1999"}).status_code == 404
    response = client.get(URL, {"org": org_tree["department"].pk, "year": 2024})
    assert response.status_code == 200 and "本年度没有办结的申请" in response.content.decode()
    # A drafter handles no applications; anonymous users sign in first.
    client.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302
