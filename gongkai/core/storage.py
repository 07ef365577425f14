"""Where uploaded files live: Django's storage API over a local folder (the
default) or an S3-compatible object store (django-storages), chosen in
settings.STORAGES from the environment (README, "Scaling out").

Two storages, never mixed:
- "default": catalog attachments and other files of public documents, handed
  out by `portal.views.media` under MEDIA_URL only while their document is
  public or the signed-in user may see it;
- "private": files with personal data (applicants' files, work-plan progress
  files), handed out only by views that check who asks.

On object storage the URL of a file is still the site's own (`/media/...`):
the bucket is never public and no presigned link leaves the site, so every
download passes the same permission check as on a local folder. Code that
reads or writes a stored file goes through the storage (`storage.open`,
`FieldFile.open`, `storage.save`), never through a filesystem path.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject

PRIVATE = "private"


def site_url(name: str) -> str:
    """The site's own address of a stored file (MEDIA_URL + its name)."""
    return urljoin(settings.MEDIA_URL, filepath_to_uri(name).lstrip("/"))


_object_storage = None


def __getattr__(name: str):
    """`ObjectStorage`, built on first use: django-storages and boto3 are
    imported only by an installation that uses them (they take a while to load)."""
    global _object_storage
    if name != "ObjectStorage":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _object_storage is None:
        from storages.backends.s3 import S3Storage

        class ObjectStorage(S3Storage):
            """S3-compatible object storage whose files are served by the site
            itself (`url()` is MEDIA_URL + name, as FileSystemStorage's is)."""

            def url(self, name, parameters=None, expire=None, http_method=None):
                return site_url(name)

        ObjectStorage.__module__, ObjectStorage.__qualname__ = __name__, "ObjectStorage"
        _object_storage = ObjectStorage
    return _object_storage


def is_local(storage: Storage) -> bool:
    """Whether `storage` keeps its files in a folder of this machine (and
    so has `path()`); object storage has none."""
    from django.core.files.storage import FileSystemStorage

    return isinstance(storage, FileSystemStorage)  # a lazy storage (default_storage) is set up to answer


class PrivateStorage(LazyObject):
    """settings.STORAGES["private"], looked up when first used (and again
    after a test changes STORAGES), like Django's `default_storage`."""

    def _setup(self):
        self._wrapped = storages[PRIVATE]


private_storage = PrivateStorage()


def _reset_private(*, setting, **kwargs):
    from django.utils.functional import empty

    if setting == "STORAGES":
        private_storage._wrapped = empty


def connect_signals() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_reset_private, dispatch_uid="gongkai-private-storage")


connect_signals()


def modified_time(storage: Storage, name: str, handle=None):
    """When the stored file `name` last changed (aware datetime), or None
    when the storage cannot say. An S3 file already opened knows it."""
    known = getattr(getattr(handle, "obj", None), "last_modified", None)
    if known is not None:
        return known
    try:
        return storage.get_modified_time(name)
    except Exception:  # noqa: BLE001 - only a header is lost
        return None
