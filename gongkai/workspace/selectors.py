"""Reads for the staff workbench (工作台) and document lists: always inside
the user's permission scope (gongkai.core.permissions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone

from gongkai.catalog.models import Document
from gongkai.core import permissions
from gongkai.core.models import MAX_REVIEW_LEVELS
from gongkai.publishing import workflow
from gongkai.publishing.models import ReviewStep

LIST_LIMIT = 20


def visible_documents(user) -> QuerySet[Document]:
    """Every document the user may see in the workspace (drafts included)."""
    return Document.objects.filter(permissions.scope_filter(user, permissions.VIEW)).select_related("organisation", "genre")


def waiting_for(user) -> QuerySet[Document]:
    """Documents at a step this user can take: a review level they hold, the
    secrecy review, or publication."""
    if permissions.is_superuser(user):
        cond = Q(status__in=[workflow.REVIEW, workflow.SECRECY]) | Q(status=workflow.READY, scheduled_at__isnull=True)
    else:
        cond = Q(pk__in=[])
        for level in range(1, MAX_REVIEW_LEVELS + 1):
            orgs = permissions.organisations_for(user, permissions.REVIEW, review_level=level)
            if orgs:
                cond |= Q(status=workflow.REVIEW, review_level=level, organisation_id__in=orgs)
        secrecy = permissions.organisations_for(user, permissions.SECRECY)
        if secrecy:
            cond |= Q(status=workflow.SECRECY, organisation_id__in=secrecy)
        publish = permissions.organisations_for(user, permissions.PUBLISH)
        if publish:
            cond |= Q(status=workflow.READY, scheduled_at__isnull=True, organisation_id__in=publish)
    return Document.objects.filter(cond).select_related("organisation", "genre").order_by("updated_at", "id")


def returned_to(user) -> QuerySet[Document]:
    """Drafts of this user that a reviewer sent back, with the latest comment."""
    last_return = ReviewStep.objects.filter(document=OuterRef("pk")).order_by("-at", "-id").values("action")[:1]
    return (Document.objects.filter(created_by=user, status=workflow.DRAFT)
            .annotate(last_action=last_return).filter(last_action=workflow.RETURN)
            .select_related("organisation").order_by("-updated_at"))


def scheduled(user) -> QuerySet[Document]:
    return visible_documents(user).filter(status=workflow.READY, scheduled_at__isnull=False).order_by("scheduled_at")


def recently_published(user, days: int = 30) -> QuerySet[Document]:
    since = timezone.localdate() - dt.timedelta(days=days)
    return visible_documents(user).filter(status=workflow.PUBLISHED, published_date__gte=since).order_by("-published_date", "-id")


def my_drafts(user) -> QuerySet[Document]:
    return Document.objects.filter(created_by=user, status=workflow.DRAFT).select_related("organisation").order_by("-updated_at")


HELD_STATES = (workflow.DRAFT, workflow.REVIEW, workflow.SECRECY, workflow.READY)


def held_imports(user) -> QuerySet[Document]:
    """Imported pages that the import's checks held back from the public
    (personal data, injected spam: gongkai.ingest), until they are published
    or stopped: in the organisations where the user may act on findings."""
    qs = Document.objects.exclude(source_path="").filter(status__in=HELD_STATES)
    scope = permissions.organisations_for(user, permissions.MASK)
    if scope is not None:
        qs = qs.filter(organisation_id__in=scope)
    return qs.select_related("organisation").order_by("created_at", "id")


def with_import_findings(docs: list[Document]) -> list[Document]:
    """Each held import with `import_findings` (what the import's checks
    found, one line each, personal data masked) and `open_privacy` (privacy
    findings still to mask or waive)."""
    from django.db.models import Count

    from gongkai.ingest.services import HOLD_COMMENT
    from gongkai.publishing.models import PrivacyFinding

    ids = [doc.pk for doc in docs]
    comments = dict(ReviewStep.objects.filter(document_id__in=ids, actor__isnull=True, action=workflow.SUBMIT,
                                              comment__startswith=HOLD_COMMENT)
                    .order_by("-id").values_list("document_id", "comment"))
    open_counts = dict(PrivacyFinding.objects.filter(document_id__in=ids, state=PrivacyFinding.State.OPEN)
                       .values("document_id").annotate(n=Count("id")).values_list("document_id", "n"))
    for doc in docs:
        doc.import_findings = comments.get(doc.pk, "").splitlines()[1:]
        doc.open_privacy = open_counts.get(doc.pk, 0)
    return docs


@dataclass
class Panel:
    key: str
    title: str
    count: int
    items: list = field(default_factory=list)
    empty: str = "暂无"
    template: str = ""  # a panel of another app renders its items with its own template
    note: str = ""  # said once under the panel's items (e.g. why some deadlines are provisional)


def provisional_note(rows) -> str:
    """Why the deadlines marked 暂定 are provisional, said once for the panel
    (each row says only "暂定"), or "" when none is."""
    years = sorted({row.clock.provisional_year for row in rows if row.provisional})
    if not years:
        return ""
    named = "、".join(f"{year}年" for year in years)
    return (f"标注“暂定”的期限：{named}的法定节假日安排尚未录入工作日历，暂按周末计算；"
            "节假日安排通知由最上级政务公开办（或系统管理员）导入工作日历，录入后期限自动重新计算。")


def workbench(user) -> list[Panel]:
    from gongkai.catalog import lifecycle

    panels = []
    for key, title, qs, empty in [
        ("waiting", "待我处理", waiting_for(user), "没有等待您审核或发布的文件。"),
        ("returned", "退回给我", returned_to(user), "没有被退回的文件。"),
        ("drafts", "我的草稿", my_drafts(user), "没有草稿。"),
        ("scheduled", "定时发布", scheduled(user), "没有定时发布的文件。"),
        ("published", "近30天发布", recently_published(user), "近30天没有发布文件。"),
    ]:
        panels.append(Panel(key, title, qs.count(), list(qs[:LIST_LIMIT]), empty))
        if key == "waiting" and permissions.can_anywhere(user, permissions.MASK):
            held = held_imports(user)
            panels.append(Panel("held_imports", "导入暂缓公开（检查发现问题）", held.count(),
                                with_import_findings(list(held[:LIST_LIMIT])), "没有因检查发现问题而暂缓公开的导入文件。"))
    cited = lifecycle.cited_invalid_for(user)
    panels.append(Panel("cited", "所引用文件已失效或废止", len(cited), cited[:LIST_LIMIT], "没有引用已失效或废止文件的文件。"))
    if permissions.can_anywhere(user, permissions.MONITOR):
        from gongkai.monitor import services as monitor

        found = list(monitor.open_findings(user, limit=LIST_LIMIT + 1))
        panels.append(Panel("monitor", "网站监测发现", monitor.open_count(user), found[:LIST_LIMIT], "最近一次监测未发现问题。"))
    if permissions.can_anywhere(user, permissions.APPLICATIONS):
        from gongkai.applications import selectors as applications

        count, items = applications.workbench_panel(user)
        panels.insert(0, Panel("applications", "依申请公开（按答复期限）", count, items[:LIST_LIMIT], "没有待办理的政府信息公开申请。",
                               note=provisional_note(items[:LIST_LIMIT])))
        from gongkai.interaction import ticket_selectors as tickets

        count, items = tickets.workbench_panel(user)
        panels.insert(1, Panel("tickets", "政民互动工单（按办理期限）", count, items[:LIST_LIMIT], "没有待办理的工单。",
                               "interaction/tickets/_workbench_panel.html"))
    from gongkai.interaction import consultation_selectors as consultations, interview_selectors as interviews

    today = timezone.localdate()
    for key, title, (count, items), template in [  # shown only while there is something to do
        ("consultation_feedback", "意见征集采纳情况逾期未公开", consultations.workbench_panel(user, today),
         "interaction/consultations/_workbench.html"),
        ("interview_answers", "在线访谈待答复问题", interviews.workbench_panel(user, today),
         "interaction/interviews/_workbench.html"),
    ]:
        if count:
            panels.append(Panel(key, title, count, items, template=template))
    from gongkai.reports import selectors as reports

    count, items = reports.workbench_panel(user, today)  # from 1 January until last year's report is public
    if count:
        panels.append(Panel("annual_report", "政府信息公开工作年度报告（公布期限）", count, items,
                            template="reports/_workbench_panel.html"))
    return panels


def history(doc: Document) -> list[ReviewStep]:
    return list(ReviewStep.objects.filter(document=doc).select_related("actor"))


def last_comment(doc: Document) -> ReviewStep | None:
    return ReviewStep.objects.filter(document=doc).exclude(comment="").order_by("-at", "-id").first()
