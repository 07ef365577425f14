"""Spam defence of the public forms without a CAPTCHA (applications, the
mailbox, consultations, interviews): a field people never see (the
honeypot), and a signed token put in the form when it is shown, which must
come back between MIN_SECONDS and MAX_SECONDS later and only once."""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core import signing
from django.core.cache import cache
from django.utils import timezone

TOKEN_SALT = "gongkai.applications.apply-form"
MIN_SECONDS = 3            # a person does not fill the form in less
MAX_SECONDS = 2 * 3600     # a form older than this is stale (or replayed)
HONEYPOT = "website"       # the field people never see; bots fill every field
SPAM_MESSAGE = "提交未成功，请检查填写的内容后重新提交（如已选择附件，请重新选择）。"
REPLAY_MESSAGE = ("这份表单已经提交过一次，不能再次提交。如果您的申请已提交成功，请勿重复提交，可凭查询码查看办理情况；"
                  "如需提交新的申请，请核对下方内容后重新提交（如已选择附件，请重新选择）。")
USED_KEY = "applications:apply-form:used:"  # + the token's nonce: a token is good for one submission

logger = logging.getLogger(__name__)


def issue_token(now=None) -> str:
    """A signed timestamp and a random nonce, put in the form when it is shown."""
    now = now or timezone.now()
    return signing.dumps({"t": now.timestamp(), "n": secrets.token_urlsafe(16)}, salt=TOKEN_SALT)


def _read_token(value: str) -> tuple[float, str] | None:
    """(when shown, nonce) of a token this site signed, else None. A token of
    the older form (a bare timestamp) has its own text as nonce."""
    try:
        payload = signing.loads(value or "", salt=TOKEN_SALT)
        if isinstance(payload, dict):
            return float(payload["t"]), str(payload["n"])
        return float(payload), hashlib.sha256(value.encode()).hexdigest()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def token_ok(value: str, now=None) -> bool:
    """The form was shown by this site between MAX_SECONDS and MIN_SECONDS ago."""
    read = _read_token(value)
    if read is None:
        return False
    elapsed = (now or timezone.now()).timestamp() - read[0]
    return MIN_SECONDS <= elapsed <= MAX_SECONDS


def use_token(value: str) -> bool:
    """Mark a valid token as used; False when it was used before (a replay,
    or the same form sent twice). The mark lasts as long as the token is
    valid, in the default cache: shared by every process with Redis, by the
    processes of one machine with the file cache. A cache that fails lets the
    submission through, as the rate limits do (RATELIMIT_FAIL_OPEN)."""
    read = _read_token(value)
    if read is None:
        return False
    try:
        return cache.add(USED_KEY + read[1], 1, timeout=MAX_SECONDS + 60)
    except Exception:  # a broken cache must not stop citizens from applying
        logger.warning("public form: cannot record a used form token; letting the submission through", exc_info=True)
        return True


def spam_refusal(data) -> str:
    """The notice refusing a submission, or "" to go on. The honeypot filled
    in, or a token missing, forged, too fresh or too old: SPAM_MESSAGE (the
    same words for every cause). A good token already used: REPLAY_MESSAGE.
    A good token is used up here, so call this once per submission."""
    if (data.get(HONEYPOT) or "").strip() or not token_ok(data.get("started", "")):
        return SPAM_MESSAGE
    if not use_token(data.get("started", "")):
        return REPLAY_MESSAGE
    return ""
