"""Who may do what, where: the one place that answers it.

A user holds roles in organisations (core.models.Membership). A role acts in
its own organisation only; an office administrator's role also reaches every
organisation below (the office supervises its departments and townships).
A Django superuser (the installation's system administrator) may do anything.

Every view, API endpoint and service that touches a document, a guide or a
membership asks `can()` or filters with `organisations_for()`; nothing else
decides permissions.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Membership, Organisation, Role, descendant_ids

# Action -> the roles that may take it. Review actions need the reviewer's
# level to equal the document's current level (see `can`).
VIEW = "view"
EDIT = "edit"              # create and change drafts
SUBMIT = "submit"          # send a draft into review
REVIEW = "review"          # pass / return / stop at the current review level
SECRECY = "secrecy"        # pass / return / stop in secrecy review
PUBLISH = "publish"        # publish now or schedule a ready document
WITHDRAW = "withdraw"
MASK = "mask"              # mask a privacy finding
WAIVE = "waive"            # keep personal data on a legal ground
MANAGE_MEMBERS = "manage_members"
CLEANUP = "cleanup"        # run a clean-up campaign of normative documents
VALIDITY = "validity"      # declare a document expired / abolished / amended
GUIDE_EDIT = "guide_edit"  # write and change service guides
APPLICATIONS = "applications"  # see and handle disclosure applications (applicants' personal data included)
APPROVE_EXTENSION = "approve_extension"  # the office head's approval of a longer reply period
SIGN_OFF = "sign_off"  # sign off (签发) an application's reply or notice before it is sent; an organisation may name more signers (applications.SignOffPolicy)
APPLICANT_DATA = "applicant_data"  # read applicants' personal data: the receiving organisation's own staff only
MONITOR = "monitor"  # website monitoring reports
WORKPLAN_MANAGE = "workplan_manage"  # import and confirm work plans, reopen tasks, quotas, bulletins, assessment
WORKPLAN_REPORT = "workplan_report"  # report a unit's progress on its tasks; a lead unit confirms completion
SITE_MANAGE = "site_manage"  # the public site: the 政府信息公开 column (guide, column rules) and the site identity

ACTION_ROLES: dict[str, frozenset[str]] = {
    VIEW: frozenset(Role.values),
    EDIT: frozenset({Role.DRAFTER, Role.OFFICE_ADMIN}),
    SUBMIT: frozenset({Role.DRAFTER, Role.OFFICE_ADMIN}),
    REVIEW: frozenset({Role.REVIEWER}),
    SECRECY: frozenset({Role.SECRECY_REVIEWER}),
    PUBLISH: frozenset({Role.PUBLISHER}),
    WITHDRAW: frozenset({Role.PUBLISHER, Role.OFFICE_ADMIN}),
    MASK: frozenset({Role.DRAFTER, Role.REVIEWER, Role.SECRECY_REVIEWER, Role.OFFICE_ADMIN}),
    WAIVE: frozenset({Role.SECRECY_REVIEWER, Role.OFFICE_ADMIN}),
    MANAGE_MEMBERS: frozenset({Role.OFFICE_ADMIN}),
    CLEANUP: frozenset({Role.OFFICE_ADMIN}),
    VALIDITY: frozenset({Role.OFFICE_ADMIN, Role.PUBLISHER}),
    GUIDE_EDIT: frozenset({Role.DRAFTER, Role.OFFICE_ADMIN}),
    APPLICATIONS: frozenset({Role.HANDLER, Role.OFFICE_ADMIN}),
    APPROVE_EXTENSION: frozenset({Role.OFFICE_ADMIN}),
    SIGN_OFF: frozenset({Role.OFFICE_ADMIN}),
    APPLICANT_DATA: frozenset({Role.HANDLER, Role.OFFICE_ADMIN}),
    MONITOR: frozenset({Role.OFFICE_ADMIN}),
    WORKPLAN_MANAGE: frozenset({Role.OFFICE_ADMIN}),
    WORKPLAN_REPORT: frozenset({Role.DRAFTER, Role.OFFICE_ADMIN}),
    SITE_MANAGE: frozenset({Role.OFFICE_ADMIN}),
}
# Actions an office administrator's role does not carry down to the
# organisations below: an applicant's personal data stays with the
# organisation that received the application, whose own head signs the
# letters that carry it.
OWN_ORGANISATION_ONLY = frozenset({APPLICANT_DATA, SIGN_OFF})

ACTION_LABELS = {
    VIEW: "查看", EDIT: "编辑草稿", SUBMIT: "提交审核", REVIEW: "审核", SECRECY: "保密审查",
    PUBLISH: "发布", WITHDRAW: "撤回", MASK: "去标识化", WAIVE: "依法保留个人信息",
    MANAGE_MEMBERS: "管理人员角色", CLEANUP: "规范性文件清理", VALIDITY: "变更有效性", GUIDE_EDIT: "编辑办事指南",
    APPLICATIONS: "办理依申请公开", APPROVE_EXTENSION: "批准延期答复", SIGN_OFF: "签发告知书", APPLICANT_DATA: "查看申请人个人信息", MONITOR: "网站监测",
    WORKPLAN_MANAGE: "管理工作要点督办", WORKPLAN_REPORT: "报送任务进展", SITE_MANAGE: "管理网站栏目和标识",
}


def _memberships(user) -> list[Membership]:
    """The user's roles, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_gongkai_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        user._gongkai_memberships = cached
    return cached


def forget(user) -> None:
    """Drop the cached roles (after a change to them)."""
    if hasattr(user, "_gongkai_memberships"):
        del user._gongkai_memberships
    if hasattr(user, "_gongkai_scopes"):
        del user._gongkai_scopes


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def organisations_for_all(user, *actions: str):
    """The organisations where `user` may take every one of `actions`, in
    display order (a queryset; every organisation for a superuser)."""
    qs = Organisation.objects.order_by("sort_order", "id")
    for action in actions:
        scope = organisations_for(user, action)
        if scope is not None:
            qs = qs.filter(pk__in=scope)
    return qs


def organisations_for(user, action: str = VIEW, *, review_level: int | None = None) -> set[int] | None:
    """The organisations where `user` may take `action`; None means all of
    them (superuser). An office administrator's roles reach the subtree."""
    if is_superuser(user):
        return None
    if not getattr(user, "is_active", False):
        return set()
    scopes = getattr(user, "_gongkai_scopes", None)
    if scopes is None:
        scopes = user._gongkai_scopes = {}
    key = (action, review_level)
    if key in scopes:
        return scopes[key]
    roles = ACTION_ROLES[action]
    direct, subtree_roots = set(), set()
    for m in _memberships(user):
        if m.role not in roles:
            continue
        if action == REVIEW and review_level is not None and m.review_level != review_level:
            continue
        if m.role == Role.OFFICE_ADMIN and action not in OWN_ORGANISATION_ONLY:
            subtree_roots.add(m.organisation_id)
        else:
            direct.add(m.organisation_id)
    found = direct | (descendant_ids(subtree_roots) if subtree_roots else set())
    scopes[key] = found
    return found


def can(user, action: str, organisation: Organisation | int | None, *, review_level: int | None = None) -> bool:
    """May `user` take `action` in `organisation`? For REVIEW, pass the
    document's current review level."""
    if organisation is None:
        return is_superuser(user)
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    scope = organisations_for(user, action, review_level=review_level)
    return scope is None or org_id in scope


def can_anywhere(user, action: str) -> bool:
    scope = organisations_for(user, action)
    return scope is None or bool(scope)


def scope_filter(user, action: str = VIEW, field: str = "organisation_id") -> Q:
    """A filter for querysets: rows whose organisation is in the user's scope."""
    scope = organisations_for(user, action)
    if scope is None:
        return Q()
    return Q(**{f"{field}__in": scope})


def review_levels_held(user, organisation: Organisation) -> set[int]:
    """The review levels `user` holds in `organisation`."""
    if is_superuser(user):
        return set(range(1, organisation.review_levels + 1))
    return {m.review_level for m in _memberships(user) if m.role == Role.REVIEWER and m.organisation_id == organisation.pk}


def manages_installation(user) -> bool:
    """What serves the whole installation (the wording dictionary, the
    working-day calendar) is managed by the office administrators of a
    top-level organisation (the openness office at the top of the tree) and
    the system administrator."""
    if is_superuser(user):
        return True
    return any(m.role == Role.OFFICE_ADMIN and m.organisation.parent_id is None for m in _memberships(user))


def can_edit_wording_dictionary(user) -> bool:
    return manages_installation(user)


def can_manage_calendar(user) -> bool:
    """Import holiday notices into the working-day calendar every deadline counts on."""
    return manages_installation(user)
