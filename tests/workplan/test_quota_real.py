"""Quota notices from real governments (fixtures/quotas/real/, sources in its
SOURCES.md): every unit and number counted from the page by hand, the
windows and kinds of number (items or points) the page states, and two
renderings of one notice checked against each other."""

import io
import json

import pytest
from django.core.management import call_command

from gongkai.ingest.services import read_page
from gongkai.workplan.quota_table import Span, extract_quotas
from tests.real_pages import real_page


def _table(name):
    return extract_quotas(read_page(real_page(name)))


def _rows(table):
    return [(r.unit, r.number) for r in table.rows]


def _by_group(table):
    out: dict[str, list] = {}
    for r in table.rows:
        out.setdefault(r.group, []).append((r.unit, r.number))
    return out


DAZHOU_2012_COUNTIES = [(u, 180) for u in ["通川區", "達縣", "萬源市", "宣漢縣", "大竹縣", "渠縣", "開江縣"]]
DAZHOU_2012_DEPARTMENTS = [
    ("市發改委", 30), ("市經信委", 30), ("市教育局", 30), ("市科技局", 20), ("市公安局", 30), ("市監察局", 20),
    ("市民政局", 30), ("市司法局", 20), ("市財政局", 20), ("市人力資源社會保障局", 30), ("市國土資源局", 20),
    ("市環保局", 20), ("市住房和城鄉規劃建設局", 30), ("市交通運輸局", 30), ("市水務局", 30), ("市農業局", 30),
    ("市林業局", 20)]  # then "市" cut off by the excerpt: no number, no row


def test_dazhou_2012_two_pairs_a_row_in_crawler_text():
    table = _table("dazhou-2012-infoquota-mirror.txt")
    assert table.title == "2012年度全市政務信息目標任務"
    assert table.columns == ["目標分值"] and table.measure == "分"  # points, not items
    # "達 縣", "渠 縣" (spaced out to align) are joined; the mirror's pinyin "區(qū)" is dropped.
    assert _by_group(table) == {"一、縣、市、區目標分??": DAZHOU_2012_COUNTIES,
                                "二、市級部門目標任務": DAZHOU_2012_DEPARTMENTS}
    assert table.total == 7 * 180 + 10 * 30 + 7 * 20 == 1700
    assert table.windows == {} and table.suggested_period() is None and table.warnings == []


DAZHOU_2009_DEPARTMENTS_MIRROR = [
    ("市發展改革委", 30), ("市經委", 20), ("市教育局", 20), ("市科技局", 20), ("市公安局", 20), ("市監察局", 20),
    ("市民政局", 30), ("市司法局", 20), ("市財政局", 20), ("市人事局", 20), ("市勞動保障局", 30), ("市國土資源局", 20),
    ("市規劃建設局", 20), ("市交通局", 30), ("市水利局", 20), ("市農業局", 20), ("市林業局", 30), ("市商務局", 20),
    ("市文化局", 20), ("市衛生局", 20), ("市計生委", 20), ("市審計局", 30), ("市統計局", 30), ("市環保局", 20),
    ("市廣電局", 20), ("市糧食局", 20), ("市體育局", 20), ("市安監局", 20), ("市畜牧食品局", 30), ("市外僑辦", 20),
    ("市國稅局", 20), ("市地稅局", 30), ("市工商局", 20), ("市藥監局", 20), ("市質監局", 20)]


def test_dazhou_2009_mirror():
    table = _table("dazhou-2009-infoquota-mirror.txt")
    assert table.title == "2009年度全市政務信息目標任務考核辦法"
    assert table.columns == ["目標分數"] and table.measure == "分"
    assert _by_group(table) == {
        "一、縣(市、區)目標分數": [(u, 150) for u in ["通川區", "達縣", "萬源市", "宣漢縣", "大竹縣", "渠縣", "開江縣"]],
        "二、市級部門目標任務": DAZHOU_2009_DEPARTMENTS_MIRROR}
    assert table.total == 7 * 150 + 9 * 30 + 26 * 20 == 1840


DAZHOU_2009 = [(u, 150) for u in ["通川区", "达县", "万源市", "宣汉县", "大竹县", "渠县", "开江县"]] + [
    ("市发展改革委", 30), ("市经委", 20), ("市教育局", 20), ("市科技局", 20), ("市公安局", 20), ("市监察局", 20),
    ("市民政局", 30), ("市司法局", 20), ("市财政局", 20), ("市人事局", 20), ("市劳动保障局", 30)]  # "市国土资源" cut off


def test_dazhou_2009_one_cell_a_line_on_the_governments_own_site():
    table = _table("dazhou-2009-infoquota.txt")
    assert table.title == "2009年度全市政务信息目标任务考核办法"
    assert _rows(table) == DAZHOU_2009
    assert table.groups == ["一、县(市、区)目标分数", "二、市级部门目标任务"]
    # The gazette's masthead ("邮 编 635000", "电 话 0818-2101939") gives no row.
    assert table.columns == ["目标分数"] and table.measure == "分" and table.total == 1300


def test_the_two_renderings_of_the_2009_notice_agree():
    mirror, own = _table("dazhou-2009-infoquota-mirror.txt"), _table("dazhou-2009-infoquota.txt")
    shared = len(own.rows)
    assert [(len(r.unit), r.number, r.group[:2]) for r in mirror.rows[:shared]] == \
        [(len(r.unit), r.number, r.group[:2]) for r in own.rows]


CHENGDU_DISTRICTS = [
    ("锦江区", 120), ("青羊区", 120), ("金牛区", 120), ("武侯区", 120), ("成华区", 120), ("龙泉驿区", 100),
    ("青白江区", 100), ("新都区", 100), ("温江区", 100), ("都江堰市", 80), ("彭州市", 80), ("邛崃市", 80),
    ("崇州市", 80), ("金堂县", 80), ("双流县", 100), ("郫县", 100), ("大邑县", 80), ("蒲江县", 80), ("新津县", 80)]
DISTRICTS_TOTAL = 5 * 120 + 6 * 100 + 8 * 80  # 1840


def test_chengdu_2006_pairs_a_line():
    table = _table("chengdu-2006-infoquota.txt")
    assert table.title == "2006年全市政务信息工作目标任务"
    assert _by_group(table) == {
        "一、各区(市)县政府(采用条数)": CHENGDU_DISTRICTS + [("高新区管委会", 120)],
        "二、市政府各部门及有关单位(采用条数)": [
            ("市计委", 60), ("市经委", 60), ("市教育局", 50), ("市科技局", 50), ("市民宗局", 20), ("市公安局", 100),
            ("市监察局", 20), ("市民政局", 50), ("市司法局", 15), ("市财政局", 20), ("市人事局(含编办)", 30)]}
    # The notice's own lines (成办发〔2006〕30号, 时间:2018-11-13 14:43:36, 1.2006年…) give no row.
    assert table.columns == ["任务数"] and table.measure == "条" and table.total == DISTRICTS_TOTAL + 120 + 475 == 2435


def test_chengdu_2007_pairs_glued_without_spaces():
    table = _table("chengdu-2007-infoquota.txt")
    assert table.title == "2007年全市政务信息报送任务"
    assert _by_group(table) == {
        "一、各区(市)县政府(采用数)": CHENGDU_DISTRICTS,  # "新津县80" alone on its line
        "二、市政府各部门及有关单位(采用数)": [
            ("成都高新区", 120), ("市发改委", 60), ("市经委(含能源办)", 60), ("市教育局", 50), ("市科技局(含产权局)", 50),
            ("市民宗局", 20), ("市公安局", 100), ("市民政局", 50), ("市司法局", 15), ("市财政局", 20),
            ("市人事局(含编办)", 30)]}  # "市劳动保障" cut off
    assert table.total == DISTRICTS_TOTAL + 575 == 2415


YIMA_50 = ["产业聚集区管委会", "公安局", "财政局", "发展和改革委员会", "农业农村局", "住房和城乡建设局", "城市管理局",
           "文化广电和旅游局", "人力资源和社会保障局", "教育体育局", "商务局(招商服务局)", "市场监管局", "水利局", "交通运输局",
           "自然资源和规划局", "三门峡市生态环境局义马分局", "卫生健康委员会", "工业信息化和科技局", "新区街道办事处",
           "东区街道办事处"]
YIMA_30 = ["民政局", "审计局", "统计局", "信访局", "政务服务和大数据管理局", "应急管理局", "金融工作局", "司法局", "医疗保障局",
           "税务局", "千秋路街道办事处", "朝阳路街道办事处", "新义街街道办事处", "常村路街道办事处", "泰山路街道办事处",
           "中国人民银行义马支行"]
YIMA_15 = ["人民防空办公室", "退役军人事务局", "残联", "科协", "公共资源交易中心", "供销社", "粮油流通储备管理中心",
           "机关事务管理局", "工商银行义马支行", "农业银行义马支行", "中国银行义马支行", "建设银行义马支行", "农发行义马支行",
           "农商银行", "中原银行义马支行", "洛阳银行", "邮政储蓄银行义马支行", "人保公司义马分公司", "寿险公司义马分公司"]


def test_yima_2020_units_grouped_by_annual_target():
    table = _table("yima-2020-infoquota.txt")
    assert table.title == "关于下达2020年度政务信息目标任务的通知"
    assert _by_group(table) == {"(一)全年任务为50分以上的单位(20个)": [(u, 50) for u in YIMA_50],
                                "(二)全年任务30分以上的单位(16个)": [(u, 30) for u in YIMA_30],
                                "(三)全年任务15分以上的单位(27个)": [(u, 15) for u in YIMA_15]}
    assert (len(YIMA_50), len(YIMA_30)) == (20, 16)  # as the headings announce
    assert table.columns == ["全年"] and table.windows == {"全年": Span(1, 12)} and table.measure == "分"
    assert table.suggested_period() == ("year", "")
    # The excerpt ends in the middle of the third list ("…、邮"): the reader says so.
    assert table.warnings == ["“(三)全年任务15分以上的单位(27个)”写明27个单位，读到19个，请核对。"]
    assert table.total == 20 * 50 + 16 * 30 + 19 * 15


def test_the_2006_and_2007_chengdu_notices_agree_on_the_districts():
    d2006, d2007 = (_table(f"chengdu-{year}-infoquota.txt").rows[:19] for year in (2006, 2007))
    assert [(r.unit, r.number) for r in d2006] == [(r.unit, r.number) for r in d2007] == CHENGDU_DISTRICTS


@pytest.mark.django_db
def test_the_command_reads_a_real_notice():
    out = io.StringIO()
    call_command("workplan", "quotas", str(real_page("chengdu-2007-infoquota.txt")), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["title"], data["total"], len(data["rows"])) == ("2007年全市政务信息报送任务", 2415, 30)
    assert data["rows"][0] == {"unit": "锦江区", "number": 120, "numbers": {"任务数": 120}, "organisation": None}
