import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from gongkai.catalog.models import Attachment


@pytest.fixture
def doc(org_tree, make_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_document(org_tree["county"], "附件测试")


def attach(doc, name, content):
    attachment = Attachment(document=doc, file=SimpleUploadedFile(name, content))
    attachment.full_clean()
    attachment.save()
    return attachment


def test_pdf_is_accepted_with_size_and_type(doc):
    attachment = attach(doc, "计划.pdf", b"%PDF-1.7\n" + b"x" * 100)
    assert attachment.size == 109
    assert attachment.content_type == "application/pdf"
    assert attachment.name == "计划.pdf"


@pytest.mark.parametrize("name", ["run.exe", "page.html", "script.js", "noextension"])
def test_forbidden_types_are_refused_in_chinese(doc, name):
    with pytest.raises(ValidationError, match="不允许上传"):
        attach(doc, name, b"MZ\x90\x00")
    assert not Attachment.objects.exists()


def test_content_must_match_extension(doc):
    with pytest.raises(ValidationError, match="与扩展名"):
        attach(doc, "fake.pdf", b"MZ\x90\x00 not a pdf")


def test_size_limit(doc):
    with override_settings(GONGKAI_ATTACHMENT_MAX_BYTES=1024):
        with pytest.raises(ValidationError, match="超过上限"):
            attach(doc, "big.txt", b"x" * 2048)
