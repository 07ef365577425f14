"""Forms of the staff pages for disclosure applications. They only read and
shape input: the rules (and their Chinese messages naming the article) live
in gongkai.applications.services, which the views call with the cleaned data.
Fields the services check are therefore optional here, so that the service's
message, which says the rule, is the one shown."""

from __future__ import annotations

import re
import string

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from gongkai.catalog.models import validate_attachment
from gongkai.core.models import Organisation, Role
from gongkai.core.statute import APPLICANT_TYPES, REPLY_OUTCOME_CHOICES, REPORT_ROWS, REPLY_OUTCOMES

from .letters import DEFAULT_TEMPLATES, EXTRA_PLACEHOLDERS, placeholders_for
from .letters import PLACEHOLDERS as PLACEHOLDER_LABELS
from .models import Application, Fee, ReviewCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})

# Art. 31: the date of receipt for each way an application comes in.
CHANNEL_HELP = {
    Application.Channel.IN_PERSON: "当面提交的，以提交之日为收到申请之日（条例第三十一条第（一）项）。",
    Application.Channel.POST: "以邮寄方式提交的，以行政机关签收之日为收到申请之日（条例第三十一条第（二）项）。",
    Application.Channel.LETTER: "以平常信函等无需签收的邮寄方式提交的，应当于收到当日与申请人确认，确认之日为收到申请之日"
                                "（条例第三十一条第（二）项）；尚未确认的，收到日期留空，确认后登记“确认收到”。",
    Application.Channel.FAX: "通过传真提交的，以双方确认之日为收到申请之日（条例第三十一条第（三）项）；尚未确认的，收到日期留空。",
    Application.Channel.ONLINE: "通过互联网渠道提交的，以双方确认之日为收到申请之日（条例第三十一条第（三）项）。",
}
CHANNEL_ORDER = [Application.Channel.IN_PERSON, Application.Channel.POST, Application.Channel.LETTER,
                 Application.Channel.FAX, Application.Channel.ONLINE]

# Outcomes that end an application without a reply decision: they come from
# the closure actions (close_without_correction / close_without_payment), which
# check that the period has run out.
CLOSURE_OUTCOMES = {"no_correction", "no_payment"}


def _group_label(row_label: str) -> str:
    """“（三）不予公开 1.属于国家秘密” -> “（三）不予公开”."""
    match = re.match(r"（[一二三四五六七八九十]+）[^（ ]+", row_label)
    return match.group(0) if match else row_label


def grouped_outcomes() -> list:
    """The reply outcomes grouped as the annual report's table 3 groups them."""
    groups: dict[str, list] = {}
    labels = dict(REPLY_OUTCOME_CHOICES)
    row_labels = dict(REPORT_ROWS)
    order: list[str] = []
    for code, _, _, row, _ in REPLY_OUTCOMES:
        if code in CLOSURE_OUTCOMES:
            continue
        group = _group_label(row_labels[row])
        if group not in groups:
            groups[group] = []
            order.append(group)
        groups[group].append((code, labels[code]))
    return [("", "请选择办理结果")] + [(group, groups[group]) for group in order]


def handlers_of(organisation: Organisation):
    """Users who may handle the organisation's applications: its handlers, and
    the office administrators of it or of an organisation above it."""
    above = [organisation.pk] + [org.pk for org in organisation.ancestors()]
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(memberships__organisation=organisation, memberships__role=Role.HANDLER)
                    | Q(memberships__organisation_id__in=above, memberships__role=Role.OFFICE_ADMIN))
            .distinct().order_by("username"))


def _today():
    return timezone.localdate()


class ActionForm(forms.Form):
    """A small form of the detail page. Field ids carry the action's name, so
    that the page's many forms never share an id."""

    action = ""

    def __init__(self, *args, app: Application | None = None, personal: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.app = app
        self.personal = personal  # whether the user may see applicants' personal data


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, initial=_today, help_text=help_text)


class RegisterForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="受理机关", empty_label="请选择")
    channel = forms.ChoiceField(label="申请渠道", choices=[(c.value, c.label) for c in CHANNEL_ORDER],
                                widget=forms.RadioSelect)
    received_on = forms.DateField(label="收到申请日期", required=False, widget=DATE,
                                  help_text="按条例第三十一条确定，见上方各渠道说明。")
    applicant_type = forms.ChoiceField(label="申请人类型（必填）", choices=[("", "请选择")] + APPLICANT_TYPES, required=False)
    applicant_name = forms.CharField(label="姓名或名称（必填）", max_length=100, required=False)
    id_document = forms.CharField(label="身份证明（证件类型及号码或统一社会信用代码，必填）", max_length=100, required=False)
    legal_representative = forms.CharField(label="法定代表人或负责人", max_length=50, required=False)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False,
                            help_text="电话、电子邮箱、通信地址至少填写一项（条例第二十九条）。")
    email = forms.EmailField(label="电子邮箱", required=False)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    postcode = forms.CharField(label="邮政编码", max_length=10, required=False)
    info_title = forms.CharField(label="所需信息名称", max_length=300, required=False)
    info_number = forms.CharField(label="文号", max_length=80, required=False)
    info_description = forms.CharField(label="所需信息的特征性描述", max_length=4000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 4}),
                                       help_text="名称、文号、描述至少填写一项（条例第二十九条）。")
    form = forms.ChoiceField(label="信息的载体形式", choices=Application.Form.choices, initial=Application.Form.ELECTRONIC)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Application.Delivery.choices,
                                 initial=Application.Delivery.EMAIL)

    APPLICANT = ("applicant_type", "applicant_name", "id_document", "legal_representative", "contact_person",
                 "phone", "email", "address", "postcode")
    REQUEST = ("info_title", "info_number", "info_description", "form", "delivery")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
            only = list(organisations[:2])
            if len(only) == 1:
                self.fields["organisation"].initial = only[0].pk

    def channels(self) -> list[dict]:
        """The channel options with their Art. 31 rule, for the page."""
        current = self.data.get("channel") if self.is_bound else self.initial.get("channel")
        return [{"value": c.value, "label": c.label, "help": CHANNEL_HELP[c], "checked": current == c.value,
                 "id": f"id_channel_{i}"} for i, c in enumerate(CHANNEL_ORDER)]

    def applicant_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in (*self.APPLICANT, *self.REQUEST)}


class ConfirmReceiptForm(ActionForm):
    action = "confirm"
    on = date_field("确认收到日期", help_text="与申请人确认之日（条例第三十一条）。")


class AssignForm(ActionForm):
    action = "assign"
    handler = forms.ModelChoiceField(get_user_model().objects.none(), label="承办人", empty_label="请选择")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.app is not None:
            self.fields["handler"].queryset = handlers_of(self.app.organisation)
            self.fields["handler"].label_from_instance = lambda u: (
                f"{u.get_full_name() or u.get_username()}（{u.get_username()}）")


class CorrectionForm(ActionForm):
    action = "correction"
    items = forms.CharField(label="需要补正的事项", required=False, max_length=2000, widget=TEXTAREA,
                            help_text="一次性告知需要补正的全部事项（条例第三十条）。")
    period_workdays = forms.IntegerField(label="补正期限（工作日）", initial=15, min_value=-10000, max_value=10000,
                                         help_text="补正告知书应自收到申请之日起7个工作日内发出；期限自发出之日起算。")


class CorrectedForm(ActionForm):
    action = "corrected"
    on = date_field("收到补正日期", help_text="答复期限自收到补正之日起重新计算。")


class CloseForm(ActionForm):
    """Closing after the correction or payment period ran out (a date only)."""

    action = "close"
    on = date_field("终止日期")


class ExtendForm(ActionForm):
    action = "extend"
    days = forms.IntegerField(label="延长的工作日数", initial=20, min_value=-10000, max_value=10000,
                              help_text="最长不超过20个工作日，只能延长一次（条例第三十三条）。")
    reason = forms.CharField(label="延期理由", required=False, max_length=1000, widget=TEXTAREA,
                             help_text="由政务公开办负责人签发（即批准），须在原答复期限届满前发出。")


class ThirdPartyForm(ActionForm):
    action = "third_party"
    party = forms.CharField(label="第三方名称", required=False, max_length=200,
                            help_text="第三方应自收到意见书之日起15个工作日内提出意见，所需时间不计入答复期限（条例第三十二条）。")
    address = forms.CharField(label="第三方通信地址（邮寄时用）", required=False, max_length=300)


AGREES = [("yes", "同意公开"), ("no", "不同意公开"), ("none", "逾期未提出意见")]
AGREES_VALUE = {"yes": True, "no": False, "none": None}


class ThirdPartyAnswerForm(ActionForm):
    action = "third_party_answer"
    agrees = forms.ChoiceField(label="第三方意见", choices=AGREES, widget=forms.RadioSelect)
    note = forms.CharField(label="意见摘要及本机关的决定", required=False, max_length=2000, widget=TEXTAREA,
                           help_text="第三方不同意公开且有合理理由的，不予公开；认为不公开可能对公共利益造成重大影响的，可以决定予以公开并告知第三方（条例第三十二条）。")
    on = date_field("收到意见日期（逾期未提出意见的，填期限届满日）")


class OrganForm(ActionForm):
    action = "organ"
    organ = forms.CharField(label="被征求意见的机关", required=False, max_length=200,
                            help_text="被征求意见机关应自收到之日起15个工作日内提出意见，所需时间不计入答复期限（条例第三十四条）。")
    address = forms.CharField(label="该机关的通信地址（邮寄时用）", required=False, max_length=300)


class OrganAnswerForm(ActionForm):
    action = "organ_answer"
    agrees = forms.ChoiceField(label="其他机关意见", choices=[("yes", "同意公开"), ("no", "不同意公开"), ("none", "逾期未提出意见")],
                               widget=forms.RadioSelect)
    note = forms.CharField(label="意见摘要", required=False, max_length=2000, widget=TEXTAREA)
    on = date_field("收到意见日期（逾期未提出意见的，填期限届满日）")


class FeeForm(ActionForm):
    action = "fee"
    basis = forms.ChoiceField(label="计收方式", choices=[("", "请选择")] + Fee.Basis.choices, required=False,
                              help_text="按件：每月前10件免费，第11至30件每件100元，此后每10件一档、每档每件加收100元；"
                                        "按量：30页以内免费，31至100页每页10元，101至200页每页20元，201页起每页40元。")
    quantity = forms.IntegerField(label="件数或页数", min_value=-10000000, max_value=10000000)
    reason = forms.CharField(label="收费理由", required=False, max_length=1000, widget=TEXTAREA,
                             help_text="仅在申请数量、频次明显超过合理范围时收取（条例第四十二条）。")
    payment = forms.CharField(label="缴费方式", required=False, max_length=500, widget=TEXTAREA,
                              help_text="告知申请人如何缴纳（如缴款账户、非税收入缴款渠道）；留空则告知到本机关办理缴费。")


class FeePaidForm(ActionForm):
    action = "fee_paid"
    on = date_field("缴费日期")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReplyForm(ActionForm):
    action = "reply"
    MAX_FILES = 20
    outcome = forms.ChoiceField(label="办理结果", choices=grouped_outcomes, required=False,
                                help_text="分组与年度报告表三一致。")
    reasons = forms.CharField(label="理由和依据说明", required=False, max_length=4000, widget=TEXTAREA,
                              help_text="不予公开、部分公开、无法提供、非本机关负责公开的，应当说明理由（条例第三十六条、第三十七条）。")
    provided = forms.CharField(label="提供的信息及方式", required=False, max_length=4000, widget=TEXTAREA)
    where_published = forms.CharField(label="已主动公开的获取途径", required=False, max_length=300)
    responsible_organ = forms.CharField(label="负责公开的机关及联系方式", required=False, max_length=300)
    files = MultipleFileField(label="公开的信息（附件）", required=False,
                              help_text="可选择多个文件，随告知书一并提供给申请人。")

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > self.MAX_FILES:
            raise forms.ValidationError(f"一次最多上传{self.MAX_FILES}个文件。")
        for upload in files:
            try:
                validate_attachment(upload)
            except forms.ValidationError as exc:
                raise forms.ValidationError([f"“{upload.name}”：{message}" for message in exc.messages])
        return files


class TransferForm(ActionForm):
    action = "transfer"
    to = forms.ModelChoiceField(Organisation.objects.none(), label="转送至", empty_label="请选择机关")
    contact = forms.CharField(label="该机关的联系方式", required=False, max_length=200,
                              help_text="告知申请人负责公开的机关的名称和联系方式（条例第三十六条第（五）项）。")
    note = forms.CharField(label="理由", required=False, max_length=1000, widget=TEXTAREA,
                           help_text="转送告知书经签发后发出，申请人可在查询页查看。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Organisation.objects.order_by("sort_order", "id")
        if self.app is not None:
            qs = qs.exclude(pk=self.app.organisation_id)
        self.fields["to"].queryset = qs


class MergeForm(ActionForm):
    action = "merge"
    into = forms.ModelChoiceField(Application.objects.none(), label="合并至", empty_label="请选择申请")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.app is not None:
            open_states = [Application.State.PENDING, Application.State.PROCESSING, Application.State.CORRECTION,
                           Application.State.PAUSED]
            self.fields["into"].queryset = (Application.objects.filter(organisation_id=self.app.organisation_id,
                                                                       state__in=open_states)
                                            .exclude(pk=self.app.pk).select_related("organisation")
                                            .order_by("-year", "-serial"))
            personal = self.personal
            self.fields["into"].label_from_instance = lambda a: " ".join(
                part for part in (a.number, a.applicant_name if personal else "", a.info_title[:30]) if part)


class ReviewCaseForm(ActionForm):
    action = "review_case"
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择")] + ReviewCase.Kind.choices, required=False)
    filed_on = forms.DateField(label="立案日期", widget=DATE)
    result = forms.ChoiceField(label="结果", choices=ReviewCase.Result.choices, initial=ReviewCase.Result.PENDING)
    decided_on = forms.DateField(label="审结日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


# --- letter templates ------------------------------------------------------------

# Every placeholder, for the editor's list (each template accepts its own: letters.placeholders_for).
PLACEHOLDERS = list(PLACEHOLDER_LABELS.items())


def template_problems(text: str, key: str | None = None) -> list[str]:
    """Why a template would not render: unpaired braces, placeholders the template (`key`) does not have."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["花括号不成对：占位符应写成{applicant}这样的形式；要显示花括号本身，请写成{{或}}。"]
    own = placeholders_for(key) if key else PLACEHOLDERS
    allowed = {name for name, _ in own} | set(EXTRA_PLACEHOLDERS)
    problems = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            problems.append(f"未知的占位符{shown}；可用的占位符：{'、'.join('{' + n + '}' for n, _ in own)}。")
    return problems


class LetterTemplateForm(forms.Form):
    key = forms.ChoiceField(choices=[(key, key) for key in DEFAULT_TEMPLATES], widget=forms.HiddenInput)
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="正文模板", max_length=8000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="每行一段。文书编号、救济途径（需要时）、机关名称和日期由系统自动加在正文前后。")

    def __init__(self, *args, **kwargs):
        key = kwargs.pop("key", None)
        if key:
            kwargs.setdefault("auto_id", f"id_{key}_%s")
        super().__init__(*args, **kwargs)
        self.key = key

    def clean_title(self):
        title = " ".join((self.cleaned_data.get("title") or "").split())
        if not title:
            raise forms.ValidationError("请填写标题。")
        return title

    def clean_body(self):
        body = (self.cleaned_data.get("body") or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not body:
            raise forms.ValidationError("请填写正文模板。")
        problems = template_problems(body, self.key)
        if problems:
            raise forms.ValidationError(problems)
        return body


# --- notices: sign-off and sending ------------------------------------------------

class NoticeReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", required=False, max_length=1000, widget=TEXTAREA,
                             help_text="写明需要修改的内容，起草人修改后重新提交签发。")


class NoticeDiscardForm(forms.Form):
    reason = forms.CharField(label="作废理由", required=False, max_length=1000, widget=TEXTAREA)


class NoticeSendForm(forms.Form):
    channel = forms.ChoiceField(label="送达方式", choices=(), widget=forms.RadioSelect)
    on = forms.DateField(label="发出日期", widget=DATE, initial=_today,
                         help_text="邮寄的，为交寄日期；当面送达的，为交付日期；网上或电子邮件送达的，为当日。告知书以此日期编号并落款，期限按此日期计算。")
    delivery_note = forms.CharField(label="送达记录", required=False, max_length=200,
                                    help_text="如挂号信或特快专递的邮件号码。")

    def __init__(self, *args, channels=(), initial_channel="", **kwargs):
        kwargs.setdefault("auto_id", "id_send_%s")
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = list(channels)
        if initial_channel:
            self.fields["channel"].initial = initial_channel


class NoticeDeliveryForm(forms.Form):
    on = forms.DateField(label="送达日期", widget=DATE, initial=_today,
                         help_text="送达回证上受送达人签收的日期，或邮件妥投的日期。")
    note = forms.CharField(label="送达记录", required=False, max_length=200, help_text="如签收人姓名、邮件号码。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_delivery_%s")
        super().__init__(*args, **kwargs)


class SignOffPolicyForm(forms.Form):
    drafter_may_sign = forms.BooleanField(label="允许签发人签发本人起草或修改的告知书（不建议）", required=False)
    signers = forms.ModelMultipleChoiceField(get_user_model().objects.none(), label="另行指定的签发人", required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="政务公开办负责人（管理员）始终可以签发；延期答复告知书只能由其签发（条例第三十三条）。")
    reason = forms.CharField(label="理由", required=False, max_length=300,
                             help_text="允许起草人签发本人告知书的，须写明理由。")

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["signers"].queryset = candidates
            self.fields["signers"].label_from_instance = lambda u: (
                f"{u.get_full_name() or u.get_username()}（{u.get_username()}）")
