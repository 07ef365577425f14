"""Files the public sends with a form (an application's proofs, a letter's
attachments): how many, how large, which types, each checked by its content."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

# The first bytes of the binary formats we recognise: a file's content must
# match its extension (an .ofd file is a ZIP package, as .docx is).
MAGIC = {".pdf": b"%PDF", ".png": b"\x89PNG", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".zip": b"PK",
         ".docx": b"PK", ".xlsx": b"PK", ".ofd": b"PK", ".doc": b"\xd0\xcf\x11\xe0", ".xls": b"\xd0\xcf\x11\xe0"}


def content_matches(upload, ext: str) -> bool:
    """Whether the file starts as files of its extension do (True for a
    format without a known signature). The file is read from the start and
    put back."""
    if ext not in MAGIC:
        return True
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return head.startswith(MAGIC[ext])


MAX_FILES = 5
# Ten megabytes each unless the site sets GONGKAI_APPLICATION_FILE_MAX_BYTES.
MAX_FILE_BYTES = getattr(settings, "GONGKAI_APPLICATION_FILE_MAX_BYTES", 10 * 1024 * 1024)
FILE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".ofd")


def validate_public_file(upload) -> None:
    """Type by extension and by content, and size."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in FILE_TYPES:
        raise ValidationError(f"文件“{name}”的类型不允许上传，只接受 PDF、JPG、PNG、DOC、DOCX、OFD 格式。")
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(f"文件“{name}”超过{MAX_FILE_BYTES // 1048576}MB，请压缩或分开后再提交。")
    if upload.size == 0:
        raise ValidationError(f"文件“{name}”是空文件。")
    if not content_matches(upload, ext):
        raise ValidationError(f"文件“{name}”：附件内容与扩展名“{ext}”不符，请检查文件。")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero to MAX_FILES uploads, each checked by validate_public_file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"最多上传{MAX_FILES}个文件，您选择了{len(uploads)}个。")
        errors, cleaned = [], []
        for upload in uploads:
            try:
                single = super().clean(upload, initial)
            except ValidationError as exc:  # Django's own checks (empty file, name too long)
                errors.extend(f"文件“{os.path.basename(upload.name or '')}”：{message}" for message in exc.messages)
                continue
            try:
                validate_public_file(single)
                cleaned.append(single)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned
