"""The catalog (政府信息公开目录): documents and their metadata."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from gongkai.core import docnumber
from gongkai.core.models import Organisation
from gongkai.core.statute import ON_REQUEST_GROUND_CHOICES, WITHHOLDING_GROUND_CHOICES
from gongkai.core.uploads import content_matches


class Topic(models.Model):
    """主题分类: the national two-level topic list, extendable by the office."""

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_in_parent")]

    def __str__(self) -> str:
        return f"{self.parent.name}\\{self.name}" if self.parent_id else self.name


class Genre(models.Model):
    """体裁分类: the genres real catalogs use (15 公文 kinds and the rest)."""

    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "体裁分类"
        verbose_name_plural = "体裁分类"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


# Genres with rules of their own (names as in data/genres.json).
NORMATIVE_GENRE = "行政规范性文件"
INTERPRETATION_GENRE = "政策解读"


class Document(models.Model):
    """政府信息: one catalog entry."""

    class Status(models.TextChoices):
        # The workflow's states; the allowed moves are one table in
        # gongkai.publishing.workflow.
        DRAFT = "draft", "草稿"
        REVIEW = "review", "审核中"
        SECRECY = "secrecy", "保密审查"
        READY = "ready", "待发布"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"
        STOPPED = "stopped", "已终止"

    class InterpretationForm(models.TextChoices):
        NONE = "", "—"
        TEXT = "text", "文字解读"
        GRAPHIC = "graphic", "图文解读"
        VIDEO = "video", "视频解读"

    class Validity(models.TextChoices):
        VALID = "valid", "有效"
        EXPIRED = "expired", "失效"
        ABOLISHED = "abolished", "废止"
        AMENDED = "amended", "已修订"
        NOT_APPLICABLE = "", "—"

    class Disclosure(models.TextChoices):
        PROACTIVE = "proactive", "主动公开"
        ON_REQUEST = "on_request", "依申请公开"
        WITHHELD = "withheld", "不予公开"

    class NumberStatus(models.TextChoices):
        NONE = "", "无文号"
        STANDARD = docnumber.STATUS_STANDARD, "规范"
        NORMALISED = docnumber.STATUS_NORMALISED, "已规范化"
        UNPARSED = docnumber.STATUS_UNPARSED, "无法识别（保留原文）"

    organisation = models.ForeignKey(Organisation, verbose_name="发布机构", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("标题", max_length=300)
    index_number = models.CharField("索引号", max_length=60, unique=True, null=True, blank=True, editable=False)
    index_year = models.PositiveIntegerField(null=True, blank=True, editable=False)
    index_serial = models.PositiveIntegerField(null=True, blank=True, editable=False)

    document_number = models.CharField("发文字号", max_length=80, blank=True, db_index=True)
    document_number_raw = models.CharField("发文字号（原文）", max_length=80, blank=True)
    document_number_status = models.CharField(
        "发文字号状态", max_length=12, choices=NumberStatus.choices, blank=True, default=""
    )
    issuer_code = models.CharField("机关代字", max_length=30, blank=True)
    number_year = models.PositiveIntegerField("文号年份", null=True, blank=True)
    number_serial = models.PositiveIntegerField("文号序号", null=True, blank=True)

    topic = models.ForeignKey(Topic, verbose_name="主题分类", null=True, blank=True, on_delete=models.PROTECT)
    genre = models.ForeignKey(Genre, verbose_name="体裁分类", null=True, blank=True, on_delete=models.PROTECT)
    written_date = models.DateField("成文日期", null=True, blank=True)
    published_date = models.DateField("发布日期", null=True, blank=True, db_index=True)
    validity = models.CharField("有效性", max_length=12, choices=Validity.choices, blank=True, default="valid")
    effective_date = models.DateField("施行日期", null=True, blank=True)
    expiry_date = models.DateField("失效/废止日期", null=True, blank=True)
    disclosure = models.CharField("公开属性", max_length=12, choices=Disclosure.choices, default=Disclosure.PROACTIVE)
    disclosure_ground = models.CharField(
        "不公开/依申请公开依据",
        max_length=30,
        blank=True,
        choices=WITHHOLDING_GROUND_CHOICES + ON_REQUEST_GROUND_CHOICES,
    )
    keywords = models.CharField("关键词", max_length=200, blank=True)
    summary = models.TextField("内容概述", blank=True)
    body = models.TextField("正文", blank=True, help_text="经过清洗的HTML")
    body_text = models.TextField("正文纯文本", blank=True, editable=False)

    interpretation_form = models.CharField(
        "解读形式", max_length=10, choices=InterpretationForm.choices, blank=True, default=""
    )

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    review_level = models.PositiveSmallIntegerField("当前审核级别", default=0, editable=False)
    scheduled_at = models.DateTimeField("定时发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    source_url = models.CharField("来源地址", max_length=500, blank=True)
    source_path = models.CharField("导入文件", max_length=500, blank=True)
    content_hash = models.CharField("内容指纹", max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息"
        verbose_name_plural = "政府信息"
        ordering = ["-published_date", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_date"], name="doc_status_pub"),
            models.Index(fields=["organisation", "status"], name="doc_org_status"),
            # The duplicate-number check on every save: without it SQLite walks
            # all of the organisation's documents.
            models.Index(fields=["organisation", "document_number"], name="doc_org_number"),
            # The catalog's facet counts under filters (GROUP BY one of these over
            # the public documents): read from the index alone, never the rows.
            models.Index(
                fields=["status", "disclosure", "organisation", "topic", "genre", "published_date", "validity"],
                name="doc_public_facets",
            ),
            # Everything search filters and sorts on, led by the id: SQLite's
            # search joins each full-text match to it (see gongkai.search.backends)
            # without reading the document row, whose big text columns come first.
            models.Index(
                fields=["id", "status", "disclosure", "published_date", "organisation", "topic", "genre", "validity"],
                name="doc_search_filter",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "index_year", "index_serial"], name="doc_unique_index_serial"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row counted for in the public facet counts when loaded (gongkai.catalog.counts).
        instance._counted = instance.public_facets() if len(values) == len(cls._meta.concrete_fields) else None
        return instance

    def public_facets(self) -> tuple[tuple[str, str], ...]:
        """The (dimension, value) pairs this document counts for in the
        public catalog's facets; () when it is not public."""
        if not self.is_public:
            return ()
        return (
            ("organisation", str(self.organisation_id)),
            ("topic", str(self.topic_id or "")),
            ("genre", str(self.genre_id or "")),
            ("year", str(self.published_date.year) if self.published_date else ""),
            ("validity", self.validity or ""),
            ("all", ""),
            ("cell", cell_key(self.organisation_id, self.topic_id, self.genre_id,
                              self.published_date.year if self.published_date else None, self.validity)),
        )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.disclosure == self.Disclosure.PROACTIVE

    @property
    def is_normative(self) -> bool:
        return self.genre_id is not None and self.genre.name == NORMATIVE_GENRE

    @property
    def is_interpretation(self) -> bool:
        return self.genre_id is not None and self.genre.name == INTERPRETATION_GENRE

    def get_absolute_url(self) -> str:
        if self.index_number:
            return reverse("portal:document", args=[self.index_number])
        return reverse("portal:document_by_id", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if not (self.title or "").strip():
            errors["title"] = "标题不能为空。"
        if self.written_date and self.published_date and self.written_date > self.published_date:
            errors["written_date"] = "成文日期不能晚于发布日期。"
        if self.disclosure in (self.Disclosure.WITHHELD, self.Disclosure.ON_REQUEST) and not self.disclosure_ground:
            errors["disclosure_ground"] = "不予公开或依申请公开的信息必须选择法定依据。"
        if self.expiry_date and self.effective_date and self.expiry_date < self.effective_date:
            errors["expiry_date"] = "失效日期不能早于施行日期。"
        if errors:
            raise ValidationError(errors)

    @property
    def keyword_list(self) -> list[str]:
        import re

        return [k for k in re.split(r"[\s,，;；、]+", self.keywords or "") if k]


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.document_id or 'new'}/{filename}"


ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".ofd": "application/ofd",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".zip": "application/zip",
}


class AttachmentManager(models.Manager):
    """Attachments without their text (as long as the text limit allows):
    pages, the audit's content check and the admin list attachments often
    and never need it; `attachment.text` fetches it when read."""

    def get_queryset(self):
        return super().get_queryset().defer("text")


def validate_attachment(file) -> None:
    ext = os.path.splitext(file.name)[1].lower()
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            "附件类型“%(ext)s”不允许上传；允许：%(allowed)s。",
            params={"ext": ext or "无扩展名", "allowed": "、".join(sorted(ALLOWED_ATTACHMENT_TYPES))},
        )
    if file.size > settings.GONGKAI_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            "附件大小超过上限（%(limit)d MB）。", params={"limit": settings.GONGKAI_ATTACHMENT_MAX_BYTES // 1048576}
        )
    # The content must match the extension for the binary formats we can recognise.
    if not content_matches(file, ext):
        raise ValidationError("附件内容与扩展名“%(ext)s”不符，请检查文件。", params={"ext": ext})


class Attachment(models.Model):
    """A file of a document. Its text (for the privacy scan) is read once by
    the background worker (gongkai.publishing.attachment_text), never while
    a page is served; `text_status` says how far that got. The file is served
    only while a row points at it, and removed once its row's deletion commits."""

    class TextStatus(models.TextChoices):
        PENDING = "pending", "正在读取附件内容"
        READ = "read", "已读取"
        TOO_LARGE = "too_large", "附件过大，未能自动读取全部内容"
        UNREADABLE = "unreadable", "附件无法读取"
        NO_TEXT = "no_text", "该格式没有可读取的文字"

    document = models.ForeignKey(Document, verbose_name="政府信息", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, validators=[validate_attachment])
    name = models.CharField("名称", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0, editable=False)
    content_type = models.CharField("类型", max_length=100, blank=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    text = models.TextField("附件文字", blank=True, editable=False)
    text_status = models.CharField("文字读取状态", max_length=12, choices=TextStatus.choices,
                                   default=TextStatus.PENDING, editable=False)
    # Reads started: a file that kills the worker is not tried for ever.
    text_attempts = models.PositiveSmallIntegerField("读取次数", default=0, editable=False)

    objects = AttachmentManager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["sort_order", "id"]
        # The worker looks for these on every tick.
        indexes = [models.Index(fields=["id"], condition=models.Q(text_status="pending"),
                                name="attachment_text_pending")]

    def __str__(self) -> str:
        return self.name or os.path.basename(self.file.name)

    def save(self, *args, **kwargs):
        if self.file:
            self.size = self.file.size
            ext = os.path.splitext(self.file.name)[1].lower()
            self.content_type = ALLOWED_ATTACHMENT_TYPES.get(ext, "application/octet-stream")
            if not self.name:
                self.name = os.path.basename(self.file.name)
            if not getattr(self.file, "_committed", True):  # a new file: its text is read again
                self.text, self.text_status, self.text_attempts = "", self.TextStatus.PENDING, 0
        super().save(*args, **kwargs)


def remove_file_after_commit(file, using: str = "default") -> None:
    """Delete an attachment's file once the current transaction commits (a
    rollback keeps it), unless a row still points at it then."""
    from gongkai.core.db import after_commit

    name, storage = file.name, file.storage
    if not name:
        return

    def remove():
        if not Attachment.objects.using(using).filter(file=name).exists():
            storage.delete(name)

    after_commit(remove, using=using)


def _attachment_deleted(sender, instance, using=None, **kwargs):
    # Every way a row goes (its document deleted, a queryset, the admin).
    remove_file_after_commit(instance.file, using or "default")


models.signals.post_delete.connect(_attachment_deleted, sender=Attachment, dispatch_uid="catalog-attachment-file")


class Relation(models.Model):
    """A typed link between two documents. The target may be outside the catalog
    (a cited national document): then only its title and number are kept."""

    class Kind(models.TextChoices):
        CITES = "cites", "引用"
        INTERPRETS = "interprets", "解读"
        AMENDS = "amends", "修订"
        ABOLISHES = "abolishes", "废止"
        FORWARDS = "forwards", "转发"
        FEEDBACK = "feedback", "意见采纳情况反馈"  # a consultation's adoption feedback -> the decision it concerns

    # How a document's page names the documents it is related to, from its own
    # side: what it relates to (OUTGOING_LABELS: "被本文件废止") and what relates
    # to it (INVERSE_LABELS: "本文件的解读").
    OUTGOING_LABELS = {
        "cites": "本文件引用",
        "interprets": "本文件解读的文件",
        "amends": "被本文件修订",
        "abolishes": "被本文件废止",
        "forwards": "本文件转发",
        "feedback": "所涉决策文件",
    }
    INVERSE_LABELS = {
        "cites": "引用本文件",
        "interprets": "本文件的解读",
        "amends": "修订本文件",
        "abolishes": "废止本文件",
        "forwards": "转发本文件",
        "feedback": "公开征求意见采纳情况",
    }

    source = models.ForeignKey(Document, verbose_name="本文件", on_delete=models.CASCADE, related_name="outgoing")
    kind = models.CharField("关系", max_length=12, choices=Kind.choices)
    target = models.ForeignKey(
        Document, verbose_name="目标文件", null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming"
    )
    target_title = models.CharField("目标标题", max_length=300, blank=True)
    target_document_number = models.CharField("目标文号", max_length=80, blank=True, db_index=True)

    class Meta:
        verbose_name = "文件关系"
        verbose_name_plural = "文件关系"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "target_title", "target_document_number"], name="relation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target or self.target_title}"

    def clean(self) -> None:
        if self.target_id and self.target_id == self.source_id:
            raise ValidationError("文件不能与自身建立关系。")
        if not self.target_id and not (self.target_title or self.target_document_number):
            raise ValidationError("请选择目标文件，或填写目标标题或文号。")

    @property
    def inverse_label(self) -> str:
        return self.INVERSE_LABELS[self.kind]


class CleanupCampaign(models.Model):
    """清理: an organisation reviews its normative documents (keep, amend,
    abolish); closing it applies the decisions and drafts the published list
    of abolished and expired documents."""

    class State(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已完成"

    organisation = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.PROTECT, related_name="cleanups")
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    result_document = models.ForeignKey(
        Document, verbose_name="清理结果文件", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "规范性文件清理"
        verbose_name_plural = "规范性文件清理"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CleanupItem(models.Model):
    class Decision(models.TextChoices):
        UNDECIDED = "", "待定"
        KEEP = "keep", "继续有效"
        AMEND = "amend", "修订"
        ABOLISH = "abolish", "废止"

    campaign = models.ForeignKey(CleanupCampaign, verbose_name="清理", on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(Document, verbose_name="文件", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField("处理意见", max_length=10, choices=Decision.choices, blank=True, default="")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "清理事项"
        verbose_name_plural = "清理事项"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "document"], name="cleanup_item_unique")]


class PublicCount(models.Model):
    """How many public documents each facet value has (organisation, topic,
    genre, year, validity; "all" for the total), maintained on every change
    (gongkai.catalog.counts) so that the home page and the unfiltered catalog
    never recount a million rows."""

    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=32, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "key"], name="public_count_unique")]


def cell_key(organisation_id, topic_id, genre_id, year, validity) -> str:
    """A FacetCell's key in the maintained deltas (gongkai.catalog.counts)."""
    return f"{organisation_id or 0}|{topic_id or 0}|{genre_id or 0}|{year or 0}|{validity or ''}"


class FacetCell(models.Model):
    """How many public documents share one combination of organisation,
    topic, genre, publication year and validity (0 or "" where a document has
    none), maintained like PublicCount. A filtered catalog page counts its
    facets and its total from these cells (a few thousand rows even at a
    million documents) instead of grouping the matching documents."""

    organisation_id = models.PositiveIntegerField()
    topic_id = models.PositiveIntegerField(default=0)
    genre_id = models.PositiveIntegerField(default=0)
    year = models.PositiveSmallIntegerField(default=0)
    validity = models.CharField(max_length=16, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation_id", "topic_id", "genre_id", "year", "validity"],
                                    name="facet_cell_unique")
        ]
        indexes = [models.Index(fields=["year", "validity"], name="facet_cell_year")]


class IndexNumberCounter(models.Model):
    """Last serial handed out per organisation and year; locked on publication."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="counter_unique_org_year")]


# --- 政府公报 (the gazette) ----------------------------------------------------


GAZETTE_PDF_MAX_BYTES = 50 * 1024 * 1024  # a printed issue of 100-odd pages with images


def gazette_pdf_path(instance: "GazetteIssue", filename: str) -> str:
    return f"gazette/{instance.organisation_id}/{instance.year}/{filename}"


def validate_gazette_pdf(file) -> None:
    """The printed issue: a real PDF (by its first bytes, not its name), within the size limit."""
    if os.path.splitext(file.name)[1].lower() != ".pdf":
        raise ValidationError("公报印刷版只能上传PDF文件（.pdf）。")
    limit = getattr(settings, "GONGKAI_GAZETTE_PDF_MAX_BYTES", GAZETTE_PDF_MAX_BYTES)
    if file.size > limit:
        raise ValidationError("PDF文件大小超过上限（%(limit)d MB）。", params={"limit": limit // 1048576})
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise ValidationError("文件内容不是PDF，请上传公报印刷版的PDF文件。")


class GazetteIssue(models.Model):
    """政府公报: one issue of an organisation's gazette (YYYY年第N期（总第M期）,
    or a merged issue 第N-M期), its table of contents of catalog documents
    (GazetteEntry) and an optional PDF of the printed issue. Only published
    issues are shown to the public (gongkai.catalog.gazette)."""

    organisation = models.ForeignKey(Organisation, verbose_name="主办机关", on_delete=models.PROTECT,
                                     related_name="gazette_issues")
    name = models.CharField("公报名称", max_length=100, help_text="如：西昌市人民政府公报")
    year = models.PositiveSmallIntegerField("年份")
    number = models.PositiveSmallIntegerField("期号")
    number_to = models.PositiveSmallIntegerField("合刊末期号", null=True, blank=True,
                                                 help_text="合刊时填写，如第3-4期填4；单期不填")
    total_number = models.PositiveIntegerField("总期号", null=True, blank=True)
    published_on = models.DateField("出版日期", null=True, blank=True)
    pdf = models.FileField("印刷版PDF", upload_to=gazette_pdf_path, blank=True, validators=[validate_gazette_pdf])
    pdf_size = models.PositiveBigIntegerField("PDF大小（字节）", default=0, editable=False)
    is_published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府公报"
        verbose_name_plural = "政府公报"
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "number"], name="gazette_issue_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="gazette_issue_number_positive"),
            models.CheckConstraint(
                condition=models.Q(number_to__isnull=True) | models.Q(number_to__gt=models.F("number")),
                name="gazette_issue_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "year"], name="gazette_published_year")]

    def __str__(self) -> str:
        return f"《{self.name}》{self.label}"

    @property
    def numbers(self) -> range:
        return range(self.number, (self.number_to or self.number) + 1)

    @property
    def number_label(self) -> str:
        """第3期, or 第3-4期 for a merged issue."""
        if self.number_to:
            return f"第{self.number}-{self.number_to}期"
        return f"第{self.number}期"

    @property
    def label(self) -> str:
        """2024年第3期（总第738期）."""
        total = f"（总第{self.total_number}期）" if self.total_number else ""
        return f"{self.year}年{self.number_label}{total}"

    def clean(self) -> None:
        errors = {}
        if not (self.name or "").strip():
            errors["name"] = "请填写公报名称。"
        if self.year is not None and not 1949 <= self.year <= 2999:
            errors["year"] = "请填写四位数的年份。"
        if self.number is not None and self.number < 1:
            errors["number"] = "期号从1开始。"
        if self.number_to is not None and self.number is not None and self.number_to <= self.number:
            errors["number_to"] = "合刊末期号必须大于期号（如第3-4期：期号3，末期号4）。"
        if self.published_on and self.year and self.published_on.year not in (self.year, self.year + 1):
            errors["published_on"] = "出版日期与年份不符。"
        if errors:
            raise ValidationError(errors)


class GazetteEntry(models.Model):
    """One line of an issue's 目录: a catalog document, in order, under an
    optional section heading (规章, 政府文件, 办公厅文件, 部门文件, 人事任免 ...)."""

    issue = models.ForeignKey(GazetteIssue, verbose_name="公报", on_delete=models.CASCADE, related_name="entries")
    document = models.ForeignKey(Document, verbose_name="政府信息", on_delete=models.CASCADE,
                                 related_name="gazette_entries")
    order = models.PositiveIntegerField("顺序", default=0)
    section = models.CharField("栏目", max_length=50, blank=True)
    page = models.PositiveIntegerField("页码", null=True, blank=True)

    class Meta:
        verbose_name = "公报目录条目"
        verbose_name_plural = "公报目录条目"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["issue", "document"], name="gazette_entry_unique_document")]

    def __str__(self) -> str:
        return f"{self.issue} {self.document}"
