"""The text of attachments for the privacy scan, and masking inside them:
.txt/.csv in UTF-8 and GBK, .html, .docx (a value split over runs), .xlsx and
.pdf; formats without text and damaged files give None, never an error."""

import io
import logging
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from gongkai.catalog.models import Attachment
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.publishing import attachment_text, findings
from gongkai.publishing.models import PrivacyFinding
from tests.publishing.test_findings import CARD, EMAIL, MOBILE, PERSON, assert_nowhere, make_id, staff  # noqa: F401

pytestmark = pytest.mark.django_db

OPEN, MASKED, WAIVED = PrivacyFinding.State.OPEN, PrivacyFinding.State.MASKED, PrivacyFinding.State.WAIVED
APPLICANT = make_id("513401", sequence="517")
MASKED_PERSON = f"513401********{PERSON[-4:]}"

ROSTER = (
    "序号,姓名,身份证号码,联系电话,补助金额（元）,备注\n"
    f"1,张某某,{PERSON},{MOBILE},1200.00,渝府办发〔2018〕76号\n"
    f"2,李某某,{APPLICANT},023-67891234,800.00,2018年7月20日核定\n"
)


def make_docx(split_mobile=True) -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = f"西昌市民政局 联系邮箱：{EMAIL}"
    document.add_paragraph("西昌市2024年第一季度城乡低保对象名单公示")
    paragraph = document.add_paragraph("申请人张某某，联系电话")
    if split_mobile:  # Word splits a number over runs (spell check, revisions, formatting)
        paragraph.add_run(MOBILE[:5])
        bold = paragraph.add_run(MOBILE[5:])
        bold.bold = True
    else:
        paragraph.add_run(MOBILE)
    paragraph.add_run("，户籍地西昌市安宁镇。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["姓名", "身份证号码", "文号"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["张某某", PERSON, "西府发〔2024〕3号"]):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "低保对象"
    sheet.append(["姓名", "身份证号码", "联系电话", "银行卡号", "发放日期"])
    sheet.append(["张某某", PERSON, int(MOBILE), CARD, "2024年3月1日"])
    sheet.append(["李某某", APPLICANT, "未登记", None, 20180720])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text pypdf can read (Helvetica, ASCII text)."""
    stream = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())


# --- extract() --------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
@pytest.mark.parametrize("ext", [".txt", ".csv", "CSV"])
def test_text_in_utf8_and_gbk(encoding, ext):
    assert attachment_text.extract(io.BytesIO(ROSTER.encode(encoding)), ext) == ROSTER


def test_text_from_a_path(tmp_path):
    path = tmp_path / "名单.txt"
    path.write_bytes(ROSTER.encode("gbk"))
    assert attachment_text.extract(path, ".txt") == ROSTER
    assert attachment_text.extract(str(path), "txt") == ROSTER


def test_html_text_keeps_cells_apart_and_skips_scripts():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>公示</title>'
        "<script>var hotline = '13800000000';</script></head><body><table><tr><td>张某某</td>"
        f"<td>{PERSON}</td><td>{MOBILE}</td></tr></table><p>西昌市民政局&nbsp;2024年3月1日</p></body></html>"
    )
    text = attachment_text.extract(io.BytesIO(page.encode("gbk")), ".html")
    assert f"{PERSON}\n{MOBILE}" in text and "西昌市民政局 2024年3月1日" in text
    assert "13800000000" not in text


def test_docx_text_of_paragraphs_tables_and_header():
    text = attachment_text.extract(io.BytesIO(make_docx()), ".docx")
    assert f"申请人张某某，联系电话{MOBILE}，户籍地西昌市安宁镇。" in text  # the split runs read as one
    assert PERSON in text and "西府发〔2024〕3号" in text and EMAIL in text


def test_xlsx_text_of_every_cell():
    text = attachment_text.extract(io.BytesIO(make_xlsx()), ".xlsx")
    assert f"张某某\t{PERSON}\t{MOBILE}\t{CARD}\t2024年3月1日" in text  # a number cell reads as its digits
    assert APPLICANT in text and "20180720" in text


def test_pdf_text():
    text = attachment_text.extract(io.BytesIO(make_pdf([f"Applicant ID {PERSON}", f"Tel {MOBILE}"])), ".pdf")
    assert PERSON in text and MOBILE in text


@pytest.mark.parametrize("ext, data", [
    (".jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64), (".png", b"\x89PNG\r\n\x1a\n"), (".zip", b"PK\x03\x04"),
    (".doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 64), (".xls", b"\xd0\xcf\x11\xe0"), (".wps", b"\x00"), (".ofd", b"PK"),
])
def test_formats_without_text_give_none(ext, data):
    assert attachment_text.extract(io.BytesIO(data), ext) is None
    assert not attachment_text.can_extract(ext) and not attachment_text.can_rewrite(ext)


@pytest.mark.parametrize("ext, data", [
    (".docx", b"PK\x03\x04 this is not a Word document"),
    (".docx", make_docx()[:300]),
    (".xlsx", b"PK\x03\x04\x14\x00garbage"),
    (".pdf", b"%PDF-1.4\n1 0 obj garbage"),
    (".html", b""),
# Named ids: a generated .docx carries its creation time, so ids made from the
# bytes could differ between xdist workers collecting a second apart.
], ids=["docx-not-zip", "docx-truncated", "xlsx-garbage", "pdf-garbage", "html-empty"])
def test_damaged_files_give_none_and_are_logged(ext, data, caplog):
    with caplog.at_level(logging.WARNING, logger="gongkai.publishing.attachment_text"):
        result = attachment_text.extract(io.BytesIO(data), ext)
    assert result is None or result == ""
    if ext != ".html":
        assert result is None and caplog.records


# --- Through the findings services --------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"  # audit.verify() reads this test's own
    return tmp_path


@pytest.fixture
def roster_doc(org_tree, make_document, media):
    return make_document(org_tree["county"], "西昌市2024年第一季度城乡低保对象名单公示",
                         "现将2024年第一季度城乡低保对象名单予以公示，详见附件。", publish=False)


def attach(doc, name, data) -> Attachment:
    attachment = Attachment(document=doc, file=ContentFile(data, name=name))
    attachment.save()
    attachment_text.read_pending()  # what `gongkai worker` does on its next tick
    attachment.refresh_from_db()
    return attachment


def stored_bytes(attachment) -> bytes:
    attachment.refresh_from_db()
    with attachment.file.storage.open(attachment.file.name, "rb") as handle:
        return handle.read()


def test_gbk_text_attachment_is_scanned_and_masked_in_its_encoding(roster_doc, staff):
    attachment = attach(roster_doc, "名单.txt", ROSTER.encode("gbk"))
    found = findings.scan_document(roster_doc)
    assert [(f.kind, f.attachment_id) for f in found] == [
        ("id_card", attachment.pk), ("mobile", attachment.pk), ("id_card", attachment.pk), ("landline", attachment.pk),
    ]
    assert findings.blocking_message(roster_doc).startswith("正文或附件中有4处")
    findings.mask_finding(found[0], staff["drafter"])
    data = stored_bytes(attachment)
    text = data.decode("gbk")  # still GBK
    assert PERSON not in text and MASKED_PERSON in text
    assert "渝府办发〔2018〕76号" in text and MOBILE in text
    assert attachment.size == len(data)
    assert findings.open_findings(roster_doc).count() == 3
    entry = AuditEntry.objects.get(action="privacy.mask")
    assert entry.detail["attachment"] == attachment.pk and entry.detail["masked"] == MASKED_PERSON
    assert audit.verify().ok
    assert_nowhere([PERSON, MOBILE, APPLICANT])


def test_docx_attachment_masks_a_value_split_over_runs(roster_doc, staff):
    attachment = attach(roster_doc, "名单.docx", make_docx())
    found = findings.scan_document(roster_doc)
    assert sorted(f.kind for f in found) == ["email", "id_card", "mobile"]
    assert all(f.attachment_id == attachment.pk for f in found)
    assert findings.mask_all(roster_doc, staff["drafter"]) == 0  # mask_all is the body's one click
    for finding in found:
        findings.mask_finding(finding, staff["drafter"])
    data = stored_bytes(attachment)
    text = attachment_text.extract(io.BytesIO(data), ".docx")
    for value in (MOBILE, PERSON, EMAIL):
        assert value not in text and value not in zip_text(data)
    assert "申请人张某某，联系电话139****4567，户籍地西昌市安宁镇。" in text
    assert MASKED_PERSON in text and "z***@example.com" in text
    paragraph = next(p for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.startswith("申请人"))
    assert [(run.text, bool(run.bold)) for run in paragraph.runs] == [
        ("申请人张某某，联系电话", False), ("139**", False), ("**4567", True), ("，户籍地西昌市安宁镇。", False),
    ]  # the runs keep their formatting
    assert "西府发〔2024〕3号" in text
    assert findings.blocking_message(roster_doc) is None and findings.scan_document(roster_doc) == []
    assert audit.verify().ok


def test_docx_mask_in_file_replaces_inside_one_run(roster_doc):
    attachment = attach(roster_doc, "名单.docx", make_docx(split_mobile=False))
    assert attachment_text.mask_in_file(attachment, {MOBILE: "139****4567", "00000000000": "000****0000"})
    text = attachment_text.extract(io.BytesIO(stored_bytes(attachment)), ".docx")
    assert MOBILE not in text and "联系电话139****4567，" in text and PERSON in text


def test_xlsx_attachment_masks_text_and_number_cells(roster_doc, staff):
    attachment = attach(roster_doc, "名单.xlsx", make_xlsx())
    found = findings.scan_document(roster_doc)
    assert sorted(f.kind for f in found) == ["bank_card", "id_card", "id_card", "mobile"]
    for finding in found:
        if finding.kind != "bank_card":
            findings.mask_finding(finding, staff["secrecy"])
    workbook = openpyxl.load_workbook(io.BytesIO(stored_bytes(attachment)))
    rows = list(workbook["低保对象"].iter_rows(values_only=True))
    assert rows[1][:3] == ("张某某", MASKED_PERSON, "139****4567")
    assert rows[1][3] == CARD and rows[2][4] == 20180720
    assert [f.kind for f in findings.open_findings(roster_doc)] == ["bank_card"]
    text = attachment_text.extract(io.BytesIO(stored_bytes(attachment)), ".xlsx")
    assert PERSON not in text and MOBILE not in text and APPLICANT not in text


def test_html_attachment_is_masked_in_its_declared_encoding(roster_doc, staff):
    page = ('<html><head><meta charset="gbk"></head><body><p>联系人：张某某，电话<b>139</b>81234567，'
            f'<a href="mailto:{EMAIL}">来信</a></p></body></html>')
    attachment = attach(roster_doc, "公示.html", page.encode("gbk"))
    found = findings.scan_document(roster_doc)
    assert [f.kind for f in found] == ["mobile"]
    findings.mask_finding(found[0], staff["drafter"])
    page = stored_bytes(attachment).decode("gbk")
    assert "<b>139</b>****4567" in page


def test_pdf_findings_cannot_be_masked_but_can_be_waived(roster_doc, staff):
    attachment = attach(roster_doc, "决定书.pdf", make_pdf([f"Applicant ID {PERSON}", f"Tel {MOBILE}"]))
    found = findings.scan_document(roster_doc)
    assert sorted(f.kind for f in found) == ["id_card", "mobile"]
    before = stored_bytes(attachment)
    with pytest.raises(ValidationError) as refused:
        findings.mask_finding(found[0], staff["drafter"])
    assert refused.value.messages == ["该附件格式无法自动去标识化，请替换附件或依法保留。"]
    assert stored_bytes(attachment) == before
    assert not attachment_text.mask_in_file(attachment, {MOBILE: "139****4567"})
    assert PrivacyFinding.objects.get(pk=found[0].pk).state == OPEN
    for finding in found:
        findings.waive_finding(finding, staff["secrecy"], PrivacyFinding.WaiverGround.MANDATORY,
                               "依法须公开的行政处罚决定书原件。")
    assert findings.blocking_message(roster_doc) is None
    assert {f.state for f in findings.scan_document(roster_doc)} == set()  # waived stays waived
    assert set(PrivacyFinding.objects.values_list("state", flat=True)) == {WAIVED}


def test_damaged_and_unreadable_attachments_do_not_break_the_scan(roster_doc, caplog):
    broken = attach(roster_doc, "损坏.docx", b"PK\x03\x04 not really a Word document")
    photo = attach(roster_doc, "现场照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    with caplog.at_level(logging.WARNING, logger="gongkai.publishing.attachment_text"):
        assert findings.scan_document(roster_doc) == []
    assert findings.blocking_message(roster_doc) is None
    assert {a.pk for a in findings.unchecked_attachments(roster_doc)} == {broken.pk, photo.pk}
    assert attachment_text.UNCHECKED_MESSAGE == "该附件无法自动检查，请人工核对"
    assert not attachment_text.mask_in_file(broken, {MOBILE: "139****4567"})
    assert not attachment_text.mask_in_file(photo, {MOBILE: "139****4567"})
