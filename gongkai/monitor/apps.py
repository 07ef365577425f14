from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "gongkai.monitor"
    label = "monitor"
    verbose_name = "网站监测"
