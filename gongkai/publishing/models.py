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
