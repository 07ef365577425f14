"""Workspace forms. They only read and shape input; the publishing and core
services decide and write."""

from django import forms
from django.contrib.auth import get_user_model

from gongkai.catalog.models import Document, Genre, Topic, validate_attachment
from gongkai.core.models import Membership, Organisation, Role
from gongkai.core.statute import ON_REQUEST_GROUND_CHOICES, WITHHOLDING_GROUND_CHOICES
from gongkai.publishing.models import PrivacyFinding
from gongkai.publishing.wording import KIND_LABELS as WORDING_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DraftForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="发布机构", empty_label="请选择")
    title = forms.CharField(label="标题", max_length=300)
    document_number = forms.CharField(label="发文字号", max_length=80, required=False, help_text="如：渝府办发〔2024〕12号")
    genre = forms.ModelChoiceField(Genre.objects.all(), label="体裁分类", required=False, empty_label="请选择")
    topic = forms.ModelChoiceField(Topic.objects.select_related("parent"), label="主题分类", required=False, empty_label="请选择")
    written_date = forms.DateField(label="成文日期", required=False, widget=DATE)
    effective_date = forms.DateField(label="施行日期", required=False, widget=DATE)
    expiry_date = forms.DateField(label="失效日期", required=False, widget=DATE, help_text="到期当日自动失效")
    disclosure = forms.ChoiceField(label="公开属性", choices=Document.Disclosure.choices)
    disclosure_ground = forms.ChoiceField(
        label="不予公开或依申请公开的法定依据",
        required=False,
        choices=[("", "（主动公开无需填写）")]
        + [("不予公开", WITHHOLDING_GROUND_CHOICES), ("依申请公开", ON_REQUEST_GROUND_CHOICES)],
    )
    interpretation_form = forms.ChoiceField(label="解读形式（仅政策解读）", choices=Document.InterpretationForm.choices, required=False)
    keywords = forms.CharField(label="关键词", max_length=200, required=False)
    summary = forms.CharField(label="内容概述", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    body_html = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 16, "data-rich-text": True}),  # workspace/editor.js
                                help_text="可使用段落、标题、列表、表格等基本格式；脚本和事件属性会被清除。")

    attachment = forms.FileField(label="添加附件", required=False,
                                 help_text="PDF、Word、Excel、WPS、OFD、TXT、CSV、图片或ZIP，单个文件不超过上限。")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
        # The limits the server checks (validate_attachment), stated where the file is chosen.
        from django.conf import settings

        from gongkai.catalog.models import ALLOWED_ATTACHMENT_TYPES

        attachment = self.fields["attachment"]
        limit_mb = settings.GONGKAI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        types = "、".join(ext.lstrip(".").upper() for ext in ALLOWED_ATTACHMENT_TYPES)
        attachment.help_text = f"每次添加一个文件，单个文件不超过{limit_mb} MB；允许的格式：{types}。"
        attachment.widget.attrs["accept"] = ",".join(ALLOWED_ATTACHMENT_TYPES)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_attachment(upload)
        return upload

    @classmethod
    def initial_for(cls, doc: Document) -> dict:
        return {
            "organisation": doc.organisation_id, "title": doc.title, "document_number": doc.document_number_raw or doc.document_number,
            "genre": doc.genre_id, "topic": doc.topic_id, "written_date": doc.written_date,
            "effective_date": doc.effective_date, "expiry_date": doc.expiry_date, "disclosure": doc.disclosure,
            "disclosure_ground": doc.disclosure_ground, "interpretation_form": doc.interpretation_form,
            "keywords": doc.keywords, "summary": doc.summary, "body_html": doc.body,
        }

    def clean(self):
        data = super().clean()
        disclosure, ground = data.get("disclosure"), data.get("disclosure_ground")
        withholding = {code for code, _ in WITHHOLDING_GROUND_CHOICES}
        on_request = {code for code, _ in ON_REQUEST_GROUND_CHOICES}
        if disclosure == Document.Disclosure.PROACTIVE and ground:
            data["disclosure_ground"] = ""
        elif disclosure == Document.Disclosure.WITHHELD and ground and ground not in withholding:
            self.add_error("disclosure_ground", "不予公开须选择不予公开的法定依据。")
        elif disclosure == Document.Disclosure.ON_REQUEST and ground and ground not in on_request:
            self.add_error("disclosure_ground", "依申请公开须选择依申请公开的依据。")
        return data


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    scheduled_at = forms.DateTimeField(
        label="定时发布时间", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class WaiveForm(forms.Form):
    ground = forms.ChoiceField(label="保留依据", choices=PrivacyFinding.WaiverGround.choices)
    reason = forms.CharField(label="保留理由", max_length=300)


class InterpretationLinkForm(forms.Form):
    interpretation = forms.ModelChoiceField(Document.objects.none(), label="解读材料", empty_label="请选择")

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["interpretation"].queryset = candidates


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(label="有效性", choices=[c for c in Document.Validity.choices if c[0]])
    on = forms.DateField(label="日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)


class GrantForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名（新用户）", max_length=150, required=False)
    password = forms.CharField(label="初始密码（新用户）", required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="为已有用户授权时留空；新用户的密码至少10位，不能全为数字。")
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="机构", empty_label="请选择")
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    review_level = forms.TypedChoiceField(label="审核级别（审核人）", required=False, coerce=int, empty_value=None,
                                          choices=[("", "—"), (1, "初审"), (2, "复审"), (3, "终审/第三级"), (4, "第四级"), (5, "第五级")])

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not get_user_model().username_validator.regex.match(name):
            raise forms.ValidationError("用户名只能包含字母、数字和 @/./+/-/_ 字符。")
        return name


class RevokeForm(forms.Form):
    membership = forms.ModelChoiceField(Membership.objects.none())

    def __init__(self, *args, memberships=None, **kwargs):
        super().__init__(*args, **kwargs)
        if memberships is not None:
            self.fields["membership"].queryset = memberships


class WordingRuleForm(forms.Form):
    phrase = forms.CharField(label="词语", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=list(WORDING_KINDS.items()))
    suggestion = forms.CharField(label="建议表述", max_length=200, required=False)
    exceptions = forms.CharField(label="例外（含该词的正确表述，用顿号分隔）", max_length=300, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class ReviewPolicyForm(forms.Form):
    """An organisation's separation of duties in review (职责分离)."""

    policy_organisation = forms.ModelChoiceField(Organisation.objects.none(), label="机构", empty_label="请选择",
                                                 help_text="规则同样适用于其下级机构（下级机构另有规则的除外）。")
    one_step_per_person = forms.BooleanField(label="同一人只能办理同一文件的一个审核环节", required=False, initial=True)
    drafter_may_not_review = forms.BooleanField(label="起草人、提交人不得审核本人的文件", required=False, initial=True)
    inherit = forms.BooleanField(label="取消本机构的规则，沿用上级机构的规则（未设置时为严格分离）", required=False)
    reason = forms.CharField(label="理由（放宽时必填）", max_length=300, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["policy_organisation"].queryset = organisations
