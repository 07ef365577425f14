"""The fault test's side of the site under test, run in its own process
against the test's own PostgreSQL (DJANGO_SETTINGS_MODULE
tests.faults.worker_settings, DATABASE_URL):

    python -m tests.faults.fault_site setup FLAG SECONDS...   the county, its staff, documents scheduled
        SECONDS from now, and `hold` queued (it runs until the file FLAG exists)
    python -m tests.faults.fault_site report             what the database holds, as JSON (codes to look up on stdin)

Everything is created through the services, as staff would."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time

from django_tasks import task

COUNTY = "西昌市人民政府"
PASSWORD = "Xichang-fault-2025!"
TEAMS = 4
BODY = ("为进一步规范城乡居民最低生活保障审批工作，现就有关事项通知如下。一、严格审核申请材料，"
        "按规定时限完成入户调查。二、按月公示保障对象名单，接受群众监督。三、各乡镇要明确专人负责。")


@task()
def hold(flag: str) -> str:
    """A long task: runs until the file `flag` exists (at most ten minutes),
    long enough for the test to kill the worker running it."""
    deadline = time.monotonic() + 600
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released" if os.path.exists(flag) else "timed out"


def setup(flag: str, seconds: list[float]) -> dict:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from gongkai.catalog.models import Genre
    from gongkai.core.models import Membership, Organisation
    from gongkai.publishing import services, workflow

    province = Organisation.objects.create(name="四川省人民政府", short_name="四川省", issuer_code="川府发",
                                           level="province", index_prefix="115100000083010000")
    county = Organisation.objects.create(name=COUNTY, short_name="西昌市", issuer_code="西府发", level="county",
                                         parent=province, index_prefix="115134010087654321", review_levels=1)

    def person(username, full_name, role, level=None):
        user = User.objects.create_user(username=username, password=PASSWORD, first_name=full_name)
        Membership.objects.create(user=user, organisation=county, role=role, review_level=level)
        return user

    teams = []
    for n in range(1, TEAMS + 1):
        teams.append({
            "drafter": person(f"qicao{n}", f"起草人{n}", "drafter").username,
            "reviewer": person(f"shenhe{n}", f"审核人{n}", "reviewer", 1).username,
            "secrecy": person(f"baomi{n}", f"保密审查人{n}", "secrecy").username,
            "publisher": person(f"fabu{n}", f"发布人{n}", "publisher").username,
        })
    staff = {role: User.objects.get(username=teams[0][role]) for role in teams[0]}
    notice = Genre.objects.get(name="通知")
    scheduled = []
    start = timezone.now()
    for i, delay in enumerate(seconds, 1):
        doc = services.save_draft(None, user=staff["drafter"], organisation=county, genre=notice,
                                  title=f"西昌市关于做好第{i}批城乡居民最低生活保障审批工作的通知",
                                  body_html=f"<p>{BODY}</p>", document_number="")
        doc = services.act(doc, workflow.SUBMIT, user=staff["drafter"])
        doc = services.act(doc, workflow.PASS, user=staff["reviewer"])
        doc = services.act(doc, workflow.PASS, user=staff["secrecy"])
        doc = services.act(doc, workflow.SCHEDULE, user=staff["publisher"],
                           scheduled_at=start + dt.timedelta(seconds=delay))
        assert doc.status == workflow.READY and doc.scheduled_at
        scheduled.append(doc.pk)
    # By its module's name: run as __main__, this module's `hold` would be "__main__.hold" to the worker.
    from tests.faults import fault_site

    held = fault_site.hold.enqueue(flag)
    return {"county": county.pk, "notice": notice.pk, "teams": teams, "password": PASSWORD, "scheduled": scheduled,
            "hold": str(held.id)}


def report(codes: dict[str, str]) -> dict:
    """Applications (by the key in their 所需信息的名称), their files, which
    code finds which; documents with their publications; the task queue."""
    from django_tasks_db.models import DBTaskResult

    from gongkai.applications import services as applications
    from gongkai.applications.models import Application
    from gongkai.catalog.models import Document
    from gongkai.core.models import AuditEntry
    from gongkai.publishing.models import ReviewStep

    apps = []
    for app in Application.objects.prefetch_related("files").order_by("pk"):
        files = []
        for record in app.files.all():
            try:
                with record.file.open("rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                digest = None
            files.append({"name": record.name, "role": record.role, "sha256": digest})
        apps.append({"pk": app.pk, "key": app.info_title, "files": files})
    found = {}
    for key, code in codes.items():
        app = applications.find_by_code(code)
        found[key] = app.info_title if app else None
    published = {}
    for object_id in AuditEntry.objects.filter(object_type="document", action="document.publish").values_list(
            "object_id", flat=True):
        published[object_id] = published.get(object_id, 0) + 1
    steps = {}
    for document_id in ReviewStep.objects.filter(action="publish").values_list("document_id", flat=True):
        steps[str(document_id)] = steps.get(str(document_id), 0) + 1
    documents = [{"pk": d.pk, "title": d.title, "status": d.status, "audit_publish": published.get(str(d.pk), 0),
                  "publish_steps": steps.get(str(d.pk), 0)}
                 for d in Document.objects.order_by("pk")]
    tasks = [{"id": str(r.pk), "task": r.task_path, "status": r.status, "worker_ids": r.worker_ids,
              "return_value": r.return_value, "error": (r.traceback or "").strip().splitlines()[-1:]}
             for r in DBTaskResult.objects.order_by("enqueued_at")]
    return {"applications": apps, "found": found, "documents": documents, "tasks": tasks}


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.worker_settings")
    django.setup()
    command, args = argv[0], argv[1:]
    if command == "setup":
        out = setup(args[0], [float(a) for a in args[1:]])
    elif command == "report":
        out = report(json.loads(sys.stdin.read() or "{}"))
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
