"""The public, read-only open-data API, under /api/public/: what the public
site shows, as JSON, for researchers, journalists and other sites.

Only what anyone may read on the portal is here, read through the same
selectors the portal uses: published, proactively disclosed documents
(`catalog.selectors.public_documents`); a withdrawn one answers 410 with
the date it was withdrawn; drafts, documents disclosed only on request,
withheld ones and everything about applicants never appear (a test walks
every endpoint anonymously looking for them, tests/api/test_public_api.py).
So for the other open data: the letters published on the public list, with
their privacy-masked texts only (never the writer, never a 举报 or a
confidential letter); consultations once published, with the adoption
feedback once its catalog document is public (never a commenter, never a
comment not shown); annual reports whose catalog document is public, with
the tables as frozen at publication.

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
from gongkai.core import generation
from gongkai.core.models import Organisation
from gongkai.interaction import consultation_selectors as consultations
from gongkai.interaction import ticket_selectors as tickets
from gongkai.interaction.models import Consultation, Ticket, TicketType
from gongkai.reports import selectors as reports
from gongkai.reports.models import AnnualReport

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


# --- published tickets, consultations, annual reports -------------------------------------------
# Their public changes make the cached answers stale through the watches their
# own apps register (InteractionConfig.ready, ReportsConfig.ready).

class TicketOut(Schema):
    id: int
    type: str = Field(..., description="诉求类型代码")
    type_label: str = Field(..., description="诉求类型")
    subject: str = Field(..., description="公开标题（已去标识化）")
    question: str = Field(..., description="公开的来信内容（已去标识化）")
    reply: str = Field(..., description="公开的答复内容（已去标识化）")
    received_on: dt.date = Field(..., description="受理日期")
    replied_on: dt.date | None = Field(..., description="答复日期")
    replied_by: Named | None = Field(..., description="答复单位")
    published_on: dt.date | None = Field(..., description="公开日期")
    url: str

    @staticmethod
    def resolve_type(ticket: Ticket) -> str:
        return ticket.ticket_type

    @staticmethod
    def resolve_type_label(ticket: Ticket) -> str:
        return ticket.get_ticket_type_display()

    @staticmethod
    def resolve_subject(ticket: Ticket) -> str:
        return ticket.public_subject

    @staticmethod
    def resolve_question(ticket: Ticket) -> str:
        return ticket.public_text

    @staticmethod
    def resolve_reply(ticket: Ticket) -> str:
        return ticket.public_reply

    @staticmethod
    def resolve_replied_on(ticket: Ticket) -> dt.date | None:
        answer = tickets.public_reply(ticket)
        return answer.replied_on if answer else None

    @staticmethod
    def resolve_replied_by(ticket: Ticket) -> dict | None:
        answer = tickets.public_reply(ticket)
        return _named(answer.organisation) if answer else None

    @staticmethod
    def resolve_url(ticket: Ticket) -> str:
        return reverse("interaction:tickets:letter", args=[ticket.pk])


PublishedType = Literal[tuple(v for v in TicketType.values if v != TicketType.REPORT)]


class TicketFilters(Schema):
    org: int | None = Field(None, ge=1, le=MAX_ID, description="受理或承办机构 id")
    type: PublishedType | None = Field(None, description="诉求类型（举报类信件一律不公开）")
    year: int | None = Field(None, ge=1900, le=2099, description="受理年份")


@router.get("/tickets", response={200: list[TicketOut], **LIMITED})
@decorate_view(public_page)
@paginate(CursorPagination, ordering=("-id",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def ticket_list(request, filters: Query[TicketFilters]):
    """网站公开的来信及答复（已去标识化），与“公开信件”页面相同；不含写信人的任何信息。"""
    return tickets.public_tickets(organisation=filters.org, ticket_type=filters.type or "", year=filters.year)


@router.get("/tickets/{pk}", response={200: TicketOut, 404: Problem, **LIMITED})
@decorate_view(public_page)
def ticket(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    """一封公开信件：来信内容和答复（已去标识化）。"""
    found = tickets.public_tickets().filter(pk=pk).first()
    if found is None:
        return Status(404, {"detail": "没有这封公开信件。"})
    return found


class DocumentLink(Schema):
    id: int
    title: str
    document_number: str
    published_date: dt.date | None
    url: str

    @staticmethod
    def resolve_url(doc: Document) -> str:
        return doc.get_absolute_url()


class ConsultationItem(Schema):
    id: int
    title: str
    organisation: Named
    draft_title: str = Field(..., description="草案名称")
    opens_on: dt.date = Field(..., description="开始日期")
    closes_on: dt.date = Field(..., description="截止日期")
    state: str = Field(..., description="published：已发布（征集中或尚未开始），closed：已截止")
    state_label: str
    major: bool = Field(..., description="重大行政决策或与市场主体生产经营活动密切相关")
    feedback_published: bool = Field(..., description="意见采纳情况是否已公开")
    url: str = Field(..., description="征集页面（草案全文、起草说明、公开显示的意见）")

    @staticmethod
    def resolve_state_label(consultation: Consultation) -> str:
        return consultation.get_state_display()

    @staticmethod
    def resolve_feedback_published(consultation: Consultation) -> bool:
        doc = consultation.feedback_document
        return doc is not None and doc.is_public

    @staticmethod
    def resolve_url(consultation: Consultation) -> str:
        return reverse("interaction:consultation_detail", args=[consultation.pk])


class FeedbackTotals(Schema):
    comments: int = Field(..., description="公开显示的意见条数")
    items: int = Field(..., description="归纳的项数")
    adopted: int
    partly: int
    not_adopted: int


class FeedbackRow(Schema):
    number: int
    summary: str = Field(..., description="意见内容（归纳，已去标识化）")
    decision: str
    decision_label: str = Field(..., description="采纳、部分采纳或不采纳")
    reason: str


class FeedbackOut(Schema):
    document: DocumentLink = Field(..., description="采纳情况反馈（政府信息公开目录中的文件）")
    note: str
    totals: FeedbackTotals
    rows: list[FeedbackRow]
    decision: DocumentLink | None = Field(..., description="最终决定文件（已公开时）")


class ConsultationDetail(ConsultationItem):
    draft_text: str = Field(..., description="草案全文")
    explanation: str = Field(..., description="起草说明")
    how_to_comment: str
    short_reason: str = Field(..., description="缩短征求意见期限的理由")
    feedback: FeedbackOut | None = Field(..., alias="public_feedback", description="意见采纳情况（公开后）")


class ConsultationFilters(Schema):
    org: int | None = Field(None, ge=1, le=MAX_ID, description="征集机关 id")
    year: int | None = Field(None, ge=1900, le=2099, description="开始征集的年份")
    state: Literal[tuple(str(state.value) for state in consultations.PUBLIC_STATES)] | None = Field(
        None, description="published：已发布（征集中或尚未开始），closed：已截止")


@router.get("/consultations", response={200: list[ConsultationItem], **LIMITED})
@decorate_view(public_page)
@paginate(CursorPagination, ordering=("-id",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def consultation_list(request, filters: Query[ConsultationFilters]):
    """已发布的意见征集（征集中、尚未开始和已截止的）。"""
    qs = consultations.public_consultations()
    if filters.org is not None:
        qs = qs.filter(organisation_id=filters.org)
    if filters.year is not None:
        qs = qs.filter(opens_on__gte=dt.date(filters.year, 1, 1), opens_on__lte=dt.date(filters.year, 12, 31))
    if filters.state is not None:
        qs = qs.filter(state=filters.state)
    return qs


@router.get("/consultations/{pk}", response={200: ConsultationDetail, 404: Problem, **LIMITED})
@decorate_view(public_page)
def consultation(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    """一项意见征集：草案、起草说明和征集期限；采纳情况反馈公开后，其统计和逐项处理意见。"""
    found = consultations.public_consultations().filter(pk=pk).first()
    if found is None:
        return Status(404, {"detail": "没有这项意见征集。"})
    feedback = consultations.public_feedback(found)
    if feedback is not None:
        feedback = {"document": feedback["document"], "note": found.feedback_note, "totals": feedback["totals"],
                    "rows": [{key: row[key] for key in ("number", "summary", "decision", "decision_label", "reason")}
                             for row in feedback["rows"]],
                    "decision": feedback["decision"]}
    found.public_feedback = feedback
    return found


class FeesOut(Schema):
    amount_yuan: str = Field(..., description="收取信息处理费总额（元）")
    paid: int = Field(..., description="缴费的申请件数")


class StatedTables(Schema):
    """The tables as published, keyed as gongkai.reports.formats keys their rows and columns."""

    table2: dict[str, dict[str, int | float | None]] = Field(..., description="二、主动公开政府信息情况")
    table3: dict[str, dict[str, int | None]] = Field(..., description="三、收到和处理政府信息公开申请情况")
    table4: dict[str, int | None] = Field(..., description="四、政府信息公开行政复议、行政诉讼情况")


class AnnualReportItem(Schema):
    id: int
    organisation: Named
    year: int
    title: str
    document: DocumentLink = Field(..., description="政府信息公开目录中的年度报告")
    url: str

    @staticmethod
    def resolve_url(report: AnnualReport) -> str:
        return report.document.get_absolute_url()


class AnnualReportDetail(AnnualReportItem):
    format: str = Field(..., description="年度报告格式（国办公开办函〔2021〕30号）")
    tables: StatedTables
    fees: FeesOut

    @staticmethod
    def resolve_format(report: AnnualReport) -> str:
        from gongkai.reports.formats import FORMAT_2021

        return FORMAT_2021.key

    @staticmethod
    def resolve_tables(report: AnnualReport) -> dict:
        return report.published_figures["stated"]

    @staticmethod
    def resolve_fees(report: AnnualReport) -> dict:
        return report.published_figures.get("fees") or {"amount_yuan": "0.00", "paid": 0}


@router.get("/annual-reports", response={200: list[AnnualReportItem], **LIMITED})
@decorate_view(public_page)
@paginate(CursorPagination, ordering=("-id",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def annual_report_list(request, org: int | None = Query(None, ge=1, le=MAX_ID, description="报告机关 id"),
                       year: int | None = Query(None, ge=1900, le=2199, description="报告年度")):
    """已公开的政府信息公开工作年度报告。"""
    qs = reports.public_reports()
    if org is not None:
        qs = qs.filter(organisation_id=org)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


@router.get("/annual-reports/{pk}", response={200: AnnualReportDetail, 404: Problem, **LIMITED})
@decorate_view(public_page)
def annual_report(request, pk: int = Path(..., ge=1, le=MAX_ID)):
    """一份年度报告：发布时的第二、三、四部分表格数据（按年度报告格式的行列代码）。"""
    found = reports.public_reports().filter(pk=pk).first()
    if found is None:
        return Status(404, {"detail": "没有这份已公开的年度报告。"})
    return found
