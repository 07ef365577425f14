"""Reads of the tickets for the staff lists, the workbench and the public
pages: staff reads are always inside the user's scope
(ticket_services.visible_filter), each ticket with its clock (derived from
its events, ticket_deadlines) and warning level, sorted by due date with the
overdue first. Public reads return published tickets and public knowledge
only, never the writer's data.

Every function that judges time takes `today` (None: the local date)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gongkai.core import calendar
from gongkai.core.dates import date_text

from . import ticket_deadlines as deadlines
from . import ticket_services as services
from .models import KnowledgeEntry, Ticket, TicketEvent, TicketType

LIST_LIMIT = 20
OPEN_STATES = (Ticket.State.RECEIVED, Ticket.State.HANDLING, Ticket.State.DISPUTED)
SEARCH_MAX = 50
K = TicketEvent.Kind


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def tickets(user) -> QuerySet[Ticket]:
    """Every ticket the user may see (the writer's data is shown only where services.sees_writer allows)."""
    return (Ticket.objects.filter(services.visible_filter(user))
            .select_related("office", "organisation", "area"))


@dataclass
class Row:
    ticket: Ticket
    clock: deadlines.Clock
    today: dt.date
    personal: bool = False
    waiting: list[str] = field(default_factory=list)  # what awaits the office: 派单, 异议审核, 延期审批, 公开审核

    @property
    def writer(self) -> str:
        return self.ticket.writer_name if self.personal else "（不显示）"

    @property
    def subject(self) -> str:
        """The subject, with the writer's personal data masked for those who may not read it."""
        return self.ticket.subject if self.personal else services.mask_personal(self.ticket.subject, self.ticket)[0]

    @property
    def level(self) -> str:
        if not self.ticket.is_open:
            return ""
        return deadlines.warning_level(self.clock, self.today)

    @property
    def label(self) -> str:
        return calendar.DEADLINE_LEVELS[self.level][0] if self.level else ""

    @property
    def css(self) -> str:
        return calendar.DEADLINE_LEVELS[self.level][1] if self.level else ""

    @property
    def due(self) -> dt.date | None:
        return self.clock.due if self.ticket.is_open else None

    @property
    def provisional(self) -> bool:
        return self.due is not None and self.clock.provisional_year is not None

    @property
    def provisional_text(self) -> str:
        return calendar.provisional_note(self.clock.provisional_year) if self.provisional else ""

    @property
    def due_text(self) -> str:
        if self.due is None:
            return ""
        return f"{date_text(self.due)}（{self.provisional_text}）" if self.provisional else date_text(self.due)

    @property
    def left_text(self) -> str:
        if not self.ticket.is_open:
            return self.ticket.get_state_display()
        left = self.clock.remaining(self.today)
        if left is None:
            return "期限无法计算"
        mark = "（暂定）" if self.provisional else ""
        if left < 0:
            return f"超过期限{-left}个工作日{mark}"
        if left == 0:
            return f"今日到期{mark}"
        return f"剩余{left}个工作日{mark}"

    def sort_key(self) -> tuple:
        ticket = self.ticket
        if not ticket.is_open:
            last = ticket.closed_on or ticket.answered_on or ticket.received_on
            return (3 if not self.waiting else 1, -last.toordinal(), -ticket.pk)
        if self.level == "overdue":
            return (0, self.clock.due, ticket.received_on, ticket.pk)
        return (2, self.clock.due or dt.date.max, ticket.received_on, ticket.pk)


def _waiting(user, ticket: Ticket, events: list[TicketEvent]) -> list[str]:
    out = []
    if ticket.state == Ticket.State.RECEIVED and services.can_dispatch(user, ticket):
        out.append("待派单")
    if ticket.state == Ticket.State.DISPUTED and services.can_decide(user, ticket):
        out.append("派单异议待审核")
    if ticket.is_open and services.can_decide(user, ticket):
        asked = [e for e in events if e.kind == K.EXTENSION_REQUESTED and e.round == ticket.round]
        decided = [e for e in events if e.kind in (K.EXTENDED, K.EXTENSION_REFUSED) and e.round == ticket.round]
        if asked and (not decided or max(e.id for e in decided) < max(e.id for e in asked)):
            out.append("延期待审批")
    if ticket.publication == Ticket.Publication.PENDING and services.can_decide(user, ticket):
        out.append("公开待审核")
    return out


def row_for(user, ticket: Ticket, today: dt.date | None = None) -> Row:
    events = list(ticket.events.all())
    return Row(ticket, deadlines.compute(deadlines.steps_of(events), ticket.limit_workdays), _today(today),
               services.sees_writer(user, ticket), _waiting(user, ticket, events))


def rows(user, *, state: str = "open", ticket_type: str = "", q: str = "", today: dt.date | None = None) -> list[Row]:
    """The tickets in scope as rows, sorted: overdue first, then by due date,
    then what waits for the office's decision, closed ones last. `state`:
    "open", "todo" (waiting for this user's decision), "all" or a Ticket.State value."""
    qs = tickets(user)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in ("todo", "workbench"):  # then by row.waiting
        qs = qs.filter(Q(state__in=OPEN_STATES) | Q(publication=Ticket.Publication.PENDING))
    elif state in Ticket.State.values:
        qs = qs.filter(state=state)
    elif state != "all":
        qs = qs.none()
    if ticket_type in TicketType.values:
        qs = qs.filter(ticket_type=ticket_type)
    q = (q or "").strip()[:SEARCH_MAX]
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(text__icontains=q))
    day = _today(today)
    found = []
    for ticket in qs.prefetch_related("events"):
        row = row_for(user, ticket, day)
        if state == "todo" and not row.waiting or state == "workbench" and not (ticket.is_open or row.waiting):
            continue
        found.append(row)
    found.sort(key=Row.sort_key)
    return found


def summary(open_rows: list[Row]) -> dict:
    counts = {level: 0 for level in calendar.DEADLINE_LEVELS}
    for row in open_rows:
        if row.level in counts:
            counts[row.level] += 1
    return {"open": len(open_rows), "overdue": counts["overdue"], "urgent": counts["2"], "soon": counts["5"],
            "waiting": sum(1 for row in open_rows if row.waiting)}


def workbench_panel(user, today: dt.date | None = None, limit: int = LIST_LIMIT) -> tuple[int, list[Row]]:
    """(count, items): the open tickets in scope and those awaiting the
    user's decision (extension, dispute, publication), most urgent first."""
    found = rows(user, state="workbench", today=today)
    return len(found), found[:limit]


# --- public reads --------------------------------------------------------------------


def published() -> QuerySet[Ticket]:
    """Tickets on the public list: published, never a 举报 or a confidential one."""
    return (Ticket.objects.filter(publication=Ticket.Publication.PUBLISHED, confidential=False,
                                  consent_publish=True)
            .exclude(ticket_type=TicketType.REPORT)
            .select_related("organisation").order_by("-published_on", "-id"))


def search_published(q: str = "", ticket_type: str = "") -> QuerySet[Ticket]:
    qs = published()
    if ticket_type in TicketType.values:
        qs = qs.filter(ticket_type=ticket_type)
    for word in (q or "").split()[:5]:
        word = word[:SEARCH_MAX]
        qs = qs.filter(Q(public_subject__icontains=word) | Q(public_text__icontains=word)
                       | Q(public_reply__icontains=word))
    return qs


def knowledge(q: str = "", *, public_only: bool, organisations: set[int] | None = None) -> QuerySet[KnowledgeEntry]:
    """Approved knowledge-base entries matching every word of `q`; the public
    ones only for citizens; for staff, those of `organisations` (None: all)."""
    qs = KnowledgeEntry.objects.filter(state=KnowledgeEntry.State.APPROVED).select_related("organisation")
    if public_only:
        qs = qs.filter(is_public=True)
    if organisations is not None:
        qs = qs.filter(organisation_id__in=organisations)
    for word in (q or "").split()[:5]:
        word = word[:SEARCH_MAX]
        qs = qs.filter(Q(question__icontains=word) | Q(answer__icontains=word) | Q(keywords__icontains=word))
    return qs.order_by("-approved_on", "-id")


def public_history(ticket: Ticket) -> list[tuple[dt.date, str]]:
    return [(e.on, e.public_note) for e in ticket.events.exclude(public_note="").order_by("on", "id")]


def replies_prefetch() -> Prefetch:
    from .models import TicketReply

    return Prefetch("replies", queryset=TicketReply.objects.select_related("organisation").order_by("round", "id"))


def public_tickets(*, organisation: int | None = None, ticket_type: str = "",
                   year: int | None = None) -> QuerySet[Ticket]:
    """The published tickets for the open data (the public list's, each with
    its replies: the latest gives 答复日期 and 答复单位), received by or
    handled by `organisation`, of `ticket_type`, received in `year`."""
    qs = published().prefetch_related(replies_prefetch())
    if organisation is not None:
        qs = qs.filter(Q(office_id=organisation) | Q(organisation_id=organisation))
    if ticket_type:
        qs = qs.filter(ticket_type=ticket_type)
    if year is not None:
        qs = qs.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=dt.date(year, 12, 31))
    return qs


def public_reply(ticket: Ticket):
    """The latest reply (its date and organisation are public; its text is
    public only as the masked `public_reply`), from prefetched replies."""
    answers = list(ticket.replies.all())
    return answers[-1] if answers else None
