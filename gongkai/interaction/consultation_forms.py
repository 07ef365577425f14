"""Forms of consultations on drafts (意见征集): the public comment form (the
applications' spam defence: a signed one-time token and a honeypot) and
the staff forms. The rules live in consultation_services / consultation_rules:
the forms shape the input and show their Chinese messages on the fields."""

from __future__ import annotations

from django import forms

from gongkai.core.form_tokens import issue_token
from gongkai.catalog.models import Genre

from . import consultation_rules as rules
from .models import Consultation, ConsultationComment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


DATE_ERRORS = {"invalid": "请按“年-月-日”填写日期，如 2025-03-01。", "required": "请填写日期。"}


class PublicForm(forms.Form):
    """The spam defence every public form here carries."""

    use_required_attribute = False
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label="网址（此项用于识别自动程序，请保持为空；使用读屏软件的用户请跳过）", required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The token sent was used up (spam_refusal): a form shown again carries a fresh one.
            self.data = self.data.copy()
            self.data["started"] = issue_token()
        else:
            self.fields["started"].initial = issue_token()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"{bound.auto_id}_error"


class CommentForm(PublicForm):
    name = forms.CharField(label="姓名或名称", max_length=rules.MAX_NAME_CHARS, required=False,
                           help_text="仅供起草单位研究意见使用，不在网站公开。")
    contact = forms.CharField(label="联系方式（电话或电子邮箱，选填）", max_length=rules.MAX_CONTACT_CHARS, required=False,
                              help_text="仅供起草单位就意见与您联系，不在网站公开。")
    text = forms.CharField(label="意见内容", max_length=rules.MAX_COMMENT_CHARS, required=False,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=f"请注明对应的条款，不超过{rules.MAX_COMMENT_CHARS}字。")

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # Django's own messages in the words used here
            field.error_messages["max_length"] = "不能超过%(limit_value)d字（现有%(show_value)d字）。"
        if consultation.require_name:
            self.fields["name"].label = "姓名或名称（必填）"


class ConsultationForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = Consultation
        fields = ["organisation", "title", "draft_title", "draft_text", "explanation", "how_to_comment", "opens_on",
                  "closes_on", "major", "short_reason", "require_name", "moderated"]
        widgets = {
            "draft_text": forms.Textarea(attrs={"rows": 14}),
            "explanation": forms.Textarea(attrs={"rows": 8}),
            "how_to_comment": forms.Textarea(attrs={"rows": 3}),
            "short_reason": forms.Textarea(attrs={"rows": 2}),
            "opens_on": DateInput(),
            "closes_on": DateInput(),
        }
        help_texts = {
            "how_to_comment": "留空则使用默认说明（通过本页面提出意见）。可补充电子邮箱、通信地址等其他方式。",
            "short_reason": f"仅在勾选“重大行政决策……”且期限少于{rules.MAJOR_MIN_DAYS}日时填写，将在征集页面公开。",
            "draft_text": "纯文本，每段一行。",
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "请选择征集机关"
        if self.instance.pk:
            self.fields["organisation"].disabled = True
        for name in ("opens_on", "closes_on"):
            self.fields[name].error_messages.update(DATE_ERRORS)
        for name in ("title", "draft_title", "draft_text", "explanation"):
            self.fields[name].error_messages["required"] = "此项必填。"

    def _post_clean(self):
        pass  # the model is checked by the service (consultation_services.validate and full_clean)


class ModerateForm(forms.Form):
    show = forms.TypedChoiceField(choices=[("1", "公开显示"), ("0", "不予显示")], coerce=lambda v: v == "1",
                                  widget=forms.HiddenInput)
    reason = forms.CharField(label="不予显示的理由", max_length=200, required=False)


class RegisterForm(forms.Form):
    use_required_attribute = False
    channel = forms.ChoiceField(label="收到意见的渠道", choices=[
        c for c in ConsultationComment.Channel.choices if c[0] != ConsultationComment.Channel.ONLINE])
    received_on = forms.DateField(label="收到日期", widget=DateInput(), error_messages=DATE_ERRORS)
    name = forms.CharField(label="姓名或名称（选填）", max_length=rules.MAX_NAME_CHARS, required=False)
    contact = forms.CharField(label="联系方式（选填）", max_length=rules.MAX_CONTACT_CHARS, required=False)
    text = forms.CharField(label="意见内容", max_length=rules.MAX_COMMENT_CHARS, widget=forms.Textarea(attrs={"rows": 4}))


class DecideForm(forms.Form):
    use_required_attribute = False
    comments = forms.MultipleChoiceField(label="意见", choices=(), widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": "请至少选择一条意见。",
                                                         "invalid_choice": "所选意见不属于本次意见征集。"})
    decision = forms.ChoiceField(label="是否采纳", choices=rules.DECISION_CHOICES, widget=forms.RadioSelect,
                                 error_messages={"required": "请选择是否采纳。"})
    reason = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写理由。"})
    summary = forms.CharField(label="意见内容（归纳，选填）", max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="多条意见合并处理时，可归纳为一项；留空则列出各条意见的内容。")

    def __init__(self, *args, comments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].choices = [
            (str(c.pk), f"第{c.serial}条：{c.public_text[:60]}{'…' if len(c.public_text) > 60 else ''}") for c in comments]


class FeedbackForm(forms.Form):
    use_required_attribute = False
    genre = forms.ModelChoiceField(label="体裁分类", queryset=Genre.objects.all(), empty_label=None)
    feedback_note = forms.CharField(label="反馈说明（选填）", max_length=3000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="列在反馈表之前，如通过其他渠道收到意见的情况。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = Genre.objects.filter(name="其他").first()
        if default is not None and not self.is_bound:
            self.fields["genre"].initial = default.pk


class DecisionForm(forms.Form):
    use_required_attribute = False
    document = forms.ModelChoiceField(label="最终决定文件", queryset=None, empty_label="请选择文件",
                                      error_messages={"required": "请选择最终决定文件。",
                                                      "invalid_choice": "请从列表中选择文件。"})

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = candidates
        self.fields["document"].label_from_instance = (
            lambda doc: f"{doc.title}（{doc.get_status_display()}{'，' + doc.index_number if doc.index_number else ''}）")


class PolicyForm(forms.Form):
    use_required_attribute = False
    organisation = forms.ModelChoiceField(label="机构", queryset=None, empty_label="请选择机构")
    feedback_days = forms.IntegerField(label="截止后公开采纳情况的期限（日）", min_value=1, max_value=365,
                                       error_messages={"min_value": "期限应为1至365日。", "max_value": "期限应为1至365日。",
                                                       "invalid": "请填写整数。", "required": "请填写期限。"})

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
