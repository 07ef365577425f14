from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_wording_rules(sender, **kwargs):
    """The shipped wording rules after every migrate and flush (idempotent)."""
    from .services import install_wording_rules

    install_wording_rules()


class PublishingConfig(AppConfig):
    name = "gongkai.publishing"
    label = "publishing"
    verbose_name = "发布审核"

    def ready(self):
        post_migrate.connect(_install_wording_rules, sender=self, dispatch_uid="publishing-install-wording-rules")
