"""The JSON API (django-ninja: typed endpoints and an OpenAPI schema at
/api/openapi.json; no docs page, which would load scripts from a CDN).

Staff endpoints authenticate with the Django session (and its CSRF token for
writes) and see exactly what the workspace shows the same user: every read
goes through gongkai.workspace.selectors and every write through the
publishing services, which check permissions.

Every answer an endpoint can give is declared in its `response={...}` and so
published in the schema: the 2xx body, and for each refusal one shape,
`Problem` (`detail`: a sentence in Chinese; for a 422 caused by the request's
own parameters also `errors`: where and what). Parameters carry their bounds
in the schema (`limit` 1–200, `offset` 0–MAX_OFFSET, ids 1–MAX_ID), so a
value out of range is a 422, never a database error; so is a body the schema
does not describe or no database can store (a `scheduled_at` that is not an
RFC 3339 date-time with its offset, or past the last representable moment; a
`comment` with NUL or unpaired surrogates). tests/api/test_schemathesis.py
holds the API to this, anonymous and signed in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import django_auth
from pydantic import AwareDatetime, field_validator
from pydantic_core import PydanticCustomError

from gongkai.api.public import router as public_router
from gongkai.api.schemas import Problem
from gongkai.catalog.models import Document
from gongkai.publishing import services as publishing
from gongkai.publishing import workflow
from gongkai.workspace import selectors

api = NinjaAPI(title="Gongkai API", version="1", docs_url=None, urls_namespace="api")
api.add_router("/public/", public_router)  # the open-data API: what the public site shows


# The bounds of the parameters (published in the schema): an offset far past
# any catalog, and ids within the 64-bit range of every backend's id column.
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1
MAX_ID = 2**63 - 1

# The enumerations come from the one place each is defined.
Status = Literal[tuple(Document.Status.values)]
Disclosure = Literal[tuple(Document.Disclosure.values)]
Action = Literal[tuple(workflow.ACTION_LABELS)]
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


class DocumentOut(Schema):
    id: int
    title: str
    organisation: str
    status: Status
    status_label: str
    review_level: int
    index_number: str | None
    document_number: str
    disclosure: Disclosure
    scheduled_at: dt.datetime | None
    updated_at: dt.datetime


class ActionIn(Schema):
    action: Action
    comment: str = ""
    scheduled_at: AwareDatetime | None = None

    @field_validator("comment")
    @classmethod
    def _storable_text(cls, value: str) -> str:
        # JSON can carry what no database column stores: NUL (PostgreSQL
        # refuses it) and unpaired surrogates (not UTF-8 at all).
        if "\x00" in value:
            raise PydanticCustomError("text_nul", "不能包含空字符（\\u0000）")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("text_surrogate", "含有无效的 Unicode 字符（未配对的代理项）") from None
        return value

    @field_validator("scheduled_at", mode="before")
    @classmethod
    def _date_time_text(cls, value):
        # Only what the schema says (an RFC 3339 date-time): pydantic alone
        # would also take a number, or a string of digits, as a Unix time.
        if value is not None and not (isinstance(value, str) and RFC3339.fullmatch(value)):
            raise PydanticCustomError("datetime_format", "应为带时区的日期时间")
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _representable(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Stored in UTC: 9999-12-31T23:00:00-08:00 is past the last datetime.
        if value is not None:
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                raise PydanticCustomError("time_out_of_range", "超出可表示的时间范围") from None
        return value


# The refusals every signed-in endpoint can give.
SIGNED_IN = {401: Problem, 422: Problem}


class WorkbenchOut(Schema):
    counts: dict[str, int]


def _out(doc) -> dict:
    return {
        "id": doc.pk, "title": doc.title, "organisation": doc.organisation.name, "status": doc.status,
        "status_label": doc.get_status_display(), "review_level": doc.review_level,
        "index_number": doc.index_number, "document_number": doc.document_number, "disclosure": doc.disclosure,
        "scheduled_at": doc.scheduled_at, "updated_at": doc.updated_at,
    }


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作。"}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=422)


@api.exception_handler(Http404)
def _missing(request, exc):
    return api.create_response(request, {"detail": "文件不存在或您无权查看。"}, status=404)


def _error_text(error: dict) -> str:
    """One parameter error in words: where (`offset`, `body.action`) and what."""
    loc = [str(part) for part in error.get("loc", ())]
    where = ".".join(part for part in loc if part not in ("query", "path", "body", "payload")) or "请求体"
    ctx, kind = error.get("ctx") or {}, error.get("type", "")
    if kind == "missing":
        what = "必须填写"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "不小于", "greater_than": "大于", "less_than_equal": "不大于", "less_than": "小于"}[kind]
        bound = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
        what = f"应{sign}{bound}"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        what = "应为整数"
    elif kind == "literal_error":
        what = f"应为以下之一：{str(ctx.get('expected', '')).replace(' or ', ', ')}"
    elif kind.startswith("datetime"):
        what = "应为日期时间（如 2025-01-31T09:00:00+08:00）"
    else:
        what = str(error.get("msg", "无效"))
    return f"{where}：{what}"


@api.exception_handler(RequestInvalid)
def _request_invalid(request, exc):
    errors = [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())], "type": str(e.get("type", "")),
               "msg": str(e.get("msg", ""))} for e in exc.errors]
    detail = "请求参数无效：" + "；".join(_error_text(e) for e in exc.errors) + "。"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _signed_out(request, exc):
    return api.create_response(request, {"detail": "请先登录。"}, status=401)


# ninja's own refusals (403 without the CSRF token, 400 for a body that is
# not JSON), in the same shape and language as the others.
HTTP_ERROR_TEXT = {"CSRF check Failed": "安全校验（CSRF）失败，请刷新页面后重试。",
                   "Cannot parse request body": "请求体不是有效的 JSON。"}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return api.create_response(request, {"detail": HTTP_ERROR_TEXT.get(str(exc), str(exc))}, status=exc.status_code)


@api.get("/staff/documents", response={200: list[DocumentOut], **SIGNED_IN}, auth=django_auth, tags=["staff"])
def staff_documents(request, status: Status | None = None, limit: int = Query(50, ge=1, le=MAX_LIMIT),
                    offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    qs = selectors.visible_documents(request.auth).order_by("-updated_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return [_out(d) for d in qs[offset:offset + limit]]


def _visible(request, pk: int):
    doc = selectors.visible_documents(request.auth).filter(pk=pk).first()
    if doc is None:
        raise Http404
    return doc


@api.get("/staff/documents/{pk}", response={200: DocumentOut, 404: Problem, **SIGNED_IN}, auth=django_auth,
         tags=["staff"])
def staff_document(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    return _out(_visible(request, pk))


# 400: the body is not JSON; 403: the CSRF token is missing, or the action is
# not this user's to take; 422: the body does not fit ActionIn, or the
# workflow refuses the move (with the reason).
@api.post("/staff/documents/{pk}/actions",
          response={200: DocumentOut, 400: Problem, 403: Problem, 404: Problem, **SIGNED_IN},
          auth=django_auth, tags=["staff"])
def staff_act(request, payload: ActionIn, pk: int = Path(..., ge=1, le=MAX_ID)):
    doc = _visible(request, pk)
    return _out(publishing.act(doc, payload.action, user=request.auth, comment=payload.comment,
                               scheduled_at=payload.scheduled_at))


@api.get("/staff/workbench", response={200: WorkbenchOut, 401: Problem}, auth=django_auth, tags=["staff"])
def staff_workbench(request):
    return {"counts": {p.key: p.count for p in selectors.workbench(request.auth)}}
