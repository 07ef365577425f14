"""Disclosure applications (依申请公开): the application, the events that make
its clock (gongkai.applications.deadlines derives every due date from them,
nothing is stored by hand), its reply, its fees and the reconsideration and
lawsuit cases about it."""

from django.conf import settings
from django.db import models

from gongkai.core.models import Organisation
from gongkai.core.statute import APPLICANT_TYPES, REPLY_OUTCOME_CHOICES

from . import notice_flow


class Application(models.Model):
    class Channel(models.TextChoices):
        # Art. 31: what the date of receipt is for each way in.
        ONLINE = "online", "互联网（网上申请）"
        IN_PERSON = "in_person", "当面提交"
        POST = "post", "邮寄（需签收）"
        LETTER = "letter", "平常信函"
        FAX = "fax", "传真"

    class State(models.TextChoices):
        PENDING = "pending", "待确认收到"       # online/letter/fax before the receipt is confirmed
        PROCESSING = "processing", "办理中"
        CORRECTION = "correction", "待补正"
        PAUSED = "paused", "征求意见/待缴费"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已终止"
        TRANSFERRED = "transferred", "已转送"
        MERGED = "merged", "已合并"

    class Form(models.TextChoices):
        PAPER = "paper", "纸质"
        ELECTRONIC = "electronic", "电子"
        EITHER = "either", "纸质或电子均可"

    class Delivery(models.TextChoices):
        POST = "post", "邮寄"
        EMAIL = "email", "电子邮件"
        PICKUP = "pickup", "当面领取"
        ONLINE = "online", "网上查看"

    organisation = models.ForeignKey(Organisation, verbose_name="受理机关", on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    tracking_hash = models.CharField("查询码指纹", max_length=64, unique=True, editable=False)

    applicant_type = models.CharField("申请人类型", max_length=20, choices=APPLICANT_TYPES)
    applicant_name = models.CharField("姓名或名称", max_length=100)
    id_document = models.CharField("身份证明（证件类型及号码或统一社会信用代码）", max_length=100)
    legal_representative = models.CharField("法定代表人或负责人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)

    info_title = models.CharField("所需信息名称", max_length=300, blank=True)
    info_number = models.CharField("文号", max_length=80, blank=True)
    info_description = models.TextField("所需信息的特征性描述", blank=True)
    form = models.CharField("信息的载体形式", max_length=12, choices=Form.choices, default=Form.ELECTRONIC)
    delivery = models.CharField("获取信息的方式", max_length=12, choices=Delivery.choices, default=Delivery.EMAIL)

    channel = models.CharField("申请渠道", max_length=12, choices=Channel.choices)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收到申请日期", null=True, blank=True,
                                   help_text="按条例第三十一条确定；网上、传真、平常信函以双方确认之日为准。")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING, db_index=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField("办理结果", max_length=40, choices=REPLY_OUTCOME_CHOICES, blank=True)
    closed_on = models.DateField("答复或终止日期", null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    transferred_to = models.ForeignKey(Organisation, verbose_name="转送机关", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-year", "-serial"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "serial"], name="application_unique_number")]
        indexes = [models.Index(fields=["organisation", "state"], name="application_org_state")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """申请编号: 依申〔2024〕12号, per organisation and year."""
        prefix = self.organisation.short_name or self.organisation.name if self.organisation_id else ""
        return f"{prefix}依申〔{self.year}〕{self.serial}号"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.PROCESSING, self.State.CORRECTION, self.State.PAUSED)


class ApplicationCounter(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="application_counter_unique")]


class Event(models.Model):
    """One step in an application's life. The deadline engine reads the
    dated events (kind, on) and nothing else."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "收到申请"
        ASSIGNED = "assigned", "分办"
        CORRECTION_REQUESTED = "correction_requested", "告知补正"
        CORRECTED = "corrected", "收到补正"
        CORRECTION_EXPIRED = "correction_expired", "逾期未补正"
        EXTENDED = "extended", "延期答复"
        THIRD_PARTY_SENT = "third_party_sent", "征求第三方意见"
        THIRD_PARTY_ANSWERED = "third_party_answered", "第三方答复"
        ORGAN_SENT = "organ_sent", "征求其他机关意见"
        ORGAN_ANSWERED = "organ_answered", "其他机关答复"
        FEE_NOTICE = "fee_notice", "收费通知"
        FEE_PAID = "fee_paid", "缴纳费用"
        FEE_EXPIRED = "fee_expired", "逾期未缴费"
        TRANSFERRED = "transferred", "转送"
        MERGED = "merged", "合并"
        REPLIED = "replied", "答复"
        CLOSED = "closed", "终止"
        OVERDUE = "overdue", "已超期"
        NOTE = "note", "备注"

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=24, choices=Kind.choices)
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    note = models.TextField("说明", blank=True)
    public_note = models.CharField("公开说明（申请人可见）", max_length=300, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "办理事项"
        verbose_name_plural = "办理事项"
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["application", "on"], name="event_app_on")]


def private_storage():
    """Applicants' files hold personal data: kept outside MEDIA_ROOT (which
    /media/ serves) and handed out only by views that check who asks:
    settings.STORAGES["private"], a local folder or object storage."""
    from gongkai.core.storage import private_storage as storage

    return storage


def application_file_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class ApplicationFile(models.Model):
    """A file the applicant sent (identity proof, a corrected request) or one
    disclosed with the reply."""

    class Role(models.TextChoices):
        FROM_APPLICANT = "applicant", "申请人提交"
        DISCLOSED = "disclosed", "公开的信息"
        LETTER = "letter", "告知书"
        # Attached to a reply not yet sent: disclosed (and shown to the applicant) when it is sent.
        PENDING = "pending", "待随答复提供"

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="files")
    notice = models.ForeignKey("Notice", verbose_name="随附的告知书", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="files")
    role = models.CharField("类别", max_length=12, choices=Role.choices)
    file = models.FileField("文件", upload_to=application_file_path, storage=private_storage)
    name = models.CharField("名称", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请相关文件"
        verbose_name_plural = "申请相关文件"
        ordering = ["id"]


class Reply(models.Model):
    """The reply letter (告知书) of an application: its outcome decides the
    template and the annual report's row (gongkai.core.statute.REPLY_OUTCOMES)."""

    application = models.OneToOneField(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="reply")
    outcome = models.CharField("办理结果", max_length=40, choices=REPLY_OUTCOME_CHOICES)
    letter_number = models.CharField("告知书编号", max_length=80)
    issued_on = models.DateField("答复日期")
    reasons = models.TextField("理由和依据说明", blank=True)
    provided = models.TextField("提供的信息及方式", blank=True)
    where_published = models.CharField("已主动公开的获取途径", max_length=300, blank=True)
    responsible_organ = models.CharField("负责公开的机关及联系方式", max_length=300, blank=True)
    body = models.TextField("告知书正文", blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "答复告知书"
        verbose_name_plural = "答复告知书"


class LetterTemplate(models.Model):
    """An organisation's wording of one reply-letter template. It applies to
    that organisation and every one below unless a lower one has its own;
    without an organisation it is the installation's default (the system
    administrator's), over the shipped wording (letters.DEFAULT_TEMPLATES)."""

    organisation = models.ForeignKey(Organisation, verbose_name="机构（留空为默认文字）", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    key = models.CharField("模板", max_length=30)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文模板", help_text="可用占位符：{applicant}、{received}、{request}、{reasons}、{provided}、{article}、{where}、{responsible}")

    class Meta:
        verbose_name = "告知书模板"
        verbose_name_plural = "告知书模板"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="letter_template_org_key"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(organisation__isnull=True),
                                    name="letter_template_default_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Fee(models.Model):
    """信息处理费 (Art. 42): the notice, and its payment."""

    class Basis(models.TextChoices):
        PER_ITEM = "item", "按件计收"
        PER_PAGE = "page", "按量计收"

    application = models.OneToOneField(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="fee")
    basis = models.CharField("计收方式", max_length=8, choices=Basis.choices)
    quantity = models.PositiveIntegerField("件数或页数")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    notified_on = models.DateField("通知日期")
    paid_on = models.DateField("缴费日期", null=True, blank=True)

    class Meta:
        verbose_name = "信息处理费"
        verbose_name_plural = "信息处理费"


class NoticeCounter(models.Model):
    """The organisation's series of one kind of notice in one year (its
    numbers are taken at sending time, under this row's lock)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "year"], name="notice_counter_unique")]


class Notice(models.Model):
    """A notice the procedure sends (补正告知书, 延期答复告知书, 征求意见书,
    收费通知书, 答复告知书, 转送告知书): drafted by the handler, signed off,
    then sent, which takes the service action it carries (`payload`) on the
    day it is sent. The moves are notice_flow's table; its history is
    NoticeStep. `parts` and `body` are the letter as issued."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上查看（并以电子邮件通知）"
        EMAIL = "email", "电子邮件发送"
        POST = "post", "邮寄"
        IN_PERSON = "in_person", "当面送达"
        OTHER = "other", "其他方式（传真等）"

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("类别", max_length=20, choices=notice_flow.KIND_CHOICES)
    state = models.CharField("状态", max_length=12, choices=list(notice_flow.STATE_LABELS.items()),
                             default=notice_flow.DRAFT, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)
    payload = models.JSONField("内容", default=dict, blank=True)
    title = models.CharField("标题", max_length=100, blank=True)
    number = models.CharField("文书编号", max_length=80, blank=True)
    year = models.PositiveIntegerField("编号年度", null=True, blank=True)
    serial = models.PositiveIntegerField("编号序号", null=True, blank=True)
    parts = models.JSONField("发出的文书", default=dict, blank=True, editable=False)
    body = models.TextField("发出的文书正文", blank=True, editable=False)
    sent_on = models.DateField("发出日期", null=True, blank=True)
    channel = models.CharField("送达方式", max_length=12, choices=Channel.choices, blank=True)
    delivery_note = models.CharField("送达记录（邮件单号、签收人等）", max_length=200, blank=True)
    delivered_on = models.DateField("送达日期（送达回证签收日期）", null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发出人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "告知书和通知"
        verbose_name_plural = "告知书和通知"
        ordering = ["id"]
        indexes = [models.Index(fields=["application", "kind"], name="notice_app_kind")]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()}（{self.get_state_display()}）"

    @property
    def info(self) -> notice_flow.Kind:
        return notice_flow.KINDS[self.kind]

    @property
    def to_applicant(self) -> bool:
        return self.info.to_applicant

    @property
    def is_open(self) -> bool:
        return self.state in notice_flow.OPEN_STATES


class NoticeStep(models.Model):
    """One move of a notice (the history the signer reads); each keeps the
    version of the content it was taken on, so a returned draft's earlier
    versions stay readable."""

    notice = models.ForeignKey(Notice, verbose_name="告知书", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=12)
    to_state = models.CharField("新状态", max_length=12)
    version = models.PositiveIntegerField("版本")
    payload = models.JSONField("当时的内容", default=dict, blank=True)
    comment = models.TextField("意见", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "告知书办理记录"
        verbose_name_plural = "告知书办理记录"
        ordering = ["at", "id"]


class SignOffPolicy(models.Model):
    """Who signs off an organisation's notices (签发) besides its office head,
    and whether a drafter may sign their own. Set by the office administrators
    of the organisation or one above; it applies to the organisations below
    that have none of their own; without one the strict default holds (the
    office head signs, never their own draft)."""

    organisation = models.OneToOneField(Organisation, verbose_name="机构", on_delete=models.CASCADE,
                                        related_name="signoff_policy")
    drafter_may_sign = models.BooleanField("允许签发人签发本人起草或修改的告知书", default=False)
    signers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="另行指定的签发人", blank=True, related_name="+")
    reason = models.CharField("理由", max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "告知书签发规则"
        verbose_name_plural = "告知书签发规则"

    def __str__(self) -> str:
        return f"{self.organisation} · 告知书签发规则"


class Notification(models.Model):
    """A message to the applicant (e-mail, SMS) and whether it went out. A
    failed one is retried by a periodic job and shown on the application's
    page (gongkai.applications.notify)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="notifications")
    notice = models.ForeignKey(Notice, verbose_name="告知书", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="notifications")
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    recipient = models.CharField("收件人", max_length=254)
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("内容")
    attach_notice = models.BooleanField("附告知书（Word 文档）", default=False)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.CharField("最近一次失败原因", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请人通知"
        verbose_name_plural = "申请人通知"
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_state_next")]


class ReviewCase(models.Model):
    """A reconsideration or lawsuit about an application (annual report table 4)."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", "行政复议"
        LAWSUIT_DIRECT = "lawsuit_direct", "行政诉讼（未经复议直接起诉）"
        LAWSUIT_AFTER = "lawsuit_after", "行政诉讼（复议后起诉）"

    class Result(models.TextChoices):
        UPHELD = "upheld", "结果维持"
        CORRECTED = "corrected", "结果纠正"
        OTHER = "other", "其他结果"
        PENDING = "pending", "尚未审结"

    organisation = models.ForeignKey(Organisation, verbose_name="被申请机关", on_delete=models.PROTECT, related_name="review_cases")
    application = models.ForeignKey(Application, verbose_name="所涉申请", null=True, blank=True, on_delete=models.SET_NULL, related_name="review_cases")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    filed_on = models.DateField("立案日期")
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.PENDING)
    decided_on = models.DateField("审结日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "行政复议和行政诉讼"
        verbose_name_plural = "行政复议和行政诉讼"
        ordering = ["-filed_on"]


# --- the case file (归档, Art. 45) and 依申请转主动 (Art. 44) ----------------------
# Built and read by gongkai.applications.casefile and .proactive.


def case_file_path(instance, filename: str) -> str:
    return f"case_files/{instance.application_id}/{filename}"


class CaseFileRetention(models.Model):
    """How long an organisation keeps its applications' case files (保管期限,
    in years; 0 is permanent). It applies to the organisation and every one
    below unless a lower one sets its own; without any, the installation's
    default (casefile.default_retention_years)."""

    organisation = models.OneToOneField(Organisation, verbose_name="机构", on_delete=models.CASCADE, related_name="+")
    years = models.PositiveSmallIntegerField("保管期限（年，0为永久）")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "案卷保管期限"
        verbose_name_plural = "案卷保管期限"


class CaseFile(models.Model):
    """The case file (案卷) of a closed application: one ZIP in private
    storage with its registration data, every event, letter, notice, fee
    record and file, and an index page. One row per application: a rebuild
    replaces the file. `built_at` is empty until the first build finishes."""

    application = models.OneToOneField(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="case_file")
    file = models.FileField("案卷文件", upload_to=case_file_path, storage=private_storage, blank=True, max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    items = models.PositiveIntegerField("条目数", default=0)
    missing = models.PositiveIntegerField("缺失的文件数", default=0)
    built_at = models.DateTimeField("归档时间", null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField("保管期限（年，0为永久）")
    retain_until = models.DateField("保管至", null=True, blank=True, help_text="空为永久保管")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"


class ProactiveProposal(models.Model):
    """依申请转主动 (Art. 44): information disclosed on request, proposed for
    proactive publication, and the catalog draft made of it (which goes
    through the normal review). One per application."""

    application = models.OneToOneField(Application, verbose_name="申请", on_delete=models.CASCADE,
                                       related_name="proactive_proposal")
    document = models.ForeignKey("catalog.Document", verbose_name="政府信息草稿", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "依申请转主动公开"
        verbose_name_plural = "依申请转主动公开"
