"""Publishing use cases: the review workflow (one entry point, `act`, over
the table in workflow.py), drafts, interpretations, scheduled publication and
the wording dictionary."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.catalog import services as catalog
from gongkai.catalog.models import INTERPRETATION_GENRE, Attachment, Document, Relation, validate_attachment
from gongkai.core import audit, permissions
from gongkai.core.models import Organisation

from . import findings, workflow
from .models import ReviewStep, WordingRule
from .wording import KIND_LABELS, Checker, Rule, WordingFinding, shipped_rules

EXCEPTION_SEPARATORS = "、,，;；"


def install_wording_rules(model=WordingRule) -> None:
    """Add the shipped rules that are missing (idempotent; edited rows stay as edited)."""
    for rule in shipped_rules():
        model.objects.get_or_create(
            phrase=rule.phrase,
            defaults={"kind": rule.kind, "suggestion": rule.suggestion, "exceptions": "、".join(rule.exceptions)},
        )


def save_wording_rule(rule: WordingRule | None, *, user, phrase: str, kind: str, suggestion: str = "",
                      exceptions: str = "", active: bool = True) -> WordingRule:
    """Add or change one entry of the office's wording dictionary (audited)."""
    if not permissions.can_edit_wording_dictionary(user):
        raise PermissionDenied("只有本级政务公开办管理员可以维护表述检查词库。")
    phrase = (phrase or "").strip()
    errors = {}
    if not phrase:
        errors["phrase"] = "词语不能为空。"
    elif len(phrase) > 100:
        errors["phrase"] = "词语不能超过100字。"
    elif WordingRule.objects.filter(phrase=phrase).exclude(pk=rule.pk if rule else None).exists():
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
        rule = rule or WordingRule()
        rule.phrase, rule.kind, rule.suggestion = phrase, kind, (suggestion or "").strip()
        rule.exceptions, rule.active = (exceptions or "").strip(), bool(active)
        rule.save()
        audit.record("wording_rule.edit" if before else "wording_rule.create", "wording_rule", rule.pk,
                     actor=audit.actor_name(user), before=before, after=audit.state_of(rule), detail={"phrase": phrase})
    return rule


def wording_checker() -> Checker:
    rules = []
    for row in WordingRule.objects.filter(active=True):
        parts = row.exceptions
        for sep in EXCEPTION_SEPARATORS:
            parts = parts.replace(sep, "\n")
        rules.append(Rule(row.phrase, row.kind, row.suggestion, tuple(p.strip() for p in parts.splitlines() if p.strip())))
    return Checker(rules)


def check_wording(text: str) -> list[WordingFinding]:
    """The office's active rules against `text` (a drafter's body, say)."""
    return wording_checker().check(text)


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


def _check_publishable(doc: Document, *, user, partners: list[Document]) -> None:
    """What must hold before `doc` goes public (or is scheduled to)."""
    blocked = privacy_block(doc)
    if blocked:
        _refuse(blocked)
    if doc.is_normative and not partners:
        _refuse("行政规范性文件须与其政策解读同步发布（三同步）：请先起草解读材料并关联到本文件。")
    for partner in partners:
        if partner.status not in (workflow.READY, workflow.PUBLISHED):
            what = "解读材料" if doc.is_normative else "所解读的规范性文件"
            _refuse(f"须与{what}《{partner.title}》同步发布，但它还处于“{partner.get_status_display()}”状态。")
        if partner.status == workflow.READY:
            blocked = privacy_block(partner)
            if blocked:
                _refuse(f"《{partner.title}》：{blocked}")


def act(doc: Document, action: str, *, user, comment: str = "", scheduled_at: dt.datetime | None = None) -> Document:
    """Take one workflow action on `doc` (see workflow.TRANSITIONS). Refusals
    raise ValidationError (the move is not allowed now, with the reason) or
    PermissionDenied (not this user's to take); nothing is written then."""
    with transaction.atomic():
        doc = Document.objects.select_for_update(of=("self",)).select_related("organisation", "genre").get(pk=doc.pk)
        try:
            move = workflow.move_for(doc.status, action)
        except workflow.TransitionRefused as exc:
            _refuse(exc.message)
        level = doc.review_level if move.permission == workflow.PERM_REVIEW else None
        _check_permission(user, move.permission, doc, level=level)
        comment = (comment or "").strip()
        if move.needs_comment and not comment:
            _refuse(f"“{workflow.ACTION_LABELS[action]}”须填写意见。", "comment")
        if len(comment) > 2000:
            _refuse("意见不能超过2000字。", "comment")
        to_state, to_level = workflow.target(doc.status, action, doc.review_level, doc.organisation.review_levels)

        if action == workflow.SUBMIT:
            catalog.validate(doc)
            findings.scan_document(doc)
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
                doc = Document.objects.select_for_update(of=("self",)).select_related("organisation", "genre").get(pk=pk)
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
    checker = wording_checker()
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
