"""The statutory annual report an organisation makes on Gongkai (政府信息公开工作年度报告).

An AnnualReport is one organisation's report on one year: the prose the
office writes (sections 一, 五, 六), the figures it enters (table 2's
行政许可, 行政处罚, 行政强制 and 行政事业性收费) and the computed figures it
overrides (Override: the value stated, the value computed from the records
beside it, the reason, who and when). Everything else is computed from the
records when the report is shown (gongkai.reports.annual). Publication
freezes the figures (`published_figures`) and writes the catalog document of
genre 年度报告 that then goes through the normal review.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.core.models import Organisation


class AnnualReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "编制中"
        PUBLISHED = "published", "已提交发布"

    organisation = models.ForeignKey(Organisation, verbose_name="报告机关", on_delete=models.PROTECT,
                                     related_name="annual_reports")
    year = models.PositiveSmallIntegerField("报告年度", validators=[MinValueValidator(2021), MaxValueValidator(2199)])
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)
    # Table 2's figures the office enters: {"licensing": 12, "penalty": 3, "coercion": 0, "fees": "1.2500"}
    # (decisions in 件; fees in 万元, as a decimal string).
    entered = models.JSONField("填报数据", default=dict, blank=True)
    # The tables as published (cell values of tables 2–4, overrides applied): the records may change later.
    published_figures = models.JSONField("发布时的数据", default=dict, blank=True, editable=False)
    document = models.ForeignKey("catalog.Document", verbose_name="年度报告文件", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交发布人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("提交发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["-year", "organisation__sort_order", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}{self.year}年政府信息公开工作年度报告"

    @property
    def title(self) -> str:
        return str(self)


class Override(models.Model):
    """A computed cell the office states otherwise: the value, the computed
    value it replaces (as it was when overridden), the reason, who and when."""

    report = models.ForeignKey(AnnualReport, verbose_name="年度报告", on_delete=models.CASCADE, related_name="overrides")
    cell = models.CharField("单元格", max_length=60)  # "3:new:natural", "2:article_20_1.normative:made", "4:cases:review.total"
    value = models.PositiveIntegerField("填报值")  # the computed cells are all counts (件)
    computed = models.PositiveIntegerField("系统计算值")
    reason = models.CharField("理由", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "年度报告数据修改"
        verbose_name_plural = "年度报告数据修改"
        ordering = ["report", "cell"]
        constraints = [models.UniqueConstraint(fields=["report", "cell"], name="annual_report_override_unique_cell")]

    def clean(self) -> None:
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "修改系统计算的数据必须说明理由。"})


class TownshipDeadline(models.Model):
    """The local rule for townships (乡镇、街道): by which day of the next year
    the townships at or below `organisation` publish their report (the
    Regulations, Art. 49, fix the days of departments and governments only)."""

    organisation = models.OneToOneField(Organisation, verbose_name="适用机构（含其下乡镇、街道）", on_delete=models.CASCADE,
                                        related_name="+")
    month = models.PositiveSmallIntegerField("月", validators=[MinValueValidator(1), MaxValueValidator(12)])
    day = models.PositiveSmallIntegerField("日", validators=[MinValueValidator(1), MaxValueValidator(31)])
    basis = models.CharField("依据", max_length=200, blank=True, help_text="如：本地政务公开工作要点或通知的名称、文号")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "乡镇年度报告发布期限"
        verbose_name_plural = "乡镇年度报告发布期限"

    def __str__(self) -> str:
        return f"{self.organisation.name}：{self.month}月{self.day}日前"
