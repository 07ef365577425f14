"""The monthly bulletin (月初通报): figures counted by hand, its HTML and DOCX,
the draft document in the catalog, the worker's first-working-day job and the
staff pages."""

import datetime as dt
import io
import warnings
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.catalog.models import Document
from gongkai.core.models import AuditEntry, Organisation
from gongkai.workplan import bulletins, quotas, services
from gongkai.workplan.models import Bulletin, TaskUnit

SEPTEMBER = dt.date(2024, 9, 1)
LEAD, RESP = TaskUnit.Role.LEAD, TaskUnit.Role.RESPONSIBLE

PLAN_TEXT = """2024年政务公开工作要点
一、深化重点领域信息公开
1.公开财政预决算信息。（牵头单位：财政局；完成时限：2024年3月）
2.公开重大建设项目信息。（牵头单位：发改局；责任单位：财政局；完成时限：2024年3月）
3.公开教育领域信息。（牵头单位：教育局；完成时限：2024年6月）
二、加强平台建设
4.优化政府网站栏目。（牵头单位：发改局；完成时限：2024年3月）
5.更新政策文件库。（牵头单位：教育局；责任单位：发改局；完成时限：2024年2月）
6.长期推进政务公开标准化。（牵头单位：财政局；完成时限：长期坚持）
"""

DRAFT_TEXT = """2024年政务公开工作要点（征求意见稿）
一、其他工作
1.未确认的任务。（牵头单位：教育局；完成时限：2024年9月）
"""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scene(org_tree, make_user, make_document, media):
    """The county's openness office (西昌市人民政府) supervises three
    departments and the township 安宁镇 (quota only, no task).

    Tasks of the confirmed 2024 plan (lead / responsible, due, each unit's
    own progress on its part):
      T1 公开财政预决算信息   财政 / -      2024-09-30  财政 reported done 09-20, confirmed
      T2 公开重大建设项目信息 发改 / 财政    2024-09-15  财政 reported its part done 09-12 (on time);
                                                       发改 its part on 10-03 (after September)
      T3 公开教育领域信息     教育 / -      2024-06-30  教育 reported done 06-25, confirmed
      T4 优化政府网站栏目     发改 / 各乡镇  2024-09-30  发改 50 % on 09-10
      T5 更新政策文件库       教育 / 发改    2024-10-31  教育 reported its part done 09-05 (not
                                                       confirmed); 发改 nothing
      T6 长期推进标准化       财政 / -      no date     财政 reported done 08-15, then reopened
    A draft plan's task (教育局, due 2024-09-30) counts for nobody.

    Quota plans: quarterly 发布任务数 (carry to next quarter): 安宁镇 1,
    财政 3, 发改 2, 教育 2 a quarter; yearly 财政专项 for 财政 only: 12.
    Published documents (date: count):
      财政: 02-01 x3 | 05-10 | 07-10, 08-05, 09-01, 09-30 | 10-02; a draft on 09-15
      发改: - | 06-30 | 07-01, 07-15, 08-20, 09-10, 09-30
      教育: 02-01 x2 | 05-01 x2 | 07-20, 09-20
      安宁镇: - | - | 07-05, 08-05, 09-05
    """
    county = org_tree["county"]
    office = make_user("office", (county, "office_admin"))
    finance = Organisation.objects.create(name="西昌市财政局", short_name="财政局", level="department", parent=county,
                                          index_prefix="XCCZ", sort_order=1)
    reform = Organisation.objects.create(name="西昌市发展和改革局", short_name="发改局", level="department", parent=county,
                                         index_prefix="XCFG", sort_order=2)
    education = Organisation.objects.create(name="西昌市教育局", short_name="教育局", level="department", parent=county,
                                            index_prefix="XCJY", sort_order=3)
    township = org_tree["township"]

    plan = services.import_plan(organisation=county, text=PLAN_TEXT, user=office, year=2024)
    tasks = {t.title: t for t in plan.tasks.all()}

    def setup(title, due, *units):
        return services.update_task(tasks[title], user=office, title=title, due_date=due, units=list(units))

    t1 = setup("公开财政预决算信息", dt.date(2024, 9, 30), (LEAD, "", finance.pk))
    t2 = setup("公开重大建设项目信息", dt.date(2024, 9, 15), (LEAD, "", reform.pk), (RESP, "", finance.pk))
    t3 = setup("公开教育领域信息", dt.date(2024, 6, 30), (LEAD, "", education.pk))
    t4 = setup("优化政府网站栏目", dt.date(2024, 9, 30), (LEAD, "", reform.pk), (RESP, "各乡镇人民政府", None))
    t5 = setup("更新政策文件库", dt.date(2024, 10, 31), (LEAD, "", education.pk), (RESP, "", reform.pk))
    t6 = setup("长期推进政务公开标准化", None, (LEAD, "", finance.pk))
    services.confirm_plan(plan, user=office)

    draft = services.import_plan(organisation=county, text=DRAFT_TEXT, user=office, year=2024)
    services.update_task(draft.tasks.get(title="未确认的任务"), user=office, title="未确认的任务",
                         due_date=dt.date(2024, 9, 30), units=[(LEAD, "", education.pk)])

    def progress(task, org, on, percent=100, done=True):
        services.report_progress(task, user=office, organisation=org, text="已完成。" if done else "推进中。",
                                 percent=percent, claims_done=done, on=on)

    progress(t1, finance, dt.date(2024, 9, 20))
    services.confirm_done(t1, user=office)
    progress(t2, finance, dt.date(2024, 9, 12))
    progress(t2, reform, dt.date(2024, 10, 3))
    progress(t3, education, dt.date(2024, 6, 25))
    services.confirm_done(t3, user=office)
    progress(t4, reform, dt.date(2024, 9, 10), percent=50, done=False)
    progress(t5, education, dt.date(2024, 9, 5))
    progress(t6, finance, dt.date(2024, 8, 15))
    services.reopen(t6, user=office, reason="佐证材料不全。")

    quarterly = quotas.create_quota_plan(organisation=county, user=office, year=2024, title="信息发布任务数",
                                         targets={township: 1, finance: 3, reform: 2, education: 2}, carry="next")
    yearly = quotas.create_quota_plan(organisation=county, user=office, year=2024, title="财政信息专项",
                                      period="year", targets={finance: 12})

    def publish(org, *days, **fields):
        for n, day in enumerate(days):
            make_document(org, f"{org.short_name}信息{day.isoformat()}-{n}", published_date=day, **fields)

    d = dt.date
    publish(finance, d(2024, 2, 1), d(2024, 2, 1), d(2024, 2, 1), d(2024, 5, 10),
            d(2024, 7, 10), d(2024, 8, 5), d(2024, 9, 1), d(2024, 9, 30), d(2024, 10, 2))
    publish(finance, d(2024, 9, 15), publish=False)
    publish(reform, d(2024, 6, 30), d(2024, 7, 1), d(2024, 7, 15), d(2024, 8, 20), d(2024, 9, 10), d(2024, 9, 30))
    publish(education, d(2024, 2, 1), d(2024, 2, 1), d(2024, 5, 1), d(2024, 5, 1), d(2024, 7, 20), d(2024, 9, 20))
    publish(township, d(2024, 7, 5), d(2024, 8, 5), d(2024, 9, 5))
    return {"county": county, "office": office, "finance": finance, "reform": reform, "education": education,
            "township": township, "quarterly": quarterly, "yearly": yearly,
            "tasks": {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6}}


def _row(data, short_name):
    return next(r for r in data["units"] if r["organisation"]["short_name"] == short_name)


# ---------------------------------------------------------------- the figures


def test_september_figures_counted_by_hand(scene):
    data = bulletins.compute(scene["county"], dt.date(2024, 9, 17))  # any day of the month
    assert data["title"] == "2024年9月政务公开工作情况通报"
    assert data["month"] == "2024-09-01" and data["as_of"] == "2024-09-30"
    assert data["organisation"] == "西昌市人民政府"
    assert [q["title"] for q in data["quota_plans"]] == ["信息发布任务数", "财政信息专项"]
    # Ranks: 安宁镇 and 教育局 both 100 % with no overdue task share 1; 发改局
    # 100 % with 2 overdue is 3; 财政局 (80 % and 66.7 %: mean 73.3 %) is 4.
    # Ties are ordered by sort_order (安宁镇 0, 教育局 3).
    assert [(r["organisation"]["short_name"], r["rank"]) for r in data["units"]] == [
        ("安宁镇", 1), ("教育局", 1), ("发改局", 3), ("财政局", 4)]

    finance = _row(data, "财政局")
    # tasks T1, T2 (responsible), T6. Due in September: T1 (09-30), T2 (09-15).
    # Done in September: T1 (09-20) and its own part of T2 (09-12). In total
    # by 09-30: the same two (T6 was reopened). Overdue: none: T2 is late
    # only for 发改, whose part was reported on 10-03.
    assert (finance["due"], finance["done"], finance["done_total"], finance["overdue"]) == (2, 2, 2, 0)
    assert finance["overdue_tasks"] == []
    # Q3: target 3; Q2 published 1 of 3, so 2 carried in: 5 required; 4 by
    # 09-30 (the 10-02 one and the draft do not count): 80 %, short 1.
    q3 = finance["quotas"][0]
    assert (q3["target"], q3["carried_in"], q3["required"], q3["actual"], q3["shortfall"], q3["attainment"]) == (
        3, 2, 5, 4, 1, 80.0)
    assert q3["carried_from"] == ["4月1日至6月30日"] and q3["window"] == "7月1日至9月30日"
    # The year: 3 + 1 + 4 = 8 of 12: 66.7 %.
    year = finance["quotas"][1]
    assert (year["target"], year["carried_in"], year["required"], year["actual"], year["shortfall"]) == (12, 0, 12, 8, 4)
    assert year["attainment"] == 66.7
    assert finance["attainment"] == 73.3  # (4/5 + 8/12) / 2 = 11/15

    reform = _row(data, "发改局")
    # tasks T2, T4 (lead), T5 (responsible). Due: T2, T4. Done: none (教育局
    # finished its part of T5, not 发改局). Overdue: T2, T4.
    assert (reform["due"], reform["done"], reform["done_total"], reform["overdue"]) == (2, 0, 0, 2)
    assert [t["title"] for t in reform["overdue_tasks"]] == ["公开重大建设项目信息", "优化政府网站栏目"]
    assert reform["overdue_tasks"][0]["due_date"] == "2024-09-15"
    # Q1 0 of 2: 2 to Q2 (4 required), Q2 1 of 4: 3 to Q3 (the carry chains): 5 required, 5 published.
    q3 = reform["quotas"][0]
    assert (q3["target"], q3["carried_in"], q3["required"], q3["actual"], q3["shortfall"], q3["attainment"]) == (
        2, 3, 5, 5, 0, 100.0)
    assert reform["quotas"][1] is None and reform["attainment"] == 100.0

    education = _row(data, "教育局")
    # tasks T3, T5 (the draft plan's task does not count). Due in September:
    # none. Done: its part of T5 (09-05, counts before confirmation). In
    # total: T3 (06-25), T5. Overdue: none.
    assert (education["due"], education["done"], education["done_total"], education["overdue"]) == (0, 1, 2, 0)
    q3 = education["quotas"][0]
    assert (q3["required"], q3["actual"], q3["carried_in"], q3["attainment"]) == (2, 2, 0, 100.0)

    township = _row(data, "安宁镇")
    # No task; Q1 0 of 1 -> 1 to Q2 (2 required, 0) -> 2 to Q3: 3 required, 3 published.
    assert (township["due"], township["done"], township["done_total"], township["overdue"]) == (0, 0, 0, 0)
    q3 = township["quotas"][0]
    assert (q3["target"], q3["carried_in"], q3["required"], q3["actual"], q3["attainment"]) == (1, 2, 3, 3, 100.0)
    assert q3["carried_from"] == ["4月1日至6月30日"]

    totals = data["totals"]
    assert (totals["due"], totals["done"], totals["done_total"], totals["overdue"]) == (4, 3, 4, 2)
    quarter = totals["quotas"][0]
    assert (quarter["target"], quarter["carried_in"], quarter["required"], quarter["actual"], quarter["shortfall"],
            quarter["attainment"]) == (8, 7, 15, 14, 1, 93.3)
    assert totals["quotas"][1]["attainment"] == 66.7
    # JSON as stored in Bulletin.data.
    import json

    assert json.loads(json.dumps(data)) == data


def test_october_carries_septembers_shortfall_and_counts_later_completions(scene):
    data = bulletins.compute(scene["county"], dt.date(2024, 10, 1))
    finance = _row(data, "财政局")
    # Q4: 3 + Q3's shortfall 1 = 4 required, 1 published (10-02): 25 %.
    q4 = finance["quotas"][0]
    assert (q4["carried_in"], q4["required"], q4["actual"], q4["attainment"]) == (1, 4, 1, 25.0)
    assert q4["carried_from"] == ["7月1日至9月30日"]
    # Its part of T2 was done in September: nothing done in October.
    assert (finance["done"], finance["done_total"], finance["overdue"]) == (0, 2, 0)
    reform = _row(data, "发改局")
    # 发改局 reported its part of T2 on 10-03: done in October, no longer overdue.
    # T5 is due in October: 教育局 finished its part, 发改局 did not: overdue for
    # 发改局 alone, with T4.
    assert (reform["due"], reform["done"], reform["done_total"], reform["overdue"]) == (1, 1, 1, 2)
    assert [t["title"] for t in reform["overdue_tasks"]] == ["优化政府网站栏目", "更新政策文件库"]
    assert _row(data, "教育局")["overdue"] == 0


def test_a_unit_only_counts_for_its_office_and_year(scene, make_user):
    city = Organisation.objects.get(short_name="凉山州")
    with pytest.raises(ValidationError, match="没有已确认的工作要点"):
        bulletins.generate(city, SEPTEMBER, user=None)
    assert bulletins.compute(scene["county"], dt.date(2023, 9, 1))["units"] == []


# ---------------------------------------------------------------- HTML and DOCX


def test_html_has_the_figures_and_keeps_no_chart_in_the_catalog_body(scene):
    data = bulletins.compute(scene["county"], SEPTEMBER)
    body = bulletins.render_html(data)
    assert "2024年9月政务公开工作情况通报" in body
    assert '<th scope="row">西昌市财政局</th>' in body
    assert "<td>5（含结转2）</td><td>4</td><td>80.0%</td>" in body
    assert "73.3%" in body and "93.3%" in body and "公开重大建设项目信息" in body
    assert "<svg" not in body and "style=" not in body
    from gongkai.catalog.text import sanitise

    # The sanitiser keeps the table as it is (headers, scopes and groups).
    assert sanitise(body).count('scope="col"') == body.count('scope="col"')
    assert 'scope="colgroup" colspan="4"' in sanitise(body)
    preview = bulletins.render_html(data, chart=True)
    assert '<svg role="img"' in preview and "<title" in preview and "style=" not in preview
    assert "财政局：73.3%" in preview
    assert "<svg" not in sanitise(preview)  # nh3 drops the SVG: the preview only


def _docx_texts(content: bytes):
    from docx import Document as Docx

    doc = Docx(io.BytesIO(content))
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    paragraphs = [p.text for p in doc.paragraphs]
    return doc, cells, paragraphs


def test_docx_has_the_table_and_an_inline_chart(scene):
    data = bulletins.compute(scene["county"], SEPTEMBER)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        content = bulletins.render_docx(data)
    assert not [w for w in caught if "missing from" in str(w.message)]  # no tofu
    doc, cells, paragraphs = _docx_texts(content)
    assert paragraphs[0] == "2024年9月政务公开工作情况通报"
    assert ["西昌市财政局", "2", "2", "2", "0", "3", "5（含结转2）", "4", "80.0%", "12", "12", "8", "66.7%", "73.3%", "4"] in cells
    assert ["西昌市发展和改革局", "2", "0", "0", "2", "2", "5（含结转3）", "5", "100.0%", "—", "—", "—", "—", "100.0%", "3"] in cells
    assert cells[-1][:5] == ["合计", "4", "3", "4", "2"]
    assert len(doc.inline_shapes) == 1
    assert any("完成率" in p for p in paragraphs)


def test_docx_chart_without_a_chinese_font_labels_ranks(scene, monkeypatch):
    data = bulletins.compute(scene["county"], SEPTEMBER)
    png, caption = bulletins.chart_png(data, font=None)
    assert png.startswith(b"\x89PNG")
    assert "以排名标注" in caption and "4：西昌市财政局" in caption
    monkeypatch.setattr(bulletins, "cjk_font", lambda: None)
    _doc, _cells, paragraphs = _docx_texts(bulletins.render_docx(data))
    assert any("以排名标注" in p for p in paragraphs)


# ---------------------------------------------------------------- the bulletin and its document


def test_generate_drafts_a_catalog_document_with_the_docx(scene):
    bulletin = bulletins.generate(scene["county"], SEPTEMBER, user=scene["office"])
    doc = bulletin.document
    assert bulletin.month == SEPTEMBER and bulletin.data["units"][3]["rank"] == 4
    assert doc.status == Document.Status.DRAFT and doc.organisation == scene["county"]
    assert doc.title == "2024年9月政务公开工作情况通报" and doc.genre.name == "通报"
    assert "西昌市财政局" in doc.body and "80.0%" in doc.body and "<svg" not in doc.body
    attachment = doc.attachments.get()
    assert attachment.name == "2024年9月政务公开工作情况通报.docx"
    with attachment.file.open("rb") as fh:
        _doc, cells, _ = _docx_texts(fh.read())
    assert cells[-1][:5] == ["合计", "4", "3", "4", "2"]
    assert AuditEntry.objects.filter(action="document.create", object_id=str(doc.pk), actor="office").exists()
    assert AuditEntry.objects.filter(action="attachment.add", object_id=str(doc.pk)).exists()
    assert AuditEntry.objects.filter(action="workplan.bulletin.generate", object_id=str(bulletin.pk)).exists()

    # Regenerating refreshes the same bulletin and draft (new figures, one DOCX).
    assert _row(bulletin.data, "发改局")["overdue"] == 2
    services.confirm_done(scene["tasks"]["t2"], user=scene["office"])
    TaskUnit.objects.filter(task=scene["tasks"]["t2"], organisation=scene["reform"]).update(
        completed_on=dt.date(2024, 9, 14))
    again = bulletins.generate(scene["county"], dt.date(2024, 9, 30), user=scene["office"])
    assert again.pk == bulletin.pk and again.document_id == doc.pk
    assert Bulletin.objects.count() == 1 and Document.objects.filter(title=doc.title).count() == 1
    assert _row(again.data, "发改局")["overdue"] == 1 and again.document.attachments.count() == 1
    assert AuditEntry.objects.filter(action="workplan.bulletin.refresh", object_id=str(bulletin.pk)).exists()


def test_a_bulletin_in_review_is_not_regenerated(scene):
    bulletin = bulletins.generate(scene["county"], SEPTEMBER)
    Document.objects.filter(pk=bulletin.document_id).update(status=Document.Status.REVIEW)
    with pytest.raises(ValidationError, match="不能重新生成"):
        bulletins.generate(scene["county"], SEPTEMBER, user=scene["office"])
    assert bulletins.due(dt.date(2024, 10, 20)) == []
    assert Bulletin.objects.count() == 1


def test_generate_checks_permission_and_unfinished_months(scene, make_user, org_tree):
    other = make_user("other", (org_tree["department"], "office_admin"))
    with pytest.raises(PermissionDenied):
        bulletins.generate(scene["county"], SEPTEMBER, user=other)
    with pytest.raises(ValidationError, match="尚未结束"):
        bulletins.generate(scene["county"], SEPTEMBER, user=scene["office"], today=dt.date(2024, 9, 30))
    assert not Bulletin.objects.exists()


# ---------------------------------------------------------------- the first working day


def test_first_workday(db):
    assert bulletins.first_workday(2024, 10) == dt.date(2024, 10, 8)  # after National Day
    assert bulletins.first_workday(2024, 9) == dt.date(2024, 9, 2)  # 09-01 is a Sunday
    assert bulletins.first_workday(2024, 5) == dt.date(2024, 5, 6)  # Labour Day
    assert bulletins.first_workday(2099, 3) == dt.date(2099, 3, 2)  # no calendar data: first Monday-Friday


def test_due_on_the_first_working_day_once(scene):
    for day in range(1, 8):  # National Day holidays: nothing yet
        assert bulletins.due(dt.date(2024, 10, day)) == []
    assert not Bulletin.objects.exists()
    made = bulletins.due(dt.date(2024, 10, 8))
    assert [b.organisation for b in made] == [scene["county"]] and made[0].month == SEPTEMBER
    doc = made[0].document
    assert doc.status == Document.Status.DRAFT and doc.attachments.count() == 1
    assert AuditEntry.objects.filter(action="document.create", object_id=str(doc.pk), actor="system").exists()
    assert AuditEntry.objects.filter(action="attachment.add", object_id=str(doc.pk), actor="system").exists()
    assert bulletins.due(dt.date(2024, 10, 8)) == []
    assert bulletins.due(dt.date(2024, 10, 9)) == []
    assert Bulletin.objects.count() == 1


def test_due_catches_up_later_in_the_month(scene):
    made = bulletins.due(dt.date(2024, 10, 21))
    assert len(made) == 1 and made[0].month == SEPTEMBER
    assert bulletins.due(dt.date(2024, 10, 22)) == []
    assert Bulletin.objects.count() == 1


def test_worker_tick_drafts_the_bulletin(scene):
    from gongkai.core import scheduler
    from gongkai.workplan.tasks import draft_due_bulletins

    now = dt.datetime(2024, 10, 8, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    result = scheduler.tick(now=now)[draft_due_bulletins.module_path]
    assert result.return_value == {"bulletins": 1} and scheduler.describe(result) == "draft_due_bulletins: bulletins 1"
    assert Bulletin.objects.get().month == SEPTEMBER


# ---------------------------------------------------------------- staff pages


def test_views_for_the_office(scene, client):
    client.force_login(scene["office"])
    response = client.get(reverse("bulletins:list"))
    assert response.status_code == 200 and "立即生成通报" in response.content.decode()
    response = client.post(reverse("bulletins:generate"), {"organisation": scene["county"].pk, "year": 2024, "month": 9})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response.url == reverse("bulletins:detail", args=[bulletin.pk])
    page = client.get(response.url).content.decode()
    assert '<svg role="img"' in page and "重新生成" in page
    assert reverse("workspace:document", args=[bulletin.document_id]) in page
    assert "2024年9月政务公开工作情况通报" in client.get(reverse("bulletins:list")).content.decode()
    response = client.get(reverse("bulletins:docx", args=[bulletin.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response.content.startswith(b"PK")
    response = client.post(reverse("bulletins:regenerate", args=[bulletin.pk]))
    assert response.status_code == 302 and Bulletin.objects.count() == 1
    # A month not over yet is refused with a message on the form.
    response = client.post(reverse("bulletins:generate"), {"organisation": scene["county"].pk, "year": 2099, "month": 1})
    assert response.status_code == 200 and "尚未结束" in response.content.decode()
    # Once in review: no regenerate button, and the POST is refused with a message.
    Document.objects.filter(pk=bulletin.document_id).update(status=Document.Status.REVIEW)
    assert "重新生成</button>" not in client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    response = client.post(reverse("bulletins:regenerate", args=[bulletin.pk]), follow=True)
    assert "不能重新生成" in response.content.decode()


def test_views_deny_others(scene, client, make_user, org_tree):
    bulletin = bulletins.generate(scene["county"], SEPTEMBER)
    outsider = make_user("outsider", (org_tree["department"], "office_admin"))
    drafter = make_user("drafter", (scene["finance"], "drafter"))
    for user in (outsider, drafter):
        client.force_login(user)
        assert "2024年9月政务公开工作情况通报" not in client.get(reverse("bulletins:list")).content.decode()
        for name in ("bulletins:detail", "bulletins:docx"):
            assert client.get(reverse(name, args=[bulletin.pk])).status_code == 404
        assert client.post(reverse("bulletins:regenerate", args=[bulletin.pk])).status_code == 404
        response = client.post(reverse("bulletins:generate"), {"organisation": scene["county"].pk, "year": 2024, "month": 9})
        assert response.status_code == 403
    client.logout()
    assert client.get(reverse("bulletins:list")).status_code == 302
