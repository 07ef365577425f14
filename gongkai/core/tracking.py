"""Tracking codes (查询码) given to a citizen once, after a submission on the
public site (a disclosure application, a mailbox or hotline ticket): pure
functions, no Django.

24 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 120
bits, cannot be guessed or enumerated, and survive being copied by hand from
a printout. Shown in groups of four; case, spaces and dashes do not matter
when it is typed back. Only its SHA-256 (`tracking_hash`) is stored."""

from __future__ import annotations

import hashlib
import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 24


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def tracking_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()
