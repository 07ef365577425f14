"""Website monitoring: the sites the office watches, each run's findings
(compared with the run before: new, still open, fixed), and the office's
rules for stale and empty catalog columns."""

from django.db import models

from gongkai.catalog.models import Genre, Topic
from gongkai.core.models import Organisation


class Site(models.Model):
    name = models.CharField("名称", max_length=100)
    start_url = models.URLField("起始地址", max_length=500)
    own = models.BooleanField("本单位网站", default=True, help_text="本单位网站不受 robots.txt 限制。")
    max_pages = models.PositiveIntegerField("最多抓取页数", default=2000)
    active = models.BooleanField("定期监测", default=True)
    organisation = models.ForeignKey("core.Organisation", verbose_name="主办单位", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="monitored_sites",
                                     help_text="年度考核中该网站的监测问题计入此单位。")

    class Meta:
        verbose_name = "监测网站"
        verbose_name_plural = "监测网站"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Run(models.Model):
    site = models.ForeignKey(Site, verbose_name="网站", null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pages = models.PositiveIntegerField("页数", default=0)
    new = models.PositiveIntegerField("新发现", default=0)
    still_open = models.PositiveIntegerField("仍未修复", default=0)
    fixed = models.PositiveIntegerField("已修复", default=0)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "监测记录"
        verbose_name_plural = "监测记录"
        ordering = ["-started_at", "-id"]


KIND_LABELS = {
    "dead_link": "死链", "hidden_link": "暗链", "spam_link": "违规链接", "injected_text": "内容篡改",
    "seo_rewrite": "内容篡改（关键词替换）", "wording": "严重表述错误",
}
SEVERITY_LABELS = {"serious": "严重", "warning": "一般"}


class Finding(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "新发现"
        OPEN = "open", "仍未修复"

    run = models.ForeignKey(Run, verbose_name="监测", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField("类型", max_length=20)
    severity = models.CharField("严重程度", max_length=10)
    page_url = models.CharField("页面", max_length=1000)
    evidence = models.CharField("证据", max_length=1000)
    context = models.CharField("上下文", max_length=500, blank=True)
    fingerprint = models.CharField("指纹", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.NEW)

    class Meta:
        verbose_name = "监测发现"
        verbose_name_plural = "监测发现"
        ordering = ["run", "severity", "kind", "id"]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


class ColumnRule(models.Model):
    """How old a catalog column (organisation × genre, or organisation ×
    topic) may get before it is stale, and whether it must not be empty.
    Without a rule: the national indicators' defaults (news columns two
    weeks, others six months)."""

    organisation = models.ForeignKey(Organisation, verbose_name="机构（留空为全部）", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    genre = models.ForeignKey(Genre, verbose_name="栏目（体裁）", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, verbose_name="栏目（主题）", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    max_days = models.PositiveIntegerField("更新周期（天）")
    required = models.BooleanField("不得为空", default=False)

    class Meta:
        verbose_name = "栏目更新要求"
        verbose_name_plural = "栏目更新要求"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "genre", "topic"], name="column_rule_unique"),
            models.CheckConstraint(condition=models.Q(genre__isnull=True) ^ models.Q(topic__isnull=True),
                                   name="column_rule_genre_or_topic"),
        ]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if bool(self.genre_id) == bool(self.topic_id):
            raise ValidationError("请选择一个体裁栏目或一个主题栏目（二选一）。")
