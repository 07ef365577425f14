"""`gongkai workplan quotas` with what the reader found (groups, items or
points, the stated carry-over, warnings), and `gongkai workplan score` with
indicators without data (无数据) and the rescaled total. Dates are fixed
(--as-of); no test depends on today's date."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from gongkai.core.models import Organisation
from gongkai.workplan import assessment, quotas
from gongkai.workplan.models import Indicator, NoData

K = Indicator.Kind
GROUPED_POINTS = """关于下达2025年政务信息目标任务的通知
（一）全年任务为50分以上的单位（3个）
西昌市财政局、西昌市教育局。
（二）全年任务为20分的单位：西昌市档案馆、西昌市统计局。
1-5月未完成的任务数累计到6-9月。
"""
MONTH_RUNS = ("序号\t单位\t全年\t1-5月\t6—9月\t10至12月\n1\t西昌市财政局\t12\t5\t4\t3\n2\t西昌市教育局\t9\t3\t3\t3\n"
              "当月未完成的任务数累计到下月。\n")


def _run(*argv) -> str:
    out = io.StringIO()
    call_command("workplan", *argv, stdout=out)
    return out.getvalue()


@pytest.fixture
def pages(tmp_path):
    grouped, runs = tmp_path / "grouped.txt", tmp_path / "runs.txt"
    grouped.write_text(GROUPED_POINTS, encoding="utf-8")
    runs.write_text(MONTH_RUNS, encoding="gb18030")
    return {"grouped": grouped, "runs": runs}


# ---------------------------------------------------------------- quotas


@pytest.mark.django_db
def test_quotas_text_prints_groups_points_carry_and_warnings(pages):
    lines = _run("quotas", str(pages["grouped"])).splitlines()
    assert lines[0] == "关于下达2025年政务信息目标任务的通知"
    assert lines[1].split() == ["unit", "organisation", "全年", "group"]
    assert lines[3].split() == ["西昌市财政局", "-", "50", "（一）全年任务为50分以上的单位（3个）"]
    assert lines[5].split() == ["西昌市档案馆", "-", "20", "（二）全年任务为20分的单位"]
    assert lines[7:] == [
        "measure: 分 (points, not items: not a number of items to publish)",
        "carry: 1-5>6-9",
        "group: （一）全年任务为50分以上的单位（3个） (2 units)",
        "group: （二）全年任务为20分的单位 (2 units)",
        "warning: “（一）全年任务为50分以上的单位（3个）”写明3个单位，读到2个，请核对。",
        "units: 4, total: 140, not matched to an organisation: 4",
    ]


@pytest.mark.django_db
def test_quotas_text_of_items_without_groups(pages):
    lines = _run("quotas", str(pages["runs"])).splitlines()
    assert lines[1].split() == ["unit", "organisation", "全年", "1-5月", "6—9月", "10至12月"]  # no group column
    assert lines[-3:] == ["measure: 条 (items)", "carry: next (each window's shortfall to the next window)",
                          "units: 2, total: 21, not matched to an organisation: 2"]
    assert not any(line.startswith(("warning:", "group:")) for line in lines)


@pytest.mark.django_db
def test_quotas_json_has_groups_measures_windows_carry_and_warnings(pages):
    Organisation.objects.create(name="西昌市财政局", level="department", index_prefix="XC-CZ")
    data = json.loads(_run("quotas", str(pages["grouped"]), "--json"))
    assert (data["measure"], data["measures"]) == ("分", {"全年": "分"})
    assert data["windows"] == {"全年": {"months": "1-12", "every": "", "label": "全年"}}
    assert data["carry"] == "1-5>6-9"
    assert data["groups"] == [
        {"group": "（一）全年任务为50分以上的单位（3个）", "units": ["西昌市财政局", "西昌市教育局"]},
        {"group": "（二）全年任务为20分的单位", "units": ["西昌市档案馆", "西昌市统计局"]}]
    assert data["warnings"] == ["“（一）全年任务为50分以上的单位（3个）”写明3个单位，读到2个，请核对。"]
    assert data["suggested_period"] == {"period": "year", "months": ""}
    assert data["rows"][0]["organisation"]["name"] == "西昌市财政局" and data["total"] == 140
    data = json.loads(_run("quotas", str(pages["runs"]), "--json"))
    assert (data["measure"], data["carry"], data["groups"], data["warnings"]) == ("条", "next", [], [])
    assert data["suggested_period"] == {"period": "months", "months": "1-5,6-9,10-12"}
    assert {column: w["months"] for column, w in data["windows"].items()} == {
        "全年": "1-12", "1-5月": "1-5", "6—9月": "6-9", "10至12月": "10-12"}
    assert data["windows"]["10至12月"]["label"] == "第四季度"


# ---------------------------------------------------------------- score


@pytest.fixture
def scheme_world(org_tree, make_user, make_document):
    """Two units of the county: the finance bureau with a year's quota of 4
    and 1 published by 30 June (quota 1/4 of 60 = 15.00), the education
    bureau with no quota; the mailbox indicator never has data."""
    county = org_tree["county"]
    finance = Organisation.objects.create(name="西昌市财政局", level="department", parent=county,
                                          index_prefix="XC-CZ", sort_order=1)
    education = Organisation.objects.create(name="西昌市教育局", level="department", parent=county,
                                            index_prefix="XC-JY", sort_order=2)
    office = make_user("office", (county, "office_admin"))
    quotas.create_quota_plan(organisation=county, user=office, year=2024, title="2024年信息发布任务数", period="year",
                             targets={finance: 4})
    make_document(finance, "财政局信息", published_date=dt.date(2024, 3, 1))

    def scheme(name, no_data=NoData.EXCLUDE):
        return assessment.create_scheme(organisation=county, user=office, year=2024, name=name,
                                        indicators=[(K.QUOTA, 60, 0), (K.TICKETS_ON_TIME, 40, 0)],
                                        units=[finance, education], no_data=no_data)

    return scheme


def test_score_text_says_no_data_and_the_rescaled_total(scheme_world):
    scheme = scheme_world("不计入")
    lines = _run("score", "--scheme", str(scheme.pk), "--as-of", "2024-06-30").splitlines()
    assert lines[1:] == [
        "1. 西昌市财政局: 25.00 points",
        "   rescaled total: 15.00 of the 60.00 counted, scaled to 100.00: 25.00",
        "   信息发布任务完成率: 15.00 of 60.00",
        "      2024年信息发布任务数：全年任务数4条，截至2024-06-30已发布1条",
        "   政民互动按时答复率: 无数据（不计入） (weight 40.00)",
        "      无已答复或已超期的工单",
        "      无数据：本项不计入，总分按其余指标的分值折算",
        "2. 西昌市教育局: 无数据 (no indicator has data; ranked as 0)",
        "   信息发布任务完成率: 无数据（不计入） (weight 60.00)",
        "      无信息发布任务数",
        "      无数据：本项不计入，总分按其余指标的分值折算",
        "   政民互动按时答复率: 无数据（不计入） (weight 40.00)",
        "      无已答复或已超期的工单",
        "      无数据：本项不计入，总分按其余指标的分值折算",
    ]
    assert not any(" of 40.00" in line or "0.00 of" in line for line in lines)


def test_score_text_when_no_data_counts_as_zero(scheme_world):
    scheme = scheme_world("计0分", NoData.ZERO)
    lines = _run("score", "--scheme", str(scheme.pk), "--as-of", "2024-06-30").splitlines()
    assert "1. 西昌市财政局: 15.00 points" in lines
    assert "   政民互动按时答复率: 无数据（计0分） (weight 40.00)" in lines
    assert "2. 西昌市教育局: 0.00 points" in lines
    assert not any(line.startswith("   rescaled total") for line in lines)


def test_score_json_flags_no_data_and_rescaling(scheme_world):
    scheme = scheme_world("不计入")
    data = json.loads(_run("score", "--scheme", str(scheme.pk), "--as-of", "2024-06-30", "--json"))
    finance, education = data["units"]
    assert (finance["total"], finance["rescaled"], finance["raw"], finance["scored_weight"], finance["full_weight"]) == (
        25.0, True, 15.0, 60.0, 100.0)
    assert finance["basis"] == "计入总分的指标分值合计60.00分，实得15.00分，折算为满分100.00分：15.00÷60.00×100.00＝25.00分"
    tickets = finance["indicators"][1]
    assert (tickets["no_data"], tickets["counted"], tickets["text"], tickets["points"]) == (
        True, False, "无数据（不计入）", 0.0)
    assert (finance["indicators"][0]["no_data"], finance["indicators"][0]["text"]) == (False, "15.00")
    assert (education["no_data"], education["total_text"], education["rescaled"]) == (True, "无数据", False)
