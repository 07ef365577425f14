from django.conf import settings
from django.db import models

from .wording import KIND_LABELS


class WordingRule(models.Model):
    """One entry of the office's wording dictionary (see wording.py)."""

    phrase = models.CharField("词语", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=12, choices=list(KIND_LABELS.items()), default="error")
    suggestion = models.CharField("建议表述", max_length=200, blank=True)
    exceptions = models.CharField("例外（含该词的正确表述，用顿号分隔）", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "表述检查词条"
        verbose_name_plural = "表述检查词条"
        ordering = ["kind", "phrase"]

    def __str__(self) -> str:
        return self.phrase


class ReviewStep(models.Model):
    """One move of a document through the workflow (the history a reviewer
    reads, and what the workbench's "returned to me" list comes from)."""

    document = models.ForeignKey("catalog.Document", verbose_name="政府信息", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=12)
    to_state = models.CharField("新状态", max_length=12)
    level = models.PositiveSmallIntegerField("审核级别", default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["document", "at"], name="step_doc_at")]


class PrivacyFinding(models.Model):
    """Personal data found in a document's body or an attachment's text. It
    blocks publication while open. The matched text itself is never stored:
    only its masked form, place and a digest that recognises it on a re-scan."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        MASKED = "masked", "已去标识化"
        WAIVED = "waived", "依法保留"

    class WaiverGround(models.TextChoices):
        PUNITIVE = "punitive", "惩戒性公示"
        MANDATORY = "mandatory", "强制性信息披露"
        CONSENT = "consent", "权利人同意公开"
        PUBLIC_ROLE = "public_role", "公职人员履职信息"

    document = models.ForeignKey("catalog.Document", verbose_name="政府信息", on_delete=models.CASCADE, related_name="privacy_findings")
    attachment = models.ForeignKey(
        "catalog.Attachment", verbose_name="附件", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=20)
    offset = models.PositiveIntegerField("位置")
    masked = models.CharField("去标识化结果", max_length=100)
    digest = models.CharField("指纹", max_length=64)
    context = models.CharField("上下文（已去标识化）", max_length=120, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    waiver_ground = models.CharField("保留依据", max_length=20, choices=WaiverGround.choices, blank=True)
    waiver_reason = models.CharField("保留理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "个人信息检查结果"
        verbose_name_plural = "个人信息检查结果"
        ordering = ["attachment_id", "offset", "id"]
        indexes = [models.Index(fields=["document", "state"], name="finding_doc_state")]
