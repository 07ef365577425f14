"""Work plan extraction on real plans from other governments (fixtures/plans, see its SOURCES.md).

Each expectation was checked by reading the plan's text: the tasks (count, numbers, first
titles), each task's lead and responsible units as the plan writes them, and its due. The
stored texts are cut off after ~2,000 bytes, so a plan's last task is often cut short: its
expectation is what the stored text holds.
"""


import pytest

from gongkai.workplan.extract import classify_units, extract_plan
from gongkai.workplan.reading import plan_source
from tests.real_pages import real_page


def _read(name, *, year=None, raw=False):
    """The plan as the importers read it (through the page reader), or from the raw text."""
    content = real_page(name).read_text(encoding="utf-8")
    if raw:
        return extract_plan(content, year=year)
    source = plan_source(content)
    return extract_plan(source.text, title=source.title, organisation=source.organisation, year=year or source.year)


def _rows(plan):
    return [(t.number, t.lead_units, t.responsible_units) for t in plan.all_tasks()]


def test_beijing_2018_units_in_the_middle_of_a_paragraph():
    plan = _read("beijing-2018-workplan.txt")
    assert (plan.title, plan.year, plan.organisation) == ("北京市2018年政务公开工作要点", 2018, "北京市人民政府办公厅")
    assert [(t.number, t.title) for t in plan.all_tasks()] == [
        ("一、", "加强政府重点工作信息公开"),
        ("（一）", "围绕抓好“三件大事”、打赢“三大攻坚战”做好信息公开"),
    ]
    task = plan.all_tasks()[1]
    # four clauses: (市规划国土委负责落实) (市发展改革委…市人力社保局分别负责落实) (市交通委负责落实)
    # (市重大项目办、市体育局、市教委分别负责落实); 市教委 twice.
    assert task.responsible_units == [
        "市规划国土委", "市发展改革委", "市经济信息化委", "市环保局", "市教委", "市卫生计生委", "市人力社保局",
        "市交通委", "市重大项目办", "市体育局",
    ]
    assert task.lead_units == [] and task.due == ""
    assert task.text.startswith("制定发布城市设计导则")


def test_weifang_2017_table_one_cell_a_line_with_lead_lines():
    plan = _read("weifang-2017-workplan.txt")
    assert (plan.title, plan.year) == ("潍坊市2017年政务公开工作要点实施方案", 2017)
    assert [(t.number, t.title) for t in plan.all_tasks()] == [("一、", "以政务公开助力稳增长"), ("（一）", "加强预期引导")]
    task = plan.all_tasks()[1]
    assert task.lead_units == ["市发改委", "市人社局", "市金融办", "人民银行潍坊市中心支行", "潍坊银监分局", "市财政局"]
    assert task.responsible_units == []
    assert task.text.startswith("围绕我市经济社会发展形势") and task.text.endswith("引导社会各方面正确认识财政形势。")
    assert "舆情" not in task.text  # its last paragraph is cut off before its units: left out
    assert "责任单位" not in task.text and "主要内容" not in task.text  # the table's header is no task's text


def test_xinyu_2023_framing_sections_are_context():
    plan = _read("xinyu-2023-workplan.txt")
    assert (plan.title, plan.year) == ("2023年新余市政务公开工作要点", 2023)
    assert [(c.number, c.title) for c in plan.context] == [("一、", "总体要求")]
    framing = plan.context[0].children
    assert [(c.number, c.title) for c in framing] == [("（一）", "指导思想"), ("（二）", "工作目标")]
    assert framing[0].text.startswith("坚持以习近平新时代中国特色社会主义思想为指导")  # the heading keeps apart
    assert [(t.number, t.title) for t in plan.all_tasks()] == [
        ("二、", "紧扣经济发展大局深化公开"), ("（一）", "加强重大战略实施信息公开"), ("1.", "聚焦落实战略部署加强公开"),
    ]
    assert plan.unit_names() == []  # the stored text ends before the first unit


def test_chizhou_task_list_one_cell_a_line():
    # The stored text has no year; 2023 is given as the plan's year.
    expected = [
        ("1.", "强化行政规范性文件集中规范公开", ["办公室"], "年底前", "2023-12"),
        ("2.", "深化政策解读形式", ["各科室"], "持续推进", None),
        ("3.", "做好主动公开基础工作", ["各科室"], "持续推进", None),
        ("4.", "做好主动公开基础工作", ["办公室"], "持续推进", None),  # 工作任务 merged over rows 3 and 4
        ("5.", "规范办理依申请公开", ["各科室"], "持续推进", None),
        ("6.", "认真抓好工作落实", ["办公室"], "持续推进", None),
        ("7.", "加强宣传", ["各科室"], "持续推进", None),
        ("8.", "做好指导监督", ["办公室"], "持续推进", None),
    ]
    for raw in (False, True):  # through the page reader (which drops the `|` lines) and as stored
        plan = _read("chizhou-xfj-tasklist.txt", year=2023, raw=raw)
        tasks = plan.all_tasks()
        assert [(t.number, t.title, t.responsible_units, t.due, t.due_date) for t in tasks] == expected
        assert all(t.lead_units == [] for t in tasks)
        assert tasks[0].text == "对行政规范性文件进行全面清理，并向社会公布现行有效行政规范性文件目录。"
    assert plan_source(real_page("chizhou-xfj-tasklist.txt").read_text(encoding="utf-8")).title == ""  # not its header
    kinds = {name: match.kind for name, match in classify_units(plan.unit_names(), [], issuer=None).items()}
    assert kinds == {"办公室": "internal_office", "各科室": "internal_office"}


def test_jiangmen_task_list_pipe_rows():
    plan = _read("jiangmen-tdcbzx-tasklist.txt")
    assert [t.number for t in plan.tasks] == ["一、", "二、", "三、", "四、", "五、"]
    assert [t.title for t in plan.tasks[:2]] == ["做好财政信息公开", "做好政府网站专栏信息公开"]
    assert _rows(plan) == [
        ("一、", [], []), ("1.", [], ["财务科"]),
        ("二、", [], []), ("2.", [], ["办公室"]), ("3.", [], ["各科室"]), ("4.", ["办公室"], ["各科室"]),
        ("三、", [], []), ("5.", [], ["各科室"]), ("6.", [], ["各科室"]),
        ("四、", [], []), ("7.", ["办公室"], ["各科室"]), ("8.", [], ["各科室"]), ("9.", ["办公室"], ["各科室"]),
        ("五、", [], []), ("10.", [], ["各科室"]),
        ("11.", [], []),  # cut off before its units
    ]
    assert plan.all_tasks()[5].path == ["二", "4"] and plan.all_tasks()[5].title == "及时更新微信公众号信息"
    assert plan.all_tasks()[1].text == ""  # 1.积极推进本中心预算、决算及相关报表公开。 is all heading
    assert _rows(_read("jiangmen-tdcbzx-tasklist.txt", raw=True)) == _rows(plan)


def test_deqing_2022_lead_labels_inside_and_after_a_paragraph():
    plan = _read("deqing-2022-workplan.txt")
    assert (plan.title, plan.year, plan.organisation) == ("2022年德清县政务公开工作要点", 2022, "德清县人民政府办公室")
    assert [(t.number, t.title) for t in plan.all_tasks()] == [
        ("一、", "围绕中心工作，服务大局、深化主动公开"), ("（一）", "提升共同富裕建设公开水平"), ("（二）", "提升优化营商环境公开水平"),
    ]
    assert _rows(plan) == [
        ("一、", [], []),
        ("（一）", ["县发改局", "县财政局"], []),  # (牵头单位:县发改局) mid-paragraph, (牵头单位:县财政局) on its own line
        ("（二）", ["县发改局", "县建设局", "县政务办"], []),
    ]
    assert "常态化推进十大民生实事项目" in plan.all_tasks()[1].text and plan.all_tasks()[1].due == ""


@pytest.mark.parametrize("name, title, units", [
    ("nanchang-2024-workplan.txt", "2024年南昌市政务公开工作要点",
     ["市发改委", "市工信局", "市科技局", "市商务局", "市交通运输局", "市住建局", "市金融办", "市政数局", "市中小企业局"]),
    ("nanchang-xinjian-2024-workplan.txt", "2024年南昌市新建区政务公开工作要点",
     ["区发改委", "区科工信局", "区商务局", "区交通运输局", "区住建局", "区政数局", "区金融服务中心"]),
])
def test_nanchang_2024_each_by_its_duties(name, title, units):
    plan = _read(name)
    assert (plan.title, plan.year) == (title, 2024)
    assert [(t.number, t.title) for t in plan.all_tasks()] == [
        ("一、", "深化重点领域信息公开，助力经济社会高质量发展"), ("（一）", "聚焦政府中心工作"), ("（二）", "聚焦优化营商环境"),
    ]
    assert _rows(plan) == [("一、", [], []), ("（一）", [], units), ("（二）", [], [])]  # no 按职责分工 left on the last


def test_lishan_2023_labelled_lines():
    plan = _read("lishan-2023-taskdivision.txt")
    assert plan.year == 2023  # from the page's date: the title is not a 工作要点's
    assert [t.title for t in plan.all_tasks()[:3]] == [
        "经济社会发展的主要预期目标", "努力实现地区生产总值增长6.2%左右", "规模上工业增加值增长5%左右",
    ]
    assert _rows(plan) == [
        ("一、", [], []),
        ("1.", ["区发改局"], ["立山经济开发区", "全区经济运行各专班"]),
        ("2.", ["区工信局"], ["立山经济开发区"]),
        ("3.", ["区发改局"], ["立山经济开发区", "各街道", "区直各部门"]),
        ("4.", ["区商务局"], ["各街道", "区市场局"]),
        ("5.", ["区财政局"], ["立山经济开发区", "各街道", "税务局"]),
        ("6.", ["区发改局"], ["各街道", "各相关单位"]),
        ("7.", [], []),  # cut off before its units
    ]
    assert plan.context == []  # 主要预期目标 has tasks below it: not a framing section
