"""Uploaded files on S3-compatible object storage (GONGKAI_S3_*, django-storages),
against moto's S3 server on loopback: the settings, the catalog's attachments
served by the site through its permission check, applicants' files in the
private bucket only, the worker reading and masking an attachment's text in
the bucket, and the backup's view of the buckets. On SQLite and PostgreSQL."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.utils.encoding import filepath_to_uri

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))
import local_topology  # noqa: E402

from gongkai.settings import s3_storages  # noqa: E402

MEDIA, PRIVATE = "test-media", "test-private"
ID_NUMBER = "513401199001011234"
LIST = f"西昌市2024年临时救助对象名单\n王小明 身份证号{ID_NUMBER} 救助金额2000元\n".encode()


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """moto in server mode on a free loopback port, with the two buckets."""
    port = local_topology.free_port()
    server = local_topology.moto_server(port, tmp_path_factory.mktemp("moto")).start()
    try:
        server.wait_port(port)
        endpoint = f"http://{local_topology.HOST}:{port}"
        client = local_topology.s3_client(endpoint)
        for bucket in (MEDIA, PRIVATE):
            client.create_bucket(Bucket=bucket)
        yield endpoint, client
    finally:
        server.stop()


def _env(endpoint: str, **more) -> dict:
    return {"GONGKAI_S3_BUCKET": MEDIA, "GONGKAI_S3_PRIVATE_BUCKET": PRIVATE, "GONGKAI_S3_ENDPOINT_URL": endpoint,
            "GONGKAI_S3_ACCESS_KEY_ID": local_topology.S3_KEY_ID,
            "GONGKAI_S3_SECRET_ACCESS_KEY": local_topology.S3_SECRET, **more}


@pytest.fixture
def on_s3(s3_server, settings, tmp_path):
    """The site's storages on the buckets (as GONGKAI_S3_* would set them);
    the local folders point at an empty temporary folder that must stay empty."""
    endpoint, client = s3_server
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, **s3_storages(_env(endpoint))}
    yield client
    for bucket in (MEDIA, PRIVATE):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    assert not any(p.is_file() for p in tmp_path.rglob("*")), "a file was written to a local folder"


def _objects(client, bucket: str) -> dict[str, bytes]:
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


# --- The settings --------------------------------------------------------------------------------


def test_local_folders_unless_a_bucket_is_named():
    assert s3_storages({}) == {}
    assert s3_storages({"GONGKAI_S3_BUCKET": "  "}) == {}


def test_a_bucket_gives_both_storages_on_object_storage_with_separate_places():
    found = s3_storages(_env("http://127.0.0.1:9000"))
    media, private = found["default"]["OPTIONS"], found["private"]["OPTIONS"]
    assert found["default"]["BACKEND"] == found["private"]["BACKEND"] == "gongkai.core.storage.ObjectStorage"
    assert (media["bucket_name"], media["location"]) == (MEDIA, "media")
    assert (private["bucket_name"], private["location"]) == (PRIVATE, "private")
    assert media["addressing_style"] == "path" and media["file_overwrite"] is False
    one_bucket = s3_storages({"GONGKAI_S3_BUCKET": "gongkai"})
    assert one_bucket["private"]["OPTIONS"]["bucket_name"] == "gongkai"
    assert one_bucket["private"]["OPTIONS"]["location"] == "private"
    assert one_bucket["default"]["OPTIONS"]["addressing_style"] is None  # AWS itself: boto3 decides


@pytest.mark.parametrize("prefixes", [("files", "files"), ("files", "files/private"), ("", "private"),
                                      ("media/", "/media")])
def test_private_files_never_share_a_place_with_public_ones(prefixes):
    media, private = prefixes
    with pytest.raises(ImproperlyConfigured, match="separate, non-empty prefixes"):
        s3_storages({"GONGKAI_S3_BUCKET": "gongkai", "GONGKAI_S3_MEDIA_PREFIX": media,
                     "GONGKAI_S3_PRIVATE_PREFIX": private})
    # In a bucket of their own the same prefixes are fine.
    s3_storages({"GONGKAI_S3_BUCKET": "gongkai", "GONGKAI_S3_PRIVATE_BUCKET": "gongkai-private",
                 "GONGKAI_S3_MEDIA_PREFIX": media or "media", "GONGKAI_S3_PRIVATE_PREFIX": private})


@pytest.mark.parametrize("env, message", [
    ({"GONGKAI_TASKS_BACKEND": "celery"}, "GONGKAI_TASKS_BACKEND must be 'database' (the default) or 'rq'"),
    ({"GONGKAI_TASKS_BACKEND": "rq"}, "GONGKAI_TASKS_BACKEND=rq needs GONGKAI_REDIS_URL"),
    ({"GONGKAI_S3_BUCKET": "gongkai", "GONGKAI_S3_MEDIA_PREFIX": "private"}, "separate, non-empty prefixes"),
])
def test_a_command_refuses_bad_storage_or_queue_settings(tmp_path, env, message):
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "DJANGO_", "DATABASE_URL"))}
    done = subprocess.run([sys.executable, "-m", "gongkai", "check"], cwd=REPO, capture_output=True, text=True,
                          env={**base, "GONGKAI_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO), **env},
                          timeout=120, check=False)
    assert done.returncode != 0 and message in done.stderr


def test_the_rq_backend_is_chosen_with_its_queue_in_redis(tmp_path):
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "DJANGO_", "DATABASE_URL"))}
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.TASKS['default']['BACKEND'], settings.RQ_QUEUES['default']['URL'], "
            "'django_rq' in settings.INSTALLED_APPS)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**base, "GONGKAI_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO),
                               "DJANGO_SETTINGS_MODULE": "gongkai.settings", "GONGKAI_TASKS_BACKEND": "rq",
                               "GONGKAI_REDIS_URL": "redis://127.0.0.1:6379/3"}, check=False)
    assert done.stdout.split() == ["django_tasks_rq.RQBackend", "redis://127.0.0.1:6379/3", "True"], done.stderr


# --- Files on the buckets -------------------------------------------------------------------------


@pytest.fixture
def county_docs(org_tree, county_staff, make_document):
    public = make_document(org_tree["county"], "西昌市2024年临时救助工作情况的公告", "临时救助工作情况。")
    draft = make_document(org_tree["county"], "西昌市临时救助工作方案（草稿）", "草稿正文。", publish=False)
    return public, draft


def test_attachments_live_in_the_media_bucket_and_the_site_serves_them(on_s3, county_docs, county_staff, client):
    from gongkai.catalog.models import Attachment
    from gongkai.publishing import services as publishing

    public, draft = county_docs
    shown = Attachment.objects.create(document=public, file=ContentFile(b"%PDF-1.4\npublic list\n%%EOF\n",
                                                                        name="名单.pdf"))
    hidden = publishing.add_attachment(draft, ContentFile(b"draft list\n", name="草稿名单.txt"),
                                       user=county_staff["drafter"])
    stored = _objects(on_s3, MEDIA)
    assert stored == {f"media/{shown.file.name}": b"%PDF-1.4\npublic list\n%%EOF\n",
                      f"media/{hidden.file.name}": b"draft list\n"}
    assert _objects(on_s3, PRIVATE) == {}
    # The link is the site's own, never the bucket's: every download passes the permission check.
    assert shown.file.url == "/media/" + filepath_to_uri(shown.file.name)
    assert shown.file.url.startswith(f"/media/attachments/{public.pk}/")
    response = client.get(shown.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4\npublic list\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"] == "attachment"
    assert response["X-Content-Type-Options"] == "nosniff"
    again = client.get(shown.file.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.get(hidden.file.url).status_code == 404
    client.force_login(county_staff["drafter"])
    response = client.get(hidden.file.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"draft list\n"


def test_object_storage_away_is_a_try_again_page_not_an_error(on_s3, county_docs, client, settings):
    from gongkai.catalog.models import Attachment

    public, _ = county_docs
    attachment = Attachment.objects.create(document=public, file=ContentFile(b"%PDF-1.4\nx\n%%EOF\n", name="通知.pdf"))
    nobody = f"http://{local_topology.HOST}:{local_topology.free_port()}"  # nothing listens there
    settings.STORAGES = {**settings.STORAGES, **s3_storages(_env(nobody))}
    response = client.get(attachment.file.url)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "稍后" in response.content.decode()


def test_a_deleted_attachment_leaves_the_bucket(on_s3, county_docs, client, django_capture_on_commit_callbacks):
    from gongkai.catalog.models import Attachment

    public, _ = county_docs
    attachment = Attachment.objects.create(document=public, file=ContentFile(b"%PDF-1.4\nold\n%%EOF\n", name="旧版.pdf"))
    url = attachment.file.url
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert _objects(on_s3, MEDIA) == {}
    assert client.get(url).status_code == 404


def test_applicants_files_go_to_the_private_bucket_only(on_s3, org_tree):
    from gongkai.applications import services as applications
    from gongkai.applications.models import ApplicationFile

    person = {"applicant_type": "natural", "applicant_name": "王小明", "id_document": f"居民身份证 {ID_NUMBER}",
              "phone": "13812345678", "email": "wxm@example.com", "address": "四川省西昌市胜利路1号",
              "info_title": "2024年西昌市城区道路改造项目批准文件", "info_number": "", "info_description": "",
              "form": "electronic", "delivery": "email"}
    app, _code = applications.submit_online(org_tree["county"], person)
    item = ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.FROM_APPLICANT, name="身份证.pdf",
                                          file=ContentFile(b"%PDF-1.4\nid card\n%%EOF\n", name="身份证.pdf"))
    assert _objects(on_s3, PRIVATE) == {f"private/{item.file.name}": b"%PDF-1.4\nid card\n%%EOF\n"}
    assert _objects(on_s3, MEDIA) == {}
    with ApplicationFile.objects.get(pk=item.pk).file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4\nid card\n%%EOF\n"


def test_the_worker_reads_and_masks_an_attachment_in_the_bucket(on_s3, county_docs, county_staff):
    from gongkai.catalog.models import Attachment
    from gongkai.publishing import attachment_text
    from gongkai.publishing import services as publishing

    _, draft = county_docs
    attachment = publishing.add_attachment(draft, ContentFile(LIST, name="救助名单.txt"), user=county_staff["drafter"])
    key = f"media/{attachment.file.name}"
    assert attachment_text.read_attachment(Attachment.objects.get(pk=attachment.pk)) == Attachment.TextStatus.READ
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert ID_NUMBER in attachment.text
    masked = ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert attachment_text.mask_in_file(attachment, {ID_NUMBER: masked})
    stored = _objects(on_s3, MEDIA)
    assert list(stored) == [key]  # the same object, replaced whole
    assert masked.encode() in stored[key] and ID_NUMBER.encode() not in stored[key]
    attachment = Attachment.objects.get(pk=attachment.pk)
    assert attachment.size == len(stored[key]) and ID_NUMBER not in attachment.text


def test_the_backup_lists_the_buckets_and_a_restore_needs_them_empty(on_s3, county_docs, county_staff):
    from gongkai.core import backup
    from gongkai.publishing import services as publishing

    _, draft = county_docs
    assert backup.file_roots() == {} and set(backup.object_areas()) == {"media", "private"}
    assert not [line for line in backup.target_contents() if "object storage" in line]
    attachment = publishing.add_attachment(draft, ContentFile(b"%PDF-1.4\nx\n%%EOF\n", name="附件.pdf"),
                                           user=county_staff["drafter"])
    on_s3.put_object(Bucket=PRIVATE, Key="private/applications/9/deep/身份证.pdf", Body=b"id")
    assert backup._stored_names(backup.object_areas()["media"]) == [attachment.file.name]
    assert backup._stored_names(backup.object_areas()["private"]) == ["applications/9/deep/身份证.pdf"]
    held = " ".join(backup.target_contents())
    assert f"bucket {MEDIA}, prefix media/" in held and f"bucket {PRIVATE}, prefix private/" in held
    member = backup.Member("private/applications/9/deep/身份证.pdf", None, storage=backup.object_areas()["private"],
                           stored_name="applications/9/deep/身份证.pdf")
    member.hash()
    assert member.size == 2 and member.mtime() > dt.datetime(2020, 1, 1).timestamp()


def test_local_folders_are_archived_as_folders(tmp_path):
    """With the default settings the backup reads both areas as folders, also
    before anything has touched the storages (they are lazy)."""
    from django.core.files.storage import default_storage
    from django.utils.functional import empty

    from gongkai.core import backup
    from gongkai.core.storage import private_storage

    default_storage._wrapped = empty
    private_storage._wrapped = empty
    assert backup.object_areas() == {}
    assert set(backup.file_roots()) == {"media", "private"}
