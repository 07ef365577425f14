"""The house style of official documents in Word (党政机关公文格式, GB/T 9704):
A4 with the customary margins; titles in a larger bold 宋体; the body in 三号
仿宋 on a fixed 28-point line with a first-line indent of two characters.
Chinese text gets its font through w:eastAsia (Word takes East Asian
characters from that attribute, not from w:ascii).

One place for the layout every generated document shares: the reply letters
and notices (gongkai.applications.letters_docx) and the annual report
(gongkai.reports.annual_render)."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "宋体"      # 方正小标宋简体 where installed; 宋体 is on every office machine
BODY_FONT = "仿宋"       # 仿宋_GB2312 in older installations
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)      # 二号
BODY_SIZE = Pt(16)       # 三号
LINE = Pt(28)            # fixed line spacing of official documents
INDENT = Pt(32)          # two characters of 三号


def new_document(*, title: str, author: str, keywords: str):
    """An empty A4 document with the official margins, the body font as its
    Normal style and the given properties."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    set_font(doc.styles["Normal"], BODY_FONT, BODY_SIZE)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = author
    props.keywords = keywords
    props.comments = ""
    return doc


def set_font(run_or_style, name: str, size, *, bold: bool = False, latin: str = LATIN_FONT) -> None:
    font = run_or_style.font
    font.name = latin
    font.size = size
    font.bold = bold
    rpr = run_or_style._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def paragraph(doc, text: str, *, align=None, indent: bool = False, font: str = BODY_FONT, size=BODY_SIZE,
              bold: bool = False, right_indent=None, space_after=None):
    """A paragraph of one run on the fixed line of official documents."""
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE if size == BODY_SIZE else Pt(36)
    fmt.space_before = Pt(0)
    fmt.space_after = space_after if space_after is not None else Pt(0)
    if align is not None:
        para.alignment = align
    if indent:
        fmt.first_line_indent = INDENT
    if right_indent is not None:
        fmt.right_indent = right_indent
    set_font(para.add_run(text), font, size, bold=bold)
    return para
