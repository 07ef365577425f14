from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region (`gongkai demo`, `gongkai serve --demo`): no models, only the
    composer of each app's demo module and its command."""

    name = "gongkai.demo"
    label = "demo"
    verbose_name = "演示数据"
