"""The reader of labelled page metadata and the title rule (gongkai.ingest.metadata),
on made-up variants: one metadata block in every layout sites use, empty fields,
spaced labels, and each kind of line that is never a title."""

import datetime as dt

import pytest

from gongkai.ingest import extract as extract_module
from gongkai.ingest import metadata
from gongkai.ingest.extract import boilerplate_kind, extract

TITLE = "某某市人民政府办公室关于做好2021年政务公开工作的通知"
BODY = (
    "\n某某市人民政府办公室\n关于做好2021年政务公开工作的通知\n各区县人民政府，市政府各部门：\n"
    "现将有关事项通知如下。\n一、加强公开\n做好工作。\n某某市人民政府办公室\n2021年3月2日\n"
)
EXPECTED = {
    "index_number": "11500000/2021-00012", "document_number": "渝府办发〔2021〕5号",
    "written_date": dt.date(2021, 3, 2), "organisation": "某某市人民政府办公室", "title": TITLE,
}

# The same block (主题分类 empty) as sites lay it out in text.
TEXT_LAYOUTS = {
    "label：value lines": f"索引号：11500000/2021-00012\n发文字号：渝府办发〔2021〕5号\n主题分类：\n成文日期：2021-03-02\n"
                         f"发布机构：某某市人民政府办公室\n标题：{TITLE}",
    "half-width colons, bullets": f"• 索引号: 11500000/2021-00012\n• 发文字号: 渝府办发〔2021〕5号\n• 主题分类:\n"
                                  f"• 成文日期: 2021-03-02\n• 发布机构: 某某市人民政府办公室\n• 标题: {TITLE}",
    "spaced labels, no colons, two pairs a line": f"索　引　号 11500000/2021-00012 发 文 字 号 渝府办发〔2021〕5号\n"
                                                  f"主题分类 成文日期 2021-03-02\n发布机构 某某市人民政府办公室\n标　　题 {TITLE}",
    "[label] value": f"[索引号] 11500000/2021-00012\n[发文字号] 渝府办发〔2021〕5号\n[主题分类]\n[成文日期] 2021-03-02\n"
                     f"[发布机构] 某某市人民政府办公室\n[标题] {TITLE}",
    "【label】value on one line": f"【索引号】11500000/2021-00012•【发文字号】渝府办发〔2021〕5号•【主题分类】•"
                                 f"【成文日期】2021-03-02•【发布机构】某某市人民政府办公室•【标题】{TITLE}",
    "separate lines with colons": f"索引号:\n11500000/2021-00012\n发文字号:\n渝府办发〔2021〕5号\n主题分类:\n成文日期:\n"
                                  f"2021-03-02\n发布机构:\n某某市人民政府办公室\n标题:\n{TITLE}",
    "separate lines without colons": f"索引号\n11500000/2021-00012\n发文字号\n渝府办发〔2021〕5号\n主题分类\n成文日期\n"
                                     f"2021-03-02\n发布机构\n某某市人民政府办公室\n标题\n{TITLE}",
    "| rows, two pairs a row": f"索 引 号 | 11500000/2021-00012 | 主题分类 | |\n发文字号 | 渝府办发〔2021〕5号 | 成文日期 | "
                             f"2021-03-02 |\n发布机构 | 某某市人民政府办公室 | 标 题 | {TITLE} |",
    "| rows, empty cells dropped": f"索 引 号 | 11500000/2021-00012 | 主题分类 |\n发文字号 | 渝府办发〔2021〕5号 | 成文日期 | "
                                 f"2021年03月02日 |\n发布机构 | 某某市人民政府办公室 |\n标 题 | {TITLE} |",
}

HTML_PAGE = "<html><head><title>某某市人民政府门户网站</title></head><body>{block}" \
            "<div class='article'><p>各区县人民政府，市政府各部门：</p><p>现将有关事项通知如下。</p>" \
            "<p>某某市人民政府办公室</p><p>2021年3月2日</p></div></body></html>"
HTML_LAYOUTS = {
    "table, two pairs a row, source line breaks": f"""<table>
      <tr>
        <td><b>索 引 号：</b></td>
        <td>11500000/2021-00012</td>
        <td>主题分类：</td>
        <td></td>
      </tr>
      <tr><td>发文字号：</td><td>渝府办发〔2021〕5号</td><td>成文日期：</td><td>2021年03月02日</td></tr>
      <tr><td>发布机构：</td><td>某某市人民政府办公室</td><td>有 效 性：</td><td></td></tr>
      <tr><td>标　　题：</td><td colspan="3">{TITLE}</td></tr></table>""",
    "li label：value": f"<ul><li>索引号：11500000/2021-00012</li><li>主题分类：</li><li>发文字号：渝府办发〔2021〕5号</li>"
                       f"<li>成文日期：2021-03-02</li><li>发布机构：某某市人民政府办公室</li><li>标题：{TITLE}</li></ul>",
    "li with label and value spans": "<ul>" + "".join(
        f"<li><span>{label}</span><span>{value}</span></li>" for label, value in [
            ("索引号", "11500000/2021-00012"), ("主题分类", ""), ("发文字号", "渝府办发〔2021〕5号"),
            ("成文日期", "2021-03-02"), ("发布机构", "某某市人民政府办公室"), ("标题", TITLE)]) + "</ul>",
    "dl": f"<dl><dt>索引号</dt><dd>11500000/2021-00012</dd><dt>主题分类</dt><dd></dd><dt>发文字号</dt>"
          f"<dd>渝府办发〔2021〕5号</dd><dt>成文日期</dt><dd>2021-03-02</dd><dt>发布机构</dt><dd>某某市人民政府办公室</dd>"
          f"<dt>标题</dt><dd>{TITLE}</dd></dl>",
}


@pytest.mark.parametrize("layout", list(TEXT_LAYOUTS))
def test_one_block_in_every_text_layout(layout):
    block = TEXT_LAYOUTS[layout]
    found = metadata.read_metadata(block + BODY)
    fields = found.fields()
    for name, value in EXPECTED.items():
        assert fields.get(name) == value, name
    assert "topic" not in fields  # empty, and not the next label
    assert found.title == TITLE
    page = extract(block + BODY)
    assert (page.title, page.index_number, page.document_number, page.written_date, page.organisation, page.topic) == (
        TITLE, EXPECTED["index_number"], EXPECTED["document_number"], EXPECTED["written_date"],
        EXPECTED["organisation"], "",
    )
    assert "11500000/2021-00012" not in page.body_text  # the block is not document text
    assert "现将有关事项通知如下。" in page.body_text


@pytest.mark.parametrize("layout", list(HTML_LAYOUTS))
def test_one_block_in_every_html_layout(layout):
    page = extract(HTML_PAGE.format(block=HTML_LAYOUTS[layout]))
    assert (page.title, page.index_number, page.document_number, page.written_date, page.organisation, page.topic) == (
        TITLE, EXPECTED["index_number"], EXPECTED["document_number"], EXPECTED["written_date"],
        EXPECTED["organisation"], "",
    )
    assert page.metadata["主题分类"] == ""
    assert page.metadata["索引号"] == "11500000/2021-00012"


# ---------------------------------------------------------------- one line


@pytest.mark.parametrize("line,pairs", [
    ("文 号 信息格式/语种", [("document_number", "文号", ""), ("other", "信息格式/语种", "")]),
    ("主题分类 服务对象分类", [("topic", "主题分类", ""), ("other", "服务对象分类", "")]),
    ("文号：主题分类：其他", [("document_number", "文号", ""), ("topic", "主题分类", "其他")]),
    ("文 号 | 有 效 性 |", [("document_number", "文号", ""), ("validity", "有效性", "")]),
    ("主　题　词：", [("keywords", "主题词", "")]),
    ("生成日期: 2019-01-23 文号:", [("written_date", "生成日期", "2019-01-23"), ("document_number", "文号", "")]),
])
def test_an_empty_field_does_not_take_the_next_label(line, pairs):
    assert metadata.parse_label_line(line).pairs == pairs


def test_labels_outside_the_vocabulary_end_a_value():
    spaced = metadata.parse_label_line("文 号 某府发〔2020〕1号   审 核 人 张三")
    assert spaced.pairs == [("document_number", "文号", "某府发〔2020〕1号"), ("", "审核人", "张三")]
    coloned = metadata.parse_label_line("来源：某某区政府办公室 更新时间：2020-01-02 点击：12")
    assert coloned.pairs[0] == ("source", "来源", "某某区政府办公室")
    assert [p[1] for p in coloned.pairs] == ["来源", "更新时间", "点击"]


def test_a_spaced_out_word_at_the_end_of_a_value_is_not_a_label():
    line = metadata.parse_label_line("标题：某县关于推进工作的 通 知")
    assert line.pairs == [("title", "标题", "某县关于推进工作的 通 知")]
    assert metadata.clean_value("title", line.pairs[0][2]) == "某县关于推进工作的通知"


@pytest.mark.parametrize("line", [
    "主题教育活动扎实开展", "名称不详的单位", "根据主题分类：规定", "工作任务 | 具体要求 | 责任部门 |", "单 位 | 目标分值 |",
    "【打印】【关闭】", "字号：【大 中 小】",
])
def test_lines_that_are_not_metadata(line):
    found = metadata.read_lines([line])
    assert not found.fields() and not found.block_lines


@pytest.mark.parametrize("name,value,cleaned", [
    ("index_number", "2019年第1号", None),
    ("index_number", "１１５０００/２０２１-0001", "115000/2021-0001"),
    ("index_number", "信息格式/语种", None),
    ("document_number", "大 中 小", None),
    ("document_number", "文号", None),
    ("organisation", "县政府网站", None),
    ("organisation", "某某县人民政府", "某某县人民政府"),
    ("published_date", "2011.05.30", dt.date(2011, 5, 30)),
    ("published_date", "2022-01-26 16:32 【", dt.date(2022, 1, 26)),
    ("topic", "无", None),
    ("topic", "行政法正文" + "某" * 80, None),  # a value running into the text
])
def test_clean_value(name, value, cleaned):
    assert metadata.clean_value(name, value) == cleaned


# ---------------------------------------------------------------- blocks


def test_the_last_label_takes_the_next_line_only_when_its_form_says_so():
    lines = metadata.split_lines("发布机构：某局\n内容概述：\n关于做好某项工作的通知\n各单位：")
    found = metadata.read_lines(lines)
    assert found.fields() == {"organisation": "某局"}
    assert 2 not in found.block_lines  # the title line stays document text
    dated = metadata.read_lines(metadata.split_lines("发布机构：某局\n成文日期：\n2021年3月2日\n各单位："))
    assert dated.fields()["written_date"] == dt.date(2021, 3, 2)
    valid = metadata.read_lines(metadata.split_lines("发布机构：某局\n有效性\n某某县关于做好某项工作的通知"))
    assert "validity" not in valid.fields() and 2 not in valid.block_lines


def test_the_preferred_label_wins_when_a_field_has_several():
    found = metadata.read_metadata("发文日期 2019-11-29 索引号 2019-1\n文号 某政办发〔2019〕29号 上载日期 2019-12-02")
    assert found.get("published_date") == dt.date(2019, 12, 2)
    found = metadata.read_metadata("发布日期：2020-01-03\n发文日期：2020-01-01")
    assert found.get("published_date") == dt.date(2020, 1, 3)


def test_a_lone_label_line_is_weaker_than_a_block_and_stays_text():
    lines = metadata.split_lines("某某区关于某事的通知\n各单位：\n正文。\n主题词：行政事务 通知\n抄送：某某")
    found = metadata.read_lines(lines)
    assert found.fields() == {} and found.lone_fields() == {"keywords": "行政事务 通知"}
    assert not found.block_lines


def test_a_bracketed_block_behind_text_leaves_the_text_for_the_title():
    text = "某某市人民政府关于印发某某办法的通知文章属性•【制定机关】某某市人民政府•【公布日期】2011.05.30•【字号】某府〔2011〕5号"
    found = metadata.read_metadata(text)
    assert found.get("organisation") == "某某市人民政府" and found.get("document_number") == "某府〔2011〕5号"
    assert found.title == "某某市人民政府关于印发某某办法的通知"


def test_the_label_vocabulary_is_kept_in_one_place():
    assert extract_module.LABELS is metadata.LABELS
    assert metadata.label_field("标　　题：") == "title"
    assert metadata.label_field("索 引 号") == "index_number"
    assert metadata.label_field("【发文字号】") == "document_number"


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize("line,kind", [
    ("政务公开>政策公开>政策文件", "breadcrumb"),
    ("首页 > 政务公开 > 政策文件", "breadcrumb"),
    ("首页 » 信息公开 » 通知公告", "breadcrumb"),
    ("首页/政务公开/政策文件", "breadcrumb"),
    ("您当前位置：首页", "breadcrumb"),
    ("综合政务\\政务公开", "breadcrumb"),
    ("城乡建设\\住房保障", "breadcrumb"),
    ("某某省人民政府办公厅", "signature"),
    ("某某县财政局 2020年6月1日", "signature"),
    ("中共某某市委办公室 某某市人民政府办公室", "signature"),
    ("一、总体情况", "section heading"),
    ("（二）依申请公开情况", "section heading"),
    ("(三)政府信息管理", "section heading"),
    ("3.加强组织领导", "section heading"),
    ("第三章 附则", "section heading"),
    ("某某县政务公开工作要点.docx", "file name"),
    ("关于印发某某办法的通知.PDF", "file name"),
    ("某某通知.wps", "file name"),
    ("某某市人民政府门户网站", "site name"),
    ("某某县人民政府网", "site name"),
    ("某某区政府信息公开", "site name"),
    ("2020年6月1日", "date"),
    ("单位 | 目标分值", "table"),
])
def test_kinds_of_lines_that_are_never_titles(line, kind):
    assert metadata.non_title_kind(line) == kind
    assert metadata.document_name(line) is None
    # First on a page whose real title is only a heading, the line is passed over.
    assert extract(f"{line}\n某某县人民政府工作规则\n第一条 为了规范工作，制定本规则。").title == "某某县人民政府工作规则"
    assert extract(f"{line}\n第一条 为了规范工作，制定本规则。").title == ""


@pytest.mark.parametrize("line", [
    "某某区人民政府关于印发某某办法的通知", "关于进一步加强政务公开工作的意见", "印发2012年某某市政务公开工作要点的通知",
    "某某市2018年政务公开工作要点", "2022年某某县政府信息公开工作年度报告", "某某镇2021年度政府信息公开工作年度报告",
    "某某县2023年政务公开重点工作任务分解表",
])
def test_document_names(line):
    assert metadata.document_name(line) == line
    assert metadata.non_title_kind(line) is None


@pytest.mark.parametrize("line", [
    "附件：2021年政务公开工作要点", "现将有关事项通知如下", "根据《某某条例》制定本办法", "某某县人民政府工作规则",
    "按照2020年工作要点，认真落实", "关于印发《某某办法的通知",
])
def test_lines_that_are_not_document_names(line):
    assert metadata.document_name(line) is None


@pytest.mark.parametrize("line,title,number", [
    ("《某某市人民政府关于印发〈某某办法〉的通知》", "某某市人民政府关于印发〈某某办法〉的通知", ""),
    ("某政办发〔2016〕26号《某某市人民政府办公厅关于某事的通知》", "某某市人民政府办公厅关于某事的通知", "某政办发〔2016〕26号"),
    ("某政办字〔2020〕12号 某某市人民政府办公室关于某事的通知", "某某市人民政府办公室关于某事的通知", "某政办字〔2020〕12号"),
    ("某某市人民政府办公室关于某事的通知(某政办〔2020〕2号)", "某某市人民政府办公室关于某事的通知", "某政办〔2020〕2号"),
    ("某某县人民政府关于某事的通知（某政发〔2019〕3号）", "某某县人民政府关于某事的通知", "某政发〔2019〕3号"),
    ("某某县关于某事的通知（试行）", "某某县关于某事的通知（试行）", ""),
])
def test_numbers_written_beside_a_title(line, title, number):
    assert metadata.split_title(line) == (title, number)


def test_a_number_beside_the_title_is_the_document_number():
    page = extract("某某市人民政府办公室关于某事的通知(某政办〔2020〕2号)\n各单位：\n正文。")
    assert (page.title, page.document_number) == ("某某市人民政府办公室关于某事的通知", "某政办〔2020〕2号")


def test_title_order_labelled_then_document_name_then_html_then_heading():
    labelled = "索引号：123/2020-1\n标题：某某县关于甲事的通知\n发布机构：某某县人民政府\n某某县关于乙事的通知\n正文。"
    assert extract(labelled).title == "某某县关于甲事的通知"
    named = "某某县人民政府办公室\n某某县2020年政务公开工作要点\n正文。"
    assert extract(named).title == "某某县2020年政务公开工作要点"
    html = "<html><head><title>某某县人民政府工作规则_某某县人民政府门户网站</title></head><body><p>第一条 正文。</p></body></html>"
    assert extract(html).title == "某某县人民政府工作规则"
    site_only = "<html><head><title>某某县人民政府门户网站</title></head><body><p>第一条 正文。</p></body></html>"
    assert extract(site_only).title == ""
    h1 = "<html><head><title>首页 > 政务公开</title></head><body><h1>某某县人民政府工作规则</h1><p>第一条 正文。</p></body></html>"
    assert extract(h1).title == "某某县人民政府工作规则"


@pytest.mark.parametrize("heading", ["某某县全面推进基层政务公开", "某某镇召开政务公开工作推进会", "某某县人民政府工作规则"])
def test_headings_that_look_a_little_like_furniture_are_titles(heading):
    assert metadata.non_title_kind(heading) is None
    assert extract(f"政务公开\n{heading}\n第一条 正文。").title == heading


def test_the_document_name_is_preferred_to_a_signature_or_section_before_it():
    page = "各单位：\n《某某县2021年政务公开工作要点》已经县政府同意，现印发给你们。\n某某县人民政府办公室\n2021年3月1日\n" \
           "某某县2021年政务公开工作要点\n一、总体要求\n做好工作。"
    assert extract(page).title == "某某县2021年政务公开工作要点"


def test_a_sharing_sites_file_name_is_not_the_title():
    page = "某某县政务公开工作要点.docx\n格式:DOCX\n某某县政务公开工作要点\n某某县2017年政务公开工作要点实施方案\n正文。"
    assert extract(page).title == "某某县2017年政务公开工作要点实施方案"
    listed = "区府办信息报告\n- 格式:doc\n- 大小:26 KB\n某某县人民政府工作规则\n第一条 正文。"
    assert extract(listed).title == "某某县人民政府工作规则"


# ---------------------------------------------------------------- organisations and page furniture


@pytest.mark.parametrize("title,org", [
    ("某某县人民政府办公室关于某事的通知", "某某县人民政府办公室"),
    ("某某镇人民政府2021年政府信息公开工作年度报告", "某某镇人民政府"),
    ("某某县人民政府工作规则", "某某县人民政府"),
    ("某某县2021年政务公开工作要点", None),
    ("关于某事的通知", None),
])
def test_organisation_in_title(title, org):
    assert metadata.organisation_in_title(title) == org


def test_the_issuer_above_the_title_and_a_place_in_the_byline():
    issuer = "关于印发某某规程的通知\n某某省交通运输厅\n关于印发某某规程的通知\n各市局：\n正文。\n2000年1月2日"
    assert extract(issuer).organisation == "某某省交通运输厅"
    byline = "某某镇2021年度政府信息公开工作年度报告\n信息来源:某某镇 作者:佚名 发布时间:2022-01-26 16:32\n一、总体情况\n正文。"
    page = extract(byline)
    assert (page.organisation, page.published_date) == ("某某镇", dt.date(2022, 1, 26))
    website = "某某县2021年政务公开工作要点\n来源：某某县政府门户网 日期：2021-01-02\n正文。"
    assert extract(website).organisation == ""


def test_a_signature_glued_to_its_date():
    page = extract("关于某事的通知\n各单位：\n正文。\n某某市人民政府办公室二〇一一年五月三十日某某办法第一条")
    assert (page.organisation, page.written_date) == ("某某市人民政府办公室", dt.date(2011, 5, 30))


def test_a_date_that_starts_the_byline_is_the_published_date():
    page = extract("某某县关于某事的通知\n2015-11-10 01:51:51信息来源:浏览次数:字体:[ ]\n各单位：\n正文。")
    assert page.published_date == dt.date(2015, 11, 10)


@pytest.mark.parametrize("line,kind", [
    ("政务公开 > 政策文件 > 通知公告", "navigation"),
    ("首页/政务公开/政策文件", "navigation"),
    ("综合政务\\政务公开", None),  # a topic path is page text (a catalog value), only never a title
    ("收入增长10%，支出>收入", None),
])
def test_breadcrumbs_are_page_furniture(line, kind):
    assert boilerplate_kind(line) == kind
