"""Forms of online interviews (在线访谈): the public question form (with the
applications' spam defence) and the staff forms."""

from __future__ import annotations

from django import forms

from gongkai.catalog.models import Genre

from . import consultation_rules as text_rules
from . import interview_rules as rules
from .consultation_forms import PublicForm
from .models import Interview


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class QuestionForm(PublicForm):
    name = forms.CharField(label="网名或姓名（选填）", max_length=text_rules.MAX_NAME_CHARS, required=False,
                           help_text="问题公开显示时不显示网名或姓名。")
    contact = forms.CharField(label="联系方式（选填）", max_length=text_rules.MAX_CONTACT_CHARS, required=False,
                              help_text="仅供主办单位就问题与您联系，不在网站公开。")
    text = forms.CharField(label="您的问题", max_length=text_rules.MAX_QUESTION_CHARS, required=False,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=f"不超过{text_rules.MAX_QUESTION_CHARS}字。问题经审核后公开显示。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["max_length"] = "不能超过%(limit_value)d字（现有%(show_value)d字）。"


class InterviewForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = Interview
        fields = ["organisation", "title", "summary", "starts_at", "duration_minutes", "guests", "host"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "guests": forms.Textarea(attrs={"rows": 4}),
            "starts_at": DateTimeInput(),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "请选择主办机关"
        if self.instance.pk:
            self.fields["organisation"].disabled = True
        self.fields["starts_at"].error_messages.update(
            {"invalid": "请按“年-月-日 时:分”填写访谈时间。", "required": "请填写访谈时间。"})
        self.fields["duration_minutes"].error_messages.update(
            {"min_value": "时长应为10至480分钟。", "max_value": "时长应为10至480分钟。", "invalid": "请填写整数。"})
        for name in ("title", "guests"):
            self.fields[name].error_messages["required"] = "此项必填。"

    def _post_clean(self):
        pass  # the model is checked by the service (interview_services.validate and full_clean)


class AnswerForm(forms.Form):
    use_required_attribute = False
    guest = forms.ChoiceField(label="答复嘉宾", choices=(), error_messages={"required": "请选择答复嘉宾。",
                                                                        "invalid_choice": "请选择答复的访谈嘉宾。"})
    answer = forms.CharField(label="答复内容", max_length=rules.MAX_ANSWER_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "请填写答复内容。"})

    def __init__(self, *args, interview: Interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guest"].choices = [(g, g) for g in interview.guest_list]


class StatementForm(forms.Form):
    use_required_attribute = False
    speaker = forms.ChoiceField(label="发言人", choices=(), error_messages={"invalid_choice": "请选择发言人。"})
    text = forms.CharField(label="发言内容", max_length=rules.MAX_STATEMENT_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请填写发言内容。"})

    def __init__(self, *args, speakers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [(s, s) for s in speakers]


class TranscriptForm(forms.Form):
    genre = forms.ModelChoiceField(label="体裁分类", queryset=Genre.objects.all(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = Genre.objects.filter(name="其他").first()
        if default is not None and not self.is_bound:
            self.fields["genre"].initial = default.pk


class PolicyForm(forms.Form):
    use_required_attribute = False
    organisation = forms.ModelChoiceField(label="机构", queryset=None, empty_label="请选择机构")
    notice_days = forms.IntegerField(label="提前预告天数", min_value=1, max_value=60,
                                     error_messages={"min_value": "应为1至60日。", "max_value": "应为1至60日。"})
    answer_workdays = forms.IntegerField(label="访谈中未答复问题的答复期限（工作日）", min_value=1, max_value=30,
                                         error_messages={"min_value": "应为1至30个工作日。",
                                                         "max_value": "应为1至30个工作日。"})

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
