"""The body sanitiser with what staff really paste: Word's and WPS's
clipboard HTML (written here by hand after their clipboard format: Office
namespaces, class=Mso…, mso- styles, <o:p>, list paragraphs with their
markers in conditional comments, MsoTableGrid tables with merged cells).
What must come out is the structure only: headings (h1 as h2), paragraphs,
real lists, tables with colspan/rowspan; and still no active content."""

import re

from gongkai.catalog.text import html_to_text, is_office_html, sanitise

# Word (Microsoft 365) clipboard HTML, between StartFragment and EndFragment with its head.
WORD_HTML = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<link rel=File-List href="file:///C:/Users/wang/AppData/Local/Temp/msohtmlclip1/01/clip_filelist.xml">
<!--[if gte mso 9]><xml>
 <o:OfficeDocumentSettings>
  <o:AllowPNG/>
 </o:OfficeDocumentSettings>
</xml><![endif]-->
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Normal</w:View>
  <w:Zoom>0</w:Zoom>
  <w:TrackMoves/>
  <w:PunctuationKerning/>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{font-family:仿宋_GB2312;
	panose-1:2 1 6 9 3 1 1 1 1 1;
	mso-font-charset:134;}
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{mso-style-unhide:no;
	margin:0cm;
	text-align:justify;
	font-size:10.5pt;
	font-family:等线;}
h1
	{mso-style-link:"标题 1 字符";
	font-size:22.0pt;}
@list l0
	{mso-list-id:1046371846;
	mso-list-template-ids:-1473212890;}
@list l0:level1
	{mso-level-number-format:alpha-lower;
	mso-level-text:"%1.";}
@list l1:level1
	{mso-level-number-format:bullet;
	mso-level-text:\\F0B7;}
-->
</style>
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;word-wrap:break-word;text-justify-trim:
punctuation'>
<!--StartFragment-->

<h1 style='margin:0cm;text-align:center'><span style='font-family:方正小标宋简体;
mso-hansi-font-family:宋体'>关于做好<span lang=EN-US>2024</span>年政务公开工作的通知<span
lang=EN-US><o:p></o:p></span></span></h1>

<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'><span
style='font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体'>各乡镇人民政府，市政府各部门：<span
lang=EN-US><o:p></o:p></span></span></p>

<p class=MsoNormal><span lang=EN-US style='font-size:16.0pt;font-family:仿宋_GB2312'><o:p>&nbsp;</o:p></span></p>

<h2><span style='font-family:黑体'>一、工作要求<span lang=EN-US><o:p></o:p></span></span></h2>

<p class=MsoListParagraphCxSpFirst style='margin-left:18.0pt;mso-add-space:
auto;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span
lang=EN-US style='font-size:16.0pt;font-family:仿宋_GB2312;mso-bidi-font-family:仿宋_GB2312'><span
style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;
</span></span></span><!--[endif]--><span style='font-size:16.0pt;font-family:仿宋_GB2312'>加强组织领导<span
lang=EN-US><o:p></o:p></span></span></p>

<p class=MsoListParagraphCxSpMiddle style='margin-left:39.0pt;mso-add-space:
auto;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><!--[if !supportLists]--><span
lang=EN-US style='font-size:16.0pt'><span style='mso-list:Ignore'>a)<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><!--[endif]--><span
style='font-size:16.0pt;font-family:仿宋_GB2312'>明确分管负责人<span lang=EN-US><o:p></o:p></span></span></p>

<p class=MsoListParagraphCxSpLast style='margin-left:18.0pt;mso-add-space:auto;
text-indent:-18.0pt;mso-list:l0 level1 lfo1'><!--[if !supportLists]--><span
lang=EN-US style='font-size:16.0pt'><span style='mso-list:Ignore'>2.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><!--[endif]--><span
style='font-size:16.0pt;font-family:仿宋_GB2312'>按时报送材料<span lang=EN-US><o:p></o:p></span></span></p>

<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span
lang=EN-US style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;
</span></span></span><![endif]><span style='font-family:仿宋_GB2312'>附件须为PDF格式<o:p></o:p></span></p>

<h3><span style='font-family:楷体_GB2312'>（一）报送时间<o:p></o:p></span></h3>

<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0
 style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;
 mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>
 <tr style='mso-yfti-irow:0;mso-yfti-firstrow:yes'>
  <td width=138 rowspan=2 valign=top style='width:103.7pt;border:solid windowtext 1.0pt;
  mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'>
  <p class=MsoNormal><span style='font-family:仿宋_GB2312'>单位<span lang=EN-US><o:p></o:p></span></span></p>
  </td>
  <td width=277 colspan=2 valign=top style='width:207.4pt;border:solid windowtext 1.0pt;
  border-left:none;padding:0cm 5.4pt 0cm 5.4pt'>
  <p class=MsoNormal align=center style='text-align:center'><span
  style='font-family:仿宋_GB2312'>报送时间<span lang=EN-US><o:p></o:p></span></span></p>
  </td>
 </tr>
 <tr style='mso-yfti-irow:1;mso-yfti-lastrow:yes'>
  <td width=138 valign=top style='width:103.7pt;border-top:none;padding:0cm 5.4pt 0cm 5.4pt'>
  <p class=MsoNormal><span style='font-family:仿宋_GB2312'>上半年<span lang=EN-US><o:p></o:p></span></span></p>
  </td>
  <td width=138 valign=top style='width:103.7pt;border-top:none;padding:0cm 5.4pt 0cm 5.4pt'>
  <p class=MsoNormal><span lang=EN-US style='font-family:仿宋_GB2312'>7</span><span
  style='font-family:仿宋_GB2312'>月<span lang=EN-US>10</span>日前<span lang=EN-US><o:p></o:p></span></span></p>
  </td>
 </tr>
</table>

<p class=MsoNormal><span style='font-family:仿宋_GB2312'>联系人：王明<span lang=EN-US><o:p></o:p></span></span></p>

<!--EndFragment-->
</body>

</html>"""

# WPS Office (Writer) clipboard HTML: double quotes, "Section0", font names in <font>.
WPS_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head><meta name="ProgId" content="Word.Document"><meta name="Generator" content="Microsoft Word 14"><meta name="Originator" content="Microsoft Word 14"><title></title><!--[if gte mso 9]><xml><w:WordDocument><w:BrowserLevel>MicrosoftInternetExplorer4</w:BrowserLevel><w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery></w:WordDocument></xml><![endif]--><style>
@font-face{font-family:"Times New Roman";}@font-face{font-family:"仿宋_GB2312";}
p.MsoNormal{mso-style-name:正文;mso-style-parent:"";margin:0pt;margin-bottom:.0001pt;font-family:Calibri;}
h1{mso-style-name:"标题 1";mso-style-next:正文;margin-top:17.0000pt;font-size:22.0000pt;}
span.10{font-family:'Times New Roman';}
@page{mso-page-border-surround-header:no;}@page Section0{margin-top:72.0000pt;}div.Section0{page:Section0;}
</style></head><body style="tab-interval:21pt;text-justify-trim:punctuation;"><!--StartFragment--><div class="Section0" style="layout-grid:15.6000pt;"><h1 style="text-align:center;"><b><span style="font-family:方正小标宋简体;font-size:22.0000pt;"><font face="方正小标宋简体">西昌市政府信息公开指南</font></span></b><b><span style="font-family:方正小标宋简体;font-size:22.0000pt;"><o:p></o:p></span></b></h1><p class="MsoNormal" style="text-indent:32.0000pt;mso-char-indent-count:2.0000;"><span style="font-family:仿宋_GB2312;font-size:16.0000pt;"><font face="仿宋_GB2312">根据《中华人民共和国政府信息公开条例》，编制本指南。</font></span><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><o:p></o:p></span></p><p class="MsoNormal" style="margin-left:21.0000pt;text-indent:-21.0000pt;mso-list:l0 level1 lfo1;"><![if !supportLists]><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><span style="mso-list:Ignore;">（一）<span>&nbsp;</span></span></span><![endif]><span style="font-family:仿宋_GB2312;font-size:16.0000pt;"><font face="仿宋_GB2312">主动公开</font></span><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><o:p></o:p></span></p><p class="MsoNormal" style="margin-left:21.0000pt;text-indent:-21.0000pt;mso-list:l0 level1 lfo1;"><![if !supportLists]><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><span style="mso-list:Ignore;">（二）<span>&nbsp;</span></span></span><![endif]><span style="font-family:仿宋_GB2312;font-size:16.0000pt;"><font face="仿宋_GB2312">依申请公开</font></span><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><o:p></o:p></span></p><table class="MsoNormalTable" style="border-collapse:collapse;width:415.3000pt;mso-table-layout-alt:fixed;border:none;mso-border-left-alt:0.5000pt solid windowtext;mso-padding-alt:0.0000pt 5.4000pt 0.0000pt 5.4000pt ;"><tr><td width="553" valign="top" colspan="3" style="width:415.3000pt;padding:0.0000pt 5.4000pt 0.0000pt 5.4000pt ;border-left:0.5000pt solid windowtext;mso-border-left-alt:0.5000pt solid windowtext;"><p class="MsoNormal" align="center" style="text-align:center;"><b><span style="font-family:仿宋_GB2312;font-size:16.0000pt;"><font face="仿宋_GB2312">办理时限</font></span></b><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><o:p></o:p></span></p></td></tr><tr><td width="184" valign="top" style="width:138.4000pt;"><p class="MsoNormal"><span style="font-family:仿宋_GB2312;"><font face="仿宋_GB2312">当场答复</font></span><span lang="EN-US" style="font-family:仿宋_GB2312;"><o:p></o:p></span></p></td><td width="184" valign="top" style="width:138.4000pt;"><p class="MsoNormal"><span lang="EN-US" style="font-family:仿宋_GB2312;">20</span><span style="font-family:仿宋_GB2312;"><font face="仿宋_GB2312">个工作日</font></span></td><td width="184" valign="top" style="width:138.4000pt;"><p class="MsoNormal"><span style="font-family:仿宋_GB2312;"><font face="仿宋_GB2312">延长</font></span><span lang="EN-US" style="font-family:仿宋_GB2312;">20</span><span style="font-family:仿宋_GB2312;"><font face="仿宋_GB2312">个工作日</font></span></p></td></tr></table><p class="MsoNormal"><span lang="EN-US" style="font-family:仿宋_GB2312;font-size:16.0000pt;"><o:p>&nbsp;</o:p></span></p></div><!--EndFragment--></body></html>"""

JUNK = ("mso-", "Mso", "class=", "style=", "<span", "<o:p", "</o:p", "<font", "<!--", "supportLists", "[if", "endif",
        "<xml", "<style", "<meta", "<link", "file:", "Section0", "WordSection", "lang=", "width=", "<h1", "Normal")


def no_junk(body: str) -> list[str]:
    return [j for j in JUNK if j in body]


def test_the_samples_are_recognised_as_office_html_and_plain_html_is_not():
    assert is_office_html(WORD_HTML) and is_office_html(WPS_HTML)
    assert not is_office_html("<h2>标题</h2><p>正文</p><table><tr><td colspan=2>合计</td></tr></table>")


def test_word_paste_keeps_structure_and_drops_the_junk():
    body = sanitise(WORD_HTML)
    assert no_junk(body) == [], body
    # h1 becomes h2 (the page's h1 is the title), not flattened to text
    assert "<h2>关于做好2024年政务公开工作的通知</h2>" in body
    assert "<h2>一、工作要求</h2>" in body and "<h3>（一）报送时间</h3>" in body
    assert "<p>各乡镇人民政府，市政府各部门：</p>" in body
    # the numbered list, with its nested lettered item, and the bullet list after it
    assert re.sub(r"\s+", "", body).count("<ol><li>加强组织领导<ol><li>明确分管负责人</li></ol></li><li>按时报送材料</li></ol>") == 1, body
    assert "<ul><li>附件须为PDF格式</li></ul>" in body
    # the markers Word draws ("1.", "a)", "·") are not text of the items
    assert "1." not in html_to_text(body) and "a)" not in body and "·" not in body
    # the table with its merged cells
    assert 'rowspan="2"' in body and 'colspan="2"' in body
    assert re.search(r'<td rowspan="2">\s*<p>单位</p>\s*</td>', body), body
    assert "7月10日前" in body and "<p>联系人：王明</p>" in body
    # Word's spacing paragraph (<o:p>&nbsp;</o:p>) and its document settings are gone
    assert "<p>\xa0</p>" not in body and "&nbsp;" not in body and "Normal" not in html_to_text(body)
    assert "7.8 磅" not in body


def test_wps_paste_keeps_structure_and_drops_the_junk():
    body = sanitise(WPS_HTML)
    assert no_junk(body) == [], body
    assert "<h2><b>西昌市政府信息公开指南</b></h2>" in body
    assert "<p>根据《中华人民共和国政府信息公开条例》，编制本指南。</p>" in body
    assert "<ol><li>主动公开</li><li>依申请公开</li></ol>" in body  # "（一）" "（二）": a numbered list
    assert "（一）" not in body
    assert 'colspan="3"' in body and "<b>办理时限</b>" in body and "20个工作日" in body
    assert "MicrosoftInternetExplorer4" not in body and "<title>" not in body


def test_word_fragment_without_head_is_cleaned_too():
    """What some browsers hand over: just the fragment, no <html> or <head>."""
    fragment = ("<p class=MsoNormal style='mso-list:l2 level1 lfo3'><!--[if !supportLists]--><span style='mso-list:Ignore'>"
                "一、<span style='font:7.0pt \"Times New Roman\"'>&nbsp;</span></span><!--[endif]-->总体要求<o:p></o:p></p>"
                "<p class=MsoNormal style='mso-list:l2 level1 lfo3'><!--[if !supportLists]--><span style='mso-list:Ignore'>"
                "二、</span><!--[endif]-->主要任务<o:p></o:p></p><p class=MsoNormal>结语<o:p></o:p></p>")
    assert sanitise(fragment) == "<ol><li>总体要求</li><li>主要任务</li></ol><p>结语</p>"


def test_a_numbered_heading_keeps_its_number():
    heading = ("<h2 style='mso-list:l3 level1 lfo4'><![if !supportLists]><span style='mso-list:Ignore'>第一章"
               "<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;</span></span><![endif]>总则<o:p></o:p></h2>")
    assert sanitise(heading) == "<h2>第一章 总则</h2>"


def test_plain_html_keeps_its_existing_behaviour():
    body = '<h2>标题</h2><p lang="en">text</p><table><tbody><tr><th scope="col" colspan="2">合计</th></tr></tbody></table><div>块</div>'
    assert sanitise(body) == body
    assert sanitise("<h1>大标题</h1><H1 id=x>二</H1>") == "<h2>大标题</h2><h2>二</h2>"
    # span soup goes, its text stays
    assert sanitise('<p><span class="a" style="color:red"><span>正文</span></span></p>') == "<p>正文</p>"
    assert sanitise("<p>一<!-- 注释 -->二</p><style>p{}</style><title>题</title>") == "<p>一二</p>"


def test_active_content_still_goes_in_office_html():
    hostile = WORD_HTML.replace(
        "联系人：王明",
        "联系人：王明<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)' onclick='x()'>链接</a>"
        "<a href='JaVaScRiPt&colon;alert(4)'>二</a><iframe src='https://evil.example/'></iframe>",
    ).replace("<h2>", "<h2 onmouseover='alert(5)'>")
    body = sanitise(hostile)
    for bad in ("<script", "alert", "onerror", "onclick", "onmouseover", "javascript", "<iframe", "evil.example"):
        assert bad not in body.lower(), (bad, body)
    assert "链接" in body and "联系人：王明" in body


def test_active_content_still_goes_in_plain_html():
    body = sanitise('<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>'
                    '<svg onload="alert(2)"><script>alert(3)</script></svg><img src="https://img.example.com/a.png" alt="图">')
    for bad in ("script", "onclick", "onload", "javascript", "alert", "example.com", "<svg"):
        assert bad not in body, (bad, body)
    assert body.startswith("<p>正文<a") and 'alt="图"' in body


def test_list_markers_are_found_in_one_pass_and_unmatched_ones_left_alone():
    """Each marker between its conditional comments, in both spellings; a
    start without its end (a broken or hostile paste: half a megabyte of them
    took a lazy regex 30 s) ends the search and is left as it is."""
    from gongkai.catalog.text import _mark_list_markers

    assert _mark_list_markers("a<!--[if !supportLists]-->1.<!--[endif]-->b<![if !supportLists]>·<![endif]>c"
                              "<!--[IF !supportLists]-->x") == (
        "a<gk-list-marker>1.</gk-list-marker>b<gk-list-marker>·</gk-list-marker>c<!--[IF !supportLists]-->x")
    hostile = "<p class=MsoNormal>" + "<!--[if !supportLists]-->x" * 20000 + "</p>"
    assert _mark_list_markers(hostile) == hostile
    assert "x" * 100 in sanitise(hostile).replace("<!--[if !supportLists]-->", "")
