"""Service guides (办事指南): what a citizen or a company needs to know to
get one service item done — who may apply, on which legal basis, with which
materials, how long it takes, what it costs, where and when.

Guides are written and changed only through gongkai.guides.services, which
keeps every saved state as a ServiceGuideVersion and writes an audit entry.
Every validation message is in Chinese and names the field.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from gongkai.core.models import Organisation

TEXT_LIMIT = 5000      # characters in a long text field (legal basis, conditions, process, …)
MAX_DAYS = 999         # working days
MAX_COPIES = 99
MAX_MATERIALS = 50
NO_FEE = "不收费"
NO_FEE_WORDS = {NO_FEE, "免费", "无", "不收取费用"}

# The usual service targets; any other wording may be typed instead.
TARGET_CHOICES = ["自然人", "法人", "自然人和法人"]


def messages_for(label: str, **overrides) -> dict:
    """Error messages in Chinese that name the field, for the codes Django's
    model and form fields and validators use."""
    messages = {
        "blank": f"请填写{label}。",
        "null": f"请填写{label}。",
        "required": f"请填写{label}。",
        "invalid": f"{label}格式不正确。",
        "max_length": f"{label}不能超过%(limit_value)d个字（现有%(show_value)d个字）。",
        "min_value": f"{label}不能小于%(limit_value)s。",
        "max_value": f"{label}不能大于%(limit_value)s。",
        "invalid_choice": f"{label}的取值“%(value)s”无效，请从列表中选择。",
        "unique": f"{label}已被使用。",
    }
    messages.update(overrides)
    return messages


def _days_messages(label: str) -> dict:
    return messages_for(
        label,
        invalid=f"{label}须填写整数（工作日数）。",
        min_value=f"{label}至少为1个工作日。",
        max_value=f"{label}不能超过%(limit_value)s个工作日。",
    )


def _text(label: str, *, blank: bool = False, help_text: str = "") -> models.TextField:
    return models.TextField(
        label, blank=blank, help_text=help_text,
        validators=[MaxLengthValidator(TEXT_LIMIT)], error_messages=messages_for(label),
    )


def _char(label: str, max_length: int, *, blank: bool = False, help_text: str = "", validators=(),
          **messages) -> models.CharField:
    return models.CharField(
        label, max_length=max_length, blank=blank, help_text=help_text,
        validators=list(validators), error_messages=messages_for(label, **messages),
    )


PHONE_CHARS = RegexValidator(
    r"^(?=.*[0-9０-９])[0-9０-９+＋()（）\-－—\s、，,;；/转]+$",
    message="",  # replaced by the field's "invalid" message
    code="invalid",
)


def _phone(label: str) -> models.CharField:
    return models.CharField(
        label, max_length=100, validators=[PHONE_CHARS],
        help_text="如：0834-3226000；多个号码用顿号分隔。",
        error_messages=messages_for(label, invalid=f"{label}只能包含数字、“-”、括号、“转”和分隔号码的顿号。"),
    )


class ServiceGuide(models.Model):
    """One service item's guide. `version` is the number of the last saved
    version; `updated_at` is when its content last changed (publishing does
    not change it)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="实施机构", on_delete=models.PROTECT, related_name="service_guides",
        error_messages=messages_for("实施机构", invalid="请从列表中选择实施机构。"),
    )
    item_name = _char("事项名称", 200)
    item_code = _char(
        "事项编码", 64,
        help_text="政务服务事项实施清单中的编码，只能包含字母、数字、“-”、“_”和“.”。",
        validators=[RegexValidator(r"^[0-9A-Za-z][0-9A-Za-z._-]*$", message="", code="invalid")],
        invalid="事项编码只能包含字母、数字、“-”、“_”和“.”，且须以字母或数字开头。",
    )
    target = _char("服务对象", 100, help_text="自然人、法人、自然人和法人，或其他具体对象。")
    legal_basis = _text("设定依据", help_text="法律、法规、规章的名称和条款。")
    conditions = _text("受理条件")
    process = _text("办理流程", help_text="每个环节一行，如：申请、受理、审查、决定、送达。")
    statutory_days = models.PositiveIntegerField(
        "法定办结时限", help_text="工作日",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)], error_messages=_days_messages("法定办结时限"),
    )
    promised_days = models.PositiveIntegerField(
        "承诺办结时限", help_text="工作日，不能超过法定办结时限。",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)], error_messages=_days_messages("承诺办结时限"),
    )
    fees = _char("收费标准", 500, help_text=f"不收费的填写“{NO_FEE}”。")
    fee_basis = _text("收费依据", blank=True, help_text="收费的，须写明收费依据。")
    result_document = _char("审批结果", 200, help_text="如：批准文书、证照的名称；无的填写“无”。")
    place = _char("办理地点", 300)
    hours = _char("办理时间", 300, help_text="如：工作日上午9:00—12:00，下午13:30—17:00（法定节假日除外）。")
    online_link = models.CharField(
        "网上办理地址", max_length=500, blank=True,
        validators=[URLValidator(schemes=["http", "https"], message="")],
        help_text="以 http:// 或 https:// 开头；不能网上办理的留空。",
        error_messages=messages_for("网上办理地址", invalid="网上办理地址须为以 http:// 或 https:// 开头的有效网址。"),
    )
    enquiry_phone = _phone("咨询电话")
    complaint_phone = _phone("监督投诉电话")

    published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("最后更新", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["organisation__sort_order", "organisation_id", "item_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "item_code"], name="guide_item_code_unique_per_org",
                violation_error_message="本机构已有相同事项编码的办事指南，事项编码不能重复。",
            ),
        ]
        indexes = [models.Index(fields=["published", "organisation"], name="guide_published_org")]

    def __str__(self) -> str:
        return f"{self.item_name}（{self.item_code}）"

    def get_absolute_url(self) -> str:
        return reverse("guides:detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        return "已发布" if self.published else "未发布"

    @property
    def charges_fee(self) -> bool:
        return (self.fees or "").strip() not in NO_FEE_WORDS

    def clean(self) -> None:
        """Checks across fields (full_clean runs them after the field checks)."""
        errors = {}
        statutory, promised = self.statutory_days, self.promised_days
        if isinstance(statutory, int) and isinstance(promised, int) and promised > statutory:
            errors["promised_days"] = (
                f"承诺办结时限（{promised}个工作日）不能超过法定办结时限（{statutory}个工作日）。"
            )
        if self.fees and self.charges_fee and not (self.fee_basis or "").strip():
            errors["fee_basis"] = f"收费的事项须填写收费依据；不收费的，收费标准请填写“{NO_FEE}”。"
        if errors:
            raise ValidationError(errors)


class GuideMaterial(models.Model):
    """One application material (申请材料) of a guide, in display order."""

    class Source(models.TextChoices):
        APPLICANT = "applicant", "申请人自备"
        GOVERNMENT = "government", "政府部门核发"
        OTHER = "other", "其他"

    class Form(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        BOTH = "both", "纸质和电子"

    guide = models.ForeignKey(ServiceGuide, verbose_name="办事指南", on_delete=models.CASCADE, related_name="materials")
    name = _char("材料名称", 200)
    source = models.CharField(
        "来源渠道", max_length=20, choices=Source.choices, default=Source.APPLICANT,
        error_messages=messages_for("来源渠道"),
    )
    form = models.CharField(
        "材料形式", max_length=20, choices=Form.choices, default=Form.PAPER,
        error_messages=messages_for("材料形式"),
    )
    copies = models.PositiveSmallIntegerField(
        "份数", default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)],
        error_messages=messages_for(
            "份数", invalid="份数须填写整数。", min_value="份数至少为1份。", max_value="份数不能超过%(limit_value)s份。",
        ),
    )
    required = models.BooleanField("必需", default=True)
    note = _char("备注", 300, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["guide_id", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceGuideVersion(models.Model):
    """A saved state of a guide (content only, materials included), kept for
    good: the public history is built from these."""

    guide = models.ForeignKey(ServiceGuide, verbose_name="办事指南", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    saved_at = models.DateTimeField("保存时间")
    saved_by = models.CharField("保存人", max_length=150)
    snapshot = models.JSONField("内容快照")
    note = models.CharField("修改说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["guide_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="guide_version_unique")]

    def __str__(self) -> str:
        return f"{self.guide_id} 第{self.number}版"
