"""Consultations on drafts (意见征集): a draft decision published with its
explanation for comments between an open and a close date, the comments,
the owner's decision on each (or on a group of them) and the adoption
feedback (采纳情况反馈) that goes into the catalog as a document of its own.

The rules (minimum periods, texts, totals) are plain functions in
gongkai.interaction.consultation_rules; the use cases are in
gongkai.interaction.consultation_services."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.catalog.models import Document
from gongkai.core.models import Organisation

from ..consultation_rules import DECISION_CHOICES, DEFAULT_FEEDBACK_DAYS, MAJOR_MIN_DAYS

__all__ = ["Consultation", "ConsultationComment", "FeedbackItem", "ConsultationPolicy"]


class Consultation(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"   # open, or opening on a later date
        CLOSED = "closed", "已截止"

    organisation = models.ForeignKey(Organisation, verbose_name="征集机关", on_delete=models.PROTECT,
                                     related_name="consultations")
    title = models.CharField("征集标题", max_length=200)
    draft_title = models.CharField("草案名称", max_length=200, help_text="如：西昌市城市养犬管理办法（征求意见稿）")
    draft_text = models.TextField("草案全文")
    explanation = models.TextField("起草说明")
    how_to_comment = models.TextField("提出意见的方式", blank=True)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    major = models.BooleanField(
        "重大行政决策或与市场主体生产经营活动密切相关", default=False,
        help_text=f"勾选后征求意见期限一般不少于{MAJOR_MIN_DAYS}日；确需缩短的，须说明理由并在页面公开。")
    short_reason = models.TextField("缩短征求意见期限的理由", blank=True)
    require_name = models.BooleanField("提出意见须署名", default=False)
    moderated = models.BooleanField("意见经审核后公开显示", default=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("截止处理时间", null=True, blank=True)
    decision = models.ForeignKey(Document, verbose_name="最终决定文件", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    feedback_document = models.ForeignKey(Document, verbose_name="采纳情况反馈（政府信息公开目录）", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    feedback_note = models.TextField("反馈说明", blank=True,
                                     help_text="反馈表前的说明，如意见的来源、整体采纳情况。")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "意见征集"
        verbose_name_plural = "意见征集"
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="consultation_org_state")]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day) -> bool:
        """Comments are accepted from the open date to the close date, both included."""
        return self.state == self.State.PUBLISHED and self.opens_on <= day <= self.closes_on

    @property
    def period_days(self) -> int:
        from ..consultation_rules import period_days

        return period_days(self.opens_on, self.closes_on)


class ConsultationComment(models.Model):
    """One comment. The writer's name and contact are for the drafting team
    only; the public sees `public_text` (the text with personal data masked)."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        SHOWN = "shown", "已公开显示"
        HIDDEN = "hidden", "不予显示"

    class Channel(models.TextChoices):
        ONLINE = "online", "网站"
        EMAIL = "email", "电子邮件"
        LETTER = "letter", "信函"
        PHONE = "phone", "电话"
        MEETING = "meeting", "座谈会"

    consultation = models.ForeignKey(Consultation, verbose_name="意见征集", on_delete=models.CASCADE,
                                     related_name="comments")
    serial = models.PositiveIntegerField("序号")
    name = models.CharField("姓名或名称", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    text = models.TextField("意见内容")
    public_text = models.TextField("公开显示的意见内容", blank=True, editable=False)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    state = models.CharField("显示状态", max_length=10, choices=State.choices, default=State.PENDING)
    hidden_reason = models.CharField("不予显示的理由", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    item = models.ForeignKey("FeedbackItem", verbose_name="处理意见", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="comments")

    class Meta:
        verbose_name = "征集意见"
        verbose_name_plural = "征集意见"
        ordering = ["consultation_id", "serial"]
        constraints = [models.UniqueConstraint(fields=["consultation", "serial"], name="consultation_comment_serial")]

    def __str__(self) -> str:
        return f"{self.consultation_id}-{self.serial}"


class FeedbackItem(models.Model):
    """The owner's decision on one comment or a group of comments: one row
    of the adoption feedback (序号 | 意见内容 | 是否采纳 | 理由)."""

    consultation = models.ForeignKey(Consultation, verbose_name="意见征集", on_delete=models.CASCADE,
                                     related_name="items")
    summary = models.TextField("意见内容")
    decision = models.CharField("是否采纳", max_length=12, choices=DECISION_CHOICES)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", auto_now=True)

    class Meta:
        verbose_name = "意见处理"
        verbose_name_plural = "意见处理"
        ordering = ["id"]


class ConsultationPolicy(models.Model):
    """An organisation's own rule for its consultations (and those of the
    organisations below it that have none): how many days after the close
    date the adoption feedback must be public."""

    organisation = models.OneToOneField(Organisation, verbose_name="机构", on_delete=models.CASCADE,
                                        related_name="consultation_policy")
    feedback_days = models.PositiveSmallIntegerField(
        "截止后公开采纳情况的期限（日）", default=DEFAULT_FEEDBACK_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)])

    class Meta:
        verbose_name = "意见征集设置"
        verbose_name_plural = "意见征集设置"
