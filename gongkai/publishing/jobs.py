"""The background jobs `gongkai worker` runs on every tick. Each job reads
the database for what is due, so a tick missed while the worker was down is
caught up on the next one, and each due item is handled once (its state
changes when it is done)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from gongkai.core import audit

logger = logging.getLogger(__name__)


@dataclass
class TickReport:
    published: int = 0
    expired: int = 0
    held: list[str] = field(default_factory=list)
    applications: dict = field(default_factory=dict)
    monitored: int = 0
    bulletins: int = 0
    attachments: int = 0

    def summary(self) -> str:
        text = f"published {self.published} scheduled document(s), expired {self.expired} document(s)"
        if self.applications:
            a = self.applications
            text += (f"; applications: {a['overdue']} newly overdue, {a['no_correction']} closed without correction, "
                     f"{a['no_payment']} closed without payment")
        if self.monitored:
            text += f"; crawled {self.monitored} watched site(s)"
        if self.bulletins:
            text += f"; drafted {self.bulletins} monthly bulletin(s)"
        if self.attachments:
            text += f"; read the text of {self.attachments} attachment(s)"
        if self.held:
            text += f"; {len(self.held)} held back: " + " | ".join(self.held)
        return text


_daily_done_on: dt.date | None = None


def tick(now: dt.datetime | None = None) -> TickReport:
    """Publish the documents whose scheduled time has come, make the
    documents whose expiry date has come 失效, and run the applications'
    daily job (record overdue ones, close expired corrections and fees) and
    draft the monthly bulletins that are due. Every tick also reads the text
    of new attachments, a batch at a time within the reading limits
    (attachment_text.read_pending): pages never read a file."""
    from gongkai.applications import services as applications
    from gongkai.catalog import lifecycle
    from gongkai.publishing import attachment_text, services

    now = now or timezone.now()
    report = TickReport()
    report.published, report.held = services.publish_due(now)
    report.expired = lifecycle.expire_due(timezone.localdate(now))
    report.attachments = attachment_text.read_pending()
    today = timezone.localdate(now)
    global _daily_done_on
    if _daily_done_on != today:  # once a day per worker (the job is idempotent anyway)
        report.applications = applications.daily(today)
        _daily_done_on = today
        from gongkai.monitor import runner

        for site in runner.due_sites(now):
            runner.run_site(site)
            report.monitored += 1
        from gongkai.workplan import bulletins

        report.bulletins = len(bulletins.due(today))
        audit.daily_anchor()  # the audit log's head, written outside the database
    for message in report.held:
        logger.warning("scheduled publication held back: %s", message)
    return report
