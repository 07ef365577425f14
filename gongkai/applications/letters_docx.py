"""The reply letter (告知书) as a Word document, in the usual layout of an
official letter: A4 with the customary margins; the title centred in a
larger bold 宋体; the letter number right-aligned; the body in 三号仿宋 with
a first-line indent of two characters; the remedy clause; the organisation
and the date right-aligned. Chinese text gets its font through w:eastAsia
(Word takes East Asian characters from that attribute, not from w:ascii).

The letter is the one issued: its parts come from the reply's stored text
(Reply.body, written when the reply was made), so rewording a template later
does not change letters already sent. A reply without stored text is
rendered from the template the handling organisation uses now (its own
wording, else its nearest ancestor's, else the default: letters.templates_for)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import letters

TITLE_FONT = "宋体"      # 方正小标宋简体 where installed; 宋体 is on every office machine
BODY_FONT = "仿宋"       # 仿宋_GB2312 in older installations
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)      # 二号
BODY_SIZE = Pt(16)       # 三号
LINE = Pt(28)            # fixed line spacing of official documents
INDENT = Pt(32)          # two characters of 三号


def letter_parts(app, reply) -> dict:
    """Title, number, body paragraphs, remedy clause, organisation and date of
    the letter as issued (see the module docstring)."""
    lines = [line for line in (reply.body or "").split("\n") if line.strip()]
    if len(lines) >= 6:
        return {"title": lines[0], "number": lines[1], "paragraphs": lines[2:-3], "remedy": lines[-3],
                "organisation": lines[-2], "date": lines[-1]}
    return letters.render_parts(app, reply)


def disclosed_names(app) -> list[str]:
    """The names of the files disclosed with the reply (listed as 附件)."""
    from .models import ApplicationFile

    if not getattr(app, "pk", None):
        return []
    return list(app.files.filter(role=ApplicationFile.Role.DISCLOSED).order_by("id").values_list("name", flat=True))


def _set_font(run_or_style, name: str, size, *, bold: bool = False, latin: str = LATIN_FONT) -> None:
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


def _paragraph(doc, text: str, *, align=None, indent: bool = False, font: str = BODY_FONT, size=BODY_SIZE,
               bold: bool = False, right_indent=None, space_after=None):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE if size == BODY_SIZE else Pt(36)
    fmt.space_before = Pt(0)
    fmt.space_after = space_after if space_after is not None else Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = INDENT
    if right_indent is not None:
        fmt.right_indent = right_indent
    _set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def build(app, reply) -> bytes:
    """The reply letter as .docx bytes."""
    return render(letter_parts(app, reply), issued_on=reply.issued_on, attachments=disclosed_names(app),
                  keywords="政府信息公开申请答复")


def build_consultation(app, event) -> bytes:
    """The third-party consultation letter (征求第三方意见书) as .docx bytes."""
    return render(letters.consultation_parts(app, event), issued_on=event.on, attachments=[],
                  keywords="政府信息公开征求第三方意见")


def render(parts: dict, *, issued_on, attachments: list[str], keywords: str) -> bytes:
    """A letter's parts laid out as an official letter."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _set_font(doc.styles["Normal"], BODY_FONT, BODY_SIZE)

    props = doc.core_properties
    props.title = parts["title"]
    props.author = parts["organisation"]
    props.last_modified_by = parts["organisation"]
    props.subject = parts["number"]
    props.comments = ""
    props.keywords = keywords
    issued = dt.datetime.combine(issued_on, dt.time(9, 0)) if issued_on else None
    if issued is not None:
        props.created = props.modified = issued

    _paragraph(doc, parts["title"], align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=TITLE_SIZE, bold=True,
               space_after=Pt(12))
    _paragraph(doc, parts["number"], align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=Pt(12))
    for position, text in enumerate(parts["paragraphs"]):
        # The addressee line (申请人：) stands flush left; every other paragraph is indented.
        salutation = position == 0 and text.rstrip().endswith("：")
        _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=not salutation)
    if parts["remedy"]:
        _paragraph(doc, parts["remedy"], align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    _paragraph(doc, "", space_after=Pt(0))
    _paragraph(doc, parts["organisation"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)
    _paragraph(doc, parts["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)
    names = attachments
    if names:
        _paragraph(doc, "")
        _paragraph(doc, "附件：", indent=True)
        for number, name in enumerate(names, 1):
            _paragraph(doc, f"{number}. {name}", indent=True)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
