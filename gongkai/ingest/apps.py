from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "gongkai.ingest"
    label = "ingest"
    verbose_name = "页面导入"
