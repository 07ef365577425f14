"""The import app's background jobs (tasks of Django's tasks API): a large
folder of saved pages imported by the worker instead of a request or a
terminal, its progress visible in the workspace ("后台任务").

An import run again (a retry, or a worker lost half-way) finds the pages
it already imported unchanged and goes on with the rest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from gongkai.core.scheduler import Permanent, new_job_key, report_progress, retried


def import_root() -> Path:
    """The only folder the workspace may import from (settings.GONGKAI_IMPORT_ROOT):
    staff name a folder on the server, never any path of it."""
    return Path(settings.GONGKAI_IMPORT_ROOT).resolve()


def folder_in_root(name: str) -> Path:
    """The folder `name` (relative to the import root) as an absolute path;
    Permanent (in plain words) when it is outside the root or missing."""
    root = import_root()
    text = (name or "").strip().strip("/")
    folder = (root / text).resolve()
    if folder != root and root not in folder.parents:
        raise Permanent(f"只能导入导入目录（{root}）下的文件夹。")
    if not folder.is_dir():
        raise Permanent(f"导入目录下没有文件夹“{text or '.'}”。")
    return folder


def enqueue_import(folder: str, *, requested_by: int, organisation_id: int | None = None,
                   create_orgs: bool = False, title: str = ""):
    """Check the folder now (the person is told at once) and queue its import."""
    folder_in_root(folder)
    return import_folder.enqueue(folder, requested_by=requested_by, organisation_id=organisation_id,
                                 create_orgs=create_orgs, job=new_job_key(), title=title or f"导入 {folder}")


@task()
@retried
def import_folder(folder: str, *, requested_by: int, job: str, organisation_id: int | None = None,
                  create_orgs: bool = False, title: str = "") -> dict:
    """Import every page under `folder` (inside the import root), as `gongkai
    import` does, reporting progress under `job`; the counts by outcome."""
    from gongkai.core.models import Organisation

    from . import services

    path = folder_in_root(folder)
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise Permanent("所选发布机构已不存在。")
    report_progress(job, 0, 0, "正在读取文件列表")

    def progress(done, total, page):
        if done == total or done % 20 == 0:
            report_progress(job, done, total, str(page))

    report = services.import_paths([path], organisation=organisation, create_orgs=create_orgs, progress=progress)
    failed = [f"{Path(r.path).name}: {r.error}" for r in report.results if r.status == services.FAILED]
    return {"pages": len(report.results), "created": report.count(services.CREATED),
            "held": report.count(services.HELD), "unchanged": report.count(services.UNCHANGED),
            "failed": len(failed), "failures": failed[:20], "summary": report.summary()}
