"""Use cases of the annual report: start, edit, override, publish, reopen,
and the local deadline of townships. Each checks the permission (the
organisation's openness office: selectors.MANAGE), locks the report, writes
and records its audit entry in one transaction; refusals are
ValidationErrors in Chinese (PermissionDenied for the permission)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation

from . import annual as annual_mod, annual_render, deadlines
from .models import AnnualReport, Override, TownshipDeadline
from .selectors import may_manage

MAX_TEXT = 20000  # characters per prose section
MAX_DECISIONS = 10**9
MAX_FEES = Decimal("99999999.9999")  # 万元


def _require(user, organisation: Organisation) -> None:
    if not may_manage(user, organisation):
        raise PermissionDenied(f"您不是“{organisation.name}”的政务公开办管理员，不能编制或发布其年度报告。")


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=report.pk)


def _draft_only(report: AnnualReport) -> None:
    if report.state != AnnualReport.State.DRAFT:
        raise ValidationError("年度报告已提交发布，不能再修改；如需修改，请先撤回到编制状态。")


def _state(report: AnnualReport) -> dict:
    return audit.state_of(report, exclude=("published_figures",))


def _record(action: str, report: AnnualReport, user, *, before: dict | None = None, detail: dict | None = None) -> None:
    audit.record(action, "reports.annual", report.pk, actor=audit.actor_name(user), before=before,
                 after=_state(report), detail={"organisation": report.organisation_id, "year": report.year,
                                               **(detail or {})})


def report_start(organisation: Organisation, year: int, *, user, today=None) -> AnnualReport:
    """The organisation's report on `year`: the existing one, or a new draft
    whose sections 一 and 六 are drafted from the records."""
    _require(user, organisation)
    problem = annual_mod.year_error(year, today or timezone.localdate())
    if problem:
        if isinstance(year, int) and year < annual_mod.FIRST_YEAR:
            raise ValidationError(f"平台按2021年格式（国办公开办函〔2021〕30号）编制{annual_mod.FIRST_YEAR}年及以后的年度报告。")
        raise ValidationError("报告年度不正确：只能编制已开始的年度的报告。")
    existing = AnnualReport.objects.filter(organisation=organisation, year=year).first()
    if existing is not None:
        return existing
    fresh = annual_mod.assemble(organisation, year, report=AnnualReport(organisation=organisation, year=year))
    draft = annual_mod.overview_draft(organisation, year, fresh.stated)
    try:
        with transaction.atomic():
            report = AnnualReport.objects.create(organisation=organisation, year=year, overview=draft,
                                                 other_matters=annual_mod.other_matters_draft(fresh.fees),
                                                 created_by=user if getattr(user, "is_authenticated", False) else None)
            _record("reports.annual.create", report, user)
    except IntegrityError:  # started by someone else at the same moment
        return AnnualReport.objects.get(organisation=organisation, year=year)
    return report


def clean_entries(raw: dict) -> tuple[dict, dict]:
    """Table 2's entries from a form or a dict: (entries as stored, errors by key)."""
    entries, errors = {}, {}
    for key in annual_mod.ENTERED:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            errors[key] = "请填写数字。"
            continue
        if not number.is_finite() or number < 0:
            errors[key] = "不能为负数。"
        elif key == "fees":
            if number > MAX_FEES or number.as_tuple().exponent < -4:
                errors[key] = "金额以万元为单位，最多保留四位小数。"
            else:
                entries[key] = str(number.normalize() if number else Decimal("0"))
        elif number != number.to_integral_value() or number > MAX_DECISIONS:
            errors[key] = "件数应为整数。"
        else:
            entries[key] = int(number)
    return entries, errors


@transaction.atomic
def report_save(report: AnnualReport, *, user, overview: str, problems: str, other_matters: str,
                entered: dict) -> AnnualReport:
    """Save the office's prose and table 2's entries (the draft only)."""
    _require(user, report.organisation)
    report = _locked(report)
    _draft_only(report)
    entries, errors = clean_entries(entered)
    for name, text in (("overview", overview), ("problems", problems), ("other_matters", other_matters)):
        if len(text or "") > MAX_TEXT:
            errors[name] = f"内容过长（最多{MAX_TEXT}字）。"
    if errors:
        raise ValidationError(errors)
    before = _state(report)
    report.overview, report.problems, report.other_matters = overview or "", problems or "", other_matters or ""
    report.entered = entries
    report.save()
    _record("reports.annual.edit", report, user, before=before)
    return report


@transaction.atomic
def report_redraft_overview(report: AnnualReport, *, user) -> AnnualReport:
    """Replace section 一 with a fresh draft from the year's figures."""
    _require(user, report.organisation)
    report = _locked(report)
    _draft_only(report)
    before = _state(report)
    data = annual_mod.assemble(report.organisation, report.year, report=report)
    report.overview = annual_mod.overview_draft(report.organisation, report.year, data.stated)
    report.save(update_fields=["overview", "updated_at"])
    _record("reports.annual.redraft", report, user, before=before)
    return report


@transaction.atomic
def report_override(report: AnnualReport, *, user, cell: str, value, reason: str) -> Override:
    """State a computed cell otherwise: kept with the computed value beside it, the reason, who and when."""
    _require(user, report.organisation)
    report = _locked(report)
    _draft_only(report)
    if cell not in annual_mod.OVERRIDABLE:
        raise ValidationError({"cell": "请选择表二（第二十条第（一）项）、表三或表四中的一个数据。"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "修改系统计算的数据必须说明理由。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "理由最多300字。"})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError({"value": "请填写数字。"}) from None
    if not number.is_finite() or number < 0 or number != number.to_integral_value() or number > MAX_DECISIONS:
        raise ValidationError({"value": "件数应为不小于0的整数。"})
    computed = annual_mod.get(annual_mod.computed_tables(report.organisation, report.year), cell)
    if int(number) == computed:
        raise ValidationError({"value": f"与系统计算值（{computed}）相同，无需修改；如要恢复计算值，请撤销该项修改。"})
    existing = Override.objects.filter(report=report, cell=cell).first()
    before = audit.state_of(existing) if existing else None
    override = existing or Override(report=report, cell=cell)
    override.value, override.computed, override.reason, override.by = int(number), computed, reason, user
    override.full_clean()
    override.save()
    audit.record("reports.annual.override", "reports.annual", report.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(override),
                 detail={"cell": cell, "label": annual_mod.OVERRIDABLE[cell], "value": override.value,
                         "computed": computed, "reason": reason})
    return override


@transaction.atomic
def report_override_remove(report: AnnualReport, *, user, cell: str) -> None:
    """Go back to the computed value of a cell."""
    _require(user, report.organisation)
    report = _locked(report)
    _draft_only(report)
    override = Override.objects.filter(report=report, cell=cell).first()
    if override is None:
        raise ValidationError("该数据没有修改。")
    before = audit.state_of(override)
    override.delete()
    audit.record("reports.annual.override_remove", "reports.annual", report.pk, actor=audit.actor_name(user),
                 before=before, detail={"cell": cell, "label": annual_mod.OVERRIDABLE.get(cell, cell)})


def _write_document(report: AnnualReport, data, *, user):
    """The report's catalog document (genre 年度报告): a new draft, or the
    existing one refreshed while it is still a draft; the DOCX attached."""
    from gongkai.catalog.models import Document, Genre
    from gongkai.publishing import services as publishing

    genre = Genre.objects.filter(name=annual_mod.ANNUAL_REPORT_GENRE).first()
    body = annual_render.body_html(data)
    doc = Document.objects.select_for_update(**ROW_LOCK).filter(pk=report.document_id).first() if report.document_id else None
    if doc is not None and doc.status != Document.Status.DRAFT:
        doc = None  # stopped or withdrawn: a new document
    fields = {"title": data.title, "body_html": body, "genre": genre, "written_date": timezone.localdate(),
              "summary": f"{report.organisation.name}{report.year}年政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）。"}
    if doc is None:
        doc = publishing.save_draft(None, user=user, organisation=report.organisation, **fields)
    else:
        doc = publishing.save_draft(doc, user=user, **fields)
    name = annual_render.docx_name(data)
    for old in doc.attachments.filter(name=name):
        audit.record("attachment.remove", "document", doc.pk, actor=audit.actor_name(user),
                     before=audit.state_of(old), detail={"name": old.name, "annual_report": report.pk})
        old.file.delete(save=False)
        old.delete()
    publishing.add_attachment(doc, ContentFile(annual_render.render_docx(data), name=name), user=user, name=name)
    return doc


@transaction.atomic
def report_publish(report: AnnualReport, *, user):
    """Publish: refused while the check finds anything; else the figures are
    frozen and the catalog draft of genre 年度报告 is written, to go through
    the normal review and publication."""
    _require(user, report.organisation)
    report = _locked(report)
    _draft_only(report)
    data = annual_mod.assemble(report.organisation, report.year, report=report)
    found = annual_mod.problems(data)
    if found:
        raise ValidationError([f"一致性检查发现{len(found)}个问题，请先解决：", *[p.message for p in found]])
    before = _state(report)
    doc = _write_document(report, data, user=user)
    report.document = doc
    report.state = AnnualReport.State.PUBLISHED
    report.published_figures = annual_mod.frozen_figures(data)
    report.published_by, report.published_at = user, timezone.now()
    report.save()
    _record("reports.annual.publish", report, user, before=before, detail={"document": doc.pk})
    return doc


@transaction.atomic
def report_reopen(report: AnnualReport, *, user) -> AnnualReport:
    """Back to editing, while its document has not gone into review (a draft),
    or after it was stopped or withdrawn, or deleted."""
    from gongkai.catalog.models import Document

    _require(user, report.organisation)
    report = _locked(report)
    if report.state != AnnualReport.State.PUBLISHED:
        raise ValidationError("年度报告仍在编制中。")
    doc = Document.objects.filter(pk=report.document_id).first() if report.document_id else None
    if doc is not None and doc.status not in (Document.Status.DRAFT, Document.Status.STOPPED, Document.Status.WITHDRAWN):
        raise ValidationError(f"年度报告文件{doc.get_status_display()}，不能撤回修改；如需修改，请由审核人退回或撤回该文件。")
    before = _state(report)
    report.state = AnnualReport.State.DRAFT
    report.published_figures = {}
    report.published_by, report.published_at = None, None
    report.save()
    _record("reports.annual.reopen", report, user, before=before)
    return report


@transaction.atomic
def township_deadline_set(organisation: Organisation, *, user, month: int, day: int, basis: str = "") -> TownshipDeadline:
    """The local rule: the townships at or below `organisation` publish by month/day of the next year."""
    _require(user, organisation)
    problem = deadlines.rule_error(month, day)
    if problem:
        raise ValidationError({"day": problem})
    rule = TownshipDeadline.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
    before = audit.state_of(rule) if rule else None
    rule = rule or TownshipDeadline(organisation=organisation)
    rule.month, rule.day, rule.basis, rule.updated_by = month, day, (basis or "").strip()[:200], user
    rule.save()
    audit.record("reports.township_deadline.set", "core.organisation", organisation.pk, actor=audit.actor_name(user),
                 before=before, after=audit.state_of(rule), detail={"month": month, "day": day, "basis": rule.basis})
    return rule


@transaction.atomic
def township_deadline_clear(organisation: Organisation, *, user) -> None:
    _require(user, organisation)
    rule = TownshipDeadline.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
    if rule is None:
        return
    before = audit.state_of(rule)
    rule.delete()
    audit.record("reports.township_deadline.clear", "core.organisation", organisation.pk,
                 actor=audit.actor_name(user), before=before)
