"""Small pieces every staff page uses: the breadcrumb trail and a service's
refusal shown on its form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse


def crumbs(*extra: tuple[str, str]) -> list[dict]:
    """The breadcrumb trail: the workbench, then (label, url) pairs."""
    return [{"label": "工作台", "url": reverse("workspace:home")}, *[{"label": l, "url": u} for l, u in extra]]


def errors_to_form(form, exc: ValidationError, mapping: dict | None = None) -> None:
    """A service's refusal on the form: by field where it names one of the
    form's fields (after `mapping` from the service's names), otherwise above it."""
    mapping = mapping or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = mapping.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def int_param(text: str | None) -> int | None:
    """A query parameter as a whole number, or None when it is not one (never an error)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
