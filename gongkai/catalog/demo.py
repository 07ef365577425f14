"""The demo catalog of the demo region (gongkai.demo: `gongkai demo`, `gongkai serve --demo`).

A deterministic, realistic catalog: the people's government of a province
(四川省) with its departments, four cities (市、州), twelve counties and
fifteen townships, each with its issuer code (机关代字) and a valid unified
social credit code used as index-number prefix; about 2,000 documents with
real-looking titles, document numbers, topics, genres, dates, validity and
citations (cites / forwards / interprets / amends / abolishes), some of them to
national documents outside the catalog; and the three real sample pages.

Two halves:
- `generate(size, seed)` plans the catalog without touching the database: a
  pure function of its arguments, so two runs give the same titles and numbers.
  Bodies are rendered on demand by `render_body(doc)` (seeded per document), so
  the benchmark can stream 100,000 documents without holding their text.
- `load_catalog(plan)` creates the plan through the catalog services, the way
  every other caller does. Its pieces (`create_organisations`,
  `vocabulary_lookup`, `create_planned`) serve the benchmark too.

The demo region as a whole (the sample pages, staff, guides, applications, the
work plan, tickets) is composed above every app, in gongkai.demo: the catalog
imports none of the apps built on it.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.core import creditcode
from gongkai.core.docnumber import format_number
from gongkai.core.dates import date_text

SEED = 20190515  # the day the revised 政府信息公开条例 took effect
DEFAULT_SIZE = 2000
FIRST_DAY = dt.date(2019, 1, 2)
LAST_DAY = dt.date(2026, 10, 30)
SAMPLES_DIR = Path(__file__).resolve().parent / "demo_samples"

# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------

# Which counterpart each sector's circulars are addressed to.
SECTORS = {
    "office": ("办公厅", "政府办公室"),
    "dev": ("发展改革委", "发展改革部门"),
    "edu": ("教育厅", "教育行政部门"),
    "fin": ("财政厅", "财政局"),
    "hr": ("人力资源社会保障厅", "人力资源社会保障局"),
    "nat": ("自然资源厅", "自然资源主管部门"),
    "env": ("生态环境厅", "生态环境局"),
    "build": ("住房城乡建设厅", "住房城乡建设主管部门"),
    "agri": ("农业农村厅", "农业农村局"),
    "health": ("卫生健康委", "卫生健康委（局）"),
    "civil": ("民政厅", "民政局"),
    "market": ("市场监管局", "市场监管局"),
    "emerg": ("应急管理厅", "应急管理局"),
    "culture": ("文化和旅游厅", "文化和旅游主管部门"),
}

PROVINCE = {
    "name": "四川省人民政府", "place": "四川省", "division": "510000", "code": "川府发", "gov": "省政府",
    "area": "028", "office": ("四川省人民政府办公厅", "川办发"),
    "departments": [
        ("四川省发展和改革委员会", "川发改发", "dev"),
        ("四川省教育厅", "川教发", "edu"),
        ("四川省财政厅", "川财发", "fin"),
        ("四川省人力资源和社会保障厅", "川人社发", "hr"),
        ("四川省自然资源厅", "川自然资发", "nat"),
        ("四川省生态环境厅", "川环发", "env"),
        ("四川省住房和城乡建设厅", "川建发", "build"),
        ("四川省农业农村厅", "川农发", "agri"),
        ("四川省卫生健康委员会", "川卫发", "health"),
        ("四川省民政厅", "川民发", "civil"),
        ("四川省市场监督管理局", "川市监发", "market"),
        ("四川省应急管理厅", "川应急发", "emerg"),
        ("四川省文化和旅游厅", "川文旅发", "culture"),
    ],
}

# city: (government, place, division, issuer code, "市"/"州", area code, office, departments, counties)
# county: (government, place, division, issuer code, "市"/"县"/"区", townships)
CITIES = [
    ("成都市人民政府", "成都市", "510100", "成府发", "市", "028", ("成都市人民政府办公厅", "成办发"),
     [("成都市教育局", "成教发", "edu"), ("成都市财政局", "成财发", "fin"),
      ("成都市住房和城乡建设局", "成住建发", "build"), ("成都市生态环境局", "成环发", "env")],
     [("都江堰市人民政府", "都江堰市", "510181", "都府发", "市", ["青城山镇", "聚源镇"]),
      ("彭州市人民政府", "彭州市", "510182", "彭府发", "市", ["丹景山镇"]),
      ("成都市郫都区人民政府", "郫都区", "510117", "郫府发", "区", ["犀浦街道"])]),
    ("绵阳市人民政府", "绵阳市", "510700", "绵府发", "市", "0816", ("绵阳市人民政府办公室", "绵府办发"),
     [("绵阳市教育和体育局", "绵教体发", "edu"), ("绵阳市财政局", "绵财发", "fin"),
      ("绵阳市农业农村局", "绵农发", "agri"), ("绵阳市民政局", "绵民发", "civil")],
     [("江油市人民政府", "江油市", "510781", "江府发", "市", ["武都镇"]),
      ("三台县人民政府", "三台县", "510722", "三府发", "县", ["芦溪镇"]),
      ("绵阳市安州区人民政府", "安州区", "510705", "安府发", "区", ["花荄镇"])]),
    ("凉山彝族自治州人民政府", "凉山州", "513400", "凉府发", "州", "0834", ("凉山彝族自治州人民政府办公室", "凉府办发"),
     [("凉山彝族自治州教育和体育局", "凉教体发", "edu"), ("凉山彝族自治州财政局", "凉财发", "fin"),
      ("凉山彝族自治州卫生健康委员会", "凉卫发", "health"), ("凉山彝族自治州农业农村局", "凉农发", "agri")],
     [("西昌市人民政府", "西昌市", "513401", "西府发", "市", ["安宁镇", "礼州镇"]),
      ("会理市人民政府", "会理市", "513402", "会府发", "市", ["鹿厂镇"]),
      ("冕宁县人民政府", "冕宁县", "513433", "冕府发", "县", ["泸沽镇"])]),
    ("乐山市人民政府", "乐山市", "511100", "乐府发", "市", "0833", ("乐山市人民政府办公室", "乐府办发"),
     [("乐山市教育局", "乐教发", "edu"), ("乐山市财政局", "乐财发", "fin"),
      ("乐山市文化广播电视和旅游局", "乐文旅发", "culture"), ("乐山市生态环境局", "乐环发", "env")],
     [("峨眉山市人民政府", "峨眉山市", "511181", "峨府发", "市", ["黄湾镇", "绥山镇"]),
      ("夹江县人民政府", "夹江县", "511126", "夹府发", "县", ["甘江镇"]),
      ("犍为县人民政府", "犍为县", "511123", "犍府发", "县", ["清溪镇"])]),
]

# Two departments per county, in turn: (name suffix, issuer-code stem, sector).
COUNTY_DEPARTMENTS = [
    ("教育局", "教", "edu"), ("财政局", "财", "fin"), ("农业农村局", "农", "agri"),
    ("卫生健康局", "卫", "health"), ("民政局", "民", "civil"), ("住房和城乡建设局", "住建", "build"),
]


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    short_name: str
    level: str  # a gongkai.core.models.Organisation.Level value
    kind: str  # government / office / department / township
    parent: str | None
    issuer_code: str
    credit_code: str
    place: str  # 四川省, 成都市, 凉山州, 西昌市, 安宁镇
    we: str  # how its documents name their own area: 我省, 我市, 我州, 我县, 我镇
    superiors: str  # whose decisions its documents carry out
    addressees: str
    meeting: str  # the body that adopts its documents
    report_to: str  # where subordinate units send their reports
    subunits: str
    area_code: str
    sector: str = ""
    weight: int = 1

    @property
    def letter_code(self) -> str:
        """The issuer code of its letters (函): 川府发 → 川府函."""
        return self.issuer_code[:-1] + "函" if self.issuer_code.endswith("发") else self.issuer_code


def _organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its check character."""
    body = "00" + "".join(rng.choice("0123456789") for _ in range(6))
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(c) * w for c, w in zip(body, weights)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(rng: random.Random, division: str) -> str:
    """A valid unified social credit code of a government body (机关: 1 1) in `division`."""
    first17 = "11" + division + _organisation_code(rng)
    return first17 + creditcode.check_character(first17)


def build_organisations(rng: random.Random) -> list[OrgSpec]:
    """The organisation tree, parents before children."""
    orgs: list[OrgSpec] = []
    used_codes: set[str] = set()

    def credit(division):
        while True:
            code = make_credit_code(rng, division)
            if code not in used_codes:
                used_codes.add(code)
                return code

    def add(**kw) -> OrgSpec:
        spec = OrgSpec(credit_code=credit(kw.pop("division")), **kw)
        orgs.append(spec)
        return spec

    p = PROVINCE
    prov_addr = "各市（州）人民政府，省政府各部门、各直属机构："
    province = add(
        key="province", name=p["name"], short_name=p["place"], level="province", kind="government", parent=None,
        issuer_code=p["code"], place=p["place"], we="我省", superiors="党中央、国务院", addressees=prov_addr,
        meeting="省政府常务会议", report_to="省政府办公厅", subunits="各市（州）", area_code=p["area"],
        division=p["division"], weight=30,
    )
    add(key="province-office", name=p["office"][0], short_name="省政府办公厅", level="department", kind="office",
        parent=province.key, issuer_code=p["office"][1], place=p["place"], we="我省", superiors=province.superiors,
        addressees=prov_addr, meeting="省政府", report_to="省政府办公厅", subunits="各市（州）",
        area_code=p["area"], division=p["division"], sector="office", weight=40)
    for i, (name, code, sector) in enumerate(p["departments"]):
        own, counterpart = SECTORS[sector]
        unit = "厅" if name.endswith("厅") else ("委" if name.endswith("委员会") else "局")
        short = "省" + name.removeprefix("四川省").replace("委员会", "委").replace("发展和改革", "发展改革")
        add(key=f"province-{sector}", name=name, short_name=short,
            level="department", kind="department", parent=province.key, issuer_code=code, place=p["place"],
            we="我省", superiors=province.superiors,
            addressees=f"各市（州）{counterpart}，{unit}机关各处室、直属单位：", meeting=f"{unit}务会议",
            report_to="省" + own, subunits="各市（州）", area_code=p["area"], division=p["division"],
            sector=sector, weight=10)

    for c_index, (gname, cplace, cdiv, ccode, cunit, area, office, departments, counties) in enumerate(CITIES):
        ckey = f"city{c_index}"
        county_word = "各县市" if cunit == "州" else "各县（市、区）"
        c_addr = (f"{county_word}人民政府，{cunit}级各部门：" if cunit == "州"
                  else f"{county_word}人民政府，{cunit}政府各部门：")
        city = add(
            key=ckey, name=gname, short_name=cplace, level="city", kind="government", parent=province.key,
            issuer_code=ccode, place=cplace, we=f"我{cunit}", superiors="党中央、国务院和省委、省政府",
            addressees=c_addr, meeting=f"{cunit}政府常务会议", report_to=f"{cunit}政府办公室",
            subunits="各县（市、区）", area_code=area, division=cdiv, weight=20,
        )
        office_short = cplace + ("政府办公厅" if office[0].endswith("办公厅") else "政府办公室")
        add(key=f"{ckey}-office", name=office[0], short_name=office_short, level="department", kind="office",
            parent=ckey, issuer_code=office[1], place=cplace, we=city.we, superiors=city.superiors,
            addressees=c_addr, meeting=f"{cunit}政府", report_to=office_short, subunits=city.subunits,
            area_code=area, division=cdiv, sector="office", weight=25)
        for name, code, sector in departments:
            counterpart = SECTORS[sector][1]
            short = name.replace("凉山彝族自治州", "凉山州").replace("委员会", "委")
            add(key=f"{ckey}-{sector}", name=name, short_name=short, level="department", kind="department",
                parent=ckey, issuer_code=code, place=cplace, we=city.we, superiors=city.superiors,
                addressees=f"{county_word}{counterpart}，局属各单位：", meeting="局务会议", report_to=short,
                subunits="各县（市、区）", area_code=area, division=cdiv, sector=sector, weight=6)
        for k_index, (kname, kplace, kdiv, kcode, kunit, towns) in enumerate(counties):
            kkey = f"{ckey}-county{k_index}"
            stem = kname.removesuffix("人民政府")
            prefix = kcode[0]
            k_addr = (f"各镇人民政府、街道办事处，{kunit}级各部门：" if kunit == "区"
                      else f"各乡镇人民政府、街道办事处，{kunit}级各部门：")
            county = add(
                key=kkey, name=kname, short_name=kplace, level="county", kind="government", parent=ckey,
                issuer_code=kcode, place=kplace, we=f"我{kunit}", superiors=f"省委、省政府和{cunit}委、{cunit}政府",
                addressees=k_addr, meeting=f"{kunit}政府常务会议", report_to=f"{kunit}政府办公室",
                subunits="各乡镇（街道）", area_code=area, division=kdiv, weight=8,
            )
            add(key=f"{kkey}-office", name=f"{stem}人民政府办公室", short_name=f"{kplace}政府办公室",
                level="department", kind="office", parent=kkey, issuer_code=f"{prefix}府办发", place=kplace,
                we=county.we, superiors=county.superiors, addressees=k_addr, meeting=f"{kunit}政府",
                report_to=f"{kplace}政府办公室", subunits=county.subunits, area_code=area, division=kdiv,
                sector="office", weight=8)
            for d in range(2):
                suffix, code_stem, sector = COUNTY_DEPARTMENTS[(c_index * 3 + k_index * 2 + d) % len(COUNTY_DEPARTMENTS)]
                add(key=f"{kkey}-{sector}", name=f"{stem}{suffix}", short_name=f"{kplace}{suffix}",
                    level="department", kind="department", parent=kkey, issuer_code=f"{prefix}{code_stem}发",
                    place=kplace, we=county.we, superiors=county.superiors,
                    addressees="各乡镇（街道）有关单位，局属各单位：", meeting="局务会议",
                    report_to=f"{kplace}{suffix}", subunits="各乡镇（街道）", area_code=area, division=kdiv,
                    sector=sector, weight=3)
            for t_index, town in enumerate(towns):
                street = town.endswith("街道")
                tname = f"{stem}{town}办事处" if street else f"{stem}{town}人民政府"
                tcode = f"{town[:-2]}街办发" if street else f"{town}府发"
                add(key=f"{kkey}-town{t_index}", name=tname, short_name=town, level="township", kind="township",
                    parent=kkey, issuer_code=tcode, place=town, we="本街道" if street else "我镇",
                    superiors=f"{kunit}委、{kunit}政府",
                    addressees="各社区，街道各科室：" if street else "各村（社区），镇属各单位：",
                    meeting="党工委会议" if street else "镇党委会议",
                    report_to="街道党政办公室" if street else "镇党政办公室", subunits="各村（社区）",
                    area_code=area, division=kdiv, weight=2)
    return orgs


# ---------------------------------------------------------------------------
# Subjects: what documents are about
# ---------------------------------------------------------------------------

# National documents that local documents cite; outside the catalog.
REGULATIONS = ("中华人民共和国政府信息公开条例", "国务院令第711号")
NATIONAL = {
    "open": [REGULATIONS,
             ("国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见", "国办发〔2019〕54号"),
             ("中共中央办公厅 国务院办公厅关于全面推进政务公开工作的意见", "中办发〔2016〕8号")],
    "normative": [("国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知", "国办发〔2018〕37号")],
    "decision": [("重大行政决策程序暂行条例", "国务院令第713号")],
    "website": [("国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知", "国办秘函〔2019〕19号")],
}


@dataclass(frozen=True)
class Subject:
    key: str
    topic: tuple[str, str]
    sectors: tuple[str, ...]  # departments that write about it ("" = governments and offices only)
    work: str  # 城镇老旧小区改造
    verbs: tuple[str, ...]  # 全面推进 / 加快推进
    goal: str
    plans: tuple[str, ...]  # plan names, with {place} {y} {y2}
    tasks: tuple[str, ...]
    targets: tuple[str, ...]  # with {n}
    keywords: tuple[str, ...]
    basis: tuple[tuple[str, str], ...] = ()  # national documents: (title, number); number may be ""
    township: bool = False  # townships write about it too


SUBJECTS = [
    Subject("open", ("综合政务", "政务公开"), ("office",), "政务公开", ("全面推进", "深入推进"),
            "进一步提升政务公开质量和实效，更好保障人民群众知情权、参与权、表达权和监督权",
            ("{place}政府信息公开申请办理工作规范", "{place}政策解读工作实施办法", "{place}基层政务公开标准化规范化工作实施方案",
             "{place}政府信息主动公开保密审查办法"),
            ("深化重点领域信息公开，围绕财政预决算、重大建设项目、公共资源交易等领域及时准确公开信息",
             "加强政策解读，落实政策文件与解读材料同步组织、同步审签、同步部署要求",
             "规范依申请公开办理，严格执行登记、审核、办理、答复、归档制度，确保在法定期限内答复",
             "推进基层政务公开标准化规范化，动态调整公开事项标准目录",
             "加强政府网站和政务新媒体管理，及时更新政府信息公开目录和政府信息公开指南",
             "做好政府信息公开工作年度报告编制发布工作，确保内容准确、数据真实"),
            ("主动公开政府信息{n}条以上", "政务公开事项标准目录实现乡镇（街道）全覆盖"),
            ("政务公开", "政府信息公开", "政策解读"), tuple(NATIONAL["open"][:2]), True),
    Subject("service", ("综合政务", "电子政务"), ("office", "market"), "政务服务标准化规范化便利化", ("加快推进", "深入推进"),
            "持续优化政务服务，推动更多事项网上办、掌上办、就近办、一次办",
            ("{place}政务服务事项清单管理办法", "{place}推进政务服务“一网通办”实施方案", "{place}“高效办成一件事”工作方案"),
            ("全面梳理政务服务事项，编制并公布政务服务事项基本目录和实施清单",
             "推动政务服务事项标准化，统一事项名称、设定依据、申请条件、办理材料和办理时限",
             "深化一体化政务服务平台建设，提升全程网办比例",
             "推进政务服务中心“一窗受理、集成服务”，完善帮办代办服务",
             "建立健全政务服务“好差评”制度，及时整改差评事项"),
            ("政务服务事项全程网办率达到{n}%以上", "高频事项实现“最多跑一次”"),
            ("政务服务", "一网通办", "好差评"), (("国务院关于加快推进政务服务标准化规范化便利化的指导意见", "国发〔2022〕5号"),)),
    Subject("hotline", ("综合政务", "政务督查"), ("office",), "12345政务服务便民热线", ("进一步优化", "持续优化"),
            "推动热线接得更快、分得更准、办得更实",
            ("{place}12345政务服务便民热线工单办理规范", "{place}12345政务服务便民热线考核评价办法"),
            ("归并整合各类政务服务便民热线，实现一个号码服务企业和群众",
             "规范诉求受理、派单、办理、回复、督办、回访、评价全流程",
             "建立热线数据分析研判机制，定期形成社情民意分析报告",
             "加强热线知识库建设，提高话务人员直接答复率"),
            ("热线接通率达到{n}%以上", "工单按时办结率达到{n}%以上"),
            ("12345热线", "接诉即办", "工单"), (("国务院办公厅关于进一步优化地方政务服务便民热线的指导意见", "国办发〔2020〕53号"),)),
    Subject("emergency", ("综合政务", "应急管理"), ("emerg",), "突发事件应急预案管理", ("切实加强", "进一步加强"),
            "提高突发事件应对能力，最大程度减少人员伤亡和财产损失",
            ("{place}突发事件总体应急预案", "{place}突发事件应急预案管理办法", "{place}自然灾害救助应急预案"),
            ("健全应急预案体系，做好总体预案、专项预案和部门预案的衔接",
             "加强应急预案演练，每年至少组织开展一次综合演练",
             "完善监测预警机制，及时发布预警信息",
             "加强应急物资储备，建立健全应急物资储备和调拨机制",
             "加强基层应急队伍建设，提升先期处置能力"),
            ("应急预案修订完善率达到{n}%", "建成{n}支专业应急救援队伍"),
            ("应急预案", "应急管理", "防灾减灾"), (("中华人民共和国突发事件应对法", ""),), True),
    Subject("safety", ("市场监管、安全生产监管", "安全生产监管"), ("emerg",), "安全生产专项整治", ("深入开展", "扎实开展"),
            "有效防范遏制重特大生产安全事故，保持安全生产形势持续稳定",
            ("{place}安全生产专项整治三年行动实施方案", "{place}安全生产约谈办法", "{place}生产经营单位安全生产主体责任规定"),
            ("压实安全生产责任，严格落实党政同责、一岗双责、齐抓共管、失职追责",
             "深入排查整治危险化学品、道路交通、建筑施工、燃气等重点行业领域安全隐患",
             "强化安全生产执法检查，依法严厉打击非法违法生产经营行为",
             "加强安全生产宣传教育，推动安全宣传进企业、进农村、进社区、进学校、进家庭"),
            ("生产安全事故起数和死亡人数实现“双下降”", "重大事故隐患整改率达到{n}%"),
            ("安全生产", "隐患排查", "专项整治"), (("中华人民共和国安全生产法", ""),), True),
    Subject("budget", ("财政、金融、审计", "财政"), ("fin",), "预算绩效管理", ("全面实施", "深入推进"),
            "提高财政资源配置效率和使用效益",
            ("{place}预算绩效管理办法", "{place}项目支出绩效评价管理办法", "{place}财政支出事前绩效评估管理办法"),
            ("将绩效理念和方法深度融入预算编制、执行和监督各环节",
             "全面开展事前绩效评估，新增重大政策和项目原则上均应开展事前绩效评估",
             "加强绩效运行监控，对偏离绩效目标的及时予以纠正",
             "强化评价结果应用，将绩效评价结果作为安排预算、完善政策和改进管理的重要依据",
             "推进绩效信息公开，重要绩效目标和绩效评价结果随同预决算向社会公开"),
            ("绩效目标管理覆盖{n}%的预算项目",),
            ("预算绩效", "绩效评价", "财政资金"), (("中华人民共和国预算法实施条例", "国务院令第729号"),)),
    Subject("procurement", ("财政、金融、审计", "财政"), ("fin",), "政府采购监督管理", ("进一步加强", "持续优化"),
            "营造公平竞争的政府采购市场环境",
            ("{place}政府采购项目内部控制管理办法", "{place}政府采购代理机构监督检查办法", "{place}优化政府采购营商环境若干措施"),
            ("全面落实政府采购意向公开，提前公开采购项目名称、采购需求概况和预算金额",
             "清理妨碍公平竞争的规定和做法，不得设置差别化、歧视性条件",
             "加大中小企业支持力度，严格落实预留份额和价格评审优惠政策",
             "加快推进政府采购电子化，实现全流程电子化交易"),
            ("政府采购项目电子化交易率达到{n}%",),
            ("政府采购", "营商环境", "中小企业"), (("中华人民共和国政府采购法实施条例", "国务院令第658号"),)),
    Subject("business", ("国民经济管理、国有资产监管", "经济体制改革"), ("dev", "market"), "营商环境", ("持续优化", "进一步优化"),
            "打造市场化、法治化、国际化一流营商环境，激发各类市场主体活力",
            ("{place}优化营商环境条例实施办法", "{place}进一步优化营商环境若干措施", "{place}营商环境评价实施方案"),
            ("深化“放管服”改革，持续精简行政许可事项和涉企证明材料",
             "推进企业开办全程网上办，压缩企业开办时间",
             "规范涉企行政检查，推行“综合查一次”",
             "健全政企沟通机制，及时回应企业诉求",
             "依法平等保护各类市场主体产权和合法权益"),
            ("企业开办时间压缩至{n}个工作日以内",),
            ("营商环境", "放管服", "市场主体"), (("优化营商环境条例", "国务院令第722号"),)),
    Subject("projects", ("国民经济管理、国有资产监管", "重大建设项目"), ("dev",), "重点项目建设", ("加快推进", "全力推进"),
            "扩大有效投资，为经济稳定增长提供有力支撑",
            ("{place}{y}年重点项目名单", "{place}重点项目管理办法", "{place}重大项目“要素保障”工作方案"),
            ("建立重点项目“清单制+责任制”，逐项明确责任单位和完成时限",
             "强化用地、用能、资金等要素保障，加快推进项目前期工作",
             "落实重点项目领导联系和定期调度制度，协调解决项目推进中的困难和问题",
             "依法做好重大建设项目批准和实施情况信息公开"),
            ("安排重点项目{n}个", "重点项目完成年度投资计划的{n}%以上"),
            ("重点项目", "有效投资", "项目建设")),
    Subject("credit", ("财政、金融、审计", "社会信用体系建设"), ("dev", "market"), "社会信用体系建设", ("加快推进", "深入推进"),
            "以信用为基础的新型监管机制更加健全",
            ("{place}公共信用信息管理办法", "{place}信用修复工作实施细则", "{place}守信联合激励和失信联合惩戒实施办法"),
            ("完善公共信用信息目录，规范信用信息归集、共享和公开",
             "全面推行信用承诺制度，依法依规实施分级分类监管",
             "健全信用修复机制，畅通信用修复渠道",
             "加强政务诚信建设，建立政府失信责任追究制度"),
            ("行政许可和行政处罚信息7个工作日内上网公开率达到{n}%",),
            ("社会信用", "信用修复", "信用监管")),
    Subject("employment", ("劳动、人事、监察", "劳动就业"), ("hr",), "高校毕业生等重点群体就业创业", ("做好", "扎实做好"),
            "保持就业局势总体稳定",
            ("{place}进一步稳定和扩大就业若干措施", "{place}创业担保贷款实施办法", "{place}就业见习管理办法"),
            ("拓宽高校毕业生就业渠道，鼓励企业吸纳就业，稳定机关事业单位招录招聘规模",
             "加大创业支持力度，落实创业担保贷款及贴息政策",
             "强化困难人员就业援助，开发一批公益性岗位",
             "加强职业技能培训，开展“订单式”“定向式”培训",
             "优化就业公共服务，持续开展“春风行动”等系列招聘活动"),
            ("城镇新增就业{n}万人以上", "城镇调查失业率控制在{n}%以内"),
            ("就业", "高校毕业生", "创业担保贷款"), (("国务院关于印发“十四五”就业促进规划的通知", "国发〔2021〕14号"),)),
    Subject("wages", ("劳动、人事、监察", "劳动就业"), ("hr", "build"), "保障农民工工资支付", ("切实做好", "进一步做好"),
            "从源头上预防和解决拖欠农民工工资问题",
            ("{place}工程建设领域农民工工资专用账户管理实施细则", "{place}保障农民工工资支付工作考核办法"),
            ("全面落实农民工工资专用账户、实名制管理、工资保证金等制度",
             "开展根治欠薪冬季专项行动，集中处置欠薪问题线索",
             "依法惩戒拒不支付农民工工资等违法行为",
             "畅通欠薪投诉举报渠道，做到有诉必接、有案必查"),
            ("欠薪线索办结率达到{n}%",),
            ("农民工工资", "根治欠薪", "工资保证金"), (("保障农民工工资支付条例", "国务院令第724号"),)),
    Subject("pension", ("劳动、人事、监察", "社会保障"), ("hr",), "城乡居民基本养老保险", ("做好", "进一步做好"),
            "推动城乡居民基本养老保险制度可持续发展",
            ("{place}城乡居民基本养老保险实施办法", "{place}城乡居民基本养老保险缴费档次调整方案"),
            ("落实城乡居民基本养老保险待遇确定和基础养老金正常调整机制",
             "引导参保人员选择较高档次缴费，多缴多得",
             "做好困难群体代缴工作，确保应保尽保",
             "加强基金监督管理，确保基金安全"),
            ("城乡居民基本养老保险参保率稳定在{n}%以上",),
            ("养老保险", "参保缴费", "社会保障"), (("中华人民共和国社会保险法", ""),), True),
    Subject("medical", ("劳动、人事、监察", "社会保障"), ("health", "hr"), "城乡居民基本医疗保险", ("做好", "扎实做好"),
            "筑牢基本医疗保障网，减轻群众就医负担",
            ("{place}城乡居民基本医疗保险办法", "{place}医疗救助实施办法", "{place}门诊共济保障实施细则"),
            ("做好年度集中参保缴费工作，巩固全民参保成果",
             "落实大病保险和医疗救助政策，防范因病致贫返贫",
             "推进异地就医直接结算，简化备案手续",
             "加强医保基金监管，严厉打击欺诈骗保行为"),
            ("基本医疗保险参保率稳定在{n}%以上",),
            ("医疗保险", "医疗救助", "参保缴费"), (("中华人民共和国社会保险法", ""),), True),
    Subject("eldercare", ("民政、扶贫、救灾", "社会福利"), ("civil",), "养老服务体系建设", ("加快推进", "大力推进"),
            "让老年人老有所养、老有所依、老有所乐、老有所安",
            ("{place}养老服务体系建设实施方案", "{place}社区居家养老服务管理办法", "{place}养老机构星级评定办法"),
            ("完善居家社区养老服务网络，推动街道综合养老服务中心全覆盖",
             "实施特困人员供养服务设施（敬老院）改造提升工程",
             "推进医养结合，支持养老机构与医疗卫生机构签约合作",
             "加强养老服务人才队伍建设，开展养老护理员职业技能培训",
             "开展养老服务领域安全隐患排查整治"),
            ("养老机构护理型床位占比达到{n}%", "建成社区养老服务综合体{n}个"),
            ("养老服务", "居家养老", "医养结合"), (("国务院办公厅关于推进养老服务发展的意见", "国办发〔2019〕5号"),), True),
    Subject("assistance", ("民政、扶贫、救灾", "社会福利"), ("civil",), "最低生活保障和特困人员救助供养", ("进一步加强", "切实做好"),
            "兜住兜准兜好困难群众基本生活底线",
            ("{place}最低生活保障审核确认办法", "{place}特困人员认定办法", "{place}临时救助实施办法"),
            ("规范低保审核确认程序，严格落实申请、审核、确认、公示各环节要求",
             "健全低收入人口动态监测机制，做到早发现、早介入、早救助",
             "落实“救急难”工作机制，及时实施临时救助",
             "加强社会救助信息公开，公布救助政策、办理流程和监督电话"),
            ("低保标准动态调整到位率达到{n}%",),
            ("最低生活保障", "社会救助", "临时救助"), (), True),
    Subject("placenames", ("民政、扶贫、救灾", "行政区划与地名"), ("civil",), "地名管理", ("规范", "进一步规范"),
            "传承地名文化，方便群众出行",
            ("{place}地名管理办法", "{place}乡村地名命名规范"),
            ("规范地名命名、更名和销名程序，严格履行审批手续",
             "加强地名标志设置和维护",
             "开展不规范地名清理整治",
             "推进地名信息化建设，及时更新地名信息库"),
            ("地名标志设置率达到{n}%",),
            ("地名", "地名标志", "区划地名"), (("地名管理条例", "国务院令第753号"),), True),
    Subject("farmland", ("农业、林业、水利", "农业、畜牧业、渔业"), ("agri",), "高标准农田建设", ("加快推进", "全力推进"),
            "提升粮食综合生产能力，确保谷物基本自给、口粮绝对安全",
            ("{place}高标准农田建设实施方案", "{place}高标准农田建设项目管理办法", "{place}高标准农田建后管护办法"),
            ("科学编制高标准农田建设规划，统筹推进新建和改造提升",
             "严格项目招投标和施工监理，确保工程质量",
             "落实建后管护主体和经费，确保工程长久发挥效益",
             "加强耕地保护，坚决遏制耕地“非农化”、防止耕地“非粮化”"),
            ("新建和改造提升高标准农田{n}万亩", "粮食播种面积稳定在{n}万亩以上"),
            ("高标准农田", "粮食安全", "耕地保护"),
            (("国务院办公厅关于切实加强高标准农田建设提升国家粮食安全保障能力的意见", "国办发〔2019〕50号"),), True),
    Subject("village", ("农业、林业、水利", "其他"), ("agri",), "农村人居环境整治提升", ("扎实推进", "深入推进"),
            "建设宜居宜业和美乡村",
            ("{place}农村人居环境整治提升五年行动实施方案", "{place}农村生活垃圾治理工作方案", "{place}农村户厕改造奖补办法"),
            ("扎实推进农村厕所革命，逐步普及卫生厕所",
             "加快推进农村生活污水治理，因地制宜选择治理模式",
             "健全农村生活垃圾收运处置体系",
             "深入开展村庄清洁行动，推动村容村貌整体提升"),
            ("农村卫生厕所普及率达到{n}%", "农村生活垃圾收运处置体系覆盖{n}%以上的行政村"),
            ("人居环境", "厕所革命", "乡村振兴"), (), True),
    Subject("river", ("农业、林业、水利", "水利"), ("env", "agri"), "河湖长制", ("全面推行", "深入推进"),
            "持续改善河湖面貌，维护河湖健康生命",
            ("{place}河湖长制工作考核办法", "{place}河湖“清四乱”常态化规范化实施方案"),
            ("健全河湖长组织体系，落实各级河湖长巡河巡湖制度",
             "深入开展河湖“清四乱”，清理整治乱占、乱采、乱堆、乱建问题",
             "加强水污染防治和水生态修复",
             "推进河湖管理范围划界成果公开"),
            ("重点河湖水质优良比例达到{n}%",),
            ("河湖长制", "水生态", "清四乱"), (), True),
    Subject("air", ("城乡建设、环境保护", "环境监测、保护与治理"), ("env",), "大气污染防治", ("深入打好", "扎实推进"),
            "持续改善环境空气质量",
            ("{place}空气质量持续改善行动计划实施方案", "{place}重污染天气应急预案", "{place}扬尘污染防治管理办法"),
            ("推进工业源深度治理，加快重点行业超低排放改造",
             "加强移动源污染防治，淘汰老旧柴油货车",
             "强化施工工地和道路扬尘管控",
             "做好重污染天气应对，落实应急减排措施"),
            ("细颗粒物（PM2.5）平均浓度下降{n}%", "优良天数比率达到{n}%以上"),
            ("大气污染防治", "空气质量", "扬尘治理"), (("中华人民共和国大气污染防治法", ""),)),
    Subject("forestfire", ("农业、林业、水利", "林业"), ("emerg",), "森林草原防灭火", ("切实做好", "全力做好"),
            "坚决防范遏制重特大森林草原火灾发生",
            ("{place}森林草原火灾应急预案", "{place}森林草原防灭火责任追究办法"),
            ("严格落实森林草原防灭火行政首长负责制",
             "加强野外火源管控，严禁在防火期内野外用火",
             "强化火情早期处置，落实“打早、打小、打了”要求",
             "加强扑火队伍建设和装备配备"),
            ("森林火灾受害率控制在{n}‰以内",),
            ("森林防火", "野外火源", "防灭火"), (("森林防火条例", ""),), True),
    Subject("housing", ("城乡建设、环境保护", "城乡建设（含住房）"), ("build",), "城镇老旧小区改造", ("全面推进", "加快推进"),
            "改善城镇居民居住条件，推动城市更新",
            ("{place}城镇老旧小区改造实施方案", "{place}城镇老旧小区改造项目管理办法", "{place}既有住宅增设电梯实施办法"),
            ("摸清改造底数，建立改造项目储备库并实行动态管理",
             "合理确定改造内容，重点完善水电气路等配套设施",
             "支持有条件的楼栋加装电梯，完善无障碍设施",
             "建立政府与居民、社会力量合理共担改造资金的机制",
             "健全小区长效管理机制，推动成立业主委员会"),
            ("完成城镇老旧小区改造{n}个",),
            ("老旧小区改造", "城市更新", "加装电梯"),
            (("国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见", "国办发〔2020〕23号"),)),
    Subject("rental", ("城乡建设、环境保护", "城乡建设（含住房）"), ("build",), "保障性租赁住房", ("加快发展", "大力发展"),
            "着力解决新市民、青年人等群体住房困难",
            ("{place}加快发展保障性租赁住房实施方案", "{place}保障性租赁住房项目认定办法"),
            ("坚持供需匹配，科学确定保障性租赁住房建设目标",
             "多渠道筹集房源，支持利用存量闲置房屋改建",
             "落实土地、税费、金融等支持政策",
             "加强运营管理，保障性租赁住房租金低于同地段同品质市场租赁住房租金"),
            ("筹集保障性租赁住房{n}套（间）",),
            ("保障性租赁住房", "新市民", "住房保障"), (("国务院办公厅关于加快发展保障性租赁住房的意见", "国办发〔2021〕22号"),)),
    Subject("gas", ("城乡建设、环境保护", "城乡建设（含住房）"), ("build", "emerg"), "城镇燃气安全排查整治", ("深入开展", "扎实开展"),
            "全面消除燃气安全风险隐患",
            ("{place}城镇燃气安全专项整治工作方案", "{place}瓶装液化石油气管理办法"),
            ("全面排查燃气经营企业、用户端、管道设施和工商业用户安全隐患",
             "加快老旧燃气管道更新改造",
             "督促餐饮等工商业用户安装燃气泄漏报警装置",
             "加强燃气安全宣传，普及安全用气常识"),
            ("燃气安全隐患整改率达到{n}%",),
            ("燃气安全", "隐患整治", "老旧管网"), (("城镇燃气管理条例", ""),), True),
    Subject("school", ("科技、教育", "教育"), ("edu",), "义务教育优质均衡发展", ("加快推进", "深入推进"),
            "让每个孩子都能享有公平而有质量的教育",
            ("{place}义务教育优质均衡发展实施方案", "{place}义务教育阶段学校招生入学工作实施办法", "{place}中小学课后服务管理办法"),
            ("科学规划学校布局，持续扩大优质教育资源供给",
             "推进集团化办学和城乡学校共同体建设",
             "深化义务教育教师“县管校聘”管理改革",
             "全面落实“双减”要求，提升课后服务质量",
             "严格执行免试就近入学，公开招生政策、划片范围和招生结果"),
            ("义务教育巩固率达到{n}%以上", "新增义务教育学位{n}个"),
            ("义务教育", "招生入学", "课后服务"), (("中华人民共和国义务教育法", ""),)),
    Subject("preschool", ("科技、教育", "教育"), ("edu",), "学前教育普及普惠", ("加快推进", "大力推进"),
            "构建覆盖城乡、布局合理、公益普惠的学前教育公共服务体系",
            ("{place}学前教育普及普惠发展实施方案", "{place}普惠性民办幼儿园认定和管理办法"),
            ("扩大普惠性学前教育资源，新建改扩建一批公办幼儿园",
             "完善普惠性民办幼儿园扶持政策",
             "加强幼儿园教师队伍建设，依法保障教师工资待遇",
             "规范幼儿园保育教育，防止和纠正“小学化”倾向"),
            ("学前三年毛入园率达到{n}%", "普惠性幼儿园覆盖率达到{n}%"),
            ("学前教育", "普惠性幼儿园", "公办园")),
    Subject("primaryhealth", ("卫生、体育", "卫生"), ("health",), "基层医疗卫生服务能力提升", ("持续推进", "全面提升"),
            "让群众就近获得公平可及、系统连续的医疗卫生服务",
            ("{place}紧密型县域医疗卫生共同体建设实施方案", "{place}家庭医生签约服务管理办法", "{place}基层医疗卫生机构绩效考核办法"),
            ("推进紧密型县域医共体建设，促进优质医疗资源下沉",
             "加强乡镇卫生院和村卫生室标准化建设",
             "做实家庭医生签约服务，提高重点人群签约率",
             "加强基层卫生人才队伍建设，落实乡村医生待遇"),
            ("重点人群家庭医生签约率达到{n}%以上",),
            ("基层医疗", "家庭医生", "医共体"), (), True),
    Subject("food", ("市场监管、安全生产监管", "食品药品监管"), ("market",), "食品安全监督管理", ("进一步加强", "切实加强"),
            "保障人民群众“舌尖上的安全”",
            ("{place}食品安全监督抽检实施办法", "{place}小作坊小餐饮小食杂店管理办法", "{place}校园食品安全守护行动方案"),
            ("落实食品安全“两个责任”，推动包保干部督导全覆盖",
             "加强校园及周边、农村集体聚餐等重点领域食品安全监管",
             "依法公开食品安全监督抽检结果和行政处罚信息",
             "严厉打击食品安全违法犯罪行为"),
            ("食品抽检量达到每千人{n}批次",),
            ("食品安全", "监督抽检", "校园食品"), (("中华人民共和国食品安全法", ""),)),
    Subject("tourism", ("商贸、海关、旅游", "旅游"), ("culture",), "文化和旅游融合发展", ("加快推进", "大力推进"),
            "建设世界重要旅游目的地",
            ("{place}促进文旅消费若干措施", "{place}A级旅游景区管理办法", "{place}文化和旅游融合发展实施方案"),
            ("丰富文旅产品供给，培育一批精品旅游线路",
             "促进文旅消费，开展文旅消费季活动",
             "提升旅游公共服务水平，完善旅游厕所、停车场等配套设施",
             "加强文旅市场监管，维护游客合法权益"),
            ("接待游客{n}万人次",),
            ("文化旅游", "文旅消费", "旅游景区")),
    Subject("land", ("国土资源、能源", "土地"), ("nat",), "国土空间规划和耕地保护", ("严格落实", "切实加强"),
            "守住耕地保护红线、生态保护红线和城镇开发边界",
            ("{place}耕地保护责任目标考核办法", "{place}国土空间规划管理办法", "{place}集体经营性建设用地入市管理办法"),
            ("严格落实耕地保护党政同责",
             "严格耕地用途管制，落实耕地占补平衡和进出平衡",
             "依法规范征地程序，及时公开征收土地预公告和征地补偿安置方案",
             "推进自然资源确权登记"),
            ("耕地保有量不低于{n}万亩",),
            ("耕地保护", "国土空间规划", "征地"), (("中华人民共和国土地管理法实施条例", "国务院令第743号"),)),
    Subject("roads", ("工业、交通", "公路"), (), "“四好农村路”建设", ("深入推进", "高质量推进"),
            "为乡村振兴提供坚实交通保障",
            ("{place}“四好农村路”高质量发展实施方案", "{place}农村公路养护管理办法"),
            ("推进农村公路提档升级，加快较大人口规模自然村通硬化路",
             "深化农村公路管理养护体制改革，落实路长制",
             "加强农村公路安全生命防护工程建设",
             "推进城乡交通运输一体化"),
            ("新改建农村公路{n}公里",),
            ("农村公路", "四好农村路", "路长制"), (), True),
    Subject("smes", ("工业、交通", "其他"), ("dev",), "中小企业高质量发展", ("促进", "支持"),
            "提升中小企业创新能力和专业化水平",
            ("{place}促进中小企业高质量发展若干措施", "{place}专精特新中小企业培育办法"),
            ("完善梯度培育体系，培育一批专精特新中小企业",
             "加大融资支持，落实中小企业贷款风险补偿",
             "开展防范和化解拖欠中小企业账款专项行动",
             "优化中小企业公共服务体系"),
            ("培育专精特新中小企业{n}家",),
            ("中小企业", "专精特新", "融资支持")),
]
SUBJECTS_BY_KEY = {s.key: s for s in SUBJECTS}


# ---------------------------------------------------------------------------
# The plan: what documents the catalog holds (no database)
# ---------------------------------------------------------------------------

# Genres, by the names in gongkai/catalog/data/genres.json.
GENRE_NORMATIVE = "行政规范性文件"
NORMATIVE_ENDINGS = ("办法", "细则", "规定", "规范", "条例实施办法")
NORMATIVE_YEARS = 5  # 有效期: normative documents lapse after five years unless renewed

# How a document is written (its form), and how often each is chosen.
FORM_WEIGHTS = {
    "issue": 30,  # 关于印发…的通知 (a plan, or a normative 办法)
    "opinion": 10,  # 关于…的实施意见
    "notice": 20,  # 关于做好…工作的通知
    "forward": 12,  # 关于转发《…》的通知
    "bulletin": 6,  # 关于…情况的通报
    "reply": 4,  # 关于同意…的批复
    "letter": 4,  # 关于征求…意见的函
    "workplan": 4,  # 关于印发…年政务公开工作要点的通知
    "report": 3,  # …年政府信息公开工作年度报告
    "abolition": 2,  # 关于废止…的决定
}
# Roughly how many numbered documents an issuer code sends out in a year.
ANNUAL_VOLUME = {"government": 60, "office": 120, "department": 80, "township": 30}
GENRE_OF_FORM = {
    "opinion": "意见", "notice": "通知", "forward": "通知", "bulletin": "通报", "reply": "批复", "letter": "函",
    "workplan": "通知", "report": "报告", "abolition": "决定", "interpretation": "政策解读",
}


@dataclass(frozen=True)
class Reference:
    """A relation of a planned document: to an earlier one in the plan (`target`,
    its position) or to a national document outside the catalog."""

    kind: str  # a gongkai.catalog.models.Relation.Kind value
    title: str
    document_number: str = ""
    target: int | None = None


@dataclass
class PlannedDocument:
    """One catalog entry of the plan, with what `services.create_document` needs.

    `organisation` is the issuer's OrgSpec (created by `create_organisations`);
    `topic` is (first level, second level) and `genre` a genre name, both from
    the shipped vocabularies; the body comes from `render_body(doc)`.
    """

    position: int
    organisation: OrgSpec
    subject: str
    form: str
    title: str
    topic: tuple[str, str]
    genre: str
    written_date: dt.date
    published_date: dt.date
    seed: int
    document_number: str = ""
    number_code: str = ""  # the issuer code its number takes (川府发, 川府函, ...)
    plan_name: str = ""  # the plan it issues / forwards / interprets, for the body
    validity: str = ""  # Document.Validity value
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    keywords: str = ""
    status: str = "published"  # published / draft / withdrawn
    addressee: str = ""  # whom a reply (批复) answers
    relations: list[Reference] = field(default_factory=list)

    @property
    def normative(self) -> bool:
        return self.genre == GENRE_NORMATIVE

    def fields(self) -> dict:
        """The scalar Document fields for services.create_document (besides
        organisation, title, document_number, topic, genre and body)."""
        return {
            "written_date": self.written_date,
            "published_date": None if self.status == "draft" else self.published_date,
            "validity": self.validity,
            "effective_date": self.effective_date,
            "expiry_date": self.expiry_date,
            "keywords": self.keywords,
        }


@dataclass
class Plan:
    organisations: list[OrgSpec]
    documents: list[PlannedDocument]

    def __iter__(self):
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


def _workdays(rng: random.Random, size: int) -> list[dt.date]:
    """`size` working days between FIRST_DAY and LAST_DAY, sorted."""
    span = (LAST_DAY - FIRST_DAY).days
    days = []
    for _ in range(size):
        day = FIRST_DAY + dt.timedelta(days=int(rng.random() * (span + 1)))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
        days.append(max(day, FIRST_DAY))
    days.sort()
    return days


def _is_normative_plan(name: str) -> bool:
    return name.endswith(NORMATIVE_ENDINGS)


def _national_forwardable(subject: Subject) -> list[tuple[str, str]]:
    return [(t, n) for t, n in subject.basis if n and "关于" in t]


class _Planner:
    """Builds the plan in written-date order; every relation points to a
    document already published on the day the new one is written."""

    def __init__(self, size: int, seed: int):
        self.rng = random.Random(seed)
        self.size = size
        self.orgs = build_organisations(self.rng)
        self.by_key = {o.key: o for o in self.orgs}
        self.cum_weights = []
        total = 0
        for o in self.orgs:
            total += o.weight
            self.cum_weights.append(total)
        self.subjects_of = {o.key: self._subjects_for(o) for o in self.orgs}
        self.ancestors = {o.key: self._ancestor_keys(o) for o in self.orgs}
        self.children = defaultdict(list)
        for o in self.orgs:
            if o.parent and o.kind == "government":
                self.children[o.parent].append(o)
        self.docs: list[PlannedDocument] = []
        self.pending: list[tuple[dt.date, int]] = []  # (published, position): not yet citable
        self.citable = defaultdict(list)  # (org key, subject) -> positions
        self.forwardable = defaultdict(list)  # org key -> positions
        self.normative = defaultdict(list)  # org key -> positions of valid normative documents
        self.versions: dict[tuple[str, str], int] = {}  # (org key, plan) -> current version
        self.to_interpret: list[int] = []
        self.once: set[tuple] = set()  # (form, org key, year) done once a year
        self.titles: set[str] = set()
        self.withdrawn_at = {size // 3, (2 * size) // 3} if size >= 20 else set()

    # -- set-up --------------------------------------------------------------
    @staticmethod
    def _subjects_for(org: OrgSpec) -> list[Subject]:
        if org.kind in ("government", "office"):
            return list(SUBJECTS)
        if org.kind == "township":
            return [s for s in SUBJECTS if s.township]
        return [s for s in SUBJECTS if org.sector in s.sectors]

    def _ancestor_keys(self, org: OrgSpec) -> list[str]:
        keys, node = [], org
        while node.parent:
            node = self.by_key[node.parent]
            keys.append(node.key)
        return keys

    # -- helpers -------------------------------------------------------------
    def _release(self, day: dt.date) -> None:
        while self.pending and self.pending[0][0] <= day:
            _, pos = heapq.heappop(self.pending)
            doc = self.docs[pos]
            if doc.form in ("issue", "opinion", "notice", "workplan"):
                self.citable[(doc.organisation.key, doc.subject)].append(pos)
            if doc.form in ("issue", "opinion", "notice", "workplan"):
                self.forwardable[doc.organisation.key].append(pos)
            if doc.normative:
                self.normative[doc.organisation.key].append(pos)
            if doc.form in ("opinion", "issue") and doc.organisation.kind != "township" and self.rng.random() < 0.2:
                self.to_interpret.append(pos)

    def _publish_lag(self) -> int:
        r = self.rng.random()
        if r < 0.3:
            return 0
        if r < 0.8:
            return self.rng.randint(1, 7)
        return self.rng.randint(8, 30)

    def _plan_name(self, org: OrgSpec, subject: Subject, year: int) -> str:
        return self.rng.choice(subject.plans).format(place=org.place, y=year, y2=year + 2)

    def _keywords(self, subject: Subject) -> str:
        return "，".join(self.rng.sample(subject.keywords, k=min(len(subject.keywords), self.rng.randint(2, 3))))

    def _unique(self, *titles: str) -> str:
        for title in titles:
            if title not in self.titles:
                return title
        return titles[0]

    def _cites(self, org: OrgSpec, subject: Subject, day: dt.date) -> list[Reference]:
        refs = []
        if subject.basis and self.rng.random() < 0.7:
            title, number = self.rng.choice(subject.basis)
            refs.append(Reference("cites", title, number))
        if self.rng.random() < 0.6:
            # Earlier documents on the subject by the issuer itself or its superiors.
            candidates = [p for key in (org.key, *self.ancestors[org.key]) for p in self.citable[(key, subject.key)][-10:]]
            for pos in sorted(self.rng.sample(candidates, k=min(len(candidates), self.rng.randint(1, 2)))):
                refs.append(Reference("cites", "", target=pos))
        return refs

    # -- forms ---------------------------------------------------------------
    def plan_document(self, position: int, day: dt.date) -> PlannedDocument:
        rng = self.rng
        if self.to_interpret and rng.random() < 0.7:
            return self._interpretation(position, day, self.to_interpret.pop(0))
        org = rng.choices(self.orgs, cum_weights=self.cum_weights)[0]
        subject = rng.choice(self.subjects_of[org.key])
        form = rng.choices(list(FORM_WEIGHTS), weights=list(FORM_WEIGHTS.values()))[0]
        doc = getattr(self, f"_{form}")(position, day, org, subject)
        if doc is None:
            doc = self._notice(position, day, org, subject)
        return doc

    def _new(self, position, day, org, subject, form, title, *, genre=None, plan_name="", validity="valid",
             number_code=None, refs=(), published=None) -> PlannedDocument:
        self.titles.add(title)
        return PlannedDocument(
            position=position, organisation=org, subject=subject.key, form=form, title=title, topic=subject.topic,
            genre=genre or GENRE_OF_FORM[form], written_date=day,
            published_date=published or min(day + dt.timedelta(days=self._publish_lag()), LAST_DAY),
            seed=self.rng.getrandbits(32), number_code=org.issuer_code if number_code is None else number_code,
            plan_name=plan_name, validity=validity, keywords=self._keywords(subject), relations=list(refs),
        )

    def _issue(self, position, day, org, subject):
        name = self._plan_name(org, subject, day.year)
        refs = self._cites(org, subject, day)
        if not _is_normative_plan(name):
            title = f"{org.name}关于印发{name}的通知"
            if title in self.titles:
                return None
            return self._new(position, day, org, subject, "issue", title, genre="通知", plan_name=name, refs=refs)
        previous = self.versions.get((org.key, name))
        display = name
        if previous is not None:
            old = self.docs[previous]
            if old.validity != "valid" or (day - old.published_date).days < 365 or old.expiry_date <= day:
                return None
            display = f"{name}（{day.year}年修订）"
            refs.append(Reference("amends", "", target=previous))
        if self.rng.random() < 0.3:
            refs.append(Reference("cites", *NATIONAL["normative"][0]))
        title = self._unique(f"{org.name}关于印发{display}的通知")
        doc = self._new(position, day, org, subject, "issue", title, genre=GENRE_NORMATIVE, plan_name=display,
                        refs=refs)
        doc.effective_date = doc.published_date + dt.timedelta(days=30)
        doc.expiry_date = _add_years(doc.effective_date, NORMATIVE_YEARS) - dt.timedelta(days=1)
        if previous is not None:
            old = self.docs[previous]
            old.validity = "amended"
            old.expiry_date = doc.effective_date - dt.timedelta(days=1)
        self.versions[(org.key, name)] = position
        return doc

    def _opinion(self, position, day, org, subject):
        if org.kind == "township":
            return None
        verb = self.rng.choice(subject.verbs)
        kind = "实施意见" if org.level != "province" or self.rng.random() < 0.5 else "意见"
        title = self._unique(f"{org.name}关于{verb}{subject.work}的{kind}",
                             f"{org.name}关于{subject.verbs[-1]}{subject.work}的实施意见",
                             f"{org.name}关于{day.year}年{verb}{subject.work}的实施意见")
        return self._new(position, day, org, subject, "opinion", title, refs=self._cites(org, subject, day))

    def _notice(self, position, day, org, subject):
        verb = self.rng.choice(subject.verbs)
        y = day.year
        title = self._unique(
            self.rng.choice((f"{org.name}关于做好{y}年{subject.work}工作的通知",
                             f"{org.name}关于{verb}{subject.work}工作的通知")),
            f"{org.name}关于开展{y}年{subject.work}专项检查的通知",
            f"{org.name}关于做好{y}年{subject.work}工作的通知",
            f"{org.name}关于{verb}{subject.work}工作的通知",
        )
        return self._new(position, day, org, subject, "notice", title, refs=self._cites(org, subject, day))

    def _forward(self, position, day, org, subject):
        rng = self.rng
        sources = [org.parent] if org.parent else []
        if org.parent and self.by_key[org.parent].kind == "government":
            sources.append(org.parent + "-office")
        sources += self.ancestors[org.key][1:2]
        allowed = {s.key for s in self.subjects_of[org.key]}
        candidates = [pos for key in sources for pos in self.forwardable.get(key, ())[-30:]
                      if self.docs[pos].subject in allowed]
        if candidates and (org.level != "province" or rng.random() < 0.3):
            pos = rng.choice(candidates)
            target = self.docs[pos]
            subject = SUBJECTS_BY_KEY[target.subject]
            ref = Reference("forwards", "", target=pos)
            inner = target.title
        else:
            national = _national_forwardable(subject)
            if not national or org.kind == "township":
                return None
            inner, number = rng.choice(national)
            ref = Reference("forwards", inner, number)
        title = f"{org.name}关于转发《{inner}》的通知"
        if title in self.titles:
            return None
        return self._new(position, day, org, subject, "forward", title, plan_name=inner, refs=[ref])

    def _bulletin(self, position, day, org, subject):
        y = day.year
        quarter = (day.month - 1) // 3
        period = f"{y}年第{'一二三四'[quarter - 1]}季度" if quarter else f"{y - 1}年"
        title = self._unique(f"{org.name}关于{period}{subject.work}工作情况的通报",
                             f"{org.name}关于{y}年{subject.work}工作督查情况的通报")
        return self._new(position, day, org, subject, "bulletin", title, validity="")

    def _reply(self, position, day, org, subject):
        children = self.children.get(org.key)
        if not children:
            return None
        child = self.rng.choice(children)
        name = self._plan_name(child, subject, day.year)
        title = self._unique(f"{org.name}关于同意{name}的批复")
        doc = self._new(position, day, org, subject, "reply", title, plan_name=name, validity="",
                        number_code=org.letter_code)
        doc.addressee = child.name
        return doc

    def _letter(self, position, day, org, subject):
        name = self._plan_name(org, subject, day.year)
        title = self._unique(f"{org.name}关于征求《{name}（征求意见稿）》意见的函")
        return self._new(position, day, org, subject, "letter", title, plan_name=name, validity="",
                         number_code=org.letter_code)

    def _workplan(self, position, day, org, subject):
        key = ("workplan", org.key, day.year)
        if org.kind not in ("government", "office") or day.month > 4 or key in self.once:
            return None
        self.once.add(key)
        subject = SUBJECTS_BY_KEY["open"]
        name = f"{day.year}年{org.place}政务公开工作要点"
        refs = [Reference("cites", *ref) for ref in NATIONAL["open"][:2]]
        title = self._unique(f"{org.name}关于印发{name}的通知")
        return self._new(position, day, org, subject, "workplan", title, plan_name=name, refs=refs)

    def _report(self, position, day, org, subject):
        key = ("report", org.key, day.year)
        if day.month > 3 or key in self.once:
            return None
        self.once.add(key)
        subject = SUBJECTS_BY_KEY["open"]
        title = f"{org.name}{day.year - 1}年政府信息公开工作年度报告"
        return self._new(position, day, org, subject, "report", title, validity="", number_code="",
                         refs=[Reference("cites", *REGULATIONS)])

    def _abolition(self, position, day, org, subject):
        pool = self.normative.get(org.key, [])
        live = [p for p in pool if self.docs[p].validity == "valid" and self.docs[p].expiry_date > day
                and (day - self.docs[p].published_date).days > 730]
        if not live or org.kind == "township":
            return None
        chosen = self.rng.sample(live, k=min(len(live), self.rng.randint(1, 4)))
        chosen.sort()
        if len(chosen) == 1:
            name = self.docs[chosen[0]].plan_name
            title = self._unique(f"{org.name}关于废止{name}的决定")
        else:
            title = self._unique(f"{org.name}关于废止部分行政规范性文件的决定",
                                 f"{org.name}关于废止和宣布失效一批行政规范性文件的决定",
                                 f"{org.name}关于{day.year}年行政规范性文件清理结果的决定")
        subject = SUBJECTS_BY_KEY[self.docs[chosen[0]].subject]
        refs = [Reference("abolishes", "", target=p) for p in chosen]
        refs.append(Reference("cites", *NATIONAL["normative"][0]))
        doc = self._new(position, day, org, subject, "abolition", title, validity="", refs=refs)
        for p in chosen:
            old = self.docs[p]
            old.validity = "abolished"
            old.expiry_date = max(doc.published_date, old.effective_date)
            self.normative[org.key] = [q for q in self.normative[org.key] if q != p]
            name = old.plan_name.split("（")[0]
            if self.versions.get((org.key, name)) == p:
                del self.versions[(org.key, name)]
        return doc

    def _interpretation(self, position, day, target_pos):
        target = self.docs[target_pos]
        org = target.organisation
        subject = SUBJECTS_BY_KEY[target.subject]
        inner = target.plan_name or target.title
        title = self._unique(f"《{inner}》政策解读", f"图解：《{inner}》")
        return self._new(position, day, org, subject, "interpretation", title, validity="", number_code="",
                         plan_name=inner, refs=[Reference("interprets", "", target=target_pos)], published=day)

    # -- the whole plan ------------------------------------------------------
    def build(self) -> Plan:
        days = _workdays(self.rng, self.size)
        drafts_from = self.size - max(1, self.size // 400)
        for position, day in enumerate(days):
            self._release(day)
            doc = self.plan_document(position, day)
            if position >= drafts_from:
                doc.status = "draft"
            elif position in self.withdrawn_at:
                doc.status = "withdrawn"
            self.docs.append(doc)
            if doc.status == "published":
                heapq.heappush(self.pending, (doc.published_date, position))
        self._number()
        self._expire()
        self._resolve()
        return Plan(self.orgs, self.docs)

    def _number(self) -> None:
        """Serials per issuer code and year, increasing with the written date
        (documents are planned in that order). The catalog holds only part of
        what an issuer sends out, so serials leave the gaps a real register
        would: about ANNUAL_VOLUME numbers a year per issuer code."""
        counts: dict[tuple[str, int], int] = defaultdict(int)
        for doc in self.docs:
            if doc.number_code:
                counts[(doc.number_code, doc.written_date.year)] += 1
        serial: dict[tuple[str, int], int] = defaultdict(int)
        for doc in self.docs:
            if not doc.number_code:
                continue
            key = (doc.number_code, doc.written_date.year)
            step = max(1, ANNUAL_VOLUME[doc.organisation.kind] // counts[key])
            serial[key] += self.rng.randint(1, 2 * step - 1)
            doc.document_number = format_number(doc.number_code, doc.written_date.year, serial[key])

    def _expire(self) -> None:
        for doc in self.docs:
            if doc.normative and doc.validity == "valid" and doc.expiry_date < LAST_DAY:
                doc.validity = "expired"

    def _resolve(self) -> None:
        for doc in self.docs:
            doc.relations = [
                Reference(r.kind, self.docs[r.target].title, self.docs[r.target].document_number, r.target)
                if r.target is not None else r
                for r in doc.relations
            ]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def generate(size: int = DEFAULT_SIZE, seed: int = SEED) -> Plan:
    """Plan a catalog of `size` documents: a pure function of its arguments.

    Returns a Plan: `plan.organisations` (OrgSpec, parents first) and
    `plan.documents` (PlannedDocument, in written-date order; relations point
    to earlier positions). Linear in `size`: 100,000 documents take seconds.
    """
    if size < 0:
        raise ValueError("size must not be negative")
    return _Planner(size, seed).build()


# ---------------------------------------------------------------------------
# Bodies, rendered on demand
# ---------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (up to 99), for 一、 headings and 第N条."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cite(ref: Reference) -> str:
    """How a body names a document: 《title》（number）, the form the importer reads."""
    return f"《{ref.title}》（{ref.document_number}）" if ref.document_number else f"《{ref.title}》"


def _self_word(org: OrgSpec) -> str:
    """How a document names its own issuer: 我局, 我厅, 我委, 我办, 市政府."""
    if org.kind == "office":
        return "我办"
    if org.kind == "government":
        return org.meeting.removesuffix("常务会议")  # 省政府, 市政府, 县政府
    if org.kind == "township":
        return "街道办事处" if org.we == "本街道" else "镇政府"
    for ending, word in (("委员会", "我委"), ("厅", "我厅")):
        if org.name.endswith(ending):
            return word
    return "我局"


def _target_value(template: str, rng: random.Random) -> str:
    """A plausible figure for the {n} in a target, judged by the unit after it."""
    after = template.partition("{n}")[2]
    if after.startswith("‰"):
        return f"0.{rng.randint(3, 9)}"
    if after.startswith("%"):
        if "下降" in template:
            return str(rng.randint(3, 12))
        if "控制在" in template:
            return f"{rng.randint(50, 55) / 10:.1f}"
        return str(rng.randint(85, 99))
    if after.startswith("个工作日"):
        return str(rng.randint(1, 3))
    if after.startswith("万人次"):
        return str(rng.randint(50, 900) * 10)
    if after.startswith("万亩"):
        return str(rng.randint(5, 400))
    if after.startswith("万人"):
        return str(rng.randint(2, 60))
    if after.startswith("公里"):
        return str(rng.randint(10, 200) * 10)
    if after.startswith("批次"):
        return str(rng.randint(4, 6))
    if after.startswith("条"):
        return str(rng.randint(5, 90) * 100)
    return str(rng.randint(3, 120))


_FOLLOW_UP = (
    "{subunits}要结合实际细化工作措施，明确责任分工和完成时限。",
    "各责任单位要建立工作台账，实行清单化管理、销号式推进。",
    "工作推进中遇到的重大问题，要及时报告{report_to}。",
    "要加强统筹协调，形成上下联动、部门协同的工作合力。",
    "{y}年底前，{place}范围内全面完成相关工作。",
    "要定期开展“回头看”，巩固工作成效，防止问题反弹。",
    "要坚持问题导向，聚焦群众反映强烈的突出问题，逐项研究提出解决措施。",
    "要充分运用信息化手段，推动{work}数据共享和业务协同，提高工作效率。",
    "要健全常态长效机制，把行之有效的经验做法固化为制度规范。",
    "要加强对基层的指导服务，及时总结推广典型经验。",
    "要主动公开工作进展和成效，自觉接受社会监督。",
    "要落实属地管理责任和行业监管责任，确保责任到人、措施到位。",
)
_SAFEGUARDS = (
    ("加强组织领导", "各级各部门要把{work}摆在重要位置，主要负责同志亲自研究部署，分管负责同志具体抓，确保各项任务落到实处。"),
    ("强化督促检查", "{report_to}要加强对工作落实情况的跟踪督办，对工作推进不力的单位予以通报，督促整改到位。"),
    ("做好宣传引导", "要充分利用政府网站、政务新媒体等渠道，加强政策宣传和解读，及时回应社会关切，营造良好氛围。"),
    ("强化要素保障", "要统筹安排工作经费，加强人员力量配备，为{work}提供有力保障。"),
    ("严格考核问责", "将{work}纳入年度目标绩效考核，对工作成效明显的单位予以通报表扬。"),
)


class _Writer:
    def __init__(self, doc: PlannedDocument):
        self.doc = doc
        self.org = doc.organisation
        self.subject = SUBJECTS_BY_KEY[doc.subject]
        self.rng = random.Random(doc.seed)
        self.y = doc.written_date.year
        self.lines: list[str] = []

    def fill(self, text: str) -> str:
        return text.format(
            subunits=self.org.subunits, report_to=self.org.report_to, y=self.y, place=self.org.place,
            work=self.subject.work, we=self.org.we,
        )

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def basis(self) -> str:
        refs = [r for r in self.doc.relations if r.kind == "cites"]
        if not refs:
            return f"按照{self.org.superiors}关于{self.subject.work}的决策部署"
        return "根据" + "和".join(cite(r) for r in refs[:3]) + "等有关规定"

    def targets(self) -> list[str]:
        chosen = self.rng.sample(self.subject.targets, k=min(2, len(self.subject.targets)))
        return [t.replace("{n}", _target_value(t, self.rng)) for t in chosen]

    def tasks(self, low=3) -> list[str]:
        tasks = self.subject.tasks
        return self.rng.sample(tasks, k=self.rng.randint(min(low, len(tasks)), len(tasks)))

    def follow_up(self) -> str:
        if self.rng.random() < 0.2:
            return ""
        return "".join(self.fill(t) for t in self.rng.sample(_FOLLOW_UP, k=self.rng.randint(1, 2)))

    def steps(self, number: int) -> None:
        start = self.doc.written_date
        end = _add_years(start, 1)
        self.add(f"{cn_number(number)}、实施步骤")
        self.add(f"（一）动员部署阶段（{start.year}年{start.month}月）。制定工作方案，召开动员部署会议，明确任务分工和时间节点。",
                 f"（二）组织实施阶段（{start.year}年{start.month}月至{end.year}年{end.month}月）。"
                 f"各责任单位按照职责分工，全面推进各项任务落实，每季度末将工作进展情况报送{self.org.report_to}。",
                 f"（三）总结评估阶段（{end.year}年{end.month}月）。对工作开展情况进行全面总结评估，"
                 f"梳理经验做法，查找问题不足，形成总结报告报{self.org.report_to}。")

    def measures(self, numbered_from=1) -> None:
        for i, task in enumerate(self.tasks(), start=numbered_from):
            self.add(f"（{cn_number(i)}）{task}。{self.follow_up()}")

    def safeguards(self) -> None:
        chosen = sorted(self.rng.sample(range(len(_SAFEGUARDS)), k=self.rng.randint(2, 3)))
        for i, index in enumerate(chosen, start=1):
            head, text = _SAFEGUARDS[index]
            self.add(f"（{cn_number(i)}）{head}。{self.fill(text)}")

    def signature(self) -> None:
        self.add(self.org.name, date_text(self.doc.written_date))

    # -- the texts, by form ---------------------------------------------------
    def plan_text(self, name: str) -> None:
        s, org = self.subject, self.org
        self.add(name)
        self.add(f"为{s.goal}，{self.basis()}，结合{org.we}实际，制定本方案。")
        self.add("一、总体要求")
        self.add(f"坚持以人民为中心的发展思想，认真贯彻落实{org.superiors}决策部署，"
                 f"{self.rng.choice(s.verbs)}{s.work}，{s.goal}。")
        self.add("二、主要目标")
        self.add(f"到{self.y + 2}年，" + "，".join(self.targets()) + f"，{s.work}工作机制更加健全。")
        self.add("三、重点任务")
        self.measures()
        self.steps(4)
        self.add("五、保障措施")
        self.safeguards()

    def normative_text(self, name: str) -> None:
        s, org, doc = self.subject, self.org, self.doc
        articles = [
            f"为了{s.goal}，{self.basis()}，结合{org.we}实际，制定本办法。",
            f"本办法适用于{org.place}行政区域内{s.work}及其监督管理活动。",
            f"{s.work}工作坚持依法依规、公开透明、便民高效的原则。",
        ]
        articles += [f"{task}。" for task in self.tasks()]
        articles += [t + "。" for t in self.targets()[:1]]
        articles.append("违反本办法规定的，由有关主管部门责令改正；情节严重的，依法依规追究相关人员责任。")
        articles.append(f"本办法由{org.short_name}负责解释。")
        last = f"本办法自{date_text(doc.effective_date or doc.published_date)}起施行，有效期{NORMATIVE_YEARS}年。"
        for ref in doc.relations:
            if ref.kind == "amends":
                last += f"{cite(ref)}同时废止。"
        articles.append(last)
        self.add(name)
        for i, text in enumerate(articles, start=1):
            self.add(f"第{cn_number(i)}条　{text}")

    def cover(self, name: str) -> None:
        org = self.org
        approved = {"government": f"已经{org.meeting}审议通过", "office": f"已经{org.meeting}同意"}.get(
            org.kind, f"已经{org.meeting}审议通过")
        self.add(org.addressees, f"《{name}》{approved}，现印发给你们，请认真贯彻执行。")
        self.signature()

    def issue(self):
        name = self.doc.plan_name
        self.cover(name)
        if self.doc.normative:
            self.normative_text(name)
        else:
            self.plan_text(name)

    def workplan(self):
        self.cover(self.doc.plan_name)
        s, org = self.subject, self.org
        self.add(self.doc.plan_name)
        self.add(f"{self.y}年{org.we}政务公开工作的总体要求是：{self.basis()}，坚持以公开为常态、不公开为例外，"
                 f"{s.goal}。")
        for i, task in enumerate(self.tasks(low=4), start=1):
            self.add(f"{cn_number(i)}、{task}", self.follow_up() or f"{org.subunits}要明确专人负责，确保工作落实到位。")
        self.add(f"{cn_number(i + 1)}、加强组织保障", self.fill(_SAFEGUARDS[1][1]))

    def opinion(self):
        s, org = self.subject, self.org
        self.add(org.addressees)
        self.add(f"为{s.goal}，{self.basis()}，经{org.meeting}同意，现就{self.rng.choice(s.verbs)}{s.work}提出如下意见。")
        self.add("一、总体要求")
        self.add(f"坚持稳中求进工作总基调，认真贯彻落实{org.superiors}决策部署，坚持问题导向、目标导向、结果导向，"
                 f"推动{s.work}取得新成效。")
        self.add("二、主要目标")
        self.add(f"到{self.y + 2}年，" + "，".join(self.targets()) + "。")
        self.add("三、重点任务")
        self.measures()
        self.add("四、保障措施")
        self.safeguards()
        self.signature()

    def notice(self):
        s, org = self.subject, self.org
        self.add(org.addressees)
        self.add(f"为{self.rng.choice(s.verbs)}{s.work}，{s.goal}，{self.basis()}，现就有关事项通知如下。")
        tasks = self.tasks()
        for i, task in enumerate(tasks, start=1):
            self.add(f"{cn_number(i)}、{task}", self.follow_up() or "要结合实际抓好落实，确保取得实效。")
        due = self.doc.written_date + dt.timedelta(days=self.rng.randint(20, 60))
        self.add(f"{cn_number(len(tasks) + 1)}、工作要求",
                 f"请{org.subunits}于{date_text(due)}前将工作开展情况书面报送{org.report_to}。"
                 f"工作中遇到的问题，请及时与{org.report_to}联系。")
        self.signature()

    def forward(self):
        org, ref = self.org, self.doc.relations[0]
        self.add(org.addressees)
        self.add(f"经{org.meeting.removesuffix('常务会议')}同意，现将{cite(ref)}转发给你们，请结合实际，认真贯彻执行。")
        self.add(f"{org.subunits}要高度重视{self.subject.work}工作，对照文件要求，逐项细化工作措施，"
                 f"明确责任单位和完成时限。{self.follow_up()}")
        self.add(f"贯彻落实中的重要情况和问题，请及时报告{org.report_to}。")
        self.signature()
        self.add(f"附件：{ref.title}")

    def bulletin(self):
        s, org = self.subject, self.org
        self.add(org.addressees)
        self.add(f"为推动{s.work}各项任务落实，{self.org.report_to}近期对{org.subunits}工作开展情况进行了督促检查。"
                 "现将有关情况通报如下。")
        done = self.rng.randint(70, 98)
        self.add("一、基本情况",
                 f"从检查情况看，各地各部门认真贯彻落实{org.superiors}决策部署，{s.work}工作取得积极成效，"
                 f"年度重点任务完成率达到{done}%。" + "，".join(self.targets()[:1]) + "的目标稳步推进。")
        self.add("二、存在的问题",
                 "一是部分单位思想认识不到位，工作推进不平衡；二是部分任务进度滞后，工作台账不够规范；"
                 "三是信息报送不够及时，工作成效宣传不够。")
        self.add("三、下一步工作要求")
        self.measures()
        self.signature()

    def reply(self):
        s, org, name = self.subject, self.org, self.doc.plan_name
        self.add(f"{self.doc.addressee}：")
        self.add(f"你单位《关于审批〈{name}〉的请示》收悉。经研究，现批复如下。")
        self.add(f"一、原则同意《{name}》，请认真组织实施。")
        self.add(f"二、要{self.rng.choice(self.subject.tasks)}，确保{s.goal}。")
        self.add(f"三、实施过程中的重大事项，要及时向{org.report_to}报告。")
        self.signature()

    def letter(self):
        s, org, name = self.subject, self.org, self.doc.plan_name
        due = self.doc.written_date + dt.timedelta(days=15)
        self.add(org.addressees)
        self.add(f"为{s.goal}，{_self_word(org)}起草了《{name}（征求意见稿）》，现送你们征求意见。"
                 f"请于{date_text(due)}前将书面意见反馈{org.report_to}，逾期未反馈的视为无意见。")
        self.add(f"联系电话：{org.area_code}-{self.rng.randint(6000, 8999)}{self.rng.randint(1000, 9999)}")
        self.signature()
        self.add(f"附件：{name}（征求意见稿）")

    def report(self):
        org, y = self.org, self.y - 1
        r = self.rng
        published, guides = r.randint(300, 6000), r.randint(20, 400)
        received = r.randint(5, 300)
        self.add(f"本报告根据{cite(self.doc.relations[0])}和国务院办公厅政府信息与政务公开办公室有关要求编制，"
                 f"内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                 f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
                 f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。")
        self.add("一、总体情况",
                 f"{y}年，{org.name}深入贯彻落实{org.superiors}关于政务公开工作的决策部署，全年主动公开政府信息{published}条，"
                 f"更新办事指南{guides}项，政府信息公开工作质量和实效进一步提升。")
        self.add("二、主动公开政府信息情况",
                 f"全年制发行政规范性文件{r.randint(0, 30)}件，现行有效{r.randint(10, 120)}件；"
                 f"实施行政许可{r.randint(100, 9000)}件，行政处罚{r.randint(10, 900)}件。")
        self.add("三、收到和处理政府信息公开申请情况",
                 f"全年共收到政府信息公开申请{received}件，均在法定期限内予以答复，"
                 f"其中予以公开{r.randint(0, received)}件。")
        self.add("四、政府信息公开行政复议、行政诉讼情况",
                 f"全年因政府信息公开被申请行政复议{r.randint(0, 6)}件，被提起行政诉讼{r.randint(0, 3)}件。")
        self.add("五、存在的主要问题及改进情况",
                 "政策解读形式还不够丰富，基层政务公开标准化规范化水平有待提升。下一步，将进一步加强政策解读，"
                 "规范依申请公开办理，推动政务公开工作再上新台阶。")
        self.add("六、其他需要报告的事项", "本年度未收取信息处理费。")

    def abolition(self):
        org = self.org
        abolished = [r for r in self.doc.relations if r.kind == "abolishes"]
        basis = [r for r in self.doc.relations if r.kind == "cites"]
        self.add(org.addressees)
        self.add(f"为维护法制统一，{('根据' + cite(basis[0]) + '要求，') if basis else ''}"
                 f"{_self_word(org)}对现行有效的行政规范性文件进行了全面清理。经{org.meeting}研究，"
                 f"决定废止以下{cn_number(len(abolished))}件行政规范性文件：")
        for i, ref in enumerate(abolished, start=1):
            self.add(f"{i}.{cite(ref)}")
        self.add("本决定自公布之日起施行。")
        self.signature()

    def interpretation(self):
        s, org, ref = self.subject, self.org, self.doc.relations[0]
        self.add(f"近日，{org.name}印发了{cite(ref)}。现就有关内容解读如下。")
        self.add("一、出台背景",
                 f"为认真贯彻落实{org.superiors}关于{s.work}的决策部署，{s.goal}，"
                 f"{_self_word(org).removeprefix('我')}在深入调研、广泛征求意见的基础上，制定了该文件。")
        self.add("二、主要内容", "文件主要包括以下内容：")
        self.measures()
        self.add("三、主要目标", "，".join(self.targets()) + "。")
        self.add("四、施行时间", f"该文件自印发之日起施行。具体工作中遇到的问题，可向{org.report_to}咨询。")


def render_body(doc: PlannedDocument) -> str:
    """The body of a planned document as plain text, one paragraph a line (pass
    it as `body_text`). Seeded per document: the same document always reads the
    same, and nothing is kept in memory between calls."""
    writer = _Writer(doc)
    getattr(writer, doc.form)()
    return "\n".join(line for line in writer.lines if line)


# ---------------------------------------------------------------------------
# Loading the plan into the catalog
# ---------------------------------------------------------------------------

# The issuers of the three real sample pages (gongkai.demo imports the pages and
# says which issued which). Qianjiang and Guangzhou are outside the region: roots
# of their own, only the issuers of imported examples. Qianjiang's code is the
# index-number prefix its own page shows.
SAMPLE_ORGANISATIONS = [
    OrgSpec(key="sample-qianjiang", name="重庆市黔江区人民政府", short_name="黔江区", level="county", kind="government",
            parent=None, issuer_code="黔江府发", credit_code="11500114009130039C", place="黔江区", we="我区",
            superiors="市委、市政府", addressees="各乡、镇人民政府，各街道办事处，区政府各部门，有关单位：",
            meeting="区政府常务会议", report_to="区政府办公室", subunits="各乡镇（街道）", area_code="023"),
    OrgSpec(key="sample-guangzhou", name="广州市人民政府", short_name="广州市", level="city", kind="government",
            parent=None, issuer_code="穗府", credit_code="", place="广州市", we="我市",
            superiors="党中央、国务院和省委、省政府", addressees="各区、县级市人民政府，市政府各部门、各直属机构：",
            meeting="市政府常务会议", report_to="市政府办公厅", subunits="各区", area_code="020"),
    OrgSpec(key="sample-guangzhou-office", name="广州市人民政府办公厅", short_name="广州市政府办公厅", level="department",
            kind="office", parent="sample-guangzhou", issuer_code="穗府办", credit_code="", place="广州市", we="我市",
            superiors="党中央、国务院和省委、省政府", addressees="各区、县级市人民政府，市政府各部门、各直属机构：",
            meeting="市政府", report_to="市政府办公厅", subunits="各区", area_code="020", sector="office"),
]
SAMPLE_DIVISIONS = {"sample-guangzhou": "440100", "sample-guangzhou-office": "440100"}


class DemoError(Exception):
    """The demo cannot be loaded; the message says why in plain words."""


def sample_organisations(seed: int = SEED) -> list[OrgSpec]:
    """The sample pages' issuers, with valid credit codes where the page shows none."""
    rng = random.Random(seed + 1)
    out = []
    for spec in SAMPLE_ORGANISATIONS:
        if not spec.credit_code:
            spec = OrgSpec(**{**spec.__dict__, "credit_code": make_credit_code(rng, SAMPLE_DIVISIONS[spec.key])})
        out.append(spec)
    return out


def create_organisations(specs: list[OrgSpec]) -> dict:
    """Create the organisations (parents first), or reuse those with the same
    name; returns {spec key: Organisation}. Credit codes are validated."""
    from django.core.exceptions import ValidationError

    from gongkai.core.models import Organisation

    existing = {o.name: o for o in Organisation.objects.filter(name__in=[s.name for s in specs])}
    created: dict[str, Organisation] = {}
    for order, spec in enumerate(specs):
        org = existing.get(spec.name)
        if org is None:
            org = Organisation(
                name=spec.name, short_name=spec.short_name, issuer_code=spec.issuer_code,
                credit_code=spec.credit_code, index_prefix=spec.credit_code, level=spec.level,
                parent=created.get(spec.parent) if spec.parent else None, sort_order=order,
            )
            try:
                org.full_clean()
            except ValidationError as exc:
                raise DemoError(f"organisation {spec.name}: {'; '.join(exc.messages)}") from exc
            org.save()
        created[spec.key] = org
    return created


def vocabulary_lookup() -> tuple[dict, dict]:
    """({(first level, second level): Topic}, {name: Genre}) from the database."""
    from gongkai.catalog.models import Genre, Topic

    topics = {(t.parent.name, t.name): t for t in Topic.objects.filter(parent__isnull=False).select_related("parent")}
    genres = {g.name: g for g in Genre.objects.all()}
    return topics, genres


def create_planned(doc: PlannedDocument, organisations: dict, topics: dict, genres: dict, *, body: str | None = None):
    """Create one planned document through the catalog services (published
    unless the plan says draft; withdrawn ones are published, then withdrawn)."""
    from gongkai.catalog import services

    try:
        topic, genre = topics[doc.topic], genres[doc.genre]
    except KeyError as exc:
        raise DemoError(f"the vocabulary has no {exc.args[0]!r}: run `gongkai migrate` first") from exc
    created = services.create_document(
        organisation=organisations[doc.organisation.key], title=doc.title, document_number=doc.document_number,
        body_text=render_body(doc) if body is None else body, topic=topic, genre=genre,
        publish=doc.status != "draft", **doc.fields(),
    )
    if doc.status == "withdrawn":
        created = services.withdraw_document(created)
    return created


def catalog_size() -> int:
    from gongkai.catalog.models import Document

    return Document.objects.count()


def load_catalog(plan: Plan, seed: int = SEED, progress=None) -> tuple[dict, int]:
    """Create the plan's organisations (with the sample pages' issuers) and its
    documents and relations through the catalog services, inside the caller's
    transaction; returns ({spec key: Organisation}, relations created).
    `progress(stage, done, total)` follows along."""
    from gongkai.catalog import services

    topics, genres = vocabulary_lookup()
    orgs = create_organisations(plan.organisations + sample_organisations(seed))
    # Publish in date order, so index-number serials grow with the date too.
    order = sorted(range(len(plan.documents)), key=lambda p: (plan.documents[p].published_date, p))
    created = {}
    for done, position in enumerate(order, start=1):
        doc = plan.documents[position]
        created[position] = create_planned(doc, orgs, topics, genres)
        if progress and (done % 100 == 0 or done == len(order)):
            progress("documents", done, len(order))
    relations = 0
    for done, doc in enumerate(plan.documents, start=1):
        for ref in doc.relations:
            target = created[ref.target] if ref.target is not None else None
            services.add_relation(created[doc.position], ref.kind, target=target, title=ref.title,
                                  document_number=ref.document_number)
            relations += 1
        if progress and (done % 500 == 0 or done == len(plan.documents)):
            progress("relations", done, len(plan.documents))
    return orgs, relations
