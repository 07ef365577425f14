"""Online interviews (在线访谈): announced with topic, time and guests;
citizens' questions before and during it (moderated); answers and the
host's and guests' words published live; questions not answered live get a
published answer within a number of working days; the transcript (访谈实录)
goes into the catalog as a document of its own.

The use cases are in gongkai.interaction.interview_services."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.catalog.models import Document
from gongkai.core.models import Organisation

from ..interview_rules import DEFAULT_ANSWER_WORKDAYS, DEFAULT_NOTICE_DAYS

__all__ = ["Interview", "InterviewQuestion", "InterviewStatement", "InterviewPolicy"]


class Interview(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ANNOUNCED = "announced", "已预告"
        LIVE = "live", "正在访谈"
        ENDED = "ended", "已结束"

    organisation = models.ForeignKey(Organisation, verbose_name="主办机关", on_delete=models.PROTECT,
                                     related_name="interviews")
    title = models.CharField("访谈主题", max_length=200)
    summary = models.TextField("访谈简介", blank=True)
    starts_at = models.DateTimeField("访谈时间")
    duration_minutes = models.PositiveSmallIntegerField(
        "时长（分钟）", default=60, validators=[MinValueValidator(10), MaxValueValidator(480)])
    guests = models.TextField("访谈嘉宾", help_text="每行一位：姓名 职务，如：李明 西昌市交通运输局局长")
    host = models.CharField("主持人", max_length=50, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    announced_at = models.DateTimeField("预告时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    transcript = models.ForeignKey(Document, verbose_name="访谈实录（政府信息公开目录）", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "在线访谈"
        verbose_name_plural = "在线访谈"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="interview_org_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def guest_list(self) -> list[str]:
        return [line.strip() for line in (self.guests or "").splitlines() if line.strip()]

    @property
    def takes_questions(self) -> bool:
        """Questions are taken from the announcement until the interview ends."""
        return self.state in (self.State.ANNOUNCED, self.State.LIVE)


class InterviewQuestion(models.Model):
    """A citizen's question. The name and contact are for the organisers
    only; the public sees `public_text` (personal data masked) and the answer."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        SHOWN = "shown", "已公开显示"
        HIDDEN = "hidden", "不予显示"

    interview = models.ForeignKey(Interview, verbose_name="在线访谈", on_delete=models.CASCADE,
                                  related_name="questions")
    serial = models.PositiveIntegerField("序号")
    name = models.CharField("网名或姓名", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    text = models.TextField("问题")
    public_text = models.TextField("公开显示的问题", blank=True, editable=False)
    state = models.CharField("显示状态", max_length=10, choices=State.choices, default=State.PENDING)
    hidden_reason = models.CharField("不予显示的理由", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    during_live = models.BooleanField("访谈中提出", default=False)
    answer = models.TextField("答复", blank=True)
    answered_by = models.CharField("答复嘉宾", max_length=100, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_live = models.BooleanField("访谈中答复", default=False)
    answer_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "网友提问"
        verbose_name_plural = "网友提问"
        ordering = ["interview_id", "serial"]
        constraints = [models.UniqueConstraint(fields=["interview", "serial"], name="interview_question_serial")]

    def __str__(self) -> str:
        return f"{self.interview_id}-{self.serial}"

    @property
    def is_answered(self) -> bool:
        return bool(self.answered_at)


class InterviewStatement(models.Model):
    """What the host or a guest said during the interview (published live)."""

    interview = models.ForeignKey(Interview, verbose_name="在线访谈", on_delete=models.CASCADE,
                                  related_name="statements")
    speaker = models.CharField("发言人", max_length=100)
    text = models.TextField("内容")
    at = models.DateTimeField("时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "访谈发言"
        verbose_name_plural = "访谈发言"
        ordering = ["at", "id"]


class InterviewPolicy(models.Model):
    """An organisation's own rule for its interviews (and those of the
    organisations below it that have none)."""

    organisation = models.OneToOneField(Organisation, verbose_name="机构", on_delete=models.CASCADE,
                                        related_name="interview_policy")
    notice_days = models.PositiveSmallIntegerField(
        "提前预告天数", default=DEFAULT_NOTICE_DAYS, validators=[MinValueValidator(1), MaxValueValidator(60)])
    answer_workdays = models.PositiveSmallIntegerField(
        "访谈中未答复问题的答复期限（工作日）", default=DEFAULT_ANSWER_WORKDAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)])

    class Meta:
        verbose_name = "在线访谈设置"
        verbose_name_plural = "在线访谈设置"
