"""Work plan (工作要点) task extraction: the three real samples, unit patterns, dues, matching, the command."""

import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from gongkai.ingest.extract import extract
from gongkai.workplan.extract import (
    extract_plan,
    find_plan_title,
    match_units,
    parse_due,
    parse_unit_clause,
    split_units,
)
from gongkai.workplan.management.commands.workplan import Command

SAMPLES = Path(__file__).resolve().parents[2] / "gongkai" / "catalog" / "demo_samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_NAMES = ["chongqing-qianjiang-2018", "guangzhou-2012", "sichuan-2010"]


def _fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _plan_of_sample(sample):
    page = extract((SAMPLES / sample).read_text(encoding="utf-8"))
    return extract_plan(page.body_text, organisation=page.organisation)


# ---------------------------------------------------------------- the three samples


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sample_extracts_to_its_fixture(name):
    expected = _fixture(name)
    plan = _plan_of_sample(expected["sample"])
    assert plan.title == expected["title"]
    assert plan.year == expected["year"]
    tasks = plan.all_tasks()
    assert len(tasks) == expected["count"] == len(expected["tasks"])
    got = [
        {"number": t.number, "path": t.path, "lead_units": t.lead_units,
         "responsible_units": t.responsible_units, "due": t.due}
        for t in tasks
    ]
    for index, (have, want) in enumerate(zip(got, expected["tasks"])):
        assert have == want, f"task {index} ({want['number']})"


def test_sample_headings_and_texts():
    plan = _plan_of_sample("chongqing-qianjiang-2018-workplan.txt")
    assert [t.title for t in plan.tasks] == [
        "深入推进公开解读回应工作", "努力提升政务服务工作实效", "着力加强政务公开平台建设", "加强政务公开组织保障工作",
    ]
    first = plan.tasks[0].children[0]
    assert first.title == "聚焦法治政府建设，全面推进政务公开"
    assert first.text.startswith("坚持以公开为常态")
    assert first.text.endswith("原则上都要公开答复全文。")  # the unit clause is not part of the text
    last = plan.all_tasks()[-1]
    assert last.number == "（十四）"
    assert "目标管理" not in last.text  # the plan's closing paragraph is not a task's text

    gz = _plan_of_sample("guangzhou-2012-workplan.txt")
    assert [t.title for t in gz.tasks][:2] == ["加强政府信息制作和发布，满足群众需求", "健全受理群众诉求工作体系，深化政民互动"]
    assert "主题词" not in gz.all_tasks()[-1].text

    sc = _plan_of_sample("sichuan-2010-workplan.txt")
    assert sc.tasks[0].title == "加强决策及落实情况公开"  # a heading run together with its first task
    assert sc.tasks[0].children[0].title == "加强灾后恢复重建政务公开工作"


def test_plan_title_and_organisation_from_page():
    plan = _plan_of_sample("chongqing-qianjiang-2018-workplan.txt")
    assert plan.organisation == "黔江区人民政府"
    assert find_plan_title("凉府办函〔2010〕211号…关于印发2010年全省政务公开工作要点的通知》…"
                           "二〇一〇年九月八日2010年全省政务公开工作要点2010年全省政务公开工作的总体要求是") \
        == "2010年全省政务公开工作要点"


def test_as_dict_has_the_json_fields():
    plan = extract_plan("2023年某市政务公开工作要点\n一、加强公开\n（一）推进决策公开。做好工作。"
                        "（牵头单位：市政府办公室；责任单位：各区县政府；完成时限：2023年10月）")
    data = plan.as_dict()
    assert data["title"] == "2023年某市政务公开工作要点" and data["year"] == 2023 and data["task_count"] == 2
    task = data["tasks"][0]["children"][0]
    assert task == {
        "number": "（一）", "path": ["一", "（一）"], "title": "推进决策公开", "text": "做好工作。",
        "lead_units": ["市政府办公室"], "responsible_units": ["各区县政府"],
        "due": "2023年10月", "due_date": "2023-10", "children": [],
    }


# ---------------------------------------------------------------- unit lists


def test_split_units_on_both_separators():
    assert split_units("市财政局、市审计局，市统计局") == ["市财政局", "市审计局", "市统计局"]


def test_split_units_keeps_groups_whole():
    assert split_units("各区县（自治县）政府，市政府各部门，有关单位") == ["各区县（自治县）政府", "市政府各部门", "有关单位"]
    assert split_units("各区县〔自治县，以下简称区县〕政府，有关单位") == ["各区县〔自治县，以下简称区县〕政府", "有关单位"]
    assert split_units("各区县(自治县)政府、有关单位") == ["各区县（自治县）政府", "有关单位"]


def test_split_units_drops_trailing_deng():
    assert split_units("省发展改革委、教育厅等") == ["省发展改革委", "教育厅"]


# ---------------------------------------------------------------- unit patterns


def _only_task(text):
    tasks = extract_plan(text).all_tasks()
    assert len(tasks) == 1
    return tasks[0]


def test_closing_deng_fuze():
    task = _only_task("（一）注重主动公开。公开价格信息。（省发展改革委、教育厅等负责）")
    assert task.responsible_units == ["省发展改革委", "教育厅"] and task.lead_units == []
    assert task.text == "公开价格信息。"


def test_closing_lead_and_responsible_labels():
    task = _only_task("（一）推进公开。内容。（牵头单位：市政府办公厅、市编办；责任单位：各区县（自治县）政府，市政府各部门，有关单位）")
    assert task.lead_units == ["市政府办公厅", "市编办"]
    assert task.responsible_units == ["各区县（自治县）政府", "市政府各部门", "有关单位"]


def test_closing_lead_implements():
    task = _only_task("1.推进公开。内容。（区政务服务管理局牵头落实）")
    assert task.lead_units == ["区政务服务管理局"] and task.responsible_units == []


def test_closing_each_implements():
    task = _only_task("1.推进公开。内容。（区财政局、区审计局分别落实）")
    assert task.responsible_units == ["区财政局", "区审计局"] and task.lead_units == []


def test_closing_lead_with_others():
    units = parse_unit_clause("区政府办公室牵头，各镇街、有关部门配合")
    assert units.lead == ["区政府办公室"] and units.responsible == ["各镇街", "有关部门"]


def test_separate_lines():
    task = _only_task(
        "（一）推进决策公开。做好公开工作。\n"
        "责任单位：区政府办公室、各镇人民政府，有关单位\n"
        "完成时限：2023年10月\n"
    )
    assert task.responsible_units == ["区政府办公室", "各镇人民政府", "有关单位"]
    assert task.due == "2023年10月" and task.due_date == "2023-10"
    assert task.text == "做好公开工作。"


def test_separate_lines_lead_and_long_term():
    task = _only_task("1.推进决策公开。做好公开工作。\n牵头单位：区司法局\n责任单位：各部门\n完成时限：长期")
    assert task.lead_units == ["区司法局"] and task.responsible_units == ["各部门"]
    assert task.due == "长期" and task.due_date is None


def test_parenthesis_that_names_no_unit_stays_in_text():
    task = _only_task("（一）推进公开。公开办事指南（含材料清单）")
    assert task.lead_units == task.responsible_units == []
    assert task.text == "公开办事指南（含材料清单）"


# ---------------------------------------------------------------- due dates


@pytest.mark.parametrize("due, expected", [
    ("2023年10月", "2023-10"),
    ("2018年12月底前", "2018-12"),
    ("2023年6月30日前", "2023-06-30"),
    ("2018年底前", "2018-12"),
    ("长期", None),
    ("适时", None),
    ("", None),
])
def test_parse_due(due, expected):
    assert parse_due(due) == expected


def test_month_without_year_takes_the_plan_year():
    assert parse_due("6月底前", year=2023) == "2023-06"
    assert parse_due("6月底前") is None


@pytest.mark.parametrize("text, due, due_date", [
    ("市法制办要于2012年底前向社会公布清理结果。", "2012年底前", "2012-12"),
    ("今年年底前对政务公开工作人员轮训一遍。", "今年年底前", "2024-12"),
    ("各区县要在6月底前完成专栏建设。", "6月底前", "2024-06"),
    ("于2024年9月30日前完成目录编制。", "2024年9月30日前", "2024-09-30"),
    ("今年6月前上线。", "今年6月前", "2024-06"),
    ("截至2023年底，已公开文件1200件。", "", None),   # the past, not a due
    ("完成2018年度报告的编制。", "", None),
])
def test_due_written_in_the_task_text(text, due, due_date):
    plan = extract_plan(f"2024年政务公开工作要点\n一、做好公开工作。{text}（市政府办公厅负责）")
    task = plan.all_tasks()[0]
    assert (task.due, task.due_date) == (due, due_date)


def test_a_labelled_due_wins_over_one_in_the_text():
    plan = extract_plan("2024年政务公开工作要点\n一、做好公开工作，6月底前完成。\n完成时限：2024年10月")
    assert plan.all_tasks()[0].due == "2024年10月"


# ---------------------------------------------------------------- numbering


def test_four_levels_and_paths():
    plan = extract_plan(
        "一、公开\n（一）决策公开。内容。\n1.重大决策。内容。\n（1）预公开。内容。\n（2）听证。内容。\n"
        "2.执行公开。内容。\n（二）结果公开。内容。\n二、服务\n（一）办事指南。内容。"
    )
    assert [(t.number, t.path) for t in plan.all_tasks()] == [
        ("一、", ["一"]), ("（一）", ["一", "（一）"]), ("1.", ["一", "（一）", "1"]),
        ("（1）", ["一", "（一）", "1", "（1）"]), ("（2）", ["一", "（一）", "1", "（2）"]),
        ("2.", ["一", "（一）", "2"]), ("（二）", ["一", "（二）"]), ("二、", ["二"]), ("（一）", ["二", "（一）"]),
    ]


def test_numbers_in_running_text_are_not_tasks():
    plan = extract_plan("一、公开\n（一）决策公开。按照（三）项要求，做好1.5倍工作。\n（二）结果公开。")
    assert [t.number for t in plan.all_tasks()] == ["一、", "（一）", "（二）"]


def test_no_tasks():
    assert extract_plan("关于做好政务公开工作的通知。请认真贯彻执行。").tasks == []


# ---------------------------------------------------------------- organisations


ORGS = [(1, "重庆市财政局", "市财政局"), (2, "重庆市人民政府办公厅", "市政府办公厅"), (3, "黔江区人民政府", ""),
        (4, "四川省教育厅", "教育厅")]


def test_match_units_exact_short_and_none():
    got = match_units(["黔江区人民政府", "市财政局", "市政府办公厅", "各区县政府", "有关单位", "市统计局"], ORGS)
    assert got["黔江区人民政府"][0] == 3  # full name
    assert got["市财政局"][0] == 1  # short name
    assert got["市政府办公厅"][0] == 2
    assert got["各区县政府"] is None and got["有关单位"] is None  # groups
    assert got["市统计局"] is None


def test_match_units_unique_ending():
    assert match_units(["财政局"], [(1, "重庆市财政局", "")])["财政局"][0] == 1
    assert match_units(["财政局"], [(1, "重庆市财政局", ""), (2, "四川省财政局", "")])["财政局"] is None


# ---------------------------------------------------------------- the command


def _run(*argv):
    """The command, through call_command when the app is installed, else its handle directly."""
    out = io.StringIO()
    if apps.is_installed("gongkai.workplan"):
        call_command("workplan", *argv, stdout=out)
    else:
        cmd = Command(stdout=out)
        parser = cmd.create_parser("gongkai", "workplan")
        options = vars(parser.parse_args(list(argv)))
        cmd.handle(**options)
    return out.getvalue()


@pytest.mark.django_db
def test_command_json():
    data = json.loads(_run("extract", str(SAMPLES / "sichuan-2010-workplan.txt"), "--json"))
    assert data["title"] == "2010年全省政务公开工作要点" and data["year"] == 2010
    assert data["task_count"] == 30
    second = data["tasks"][0]["children"][1]
    assert second["number"] == "（二）" and second["path"] == ["一", "（二）"]
    assert set(second) >= {"number", "path", "title", "text", "lead_units", "responsible_units", "due", "due_date"}
    assert "财政厅" in data["units"]


@pytest.mark.django_db
def test_command_text_tree():
    out = _run("extract", str(SAMPLES / "chongqing-qianjiang-2018-workplan.txt"))
    lines = out.splitlines()
    assert lines[0] == "2018年重庆市政务公开工作要点"
    assert "tasks: 22" in lines
    assert "  一、 深入推进公开解读回应工作" in lines
    assert "      1. 深入推进预决算公开" in lines
    assert "        lead: 市财政局" in lines


@pytest.mark.django_db
def test_command_reads_html(tmp_path):
    page = tmp_path / "plan.html"
    page.write_text(
        "<html><head><title>2023年某区政务公开工作要点</title></head><body><div>"
        "<p>2023年某区政务公开工作要点</p><p>一、推进决策公开</p>"
        "<p>（一）做好预公开。内容。（区司法局牵头落实）</p><p>（二）做好解读。内容。</p>"
        "<p>责任单位：各镇街</p><p>完成时限：2023年12月底前</p></div></body></html>",
        encoding="utf-8",
    )
    data = json.loads(_run("extract", str(page), "--json"))
    assert data["task_count"] == 3
    first, second = data["tasks"][0]["children"]
    assert first["lead_units"] == ["区司法局"]
    assert second["responsible_units"] == ["各镇街"] and second["due_date"] == "2023-12"


@pytest.mark.django_db
def test_command_no_tasks(tmp_path):
    page = tmp_path / "notice.txt"
    page.write_text("关于做好政务公开工作的通知\n请认真贯彻执行。\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        _run("extract", str(page))
    assert info.value.returncode == 1
    assert str(info.value) == f"no tasks found in {page}"


def test_command_unreadable_file(tmp_path):
    with pytest.raises(CommandError) as info:
        _run("extract", str(tmp_path / "missing.txt"))
    assert info.value.returncode == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        _run("extract", str(empty))
    assert info.value.returncode == 2
