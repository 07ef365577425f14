"""Large exports and imports as background jobs: asked for in the workspace
("后台任务"), run by the worker, progress and result shown to the person who
asked (and to nobody else), refusals in plain words, never retried when
retrying cannot help."""

import shutil
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongkai.catalog.models import Document
from gongkai.core import scheduler
from gongkai.workspace.views import EXPORT_TASK, MAX_UNFINISHED_JOBS

pytestmark = pytest.mark.django_db(transaction=True)  # the library's worker closes connections between tasks

SAMPLES = Path(__file__).resolve().parents[2] / "gongkai" / "catalog" / "demo_samples"
MONITOR_REPORT = "/staff/monitor/report.xlsx"


@pytest.fixture(autouse=True)
def database_queue(settings, tmp_path):
    settings.GONGKAI_IMPORT_ROOT = tmp_path / "import"
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path / "private")}}}
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield


@pytest.fixture
def office(org_tree, make_user):
    """The openness office at the top of the tree: monitoring and imports."""
    return make_user("gongkaiban", (org_tree["province"], "office_admin"))


def page(client, name="workspace:jobs") -> str:
    return client.get(reverse(name)).content.decode()


def work() -> list:
    return scheduler.run_queued(scheduler.new_worker_id())


def test_an_export_made_in_the_background_is_downloaded_by_its_owner_only(client, office, org_tree, make_user):
    client.force_login(office)
    answer = client.post(reverse("workspace:job_export"), {"path": MONITOR_REPORT}, follow=True)
    assert "已开始在后台生成“网站监测报告”" in answer.content.decode()
    assert "排队中" in page(client)
    [done] = work()
    assert done.status == TaskResultStatus.SUCCESSFUL and done.return_value["name"] == "网站监测报告.xlsx"
    text = page(client)
    [job] = scheduler.background_jobs(office.pk, [EXPORT_TASK])
    link = reverse("workspace:job_download", args=[job.job])
    assert "已完成" in text and f'href="{link}"' in text
    download = client.get(link)
    content = b"".join(download.streaming_content)
    assert download.status_code == 200 and content.startswith(b"PK")  # an XLSX (a zip)
    assert "%E7%BD%91%E7%AB%99%E7%9B%91%E6%B5%8B%E6%8A%A5%E5%91%8A.xlsx" in download["Content-Disposition"]
    other = make_user("other-office", (org_tree["province"], "office_admin"))
    client.force_login(other)
    assert client.get(link).status_code == 404  # not theirs
    assert "网站监测报告" not in page(client).split("我的后台任务")[1].split("在后台生成下载文件")[0]


def test_an_export_the_person_may_not_have_fails_once_with_the_reason(client, org_tree, make_user):
    drafter = make_user("qicao", (org_tree["county"], "drafter"))
    client.force_login(drafter)
    client.post(reverse("workspace:job_export"), {"path": MONITOR_REPORT})
    [failed] = work()
    assert failed.status == TaskResultStatus.FAILED
    assert work() == [] and DBTaskResult.objects.count() == 1  # not retried: it cannot help
    text = page(client)
    assert "失败" in text and "网站监测" in text and "Traceback" not in text
    [job] = scheduler.background_jobs(drafter.pk, [EXPORT_TASK])
    assert client.get(reverse("workspace:job_download", args=[job.job])).status_code == 404


@pytest.mark.parametrize("path", ["/staff/members/", "https://example.com/staff/monitor/report.xlsx",
                                  "/staff/monitor/nothing.xlsx", ""])
def test_only_the_listed_downloads_are_made_in_the_background(client, office, path):
    client.force_login(office)
    answer = client.post(reverse("workspace:job_export"), {"path": path}, follow=True)
    assert "该下载不能在后台生成。" in answer.content.decode()
    assert not DBTaskResult.objects.exists()


def test_a_person_has_at_most_a_few_jobs_waiting(client, office):
    client.force_login(office)
    for _ in range(MAX_UNFINISHED_JOBS):
        client.post(reverse("workspace:job_export"), {"path": MONITOR_REPORT})
    answer = client.post(reverse("workspace:job_export"), {"path": MONITOR_REPORT}, follow=True)
    assert f"您已有{MAX_UNFINISHED_JOBS}项后台任务在排队或进行中" in answer.content.decode()
    assert DBTaskResult.objects.count() == MAX_UNFINISHED_JOBS


def test_a_folder_imported_in_the_background_shows_its_progress_and_counts(client, office, org_tree, settings):
    folder = settings.GONGKAI_IMPORT_ROOT / "2024年第一批"
    folder.mkdir(parents=True)
    for sample in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(sample, folder / sample.name)
    client.force_login(office)
    client.post(reverse("workspace:job_import"), {"folder": "2024年第一批", "organisation": org_tree["city"].pk})
    [row] = DBTaskResult.objects.all()
    job = row.args_kwargs["kwargs"]["job"]
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.RUNNING)
    scheduler.report_progress(job, 1, 3, "chongqing-qianjiang-2018-workplan.txt")
    assert "进行中：已处理1/3" in page(client)
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)
    [done] = work()
    result = done.return_value
    assert done.status == TaskResultStatus.SUCCESSFUL, done.errors
    assert result["pages"] == 3 and result["created"] + result["held"] == 3 and result["failed"] == 0
    assert Document.objects.filter(organisation=org_tree["city"]).count() == 3
    assert "共3个网页" in page(client)
    # Imported again (a retry, a worker lost half-way): nothing twice.
    client.post(reverse("workspace:job_import"), {"folder": "2024年第一批", "organisation": org_tree["city"].pk})
    [again] = work()
    assert again.return_value["unchanged"] == 3 and Document.objects.count() == 3


@pytest.mark.parametrize("folder, message", [("../..", "只能导入导入目录"), ("没有这个文件夹", "导入目录下没有文件夹")])
def test_an_import_outside_the_import_root_is_refused_at_once(client, office, settings, folder, message):
    settings.GONGKAI_IMPORT_ROOT.mkdir(parents=True)
    client.force_login(office)
    answer = client.post(reverse("workspace:job_import"), {"folder": folder}, follow=True)
    assert message in answer.content.decode() and not DBTaskResult.objects.exists()


def test_only_the_office_at_the_top_imports(client, org_tree, make_user, settings):
    (settings.GONGKAI_IMPORT_ROOT / "a").mkdir(parents=True)
    county_admin = make_user("county-admin", (org_tree["county"], "office_admin"))
    client.force_login(county_admin)
    assert client.post(reverse("workspace:job_import"), {"folder": "a"}).status_code == 403
    assert "在后台导入网页文件" not in page(client)
    assert not DBTaskResult.objects.exists()
    client.logout()
    assert client.post(reverse("workspace:job_import"), {"folder": "a"}).status_code == 302  # to the login page
    assert client.get(reverse("workspace:jobs")).status_code == 302
    assert not DBTaskResult.objects.exists()
