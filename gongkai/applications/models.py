"""Disclosure applications (依申请公开): the application, the events that make
its clock (gongkai.applications.deadlines derives every due date from them,
nothing is stored by hand), its reply, its fees and the reconsideration and
lawsuit cases about it."""

from django.conf import settings
from django.db import models

from gongkai.core.models import Organisation
from gongkai.core.statute import APPLICANT_TYPES, REPLY_OUTCOME_CHOICES


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
    /media/ serves) and handed out only by views that check who asks."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def application_file_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class ApplicationFile(models.Model):
    """A file the applicant sent (identity proof, a corrected request) or one
    disclosed with the reply."""

    class Role(models.TextChoices):
        FROM_APPLICANT = "applicant", "申请人提交"
        DISCLOSED = "disclosed", "公开的信息"
        LETTER = "letter", "告知书"

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="files")
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
