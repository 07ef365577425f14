from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gongkai.reports"
    label = "reports"
    verbose_name = "年度报告"

    def ready(self):
        """A report submitted for publication changes the public answers (its
        catalog document, watched by the catalog, decides when it is public)."""
        from gongkai.core import generation

        from .models import AnnualReport

        generation.watch(AnnualReport)
