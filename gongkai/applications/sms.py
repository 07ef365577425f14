"""Text messages to applicants: an interface for the office's own SMS
gateway. settings.GONGKAI_SMS_BACKEND names a class with a `send(phone,
text)` method that raises when the message did not go (the notification is
then retried, gongkai.applications.notify). The default only writes a line
to the log (the number masked but for its last four digits): nothing leaves
the machine until an office connects its gateway."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongkai.sms")

DEFAULT_BACKEND = "gongkai.applications.sms.LogBackend"


class LogBackend:
    """Writes the message to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to ****%s: %s", phone[-4:], text)


def backend():
    return import_string(getattr(settings, "GONGKAI_SMS_BACKEND", "") or DEFAULT_BACKEND)()
