"""The JSON API (django-ninja: typed endpoints and an OpenAPI schema at
/api/openapi.json; no docs page, which would load scripts from a CDN).

Staff endpoints authenticate with the Django session (and its CSRF token for
writes) and see exactly what the workspace shows the same user: every read
goes through gongkai.workspace.selectors and every write through the
publishing services, which check permissions.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from gongkai.publishing import services as publishing, workflow
from gongkai.workspace import selectors

api = NinjaAPI(title="Gongkai API", version="1", docs_url=None, urls_namespace="api")


class DocumentOut(Schema):
    id: int
    title: str
    organisation: str
    status: str
    status_label: str
    review_level: int
    index_number: str | None
    document_number: str
    disclosure: str
    scheduled_at: dt.datetime | None
    updated_at: dt.datetime


class ActionIn(Schema):
    action: str
    comment: str = ""
    scheduled_at: dt.datetime | None = None


class Problem(Schema):
    detail: str


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


@api.get("/staff/documents", response=list[DocumentOut], auth=django_auth, tags=["staff"])
def staff_documents(request, status: str = "", limit: int = 50, offset: int = 0):
    qs = selectors.visible_documents(request.auth).order_by("-updated_at", "-id")
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 200))
    return [_out(d) for d in qs[max(0, offset):max(0, offset) + limit]]


def _visible(request, pk: int):
    doc = selectors.visible_documents(request.auth).filter(pk=pk).first()
    if doc is None:
        raise Http404
    return doc


@api.get("/staff/documents/{pk}", response=DocumentOut, auth=django_auth, tags=["staff"])
def staff_document(request, pk: int):
    return _out(_visible(request, pk))


@api.post("/staff/documents/{pk}/actions", response={200: DocumentOut, 403: Problem, 404: Problem, 422: Problem},
          auth=django_auth, tags=["staff"])
def staff_act(request, pk: int, payload: ActionIn):
    doc = _visible(request, pk)
    if payload.action not in workflow.ACTION_LABELS:
        raise ValidationError(f"未知的操作“{payload.action}”。")
    return _out(publishing.act(doc, payload.action, user=request.auth, comment=payload.comment,
                               scheduled_at=payload.scheduled_at))


@api.get("/staff/workbench", response=WorkbenchOut, auth=django_auth, tags=["staff"])
def staff_workbench(request):
    return {"counts": {p.key: p.count for p in selectors.workbench(request.auth)}}
