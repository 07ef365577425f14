"""The public, read-only open-data API, under /api/public/: what the public
site shows, as JSON, for researchers, journalists and other sites.

Only what anyone may read on the portal is here, read through the same
selectors the portal uses: published, proactively disclosed documents
(`catalog.selectors.public_documents`); a withdrawn one answers 410 with
the date it was withdrawn; drafts, documents disclosed only on request,
withheld ones and everything about applicants never appear (a test walks
every endpoint anonymously looking for them, tests/api/test_public_api.py).

Every answer is a public page for gongkai.portal.cache: `ETag` and
`Last-Modified` from the content generation, `304 Not Modified` on a
conditional request, the same bytes from the page cache for the next
caller. CORS allows GET from any origin (django-cors-headers, settings
CORS_URLS_REGEX); a per-address rate limit answers 429
(gongkai.api.middleware). Lists page by cursor (django-ninja's
CursorPagination over the primary key: stable while documents are added)."""


import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import CursorPagination, paginate

from gongkai.catalog import selectors as catalog
from gongkai.catalog.models import Document, Genre, Topic
from gongkai.core.models import Organisation

from .schemas import Problem
from gongkai.guides import selectors as guides
from gongkai.portal.cache import public_page
from gongkai.portal.forms import read_query
from gongkai.search import services as search_services

router = Router(tags=["public"])

MAX_ID = 2**63 - 1
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
Validity = Literal[tuple(v for v in Document.Validity.values if v)]
Order = Literal[tuple(search_services.ORDERS)]


class Gone(Schema):
    detail: str
    withdrawn_at: dt.datetime | None


# Every public endpoint may refuse parameters out of their bounds (422, as the
# staff endpoints do) and a caller over the rate limit (429).
LIMITED = {422: Problem, 429: Problem}


class Named(Schema):
    id: int
    name: str


class DocumentItem(Schema):
    id: int
    index_number: str | None
    title: str
    document_number: str
    organisation: Named
    topic: Named | None
    genre: Named | None
    written_date: dt.date | None
    published_date: dt.date | None
    validity: str
    validity_label: str
    effective_date: dt.date | None
    expiry_date: dt.date | None
    url: str

    @staticmethod
    def resolve_validity_label(doc: Document) -> str:
        return doc.get_validity_display()

    @staticmethod
    def resolve_url(doc: Document) -> str:
        return doc.get_absolute_url()


class RelationOut(Schema):
    label: str
    title: str
    document_number: str
    document_id: int | None
    withdrawn: bool


class AttachmentOut(Schema):
    name: str
    url: str
    size: int
    kind: str


class DocumentDetail(DocumentItem):
    keywords: str
    summary: str
    body_html: str
    interpretation_form: str
    relations: list[RelationOut]
    attachments: list[AttachmentOut] = Field(..., alias="attachment_list")


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    level: str
    level_label: str
    parent_id: int | None


class TopicOut(Schema):
    id: int
    name: str
    parent_id: int | None


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    messages: list[str]
    results: list[DocumentItem]


class GuideItem(Schema):
    id: int
    item_name: str
    item_code: str
    organisation: Named
    statutory_days: int
    promised_days: int
    online_link: str
    updated_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(guide) -> str:
        return reverse("guides:detail", args=[guide.pk])


class MaterialOut(Schema):
    name: str
    source: str
    form: str
    copies: int
    required: bool


class GuideDetail(GuideItem):
    target: str
    legal_basis: str
    conditions: str
    process: str
    fees: str
    fee_basis: str
    result_document: str
    place: str
    hours: str
    enquiry_phone: str
    complaint_phone: str
    materials: list[MaterialOut] = Field(..., alias="materials_list")


def _named(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


class DocumentFilters(Schema):
    """The portal's filters (gongkai.portal.forms.read_query reads them, so
    the API and the catalog page mean the same thing by each)."""

    org: int | None = Field(None, ge=1, le=MAX_ID, description="发布机构 id（含下级机构，sub=0 时仅本机构）")
    sub: Literal["0", "1"] | None = None
    topic: int | None = Field(None, ge=1, le=MAX_ID, description="主题分类 id（含下级分类）")
    genre: int | None = Field(None, ge=1, le=MAX_ID, description="体裁分类 id")
    year: int | None = Field(None, ge=1900, le=2099, description="成文年份")
    year_from: int | None = Field(None, ge=1900, le=2099)
    year_to: int | None = Field(None, ge=1900, le=2099)
    validity: Validity | None = None

    def query_dict(self) -> dict[str, str]:
        return {name: str(value) for name, value in self.dict().items() if value is not None}


@router.get("/documents", response={200: list[DocumentItem], **LIMITED})
@decorate_view(public_page)
@paginate(CursorPagination, ordering=("-id",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def documents(request, filters: Query[DocumentFilters]):
    """公开的政府信息，新入库的在前；筛选条件与“政府信息公开目录”页面相同。"""
    query = read_query(filters.query_dict())
    return catalog.apply_filters(catalog.public_documents(), query.filters).select_related("organisation", "topic", "genre")


def _gone(doc: Document):
    return Status(410, {"detail": "该政府信息已撤回。", "withdrawn_at": doc.withdrawn_at})


@router.get("/documents/{pk}", response={200: DocumentDetail, 404: Problem, 410: Gone, **LIMITED})
@decorate_view(public_page)
def document(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    """一件公开的政府信息：元数据、正文、关联文件和附件。已撤回的返回 410 及撤回时间。"""
    doc = catalog.document_by_id(pk)
    if doc is None:
        return Status(404, {"detail": "没有这件公开的政府信息。"})
    if doc.status == Document.Status.WITHDRAWN:
        return _gone(doc)
    doc.body_html = catalog.safe_body(doc)
    doc.interpretation_form = doc.interpretation_form or ""
    doc.relations = [{"label": r.label, "title": r.title, "document_number": r.document_number,
                      "document_id": r.document.pk if r.document else None, "withdrawn": r.withdrawn}
                     for r in catalog.relations(doc)]
    doc.attachment_list = catalog.attachments(doc)
    return doc


@router.get("/search", response={200: SearchOut, **LIMITED})
@decorate_view(public_page)
def search(request, filters: Query[DocumentFilters], q: str = Query(..., min_length=1, max_length=200),
           order: Order = "relevance", page: int = Query(1, ge=1, le=search_services.MAX_PAGE)):
    """全文检索，与网站“信息检索”相同（中文分词、筛选、排序）。"""
    params = filters.query_dict() | {"q": q, "order": order, "page": str(page)}
    query = read_query(params)
    messages = list(query.messages)
    if not query.text:
        return {"query": q, "total": 0, "page": 1, "pages": 0, "messages": messages or ["请输入检索词。"], "results": []}
    result = search_services.search(query.text, query.filters, order=query.order, page=query.page,
                                    per_page=PAGE_SIZE)
    if result.message:
        messages.insert(0, result.message)
    return {"query": query.text, "total": result.total, "page": result.page, "pages": result.pages,
            "messages": messages, "results": [hit.document for hit in result.hits]}


@router.get("/organisations", response={200: list[OrganisationOut], **LIMITED})
@decorate_view(public_page)
def organisations(request):
    """全部机构，按上下级排列（parent_id 指向上级机构）。"""
    return [{"id": o.pk, "name": o.name, "short_name": o.short_name, "level": o.level,
             "level_label": o.get_level_display(), "parent_id": o.parent_id}
            for o in Organisation.objects.order_by("sort_order", "id")]


@router.get("/topics", response={200: list[TopicOut], **LIMITED})
@decorate_view(public_page)
def topics(request):
    """主题分类（parent_id 指向上级分类）。"""
    return [{"id": t.pk, "name": t.name, "parent_id": t.parent_id} for t in Topic.objects.order_by("sort_order", "id")]


@router.get("/genres", response={200: list[Named], **LIMITED})
@decorate_view(public_page)
def genres(request):
    """体裁分类。"""
    return [_named(g) for g in Genre.objects.order_by("sort_order", "id")]


@router.get("/guides", response={200: list[GuideItem], **LIMITED})
@decorate_view(public_page)
@paginate(CursorPagination, ordering=("-id",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def guide_list(request, org: int | None = Query(None, ge=1, le=MAX_ID)):
    """已发布的办事指南。"""
    qs = guides.public_guides()
    if org is not None:
        qs = qs.filter(organisation_id=org)
    return qs


@router.get("/guides/{pk}", response={200: GuideDetail, 404: Problem, **LIMITED})
@decorate_view(public_page)
def guide(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    """一项办事指南及其申请材料。"""
    found = guides.public_guide(pk)
    if found is None:
        return Status(404, {"detail": "没有这项已发布的办事指南。"})
    found.materials_list = guides.materials(found)
    return found
