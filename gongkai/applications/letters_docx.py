"""The reply letter (告知书) as a Word document, in the usual layout of an
official letter (gongkai.core.docx_style): the title centred; the letter
number right-aligned; the body paragraphs indented; the remedy clause; the
organisation and the date right-aligned.

The letter is the one issued: its parts come from the reply's stored text
(Reply.body, written when the reply was made), so rewording a template later
does not change letters already sent. A reply without stored text is
rendered from the template the handling organisation uses now (its own
wording, else its nearest ancestor's, else the default: letters.templates_for)."""

from __future__ import annotations

import datetime as dt
import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from gongkai.core.docx_style import INDENT, TITLE_FONT, TITLE_SIZE, new_document
from gongkai.core.docx_style import paragraph as _paragraph

from . import letters


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


def build(app, reply) -> bytes:
    """The reply letter as .docx bytes."""
    return render(letter_parts(app, reply), issued_on=reply.issued_on, attachments=disclosed_names(app),
                  keywords="政府信息公开申请答复")


def build_consultation(app, event) -> bytes:
    """The third-party consultation letter (征求第三方意见书) as .docx bytes."""
    return render(letters.consultation_parts(app, event), issued_on=event.on, attachments=[],
                  keywords="政府信息公开征求第三方意见")


def build_notice(notice) -> bytes:
    """A sent notice (gongkai.applications.notices) as .docx bytes: the letter
    as issued (Notice.parts), with the files disclosed with a reply listed."""
    attachments = disclosed_names(notice.application) if notice.kind == "reply" else []
    return render(notice.parts, issued_on=notice.sent_on, attachments=attachments,
                  keywords=f"政府信息公开{notice.get_kind_display()}")


def render(parts: dict, *, issued_on, attachments: list[str], keywords: str) -> bytes:
    """A letter's parts laid out as an official letter."""
    doc = new_document(title=parts["title"], author=parts["organisation"], keywords=keywords)
    props = doc.core_properties
    props.subject = parts["number"]
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
