"""Attachment text is read once, by the worker, within limits: a small file
that inflates to 100 MB of XML, an archive of many entries, a PDF of many
pages or a read that takes too long stops at the limit with a clear status,
and no page (nor the workflow) ever opens the file."""

import io
import itertools
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from gongkai.catalog.models import Attachment
from gongkai.publishing import attachment_text, findings, services
from gongkai.publishing.attachment_text import Limits
from tests.portal.helpers import parse, text_of
from tests.publishing.test_attachment_text import make_docx, make_xlsx
from tests.publishing.test_findings import MOBILE, PERSON, staff  # noqa: F401

pytestmark = pytest.mark.django_db

S = Attachment.TextStatus
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
PARAGRAPH = "<w:p><w:r><w:t>西昌市2024年第一季度城乡低保对象名单公示，详见附件。</w:t></w:r></w:p>"


def rezip(data: bytes, replace: dict[str, object] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """The archive `data` with some entries replaced (bytes, or a callable
    that writes the entry in chunks) and others added, deflated at level 9."""
    replace, out = replace or {}, io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            if callable(content):
                with target.open(info.filename, "w", force_zip64=True) as handle:
                    content(handle)
            else:
                target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def body_xml(paragraphs: int) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>' + PARAGRAPH * paragraphs
            + "</w:body></w:document>").encode()


def docx_bomb(megabytes: int = 60) -> bytes:
    """A Word document whose body is `megabytes` MB of the same paragraph
    (the 341 KB report that inflated to 100 MB), streamed into the archive."""
    chunk = PARAGRAPH.encode() * 1000

    def write(handle):
        handle.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode())
        for _ in range(megabytes * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
        handle.write(b"</w:body></w:document>")

    return rezip(make_docx(), {"word/document.xml": write})


def many_pages_pdf(pages: int) -> bytes:
    """A PDF of `pages` pages, page N saying "Page N of the roster"."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None,
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for number in range(1, pages + 1):
        stream = f"BT /F1 12 Tf 72 720 Td (Page {number} of the roster) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        content = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {content} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(org_tree, make_document, media):
    return make_document(org_tree["county"], "西昌市2024年第一季度城乡低保对象名单公示", "详见附件。", publish=False)


def upload(doc, name, data) -> Attachment:
    return Attachment.objects.create(document=doc, file=ContentFile(data, name=name))


def worker_reads(attachment) -> Attachment:
    attachment_text.read_pending()  # what `gongkai worker` does on its next tick
    attachment.refresh_from_db()
    return attachment


@pytest.fixture
def file_opens(monkeypatch):
    """How many times a stored file is opened."""
    opened = []
    original = FileSystemStorage.open

    def counting(self, name, mode="rb"):
        opened.append(name)
        return original(self, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", counting)
    return opened


# --- The zip bomb -------------------------------------------------------------------

def test_a_docx_that_inflates_to_60_mb_is_refused_before_it_is_inflated(draft, monkeypatch):
    bomb = docx_bomb(60)
    assert len(bomb) < 400 * 1024  # small on the wire
    inflated = []
    original = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = original(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    attachment = worker_reads(upload(draft, "名单.docx", bomb))
    assert attachment.text_status == S.TOO_LARGE and attachment.text == ""
    assert sum(inflated) < 1024 * 1024  # the body was never inflated
    assert attachment_text.extract_attachment(attachment) is None
    assert attachment_text.is_unchecked(attachment) and not attachment_text.is_pending(attachment)
    assert attachment.get_text_status_display() == "附件过大，未能自动读取全部内容"


def test_without_the_ratio_limit_the_inflated_size_limit_stops_it(draft, settings):
    settings.GONGKAI_ATTACHMENT_TEXT_MAX_RATIO = 10 ** 6
    settings.GONGKAI_ATTACHMENT_TEXT_MAX_BYTES = 4 * 1024 * 1024
    attachment = worker_reads(upload(draft, "名单.docx", docx_bomb(20)))
    assert attachment.text_status == S.TOO_LARGE and attachment.text == ""


def test_a_docx_under_the_byte_limit_stops_at_the_character_limit(draft, settings):
    settings.GONGKAI_ATTACHMENT_TEXT_MAX_CHARS = 1000
    data = rezip(make_docx(), {"word/document.xml": body_xml(500)})
    attachment = worker_reads(upload(draft, "名单.docx", data))
    assert attachment.text_status == S.TOO_LARGE
    assert len(attachment.text) == 1000  # cut at the limit, what was read is kept
    whole = attachment_text.read(io.BytesIO(data), ".docx", Limits(max_chars=10 ** 6))
    assert whole.status == S.READ and whole.text.startswith(attachment.text)


def test_an_archive_of_too_many_entries_is_not_read(settings):
    settings.GONGKAI_ATTACHMENT_TEXT_MAX_ENTRIES = 50
    data = rezip(make_docx(), extra={f"customXml/extra{i}.xml": b"<a/>" for i in range(60)})
    assert attachment_text.read(io.BytesIO(data), ".docx").status == S.TOO_LARGE
    assert attachment_text.read(io.BytesIO(data), ".docx", Limits(max_entries=100)).status == S.READ


def test_an_xlsx_bomb_is_refused_and_a_large_sheet_is_cut():
    sheet = "xl/worksheets/sheet1.xml"
    original = zipfile.ZipFile(io.BytesIO(make_xlsx())).read(sheet).decode()
    rows = '<row><c t="inlineStr"><is><t>张某某低保对象名单公示</t></is></c></row>' * 300_000  # 24 MB
    bomb = rezip(make_xlsx(), {sheet: original.replace("</sheetData>", rows + "</sheetData>").encode()})
    assert attachment_text.read(io.BytesIO(bomb), ".xlsx").status == S.TOO_LARGE  # ratio
    cut = attachment_text.read(io.BytesIO(bomb), ".xlsx", Limits(max_ratio=10 ** 6, max_chars=5000))
    assert cut.status == S.TOO_LARGE and len(cut.text) == 5000 and PERSON in cut.text


def test_a_pdf_of_many_pages_stops_at_the_page_limit(draft, settings):
    settings.GONGKAI_ATTACHMENT_TEXT_MAX_PAGES = 40
    attachment = worker_reads(upload(draft, "名单.pdf", many_pages_pdf(300)))
    assert attachment.text_status == S.TOO_LARGE
    assert "Page 40 of the roster" in attachment.text and "Page 41 " not in attachment.text
    assert attachment.text.count("of the roster") == 40
    cut = attachment_text.read(io.BytesIO(many_pages_pdf(300)), ".pdf", Limits(max_chars=500))
    assert cut.status == S.TOO_LARGE and len(cut.text) == 500


def test_a_read_that_takes_too_long_stops_at_the_time_limit(monkeypatch):
    clock = itertools.count(1000)  # one second passes on every look at the clock
    monkeypatch.setattr(attachment_text.time, "monotonic", lambda: next(clock))
    reading = attachment_text.read(io.BytesIO(many_pages_pdf(100)), ".pdf", Limits(max_seconds=10))
    assert reading.status == S.TOO_LARGE
    assert 0 < reading.text.count("of the roster") < 100


def test_text_and_html_past_the_byte_limit_are_cut():
    data = ("序号,姓名,联系电话\n" * 10_000).encode("gbk")
    reading = attachment_text.read(io.BytesIO(data), ".csv", Limits(max_bytes=1000))
    assert reading.status == S.TOO_LARGE and 0 < len(reading.text) <= 1000
    assert attachment_text.read(io.BytesIO(data), ".csv").status == S.READ


def test_a_file_that_keeps_killing_the_worker_is_given_up(draft, monkeypatch):
    attachment = upload(draft, "名单.docx", make_docx())
    Attachment.objects.filter(pk=attachment.pk).update(text_attempts=attachment_text.MAX_ATTEMPTS)
    monkeypatch.setattr(attachment_text, "read", lambda *a, **k: pytest.fail("the file was read again"))
    assert worker_reads(attachment).text_status == S.UNREADABLE


def test_the_worker_tick_reads_new_attachments(draft):
    from gongkai.core import scheduler
    from gongkai.publishing.tasks import read_attachment_text

    [job] = [job for job in scheduler.periodic_jobs() if job.task is read_attachment_text]  # only this job

    def tick(now):
        return scheduler.tick([job], now=now)[job.name].return_value["attachments"]

    now = timezone.now()
    attachment = upload(draft, "名单.docx", make_docx())
    assert attachment.text_status == S.PENDING
    assert tick(now) == 1
    attachment.refresh_from_db()
    assert attachment.text_status == S.READ and PERSON in attachment.text
    assert tick(job.period.next_after(now)) == 0  # read once


# --- Pages and the workflow read what is stored -------------------------------------

def test_the_review_page_never_opens_an_attachment_and_says_it_is_being_read(draft, staff, client, file_opens):  # noqa: F811
    attachment = upload(draft, "名单.docx", make_docx())
    client.force_login(staff["drafter"])
    page = client.get(reverse("workspace:document", args=[draft.pk]))
    section = text_of(parse(page).xpath("//section[@aria-labelledby='privacy-h']")[0])
    assert "正在读取附件内容" in section and "名单.docx" in section
    assert file_opens == []
    # Submitted while it is being read: the workflow does not open it either.
    services.act(draft, "submit", user=staff["drafter"])
    assert file_opens == []
    worker_reads(attachment)  # then the worker reads it and scans the document again
    assert {f.kind for f in findings.open_findings(draft)} == {"email", "id_card", "mobile"}
    file_opens.clear()
    client.force_login(staff["reviewer"])
    page = client.get(reverse("workspace:document", args=[draft.pk]))
    section = text_of(parse(page).xpath("//section[@aria-labelledby='privacy-h']")[0])
    assert "正在读取附件内容" not in section and "附件“名单.docx”" in section and "139****4567" in section
    assert file_opens == []


def test_an_attachment_too_large_to_read_is_shown_for_a_person_to_check(draft, staff, client):  # noqa: F811
    worker_reads(upload(draft, "名单.docx", docx_bomb(40)))
    client.force_login(staff["drafter"])
    section = text_of(parse(client.get(reverse("workspace:document", args=[draft.pk])))
                      .xpath("//section[@aria-labelledby='privacy-h']")[0])
    assert "无法自动检查" in section and "“名单.docx”（附件过大，未能自动读取全部内容）" in section


def test_an_attachment_not_read_whole_is_never_rewritten_in_a_request(draft):
    big = worker_reads(upload(draft, "名单.docx", docx_bomb(40)))
    waiting = upload(draft, "名单2.docx", make_docx())
    assert not attachment_text.mask_in_file(big, {MOBILE: "139****4567"})
    assert not attachment_text.mask_in_file(waiting, {MOBILE: "139****4567"})
