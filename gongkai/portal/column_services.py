"""Writes of the 政府信息公开 column (issue 18): the openness guide's versions
and the column rules. Each checks permission, validates, writes and appends
the audit entry in one transaction; bad input raises ValidationError with
Chinese messages and writes nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK, after_commit
from gongkai.core.models import Organisation

from . import column_selectors as selectors
from .models import ColumnRule, DisclosureColumn, OpennessGuide

# Who edits an organisation's column (guide, rules): its openness office
# administrators and those of the organisations above (the office supervises
# its departments and townships).
COLUMN_EDIT = permissions.SITE_MANAGE

GUIDE_FIELDS = ("finding", "applying", "office_name", "address", "hours", "phone", "fees", "remedies")
REQUIRED_GUIDE_FIELDS = ("finding", "applying", "office_name", "address", "hours", "phone", "remedies")


def can_edit_column(user, organisation: Organisation) -> bool:
    return permissions.can(user, COLUMN_EDIT, organisation)


def can_edit_shared_rules(user) -> bool:
    """Rules for every organisation serve the whole installation."""
    return permissions.manages_installation(user)


def _clean_text(value) -> str:
    return str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()


def save_openness_guide(organisation: Organisation, data: dict, *, user, note: str = "",
                        expected_number: int | None = None, system: bool = False) -> OpennessGuide:
    """Save a new version of the organisation's 政府信息公开指南. A save that
    changes nothing writes nothing and returns the current version."""
    if not system and not can_edit_column(user, organisation):
        raise PermissionDenied("您没有编辑该机构政府信息公开指南的权限。")
    values = {name: _clean_text(data.get(name)) for name in GUIDE_FIELDS}
    note = _clean_text(note)
    errors: dict[str, list[str]] = {}
    for name in REQUIRED_GUIDE_FIELDS:
        if not values[name]:
            errors.setdefault(name, []).append(f"请填写“{OpennessGuide._meta.get_field(name).verbose_name}”。")
    for name in (*GUIDE_FIELDS, "note"):
        limit = OpennessGuide._meta.get_field(name).max_length
        value = note if name == "note" else values[name]
        if limit and len(value) > limit:
            errors.setdefault(name, []).append(
                f"“{OpennessGuide._meta.get_field(name).verbose_name}”不能超过{limit}个字（现有{len(value)}个字）。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer at a time per organisation: the version numbers stay a sequence.
        Organisation.objects.select_for_update(**ROW_LOCK).filter(pk=organisation.pk).first()
        current = OpennessGuide.objects.filter(organisation=organisation).order_by("-number").first()
        number = current.number if current else 0
        if expected_number is not None and expected_number != number:
            raise ValidationError(f"该指南在您编辑期间已被他人修改（现为第{number}版），请重新打开编辑页面，核对后再保存。")
        if current is not None and all(getattr(current, name) == values[name] for name in GUIDE_FIELDS):
            return current
        actor = "system" if system else audit.actor_name(user)
        guide = OpennessGuide.objects.create(
            organisation=organisation, number=number + 1, saved_at=timezone.now(), saved_by=actor, note=note, **values,
        )
        audit.record(
            "openness_guide.save", "openness_guide", guide.pk, actor=actor,
            before={name: getattr(current, name) for name in GUIDE_FIELDS} if current else None,
            after=values,
            detail={"organisation": organisation.pk, "version": guide.number, "note": note,
                    **({"system": True} if system else {})},
        )
    return guide


def add_column_rule(column: DisclosureColumn, *, organisation: Organisation | None, topic=None, genre=None,
                    keyword: str = "", user) -> ColumnRule:
    """Add a rule to a column, for one organisation or (organisation=None) for all."""
    if organisation is None:
        if not can_edit_shared_rules(user):
            raise PermissionDenied("只有全站的政务公开办管理员可以设置适用于所有机构的栏目规则。")
    elif not can_edit_column(user, organisation):
        raise PermissionDenied("您没有设置该机构栏目规则的权限。")
    rule = ColumnRule(column=column, organisation=organisation, topic=topic, genre=genre, keyword=_clean_text(keyword))
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit.record("column_rule.add", "column_rule", rule.pk, actor=audit.actor_name(user), after=_rule_state(rule),
                     detail={"column": column.key, "organisation": organisation.pk if organisation else None,
                             "rule": rule.description})
        after_commit(selectors.forget_site_tree)  # the site-wide counts follow the rules at once
    return rule


def delete_column_rule(rule: ColumnRule, *, user) -> None:
    if rule.organisation_id is None:
        if not can_edit_shared_rules(user):
            raise PermissionDenied("只有全站的政务公开办管理员可以删除适用于所有机构的栏目规则。")
    elif not can_edit_column(user, rule.organisation):
        raise PermissionDenied("您没有设置该机构栏目规则的权限。")
    with transaction.atomic():
        state, pk = _rule_state(rule), rule.pk
        description, column_key = rule.description, rule.column.key
        rule.delete()
        audit.record("column_rule.delete", "column_rule", pk, actor=audit.actor_name(user), before=state,
                     detail={"column": column_key, "organisation": state["organisation"], "rule": description})
        after_commit(selectors.forget_site_tree)


def _rule_state(rule: ColumnRule) -> dict:
    return {"column": rule.column_id, "organisation": rule.organisation_id, "topic": rule.topic_id,
            "genre": rule.genre_id, "keyword": rule.keyword}
