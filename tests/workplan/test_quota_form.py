"""The quota plan form (QuotaPlanForm): 月份段 checked by the same reader as
the service (quota_table.parse_month_ranges), the carry-over as a choice or
pairs of 月份段 ("1-5>6-9"), reading an uploaded or pasted table with the
period, 月份段 and carry-over it states preselected, and who may use it.
Every test names its year: none depends on today's date."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongkai.core.models import Organisation
from gongkai.workplan.forms import QuotaPlanForm
from gongkai.workplan.models import QuotaPlan

pytestmark = pytest.mark.django_db

YEAR = 2025
MONTH_RUNS = ("序号\t单位\t全年\t1-5月\t6—9月\t10至12月\n1\t西昌市\t12\t5\t4\t3\n2\t安宁镇\t9\t3\t3\t3\n"
              "1-5月未完成的任务数累计到6-9月，9月前完成。\n")
POINTS = ("2025年度政务信息目标任务\n一、县（市、区）目标分数\n西昌市 150\n安宁镇 120\n"
          "二、市级部门目标任务\n西昌市 30\n")


@pytest.fixture
def office(org_tree, make_user):
    return make_user("office", (org_tree["city"], "office_admin"))


def form(org_tree, reading_table=False, files=None, **fields):
    data = {"organisation": org_tree["city"].pk, "title": "任务数", "year": YEAR, "period": "quarter",
            "targets": "西昌市 3", **fields}
    return QuotaPlanForm(data, files, organisations=Organisation.objects.all(), reading_table=reading_table)


# ---------------------------------------------------------------- 月份段


def test_months_are_required_for_runs_of_months_and_normalised(org_tree):
    f = form(org_tree, period="months", months="")
    assert not f.is_valid() and f.errors["months"] == ["请填写月份段，如“1-5,6-9,10-12”。"]
    f = form(org_tree, period="months", months="1—5月、6至9月，10-12")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["months"] == "1-5,6-9,10-12"


@pytest.mark.parametrize("months, message", [
    ("1-5,5-9", "各月份段应按月份先后排列、互不重叠。"),
    ("6-9,1-5", "各月份段应按月份先后排列、互不重叠。"),
    ("0-3", "“0-3”不是月份段（应如“1-5”，月份为1至12）。"),
    ("上半年", "“上半年”不是月份段（应如“1-5”，月份为1至12）。"),
])
def test_bad_months_are_refused_in_chinese(org_tree, months, message):
    f = form(org_tree, period="months", months=months)
    assert not f.is_valid() and f.errors["months"] == [message]


def test_months_are_ignored_for_other_periods(org_tree):
    f = form(org_tree, period="quarter", months="not months")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["months"] == ""


# ---------------------------------------------------------------- carry-over


@pytest.mark.parametrize("typed, carry", [
    ("", ""), ("不结转", ""), ("next", "next"), ("未完成部分结转至下一周期", "next"), ("last", "last"),
    ("未完成部分结转至年末最后一个周期", "last"), ("年末", "last"),
    ("1-5>6-9", "1-5>6-9"), (" 1—5月 > 6-9月，6-9>10-12 ", "1-5>6-9,6-9>10-12"),
])
def test_carry_takes_the_choices_and_pairs_of_months(org_tree, typed, carry):
    f = form(org_tree, period="months", months="1-5,6-9,10-12", carry=typed)
    assert f.is_valid(), f.errors
    assert f.cleaned_data["carry"] == carry


@pytest.mark.parametrize("typed, message", [
    ("sideways", "“sideways”应写作“1-5>6-9”（未完成部分从前一段结转至后一段）。"),
    ("6-9>1-5", "“6-9>1-5”：只能结转至其后的月份段。"),
    ("1-5>13", "“13”不是月份段（应如“1-5”，月份为1至12）。"),
    ("，", "结转方式只能是不结转、结转至下一周期、结转至年末，或写明月份段，如“1-5>6-9”。"),
])
def test_bad_carry_is_refused_in_chinese(org_tree, typed, message):
    f = form(org_tree, period="months", months="1-5,6-9,10-12", carry=typed)
    assert not f.is_valid() and f.errors["carry"] == [message]


def test_the_carry_box_shows_labels_and_offers_the_choices(org_tree):
    page = QuotaPlanForm(initial={"carry": "next"}, organisations=Organisation.objects.all()).as_div()
    assert 'value="未完成部分结转至下一周期"' in page and 'list="id_carry_choices"' in page
    assert '<datalist id="id_carry_choices"><option value="不结转"></option>' in page


def test_a_plan_by_runs_of_months_through_the_page(org_tree, office):
    client = Client()
    client.force_login(office)
    fields = {"organisation": org_tree["city"].pk, "title": "分段任务数", "year": YEAR, "period": "months",
              "months": "1-5,6-9,10-12", "carry": "1-5>6-9", "targets": "西昌市 5 4 3\n安宁镇 1"}
    response = client.post(reverse("workplan:quota_new"), fields)
    assert response.status_code == 302, response.content.decode()
    plan = QuotaPlan.objects.get()
    assert (plan.period, plan.months) == ("months", "1-5,6-9,10-12")
    county = plan.quotas.filter(organisation=org_tree["county"]).order_by("start")
    assert [(q.start.month, q.end.month, q.target) for q in county] == [(1, 5, 5), (6, 9, 4), (10, 12, 3)]
    assert [(r.from_end.month, r.to_end.month) for r in plan.carry_rules.all()] == [(5, 9)]
    # A pair that names no window of the plan: the service's refusal, on the carry field; nothing created.
    page = client.post(reverse("workplan:quota_new"), {**fields, "title": "错", "carry": "1-4>6-9"}).content.decode()
    assert "结转规则中的“1-4月”不是本任务数的考核周期。" in page.split('id="id_carry_error"')[1].split("</p>")[0]
    # Missing months for 按月份段: on the months field.
    page = client.post(reverse("workplan:quota_new"), {**fields, "title": "错", "months": ""}).content.decode()
    assert "请填写月份段" in page.split('id="id_months_error"')[1].split("</p>")[0]
    assert QuotaPlan.objects.count() == 1


# ---------------------------------------------------------------- reading a table


def test_table_text_reads_the_columns_of_the_runs_of_months(org_tree):
    f = form(org_tree, reading_table=True, period="months", months="1-5,6-9,10-12", pasted=MONTH_RUNS)
    assert f.is_valid(), f.errors
    assert f.table_text() == ("西昌市 5 4 3\n安宁镇 3 3 3", "1-5月至10至12月")
    assert f.table_text("months", "1-6,7-12") == ("西昌市 12\n安宁镇 9", "全年")  # no such columns: the main one
    assert f.table_text("quarter") == ("西昌市 12\n安宁镇 9", "全年")


def test_reading_preselects_period_months_and_carry(org_tree):
    f = form(org_tree, reading_table=True, period="quarter", carry="", pasted=MONTH_RUNS)
    assert f.is_valid(), f.errors
    reading = f.read_table()
    assert (reading.period, reading.months, reading.carry) == ("months", "1-5,6-9,10-12", "1-5>6-9")
    assert reading.initial() == {"targets": "西昌市 5 4 3\n安宁镇 3 3 3", "period": "months",
                                 "months": "1-5,6-9,10-12", "carry": "1-5>6-9"}
    assert reading.carry_label == "1-5月未完成部分结转至6-9月"
    assert (reading.measure, reading.warnings, reading.groups, reading.units) == ("条", [], [], 2)


def test_reading_points_groups_and_warnings(org_tree):
    f = form(org_tree, reading_table=True, pasted=POINTS)
    assert f.is_valid(), f.errors
    reading = f.read_table()
    assert reading.measure == "分"
    assert reading.groups == [("一、县（市、区）目标分数", 2), ("二、市级部门目标任务", 1)]
    assert reading.warnings == ["“西昌市”出现2次，请核对。"]
    assert reading.period is None and "period" not in reading.initial()  # the table does not say: the posted one stays


def test_a_stated_carry_that_does_not_fit_the_period_is_not_preselected(org_tree):
    page = "全年任务数\n西昌市 12\n安宁镇 8\n1-5月未完成的任务数累计到6-9月。\n"
    f = form(org_tree, reading_table=True, period="quarter", pasted=page)
    assert f.is_valid(), f.errors
    reading = f.read_table()
    assert reading.carry is None and "carry" not in reading.initial()
    assert reading.warnings == ["通知写明的结转（1-5>6-9）不是所选考核周期之间的结转，未预选结转方式，请核对考核周期和结转方式。"]


def test_reading_needs_one_source_with_a_table(org_tree):
    f = form(org_tree, reading_table=True)
    assert not f.is_valid() and f.errors["table"] == ["请选择要读取的任务分解表文件，或粘贴表格。"]
    upload = SimpleUploadedFile("表.txt", MONTH_RUNS.encode(), content_type="text/plain")
    f = form(org_tree, reading_table=True, files={"table": upload}, pasted=MONTH_RUNS)
    assert not f.is_valid() and f.errors["pasted"] == ["请上传文件或粘贴表格，二者选一。"]
    f = form(org_tree, reading_table=True, pasted="请各单位认真做好信息发布工作。")
    assert not f.is_valid() and f.errors["pasted"] == ["未在粘贴的内容中找到“单位—数量”的表格。"]
    upload = SimpleUploadedFile("表.doc", b"x", content_type="application/msword")
    f = form(org_tree, reading_table=True, files={"table": upload})
    assert not f.is_valid() and f.errors["table"] == ["只能上传网页或文本文件（.html、.htm、.txt）。"]


# ---------------------------------------------------------------- who may use it


def test_only_managers_use_the_form_and_only_for_their_offices(org_tree, office, make_user):
    fields = {"organisation": org_tree["city"].pk, "title": "任务数", "year": YEAR, "period": "months",
              "months": "1-5,6-9,10-12", "carry": "1-5>6-9", "targets": "西昌市 5"}
    drafter = Client()
    drafter.force_login(make_user("drafter", (org_tree["county"], "drafter")))
    assert drafter.get(reverse("workplan:quota_new")).status_code == 403
    assert drafter.post(reverse("workplan:quota_new"), fields).status_code == 403
    assert drafter.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "pasted": MONTH_RUNS}
                        ).status_code == 403
    # The county's office manages the county only: the city is no choice of its form.
    county_office = Client()
    county_office.force_login(make_user("county-office", (org_tree["county"], "office_admin")))
    page = county_office.post(reverse("workplan:quota_new"), fields).content.decode()
    assert "选择一个有效的选项" in page.split('id="id_organisation_error"')[1].split("</p>")[0]
    assert not QuotaPlan.objects.exists()
