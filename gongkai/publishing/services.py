"""Publishing use cases: the review workflow (one entry point, `act`, over
the table in workflow.py), drafts, interpretations, scheduled publication and
the wording dictionary."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.catalog import services as catalog
from gongkai.catalog.models import INTERPRETATION_GENRE, Attachment, Document, Relation, validate_attachment
from gongkai.core import audit, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import AuditEntry, Organisation, review_level_name

from . import attachment_text, findings, workflow
from .models import ReviewPolicy, ReviewStep, WordingRule
from .wording import KIND_LABELS, Checker, Rule, WordingFinding, nearest_rules, shipped_rules

EXCEPTION_SEPARATORS = "、,，;；"


def install_wording_rules(model=WordingRule) -> None:
    """Add the shipped rules that are missing to the default dictionary
    (idempotent; edited rows stay as edited)."""
    per_organisation = any(f.name == "organisation" for f in model._meta.get_fields())  # after 0005
    for rule in shipped_rules():
        model.objects.get_or_create(
            phrase=rule.phrase, **({"organisation": None} if per_organisation else {}),
            defaults={"kind": rule.kind, "suggestion": rule.suggestion, "exceptions": "、".join(rule.exceptions)},
        )


def save_wording_rule(rule: WordingRule | None, *, user, phrase: str, kind: str, suggestion: str = "",
                      exceptions: str = "", active: bool = True, organisation: Organisation | None = None) -> WordingRule:
    """Add or change one entry of `organisation`'s wording dictionary (None:
    the default dictionary; a changed entry stays where it is), audited. An
    office administrator edits the dictionaries of their organisations and
    those below (MANAGE_MEMBERS: the office administrator's reach); the
    default dictionary only the system administrator."""
    if rule is not None:
        organisation = rule.organisation
    if not (permissions.is_superuser(user) if organisation is None
            else permissions.can(user, permissions.MANAGE_MEMBERS, organisation)):
        raise PermissionDenied("政务公开办管理员只能维护本单位及下级单位的表述检查词库；默认词库只有系统管理员可以修改。")
    phrase = (phrase or "").strip()
    errors = {}
    if not phrase:
        errors["phrase"] = "词语不能为空。"
    elif len(phrase) > 100:
        errors["phrase"] = "词语不能超过100字。"
    elif WordingRule.objects.filter(phrase=phrase, organisation=organisation).exclude(pk=rule.pk if rule else None).exists():
        errors["phrase"] = f"词库中已有“{phrase}”。"
    if kind not in KIND_LABELS:
        errors["kind"] = "请选择类别。"
    if len(suggestion or "") > 200:
        errors["suggestion"] = "建议表述不能超过200字。"
    if len(exceptions or "") > 300:
        errors["exceptions"] = "例外不能超过300字。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.state_of(rule) if rule else None
        rule = rule or WordingRule(organisation=organisation)
        rule.phrase, rule.kind, rule.suggestion = phrase, kind, (suggestion or "").strip()
        rule.exceptions, rule.active = (exceptions or "").strip(), bool(active)
        rule.save()
        audit.record("wording_rule.edit" if before else "wording_rule.create", "wording_rule", rule.pk,
                     actor=audit.actor_name(user), before=before, after=audit.state_of(rule),
                     detail={"phrase": phrase, "organisation": organisation.pk if organisation else None})
    return rule


def wording_checker(organisation: Organisation | None = None) -> Checker:
    """The rules in force at `organisation`: its own entries, then its
    ancestors', then the default dictionary, the nearest deciding each phrase
    (wording.nearest_rules). None: the default dictionary alone."""
    chain, node = [], organisation
    while node is not None and len(chain) < 20:
        chain.append(node.pk)
        node = node.parent
    rank = {pk: i for i, pk in enumerate(chain)}
    layers = [[] for _ in range(len(chain) + 1)]
    for row in WordingRule.objects.filter(organisation__isnull=True) | WordingRule.objects.filter(organisation_id__in=chain):
        parts = row.exceptions
        for sep in EXCEPTION_SEPARATORS:
            parts = parts.replace(sep, "\n")
        rule = Rule(row.phrase, row.kind, row.suggestion, tuple(p.strip() for p in parts.splitlines() if p.strip()))
        layers[rank.get(row.organisation_id, len(chain))].append((rule, row.active))
    return Checker(nearest_rules(layers))


def check_wording(text: str, organisation: Organisation | None = None) -> list[WordingFinding]:
    """The rules in force at `organisation` against `text` (a drafter's body, say)."""
    return wording_checker(organisation).check(text)


# --- The review workflow --------------------------------------------------

EDITABLE_STATES = (workflow.DRAFT,)
DRAFT_FIELDS = (
    "title", "document_number", "topic", "genre", "written_date", "effective_date", "expiry_date",
    "disclosure", "disclosure_ground", "keywords", "summary", "interpretation_form", "body_html",
)


def _refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def _check_permission(user, permission: str, doc: Document, *, level: int | None = None) -> None:
    if not permissions.can(user, permission, doc.organisation_id, review_level=level):
        label = permissions.ACTION_LABELS.get(permission, permission)
        raise PermissionDenied(f"您没有在“{doc.organisation.name}”{label}的权限。")


# --- Separation of duties (职责分离, see workflow.py) ---------------------------

POLICY_DENIED = "只有本机构或上级机构的政务公开办管理员（或系统管理员）可以设置审核职责分离规则。"
DRAFTER_REFUSAL = "您是本文件的起草人或提交人，按职责分离要求不能审核本人的文件。"


def _separations(org_ids) -> dict[int, workflow.Separation]:
    """organisation id -> the rule in force there: its own policy, else the
    nearest one above, else the strict default."""
    rows = {p.organisation_id: p.separation for p in ReviewPolicy.objects.all()}
    if not rows:
        return {pk: workflow.STRICT for pk in org_ids}
    parents = dict(Organisation.objects.values_list("id", "parent_id"))
    found = {}
    for pk in org_ids:
        node, hops = pk, 0
        while node is not None and node not in rows and hops < 50:
            node, hops = parents.get(node), hops + 1
        found[pk] = rows.get(node, workflow.STRICT)
    return found


def review_policy_for(organisation: Organisation) -> ReviewPolicy | None:
    """The policy in force in `organisation` (its own or the nearest above);
    None: none is set, the strict default holds."""
    rows = {p.organisation_id: p for p in ReviewPolicy.objects.select_related("organisation")}
    node, hops = organisation, 0
    while rows and node is not None and hops < 50:
        if node.pk in rows:
            return rows[node.pk]
        node, hops = node.parent, hops + 1
    return None


def set_review_policy(organisation: Organisation, *, user, one_step_per_person: bool, drafter_may_not_review: bool,
                      reason: str = "") -> ReviewPolicy:
    """Set `organisation`'s separation of duties (inherited by the
    organisations below without their own). Relaxing it needs a reason.
    Audited."""
    if not permissions.can(user, permissions.MANAGE_MEMBERS, organisation):
        raise PermissionDenied(POLICY_DENIED)
    reason = (reason or "").strip()
    if not (one_step_per_person and drafter_may_not_review) and not reason:
        _refuse("放宽职责分离要求须填写理由。", "reason")
    if len(reason) > 300:
        _refuse("理由不能超过300字。", "reason")
    with transaction.atomic():
        policy = ReviewPolicy.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
        before = audit.state_of(policy, exclude=("changed_at",)) if policy else None
        policy = policy or ReviewPolicy(organisation=organisation)
        policy.one_step_per_person, policy.drafter_may_not_review = bool(one_step_per_person), bool(drafter_may_not_review)
        policy.reason = reason
        policy.changed_by = user if getattr(user, "is_authenticated", False) else None
        policy.save()
        audit.record("review_policy.set", "organisation", organisation.pk, actor=audit.actor_name(user), before=before,
                     after=audit.state_of(policy, exclude=("changed_at",)),
                     detail={"organisation": organisation.name, "one_step_per_person": policy.one_step_per_person,
                             "drafter_may_not_review": policy.drafter_may_not_review, "reason": reason})
    return policy


def clear_review_policy(organisation: Organisation, *, user) -> None:
    """Drop `organisation`'s own policy: the one above (or the strict default) applies again. Audited."""
    if not permissions.can(user, permissions.MANAGE_MEMBERS, organisation):
        raise PermissionDenied(POLICY_DENIED)
    with transaction.atomic():
        policy = ReviewPolicy.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
        if policy is None:
            return
        before = audit.state_of(policy, exclude=("changed_at",))
        policy.delete()
        audit.record("review_policy.clear", "organisation", organisation.pk, actor=audit.actor_name(user), before=before,
                     detail={"organisation": organisation.name})


def _current_step(doc: Document) -> tuple[str, int] | None:
    if doc.status == workflow.REVIEW:
        return workflow.REVIEW, doc.review_level
    if doc.status == workflow.SECRECY:
        return workflow.SECRECY, 0
    return None


def _step_name(step: tuple[str, int], levels: int) -> str:
    state, level = step
    return review_level_name(level, levels) if state == workflow.REVIEW else "保密审查"


def separation_refusals(user, docs, step: tuple[str, int] | None = None) -> dict[int, str]:
    """document id -> why `user` may not take review `step` of it (default:
    the step it is at now) under separation of duties. Documents not at a
    review step, and the system (no user), are never refused here. One query
    for the documents' histories."""
    person = getattr(user, "pk", None)
    if person is None or not getattr(user, "is_authenticated", False):
        return {}
    targets = {doc.pk: (doc, step or _current_step(doc)) for doc in docs}
    targets = {pk: pair for pk, pair in targets.items() if pair[1] is not None}
    if not targets:
        return {}
    history = defaultdict(list)
    for doc_id, *row in (ReviewStep.objects.filter(document_id__in=list(targets)).order_by("id")
                         .values_list("document_id", "action", "from_state", "level", "actor_id")):
        history[doc_id].append(row)
    policies = _separations({doc.organisation_id for doc, _ in targets.values()})
    refusals = {}
    for pk, (doc, at) in targets.items():
        rows = history[pk]
        drafters = {doc.created_by_id} | {actor for action, _, _, actor in rows if action == workflow.SUBMIT}
        drafters.discard(None)
        start = max((i for i, row in enumerate(rows) if row[0] == workflow.SUBMIT), default=-1)
        taken = [(actor, taken_at) for action, from_state, level, actor in rows[start + 1:]
                 if actor is not None and (taken_at := workflow.review_step(action, from_state, level))]
        conflict = workflow.separation_conflict(person, at, drafters=drafters, taken=taken,
                                                policy=policies[doc.organisation_id])
        if conflict is None:
            continue
        kind, other = conflict
        if kind == workflow.DRAFTER_CONFLICT:
            refusals[pk] = DRAFTER_REFUSAL
        else:
            name = _step_name(other, doc.organisation.review_levels)
            refusals[pk] = f"您已办理本文件的“{name}”，按职责分离要求，同一人只能办理同一文件的一个审核环节。"
    return refusals


def separation_refusal(doc: Document, user, step: tuple[str, int] | None = None) -> str | None:
    """Why `user` may not take review `step` of `doc` (default: its current step), or None."""
    return separation_refusals(user, [doc], step).get(doc.pk)


# --- Serious wording errors (严重表述错误) -------------------------------------

# Wording kinds that block the final review and publication until corrected
# or confirmed by the final reviewer; the other kinds only warn.
SERIOUS_WORDING_KINDS = ("error",)


def serious_wording(doc: Document) -> list[dict]:
    """The entries of `wording_report(doc)` that are serious wording errors."""
    labels = {KIND_LABELS[kind] for kind in SERIOUS_WORDING_KINDS}
    return [w for w in wording_report(doc)
            if w.get("kind") in SERIOUS_WORDING_KINDS or ("kind" not in w and w.get("label") in labels)]


def _round(doc: Document):
    """The review steps of `doc` since it was last submitted (its current round)."""
    last_submit = (ReviewStep.objects.filter(document=doc, action=workflow.SUBMIT).order_by("-id")
                   .values_list("pk", flat=True).first())
    steps = ReviewStep.objects.filter(document=doc)
    return steps if last_submit is None else steps.filter(pk__gt=last_submit)


def wording_confirmations(doc: Document) -> list[ReviewStep]:
    """The final reviewer's confirmations of serious wording in this round."""
    return list(_round(doc).filter(action=workflow.OVERRIDE_WORDING).select_related("actor").order_by("id"))


def _confirmed(doc: Document) -> set[tuple[str, str]]:
    """(place, text) of the serious wording confirmed in this round, as the
    audit entry of each confirmation lists it."""
    ids = {step.pk for step in wording_confirmations(doc)}
    if not ids:
        return set()
    confirmed = set()
    for detail in AuditEntry.objects.filter(action="workflow.override_wording", object_type="document",
                                            object_id=str(doc.pk)).values_list("detail", flat=True):
        if detail.get("step") in ids:
            confirmed |= {(f.get("place"), f.get("text")) for f in detail.get("findings", [])}
    return confirmed


def wording_block(doc: Document, serious: list[dict] | None = None) -> str | None:
    """Why `doc` may pass neither 终审 nor publication for its wording: its
    serious wording errors not confirmed by the final reviewer; or None."""
    serious = serious_wording(doc) if serious is None else serious
    if not serious:
        return None
    confirmed = _confirmed(doc)
    unconfirmed = [w for w in serious if (w["place"], w["text"]) not in confirmed]
    if not unconfirmed:
        return None
    shown = list(dict.fromkeys(f"“{w['text']}”" for w in unconfirmed))
    listed = "、".join(shown[:5]) + ("等" if len(shown) > 5 else "")
    return (f"有{len(unconfirmed)}处严重表述错误（{listed}）未改正：须退回修改后重新提交，"
            "或由终审人填写理由确认后，才能通过终审和发布。")


def may_override_wording(doc: Document, user) -> bool:
    """May `user` confirm `doc`'s serious wording now (the final reviewer,
    from the final review on, with unconfirmed serious errors)?"""
    levels = doc.organisation.review_levels
    if (doc.status, workflow.OVERRIDE_WORDING) not in workflow.TRANSITIONS:
        return False
    if doc.status == workflow.REVIEW and doc.review_level < levels:
        return False
    if not permissions.can(user, permissions.REVIEW, doc.organisation_id, review_level=levels):
        return False
    if separation_refusal(doc, user, (workflow.REVIEW, levels)):
        return False
    return wording_block(doc) is not None


def _override_wording(doc: Document, *, user, reason: str) -> Document:
    """The final reviewer confirms the serious wording of `doc` with a reason
    (`doc` is the locked row): a review step changing no state, audited with
    what was confirmed."""
    levels = doc.organisation.review_levels
    if doc.status == workflow.REVIEW and doc.review_level < levels:
        _refuse(f"严重表述须由终审人在“{review_level_name(levels, levels)}”环节确认，本文件尚未到该环节。")
    serious = serious_wording(doc)
    if not serious:
        _refuse("本文件没有严重表述错误，无需确认。")
    if wording_block(doc, serious) is None:
        _refuse("本文件的严重表述错误已由终审人确认。")
    step = _step(doc, workflow.OVERRIDE_WORDING, doc.status, doc.status, levels, user, reason)
    catalog.record("workflow.override_wording", doc, actor=user, before=catalog.audit_state(doc),
                   detail={"step": step.pk, "state": doc.status, "level": levels, "reason": reason,
                           "findings": [{"place": w["place"], "text": w["text"], "suggestion": w.get("suggestion", "")}
                                        for w in serious]})
    return doc


def save_draft(doc: Document | None, *, user, organisation: Organisation | None = None, **data) -> Document:
    """Create or change a draft (公开属性源头认定 happens here: the drafter
    chooses the disclosure attribute and, where needed, its legal ground)."""
    org = organisation if doc is None else doc.organisation
    if org is None:
        _refuse("请选择发布机构。", "organisation")
    if not permissions.can(user, permissions.EDIT, org):
        raise PermissionDenied(f"您没有在“{org.name}”起草或修改文件的权限。")
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"unknown draft fields: {sorted(unknown)}")
    written = data.get("written_date")
    if written and written > timezone.localdate():
        # The published date is the day of publication, never before today.
        _refuse("成文日期不能晚于发布日期：发布日期最早为今天，成文日期不能是将来的日期。", "written_date")
    if doc is None:
        return catalog.create_document(organisation=org, actor=user, **data)
    if doc.status not in EDITABLE_STATES:
        _refuse(f"“{doc.get_status_display()}”状态的文件不能修改；如需修改，请由审核人退回。")
    return catalog.update_document(doc, actor=user, **data)


def add_attachment(doc: Document, upload, *, user, name: str = "", system: bool = False) -> Attachment:
    """Attach a file to a draft (type, size and content checked), audited.
    `system=True` (user None) is a background job attaching what it drafted."""
    if not (system and user is None) and not permissions.can(user, permissions.EDIT, doc.organisation_id):
        raise PermissionDenied(f"您没有修改“{doc.organisation.name}”文件的权限。")
    if doc.status not in EDITABLE_STATES:
        _refuse(f"“{doc.get_status_display()}”状态的文件不能添加附件。", "attachment")
    try:
        validate_attachment(upload)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    with transaction.atomic():
        attachment = Attachment.objects.create(document=doc, file=upload, name=name)
        audit.record("attachment.add", "document", doc.pk, actor=audit.actor_name(user),
                     after=audit.state_of(attachment), detail={"name": attachment.name, "size": attachment.size})
    return attachment


def interpretations_of(doc: Document) -> list[Document]:
    """The interpretations (政策解读) linked to `doc`."""
    return [r.source for r in Relation.objects.filter(target=doc, kind=Relation.Kind.INTERPRETS).select_related("source", "source__organisation")]


def interpreted_policies(doc: Document) -> list[Document]:
    return [r.target for r in Relation.objects.filter(source=doc, kind=Relation.Kind.INTERPRETS, target__isnull=False).select_related("target", "target__organisation", "target__genre")]


def link_interpretation(policy: Document, interpretation: Document, *, user) -> Relation:
    """Link an interpretation to the policy it explains (both pages then link
    to each other). Both must be in organisations where `user` may edit."""
    for doc in (policy, interpretation):
        _check_permission(user, permissions.EDIT, doc)
    if policy.pk == interpretation.pk:
        _refuse("文件不能解读自身。")
    if not interpretation.is_interpretation:
        _refuse(f"《{interpretation.title}》的体裁不是“{INTERPRETATION_GENRE}”，不能作为解读材料。")
    if interpretation.status in (workflow.PUBLISHED, workflow.WITHDRAWN, workflow.STOPPED) and policy.status != workflow.PUBLISHED:
        _refuse("已发布或已终止的解读材料不能再关联到未发布的文件。")
    return catalog.add_relation(interpretation, Relation.Kind.INTERPRETS, target=policy, actor=user)


def _partners(doc: Document) -> list[Document]:
    """The documents that must go out with `doc` (三同步): a normative
    document's interpretations, an interpretation's normative policy."""
    if doc.is_normative:
        return interpretations_of(doc)
    if doc.is_interpretation:
        return [p for p in interpreted_policies(doc) if p.is_normative]
    return []


def privacy_block(doc: Document) -> str | None:
    """Re-scan `doc` and say why it cannot go out, if personal data is open."""
    findings.scan_document(doc)
    return findings.blocking_message(doc)


def pending_attachments_block(doc: Document) -> str:
    """An attachment whose text the background worker has not read yet has
    not been scanned for personal data: it may not go public unread."""
    pending = [a.name or a.file.name for a in doc.attachments.all() if attachment_text.is_pending(a)]
    if pending:
        return (f"附件内容正在由后台任务读取（{'、'.join(pending)}），读取并完成个人信息检查后才能发布，请稍后再试。"
                "（后台任务由 gongkai worker 运行。）")
    return ""


def _check_publishable(doc: Document, *, user, partners: list[Document]) -> None:
    """What must hold before `doc` goes public (or is scheduled to)."""
    blocked = pending_attachments_block(doc) or privacy_block(doc) or wording_block(doc)
    if blocked:
        _refuse(blocked)
    if doc.is_normative and not partners:
        _refuse("行政规范性文件须与其政策解读同步发布（三同步）：请先起草解读材料并关联到本文件。")
    for partner in partners:
        if partner.status not in (workflow.READY, workflow.PUBLISHED):
            what = "解读材料" if doc.is_normative else "所解读的规范性文件"
            _refuse(f"须与{what}《{partner.title}》同步发布，但它还处于“{partner.get_status_display()}”状态。")
        if partner.status == workflow.READY:
            blocked = privacy_block(partner) or wording_block(partner)
            if blocked:
                _refuse(f"《{partner.title}》：{blocked}")


def act(doc: Document, action: str, *, user, comment: str = "", scheduled_at: dt.datetime | None = None) -> Document:
    """Take one workflow action on `doc` (see workflow.TRANSITIONS). Refusals
    raise ValidationError (the move is not allowed now, with the reason) or
    PermissionDenied (not this user's to take: their roles, or separation of
    duties at a review step); nothing is written then. Serious wording
    errors not confirmed by the final reviewer block 终审 and publication."""
    with transaction.atomic():
        doc = Document.objects.select_for_update(**ROW_LOCK).select_related("organisation", "genre").get(pk=doc.pk)
        try:
            move = workflow.move_for(doc.status, action)
        except workflow.TransitionRefused as exc:
            _refuse(exc.message)
        levels = doc.organisation.review_levels
        if move.permission == workflow.PERM_FINAL_REVIEW:
            if not permissions.can(user, permissions.REVIEW, doc.organisation_id, review_level=levels):
                raise PermissionDenied(f"只有“{doc.organisation.name}”的终审人可以确认严重表述错误并说明理由。")
        else:
            level = doc.review_level if move.permission == workflow.PERM_REVIEW else None
            _check_permission(user, move.permission, doc, level=level)
        step = workflow.review_step(action, doc.status, levels if action == workflow.OVERRIDE_WORDING else doc.review_level)
        if step is not None:
            refused = separation_refusal(doc, user, step)
            if refused:
                raise PermissionDenied(refused)
        comment = (comment or "").strip()
        if move.needs_comment and not comment:
            _refuse(f"“{workflow.ACTION_LABELS[action]}”须填写意见。", "comment")
        if len(comment) > 2000:
            _refuse("意见不能超过2000字。", "comment")
        to_state, to_level = workflow.target(doc.status, action, doc.review_level, levels)

        if action == workflow.OVERRIDE_WORDING:
            return _override_wording(doc, user=user, reason=comment)
        if action == workflow.SUBMIT:
            catalog.validate(doc)
            findings.scan_document(doc)
        elif doc.status == workflow.REVIEW and action == workflow.PASS and to_state == workflow.SECRECY:
            blocked = wording_block(doc)  # the final review (终审)
            if blocked:
                _refuse(blocked)
        elif doc.status == workflow.SECRECY and action == workflow.PASS:
            blocked = privacy_block(doc)
            if blocked:
                _refuse(blocked)
        elif action == workflow.SCHEDULE:
            if scheduled_at is None:
                _refuse("请填写定时发布的日期和时间。", "scheduled_at")
            if scheduled_at <= timezone.now():
                _refuse("定时发布时间必须晚于当前时间。", "scheduled_at")
            _check_publishable(doc, user=user, partners=_partners(doc))
        elif action == workflow.PUBLISH:
            partners = _partners(doc)
            _check_publishable(doc, user=user, partners=partners)
            for partner in partners:
                if partner.status == workflow.READY:
                    _check_permission(user, permissions.PUBLISH, partner)
            return _publish_with(doc, partners, user=user, comment=comment)
        elif action == workflow.WITHDRAW:
            step_from = doc.status
            doc = catalog.withdraw_document(doc, actor=user, reason=comment)
            _step(doc, action, step_from, workflow.WITHDRAWN, 0, user, comment)
            return doc

        before = catalog.audit_state(doc)
        from_state, from_level = doc.status, doc.review_level
        doc.status, doc.review_level = to_state, to_level
        if action == workflow.SCHEDULE:
            doc.scheduled_at = scheduled_at
        elif action in (workflow.UNSCHEDULE, workflow.RETURN) or to_state == workflow.STOPPED:
            doc.scheduled_at = None
        doc.save(update_fields=["status", "review_level", "scheduled_at", "updated_at"])
        _step(doc, action, from_state, to_state, from_level, user, comment)
        catalog.record(f"workflow.{action}", doc, actor=user, before=before,
                       detail={"from": from_state, "to": to_state, "level": from_level, "comment": comment,
                               **({"scheduled_at": scheduled_at.isoformat()} if action == workflow.SCHEDULE else {})})
        return doc


def _step(doc, action, from_state, to_state, level, user, comment) -> ReviewStep:
    actor = user if getattr(user, "is_authenticated", False) else None
    return ReviewStep.objects.create(document=doc, action=action, from_state=from_state, to_state=to_state,
                                     level=level, actor=actor, comment=comment)


def _publish_with(doc: Document, partners: list[Document], *, user, comment: str = "") -> Document:
    """Publish `doc` and, in the same transaction, its ready partners (三同步)."""
    published = None
    for item in [doc, *[p for p in partners if p.status == workflow.READY]]:
        from_state = item.status
        result = catalog.publish_document(item, actor=user)
        _step(result, workflow.PUBLISH, from_state, workflow.PUBLISHED, 0, user,
              comment if item.pk == doc.pk else f"与《{doc.title}》同步发布")
        if item.pk == doc.pk:
            published = result
    return published


def publish_due(now: dt.datetime | None = None, *, progress=None) -> tuple[int, list[str]]:
    """Publish every ready document whose scheduled time has come (the
    worker's job). A schedule missed while the worker was down is caught up
    on the next run, once: the document is then published, no longer ready.
    Returns the number published and a message for each one held back."""
    now = now or timezone.now()
    due = list(Document.objects.filter(status=workflow.READY, scheduled_at__isnull=False, scheduled_at__lte=now)
               .order_by("scheduled_at", "id").values_list("pk", flat=True))
    count, held = 0, []
    for i, pk in enumerate(due, 1):
        try:
            with transaction.atomic():
                doc = Document.objects.select_for_update(**ROW_LOCK).select_related("organisation", "genre").get(pk=pk)
                if doc.status != workflow.READY or not doc.scheduled_at or doc.scheduled_at > now:
                    continue  # published by hand or rescheduled meanwhile
                partners = _partners(doc)
                _check_publishable(doc, user=None, partners=partners)
                _publish_with(doc, partners, user=None, comment="定时发布")
                count += 1
        except ValidationError as exc:
            held.append(f"document {pk}: " + "; ".join(exc.messages))
        if progress:
            progress(i, len(due))
    return count, held


def wording_report(doc: Document, *, context: int = 12) -> list[dict]:
    """The wording warnings for `doc`, each with its place (标题 or 正文第N段)
    and the words around it, for the drafter and the reviewers."""
    checker = wording_checker(doc.organisation if doc.organisation_id else None)  # its organisation's chain
    report = []
    for place_name, text in (("标题", doc.title or ""), ("正文", doc.body_text or "")):
        paragraphs = text.split("\n")
        start_of = []
        offset = 0
        for para in paragraphs:
            start_of.append(offset)
            offset += len(para) + 1
        for finding in checker.check(text):
            para_no = sum(1 for s in start_of if s <= finding.start)
            para = paragraphs[para_no - 1]
            local = finding.start - start_of[para_no - 1]
            report.append({
                "place": place_name if place_name == "标题" else f"正文第{para_no}段",
                "label": finding.label, "text": finding.text, "suggestion": finding.suggestion,
                "before": para[max(0, local - context):local], "after": para[local + len(finding.text):local + len(finding.text) + context],
            })
    return report
