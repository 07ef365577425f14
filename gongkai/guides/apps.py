from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "gongkai.guides"
    label = "guides"
    verbose_name = "办事指南"

    def ready(self):
        from gongkai.core import generation

        from .models import GuideMaterial, ServiceGuide, ServiceGuideVersion

        for model in (ServiceGuide, GuideMaterial, ServiceGuideVersion):  # the public guide pages
            generation.watch(model)
