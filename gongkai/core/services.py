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


# --- The working-day calendar: importing the State Council's holiday notice ----------

IMPORTED, UNCHANGED = "imported", "unchanged"


def _notice_rows(notice) -> set[tuple]:
    """(date, working, festival item) of each day a read notice states."""
    rows = set()
    for item in notice.items:
        rows |= {(day, False, item.name) for day in item.days_off}
        rows |= {(day, True, item.name) for day in item.workdays}
    return rows


def _festivals_of(item_name: str) -> set[str]:
    return set(item_name.split("、")) if item_name else set()


@transaction.atomic
def calendar_import_notice(notice, *, by, text: str, system: bool = False):
    """Write a read holiday notice (gongkai.core.holiday_notice.Notice) as the
    office's calendar entries for its year, in one transaction with its audit
    entry; returns (HolidayNotice, IMPORTED or UNCHANGED).

    - The same notice again changes nothing (UNCHANGED, no entry written).
    - An annual notice replaces every entry earlier notices wrote for its
      year; an amendment (关于调整…) replaces those of the festivals it names.
    - An office entry typed by hand on a date the notice states is replaced
      by the notice's; the audit entry names it.
    - Once an annual notice is in, the year is covered: the notice's days,
      Monday to Friday otherwise, and it wins over the chinesecalendar package
      (`gongkai calendar coverage` names the days where they differ)."""
    from . import calendar
    from .models import CalendarDay, HolidayNotice

    if not system and not permissions.can_manage_calendar(by):
        raise PermissionDenied("只有政务公开办（最上级机构）管理员可以导入节假日安排通知。")
    wanted = _notice_rows(notice)
    digest = notice.digest()
    for same in HolidayNotice.objects.filter(year=notice.year, digest=digest).order_by("-id"):
        if set(same.days.values_list("date", "is_workday", "festival")) == wanted:
            return same, UNCHANGED
    earlier = CalendarDay.objects.filter(notice__year=notice.year).select_related("notice")
    names = set(notice.festivals)
    replaced = [row for row in earlier if not notice.is_amendment or _festivals_of(row.festival) & names]
    row = HolidayNotice.objects.create(
        year=notice.year, title=notice.title[:200], number=notice.number[:50], is_amendment=notice.is_amendment,
        festivals=notice.festivals, days_off=[d.isoformat() for d in notice.days_off],
        workdays=[d.isoformat() for d in notice.workdays], digest=digest, text=text,
        imported_by=audit.actor_name(by) if by is not None else "system",
    )
    CalendarDay.objects.filter(pk__in=[r.pk for r in replaced]).delete()
    by_date = {day.date: day for day in CalendarDay.objects.filter(date__in=[d for d, _, _ in wanted])}
    overwritten = []
    label = row.number or row.title or f"{row.year}年节假日安排通知"
    for day, working, festival in sorted(wanted):
        entry = by_date.get(day) or CalendarDay(date=day)
        if entry.pk:
            overwritten.append({"date": day.isoformat(), "working": entry.is_workday, "name": entry.name,
                                "notice": entry.notice_id})
        entry.is_workday, entry.festival, entry.notice = working, festival, row
        entry.name = (f"{festival}调休上班" if working else festival)[:50]
        entry.note = label[:200]
        entry.save()
    audit.record(
        "calendar.import_notice", "holiday_notice", row.pk, actor=audit.actor_name(by),
        after=audit.state_of(row, exclude=("text",)),
        detail={"year": row.year, "title": row.title, "number": row.number, "amendment": row.is_amendment,
                "days_off": row.days_off, "workdays": row.workdays,
                "replaced": sorted({f"{r.date.isoformat()} ({r.notice_id})" for r in replaced}),
                "overwritten": overwritten},
    )
    calendar.invalidate()
    return row, IMPORTED


@transaction.atomic
def calendar_remove_notice(notice_row, *, by, system: bool = False) -> None:
    """Remove an imported notice with the entries it wrote (the package, or
    the office's other entries, answer for those dates again)."""
    from . import calendar

    if not system and not permissions.can_manage_calendar(by):
        raise PermissionDenied("只有政务公开办（最上级机构）管理员可以删除节假日安排通知。")
    before = audit.state_of(notice_row, exclude=("text",))
    dates = sorted(d.isoformat() for d in notice_row.days.values_list("date", flat=True))
    pk = notice_row.pk
    notice_row.delete()  # its CalendarDay rows go with it (CASCADE)
    audit.record("calendar.remove_notice", "holiday_notice", pk, actor=audit.actor_name(by), before=before,
                 detail={"year": before["year"], "dates": dates})
    calendar.invalidate()
