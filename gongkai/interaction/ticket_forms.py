"""Forms of the public side of the mailbox: the letter (写信), the
tracking-code lookup, the writer's follow-up and rating, the knowledge-base
search. The spam defence (honeypot, signed one-time token) and the checked
files are those of every public form (gongkai.core.form_tokens,
gongkai.core.uploads); the rules are gongkai.interaction.ticket_services.validate_ticket's."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core.form_tokens import HONEYPOT, issue_token
from gongkai.core.models import Organisation
from gongkai.core.uploads import FILE_TYPES, MAX_FILE_BYTES, MAX_FILES, MultipleFileField

from . import ticket_services as services
from .models import Ticket, TicketType

GOVERNMENT_LEVELS = (Organisation.Level.PROVINCE, Organisation.Level.CITY, Organisation.Level.COUNTY,
                     Organisation.Level.TOWNSHIP)
TYPE_HELP = {
    TicketType.CONSULT: "询问政策规定、办事程序等",
    TicketType.HELP: "生产生活中遇到困难，请求帮助解决",
    TicketType.COMPLAINT: "自身合法权益受到侵害，要求依法处理",
    TicketType.REPORT: "检举违法违规行为（举报件一律不公开）",
    TicketType.SUGGESTION: "对政府工作提出意见建议",
}


def governments():
    return Organisation.objects.filter(level__in=GOVERNMENT_LEVELS).order_by("sort_order", "id")


class MarkErrors:
    """aria-invalid and aria-describedby on fields in error; an error summary in page order."""

    SUMMARY_LABELS: dict[str, str] = {}

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})

    def error_summary(self) -> list[tuple[str, str]]:
        summary = [(getattr(self, "anchor", "ticket-form"), message) for message in self.non_field_errors()]
        for name in self.fields:
            if name not in self.errors:
                continue
            bound = self[name]
            widget = self.fields[name].widget
            anchor = f"{bound.auto_id}_0" if isinstance(widget, forms.RadioSelect) else bound.id_for_label
            label = self.SUMMARY_LABELS.get(name, str(self.fields[name].label).split("（")[0])
            summary += [(anchor, f"{label}：{message}") for message in bound.errors]
        return summary


class TicketForm(MarkErrors, forms.Form):
    use_required_attribute = False  # checked on the server, with an error summary
    SUMMARY_LABELS = {"promise": "承诺", "writer_phone": "联系方式"}

    office = forms.ModelChoiceField(
        label="写信给", queryset=governments(), empty_label="请选择受理机构",
        error_messages={"required": "请选择写信给哪一级政府。", "invalid_choice": "请从列表中选择受理机构。"},
        help_text="由受理机构派给主管部门办理。")
    ticket_type = forms.ChoiceField(label="诉求类型", choices=TicketType.choices, widget=forms.RadioSelect,
                                    required=False)
    subject = forms.CharField(label="标题", max_length=services.SUBJECT_MAX, required=False,
                              help_text=f"一句话概括您的诉求，不超过{services.SUBJECT_MAX}字。")
    text = forms.CharField(label="诉求内容", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=(f"请写明事情的时间、地点、经过和您的具体诉求，{services.TEXT_MIN}至{services.TEXT_MAX}字。"
                                      "请不要在内容中填写身份证号码、银行卡号等个人信息。"))
    area = forms.ModelChoiceField(label="事发地（可选）", queryset=governments(), required=False,
                                  empty_label="不清楚或不涉及",
                                  error_messages={"invalid_choice": "请从列表中选择事发地。"})
    files = MultipleFileField(
        label="附件（可选）", required=False,
        help_text=f"最多{MAX_FILES}个文件，每个不超过{MAX_FILE_BYTES // 1048576}MB；格式：PDF、JPG、PNG、DOC、DOCX、OFD。")
    writer_name = forms.CharField(label="姓名", max_length=50, required=False)
    writer_phone = forms.CharField(label="联系电话", max_length=30, required=False,
                                   help_text="联系电话、电子邮箱、通信地址至少填写一项，用于告知办理情况和回访。")
    writer_email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    writer_address = forms.CharField(label="通信地址", max_length=200, required=False)
    consent_publish = forms.BooleanField(
        label="同意公开我的来信和答复（公开前隐去姓名、电话等个人信息，经审核后在“公开信件”中发布）", required=False)
    confidential = forms.BooleanField(
        label="要求保密（保密件和举报件不公开，您的个人信息只有受理机构可以查看）", required=False)
    promise = forms.BooleanField(
        label="本人承诺所反映的情况真实，并同意受理机构为办理本诉求使用所填写的个人信息。",
        error_messages={"required": "请勾选承诺：确认所反映的情况真实。"})
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label="网址（此项用于识别自动程序，请保持为空；使用读屏软件的用户请跳过）", required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, limits: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self.data.copy()
            self.data["started"] = issue_token()  # the one sent was used up: a form shown again carries a fresh one
        else:
            self.fields["started"].initial = issue_token()
        self.fields["office"].queryset = governments()
        self.fields["area"].queryset = governments()
        self.fields["files"].widget.attrs["accept"] = ",".join(FILE_TYPES)
        limits = limits or {}
        self.type_help = [(code, label, TYPE_HELP[code], limits.get(code)) for code, label in TicketType.choices]
        for name in ("office", "subject", "text", "writer_name", "promise"):
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean(self):
        data = super().clean()
        values = {name: (self.data.get(name) if name in self.errors else data.get(name)) or ""
                  for name in ("ticket_type", "subject", "text", *services.WRITER_FIELDS)}
        values["area"] = data.get("area")
        values["consent_publish"] = data.get("consent_publish")
        values["confidential"] = data.get("confidential")
        try:
            data["ticket"] = services.validate_ticket(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, messages)
        return data


def initial_from(data) -> dict:
    skip = {"started", HONEYPOT, "files", "promise", "csrfmiddlewaretoken"}
    return {name: data.get(name) for name in TicketForm.base_fields if name not in skip and data.get(name)}


class LookupForm(forms.Form):
    use_required_attribute = False
    code = forms.CharField(label="查询码", max_length=200, error_messages={"required": "请输入查询码。"},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "off"}),
                           help_text="写信提交成功时页面上显示的查询码。")

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class FollowUpForm(forms.Form):
    use_required_attribute = False
    text = forms.CharField(label="补充说明", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=f"补充新的情况或材料说明，不超过{services.FOLLOW_UP_MAX_CHARS}字。")


RESOLVED_CHOICES = [("yes", "已解决"), ("no", "未解决")]


class RateForm(MarkErrors, forms.Form):
    """The writer's rating on the status page (and staff's 回访 record)."""

    use_required_attribute = False
    anchor = "rate-form"
    satisfaction = forms.ChoiceField(label="您对本次答复的评价", choices=Ticket.Satisfaction.choices,
                                     widget=forms.RadioSelect, error_messages={"required": "请选择满意、基本满意或不满意。"})
    resolved = forms.ChoiceField(label="您的问题是否已经解决", choices=RESOLVED_CHOICES, widget=forms.RadioSelect,
                                 error_messages={"required": "请选择问题是否已经解决。"})
    comment = forms.CharField(label="评价意见（可选）", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=f"不超过{services.COMMENT_MAX}字。")
    reopen = forms.BooleanField(label="不满意，要求重新办理（只能要求一次）", required=False)

    def __init__(self, *args, allow_reopen: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_reopen:
            del self.fields["reopen"]

    def clean(self):
        data = super().clean()
        if data.get("reopen") and data.get("satisfaction") and data["satisfaction"] != Ticket.Satisfaction.UNSATISFIED:
            self.add_error("reopen", "只有选择“不满意”时才能要求重新办理。")
        return data
