"""The importer against real pages of many governments (tests/ingest/fixtures/real,
sources in SOURCES.md there) and the three shipped samples.

Every expected value was checked by reading the page: what a person filling in
the catalog entry from that page would write. A field the page does not state
is expected empty (None for dates). A value still read wrong is marked with
`known(...)` and the reason: the test fails loudly once it starts passing.
"""

import datetime as dt
from pathlib import Path

import pytest

from gongkai.ingest.extract import extract
from tests.conftest import SHARED_SAMPLES

FIXTURES = Path(__file__).parent / "fixtures" / "real"
D = dt.date

# page → (title, organisation, document_number, written_date, published_date, index_number);
# `None` for the organisation: not checked (see the comment on the page).
EXPECTED = {
    "anqing-2015-notice.txt": (
        "关于印发安庆市政务公开工作领导小组工作规则等公开制度的通知", "市交通运输局", "",
        None,  # the signature date lost its year on the page: "年八月二十八日"
        D(2015, 10, 15), "003110926/201510-00216",
    ),
    "beijing-2016-workplan-mirror.txt": (
        "北京市人民政府办公厅关于印发〈北京市2016年政务公开工作要点〉的通知", "北京市人民政府办公厅",
        "京政办发〔2016〕26号", D(2016, 5, 28), None, "",
    ),
    "beijing-2018-workplan.txt": (
        "北京市2018年政务公开工作要点", "北京市人民政府办公厅", "", D(2018, 5, 11),
        D(2018, 9, 10),  # the page's own date: 更新时间:2018-09-10
        "",
    ),
    "dazhou-2012-infoquota-mirror.txt": (
        "2012年度全市政務(wù)信息目標(biāo)任務(wù)",  # the mirror's text, pinyin and all
        "", "", D(2012, 2, 7), None, "",
    ),
    "dongguan-2011-opinion-docsite.txt": (
        "东莞市人民政府办公室关于印发《进一步加强政府信息公开工作的意见》的通知", "东莞市人民政府办公室",
        "东府办〔2011〕65号", D(2011, 5, 30), D(2011, 5, 30), "",
    ),
    "feicheng-2020-taskbreakdown.txt": (
        "肥城市人民政府办公室关于印发2020年肥城市政务公开重点工作任务分解表的通知", "肥城市人民政府办公室",
        "肥政办字〔2020〕12号", D(2020, 9, 10), D(2020, 9, 10), "",
    ),
    "guofang-2000-notice-lawsite.txt": (
        "关于印发《国防科技工业标准制定工作程序(试行)》的通知", "国防科学技术工业委员会", "科工法字〔2000〕851号",
        D(2000, 11, 13), D(2024, 7, 22),  # the law site's own date (时间:2024-07-22)
        "",
    ),
    "jiangmen-tasktable.txt": ("", "", "", None, None, ""),  # a task table: no metadata, no title
    "jianhu-consultation.txt": (
        "建湖县《关于深化出租汽车行业改革的实施意见》和《网络预约出租汽车经营服务管理实施细则(暂行)》公开征求意见",
        "", "", None, None, "",
    ),
    "jimei-2021-taskbreakdown.txt": (
        "2021年政务公开工作主要任务分解表", "厦门市集美区人民政府办公室", "", D(2021, 6, 29), None, "",
    ),
    "jinan-fuzhou-2016-annualreport.txt": (
        "福州市晋安区2016年政府信息公开工作年度报告", "区人民政府办公室", "", None, D(2017, 1, 12), "",
    ),
    "longgang-2024-annualreport.txt": ("", "", "", None, None, ""),  # starts at 一、总体情况
    "longtian-2021-annualreport.txt": (
        "龙田镇人民政府2021年政府信息公开工作年度报告", "龙田镇人民政府", "", None, D(2022, 1, 29), "",
    ),
    "qiqihar-2019-notice.txt": (
        "齐齐哈尔市人民政府办公室关于印发《齐齐哈尔市政务云平台管理实施细则》等三个文件的通知", "市人民政府办公室",
        "齐政办发〔2019〕29号", D(2019, 11, 29),
        D(2019, 12, 2),  # 上载日期; 发文日期 2019-11-29 is the signing date
        "20191202-189769",
    ),
    "shanghai-2022-annualreport.txt": ("2022年上海市政府信息公开工作年度报告", "", "", None, None, ""),
    "taihu-2019-rules.txt": (
        "太湖县人民政府关于印发《太湖县人民政府工作规则》的通知", "太湖县人民政府办公室", "",
        D(2019, 1, 23),  # 生成日期 as the catalog gives it (the signature says 2019年1月17日)
        D(2019, 1, 23), "003129766/201901-00336",
    ),
    "taizhou-2017-annualreport.txt": ("", "市政府办", "", None, D(2018, 2, 28), "014416330/2018-04736"),
    "weifang-2017-workplan.txt": ("潍坊市2017年政务公开工作要点实施方案", "", "", None, None, ""),
    "xinyu-2023-workplan.txt": ("2023年新余市政务公开工作要点", "新余市人民政府办公室", "", D(2023, 8, 7), None, ""),
    "yanzhou-2011-notice.txt": (
        "兖州市人民政府办公室关于印发兖州市政府信息发布协调工作规定(试行)等办法的通知", "兖州市人民政府办公室", "",
        D(2011, 5, 16),  # 二O一一年5月16日, with a Latin O
        D(2015, 11, 10), "",
    ),
    "yichun-2023-annualreport-spammirror.txt": ("", "", "", None, None, ""),
    "yima-2020-infoquota.txt": (
        "义马市人民政府办公室关于下达2020年度政务信息目标任务的通知", "义马市人民政府办公室", "义政办〔2020〕2号",
        None, None, "",
    ),
    "yueyang-2017-opinion.txt": (
        "中共岳阳市委办公室岳阳市人民政府办公室印发《关于全面推进政务公开工作的实施意见》的通知",
        None,  # issued jointly by two offices
        "岳办发〔2017〕2号", D(2017, 1, 10), D(2017, 1, 12), "",
    ),
    "zhenan-maoping-2022-annualreport.txt": ("", "镇安县政府", "", None, D(2023, 1, 30), "za779940273-2023-000071"),
    "zhenba-2024-rules.txt": (
        "镇巴县人民政府工作规则",
        "镇巴县人民政府",  # the page's 发文机构 says 县政府网站, a website
        "镇政发〔2024〕7号", None, D(2024, 4, 6), "6107280000/2024-001005",
    ),
    "zhengyang-pingli-2021-annualreport.txt": (
        "平利县正阳镇2021年度政府信息公开工作年度报告", "正阳镇", "", None, D(2022, 1, 26), "",
    ),
    "govcn-2018-newmedia-opinion.html": (
        "国务院办公厅关于推进政务新媒体健康有序发展的意见", "国务院办公厅", "国办发〔2018〕123号",
        D(2018, 12, 7), D(2018, 12, 27), "000014349/2018-00221",
    ),
    "chongqing-qianjiang-2018-workplan.txt": (
        "重庆市黔江区人民政府办公室关于转发《重庆市人民政府办公厅关于印发2018年重庆市政务公开工作要点的通知》的通知",
        "黔江区人民政府", "黔江府办发〔2018〕67号", D(2018, 7, 20), D(2018, 7, 20), "11500114009130039C/2018-00979",
    ),
    "guangzhou-2012-workplan.txt": (
        "印发2012年广州市政务公开工作要点的通知", "广州市人民政府办公厅", "穗府办〔2012〕16号",
        D(2012, 3, 25), D(2012, 3, 25), "",
    ),
    "sichuan-2010-workplan.txt": (
        "凉山州人民政府办公室转发《四川省人民政府办公厅关于印发2010年全省政务公开工作要点的通知》的通知",
        "凉山州人民政府办公室", "凉府办函〔2010〕211号", D(2010, 9, 8), D(2015, 11, 21), "",
    ),
}
FIELDS = ("title", "organisation", "document_number", "written_date", "published_date", "index_number")

# (page, field) → why it is still read wrong.
KNOWN: dict = {}  # (page, field): why it is not read yet (an expected failure that flags when fixed)


def page_path(name: str) -> Path:
    return SHARED_SAMPLES / name if (SHARED_SAMPLES / name).exists() else FIXTURES / name


_pages: dict[str, object] = {}


def read(name: str):
    if name not in _pages:
        _pages[name] = extract(page_path(name).read_text(encoding="utf-8"))
    return _pages[name]


def cases():
    for name, values in EXPECTED.items():
        for field_name, expected in zip(FIELDS, values):
            if field_name == "organisation" and expected is None:
                continue
            marks = []
            if (name, field_name) in KNOWN:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN[(name, field_name)])]
            yield pytest.param(name, field_name, expected, id=f"{name}:{field_name}", marks=marks)


@pytest.mark.parametrize("name,field_name,expected", list(cases()))
def test_real_page_field(name, field_name, expected):
    assert getattr(read(name), field_name) == expected


def test_every_fixture_has_expectations_and_a_source():
    pages = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in {".txt", ".html"})
    assert set(pages) <= set(EXPECTED)
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    for name in pages:
        assert f"| {name} |" in sources, name
