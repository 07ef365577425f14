"""The one list of periodic jobs: what `gongkai worker`'s scheduler
(gongkai.core.scheduler) enqueues, and how often. Each job is a task in its
own app's `tasks.py`; only this top-level module knows them all
(settings.GONGKAI_PERIODIC_JOBS names it).

A period counts from the tick that enqueued the job: a job missed while no
worker ran is due at the next tick, once. "Daily" is the first tick of each
local day, as the worker's daily jobs always were; the monthly bulletin's
rule (from the first working day of the month, caught up later in the month)
is the job's own (workplan.bulletins.due), so it is looked at daily."""

from gongkai.applications import tasks as applications
from gongkai.catalog import tasks as catalog
from gongkai.core import tasks as core
from gongkai.core.scheduler import Daily, Every, PeriodicJob
from gongkai.interaction import tasks as interaction
from gongkai.monitor import tasks as monitor
from gongkai.portal import tasks as portal
from gongkai.publishing import tasks as publishing
from gongkai.workplan import tasks as workplan

EVERY_TICK = Every(seconds=30)  # as often as the worker used to tick

PERIODIC = [
    PeriodicJob(publishing.publish_due, EVERY_TICK, "定时发布"),
    PeriodicJob(catalog.expire_due, EVERY_TICK, "到期失效"),
    PeriodicJob(publishing.read_attachment_text, EVERY_TICK, "读取附件文字"),
    PeriodicJob(applications.application_deadlines, Daily(), "依申请公开期限（逾期记录、补正和收费期满）"),
    PeriodicJob(applications.retry_notifications, Every(seconds=300), "申请人通知重发（邮件、短信）"),
    PeriodicJob(interaction.ticket_deadlines, Daily(), "政民互动工单期限（逾期记录）"),
    PeriodicJob(interaction.close_consultations, Daily(), "意见征集到期截止"),
    PeriodicJob(monitor.crawl_due_sites, Daily(), "网站监测巡检"),
    PeriodicJob(workplan.draft_due_bulletins, Daily(), "月初通报"),
    PeriodicJob(core.anchor_audit_log, Daily(), "审计日志锚定"),
    PeriodicJob(catalog.export_open_data, Daily(), "开放数据批量文件"),
    PeriodicJob(portal.count_site_columns, Every(seconds=300), "政府信息公开专栏统计（全站）"),
    PeriodicJob(core.prune_task_results, Daily(), "清理后台任务记录"),
]
