"""Work-plan supervision (工作要点督办): the year's plan and its tasks, the
units' progress reports, publication quotas, the monthly bulletin (月初通报)
and the year's assessment (年度考核).

A plan comes from `gongkai.workplan.extract` and stays a draft until the
office has checked its tasks and confirmed it. Rules live in
`gongkai.workplan.services` (tasks and progress), `quotas` (targets, carry-over
and live counts), `bulletins` and `assessment`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.core.models import Organisation


class Plan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    organisation = models.ForeignKey(Organisation, verbose_name="印发机关", on_delete=models.PROTECT, related_name="work_plans")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    source_text = models.TextField("原文", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A task of a plan. Its units (TaskUnit) each report and complete their
    own part; `state`, `percent`, `completed_on` and `confirmed_by` are a
    stored summary of those parts, rewritten by `services` on every change
    (see `services.settle` for the rule)."""

    class State(models.TextChoices):
        OPEN = "open", "推进中"
        REPORTED = "reported", "待牵头单位确认"
        DONE = "done", "已完成"

    plan = models.ForeignKey(Plan, verbose_name="工作要点", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", verbose_name="上级任务", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    sort_order = models.PositiveIntegerField("顺序", default=0)
    number = models.CharField("序号", max_length=20)
    path = models.JSONField("层级", default=list, blank=True)
    title = models.CharField("任务", max_length=500)
    text = models.TextField("内容", blank=True)
    due_text = models.CharField("完成时限（原文）", max_length=100, blank=True)
    due_date = models.DateField("完成时限", null=True, blank=True, db_index=True,
                                help_text="写明月份的，以该月最后一日为准；长期、适时等无具体日期。")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    percent = models.PositiveSmallIntegerField("进度（%）", default=0,
                                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    completed_on = models.DateField("完成日期", null=True, blank=True,
                                    help_text="最后一个单位报送完成的日期（各单位均报送完成后才有）。")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "sort_order"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def path_label(self) -> str:
        return "".join(p if p.startswith("（") else f"{p}、" if not p.isdigit() else f"{p}." for p in self.path)


class TaskUnit(models.Model):
    """A unit named by a task, as the plan wrote it and, once matched, the
    organisation it is. Groups (各区县政府, 有关单位) stay unmatched unless the
    office assigns an organisation.

    Each unit has its own part of the task: its state (推进中, 报送完成待牵头
    单位确认, 已完成), percent and the day it reported its part done. Only a
    matched unit reports (its organisation's staff); an unmatched unit's part
    stays open, and so keeps the task open, until the office assigns it an
    organisation or removes it from the task."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        RESPONSIBLE = "responsible", "责任单位"

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="units")
    role = models.CharField("职责", max_length=12, choices=Role.choices)
    name = models.CharField("单位（原文）", max_length=200)
    organisation = models.ForeignKey(Organisation, verbose_name="机构", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="work_tasks")
    state = models.CharField("本单位进展", max_length=10, choices=Task.State.choices, default=Task.State.OPEN,
                             db_index=True)
    percent = models.PositiveSmallIntegerField("本单位进度（%）", default=0,
                                               validators=[MinValueValidator(0), MaxValueValidator(100)])
    completed_on = models.DateField("本单位报送完成日期", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "任务单位"
        verbose_name_plural = "任务单位"
        ordering = ["task", "role", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def pending(self) -> bool:
        """An unmatched unit whose part is not complete: nobody can report it yet."""
        return self.organisation_id is None and self.state == Task.State.OPEN

    def done_by(self, day) -> bool:
        """Whether this unit's part counted as done at the end of `day`
        (reported done on or before it, confirmed or not, and not reopened)."""
        return self.state in (Task.State.DONE, Task.State.REPORTED) and self.completed_on is not None \
            and self.completed_on <= day


class ReportRequest(models.Model):
    """The office asks every unit of a plan for a progress report by a date."""

    plan = models.ForeignKey(Plan, verbose_name="工作要点", on_delete=models.CASCADE, related_name="requests")
    asked_on = models.DateField("通知日期")
    due_on = models.DateField("报送截止日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "进展报送通知"
        verbose_name_plural = "进展报送通知"
        ordering = ["-asked_on", "-id"]


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    organisation = models.ForeignKey(Organisation, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    reported_on = models.DateField("报送日期")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("进度（%）", validators=[MinValueValidator(0), MaxValueValidator(100)])
    claims_done = models.BooleanField("报送完成", default=False)
    documents = models.ManyToManyField("catalog.Document", verbose_name="佐证（已发布的政府信息）", blank=True,
                                       related_name="+")

    class Meta:
        verbose_name = "进展报送"
        verbose_name_plural = "进展报送"
        ordering = ["-reported_on", "-id"]


def progress_file_path(instance, filename: str) -> str:
    return f"workplan/{instance.report.task_id}/{instance.report_id}/{filename}"


def _private_storage():
    from gongkai.core.storage import private_storage

    return private_storage


class ProgressFile(models.Model):
    """An attachment of a progress report (kept in private storage: reports
    are internal until the office publishes a bulletin)."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报送", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=progress_file_path, storage=_private_storage)
    name = models.CharField("名称", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)

    class Meta:
        verbose_name = "进展附件"
        verbose_name_plural = "进展附件"
        ordering = ["id"]


# ---------------------------------------------------------------- quotas


class QuotaPlan(models.Model):
    """Targets of published items per unit and window, with carry-over rules."""

    class Period(models.TextChoices):
        YEAR = "year", "年度"
        QUARTER = "quarter", "季度"
        MONTH = "month", "月度"
        MONTHS = "months", "按月份段"

    organisation = models.ForeignKey(Organisation, verbose_name="下达机关", on_delete=models.PROTECT, related_name="quota_plans")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    period = models.CharField("考核周期", max_length=10, choices=Period.choices, default=Period.QUARTER)
    months = models.CharField("月份段", max_length=100, blank=True,
                              help_text="考核周期为按月份段时，各段的月份，如“1-5,6-9,10-12”（按先后、互不重叠）。")
    genre = models.ForeignKey("catalog.Genre", verbose_name="只计此体裁", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    work_plan = models.ForeignKey(Plan, verbose_name="所属工作要点", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="quota_plans")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信息发布任务数"
        verbose_name_plural = "信息发布任务数"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class Quota(models.Model):
    quota_plan = models.ForeignKey(QuotaPlan, verbose_name="任务数", on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey(Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="quotas")
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    target = models.PositiveIntegerField("目标条数")

    class Meta:
        verbose_name = "单位任务数"
        verbose_name_plural = "单位任务数"
        ordering = ["quota_plan", "organisation", "start"]
        constraints = [
            models.UniqueConstraint(fields=["quota_plan", "organisation", "start"], name="quota_unique_window"),
        ]


class CarryRule(models.Model):
    """What a unit has not published by `from_end` (the end of a window) is
    added to the target of its window that ends on `to_end`."""

    quota_plan = models.ForeignKey(QuotaPlan, verbose_name="任务数", on_delete=models.CASCADE, related_name="carry_rules")
    from_end = models.DateField("未完成部分截至")
    to_end = models.DateField("结转至截止日期为")

    class Meta:
        verbose_name = "结转规则"
        verbose_name_plural = "结转规则"
        ordering = ["quota_plan", "from_end"]
        constraints = [models.UniqueConstraint(fields=["quota_plan", "from_end"], name="carry_rule_unique_from")]


# ---------------------------------------------------------------- bulletin and assessment


class Bulletin(models.Model):
    """The monthly bulletin (月初通报) of an office for one month: the figures
    as drafted, and the catalog document the office edits and publishes."""

    organisation = models.ForeignKey(Organisation, verbose_name="通报机关", on_delete=models.PROTECT, related_name="bulletins")
    month = models.DateField("月份", help_text="该月第一日")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    data = models.JSONField("数据", default=dict)
    document = models.ForeignKey("catalog.Document", verbose_name="通报文件", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "月初通报"
        verbose_name_plural = "月初通报"
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="bulletin_unique_month")]


class NoData(models.TextChoices):
    """How an indicator without data for a unit (no due task, no quota, no
    application, no monitored site, no mailbox module yet) is scored: never
    with full marks."""

    EXCLUDE = "exclude", "不计入，按其余指标折算"
    ZERO = "zero", "计0分"


class Scheme(models.Model):
    """An assessment scheme (考核方案): indicators with weights for a year."""

    organisation = models.ForeignKey(Organisation, verbose_name="考核机关", on_delete=models.PROTECT, related_name="schemes")
    year = models.PositiveIntegerField("年度")
    name = models.CharField("名称", max_length=200)
    units = models.ManyToManyField(Organisation, verbose_name="被考核单位", blank=True, related_name="+",
                                   help_text="留空则为考核机关的直属下级机构。")
    no_data = models.CharField("无数据的指标", max_length=10, choices=NoData.choices, default=NoData.EXCLUDE,
                               help_text="某单位某项指标无数据时：不计入并按其余指标的分值折算总分，或计0分。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    class Kind(models.TextChoices):
        TASKS_ON_TIME = "tasks_on_time", "任务按时完成率"
        QUOTA = "quota", "信息发布任务完成率"
        APPLICATIONS_ON_TIME = "applications_on_time", "依申请公开按时答复率"
        TICKETS_ON_TIME = "tickets_on_time", "政民互动按时答复率"
        SATISFACTION = "satisfaction", "政民互动满意度"
        MONITORING = "monitoring", "网站监测问题"

    scheme = models.ForeignKey(Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField("指标", max_length=30, choices=Kind.choices)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    deduction = models.DecimalField("每项扣分", max_digits=6, decimal_places=2, default=0,
                                    help_text="网站监测问题：每个严重问题扣分（一般问题减半）。")
    no_data = models.CharField("无数据时", max_length=10, choices=NoData.choices, blank=True, default="",
                               help_text="留空则按考核方案的规定。")
    sort_order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="indicator_unique_kind")]

    @property
    def no_data_rule(self) -> str:
        """NoData.EXCLUDE or NoData.ZERO: the indicator's own rule, else its scheme's."""
        return self.no_data or self.scheme.no_data
