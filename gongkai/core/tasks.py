"""The core's background jobs (tasks of Django's tasks API; their periods
are in gongkai.jobs)."""

from __future__ import annotations

from django_tasks import task

from . import audit, scheduler
from .scheduler import moment, retried


@task()
@retried
def anchor_audit_log(now: str | None = None) -> dict:
    """Append the audit log's head to the anchors outside the database
    (audit.daily_anchor: once the enqueuing transaction commits; a refusal is
    logged, not raised)."""
    audit.daily_anchor()
    return {}


@task()
@retried
def prune_task_results(now: str | None = None) -> dict:
    """Delete the database queue's old finished results (scheduler.KEEP_*)."""
    return {"pruned": scheduler.prune_results(moment(now))}


# --- downloads made in the background --------------------------------------------------

EXPORTS_FOLDER = "exports"


@task()
@retried
def export_download(path: str, *, requested_by: int, job: str, title: str = "") -> dict:
    """Make a staff download (an XLSX export) in the worker instead of the
    request: the export view named by `path` runs as the user who asked,
    with their permissions, and its file is kept in the private storage
    under the job's key for them to download (workspace "后台任务"). Only
    the views listed in settings.GONGKAI_BACKGROUND_EXPORTS are run. Run
    again (a retry), it makes the file again under the same name."""
    from urllib.parse import unquote, urlsplit

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied
    from django.core.files.base import ContentFile
    from django.http import Http404, HttpRequest, QueryDict
    from django.urls import Resolver404, resolve

    from .storage import private_storage

    if not job.isalnum():
        raise scheduler.Permanent("任务编号无效")
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise scheduler.Permanent(f"没有这个下载：{parts.path}") from None
    if match.view_name not in getattr(settings, "GONGKAI_BACKGROUND_EXPORTS", {}):
        raise scheduler.Permanent(f"“{parts.path}”不能在后台生成")
    user = get_user_model().objects.filter(pk=requested_by, is_active=True).first()
    if user is None:
        raise scheduler.Permanent("申请下载的用户已停用")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = parts.path
    request.GET = QueryDict(parts.query)
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
                    "QUERY_STRING": parts.query}
    request.user = user
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404) as exc:
        raise scheduler.Permanent(str(exc) or "无权下载") from None
    disposition = response.get("Content-Disposition", "")
    if response.status_code != 200 or "filename*=UTF-8''" not in disposition:
        raise scheduler.Permanent(f"下载未生成（HTTP {response.status_code}）")
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1]).replace("/", "_")
    target = f"{EXPORTS_FOLDER}/{job}/{name}"
    if private_storage.exists(target):  # a run before this one made it
        private_storage.delete(target)
    stored = private_storage.save(target, ContentFile(response.content))
    return {"file": stored, "name": name, "bytes": len(response.content)}
