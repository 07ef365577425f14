"""Names and home addresses in the privacy scan (issue 17): a natural person's
name is found in context (after a label, in a list or a table of persons,
with an honorific or a gender mark), never from a surname character alone;
a home address down to the building, room or house; an organ's own address
and office numbers are not personal data; masks keep the surname and the
district."""

import datetime as dt
import time
from pathlib import Path

import pytest

from gongkai.publishing import findings, privacy
from gongkai.publishing.models import PrivacyFinding
from tests.publishing.test_findings import assert_nowhere, staff  # noqa: F401
from tests.real_pages import FOLDERS, all_pages

TODAY = dt.date(2026, 11, 23)


def found(text, kind=None):
    return [f.text for f in privacy.scan(text, TODAY) if kind is None or f.kind == kind]


def names(text):
    return found(text, privacy.NAME)


def addresses(text):
    return found(text, privacy.ADDRESS)


# --- Names --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # after a label
    ("申请人：王小明，联系电话：13812345678。", ["王小明"]),
    ("申请人王小明申请公开西昌市城区道路改造项目的批复。", ["王小明"]),
    ("姓名：李红 性别：女", ["李红"]),
    # the heading of a list of persons
    ("公示名单如下：刘德华、张学友、郭富城", ["刘德华", "张学友", "郭富城"]),
    ("获奖人员名单：周杰伦、蔡依林", ["周杰伦", "蔡依林"]),
    ("拟发放补贴人员：林俊杰、孙燕姿", ["林俊杰", "孙燕姿"]),
    ("联系人：欧阳娜娜，电话：0834-3221234", ["欧阳娜娜"]),
    ("经查，当事人周建华于2024年3月1日在安宁镇擅自占用耕地。", ["周建华"]),
    ("户主：杨德明，家庭人口3人，月保障金1200元。", ["杨德明"]),
    ("公示对象：赵秀英。公示期7天。", ["赵秀英"]),
    ("被处罚人：刘志强（个体工商户），违法事实如下。", ["刘志强"]),
    ("个体工商户“西昌市小明副食店”，经营者：马文斌，住所地：西昌市长安路。", ["马文斌"]),
    ("当事人：西昌市小明副食店（个体工商户），法定代表人：何小军。", ["何小军"]),
    ("举报人谢春梅反映，其邻居违规建房。", ["谢春梅"]),
    # a list of persons after a label
    ("2024年第一季度低保对象：王小明、李红、张伟、欧阳娜娜。", ["王小明", "李红", "张伟", "欧阳娜娜"]),
    ("经村民代表大会评议，黄德福、罗秀兰等2户符合临时救助条件。", ["黄德福", "罗秀兰"]),
    # honorifics and gender marks
    ("任命王小明同志为县民政局局长，免去李明同志的县民政局局长职务。", ["王小明", "李明"]),
    ("经研究，同意向李明同志学习。", ["李明"]),
    ("感谢陈建国先生、林晓燕女士的捐赠。", ["陈建国", "林晓燕"]),
    ("孙丽（女）、郑国强（男，1965年生）为本年度救助对象。", ["孙丽", "郑国强"]),
    ("申请人系本村村民，梁志刚，男，58岁，汉族。", ["梁志刚"]),
    ("何小平，女，身份证号码略。", ["何小平"]),
    # the salutation of a reply letter
    ("宋晓东：\n你于2024年3月1日通过网络提出的政府信息公开申请收悉。", ["宋晓东"]),
])
def test_names_in_context(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    # a spreadsheet (tab-separated), a CSV and a table pasted with spaces
    "序号\t姓名\t性别\t年龄\t保障金额（元）\n1\t冯玉兰\t女\t67\t600\n2\t蒋志\t男\t71\t600",
    "序号,户主姓名,家庭人口,村组,金额\n1,冯玉兰,2,幸福村3组,600\n2,蒋志,1,幸福村4组,600",
    "序号  姓名  性别  所在村\n1  冯玉兰  女  幸福村\n2  蒋志  男  团结村",
    # a Word or web table read one cell a line
    "西昌市2024年临时救助对象名单\n序号\n姓名\n性别\n救助金额（元）\n1\n冯玉兰\n女\n500\n2\n蒋志\n男\n800",
], ids=["tsv", "csv", "spaces", "cell-per-line"])
def test_names_in_a_table_column_headed_with_name(text):
    assert names(text) == ["冯玉兰", "蒋志"]


def test_only_the_name_column_of_a_roster_counts():
    """Relations, schooling and villages in the other columns look like names
    (孙子 is 孙 and 子, 高中 is 高 and 中), and are not."""
    roster = ("序号\t姓名\t与户主关系\t文化程度\t住房\t所在村\n"
              "1\t冯玉兰\t户主\t文盲\t危房\t李家村\n"
              "2\t蒋志\t孙子\t高中\t安置房\t万家村\n"
              "3\t蒋晓\t孙女\t初中\t危房\t石柱村")
    assert names(roster) == ["冯玉兰", "蒋志", "蒋晓"]
    cells = "序号\n姓名\n与户主关系\n文化程度\n1\n冯玉兰\n户主\n文盲\n2\n蒋志\n孙子\n高中"
    assert names(cells) == ["冯玉兰", "蒋志"]


@pytest.mark.parametrize("text", [
    "名单：市政府办公室、市财政局",
    "参会人员：各县市区政府分管领导",
    "人员：工作人员、管理人员",
    # already de-identified
    "申请人：张某某，联系方式已隐去。", "当事人王某，女，45岁。", "被处罚人：李某甲、李某乙。", "联系人：张*，电话略。",
    "户主：王**。", "经查，当事人刘某某（男）于2024年……", "低保对象：王某、李某某、张**等3户。",
    "序号,姓名,身份证号码\n1,张某某,略\n2,王*,略",
    # organisations and places where a name may stand
    "申请人：成都市锦江区某某科技有限公司。", "被申请人：四川省人民政府。", "当事人：西昌市王记餐馆。",
    "当事人：张家港市华通物流有限公司，法定代表人：王小明。",  # a company's legal representative is public
    "申请人：李家村村民委员会", "联系人：镇民政办。", "联系人：王老师；联系人：李科长；联系人：张先生。",
    # place names in policy text
    "王府井步行街改造工程由高新区管委会负责。", "张家港市、周口市、武侯区的经验值得推广。",
    "李家村是黄河流域生态保护的示范村。", "吉林、江西、安徽三省参加试点。",
    # ordinary words that start with a surname character
    "王国 高度 石油 方案 常务 于是 向社会 万元 林业 金额 何时 文件 江河",
    "各地要高度重视，于是年底前完成方案，向社会公开资金万元以上的项目文件，林业部门核对金额。",
    # honorifics after words, not names
    "以习近平同志为核心的党中央。全体同志、广大党员干部同志、年轻同志要主动作为。",
    "主要负责同志亲自研究部署，分管负责同志具体抓。各位女士、先生：欢迎参加。",
    "比赛设单打（男）、双打（女）、游泳（男）、田径（女）等项目。",
    # labels followed by ordinary words
    "申请人应当如实填写；申请人有权依法申请行政复议；当事人陈述、申辩的，行政机关应当听取。",
    "申请人对答复不服的，可以申请行政复议。申请人向我局申请公开。当事人于收到本决定书之日起十五日内缴纳罚款。",
    "姓名、性别、民族、出生年月、籍贯、学历、职务。姓名和联系方式仅供起草单位研究参考。申请人查询码：",
    "学生安全教育；村民代表大会；居民委员会换届；职工代表大会；经营者应当明码标价。",
    # a template's example names
    "填写示例：申请人姓名：张三；代理人：李四。",
])
def test_not_names(text):
    assert names(text) == []


def test_name_masks_keep_the_surname():
    assert privacy.mask_value("name", "王小明") == "王**"
    assert privacy.mask_value("name", "王明") == "王**"  # the length of the given name is hidden too
    assert privacy.mask_value("name", "欧阳娜娜") == "欧阳**"
    assert privacy.mask_value("name", "欧阳明") == "欧阳**"
    text = "申请人：王小明，联系人：欧阳娜娜。"
    masked = privacy.mask(text, privacy.scan(text, TODAY))
    assert masked == "申请人：王**，联系人：欧阳**。"
    assert privacy.scan(masked, TODAY) == []  # a masked name is a de-identified one


def test_the_surname_list_holds_single_and_compound_surnames():
    assert {"王", "李", "张", "刘", "陈", "肖", "覃"} <= privacy.SINGLE_SURNAMES
    assert {"欧阳", "司马", "上官", "诸葛", "令狐"} <= privacy.COMPOUND_SURNAMES
    assert len(privacy.SINGLE_SURNAMES) > 400 and "第五" not in privacy.COMPOUND_SURNAMES
    assert privacy.surname_of("司马光明") == "司马" and privacy.surname_of("司明") == "司"


# --- Addresses ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("申请人住成都市武侯区人民南路四段12号2栋3单元401室。", "成都市武侯区人民南路四段12号2栋3单元401室"),
    ("家庭住址：西昌市安宁镇幸福村3组12号", "西昌市安宁镇幸福村3组12号"),
    ("现住西昌市长安街道锦绣小区5幢12号，", "西昌市长安街道锦绣小区5幢12号"),
    ("户籍地址：重庆市黔江区城东街道下坝社区8号楼", "重庆市黔江区城东街道下坝社区8号楼"),
    ("通信地址：北京市朝阳区建国路88号院3号楼2单元1501", "北京市朝阳区建国路88号院3号楼2单元1501"),
    ("现住上海市黄浦区南京东路123弄4号501室。", "上海市黄浦区南京东路123弄4号501室"),
    ("住所地：西昌市航天大道三段18号。", "西昌市航天大道三段18号"),  # after a residence label: down to the house number
    ("王小明，男，家住凉山州会理市鹿厂镇铜矿村二组15号。", "凉山州会理市鹿厂镇铜矿村二组15号"),
])
def test_home_addresses(text, expected):
    assert addresses(text) == [expected]


@pytest.mark.parametrize("text", [
    # an organ's own address in its contact block
    "成都市武侯区人民政府（地址：成都市武侯区武侯祠大街260号7栋3单元；邮编：610041）",
    "办公地址：成都市高新区天府大道中段1700号9栋2单元501室。",
    "西昌市民政局，通信地址：西昌市航天大道三段12号2栋3单元，邮编615000。",
    "请与泰州市人民政府办公室政府信息公开处联系(地址:泰州市海陵区凤凰东路58号;邮编:225300)。",
    "县交通运输局，邮寄地址：建湖县近湖镇安康路33号。",
    # places and works in policy text
    "人民路改造工程（人民路12号至88号段）年内完工。", "对幸福小区3栋进行抗震加固。",
    "下坝社区5号楼加装电梯工程已开工。", "中山路12号楼外立面改造。", "会议在县政府3楼301室召开。",
    # not down to a house
    "当事人住西昌市安宁镇。", "户籍地：西昌市安宁镇幸福村3组。", "渝府办发〔2018〕76号", "国务院令第711号",
])
def test_not_home_addresses(text):
    assert addresses(text) == []


def test_address_masks_keep_province_city_and_district():
    assert privacy.mask_value("address", "成都市武侯区人民南路四段12号2栋3单元401室") == "成都市武侯区****"
    assert privacy.mask_value("address", "四川省凉山彝族自治州西昌市安宁镇幸福村3组12号") == "四川省凉山彝族自治州西昌市****"
    assert privacy.mask_value("address", "西昌市安宁镇幸福村3组12号") == "西昌市****"
    assert privacy.mask_value("address", "锦绣小区5幢12号") == "****"
    text = "申请人王小明，住成都市武侯区人民南路四段12号2栋3单元401室，电话13812345678。"
    masked = privacy.mask(text, privacy.scan(text, TODAY))
    assert masked == "申请人王**，住成都市武侯区****，电话138****5678。"
    assert privacy.scan(masked, TODAY) == []


# --- Office numbers -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "咨询电话：0834-3221234", "办公电话：0834-3221234", "传真：0834-3221235", "监督电话：0834-3221236",
    "举报电话：0834-3221237、13981234567", "值班电话：0834-3221238", "投诉电话：13981234567",
    "西昌市民政局，联系电话：0834-3221234。", "如对本报告有任何疑问，可致电西昌市人民政府办公室，电话：0834-3221234。",
    "请与西昌市人民政府办公室联系（地址：西昌市航天大道1号；邮编：615000；电话：0834-3221234；传真：0834-3221235）。",
    "编辑出版 西昌市人民政府公报编辑部\n地 址 西昌市航天大道1号\n电 话 0834-3221234",
])
def test_office_numbers_are_not_personal_data(text):
    assert found(text) == []


@pytest.mark.parametrize("text, number", [
    ("申请人：王小明，联系电话：13812345678。", "13812345678"),
    ("联系人：王小明，咨询电话：13812345678", "13812345678"),  # a person's number, whatever the label
    ("联系人电话：13912345678", "13912345678"),
    ("请联系经办人张某，手机13812345678。", "13812345678"),
    ("当事人：张某某。联系电话：13981234567，固定电话0834-3221234。", "0834-3221234"),
    ("办公室电话：023-79223456，邮箱zhang.wei@example.com。", "023-79223456"),  # whose office is not said
    ("联系电话：13812345678", "13812345678"),  # no organ named before it
])
def test_personal_numbers_are_still_found(text, number):
    assert number in found(text)


# --- As findings of a document ---------------------------------------------------

RELIEF_NOTICE = (
    "关于2024年第一季度临时救助对象的公示\n"
    "经村民代表大会评议，拟对冯玉兰（女，67岁，住西昌市安宁镇幸福村3组12号）给予临时救助。\n"
    "联系人：王建华（县民政局社会救助股股长），联系电话：0834-3221234。\n"
    "西昌市民政局 咨询电话：0834-3221235，监督电话：0834-3221236。"
)
RELIEF_VALUES = ["冯玉兰", "幸福村3组12号", "王建华", "3221234"]


@pytest.mark.django_db
def test_names_and_addresses_are_masked_or_waived_like_any_finding(org_tree, make_document, staff):  # noqa: F811
    doc = make_document(org_tree["county"], "关于2024年第一季度临时救助对象的公示", RELIEF_NOTICE, publish=False)
    found_open = findings.scan_document(doc)
    assert [(f.kind, f.masked) for f in found_open] == [
        ("name", "冯**"), ("address", "西昌市****"), ("name", "王**"), ("landline", "0834-*****34"),
    ]
    assert [f.get_kind_display() for f in found_open[:2]] == ["姓名", "住址"]  # as the workspace shows them
    assert all(f.masked in f.context for f in found_open)
    assert "冯玉兰" not in "".join(f.context for f in found_open)
    # The official in his public role is kept on a ground, as any finding is.
    official = next(f for f in found_open if f.masked == "王**")
    findings.waive_finding(official, staff["secrecy"], PrivacyFinding.WaiverGround.PUBLIC_ROLE, "民政局工作人员履职联系方式。")
    assert findings.mask_all(doc, staff["drafter"]) == 3
    doc.refresh_from_db()
    assert "冯**（女，67岁，住西昌市****）" in doc.body_text and "王建华" in doc.body_text
    assert "0834-3221235" in doc.body_text  # the office numbers were never findings
    assert findings.scan_document(doc) == [] and findings.blocking_message(doc) is None
    assert PrivacyFinding.objects.get(pk=official.pk).state == PrivacyFinding.State.WAIVED
    assert_nowhere(RELIEF_VALUES)


# --- Real pages, speed ----------------------------------------------------------

# Every name or address the scan finds on the saved real pages, each checked
# by hand: (page, kind, text). None so far: the pages are work plans, annual
# reports and notices; the one masthead with editors' names (dazhou-2009) has
# no label the scan reads as a private person's.
REVIEWED_REAL_FINDINGS: set[tuple[str, str, str]] = set()


SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def _real_pages():
    """all_pages(), the work plans and quota notices beside the workplan
    tests, and ../shared/samples (copied into the repository; read there too
    when it is beside the checkout, as in CI)."""
    pages = {p.name: p for folder in FOLDERS[1:3] for p in folder.iterdir() if p.suffix == ".txt"}
    if SHARED_SAMPLES.is_dir():
        pages.update({p.name: p for p in [*SHARED_SAMPLES.iterdir(), *(SHARED_SAMPLES / "real").iterdir()]
                      if p.suffix in (".txt", ".html")})
    pages.update({p.name: p for p in all_pages()})
    return sorted(pages.values())


def test_real_pages_hold_no_names_or_addresses_beyond_the_reviewed_ones():
    from gongkai.ingest.extract import html_to_text

    hits = set()
    for page in _real_pages():
        text = page.read_text(encoding="utf-8")
        if page.suffix == ".html":
            text = html_to_text(text)[0]
        hits |= {(page.name, f.kind, f.text) for f in privacy.scan(text, TODAY) if f.kind in ("name", "address")}
    assert len(_real_pages()) >= 30
    assert hits == REVIEWED_REAL_FINDINGS


def test_the_scan_stays_linear():
    """Four times the text takes about four times as long (not sixteen): no
    pattern backtracks over the whole text, no list of findings is searched
    for each finding. CPU time, so that other processes do not count."""
    page = "\n".join(p.read_text(encoding="utf-8") for p in _real_pages())
    roster = "序号\t姓名\t性别\n" + "".join(f"{i}\t王小明\t男\n" for i in range(200))
    small = (page + roster) * 2
    large = small * 4

    def timed(text):
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            privacy.scan(text, TODAY)
            best = min(best, time.process_time() - start)
        return best

    assert timed(large) < 10 * timed(small) + 0.05  # quadratic would be 16 times
