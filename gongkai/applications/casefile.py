"""The case file (案卷) of a disclosure application (Art. 45: 登记、审核、办理、
答复、归档): when an application is closed (replied, ended, transferred or
merged) its whole record goes into one ZIP with an index page, kept in the
private storage with a retention date.

What goes in comes from small per-source functions (SOURCES), each turning
one part of the record into index lines (Item) and the files they point at
(Entry): the events, the reply letter (HTML and DOCX), the third-party
consultation letters, the fee, the notices, the files (from the applicant,
disclosed, letters), the reconsideration and lawsuit cases, the proposal for
proactive publication, and the audit trail (who signed off each step, with
the entries' hashes). The index page (index.html) lists every item with its
date, kind and file name, after the application's registration data.

The build runs as a task (tasks.build_case_file), enqueued once the closing
transaction commits (`on_close`). It is idempotent: a rebuild writes a new
ZIP, replaces the file of the application's one CaseFile row and removes the
old file once that commits; the row records the ZIP's SHA-256.

Retention (保管期限) is set per organisation (CaseFileRetention, inherited by
the organisations below unless one sets its own; default
DEFAULT_RETENTION_YEARS, or the GONGKAI_CASE_FILE_RETENTION_YEARS setting)
and may be changed for one application (`set_retention`). It counts, as
archives do, from 1 January of the year after the application was closed:
kept for 10 years, an application closed in 2024 is kept until 31 December
2034. 0 years is permanent (no date).

Files go through the storage of CaseFile.file (the same private storage as
ApplicationFile's), never through paths, so another storage backend works
unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import IO, Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from gongkai.core import audit, db, permissions
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import AuditEntry, Organisation
from gongkai.core.statute import REPLY_OUTCOME_CHOICES

from . import letters, letters_docx
from .models import (
    Application, ApplicationFile, CaseFile, CaseFileRetention, Event, Fee, ProactiveProposal, Reply, ReviewCase,
)

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_YEARS = 10
PERMANENT = 0
MAX_RETENTION_YEARS = 100
RETENTION_RULE = f"保管期限应为1至{MAX_RETENTION_YEARS}年的整数，永久保管填0。"
# Who may set an organisation's retention: the office administrator's reach
# (as for the letter templates: core.permissions has no action of its own
# for an organisation's settings).
CONFIGURE = permissions.MANAGE_MEMBERS
SPOOL_BYTES = 8 << 20  # a ZIP up to this size is built in memory, a larger one in a temporary file
CHUNK = 1 << 20
NAME_LIMIT = 100  # characters of a file name inside the ZIP (before its number)
UNSAFE = '\\/:*?"<>|\r\n\t\0'


# --- retention ------------------------------------------------------------------------

def default_retention_years() -> int:
    return int(getattr(settings, "GONGKAI_CASE_FILE_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


def clean_years(value) -> int:
    """A retention period as typed (years; 0 permanent), or a refusal that says the rule."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_RETENTION_YEARS:
        raise ValidationError({"retention_years": RETENTION_RULE})
    return int(text)


def retention_for(organisation: Organisation) -> tuple[int, Organisation | None]:
    """The retention in force at `organisation` and the organisation that set
    it (itself or the nearest above; None: the installation's default)."""
    chain = letters.chain(organisation)
    rows = dict(CaseFileRetention.objects.filter(organisation_id__in=[o.pk for o in chain])
                .values_list("organisation_id", "years"))
    for org in chain:
        if org.pk in rows:
            return rows[org.pk], org
    return default_retention_years(), None


def retain_until(closed_on: dt.date | None, years: int) -> dt.date | None:
    """The last day a case file is kept (None: permanently): counted from
    1 January of the year after closing."""
    if years == PERMANENT:
        return None
    year = (closed_on or timezone.localdate()).year
    return dt.date(year + years, 12, 31)


def retention_text(years: int) -> str:
    return "永久" if years == PERMANENT else f"{years}年"


@transaction.atomic
def set_organisation_retention(organisation: Organisation, years, *, user) -> CaseFileRetention | None:
    """Set (or, with None, remove: inherit again) the retention of
    `organisation`'s case files; applies to files built from now on and to
    those whose retention was not set by hand. Office administrators only."""
    if not permissions.can(user, CONFIGURE, organisation):
        raise PermissionDenied("只有本机关或上级机关的政务公开办管理员可以设置案卷保管期限。")
    row = CaseFileRetention.objects.select_for_update(**ROW_LOCK).filter(organisation=organisation).first()
    before = audit.state_of(row) if row else None
    if years is None or str(years).strip() == "":
        if row is None:
            return None
        pk = row.pk
        row.delete()
        audit.record("case_file_retention.reset", "organisation", organisation.pk, actor=audit.actor_name(user),
                     before=before, detail={"row": pk})
        return None
    years = clean_years(years)
    if row is None:
        row = CaseFileRetention(organisation=organisation)
    row.years = years
    row.save()
    audit.record("case_file_retention.set", "organisation", organisation.pk, actor=audit.actor_name(user),
                 before=before, after=audit.state_of(row), detail={"years": years})
    return row


def _require_handler(user, app: Application) -> None:
    if not permissions.can(user, permissions.APPLICATIONS, app.organisation_id):
        raise PermissionDenied("您没有办理该申请的权限。")


@transaction.atomic
def set_retention(app: Application, years, *, user) -> CaseFile:
    """Set the retention of one closed application's case file (stored on its
    row; a rebuild keeps it). The caller rebuilds the file (`schedule_build`)."""
    _require_handler(user, app)
    years = clean_years(years)
    app = Application.objects.get(pk=app.pk)
    if app.is_open:
        raise ValidationError("申请办结后才能归档，保管期限在归档时确定。")
    case = db.locked_row(CaseFile, {"application_id": app.pk}, {"retention_years": years})
    before = {"retention_years": case.retention_years,
              "retain_until": case.retain_until.isoformat() if case.retain_until else None}
    case.retention_years = years
    case.retain_until = retain_until(app.closed_on, years)
    case.save(update_fields=["retention_years", "retain_until"])
    audit.record("application.case_file_retention", "application", app.pk, actor=audit.actor_name(user),
                 before=before, after={"retention_years": years,
                                       "retain_until": case.retain_until.isoformat() if case.retain_until else None},
                 detail={"years": years})
    return case


# --- what goes in ---------------------------------------------------------------------

@dataclass(eq=False)
class Entry:
    """One file of the ZIP: a base name and its bytes (or how to open a
    stored file). `name`, `sha256`, `size` and `missing` are filled in as
    the ZIP is written."""

    base: str
    data: bytes | None = None
    opener: Callable[[], IO[bytes]] | None = None
    name: str = ""
    sha256: str = ""
    size: int = 0
    missing: bool = False


@dataclass
class Item:
    """One line of the index: when, what kind, what, and the file it is in
    (`anchor`: the place in that file)."""

    on: dt.date | None
    kind: str
    title: str
    entry: Entry | None = None
    anchor: str = ""

    @property
    def href(self) -> str:
        if self.entry is None or self.entry.missing or not self.entry.name:
            return ""
        return self.entry.name + (f"#{self.anchor}" if self.anchor else "")


AGREES_TEXT = {True: "同意公开", False: "不同意公开", None: "逾期未提出意见"}
OUTCOME_TEXT = dict(REPLY_OUTCOME_CHOICES)


def _event_detail(event: Event) -> str:
    detail = event.detail or {}
    parts = []
    if "agrees" in detail:
        parts.append(AGREES_TEXT.get(detail["agrees"], ""))
    if detail.get("by"):
        parts.append(f"补正期限至{detail['by']}")
    if event.kind == Event.Kind.EXTENDED and detail.get("days"):
        parts.append(f"延长{detail['days']}个工作日")
    if detail.get("outcome"):
        parts.append(OUTCOME_TEXT.get(detail["outcome"], detail["outcome"]))
    return "；".join(p for p in parts if p)


def _html(template: str, context: dict) -> bytes:
    return render_to_string(f"applications/case/{template}", context).encode("utf-8")


def event_items(app: Application) -> list[Item]:
    """Every event (办理记录), in one page; one index line each."""
    events = list(app.events.all())
    if not events:
        return []
    rows = [{"event": e, "detail": _event_detail(e)} for e in events]
    entry = Entry("办理记录.html", _html("events.html", {"app": app, "rows": rows}))
    items = []
    for row in rows:
        e = row["event"]
        title = e.get_kind_display()
        extra = "；".join(t for t in (e.note, row["detail"]) if t)
        items.append(Item(e.on, "办理事项", f"{title}（{extra}）" if extra else title, entry, f"e{e.pk}"))
    return items


def reply_items(app: Application) -> list[Item]:
    """The reply letter as issued: a self-contained HTML page and the DOCX."""
    reply = Reply.objects.filter(application=app).first()
    if reply is None or _sent_notices(app, "reply"):
        return []  # a reply sent as a notice is among the notices, as issued
    parts = letters_docx.letter_parts(app, reply)
    base = reply.letter_number or f"{app.number}答复告知书"
    html = _html("letter.html", {"parts": parts, "attachments": letters_docx.disclosed_names(app)})
    label = f"{parts['title']}（{reply.letter_number}，{reply.get_outcome_display()}）"
    return [Item(reply.issued_on, "答复告知书（网页）", label, Entry(f"{base}.html", html)),
            Item(reply.issued_on, "答复告知书（DOCX）", label, Entry(f"{base}.docx", letters_docx.build(app, reply)))]


def _sent_notices(app: Application, kind: str) -> list:
    from .models import Notice

    return [n for n in Notice.objects.filter(application=app, kind=kind, sent_on__isnull=False) if n.parts]


def consultation_items(app: Application) -> list[Item]:
    """The written consultations of third parties (Art. 32), as sent."""
    items = []
    # Those sent as notices are among the notices, as issued.
    sent = {(n.sent_on, (n.payload or {}).get("party", "")) for n in _sent_notices(app, "third_party")}
    for event in app.events.filter(kind=Event.Kind.THIRD_PARTY_SENT).order_by("on", "id"):
        if (event.on, event.note) in sent:
            continue
        data = letters_docx.build_consultation(app, event)
        items.append(Item(event.on, "征求第三方意见书（DOCX）", f"征求{event.note or '第三方'}意见",
                          Entry(f"征求第三方意见书-{event.pk}.docx", data)))
    return items


def fee_items(app: Application) -> list[Item]:
    """The processing fee (Art. 42): its notice and its payment."""
    fee = Fee.objects.filter(application=app).first()
    if fee is None:
        return []
    entry = Entry("信息处理费.html", _html("fee.html", {"app": app, "fee": fee}))
    items = [Item(fee.notified_on, "收费通知",
                  f"信息处理费{fee.amount}元（{fee.get_basis_display()}，{fee.quantity}）", entry, "notice")]
    if fee.paid_on:
        items.append(Item(fee.paid_on, "缴纳费用", f"已缴纳信息处理费{fee.amount}元", entry, "paid"))
    return items


def notice_items(app: Application) -> list[Item]:
    """The notices of the procedure (models.Notice: 补正告知书, 延期答复告知书,
    征求意见书, 收费通知书, 答复告知书, 转送告知书): each one sent as issued, in
    HTML and DOCX (its stored parts), one line for each notice not sent
    (draft, discarded ...), and the sign-off history of all of them (who
    submitted, signed, returned and sent each, with the version) in one page,
    one line per step."""
    from .models import Notice, NoticeStep

    notices = list(Notice.objects.filter(application=app).select_related("drafted_by", "signed_by", "sent_by")
                   .prefetch_related("files").order_by("id"))
    if not notices:
        return []
    items = []
    for notice in notices:
        label = notice.title or notice.get_kind_display()
        if notice.parts and notice.sent_on:
            parts = {"remedy": "", **notice.parts}
            attachments = [f.name for f in notice.files.all()]
            base = safe_name(notice.number or f"{label}-{notice.pk}")
            title = f"{label}（{notice.number}）" if notice.number else label
            html = _html("letter.html", {"parts": parts, "attachments": attachments})
            docx = letters_docx.render(parts, issued_on=notice.sent_on, attachments=attachments, keywords=label)
            items += [Item(notice.sent_on, f"{notice.get_kind_display()}（网页）", title, Entry(f"{base}.html", html)),
                      Item(notice.sent_on, f"{notice.get_kind_display()}（DOCX）", title, Entry(f"{base}.docx", docx))]
        else:
            on = timezone.localdate(notice.updated_at) if notice.updated_at else None
            items.append(Item(on, notice.get_kind_display(), f"{label}（{notice.get_state_display()}，未发出）"))
    steps = list(NoticeStep.objects.filter(notice__application=app).select_related("notice", "actor")
                 .order_by("at", "id"))
    if steps:
        rows = [{"step": step, "action": _move_label(step.action), "notice": step.notice,
                 "from": _state_label(step.from_state), "to": _state_label(step.to_state)} for step in steps]
        entry = Entry("告知书签发记录.html", _html("signoffs.html", {"app": app, "rows": rows}))
        for row in rows:
            step = row["step"]
            who = step.actor.get_username() if step.actor_id else "系统"
            title = f"{step.notice.title or step.notice.get_kind_display()}：{row['action']}（{who}，第{step.version}版）"
            if step.comment:
                title += f"：{step.comment}"
            items.append(Item(timezone.localdate(step.at), "签发记录", title, entry, f"s{step.pk}"))
    return items


def _move_label(action: str) -> str:
    from . import notice_flow

    return notice_flow.MOVE_LABELS.get(action, action)


def _state_label(state: str) -> str:
    from . import notice_flow

    return notice_flow.STATE_LABELS.get(state, state)


FILE_KINDS = {
    ApplicationFile.Role.FROM_APPLICANT: "申请人提交的文件",
    ApplicationFile.Role.DISCLOSED: "公开的信息",
    ApplicationFile.Role.LETTER: "告知书文件",
}


def file_items(app: Application) -> list[Item]:
    """Every file of the application, copied from the private storage."""
    items = []
    for item in app.files.all().order_by("id"):
        base = item.name or item.file.name.rsplit("/", 1)[-1]
        entry = Entry(base, opener=(lambda f=item.file: f.storage.open(f.name, "rb")))
        on = timezone.localdate(item.uploaded_at) if item.uploaded_at else None
        items.append(Item(on, FILE_KINDS.get(item.role, item.get_role_display()), base, entry))
    return items


def review_case_items(app: Application) -> list[Item]:
    """Reconsiderations and lawsuits about the application (no file of their own)."""
    items = []
    for case in ReviewCase.objects.filter(application=app).order_by("filed_on", "id"):
        title = f"{case.get_result_display()}" + (f"（{case.decided_on:%Y-%m-%d}审结）" if case.decided_on else "")
        if case.note:
            title += f"：{case.note}"
        items.append(Item(case.filed_on, case.get_kind_display(), title))
    return items


def proposal_items(app: Application) -> list[Item]:
    """依申请转主动: the proposal and the catalog draft it became."""
    proposal = ProactiveProposal.objects.filter(application=app).select_related("document").first()
    if proposal is None:
        return []
    doc = proposal.document
    what = f"《{doc.title}》（{doc.get_status_display()}）" if doc else "（草稿已删除）"
    return [Item(timezone.localdate(proposal.proposed_at), "依申请转主动公开", f"建议纳入主动公开：{what}")]


def audit_items(app: Application) -> list[Item]:
    """The audit trail of the application (who took each step, with the
    entries' chained hashes): the sign-offs."""
    entries = list(AuditEntry.objects.filter(object_type="application", object_id=str(app.pk)).order_by("seq"))
    if not entries:
        return []
    entry = Entry("操作留痕.html", _html("audit.html", {"app": app, "entries": entries}))
    last = entries[-1]
    return [Item(timezone.localdate(last.at), "操作留痕（审计日志）",
                 f"{len(entries)}条记录（序号{entries[0].seq}至{last.seq}）", entry)]


SOURCES: tuple[Callable[[Application], list[Item]], ...] = (
    event_items, reply_items, consultation_items, notice_items, fee_items, file_items, review_case_items,
    proposal_items, audit_items,
)


def items_of(app: Application) -> list[Item]:
    found: list[Item] = []
    for source in SOURCES:
        found.extend(source(app))
    return found


def registration(app: Application) -> list[tuple[str, str]]:
    """The application's registration data (登记), label and value."""
    def date(value):
        return f"{value:%Y年%m月%d日}" if value else "—"

    rows = [
        ("申请编号", app.number), ("受理机关", app.organisation.name), ("申请渠道", app.get_channel_display()),
        ("提交或登记时间", f"{timezone.localtime(app.submitted_at):%Y年%m月%d日 %H:%M}" if app.submitted_at else "—"),
        ("收到申请日期", date(app.received_on)),
        ("申请人类型", app.get_applicant_type_display()), ("姓名或名称", app.applicant_name),
        ("身份证明", app.id_document), ("法定代表人或负责人", app.legal_representative or "—"),
        ("联系人", app.contact_person or "—"), ("联系电话", app.phone or "—"), ("电子邮箱", app.email or "—"),
        ("通信地址", app.address or "—"), ("邮政编码", app.postcode or "—"),
        ("所需信息名称", app.info_title or "—"), ("文号", app.info_number or "—"),
        ("所需信息的特征性描述", app.info_description or "—"), ("信息的载体形式", app.get_form_display()),
        ("获取信息的方式", app.get_delivery_display()), ("状态", app.get_state_display()),
        ("办理结果", app.get_outcome_display() if app.outcome else "—"), ("答复或终止日期", date(app.closed_on)),
        ("承办人", app.handler.get_username() if app.handler_id else "—"),
    ]
    if app.transferred_to_id:
        rows.append(("转送机关", app.transferred_to.name))
    if app.merged_into_id:
        rows.append(("合并至", app.merged_into.number))
    return rows


# --- writing the ZIP ------------------------------------------------------------------

def safe_name(text: str) -> str:
    """A file name that is one plain path part on every system."""
    name = "".join("_" if ch in UNSAFE or ord(ch) < 32 else ch for ch in (text or "").strip())
    name = name.lstrip(". ") or "file"
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 8 else ""
        name = (stem if dot else name)[:NAME_LIMIT - len(ext)] + ext
    return name


def folder_name(app: Application) -> str:
    return safe_name(f"{app.number}案卷")


def _zipinfo(name: str, moment: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime(moment).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_entry(zf: zipfile.ZipFile, path: str, entry: Entry, moment: dt.datetime) -> None:
    digest, size = hashlib.sha256(), 0
    if entry.data is not None:
        digest.update(entry.data)
        zf.writestr(_zipinfo(path, moment), entry.data)
        size = len(entry.data)
    else:
        try:
            source = entry.opener()
        except (FileNotFoundError, OSError, ValueError):
            entry.missing = True
            return
        with source, zf.open(_zipinfo(path, moment), "w") as target:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
    entry.sha256, entry.size = digest.hexdigest(), size


@dataclass
class Built:
    """A ZIP written to a temporary file, with what the row records."""

    handle: IO[bytes]
    sha256: str
    size: int
    items: int
    missing: list[str] = field(default_factory=list)


def write_zip(app: Application, items: list[Item], *, retention_years: int, until: dt.date | None,
              moment: dt.datetime) -> Built:
    """The case file as a ZIP: a folder named after the application with the
    numbered files and index.html."""
    entries: list[Entry] = []
    for item in items:
        if item.entry is not None and item.entry not in entries:
            entries.append(item.entry)
    folder = folder_name(app)
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, entry in enumerate(entries, 1):
            entry.name = f"{number:02d}-{safe_name(entry.base)}"
            _write_entry(zf, f"{folder}/{entry.name}", entry, moment)
        index = _html("index.html", {
            "app": app, "registration": registration(app), "items": items,
            "files": entries, "missing": [e for e in entries if e.missing],
            "retention": retention_text(retention_years), "retain_until": until,
            "built_at": timezone.localtime(moment),
        })
        zf.writestr(_zipinfo(f"{folder}/index.html", moment), index)
    handle.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return Built(handle, digest.hexdigest(), size, len(items), [e.base for e in entries if e.missing])


# --- building ---------------------------------------------------------------------------

def build(app: Application | int, *, user=None) -> CaseFile:
    """Build (or rebuild) the case file of a closed application: write the
    ZIP, store it in place of the previous one, record its SHA-256, audited.
    Idempotent: one row per application whatever the number of builds."""
    pk = app if isinstance(app, int) else app.pk
    app = (Application.objects.select_related("organisation", "handler", "transferred_to", "merged_into")
           .filter(pk=pk).first())
    if app is None:
        raise ValidationError("申请不存在。")
    if app.is_open:
        raise ValidationError(f"{app.number}尚未办结，不能归档。")
    existing = CaseFile.objects.filter(application=app).first()
    years = existing.retention_years if existing else retention_for(app.organisation)[0]
    until = retain_until(app.closed_on, years)
    moment = timezone.now()
    # Reading every file and letter happens before the transaction: the row is locked only to swap the file.
    built = write_zip(app, items_of(app), retention_years=years, until=until, moment=moment)
    if built.missing:
        logger.warning("case file of application %s: %d file(s) missing from storage", app.pk, len(built.missing))
    with built.handle:
        return _store(app, built, years=years, moment=moment, user=user)


def _store(app: Application, built: Built, *, years: int, moment: dt.datetime, user) -> CaseFile:
    new_name = ""
    try:
        with transaction.atomic():
            case = db.locked_row(CaseFile, {"application_id": app.pk}, {"retention_years": years})
            old_name = case.file.name
            stamp = timezone.localtime(moment).strftime("%Y%m%d%H%M%S")
            case.file.save(f"case-{app.pk}-{stamp}-{secrets.token_hex(4)}.zip", File(built.handle), save=False)
            new_name = case.file.name
            case.sha256, case.size, case.items, case.missing = built.sha256, built.size, built.items, len(built.missing)
            case.built_at = moment
            # A retention set meanwhile (set_retention) stays: its caller schedules another build.
            case.retain_until = retain_until(app.closed_on, case.retention_years)
            case.save()
            audit.record("application.case_file", "application", app.pk, actor=audit.actor_name(user),
                         detail={"sha256": case.sha256, "size": case.size, "items": case.items,
                                 "missing": case.missing, "rebuilt": bool(old_name)})
            if old_name and old_name != new_name:
                storage = case.file.storage
                transaction.on_commit(lambda: _remove(storage, old_name))
    except BaseException:
        if new_name:
            _remove(CaseFile._meta.get_field("file").storage, new_name)
        raise
    return case


def _remove(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not remove the replaced case file %s", name)


def schedule_build(app: Application) -> None:
    """Enqueue the build once the current transaction commits (now outside one)."""
    from . import tasks

    pk = app.pk
    transaction.on_commit(lambda: tasks.build_case_file.enqueue(pk))


def on_close(app: Application) -> None:
    """Called by the services after each step of an application: a step that
    closes it (reply, end, transfer, merge) schedules its case file."""
    if not app.is_open:
        schedule_build(app)


# --- reading -----------------------------------------------------------------------------

def may_download(user, app: Application) -> bool:
    """The case file holds the applicant's personal data: the receiving
    organisation's own handlers and office administrators only."""
    return (permissions.can(user, permissions.APPLICATIONS, app.organisation_id)
            and permissions.can(user, permissions.APPLICANT_DATA, app.organisation_id))


def open_for(user, app: Application) -> tuple[CaseFile, IO[bytes]]:
    """The built case file and its open file, for `user`; the download is audited."""
    if not may_download(user, app):
        raise PermissionDenied("案卷含申请人个人信息，仅限受理机关本机关的承办人员和政务公开办管理员下载。")
    case = CaseFile.objects.filter(application=app).first()
    if case is None or not case.built_at or not case.file:
        raise ValidationError("该申请的案卷尚未生成。")
    handle = case.file.storage.open(case.file.name, "rb")
    audit.record("application.case_file_download", "application", app.pk, actor=audit.actor_name(user),
                 detail={"sha256": case.sha256})
    return case, handle


def download_name(app: Application) -> str:
    return f"{folder_name(app)}.zip"


def verify(case: CaseFile) -> bool:
    """Whether the stored ZIP is still the one recorded (its SHA-256)."""
    if not case.file:
        return False
    digest = hashlib.sha256()
    try:
        with case.file.storage.open(case.file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return False
    return digest.hexdigest() == case.sha256


CLOSED_STATES = (Application.State.REPLIED, Application.State.CLOSED, Application.State.TRANSFERRED,
                 Application.State.MERGED)


def closed_in(organisation: Organisation, year: int):
    """The organisation's applications closed in `year`, oldest number first."""
    return (Application.objects.filter(organisation=organisation, state__in=CLOSED_STATES, closed_on__year=year)
            .select_related("organisation").order_by("year", "serial"))


def ensure_built(app: Application) -> tuple[CaseFile, str]:
    """The application's case file, built if it is missing and rebuilt if
    the stored file no longer matches its SHA-256; with what was done
    ("stored", "built", "rebuilt")."""
    case = CaseFile.objects.filter(application=app).first()
    if case is None or not case.built_at or not case.file:
        return build(app), "built"
    if not verify(case):
        logger.warning("case file of application %s did not match its SHA-256: rebuilt", app.pk)
        return build(app), "rebuilt"
    return case, "stored"
