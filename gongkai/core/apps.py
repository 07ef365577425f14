from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = "机构与基础设置"

    def ready(self):
        from . import generation, signals  # noqa: F401  (signals: audits user permission flags)
        from .models import Organisation

        generation.watch(Organisation)  # names and the tree on every public page
