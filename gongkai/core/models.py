"""Organisations (机构): the tree every catalog entry, user and task hangs from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from . import creditcode


def validate_credit_code(value: str) -> None:
    try:
        creditcode.validate(value)
    except creditcode.CreditCodeError as exc:
        raise ValidationError(exc.message, code="credit_code") from exc


MAX_REVIEW_LEVELS = 5


class Organisation(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        TOWNSHIP = "township", "乡镇（街道）"
        DEPARTMENT = "department", "部门"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    issuer_code = models.CharField("机关代字", max_length=30, blank=True, help_text="如：渝府办发")
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    index_prefix = models.CharField(
        "索引号前段码",
        max_length=30,
        unique=True,
        help_text="通常为统一社会信用代码或组织机构代码；索引号为“前段码/年份-流水号”。",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    review_levels = models.PositiveSmallIntegerField(
        "审核级数",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_LEVELS)],
        help_text="发布前的审核级数（默认三审：初审、复审、终审），之后还须保密审查。",
    )

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = creditcode.normalise(self.credit_code)
        if not self.index_prefix and self.credit_code:
            self.index_prefix = self.credit_code
        if self.index_prefix and ("/" in self.index_prefix or " " in self.index_prefix):
            raise ValidationError({"index_prefix": "索引号前段码不能包含“/”或空格。"})
        # A parent must not be the organisation itself or one of its descendants.
        if self.pk and self.parent_id:
            if self.parent_id in self.descendant_ids():
                raise ValidationError({"parent": "上级机构不能是本机构或其下级机构。"})

    def descendant_ids(self) -> set[int]:
        """This organisation and every organisation below it (one query per level)."""
        return descendant_ids([self.pk])

    def government_level(self) -> str | None:
        """The level of the government the organisation belongs to: its own
        for a government, the nearest government above for a department (a
        province's 财政厅 is provincial, a county's 民政局 county-level); None
        for a department with no government above it."""
        node, hops = self, 0
        while node is not None and node.level == self.Level.DEPARTMENT and hops < 20:
            node, hops = node.parent, hops + 1
        return node.level if node is not None and node.level != self.Level.DEPARTMENT else None

    def ancestors(self) -> list["Organisation"]:
        chain, node = [], self.parent
        while node is not None and len(chain) < 20:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


def subtree_ids(model, root_ids) -> set[int]:
    """The rows given and every row below them in a tree kept by a `parent`
    foreign key (organisations, topics): one query per level."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(model.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def descendant_ids(root_ids) -> set[int]:
    """The organisations given and all their subordinate bodies."""
    return subtree_ids(Organisation, root_ids)


class Role(models.TextChoices):
    """What a user may do in an organisation (see gongkai.core.permissions)."""

    DRAFTER = "drafter", "起草人"
    REVIEWER = "reviewer", "审核人"
    SECRECY_REVIEWER = "secrecy", "保密审查人"
    PUBLISHER = "publisher", "发布人"
    HANDLER = "handler", "依申请公开承办人"
    OFFICE_ADMIN = "office_admin", "政务公开办管理员"


REVIEW_LEVEL_NAMES = {1: "初审", 2: "复审", 3: "终审", 4: "第四级审核", 5: "第五级审核"}


def review_level_name(level: int, levels: int = 3) -> str:
    """初审/复审/终审: the last configured level is always 终审."""
    if level == levels and levels > 1:
        return "终审"
    return REVIEW_LEVEL_NAMES.get(level, f"第{level}级审核")


class Membership(models.Model):
    """A role a user holds in one organisation. A reviewer holds it at one
    review level; an office administrator's role reaches the organisations
    below (see gongkai.core.permissions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, verbose_name="机构", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    review_level = models.PositiveSmallIntegerField(
        "审核级别", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_LEVELS)]
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        ordering = ["organisation_id", "role", "review_level", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role", "review_level"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.role_label}"

    @property
    def role_label(self) -> str:
        label = Role(self.role).label
        if self.role == Role.REVIEWER and self.review_level:
            return f"{label}（{review_level_name(self.review_level, self.organisation.review_levels)}）"
        return label

    def clean(self) -> None:
        if self.role == Role.REVIEWER:
            if not self.review_level:
                raise ValidationError({"review_level": "审核人必须指定审核级别。"})
            if self.organisation_id and self.review_level > self.organisation.review_levels:
                raise ValidationError(
                    {"review_level": f"本机构只设{self.organisation.review_levels}级审核，审核级别不能超过该数。"}
                )
        elif self.review_level:
            raise ValidationError({"review_level": "只有审核人需要审核级别。"})


class AuditEntry(models.Model):
    """One line of the tamper-evident audit log (see gongkai.core.audit): who did
    what to which object, with hashes of the object before and after. Each
    entry's hash covers its fields and the previous entry's hash: keyed
    (HMAC-SHA256, with a key kept out of the database) since 0008, plain
    SHA-256 before (`scheme` says which)."""

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    at = models.DateTimeField("时间", editable=False)
    actor = models.CharField("操作人", max_length=150, blank=True, editable=False)
    action = models.CharField("操作", max_length=50, editable=False)
    object_type = models.CharField("对象类型", max_length=50, editable=False)
    object_id = models.CharField("对象", max_length=64, blank=True, editable=False)
    detail = models.JSONField("说明", default=dict, blank=True, editable=False)
    before_hash = models.CharField("变更前指纹", max_length=64, blank=True, editable=False)
    after_hash = models.CharField("变更后指纹", max_length=64, blank=True, editable=False)
    prev_hash = models.CharField("上一条指纹", max_length=64, editable=False)
    entry_hash = models.CharField("本条指纹", max_length=64, unique=True, editable=False)
    # "sha256" (entries written before 0008) or "hmac-sha256:<key id>".
    scheme = models.CharField("指纹算法", max_length=40, default="sha256", editable=False)
    # What the public saw of the object after the change (a published
    # document's content hash; "" when not published; NULL: not recorded).
    content_hash = models.CharField("公开内容指纹", max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's end (one row): appends queue on its lock, and removing the
    last entries shows as a head that points past the log."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)


# --- The working-day calendar (see gongkai.core.calendar) ---------------------


class CalendarYear(models.Model):
    """The office has entered this year's official schedule (the State
    Council's notice of holidays and adjusted working days) as CalendarDay
    rows: the calendar then covers the year even where the chinese_calendar
    package has no data for it."""

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, validators=[MinValueValidator(1949), MaxValueValidator(2199)]
    )
    note = models.CharField(
        "依据", max_length=200, blank=True,
        help_text="如：国务院办公厅关于该年部分节假日安排的通知（国办发明电〔〕号）",
    )
    declared_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class HolidayNotice(models.Model):
    """A State Council holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知,
    or an amendment of one) as the office imported it: its days are the
    CalendarDay rows that point to it (gongkai.core.services.calendar_import_notice)."""

    year = models.PositiveSmallIntegerField(
        "年份", validators=[MinValueValidator(1949), MaxValueValidator(2199)]
    )
    title = models.CharField("标题", max_length=200, blank=True)
    number = models.CharField("文号", max_length=50, blank=True)
    is_amendment = models.BooleanField(
        "调整通知", default=False, help_text="调整某个节日安排的通知（如关于调整2019年劳动节假期安排的通知），只替换它所写节日的日期。"
    )
    festivals = models.JSONField("安排的节日", default=list)
    days_off = models.JSONField("放假日期", default=list)
    workdays = models.JSONField("调休上班日期", default=list)
    digest = models.CharField("内容摘要", max_length=64, db_index=True)
    text = models.TextField("通知原文")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.CharField("导入人", max_length=150, blank=True)

    class Meta:
        verbose_name = "节假日安排通知"
        verbose_name_plural = "节假日安排通知"
        ordering = ["-year", "-imported_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"{self.year}年节假日安排"


class CalendarDay(models.Model):
    """One date as the office works it, overriding the chinese_calendar
    package: a holiday (春节), an adjusted working weekend (调休上班), a local
    holiday (地方节假日). Rows read from a holiday notice point to it."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "上班", default=False, help_text="勾选：当天上班（如调休上班日）；不勾选：当天休息（如节假日）。"
    )
    name = models.CharField("名称", max_length=50, help_text="如：春节、调休上班、地方节假日")
    note = models.CharField("备注", max_length=200, blank=True)
    notice = models.ForeignKey(
        HolidayNotice, verbose_name="来源通知", null=True, blank=True, on_delete=models.CASCADE,
        related_name="days", help_text="从节假日安排通知导入的日期；手工录入的为空。",
    )
    festival = models.CharField("通知条目", max_length=50, blank=True,
                                help_text="导入时所属的通知条目，如“中秋节、国庆节”。")

    class Meta:
        verbose_name = "工作日历日期"
        verbose_name_plural = "工作日历日期"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}（{'上班' if self.is_workday else '休息'}）"


class ContentGeneration(models.Model):
    """One row: a number bumped after every committed change to what the
    public site shows (gongkai.core.generation). Cached public pages are keyed
    by it, so a change makes every cached page stale at once."""

    number = models.BigIntegerField(default=0)
    # New at every bump: a number seen again (a restored backup, a rolled-back
    # transaction) never brings back pages cached for other content.
    token = models.CharField(max_length=16, default="")
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "公开内容版本"
        verbose_name_plural = "公开内容版本"


class ScheduledJob(models.Model):
    """One row per periodic job (the list in gongkai.jobs, run by
    gongkai.core.scheduler): the scheduler locks it to enqueue the job when
    it is due, so that any number of workers enqueue each due job once."""

    name = models.CharField("任务", max_length=200, unique=True)  # the task's import path
    next_due = models.DateTimeField("下次执行", null=True, blank=True)  # empty: due at the next tick
    last_run = models.DateTimeField("上次执行", null=True, blank=True)  # when the scheduler last enqueued it
    last_error = models.TextField("上次错误", blank=True)  # empty once a run succeeds
    last_error_at = models.DateTimeField("出错时间", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name


class SiteIdentity(models.Model):
    """What a public site says it is (issue 18, 集约化): the 机关名称, emblem and
    footer fields of one organisation's sub-site, edited by its office. A
    blank field is inherited from the nearest organisation above that has one
    (see `resolve_site_identity`), so one row at the root serves every body
    that has nothing of its own; only 机关名称 is never inherited (it defaults
    to the organisation's own name)."""

    organisation = models.OneToOneField(
        Organisation, verbose_name="机构", on_delete=models.CASCADE, related_name="site_identity"
    )
    site_name = models.CharField("网站名称", max_length=100, blank=True, help_text="页面标题和 SiteName 标签；空则沿用上级或系统设置。")
    agency_name = models.CharField("机关名称", max_length=100, blank=True, help_text="空则为机构名称。")
    emblem = models.FileField("标识图片", upload_to="site/emblems/", blank=True)
    sponsor = models.CharField("主办单位", max_length=100, blank=True)
    operator = models.CharField("承办单位", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=50, blank=True)
    email = models.EmailField("电子邮箱", max_length=100, blank=True)
    domain = models.CharField("网站域名", max_length=100, blank=True, help_text="SiteDomain 标签，如 www.example.gov.cn。")
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    icp_number = models.CharField("ICP备案号", max_length=50, blank=True)
    police_number = models.CharField("公安机关备案号", max_length=50, blank=True)
    party_mark_url = models.URLField("党政机关网站标识链接", max_length=300, blank=True)
    error_report_url = models.URLField("“我为政府网站找错”链接", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网站标识"
        verbose_name_plural = "网站标识"

    def __str__(self) -> str:
        return f"{self.organisation} 网站标识"


# The fields a sub-site inherits from the organisations above when its own is blank.
INHERITED_IDENTITY_FIELDS = (
    "site_name", "emblem", "sponsor", "operator", "address", "phone", "email", "domain",
    "site_code", "icp_number", "police_number", "party_mark_url", "error_report_url",
)


class ResolvedIdentity:
    """An organisation's site identity with inheritance applied: plain
    attributes for templates; `emblem_owner` is the organisation whose emblem
    is shown (None: no emblem anywhere up the tree)."""

    def __init__(self, organisation: Organisation | None, values: dict, emblem_owner: int | None):
        self.organisation = organisation
        self.emblem_owner = emblem_owner
        for name in INHERITED_IDENTITY_FIELDS:
            setattr(self, name, values.get(name, ""))
        self.agency_name = values.get("agency_name") or (organisation.name if organisation else "")
        if not self.site_name:
            self.site_name = settings.GONGKAI_SITE_NAME

    @property
    def has_contact(self) -> bool:
        return bool(self.address or self.phone or self.email)

    @property
    def has_records(self) -> bool:
        return bool(self.site_code or self.icp_number or self.police_number)


def resolve_site_identity(organisation: Organisation | None) -> ResolvedIdentity:
    """The identity `organisation`'s sub-site shows: its own fields, each
    blank one taken from the nearest organisation above that has it. Two
    queries (the chain up the tree is short). None: the installation's own
    site, i.e. the first top-level organisation."""
    if organisation is None:
        organisation = Organisation.objects.filter(parent__isnull=True).order_by("sort_order", "id").first()
        if organisation is None:
            return ResolvedIdentity(None, {}, None)
    chain = [organisation, *reversed(organisation.ancestors())]  # nearest first
    rows = {row.organisation_id: row for row in SiteIdentity.objects.filter(organisation__in=[o.pk for o in chain])}
    values: dict = {}
    emblem_owner = None
    own = rows.get(organisation.pk)
    if own is not None and own.agency_name:
        values["agency_name"] = own.agency_name
    for org in chain:
        row = rows.get(org.pk)
        if row is None:
            continue
        for name in INHERITED_IDENTITY_FIELDS:
            if name in values:
                continue
            value = getattr(row, name)
            if value:
                values[name] = value.name if name == "emblem" else value
                if name == "emblem":
                    emblem_owner = org.pk
    return ResolvedIdentity(organisation, values, emblem_owner)
