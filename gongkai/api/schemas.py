"""Shapes every part of the API shares."""

from ninja import Schema


class FieldError(Schema):
    loc: list[str | int]
    type: str
    msg: str


class Problem(Schema):
    """Every refusal: `detail` says why; `errors` (only for a 422 caused by
    the request's parameters or body) says which part and what."""

    detail: str
    errors: list[FieldError] | None = None
