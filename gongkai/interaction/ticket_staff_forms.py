"""Forms of the tickets in the staff workspace: registration of a call, a
letter or a visit, and one small form per action on a ticket. They shape the
input; gongkai.interaction.ticket_services checks the rules and permissions."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from gongkai.core.models import Organisation

from . import ticket_services as services
from .models import KnowledgeEntry, Ticket, TicketType
from .ticket_forms import RESOLVED_CHOICES, governments

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TicketActionForm(forms.Form):
    """Every action form takes the ticket (for its choices and initial values) and the user."""

    use_required_attribute = False

    def __init__(self, *args, ticket: Ticket, user=None, **kwargs):
        self.ticket, self.user = ticket, user
        super().__init__(*args, **kwargs)


def _tree(ticket: Ticket):
    return Organisation.objects.filter(pk__in=ticket.office.descendant_ids()).order_by("sort_order", "id")


class RegisterForm(forms.Form):
    use_required_attribute = False

    office = forms.ModelChoiceField(label="受理机构", queryset=Organisation.objects.none(),
                                    error_messages={"required": "请选择受理机构。"})
    channel = forms.ChoiceField(label="渠道", choices=[c for c in Ticket.Channel.choices if c[0] != "online"])
    received_on = forms.DateField(label="受理日期", widget=DATE_WIDGET,
                                  error_messages={"required": "请填写受理日期。", "invalid": "日期格式应为 2024-05-20。"})
    ticket_type = forms.ChoiceField(label="诉求类型", choices=TicketType.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label="标题", max_length=services.SUBJECT_MAX, required=False)
    text = forms.CharField(label="诉求内容（来电记录或来信摘要）", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    area = forms.ModelChoiceField(label="事发地（可选）", queryset=governments(), required=False)
    writer_name = forms.CharField(label="诉求人姓名", max_length=50, required=False)
    writer_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    writer_email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    writer_address = forms.CharField(label="通信地址", max_length=200, required=False)
    consent_publish = forms.BooleanField(label="诉求人同意公开（隐去个人信息后）", required=False)
    confidential = forms.BooleanField(label="诉求人要求保密", required=False)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["area"].queryset = governments()

    def ticket_data(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("ticket_type", "subject", "text", "area", *services.WRITER_FIELDS,
                                                   "consent_publish", "confidential")}


class DispatchForm(TicketActionForm):
    to = forms.ModelChoiceField(label="承办单位", queryset=Organisation.objects.none(),
                                error_messages={"required": "请选择承办单位。"})
    co_handlers = forms.ModelMultipleChoiceField(label="协办单位（可多选）", queryset=Organisation.objects.none(),
                                                 required=False)
    note = forms.CharField(label="派单说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _tree(self.ticket)
        self.fields["co_handlers"].queryset = _tree(self.ticket)


class ReclassifyForm(TicketActionForm):
    ticket_type = forms.ChoiceField(label="诉求类型", choices=TicketType.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].initial = self.ticket.ticket_type


class DivertForm(TicketActionForm):
    channel = forms.ChoiceField(label="应当告知的渠道", choices=[(k, v[0]) for k, v in services.DIVERT_CHANNELS.items()])
    note = forms.CharField(label="内部说明（诉求人看不到）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(TicketActionForm):
    text = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=f"{services.REPLY_MIN}至{services.REPLY_MAX}字；诉求人凭查询码查看。")
    on = forms.DateField(label="答复日期", widget=DATE_WIDGET, error_messages={"invalid": "日期格式应为 2024-05-20。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ReasonForm(TicketActionForm):
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DisputeForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "异议理由（说明该事项不属于本单位职责的依据）"


DECISIONS = [("upheld", "异议成立"), ("rejected", "异议不成立，由原承办单位继续办理")]


class DecideDisputeForm(TicketActionForm):
    decision = forms.ChoiceField(label="审核结果", choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    to = forms.ModelChoiceField(label="改派给（异议成立时；不选则退回待派单）", queryset=Organisation.objects.none(),
                                required=False)
    co_handlers = forms.ModelMultipleChoiceField(label="协办单位（可多选）", queryset=Organisation.objects.none(),
                                                 required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _tree(self.ticket)
        self.fields["co_handlers"].queryset = _tree(self.ticket)


class CooperateForm(TicketActionForm):
    text = forms.CharField(label="协办意见", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(TicketActionForm):
    days = forms.IntegerField(label="延长工作日数", min_value=1, max_value=60,
                              error_messages={"required": "请填写延长的工作日数。", "invalid": "请填写整数。",
                                              "min_value": "延长的工作日数至少为1。", "max_value": "延长的工作日数过大。"})
    reason = forms.CharField(label="延期理由（将告知诉求人）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(TicketActionForm):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "同意延期（告知诉求人）"), ("refuse", "不同意延期")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StaffRateForm(TicketActionForm):
    satisfaction = forms.ChoiceField(label="回访评价", choices=Ticket.Satisfaction.choices, widget=forms.RadioSelect)
    resolved = forms.ChoiceField(label="问题是否解决", choices=RESOLVED_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(label="回访记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reopen = forms.BooleanField(label="诉求人不满意并要求重新办理（只能一次）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not services.can_reopen(self.ticket):
            del self.fields["reopen"]


class ConfirmForm(TicketActionForm):
    """An action without input (提请公开): the button is the confirmation."""


class ApprovePublicationForm(TicketActionForm):
    subject = forms.CharField(label="公开标题", max_length=services.SUBJECT_MAX, required=False)
    text = forms.CharField(label="公开的来信内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    reply_text = forms.CharField(label="公开的答复内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].initial = self.ticket.public_subject
        self.fields["text"].initial = self.ticket.public_text
        self.fields["reply_text"].initial = self.ticket.public_reply


class KnowledgeForm(forms.Form):
    use_required_attribute = False

    organisation = forms.ModelChoiceField(label="提供单位", queryset=Organisation.objects.none())
    question = forms.CharField(label="问题", max_length=200, required=False)
    answer = forms.CharField(label="答案", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label="关键词（空格分隔）", max_length=200, required=False)
    is_public = forms.BooleanField(label="向公众公开（审核后在“常见问题”中显示）", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class TicketKnowledgeForm(TicketActionForm):
    """A reply worth keeping, into the knowledge base (it waits for approval)."""

    question = forms.CharField(label="问题", max_length=200, required=False)
    answer = forms.CharField(label="答案", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    keywords = forms.CharField(label="关键词（空格分隔）", max_length=200, required=False)
    is_public = forms.BooleanField(label="向公众公开", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answer = services.latest_reply(self.ticket)
        self.fields["question"].initial = self.ticket.public_subject or ""
        self.fields["answer"].initial = self.ticket.public_reply or ""
        if answer is not None and not self.ticket.public_reply:
            self.fields["answer"].initial = services.mask_personal(answer.text, self.ticket)[0]


class RuleForm(forms.Form):
    use_required_attribute = False
    workdays = forms.IntegerField(label="办理时限（工作日）", min_value=1, max_value=60,
                                  error_messages={"min_value": "办理时限至少1个工作日。", "max_value": "办理时限不能超过60个工作日。",
                                                  "required": "请填写办理时限。", "invalid": "请填写整数。"})


class PresetForm(forms.Form):
    """A new preset: its limits are copied from the default one, then edited."""

    use_required_attribute = False
    name = forms.CharField(label="代码（小写英文，如 beijing）", max_length=30, required=False)
    title = forms.CharField(label="名称", max_length=100, required=False)
    basis = forms.CharField(label="依据（文件名称、文号、条款）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


KNOWLEDGE_STATES = KnowledgeEntry.State.choices
