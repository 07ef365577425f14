"""Work plan (工作要点) task extraction: the three real samples, unit patterns, dues, matching, the command."""

import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from gongkai.ingest.extract import extract
from gongkai.workplan.extract import (
    classify_units,
    extract_plan,
    find_plan_title,
    framing_kind,
    looks_like_due,
    match_units,
    parse_due,
    parse_unit_clause,
    split_units,
    untable,
)
from gongkai.workplan.management.commands.workplan import Command
from gongkai.workplan.reading import plan_source

SAMPLES = Path(__file__).resolve().parents[2] / "gongkai" / "catalog" / "demo_samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_NAMES = ["chongqing-qianjiang-2018", "guangzhou-2012", "sichuan-2010"]


def _fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _plan_of_sample(sample):
    page = extract((SAMPLES / sample).read_text(encoding="utf-8"))
    return extract_plan(page.body_text, organisation=page.organisation)


# ---------------------------------------------------------------- the three samples


# Dues the fixtures predate: "力争今年9月底" (an aim without 前) was not read then.
# Each was checked against the sample's text: task index → the fields read now.
READ_SINCE_FIXTURE = {
    "chongqing-qianjiang-2018": {
        10: {"due": "力争今年9月底"},  # 二（五）…力争今年9月底实现全覆盖。
        12: {"due": "力争今年年底"},  # 二（七）…力争今年年底90%事项实现“全渝通办”。
    },
}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sample_extracts_to_its_fixture(name):
    expected = _fixture(name)
    for index, fields in READ_SINCE_FIXTURE.get(name, {}).items():
        expected["tasks"][index].update(fields)
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
        "due": "2023年10月", "due_date": "2023-10", "context": False, "children": [],
    }
    assert data["context"] == []


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


# ---------------------------------------------------------------- units anywhere in a task (made-up variants)


def _tasks(text, **kwargs):
    return {t.number: t for t in extract_plan(text, **kwargs).all_tasks()}


def test_unit_clauses_in_the_middle_of_a_paragraph():
    task = _only_task("（一）做好预公开。公开目录。（市司法局负责落实）做好听证。（市发改委、市财政局分别负责落实）开展评估。")
    assert task.responsible_units == ["市司法局", "市发改委", "市财政局"]  # no 分别 glued to 市财政局
    assert task.lead_units == []
    assert "（市司法局负责落实）做好听证" in task.text  # a clause inside the text stays with its sentence


def test_lead_and_helpers_in_the_middle_of_a_paragraph():
    task = _only_task("1.做好回应。加强舆情研判（市委网信办牵头，市公安局、市应急管理局配合），及时回应关切。")
    assert task.lead_units == ["市委网信办"] and task.responsible_units == ["市公安局", "市应急管理局"]


@pytest.mark.parametrize("clause, lead, responsible", [
    ("[责任单位：市政府办公室、市发改委]", [], ["市政府办公室", "市发改委"]),
    ("【牵头单位：市委网信办；责任单位：各区县政府】", ["市委网信办"], ["各区县政府"]),
    ("【牵头单位:县发改局、县建设局】", ["县发改局", "县建设局"], []),
    ("（市发改委、市工信局、市中小企业局按职责分工负责）", [], ["市发改委", "市工信局", "市中小企业局"]),
    ("（市政府办公室牵头，市级各有关部门及各县市区政府按职责分工负责）", ["市政府办公室"], ["市级各有关部门", "各县市区政府"]),
    ("（市财政局负责，各部门配合）", ["市财政局"], ["各部门"]),
    ("（由区人社局负责）", [], ["区人社局"]),
    ("（人民银行某市中心支行、某银保监分局分别牵头落实）", ["人民银行某市中心支行", "某银保监分局"], []),
    ("（县级以上人民政府、其他有关单位负责）", [], ["县级以上人民政府", "其他有关单位"]),
    ("（市司法局牵头落实，市级各部门配合；2023年12月底前完成）", ["市司法局"], ["市级各部门"]),
])
def test_bracketed_unit_clauses(clause, lead, responsible):
    task = _only_task(f"（一）推进公开。做好工作。{clause}再做一件事。")
    assert (task.lead_units, task.responsible_units) == (lead, responsible)


@pytest.mark.parametrize("text", [
    "（一）推进公开。公开办事指南（含材料清单）及时更新。",
    "（一）推进公开。落实《条例》（以下简称《条例》）要求。",
    "（一）推进公开。编制规划（2023—2025年）并公开。",
    "（一）推进公开。做好工作（各部门要认真落实）。",
    "（一）推进公开。公开规范性文件（试行）。",
])
def test_brackets_that_name_no_unit(text):
    task = _only_task(text)
    assert task.lead_units == task.responsible_units == []


def test_unit_lines_of_their_own():
    tasks = _tasks(
        "一、推进公开\n（一）加强预期引导\n围绕经济形势做好解读。\n市发改委牵头落实\n围绕就业政策做好解读。\n"
        "市人社局、市财政局分别牵头落实\n（二）做好回应。及时回应关切。\n责任单位：市政府办公室、市发改委\n"
        "（三）强化协同\n各部门要认真落实。\n"
    )
    assert tasks["（一）"].lead_units == ["市发改委", "市人社局", "市财政局"]
    assert tasks["（一）"].text == "围绕经济形势做好解读。\n围绕就业政策做好解读。"
    assert tasks["（二）"].responsible_units == ["市政府办公室", "市发改委"]
    assert tasks["（三）"].lead_units == tasks["（三）"].responsible_units == []  # a sentence, not units


def test_a_heading_that_looks_like_units_is_a_heading():
    task = _only_task("（一）加强部门协同配合\n各部门加强沟通。")
    assert task.title == "加强部门协同配合" and task.responsible_units == []


def test_units_of_the_last_task_on_later_lines():
    """The last task keeps the paragraphs its units follow; the plan's closing words stay out."""
    plan = extract_plan(
        "一、推进公开\n（一）加强预期引导\n围绕经济形势做好解读。\n市发改委牵头落实\n围绕就业政策做好解读。\n"
        "市人社局牵头落实\n各单位要高度重视，认真抓好落实。\n"
    )
    last = plan.all_tasks()[-1]
    assert last.lead_units == ["市发改委", "市人社局"]
    assert "围绕就业政策" in last.text and "高度重视" not in last.text


# ---------------------------------------------------------------- headings


def test_a_heading_without_end_punctuation_keeps_apart_from_its_paragraph():
    tasks = _tasks("一、主要任务\n（一）加强重大战略实施信息公开\n紧紧围绕发展战略，做好公开。\n（二）推进决策公开。做好预公开。")
    assert tasks["（一）"].title == "加强重大战略实施信息公开"
    assert tasks["（一）"].text == "紧紧围绕发展战略，做好公开。"
    assert tasks["（二）"].title == "推进决策公开"


# ---------------------------------------------------------------- framing sections


FRAMED = (
    "2024年某县政务公开工作要点\n一、总体要求\n（一）指导思想\n坚持以人民为中心。\n（二）基本原则\n1.坚持公开为常态。\n"
    "2.坚持依法公开。\n（三）工作目标\n到2024年底，制度更加完善。\n二、主要任务\n（一）推进决策公开\n做好预公开。（县司法局负责）\n"
    "三、保障措施\n（一）加强组织领导。各单位要高度重视。（各乡镇、县直各部门负责）\n（二）强化督查考核。年底前开展督查。\n"
    "四、工作要求\n各单位要认真落实本要点。\n"
)


def test_framing_sections_are_context_not_tasks():
    plan = extract_plan(FRAMED)
    assert [(t.number, t.title) for t in plan.context] == [("一、", "总体要求"), ("四、", "工作要求")]
    assert [c.title for c in plan.context[0].children] == ["指导思想", "基本原则", "工作目标"]
    assert plan.context[0].children[1].children[0].context  # 1.坚持公开为常态 is a principle, not a task
    numbers = [(t.path, t.context) for t in plan.all_tasks()]
    assert numbers == [
        (["二"], False), (["二", "（一）"], False),
        (["三"], True), (["三", "（一）"], False), (["三", "（二）"], False),  # 保障措施 frames tasks
    ]
    assert "县司法局" in plan.unit_names() and plan.as_dict()["task_count"] == 5
    assert [c["title"] for c in plan.as_dict()["context"]] == ["总体要求", "工作要求"]


@pytest.mark.parametrize("title, kind", [
    ("总体要求", "all"), ("指导思想和工作目标", "all"), ("基本原则。", "all"), ("保障措施", "intro"),
    ("组织保障", "intro"), ("加强组织保障", None), ("主要任务", None), ("经济社会发展的主要预期目标", None),
])
def test_framing_titles(title, kind):
    assert framing_kind(title) == kind


# ---------------------------------------------------------------- more dues


@pytest.mark.parametrize("due, year, expected", [
    ("年底前", 2023, "2023-12"),
    ("年底前", None, None),
    ("第三季度", 2023, "2023-09"),
    ("三季度末", 2023, "2023-09"),
    ("2022年第一季度", 2023, "2022-03"),
    ("上半年", 2023, "2023-06"),
    ("下半年", 2023, "2023-12"),
    ("2023年10月31日前", None, "2023-10-31"),
    ("每季度", 2023, None),
    ("每年年底前", 2023, None),
    ("三年内", 2023, None),
    ("2023.12", None, "2023-12"),
    ("持续推进", 2023, None),
    ("长期", 2023, None),
    ("常态化", 2023, None),
])
def test_parse_due_kinds(due, year, expected):
    assert parse_due(due, year=year) == expected


@pytest.mark.parametrize("text, due, due_date", [
    ("力争今年9月底实现全覆盖。", "力争今年9月底", "2021-09"),
    ("确保2021年11月底前上线。", "确保2021年11月底前", "2021-11"),
    ("第三季度完成评估。", "第三季度完成", "2021-09"),
    ("于年底前完成清理。", "年底前", "2021-12"),
    ("每年年底前报送年报。", "", None),  # every year, not a due of the plan
    ("截至2020年底前已公开目录。", "", None),
])
def test_more_dues_in_the_text(text, due, due_date):
    plan = extract_plan(f"2021年政务公开工作要点\n一、做好公开工作。{text}")
    task = plan.all_tasks()[0]
    assert (task.due, task.due_date) == (due, due_date)


@pytest.mark.parametrize("text, expected", [
    ("年底前", True), ("持续推进", True), ("长期坚持", True), ("2023年10月31日前", True), ("第三季度", True),
    ("6月底前，持续推进", True), ("办公室", False), ("做好年底前的清理工作", False),
])
def test_looks_like_due(text, expected):
    assert looks_like_due(text) is expected


# ---------------------------------------------------------------- task tables (made-up variants)

TABLE_HEADER = ["序号", "工作任务", "具体要求", "责任科室", "时限要求"]
TABLE_ROWS = [
    ["1", "做好主动公开", "公开预算和决算。", "财务科", "2023年10月31日前"],
    ["2", "公开“三公”经费。", "办公室牵头，各科室配合", "上半年"],  # 工作任务 merged with the row above
    ["3", "做好政策解读", "解读重要政策。", "政策法规科、办公室", "持续推进"],
]


def _check_table_tasks(tasks):
    assert [(t.number, t.title) for t in tasks] == [("1.", "做好主动公开"), ("2.", "做好主动公开"), ("3.", "做好政策解读")]
    assert [t.text for t in tasks] == ["公开预算和决算。", "公开“三公”经费。", "解读重要政策。"]
    assert [(t.lead_units, t.responsible_units) for t in tasks] == [
        ([], ["财务科"]), (["办公室"], ["各科室"]), ([], ["政策法规科", "办公室"]),
    ]
    assert [(t.due, t.due_date) for t in tasks] == [
        ("2023年10月31日前", "2023-10-31"), ("上半年", "2023-06"), ("持续推进", None),
    ]


def test_table_as_html():
    rows = "".join(
        "<tr>" + "".join(f"<td{' rowspan=2' if c == '做好主动公开' else ''}>{c}</td>" for c in row) + "</tr>"
        for row in [TABLE_HEADER, *TABLE_ROWS]
    )
    page = (f"<html><head><title>某局2023年政务公开重点任务清单</title></head><body><div><p>某局2023年政务公开重点任务清单</p>"
            f"<table>{rows}</table><p>某局办公室</p><p>2023年3月1日</p></div></body></html>")
    source = plan_source(page)
    _check_table_tasks(extract_plan(source.text, year=2023).all_tasks())


def test_table_as_pipe_rows():
    text = "\n".join(" | ".join(row) + " |" for row in [TABLE_HEADER, *TABLE_ROWS])
    _check_table_tasks(extract_plan(f"某局重点任务清单\n{text}\n某局办公室\n", year=2023).all_tasks())


@pytest.mark.parametrize("separator", ["\n|\n", "\n"])
def test_table_one_cell_a_line(separator):
    cells = [c for row in [TABLE_HEADER[1:], *TABLE_ROWS] for c in row]  # a header without 序号, as pages have it
    text = separator.join(cells) + separator
    _check_table_tasks(extract_plan(f"某局重点任务清单\n{text}某局办公室\n", year=2023).all_tasks())


def test_table_with_sections_and_lead_columns():
    text = (
        "一、做好决策公开\n"
        "工作任务\t牵头单位\t配合单位\t完成时限\n"
        "1.做好预公开。\t区司法局\t各街道\t6月底前\n"
        "2.做好听证。\t区发改委\t区财政局、区审计局\t年底前\n"
        "二、做好结果公开\n"
        "3.公开审计结果。\t区审计局\t有关单位\t长期\n"
    )
    tasks = _tasks(f"2022年某区政务公开工作要点\n{text}")
    assert list(tasks) == ["一、", "1.", "2.", "二、", "3."]
    assert (tasks["1."].lead_units, tasks["1."].responsible_units, tasks["1."].due_date) == (["区司法局"], ["各街道"], "2022-06")
    assert tasks["2."].responsible_units == ["区财政局", "区审计局"] and tasks["2."].due_date == "2022-12"
    assert tasks["3."].path == ["二", "3"] and tasks["3."].lead_units == ["区审计局"] and tasks["3."].due == "长期"


def test_table_rows_under_a_numbered_group_are_one_task():
    """A row with neither number nor marker belongs to the numbered task of its group (目标 | 任务 | 主要内容 | 责任单位)."""
    text = ("目标\n任务\n主要内容\n责任单位\n一、助力稳增长\n（一）加强预期引导\n做好经济政策解读。\n市发改委牵头落实\n"
            "做好就业政策解读。\n市人社局牵头落实\n（二）做好财政公开\n按月公开财政收支。\n市财政局负责落实\n")
    tasks = _tasks(f"2017年某市政务公开工作要点实施方案\n{text}")
    assert list(tasks) == ["一、", "（一）", "（二）"]
    assert tasks["（一）"].lead_units == ["市发改委", "市人社局"] and tasks["（二）"].responsible_units == ["市财政局"]


def test_lines_with_bars_that_are_no_table_stay_text():
    text = "一、做好公开。公开目录。\n关于我们 | 网站声明 | 联系我们 |"
    assert untable(text) == text


# ---------------------------------------------------------------- matching within the plan's region

# (id, name, short_name, parent_id): two provinces, each with a city, a district and street offices.
REGION = [
    (1, "江西省人民政府", "江西省", None),
    (2, "南昌市人民政府", "南昌市", 1),
    (3, "南昌市人民政府办公室", "市政府办公室", 2),
    (4, "南昌市发展和改革委员会", "市发改委", 2),
    (5, "南昌市新建区人民政府", "新建区", 2),
    (6, "南昌市新建区发展和改革委员会", "区发改委", 5),
    (7, "新建区长堎街道办事处", "长堎街道", 5),
    (8, "人民银行南昌中心支行", "", 1),
    (9, "四川省人民政府", "四川省", None),
    (10, "成都市人民政府", "成都市", 9),
    (11, "成都市发展和改革委员会", "市发改委", 10),
    (12, "成都市财政局", "市财政局", 10),
    (13, "成都市锦江区春熙路街道办事处", "春熙路街道", 10),
    (14, "南昌市新建区政务服务数据管理局", "区政数局", 5),
    (15, "南昌市新建区政务服务数据管理局办公室", "", 14),
]


def _matched(names, issuer):
    return {name: (org[0] if org else None) for name, org in match_units(names, REGION, issuer=issuer).items()}


def test_a_generic_name_never_matches_an_organisation_elsewhere():
    got = _matched(["街道办事处", "各乡镇", "各街道", "办公室", "各科室", "有关单位", "各区县政府"], issuer=3)
    assert set(got.values()) == {None}  # 街道办事处 would end 成都…春熙路街道办事处 only: not a match


def test_a_generic_name_matches_only_below_the_issuer():
    assert _matched(["街道办事处"], issuer=5) == {"街道办事处": 7}  # the district's one street office
    assert _matched(["街道办事处"], issuer=2) == {"街道办事处": 7}
    assert _matched(["街道办事处"], issuer=10) == {"街道办事处": 13}
    assert _matched(["街道办事处"], issuer=None) == {"街道办事处": None}


def test_a_name_with_a_level_is_the_plan_regions_own():
    assert _matched(["市发改委", "市政府办公室"], issuer=3) == {"市发改委": 4, "市政府办公室": 3}
    assert _matched(["市发改委"], issuer=10) == {"市发改委": 11}
    assert _matched(["区发改委", "市发改委"], issuer=5) == {"区发改委": 6, "市发改委": 4}  # a district's plan names its city's too
    assert _matched(["市财政局"], issuer=3) == {"市财政局": None}  # Nanchang has none here; Chengdu's is not it


def test_a_name_without_a_level_is_looked_for_in_the_ancestors_subtrees():
    assert _matched(["人民银行南昌中心支行"], issuer=3) == {"人民银行南昌中心支行": 8}
    assert _matched(["成都市财政局"], issuer=3) == {"成都市财政局": 12}  # a full name is absolute


def test_internal_offices_are_the_issuing_departments_own():
    got = classify_units(["办公室", "政策法规科", "各科室", "局办公室", "市政府办公室"], REGION, issuer=14)
    assert {name: match.kind for name, match in got.items()} == {
        "办公室": "internal_office", "政策法规科": "internal_office", "各科室": "internal_office",
        "局办公室": "internal_office", "市政府办公室": "organisation",
    }
    assert got["办公室"].organisation[0] == 15  # the department's own office, where the directory has it
    assert got["政策法规科"].organisation is None
    assert classify_units(["办公室"], REGION, issuer=3)["办公室"].organisation is None  # never 南昌市人民政府办公室


def test_classify_units_kinds():
    got = classify_units(["各街道", "镇政府", "区发改委", "市统计局"], REGION, issuer=5)
    assert [got[n].kind for n in ["各街道", "镇政府", "区发改委", "市统计局"]] == ["group", "generic", "organisation", "unknown"]


@pytest.mark.django_db
def test_import_matches_units_within_the_issuers_region(make_user):
    from gongkai.core.models import Organisation
    from gongkai.workplan import services
    from gongkai.workplan.models import TaskUnit

    made = {}
    for org_id, name, short, parent in REGION:
        made[org_id] = Organisation.objects.create(name=name, short_name=short, level="department",
                                                   parent=made.get(parent), index_prefix=f"R{org_id}")
    admin = make_user("nc-admin", (made[3], "office_admin"))
    plan = services.import_plan(
        organisation=made[3], user=admin, year=2024,
        text="2024年南昌市政务公开工作要点\n一、推进公开\n（一）做好公开。内容。（市发改委、街道办事处、市财政局分别负责落实）",
    )
    units = {u.name: u.organisation_id for u in TaskUnit.objects.filter(task__plan=plan)}
    assert units == {"市发改委": made[4].pk, "街道办事处": None, "市财政局": None}


def test_without_parent_ids_names_are_matched_over_all_organisations():
    flat = [org[:3] for org in REGION]
    assert match_units(["人民银行南昌中心支行"], flat, issuer=3)["人民银行南昌中心支行"][0] == 8
    assert match_units(["市发改委", "街道办事处", "办公室"], flat, issuer=3) == {"市发改委": None, "街道办事处": None, "办公室": None}


def test_a_due_inside_a_unit_clause():
    units = parse_unit_clause("市司法局牵头落实，市级各部门配合；2023年12月底前完成")
    assert (units.lead, units.responsible, units.due) == (["市司法局"], ["市级各部门"], "2023年12月底前完成")
    task = _only_task("（一）推进公开。做好工作。（市司法局负责，2023年6月底前完成）")
    assert (task.responsible_units, task.due_date) == (["市司法局"], "2023-06")


@pytest.mark.django_db
def test_a_departments_internal_offices_report_for_the_department(make_user):
    """A department's own plan names its offices (办公室, 政策法规科): with no
    organisation of their own in the directory they are the department's part,
    never an organisation elsewhere with the same name."""
    from gongkai.core.models import Organisation
    from gongkai.workplan import services
    from gongkai.workplan.models import TaskUnit

    made = {}
    for org_id, name, short, parent in REGION:
        made[org_id] = Organisation.objects.create(name=name, short_name=short, level="department",
                                                   parent=made.get(parent), index_prefix=f"R{org_id}")
    elsewhere = Organisation.objects.create(name="某县人民政府办公室", short_name="办公室", level="department",
                                            index_prefix="ELSEWHERE")
    department = made[4]
    admin = make_user("dept-admin", (department, "office_admin"))
    plan = services.import_plan(
        organisation=department, user=admin, year=2024,
        text="2024年政务公开工作要点\n一、推进公开\n（一）做好公开。内容。（办公室牵头，政策法规科配合）",
    )
    units = {u.name: u.organisation_id for u in TaskUnit.objects.filter(task__plan=plan)}
    assert units == {"办公室": department.pk, "政策法规科": department.pk} and elsewhere.pk not in units.values()
