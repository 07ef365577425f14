"""Permission changes made outside the workspace (the Django admin's user
screen, `createsuperuser`) are audited too: a change of a user's
active/staff/superuser flags, groups aside, appends an entry in the same
transaction as the save."""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import audit

FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit-user-flags-before")
def _remember_flags(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_flags_before = None
        return
    old = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    instance._audit_flags_before = old


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit-user-flags-after")
def _record_flags(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    after = {flag: getattr(instance, flag) for flag in FLAGS}
    before = getattr(instance, "_audit_flags_before", None)
    if created:
        if instance.is_superuser or instance.is_staff:
            audit.record("user.flags", "user", instance.pk, after=after, detail={"username": instance.get_username(), **after})
    elif before is not None and before != after:
        audit.record("user.flags", "user", instance.pk, before=before, after=after,
                     detail={"username": instance.get_username(), "changed": sorted(k for k in FLAGS if before[k] != after[k])})
