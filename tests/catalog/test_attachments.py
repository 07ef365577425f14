import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from gongkai.catalog import services
from gongkai.catalog.models import Attachment, Document
from gongkai.core import audit
from gongkai.core.models import AuditEntry
from tests.portal.helpers import form_data, parse, text_of


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


# --- Serving, deleting, and the admin ------------------------------------------------
#
# A file is served only while an attachment row points at it, and goes with
# its row once the deletion commits; attachments added or removed in the
# Django admin are audited like the workspace's.

PDF = b"%PDF-1.7\n" + b"x" * 100


def served(client, attachment_or_url) -> int:
    url = attachment_or_url if isinstance(attachment_or_url, str) else attachment_or_url.file.url
    return client.get(url).status_code


def on_disk(attachment) -> bool:
    return os.path.exists(os.path.join(str(settings.MEDIA_ROOT), attachment.file.name))


def test_a_deleted_attachment_is_not_served_and_its_file_is_gone(doc, client):
    attachment = attach(doc, "计划.pdf", PDF)
    assert served(client, attachment) == 200 and on_disk(attachment)
    attachment.delete()
    assert served(client, attachment) == 404
    assert not on_disk(attachment)


def test_deleting_a_document_takes_its_attachment_files(doc, client):
    attachment = attach(doc, "计划.pdf", PDF)
    services.delete_document(doc)
    assert served(client, attachment) == 404 and not on_disk(attachment)


def test_a_file_no_attachment_points_at_is_not_served(doc, client):
    stray = os.path.join(str(settings.MEDIA_ROOT), "attachments", str(doc.pk), "旧版名单.pdf")
    os.makedirs(os.path.dirname(stray), exist_ok=True)
    with open(stray, "wb") as handle:
        handle.write(PDF)
    assert served(client, f"{settings.MEDIA_URL}attachments/{doc.pk}/旧版名单.pdf") == 404


def test_a_drafts_attachment_is_served_only_to_staff_of_its_organisation(org_tree, make_document, make_user, doc,
                                                                         client):
    draft = make_document(org_tree["county"], "内部草稿", publish=False)
    attachment = attach(draft, "名单.pdf", PDF)
    assert served(client, attachment) == 404  # anonymous
    client.force_login(make_user("township.drafter", (org_tree["township"], "drafter")))
    assert served(client, attachment) == 404  # another organisation
    client.force_login(make_user("county.drafter", (org_tree["county"], "drafter")))
    assert served(client, attachment) == 200


@pytest.mark.django_db(transaction=True)
def test_the_file_goes_only_when_the_deletion_commits(org_tree, make_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGKAI_GENERATION_IMMEDIATE = False  # on-commit hooks as in production
    doc = make_document(org_tree["county"], "附件测试")
    attachment = attach(doc, "计划.pdf", PDF)
    pk = attachment.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        Attachment.objects.get(pk=pk).delete()
        assert on_disk(attachment)  # not before the commit
        raise RuntimeError("rolled back")
    assert Attachment.objects.filter(pk=pk).exists() and on_disk(attachment)
    with transaction.atomic():
        Attachment.objects.get(pk=pk).delete()
        assert on_disk(attachment)
    assert not on_disk(attachment)


@pytest.fixture
def superuser(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "s3cret-pass")
    client.force_login(user)
    return user


def admin_post(client, doc, **data):
    url = reverse("admin:catalog_document_change", args=[doc.pk])
    form = form_data(client.get(url), "document_form")
    form.update(data)
    response = client.post(url, form)
    assert response.status_code == 302, " ".join(text_of(e) for e in parse(response).cssselect(".errorlist, .errornote"))


def test_attachments_added_and_removed_in_the_admin_are_audited(doc, client, superuser, settings, tmp_path):
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"
    assert doc.status == Document.Status.PUBLISHED and audit.verify().ok
    admin_post(client, doc, **{"attachments-TOTAL_FORMS": "1", "attachments-0-file": SimpleUploadedFile("补充说明.pdf", PDF),
                               "attachments-0-name": "补充说明", "attachments-0-sort_order": "0"})
    attachment = doc.attachments.get()
    assert attachment.name == "补充说明" and on_disk(attachment)
    added = AuditEntry.objects.get(action="attachment.add", object_id=str(doc.pk))
    assert added.actor == "editor" and added.detail["name"] == "补充说明"
    verdict = audit.verify()
    assert verdict.ok, verdict.problems  # the log knows what the public now sees

    admin_post(client, doc, **{"attachments-0-DELETE": "on"})
    assert not doc.attachments.exists() and not on_disk(attachment)
    assert served(client, attachment) == 404
    assert AuditEntry.objects.filter(action="attachment.remove", object_id=str(doc.pk)).exists()
    verdict = audit.verify()
    assert verdict.ok, verdict.problems
