from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = "机构与基础设置"

    def ready(self):
        from . import signals  # noqa: F401  (audits user permission flags)
