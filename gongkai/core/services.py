"""Core use cases: user accounts and the roles they hold. Every permission
change appends an audit entry in its own transaction."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import audit, permissions
from .models import Membership, Organisation, Role


def _check(by, organisation: Organisation, system: bool = False) -> None:
    """`system=True` is for the installation's own set-up (the demo loader,
    commands run by the operator), never for a request."""
    if system:
        return
    if not permissions.can(by, permissions.MANAGE_MEMBERS, organisation):
        raise PermissionDenied(f"您没有管理“{organisation.name}”人员角色的权限。")


@transaction.atomic
def create_user(*, by, username: str, password: str, full_name: str = "", organisation: Organisation,
                system: bool = False):
    """A staff account, created by an office administrator of `organisation`
    (or above). The password goes through Django's validators and hasher."""
    _check(by, organisation, system)
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "请填写用户名。"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在。"})
    user = User(username=username, first_name=(full_name or "").strip()[:150])
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save()
    audit.record("user.create", "user", user.pk, actor=audit.actor_name(by),
                 after={"username": user.username, "organisation": organisation.pk},
                 detail={"username": user.username})
    return user


@transaction.atomic
def grant_role(*, by, user, organisation: Organisation, role: str, review_level: int | None = None,
               system: bool = False) -> Membership:
    _check(by, organisation, system)
    if role not in Role.values:
        raise ValidationError({"role": "请选择有效的角色。"})
    membership = Membership(user=user, organisation=organisation, role=role,
                            review_level=review_level if role == Role.REVIEWER else None)
    membership.full_clean(exclude=["user", "organisation"])
    if Membership.objects.filter(user=user, organisation=organisation, role=role, review_level=membership.review_level).exists():
        raise ValidationError(f"{user.get_username()} 已在“{organisation.name}”担任{membership.role_label}。")
    membership.save()
    audit.record("membership.grant", "membership", membership.pk, actor=audit.actor_name(by),
                 after=audit.state_of(membership),
                 detail={"user": user.get_username(), "organisation": organisation.name, "role": membership.role_label})
    permissions.forget(user)
    return membership


@transaction.atomic
def revoke_role(*, by, membership: Membership) -> None:
    _check(by, membership.organisation)
    before = audit.state_of(membership)
    detail = {"user": membership.user.get_username(), "organisation": membership.organisation.name,
              "role": membership.role_label}
    pk = membership.pk
    membership.delete()
    audit.record("membership.revoke", "membership", pk, actor=audit.actor_name(by), before=before, detail=detail)
    permissions.forget(membership.user)
