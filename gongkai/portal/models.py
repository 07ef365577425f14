"""The 政府信息公开 column (issue 18): the column tree of 法定主动公开内容
(条例 Art. 20, 21) and the 政府信息公开制度 entry, the rules that fill each
column from the catalog, and each organisation's versioned openness guide
(政府信息公开指南).

The tree ships as data (portal/data/disclosure_columns.json, installed by
gongkai.portal.column_data); the office edits the rules. A column has no
documents of its own: it lists the public catalog documents its rules match
(gongkai.portal.column_selectors).
"""

from django.core.exceptions import ValidationError
from django.db import models

from gongkai.core.models import Organisation


class DisclosureColumn(models.Model):
    class Section(models.TextChoices):
        STATUTORY = "statutory", "法定主动公开内容"
        RULES = "rules", "政府信息公开制度"

    key = models.SlugField("栏目代码", max_length=50, unique=True)
    name = models.CharField("栏目名称", max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name="上级栏目", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    section = models.CharField("所属一级目录", max_length=12, choices=Section.choices, default=Section.STATUTORY)
    article = models.CharField("法定依据", max_length=60, blank=True)
    # Organisation.Level values, comma-separated; blank: every level (Art. 21's
    # items concern city/county governments and their departments, or townships).
    levels = models.CharField("适用层级", max_length=100, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "政府信息公开栏目"
        verbose_name_plural = "政府信息公开栏目"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def level_list(self) -> list[str]:
        return [v for v in self.levels.split(",") if v]

    def applies_to(self, organisation: Organisation | None) -> bool:
        """Is the column part of `organisation`'s tree? (None: the whole site.)

        A column for departments ("department" in its levels) applies to the
        departments of the governments it lists beside it: Art. 21 names
        设区的市级、县级人民政府及其部门, so a province's departments do not get
        the city and county items."""
        if organisation is None or not self.levels:
            return True
        levels = self.level_list
        if organisation.level != Organisation.Level.DEPARTMENT:
            return organisation.level in levels
        if Organisation.Level.DEPARTMENT not in levels:
            return False
        governments = [level for level in levels if level != Organisation.Level.DEPARTMENT]
        return not governments or organisation.government_level() in governments


class ColumnRule(models.Model):
    """Which catalog documents fill a column: those matching every condition
    given (topic, its subtopics included; genre; a word in the title), of
    one organisation or, when none is given, of every organisation."""

    column = models.ForeignKey(DisclosureColumn, verbose_name="栏目", on_delete=models.CASCADE, related_name="rules")
    organisation = models.ForeignKey(
        Organisation, verbose_name="适用机构", null=True, blank=True, on_delete=models.CASCADE,
        related_name="column_rules", help_text="留空表示适用于所有机构。",
    )
    topic = models.ForeignKey("catalog.Topic", verbose_name="主题分类", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    genre = models.ForeignKey("catalog.Genre", verbose_name="体裁分类", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    keyword = models.CharField("标题关键词", max_length=30, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "栏目规则"
        verbose_name_plural = "栏目规则"
        ordering = ["column_id", "id"]

    def __str__(self) -> str:
        return f"{self.column}：{self.description}"

    @property
    def description(self) -> str:
        parts = []
        if self.topic_id:
            parts.append(f"主题“{self.topic.name}”")
        if self.genre_id:
            parts.append(f"体裁“{self.genre.name}”")
        if self.keyword:
            parts.append(f"标题含“{self.keyword}”")
        return "且".join(parts) or "（无条件）"

    def clean(self) -> None:
        self.keyword = (self.keyword or "").strip()
        if not (self.topic_id or self.genre_id or self.keyword):
            raise ValidationError("请至少填写主题分类、体裁分类或标题关键词中的一项，否则该规则会把所有信息都归入本栏目。")


class OpennessGuide(models.Model):
    """One saved version of an organisation's 政府信息公开指南. Each save adds
    a version; the public sees the newest; old versions are kept."""

    organisation = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.PROTECT,
                                     related_name="openness_guides")
    number = models.PositiveIntegerField("版本号")
    finding = models.TextField("主动公开信息的获取方式")
    applying = models.TextField("依申请公开的办理")
    office_name = models.CharField("受理机构", max_length=100)
    address = models.CharField("办公地址", max_length=200)
    hours = models.CharField("办公时间", max_length=200)
    phone = models.CharField("联系电话", max_length=60)
    fees = models.TextField("收费", blank=True)
    remedies = models.TextField("监督和救济")
    saved_at = models.DateTimeField("保存时间")
    saved_by = models.CharField("保存人", max_length=150)
    note = models.CharField("修改说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "政府信息公开指南"
        verbose_name_plural = "政府信息公开指南"
        ordering = ["organisation_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="openness_guide_version_unique")]

    def __str__(self) -> str:
        return f"{self.organisation}政府信息公开指南（第{self.number}版）"
