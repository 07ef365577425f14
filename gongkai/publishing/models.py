from django.conf import settings
from django.db import models

from . import privacy, workflow
from .wording import KIND_LABELS


class WordingRule(models.Model):
    """One entry of an organisation's wording dictionary (see wording.py). It
    applies to that organisation and every one below unless a lower one has
    an entry for the same phrase (switched off, it silences the phrase
    there). Without an organisation: the installation's default dictionary
    (the shipped rules), the system administrator's."""

    organisation = models.ForeignKey("core.Organisation", verbose_name="机构（留空为默认词库）", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    phrase = models.CharField("词语", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=list(KIND_LABELS.items()), default="error")
    suggestion = models.CharField("建议表述", max_length=200, blank=True)
    exceptions = models.CharField("例外（含该词的正确表述，用顿号分隔）", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "表述检查词条"
        verbose_name_plural = "表述检查词条"
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phrase"], name="wording_rule_org_phrase"),
            models.UniqueConstraint(fields=["phrase"], condition=models.Q(organisation__isnull=True),
                                    name="wording_rule_default_phrase"),
        ]

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


class ReviewPolicy(models.Model):
    """An organisation's separation of duties in review (职责分离), set by its
    office administrator (or one above) or the system administrator. It
    applies to the organisations below that have none of their own; where no
    organisation up the tree has one, the strict default holds (see
    workflow.Separation)."""

    organisation = models.OneToOneField("core.Organisation", verbose_name="机构", on_delete=models.CASCADE,
                                        related_name="review_policy")
    one_step_per_person = models.BooleanField("同一人只能办理同一文件的一个审核环节", default=True)
    drafter_may_not_review = models.BooleanField("起草人、提交人不得审核本人的文件", default=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "审核职责分离规则"
        verbose_name_plural = "审核职责分离规则"

    def __str__(self) -> str:
        return f"{self.organisation} · {self.summary}"

    @property
    def separation(self) -> workflow.Separation:
        return workflow.Separation(self.one_step_per_person, self.drafter_may_not_review)

    @property
    def summary(self) -> str:
        if self.one_step_per_person and self.drafter_may_not_review:
            return "严格分离"
        parts = []
        if not self.one_step_per_person:
            parts.append("允许同一人办理多个审核环节")
        if not self.drafter_may_not_review:
            parts.append("允许起草人、提交人审核本人文件")
        return "；".join(parts)


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
    kind = models.CharField("类型", max_length=20, choices=list(privacy.KIND_LABELS.items()))
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
