"""Mailbox and hotline tickets (工单): what a citizen writes to the
government (咨询, 求助, 投诉, 举报, 建议), its dispatch to the organisation that
owns the matter (派单, 退单/派单异议, 协办), its clock in working days
(gongkai.interaction.ticket_deadlines derives the due date from the dated
events; `due_on` is only a stored copy for lists), the replies, the writer's
rating (回访/满意度), its publication after the privacy scan, and the
knowledge base (知识库) of approved answers.

The time limits are data (DeadlinePreset, DeadlineRule), edited by the office
and audited; a ticket keeps the limit of its type under the preset in force
when it was received (`preset`, `limit_workdays`)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gongkai.core.models import Organisation

__all__ = ["TicketType", "DeadlinePreset", "DeadlineRule", "Ticket", "TicketCounter", "TicketEvent", "TicketReply",
           "TicketFile", "KnowledgeEntry"]

MAX_LIMIT_WORKDAYS = 60


class TicketType(models.TextChoices):
    """The kinds of 诉求 in the national practice (国办发〔2020〕53号; 北京市接诉即办工作条例 Art. 2)."""

    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"


class DeadlinePreset(models.Model):
    """A set of time limits, one per ticket type (a region's rule or the
    office's own practice). One preset is the default: new tickets take it."""

    name = models.SlugField("代码", max_length=30, unique=True, help_text="命令行使用的名称，如 seeds、guangdong。")
    title = models.CharField("名称", max_length=100)
    basis = models.TextField("依据", blank=True)
    is_default = models.BooleanField("新工单采用", default=False)

    class Meta:
        verbose_name = "工单办理时限方案"
        verbose_name_plural = "工单办理时限方案"
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="deadline_preset_one_default")]

    def __str__(self) -> str:
        return self.title


class DeadlineRule(models.Model):
    preset = models.ForeignKey(DeadlinePreset, verbose_name="方案", on_delete=models.CASCADE, related_name="rules")
    ticket_type = models.CharField("诉求类型", max_length=12, choices=TicketType.choices)
    workdays = models.PositiveSmallIntegerField(
        "办理时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(MAX_LIMIT_WORKDAYS)])

    class Meta:
        verbose_name = "工单办理时限"
        verbose_name_plural = "工单办理时限"
        ordering = ["preset_id", "id"]
        constraints = [models.UniqueConstraint(fields=["preset", "ticket_type"], name="deadline_rule_unique")]

    def __str__(self) -> str:
        return f"{self.preset.name} {self.get_ticket_type_display()} {self.workdays}"


class Ticket(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网站留言"
        PHONE = "phone", "电话"
        LETTER = "letter", "信件"
        VISIT = "visit", "来访"

    class State(models.TextChoices):
        RECEIVED = "received", "待派单"
        HANDLING = "handling", "办理中"
        DISPUTED = "disputed", "派单异议待审核"
        ANSWERED = "answered", "已答复，待评价"
        CLOSED = "closed", "已办结"
        DIVERTED = "diverted", "已告知其他渠道"

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    class Publication(models.TextChoices):
        NONE = "none", "未公开"
        PENDING = "pending", "待审核公开"
        PUBLISHED = "published", "已公开"
        REFUSED = "refused", "不予公开"

    office = models.ForeignKey(Organisation, verbose_name="受理机构", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="承办单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    co_handlers = models.ManyToManyField(Organisation, verbose_name="协办单位", blank=True, related_name="+")
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    tracking_hash = models.CharField("查询码指纹", max_length=64, unique=True, editable=False)

    ticket_type = models.CharField("诉求类型", max_length=12, choices=TicketType.choices)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    subject = models.CharField("标题", max_length=100)
    text = models.TextField("诉求内容")
    area = models.ForeignKey(Organisation, verbose_name="事发地", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    writer_name = models.CharField("姓名", max_length=50)
    writer_phone = models.CharField("联系电话", max_length=30, blank=True)
    writer_email = models.EmailField("电子邮箱", blank=True)
    writer_address = models.CharField("通信地址", max_length=200, blank=True)
    consent_publish = models.BooleanField("同意公开", default=False)
    confidential = models.BooleanField("要求保密", default=False)

    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("受理日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True)
    preset = models.ForeignKey(DeadlinePreset, verbose_name="时限方案", on_delete=models.PROTECT, related_name="+")
    limit_workdays = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_on = models.DateField("办理期限", null=True, blank=True, db_index=True,
                              help_text="由办理记录计算后保存，供列表排序；以计算结果为准。")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    resolved = models.BooleanField("问题已解决", null=True, blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)

    publication = models.CharField("公开状态", max_length=10, choices=Publication.choices, default=Publication.NONE,
                                   db_index=True)
    public_subject = models.CharField("公开标题", max_length=100, blank=True)
    public_text = models.TextField("公开的来信内容", blank=True)
    public_reply = models.TextField("公开的答复内容", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)

    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-year", "-serial"]
        constraints = [models.UniqueConstraint(fields=["office", "year", "serial"], name="ticket_unique_number")]
        indexes = [models.Index(fields=["organisation", "state"], name="ticket_org_state"),
                   models.Index(fields=["office", "state"], name="ticket_office_state"),
                   models.Index(fields=["publication", "published_on"], name="ticket_published")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """工单编号: 西昌市工单〔2024〕12号, per receiving organisation and year."""
        prefix = (self.office.short_name or self.office.name) if self.office_id else ""
        return f"{prefix}工单〔{self.year}〕{self.serial}号"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.RECEIVED, self.State.HANDLING, self.State.DISPUTED)

    @property
    def responsible_id(self) -> int:
        """The organisation answerable for the ticket now: the lead, or the receiving office before dispatch."""
        return self.organisation_id or self.office_id

    @property
    def never_published(self) -> bool:
        """举报 and confidential tickets are never published."""
        return self.confidential or self.ticket_type == TicketType.REPORT


class TicketCounter(models.Model):
    office = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="ticket_counter_unique")]


class TicketEvent(models.Model):
    """One step in a ticket's life. The clock reads the dated events
    (kind, on, detail["days"]) and nothing else."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "受理"
        DISPATCHED = "dispatched", "派单"
        DISPUTED = "disputed", "派单异议（退单）"
        DISPUTE_UPHELD = "dispute_upheld", "异议成立"
        DISPUTE_REJECTED = "dispute_rejected", "异议不成立"
        COOPERATED = "cooperated", "协办意见"
        RECLASSIFIED = "reclassified", "更改诉求类型"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENDED = "extended", "批准延期"
        EXTENSION_REFUSED = "extension_refused", "不同意延期"
        REPLIED = "replied", "答复"
        FOLLOW_UP = "follow_up", "诉求人补充"
        RATED = "rated", "评价"
        REOPENED = "reopened", "重新办理"
        CLOSED = "closed", "办结"
        DIVERTED = "diverted", "告知其他渠道"
        OVERDUE = "overdue", "已超期"
        PUBLICATION_PREPARED = "publication_prepared", "提请公开"
        PUBLISHED = "published", "公开"
        PUBLICATION_REFUSED = "publication_refused", "不予公开"
        WITHDRAWN = "withdrawn", "撤下公开"

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=24, choices=Kind.choices)
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    actor = models.CharField("操作人", max_length=150, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name="相关单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True)
    public_note = models.CharField("公开说明（诉求人可见）", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "工单办理记录"
        verbose_name_plural = "工单办理记录"
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["ticket", "kind"], name="ticket_event_kind")]


class TicketReply(models.Model):
    """An answer to the writer: one per round (a reopened ticket is answered again)."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField("办理轮次")
    organisation = models.ForeignKey(Organisation, verbose_name="答复单位", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("答复内容")
    replied_on = models.DateField("答复日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "工单答复"
        verbose_name_plural = "工单答复"
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "round"], name="ticket_reply_round")]


def _private_storage():
    """The writer's files hold personal data: outside MEDIA_ROOT, handed out by views that check who asks."""
    from gongkai.core.storage import private_storage

    return private_storage


def ticket_file_path(instance, filename: str) -> str:
    return f"tickets/{instance.ticket_id}/{filename}"


class TicketFile(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=ticket_file_path, storage=_private_storage)
    name = models.CharField("名称", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["id"]


class KnowledgeEntry(models.Model):
    """知识库: an approved question and answer (GB/T 33358-2016: 可存储、可维护、可查询);
    staff search them while answering, citizens search the public ones before writing."""

    class State(models.TextChoices):
        DRAFT = "draft", "待审核"
        APPROVED = "approved", "已审核"
        RETIRED = "retired", "已停用"

    organisation = models.ForeignKey(Organisation, verbose_name="提供单位", on_delete=models.PROTECT, related_name="+")
    question = models.CharField("问题", max_length=200)
    answer = models.TextField("答案")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    is_public = models.BooleanField("向公众公开", default=False)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    source = models.ForeignKey(Ticket, verbose_name="来源工单", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编写人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_on = models.DateField("审核日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库条目"
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.question
