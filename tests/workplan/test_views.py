"""The staff pages of work-plan supervision (工作要点督办) through HTTP: who
sees which page and task, importing a plan from pasted text or a saved page,
correcting a task's units, confirming the plan, reporting progress with
published documents and files as evidence, confirming, returning and
reopening, the overdue list, quotas with carry-over, the workbench panel,
CSRF and sign-in."""

import datetime as dt

from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.workplan import services
from gongkai.workplan.models import Plan, ProgressFile, ProgressReport, QuotaPlan, Task
from tests.conftest import SHARED_SAMPLES

pytestmark = pytest.mark.django_db

# The plan's tasks are due at the end of YEAR: the pages are read on a fixed
# mid-year day, so that no task but those a test moves is near its due date
# (in late December every task would warn).
YEAR = 2026
TODAY = dt.datetime(YEAR, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def mid_year():
    with time_machine.travel(TODAY, tick=True):
        yield

PLAN_TEXT = f"""{YEAR}年凉山州政务公开工作要点
一、推进决策公开
（一）完善公开目录。按要求更新目录。（牵头单位：西昌市人民政府；责任单位：西昌市安宁镇人民政府；完成时限：{YEAR}年12月）
（二）加强政策解读。（牵头单位：西昌市安宁镇人民政府；完成时限：{YEAR}年12月底前）
二、强化平台建设
（三）办好政府网站。（责任单位：有关单位；完成时限：长期坚持）
"""
QIANJIANG = SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt"


@pytest.fixture
def people(org_tree, make_user):
    return {
        "office": make_user("office", (org_tree["city"], "office_admin")),
        "county": make_user("xichang", (org_tree["county"], "drafter")),
        "town": make_user("anning", (org_tree["township"], "drafter")),
        "dept": make_user("caizheng", (org_tree["department"], "drafter")),
        "reviewer": make_user("reviewer", (org_tree["county"], "reviewer", 1)),
    }


@pytest.fixture
def draft(org_tree, people):
    return services.import_plan(organisation=org_tree["city"], text=PLAN_TEXT, user=people["office"])


@pytest.fixture
def plan(draft, people):
    return services.confirm_plan(draft, user=people["office"])


def task_titled(plan, title) -> Task:
    return plan.tasks.get(title=title)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


# --- sign-in and who sees what ---------------------------------------------------------


def test_anonymous_goes_to_login(plan):
    task = task_titled(plan, "完善公开目录")
    client = Client()
    for url in [reverse("workplan:index"), reverse("workplan:import"), reverse("workplan:plan", args=[plan.pk]),
                reverse("workplan:task", args=[task.pk]), reverse("workplan:overdue"), reverse("workplan:quotas"),
                reverse("workplan:quota_new")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login")), url
    response = client.post(reverse("workplan:plan_confirm", args=[plan.pk]))
    assert response.status_code == 302 and reverse("workspace:login") in response["Location"]


def test_my_tasks_are_those_of_my_unit(plan, people):
    page = html(client_for(people["county"]).get(reverse("workplan:index")))
    assert "完善公开目录" in page and "加强政策解读" not in page and "办好政府网站" not in page
    assert "西昌市人民政府" in page and "推进中" in page
    assert "导入工作要点" not in page  # no office links for a unit's drafter

    page = html(client_for(people["town"]).get(reverse("workplan:index")))
    assert "完善公开目录" in page and "加强政策解读" in page and "办好政府网站" not in page

    page = html(client_for(people["dept"]).get(reverse("workplan:index")))
    assert "完善公开目录" not in page and "没有符合条件的任务" in page


def test_index_warnings_and_filters(plan, people):
    today = timezone.localdate()
    task = task_titled(plan, "完善公开目录")
    services.update_task(task, user=people["office"], title=task.title, due_text="上周", due_date=today - dt.timedelta(days=3),
                         units=[(u.role, u.name, u.organisation_id) for u in task.units.all()])
    client = client_for(people["town"])
    page = html(client.get(reverse("workplan:index")))
    assert "已逾期" in page and 'class="warn-label warn-overdue"' in page
    page = html(client.get(reverse("workplan:index"), {"warning": "overdue"}))
    assert "完善公开目录" in page and "加强政策解读" not in page
    page = html(client.get(reverse("workplan:index"), {"state": "done"}))
    assert "完善公开目录" not in page and "没有符合条件的任务" in page
    page = html(client.get(reverse("workplan:index"), {"year": YEAR - 3}))
    assert "完善公开目录" not in page


def test_office_index_lists_its_plans_and_links(draft, people):
    page = html(client_for(people["office"]).get(reverse("workplan:index")))
    assert draft.title in page and "待确认" in page
    for name in ["workplan:import", "workplan:quotas", "workplan:overdue"]:
        assert f'href="{reverse(name)}"' in page
    assert "逾期任务（按单位）" in page


def test_denials(draft, people):
    county, dept = client_for(people["county"]), client_for(people["dept"])
    # Only the office imports.
    assert county.get(reverse("workplan:import")).status_code == 403
    assert county.post(reverse("workplan:import"), {"text": PLAN_TEXT}).status_code == 403
    assert county.get(reverse("workplan:quotas")).status_code == 403
    assert county.get(reverse("workplan:overdue")).status_code == 403
    # A draft plan is the office's alone.
    assert county.get(reverse("workplan:plan", args=[draft.pk])).status_code == 404
    assert county.post(reverse("workplan:plan_confirm", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Plan.State.DRAFT

    plan = services.confirm_plan(draft, user=people["office"])
    assert county.get(reverse("workplan:plan", args=[plan.pk])).status_code == 200
    assert dept.get(reverse("workplan:plan", args=[plan.pk])).status_code == 404
    # Another unit's task.
    other = task_titled(plan, "加强政策解读")
    assert county.get(reverse("workplan:task", args=[other.pk])).status_code == 404
    assert county.post(reverse("workplan:task_report", args=[other.pk]), {"text": "x", "percent": 5}).status_code == 404
    # Editing, requesting reports and reopening are the office's.
    own = task_titled(plan, "完善公开目录")
    assert county.get(reverse("workplan:task_edit", args=[own.pk])).status_code == 403
    assert county.post(reverse("workplan:plan_request", args=[plan.pk]),
                       {"due_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}).status_code == 403
    services.report_progress(own, user=people["town"], organisation=own.units.get(role="responsible").organisation,
                             text="已完成目录更新", percent=100, claims_done=True)
    # A unit reports on its own part only: the county's drafter cannot report the township's part.
    town_part = own.units.get(role="responsible")
    response = county.post(reverse("workplan:task_report", args=[own.pk]), {
        "organisation": town_part.organisation_id, "text": "代镇里报送", "percent": 100, "claims_done": "on"})
    assert response.status_code == 200 and "选择一个有效的选项" in html(response)
    assert not ProgressReport.objects.filter(author=people["county"]).exists()
    # The township (a responsible unit) may not confirm its own part, nor return it.
    town = client_for(people["town"])
    assert town.post(reverse("workplan:task_confirm", args=[own.pk]),
                     {"organisation": town_part.organisation_id}).status_code == 403
    assert town.post(reverse("workplan:task_return", args=[own.pk]),
                     {"organisation": town_part.organisation_id, "reason": "x"}).status_code == 403
    town_part.refresh_from_db()
    assert town_part.state == Task.State.REPORTED
    services.report_progress(own, user=people["county"], organisation=own.units.get(role="lead").organisation,
                             text="已完成", percent=100, claims_done=True)
    services.confirm_done(own, user=people["county"])
    assert county.post(reverse("workplan:task_reopen", args=[own.pk]), {"reason": "重做"}).status_code == 403
    own.refresh_from_db()
    assert own.state == Task.State.DONE
    # A reviewer of the unit sees the task but may not report.
    reviewer = client_for(people["reviewer"])
    assert reviewer.get(reverse("workplan:task", args=[own.pk])).status_code == 200
    assert reviewer.post(reverse("workplan:task_report", args=[own.pk]), {"text": "x", "percent": 5}).status_code == 403


def test_post_without_csrf_token_is_refused(draft, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["office"])
    response = client.post(reverse("workplan:plan_confirm", args=[draft.pk]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == Plan.State.DRAFT
    page = html(client.get(reverse("workplan:plan", args=[draft.pk])))
    assert 'name="csrfmiddlewaretoken"' in page


# --- import -----------------------------------------------------------------------------


def test_import_pasted_sample(org_tree, people):
    client = client_for(people["office"])
    page = html(client.get(reverse("workplan:import")))
    assert 'enctype="multipart/form-data"' in page and "粘贴原文" in page
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["city"].pk,
                                                        "text": QIANJIANG.read_text(encoding="utf-8")})
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert response["Location"] == reverse("workplan:plan", args=[plan.pk])
    assert plan.title == "2018年重庆市政务公开工作要点" and plan.year == 2018 and plan.state == Plan.State.DRAFT
    assert plan.tasks.count() == 22
    page = html(client.get(response["Location"]))
    assert "聚焦法治政府建设，全面推进政务公开" in page and "市政府办公厅" in page and "（未匹配）" in page
    assert "确认工作要点" in page and 'class="depth-3' in page
    assert "各区县政府" in page  # in the list of unmatched names


def test_import_uploaded_gbk_file(org_tree, people):
    data = QIANJIANG.read_text(encoding="utf-8").encode("gb18030")
    upload = SimpleUploadedFile("黔江2018.txt", data, content_type="text/plain")
    response = client_for(people["office"]).post(reverse("workplan:import"), {
        "organisation": org_tree["county"].pk, "file": upload})
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.organisation == org_tree["county"] and plan.source_name == "黔江2018.txt" and plan.tasks.count() == 22


def test_import_uploaded_html_page(org_tree, people):
    body = "".join(f"<p>{line}</p>" for line in PLAN_TEXT.splitlines())
    markup = (f'<html><head><meta charset="gbk"><title>关于印发{YEAR}年凉山州政务公开工作要点的通知</title></head>'
              f'<body><div class="nav">首页 | 政务公开</div><div class="article">{body}</div>'
              f'<div class="footer">版权所有</div></body></html>')
    upload = SimpleUploadedFile("plan.html", markup.encode("gbk"), content_type="text/html")
    response = client_for(people["office"]).post(reverse("workplan:import"), {
        "organisation": org_tree["city"].pk, "file": upload})
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.title == f"{YEAR}年凉山州政务公开工作要点" and plan.year == YEAR
    assert list(plan.tasks.values_list("title", flat=True)) == ["推进决策公开", "完善公开目录", "加强政策解读", "强化平台建设",
                                                                "办好政府网站"]
    assert "版权所有" not in plan.source_text


def test_import_refuses_text_without_tasks_and_bad_files(org_tree, people):
    client = client_for(people["office"])
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["city"].pk, "year": YEAR,
                                                        "text": "今年要继续做好政务公开工作，加强组织领导。"})
    assert response.status_code == 200
    assert "未能从原文中识别出任何任务" in html(response) and "未导入" in html(response)
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["city"].pk, "file": pdf})
    assert response.status_code == 200 and "只能上传网页或文本文件" in html(response)
    binary = SimpleUploadedFile("plan.html", b"\x00\x01\x02binary", content_type="text/html")
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["city"].pk, "file": binary})
    assert response.status_code == 200 and "无法读取该文件" in html(response)
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["city"].pk})
    assert response.status_code == 200 and "请粘贴工作要点原文或上传文件" in html(response)
    # An organisation outside the office's reach is not a choice.
    response = client.post(reverse("workplan:import"), {"organisation": org_tree["department"].pk, "text": PLAN_TEXT})
    assert response.status_code == 200 and "印发机关" in html(response)
    assert not Plan.objects.exists()


# --- checking and confirming a plan -----------------------------------------------------


def test_edit_task_units(draft, people, org_tree):
    task = task_titled(draft, "办好政府网站")
    assert list(task.units.values_list("name", "organisation")) == [("有关单位", None)]
    client = client_for(people["office"])
    page = html(client.get(reverse("workplan:task_edit", args=[task.pk])))
    assert 'name="units-TOTAL_FORMS" value="4"' in page  # the row and three empty ones
    assert "第4行 对应机构" in page and 'value="有关单位"' in page
    data = {"title": "办好政府网站和政务新媒体", "text": task.text, "due_text": "年底前", "due_date": f"{YEAR}-12-31",
            "units-TOTAL_FORMS": "4", "units-INITIAL_FORMS": "1", "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "60",
            "units-0-role": "responsible", "units-0-name": "有关单位", "units-0-organisation": org_tree["department"].pk,
            "units-1-role": "lead", "units-1-name": "", "units-1-organisation": org_tree["city"].pk,
            "units-2-role": "responsible", "units-2-name": "", "units-2-organisation": "",
            "units-3-role": "responsible", "units-3-name": "", "units-3-organisation": ""}
    response = client.post(reverse("workplan:task_edit", args=[task.pk]), data)
    assert response.status_code == 302, html(response)
    task.refresh_from_db()
    assert task.title == "办好政府网站和政务新媒体" and task.due_date == dt.date(YEAR, 12, 31)
    assert sorted(task.units.values_list("role", "name", "organisation")) == [
        ("lead", org_tree["city"].name, org_tree["city"].pk), ("responsible", "有关单位", org_tree["department"].pk)]
    # A due date far from the plan's year: the service's message on the form, nothing saved.
    data["due_date"] = f"{YEAR + 5}-01-01"
    response = client.post(reverse("workplan:task_edit", args=[task.pk]), data)
    assert response.status_code == 200 and f"完成时限应在{YEAR}年前后" in html(response)
    task.refresh_from_db()
    assert task.due_date == dt.date(YEAR, 12, 31)
    # A row marked 删除 goes.
    data.update({"due_date": f"{YEAR}-12-31", "units-0-DELETE": "on"})
    assert client.post(reverse("workplan:task_edit", args=[task.pk]), data).status_code == 302
    assert list(task.units.values_list("role", "organisation")) == [("lead", org_tree["city"].pk)]


def test_delete_and_confirm(draft, people):
    client = client_for(people["office"])
    task = task_titled(draft, "办好政府网站")
    assert client.post(reverse("workplan:task_delete", args=[task.pk])).status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    response = client.post(reverse("workplan:plan_confirm", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.state == Plan.State.CONFIRMED and "工作要点已确认" in html(response)
    page = html(response)
    assert "要求报送进展" in page and "确认工作要点</button>" not in page
    # Confirming twice: the service's message, not an error page.
    response = client.post(reverse("workplan:plan_confirm", args=[draft.pk]), follow=True)
    assert "该工作要点已经确认" in html(response)


def test_request_reports_and_missing_units(plan, people, org_tree):
    client = client_for(people["office"])
    url = reverse("workplan:plan_request", args=[plan.pk])
    response = client.post(url, {"due_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and "报送截止日期不能早于今天" in html(response)
    response = client.post(url, {"due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(), "note": "季度报送"},
                           follow=True)
    page = html(response)
    assert "已通知各单位" in page and "尚未报送进展的单位（2个）" in page
    assert "加强政策解读" in page.split("尚未报送进展的单位")[1]
    task = task_titled(plan, "加强政策解读")
    services.report_progress(task, user=people["town"], organisation=org_tree["township"], text="已发布解读5篇", percent=50)
    page = html(client.get(reverse("workplan:plan", args=[plan.pk])))
    assert "尚未报送进展的单位（2个）" in page  # the township still owes 完善公开目录
    missing = page.split("尚未报送进展的单位")[1]
    assert "加强政策解读" not in missing and "完善公开目录" in missing


# --- progress -----------------------------------------------------------------------------


def test_report_progress_with_evidence_and_file(plan, people, org_tree, make_document):
    doc = make_document(org_tree["township"], "安宁镇政府信息公开目录")
    other = make_document(org_tree["county"], "西昌市政策解读汇编")
    task = task_titled(plan, "完善公开目录")
    client = client_for(people["town"])
    page = html(client.get(reverse("workplan:task", args=[task.pk])))
    assert "报送进展" in page and 'enctype="multipart/form-data"' in page and "确认完成</button>" not in page
    upload = SimpleUploadedFile("目录截图说明.txt", "目录已更新".encode(), content_type="text/plain")
    response = client.post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["township"].pk, "text": "已按新标准更新公开目录。", "percent": 60,
        "evidence": f"{doc.index_number}，{other.index_number}", "files": [upload]})
    assert response.status_code == 302, html(response)
    report = ProgressReport.objects.get()
    assert (report.organisation, report.author, report.percent, report.claims_done) == (org_tree["township"], people["town"], 60, False)
    assert set(report.documents.all()) == {doc, other}
    task.refresh_from_db()
    # The township's part is at 60 %; the county's (the lead unit) at 0: the task at their mean.
    assert task.percent == 30 and task.state == Task.State.OPEN
    assert task.units.get(organisation=org_tree["township"]).percent == 60

    page = html(client.get(reverse("workplan:task", args=[task.pk])))
    assert "已按新标准更新公开目录。" in page and "anning" in page
    assert f'href="{doc.get_absolute_url()}"' in page and doc.index_number in page
    item = ProgressFile.objects.get()
    assert f'href="{reverse("workplan:file", args=[item.pk])}"' in page

    for user in (people["town"], people["county"], people["office"]):
        response = client_for(user).get(reverse("workplan:file", args=[item.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).decode() == "目录已更新"
        assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert client_for(people["dept"]).get(reverse("workplan:file", args=[item.pk])).status_code == 404


def test_unknown_index_number_writes_nothing(plan, people, org_tree, make_document):
    doc = make_document(org_tree["township"], "安宁镇政府信息公开目录")
    draft_doc = make_document(org_tree["township"], "尚未发布的草稿", publish=False)
    draft_number = draft_doc.index_number or "DRAFT-0001"
    task = task_titled(plan, "完善公开目录")
    upload = SimpleUploadedFile("说明.txt", b"x", content_type="text/plain")
    response = client_for(people["town"]).post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["township"].pk, "text": "已完成", "percent": 100, "claims_done": "on",
        "evidence": f"{doc.index_number}\nNO-SUCH-0001、{draft_number}", "files": [upload]})
    assert response.status_code == 200
    page = html(response)
    assert f"以下索引号不是已发布的政府信息：NO-SUCH-0001、{draft_number}" in page and "操作未执行" in page
    assert not ProgressReport.objects.exists() and not ProgressFile.objects.exists()
    task.refresh_from_db()
    assert (task.state, task.percent) == (Task.State.OPEN, 0)
    # The service's own rule (done means 100%) comes back on the form too.
    response = client_for(people["town"]).post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["township"].pk, "text": "已完成", "percent": 80, "claims_done": "on"})
    assert response.status_code == 200 and "报送完成时进度应为100%" in html(response)
    assert not ProgressReport.objects.exists()


def test_each_unit_completes_its_part_the_lead_confirms_then_reopened(plan, people, org_tree):
    task = task_titled(plan, "完善公开目录")  # led by the county, the township responsible
    town, county, office = client_for(people["town"]), client_for(people["county"]), client_for(people["office"])
    response = town.post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["township"].pk, "text": "目录全部更新", "percent": 100, "claims_done": "on"}, follow=True)
    assert "已报送完成（西昌市安宁镇人民政府承担的部分）" in html(response)
    task.refresh_from_db()
    # The township's part awaits confirmation; the task is open while the county's part is.
    assert task.state == Task.State.OPEN and task.units.get(organisation=org_tree["township"]).state == Task.State.REPORTED
    assert "各单位：1/2个已报送完成，0个已确认" in html(response)
    # The township is not the lead unit.
    assert 'id="act-confirm"' not in html(town.get(reverse("workplan:task", args=[task.pk])))
    assert town.post(reverse("workplan:task_confirm", args=[task.pk])).status_code == 403
    page = html(county.get(reverse("workplan:task", args=[task.pk])))
    assert 'id="act-confirm"' in page and "退回完成报送" in page
    assert f'name="organisation" value="{org_tree["township"].pk}"' in page.split('id="act-confirm"')[1]
    response = county.post(reverse("workplan:task_confirm", args=[task.pk]),
                           {"organisation": org_tree["township"].pk}, follow=True)
    assert "已确认“西昌市安宁镇人民政府”承担的部分完成" in html(response)
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.units.get(organisation=org_tree["township"]).state == Task.State.DONE
    # A unit whose part is done reports no more; another task's unit cannot be named.
    assert 'id="act-report"' not in html(town.get(reverse("workplan:task", args=[task.pk])))
    assert county.post(reverse("workplan:task_confirm", args=[task.pk]),
                       {"organisation": org_tree["department"].pk}).status_code == 404
    # The county completes its own part and confirms it: the task is done.
    response = county.post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["county"].pk, "text": "全市目录已汇总", "percent": 100, "claims_done": "on"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.REPORTED
    response = county.post(reverse("workplan:task_confirm", args=[task.pk]), {"organisation": org_tree["county"].pk},
                           follow=True)
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.confirmed_by == people["county"]
    assert "已确认任务完成" in html(response) and "状态：<strong>已完成</strong>" in html(response)
    # The office reopens: a reason is needed.
    response = office.post(reverse("workplan:task_reopen", args=[task.pk]), {"reason": " "})
    assert response.status_code == 200 and "原因" in html(response)
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    # Reopening the township's part only.
    response = office.post(reverse("workplan:task_reopen", args=[task.pk]),
                           {"organisation": org_tree["township"].pk, "reason": "佐证材料不全"}, follow=True)
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.percent == 99
    assert "已重新打开任务（西昌市安宁镇人民政府承担的部分）。" in html(response)
    assert task.units.get(organisation=org_tree["county"]).state == Task.State.DONE
    assert 'id="act-report"' in html(town.get(reverse("workplan:task", args=[task.pk])))


def test_an_unmatched_unit_cannot_report_and_is_shown_pending(plan, people, org_tree):
    task = task_titled(plan, "办好政府网站")  # 责任单位：有关单位 (a group, no organisation)
    page = html(client_for(people["office"]).get(reverse("workplan:task", args=[task.pk])))
    assert "<td>待指定机构</td>" in page and "“有关单位”尚未对应到机构，不能报送" in page
    assert "请在“修改任务”中选择对应机构，或将其移出任务。" in page
    assert 'id="act-report"' not in page  # nobody reports for a group
    response = client_for(people["office"]).post(reverse("workplan:task_report", args=[task.pk]), {
        "organisation": org_tree["county"].pk, "text": "代报", "percent": 100, "claims_done": "on"})
    assert response.status_code == 403 and not ProgressReport.objects.exists()


def test_lead_unit_returns_a_reported_completion(plan, people, org_tree):
    task = task_titled(plan, "完善公开目录")
    services.report_progress(task, user=people["town"], organisation=org_tree["township"], text="完成", percent=100,
                             claims_done=True)
    county = client_for(people["county"])
    response = county.post(reverse("workplan:task_return", args=[task.pk]), {"reason": ""})
    assert response.status_code == 200 and "退回（原因）" in html(response)
    response = county.post(reverse("workplan:task_return", args=[task.pk]),
                           {"organisation": org_tree["township"].pk, "reason": "缺少乡镇目录"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.OPEN and task.units.get(organisation=org_tree["township"]).state == Task.State.OPEN


# --- overdue, quotas, workbench -------------------------------------------------------------


def _due(task, day, user):
    services.update_task(task, user=user, title=task.title, due_text=f"{day:%Y年%m月%d日}", due_date=day,
                         units=[(u.role, u.name, u.organisation_id) for u in task.units.all()])


def test_overdue_by_unit(plan, people, org_tree):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _due(task_titled(plan, "完善公开目录"), yesterday, people["office"])
    _due(task_titled(plan, "加强政策解读"), yesterday, people["office"])
    page = html(client_for(people["office"]).get(reverse("workplan:overdue")))
    assert "共 2 项" in page
    assert f'<th scope="row"><a href="#unit-{org_tree["township"].pk}">西昌市安宁镇人民政府</a></th><td>2</td>' in page
    assert f'<th scope="row"><a href="#unit-{org_tree["county"].pk}">西昌市人民政府</a></th><td>1</td>' in page
    # The township finishes its part of 完善公开目录: that task is late for the county alone.
    services.report_progress(task_titled(plan, "完善公开目录"), user=people["town"], organisation=org_tree["township"],
                             text="已完成", percent=100, claims_done=True)
    page = html(client_for(people["office"]).get(reverse("workplan:overdue")))
    assert "共 2 项" in page
    assert f'<th scope="row"><a href="#unit-{org_tree["township"].pk}">西昌市安宁镇人民政府</a></th><td>1</td>' in page
    assert f'<th scope="row"><a href="#unit-{org_tree["county"].pk}">西昌市人民政府</a></th><td>1</td>' in page
    township = page.split(f'id="unit-{org_tree["township"].pk}"')[1].split("</section>")[0]
    assert "加强政策解读" in township and "完善公开目录" not in township
    # In the township's own list the task no longer warns; in the county's it does.
    town_page = html(client_for(people["town"]).get(reverse("workplan:index"), {"warning": "overdue"}))
    assert "加强政策解读" in town_page and "完善公开目录" not in town_page
    town_page = html(client_for(people["town"]).get(reverse("workplan:index")))
    own = town_page.split("完善公开目录</a>")[1].split("</tr>")[0]
    assert f"{org_tree['township'].short_name or org_tree['township'].name}：待牵头单位确认" in own
    assert "西昌市安宁镇人民政府<span class=\"part-state part-reported\">（已报送完成）</span>" in own
    county_page = html(client_for(people["county"]).get(reverse("workplan:index"), {"warning": "overdue"}))
    assert "完善公开目录" in county_page


def test_workbench_panel_lists_warned_tasks(plan, people):
    _due(task_titled(plan, "加强政策解读"), timezone.localdate() - dt.timedelta(days=2), people["office"])
    page = html(client_for(people["town"]).get(reverse("workspace:home")))
    assert "督办任务" in page and 'id="panel-workplan"' in page
    section = page.split('id="panel-workplan"')[1]
    assert "加强政策解读" in section and "已逾期" in section and "完善公开目录" not in section
    assert f'href="{reverse("workplan:index")}?warning=any"' in section
    page = html(client_for(people["county"]).get(reverse("workspace:home")))
    assert "没有已逾期或10个工作日内到期的任务。" in page


def test_quota_plan_unknown_unit_is_named(org_tree, people):
    client = client_for(people["office"])
    assert "各单位每周期目标条数" in html(client.get(reverse("workplan:quota_new")))
    response = client.post(reverse("workplan:quota_new"), {
        "organisation": org_tree["city"].pk, "title": "信息发布任务数", "year": YEAR, "period": "quarter", "carry": "next",
        "targets": "西昌市 3\n四川省财政厅 2\n不存在的局 1"})
    assert response.status_code == 200
    assert "以下单位不是“凉山彝族自治州人民政府”的下级机构：四川省财政厅、不存在的局" in html(response)
    response = client.post(reverse("workplan:quota_new"), {
        "organisation": org_tree["city"].pk, "title": "信息发布任务数", "year": YEAR, "period": "quarter",
        "targets": "西昌市 三条"})
    assert "应为“单位名称 数量”" in html(response)
    assert not QuotaPlan.objects.exists()


QUOTA_ANNEX = """<html><head><meta charset="utf-8"><title>关于下达2025年政务信息发布任务的通知</title></head><body>
<p>附件：2025年政务信息发布任务分解表</p>
<table><tr><th>序号</th><th>单位</th><th>每季度任务数（条）</th></tr>
<tr><td>1</td><td>西昌市</td><td>12</td></tr><tr><td>2</td><td>安宁镇</td><td>４条</td></tr>
<tr><td colspan="2">合计</td><td>16</td></tr></table></body></html>"""


def test_quota_plan_targets_read_from_an_annexed_table(org_tree, people):
    client = client_for(people["office"])
    fields = {"organisation": org_tree["city"].pk, "title": "2025年信息发布任务数", "year": YEAR, "period": "quarter",
              "carry": "next"}
    upload = SimpleUploadedFile("附件.html", QUOTA_ANNEX.encode("gb18030"), content_type="text/html")
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "table": upload}))
    assert "已从“附件.html”读取2个单位的数量（“每季度任务数（条）”列）" in page
    assert "西昌市 12\n安宁镇 4</textarea>" in page and 'value="2025年信息发布任务数"' in page
    assert not QuotaPlan.objects.exists()  # reading creates nothing
    response = client.post(reverse("workplan:quota_new"), {**fields, "targets": "西昌市 12\n安宁镇 4"})
    assert response.status_code == 302
    plan = QuotaPlan.objects.get()
    assert set(plan.quotas.values_list("organisation__short_name", "target")) == {("安宁镇", 4), ("西昌市", 12)}
    # Reading needs only the file (the title can come later).
    upload = SimpleUploadedFile("附件.html", QUOTA_ANNEX.encode(), content_type="text/html")
    page = html(client.post(reverse("workplan:quota_new"), {"read_table": "1", "table": upload}))
    assert "西昌市 12\n安宁镇 4</textarea>" in page and "field-error" not in page
    # No file, or a page without such a table: said on the form.
    assert "请选择要读取的任务分解表文件" in html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1"}))
    prose = SimpleUploadedFile("通知.txt", "请各单位认真做好信息发布工作。".encode(), content_type="text/plain")
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "table": prose}))
    assert "未在文件中找到“单位—数量”的表格" in page
    assert QuotaPlan.objects.count() == 1


def test_quarter_columns_give_one_target_per_quarter(org_tree, people):
    client = client_for(people["office"])
    fields = {"organisation": org_tree["city"].pk, "title": "分季度任务数", "year": YEAR, "period": "quarter"}
    annex = QUOTA_ANNEX.replace("<th>每季度任务数（条）</th>", "<th>全年</th><th>第一季度</th><th>第二季度</th><th>第三季度</th><th>第四季度</th>")
    annex = annex.replace("<td>12</td>", "<td>12</td><td>2</td><td>3</td><td>3</td><td>4</td>")
    annex = annex.replace("<td>４条</td>", "<td>4</td><td>1</td><td>1</td><td>1</td><td>1</td>")
    upload = SimpleUploadedFile("分解表.html", annex.encode(), content_type="text/html")
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "table": upload}))
    assert "（“第一季度至第四季度”列）" in page and "西昌市 2 3 3 4\n安宁镇 1 1 1 1</textarea>" in page
    response = client.post(reverse("workplan:quota_new"), {**fields, "targets": "西昌市 2 3 3 4\n安宁镇 1"})
    assert response.status_code == 302
    plan = QuotaPlan.objects.get()
    assert list(plan.quotas.filter(organisation=org_tree["county"]).values_list("target", flat=True)) == [2, 3, 3, 4]
    assert list(plan.quotas.filter(organisation=org_tree["township"]).values_list("target", flat=True)) == [1, 1, 1, 1]
    # Three numbers for four quarters: the service's rule, on the form.
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "title": "错", "targets": "西昌市 2 3 3"}))
    assert "应为1个数，或4个数" in page and QuotaPlan.objects.count() == 1


def test_quota_plan_figures(org_tree, people, make_document):
    year = YEAR - 1  # a finished year: every window has ended
    client = client_for(people["office"])
    response = client.post(reverse("workplan:quota_new"), {
        "organisation": org_tree["city"].pk, "title": "季度信息发布任务数", "year": year, "period": "quarter",
        "carry": "next", "targets": "西昌市 3\n西昌市安宁镇人民政府 1"})
    assert response.status_code == 302, html(response)
    quota_plan = QuotaPlan.objects.get()
    assert response["Location"] == reverse("workplan:quota_plan", args=[quota_plan.pk])
    # The county (with its township below) publishes 2 in Q1 and 4 in Q2; the township 1 in Q1.
    for i, day in enumerate([dt.date(year, 2, 1), dt.date(year, 5, 1), dt.date(year, 5, 2), dt.date(year, 6, 1),
                             dt.date(year, 6, 2)]):
        make_document(org_tree["county"], f"西昌市通知{i}", published_date=day)
    make_document(org_tree["township"], "安宁镇通知", published_date=dt.date(year, 3, 1))
    page = html(client.get(response["Location"]))
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    cells = [[c.split(">", 1)[1].split("<")[0].strip() for c in row.split("<td")[1:]] for row in rows]
    # window, target, carried in, required, published, shortfall, attainment
    assert cells[0][1:6] == ["3", "0", "3", "2", "1"] and "67%" in rows[0]  # Q1: 2 of 3
    assert cells[1][1:6] == ["3", "1", "4", "4", "0"] and "100%" in rows[1]  # Q2: 1 carried from Q1
    assert "来自1月1日至3月31日" in rows[1]
    assert cells[2][1:6] == ["3", "0", "3", "0", "3"] and "0%" in rows[2]
    assert cells[3][1:6] == ["3", "3", "6", "0", "6"] and "来自7月1日至9月30日" in rows[3]
    assert cells[4][1:6] == ["1", "0", "1", "1", "0"]  # the township's Q1
    assert "<svg" in page and "<rect" in page and "style=" not in page
    assert "西昌市人民政府：已发布0条，应完成6条，完成率0%" in page  # the chart's description (Q4)
    assert quota_plan.title in html(client.get(reverse("workplan:quotas")))
    # A unit's drafter cannot open it.
    assert client_for(people["county"]).get(response["Location"]).status_code == 404


def test_pages_have_no_inline_style_or_script(plan, people, org_tree):
    task = task_titled(plan, "完善公开目录")
    client = client_for(people["office"])
    for url in [reverse("workplan:index"), reverse("workplan:import"), reverse("workplan:plan", args=[plan.pk]),
                reverse("workplan:task", args=[task.pk]), reverse("workplan:task_edit", args=[task.pk]),
                reverse("workplan:overdue"), reverse("workplan:quotas"), reverse("workplan:quota_new")]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = html(response)
        assert "style=" not in page and "<script" not in page and "<h1>" in page, url


def test_demo_examples(org_tree):
    from gongkai.core.models import Role
    from gongkai.publishing import demo as workflow_demo
    from gongkai.workplan import demo

    staff = workflow_demo.create_staff(org_tree["province"], "Demo-password-1")
    assert demo.create_examples(org_tree["province"], staff) == 22
    plan = Plan.objects.get()
    assert plan.state == Plan.State.CONFIRMED and plan.year == 2018 and plan.organisation == org_tree["province"]
    own = services.visible_tasks(staff[Role.DRAFTER]).filter(units__organisation=org_tree["province"]).distinct()
    assert own.count() == demo.OWN_TASKS and all(t.due_date for t in own)
    report = ProgressReport.objects.get()
    assert report.author == staff[Role.DRAFTER] and report.percent == 50
    quota_plan = QuotaPlan.objects.get()
    assert quota_plan.work_plan == plan and quota_plan.carry_rules.count() == 3
    assert set(quota_plan.quotas.values_list("organisation", flat=True)) == {org_tree["city"].pk, org_tree["department"].pk}
    page = html(client_for(staff[Role.DRAFTER]).get(reverse("workplan:index"), {"year": 2018}))
    assert own.first().title in page and "已逾期" in page


def test_plan_page_links_only_the_tasks_a_unit_may_open(plan, people):
    page = html(client_for(people["county"]).get(reverse("workplan:plan", args=[plan.pk])))
    own, other = task_titled(plan, "完善公开目录"), task_titled(plan, "加强政策解读")
    assert f'href="{reverse("workplan:task", args=[own.pk])}"' in page
    assert "加强政策解读" in page and f'href="{reverse("workplan:task", args=[other.pk])}"' not in page
    assert "确认工作要点" not in page and "要求报送进展" not in page and "修改" not in page


def test_the_office_downloads_the_task_ledger(plan, people, org_tree):
    import io

    from openpyxl import load_workbook

    task = task_titled(plan, "完善公开目录")
    services.report_progress(task, user=people["town"], organisation=org_tree["township"], text="目录已更新过半。",
                             percent=60, on=dt.date(YEAR, 3, 5))
    url = reverse("workplan:plan_xlsx", args=[plan.pk])
    assert url in html(client_for(people["office"]).get(reverse("workplan:plan", args=[plan.pk])))
    response = client_for(people["office"]).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    sheet = load_workbook(io.BytesIO(response.content))["任务台账"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == plan.tasks.count() == 5
    row = rows["完善公开目录"]
    assert row[0] == "一、（一）" and row[2] == "西昌市人民政府" and row[3] == "西昌市安宁镇人民政府"
    # The task's percent is the mean of its units' parts (60 % and 0 %).
    assert (row[4], row[5].date(), row[6], row[7]) == (f"{YEAR}年12月", dt.date(YEAR, 12, 31), "推进中", 0.3)
    assert row[10] == f"{YEAR}-03-05 西昌市安宁镇人民政府：目录已更新过半。"
    # A row per unit's part.
    parts = [r for r in load_workbook(io.BytesIO(response.content))["各单位进展"].iter_rows(min_row=2, values_only=True)
             if r[1] == "完善公开目录"]
    assert [(r[2], r[4], r[6], r[7], r[10]) for r in parts] == [
        ("牵头单位", "西昌市人民政府", "推进中", 0, None),
        ("责任单位", "西昌市安宁镇人民政府", "推进中", 0.6, f"{YEAR}-03-05：目录已更新过半。"),
    ]
    unmatched = next(r for r in load_workbook(io.BytesIO(response.content))["各单位进展"].iter_rows(min_row=2, values_only=True)
                     if r[1] == "办好政府网站")
    assert unmatched[3] == "有关单位" and unmatched[4].startswith("未匹配")
    # The units' own staff see the plan but not the ledger.
    assert client_for(people["town"]).get(url).status_code == 403


# --- quota plans by runs of months (按月份段): reading a table, the pages, the bulletin ---------------

POINTS_ANNEX = ("<html><body><p>2026年度政务信息目标任务</p><p>一、县（市、区）目标分数</p>"
                "<table><tr><td>单 位</td><td>目标分值</td><td>单 位</td><td>目标分值</td></tr>"
                "<tr><td>西昌市</td><td>150</td><td>安宁镇</td><td>120</td></tr></table>"
                "<p>二、市级部门目标任务</p>"
                "<table><tr><td>单位</td><td>目标分值</td><td>单位</td><td>目标分值</td></tr>"
                "<tr><td>西昌市</td><td>30</td><td>财政厅</td><td>20</td></tr></table></body></html>")
MONTH_RUNS_ANNEX = ("<html><body><p>附件：信息发布任务分解表</p><table>"
                    "<tr><th>序号</th><th>单位</th><th>全年</th><th>1-5月</th><th>6—9月</th><th>10至12月</th></tr>"
                    "<tr><td>1</td><td>西昌市</td><td>12</td><td>5</td><td>4</td><td>3</td></tr>"
                    "<tr><td>2</td><td>安宁镇</td><td>9</td><td>3</td><td>3</td><td>3</td></tr></table>"
                    "<p>1-5月未完成的任务数累计到6-9月，9月前完成。</p></body></html>")


def _section(page: str, marker: str) -> str:
    assert marker in page, page
    return page.split(marker, 1)[1].split("</ul>", 1)[0].split("</p>", 1)[0]


def test_reading_a_table_of_points_warns_and_shows_warnings_and_groups(org_tree, people):
    client = client_for(people["office"])
    fields = {"organisation": org_tree["city"].pk, "title": "目标分值", "year": YEAR, "period": "quarter",
              "carry": "next"}
    upload = SimpleUploadedFile("目标.html", POINTS_ANNEX.encode(), content_type="text/html")
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "table": upload}))
    assert "目标分值（分），不是信息条数（条）" in _section(page, 'id="reading-points"')
    assert _section(page, 'id="reading-warnings"') == "><li>“西昌市”出现2次，请核对。</li>"
    assert _section(page, 'id="reading-groups"') == (
        "><li>一、县（市、区）目标分数（2个单位）</li><li>二、市级部门目标任务（2个单位）</li>")
    assert "考核周期：表格未写明，请选择" in page and "结转方式：通知未写明，请选择" in page
    # Not preselected: the posted period and carry stay.
    assert '<option value="quarter" selected>' in page and 'value="未完成部分结转至下一周期"' in page
    assert not QuotaPlan.objects.exists()
    # A table of items has no such warning; pasted text is read as well.
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1",
                                                            "pasted": "西昌市 12\n安宁镇 4\n"}))
    assert "已从粘贴的内容读取2个单位的数量" in page and 'id="reading-points"' not in page
    assert 'id="reading-warnings"' not in page and "西昌市 12\n安宁镇 4</textarea>" in page


def test_reading_preselects_runs_of_months_then_the_pages_show_them(org_tree, people):
    client = client_for(people["office"])
    fields = {"organisation": org_tree["city"].pk, "title": "分段信息发布任务数", "year": YEAR, "period": "quarter",
              "carry": ""}
    upload = SimpleUploadedFile("分解表.html", MONTH_RUNS_ANNEX.encode(), content_type="text/html")
    page = html(client.post(reverse("workplan:quota_new"), {**fields, "read_table": "1", "table": upload}))
    assert "（“1-5月至10至12月”列）" in page and "西昌市 5 4 3\n安宁镇 3 3 3</textarea>" in page
    assert '<option value="months" selected>按月份段</option>' in page
    assert 'name="months" value="1-5,6-9,10-12"' in page and 'name="carry" value="1-5&gt;6-9"' in page
    assert "考核周期：已按表格选为“按月份段”（1-5,6-9,10-12）" in page
    assert "结转方式：已按通知选为“1-5月未完成部分结转至6-9月”" in page
    assert 'id="reading-points"' not in page
    response = client.post(reverse("workplan:quota_new"), {
        **fields, "period": "months", "months": "1-5,6-9,10-12", "carry": "1-5>6-9",
        "targets": "西昌市 5 4 3\n安宁镇 3 3 3"})
    assert response.status_code == 302, html(response)
    plan = QuotaPlan.objects.get()
    page = html(client.get(response["Location"]))
    assert "考核周期：按月份段（1-5,6-9,10-12）" in page
    assert "5月31日未完成部分结转至截止9月30日的周期" in page
    assert "<td>按月份段（1-5,6-9,10-12）</td>" in html(client.get(reverse("workplan:quotas")))
    # Other periods show no 月份段.
    QuotaPlan.objects.filter(pk=plan.pk).update(period="quarter", months="")
    assert "考核周期：季度\n" in html(client.get(response["Location"]))
    assert "<td>季度</td>" in html(client.get(reverse("workplan:quotas")))


def test_the_bulletin_shows_the_runs_of_months_of_a_quota_plan(org_tree, people):
    from gongkai.workplan import bulletins, quotas

    year = YEAR - 1
    plan = quotas.create_quota_plan(organisation=org_tree["city"], user=people["office"], year=year, title="分段任务数",
                                    period="months", months="1-5,6-9,10-12", targets={org_tree["county"]: 2})
    data = bulletins.compute(org_tree["city"], dt.date(year, 6, 1))
    assert [item["months"] for item in data["quota_plans"]] == [plan.months]
    assert '<th scope="colgroup" colspan="4">分段任务数（按月份段：1-5,6-9,10-12）</th>' in bulletins.render_html(data)
    for item in data["quota_plans"]:
        item.pop("months")  # a bulletin stored before plans had month ranges
    assert "（按月份段" not in bulletins.render_html(data)
