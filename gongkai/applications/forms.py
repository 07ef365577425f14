"""Forms of the public side of disclosure applications: the application form
(Art. 29 contents, spam defence without CAPTCHA, checked files) and the
tracking-code lookup.

The Art. 29 rules themselves live in services.validate_applicant: the form
hands it the typed values and puts its Chinese messages on the fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongkai.core.form_tokens import HONEYPOT, issue_token
from gongkai.core.models import Organisation
from gongkai.core.statute import APPLICANT_TYPES
from gongkai.core.uploads import FILE_TYPES, MAX_FILE_BYTES, MAX_FILES, MultipleFileField

from . import services
from .models import Application

# --- the application form -----------------------------------------------------------

NATURAL = "natural"
ORGANISATION_TYPES = [code for code, _ in APPLICANT_TYPES if code != NATURAL]
# Shown with a required marker: what Art. 29 asks for (contact: one of three).
STATUTORY = ("organisation", "applicant_type", "applicant_name", "id_document", "form", "delivery", "consent")
# The error summary names the field; where one message covers several fields, by this name.
SUMMARY_LABELS = {"phone": "联系方式", "info_description": "所需信息"}


def grouped_organisation_choices() -> list:
    """The 受理机关 choices grouped as the tree is (issue 18): one <optgroup>
    per government (省 → 市 → 县 → 乡镇, depth first), holding the government
    and its departments, labelled with its place in the tree; never one flat
    list of every body. One query."""
    orgs = list(Organisation.objects.order_by("sort_order", "id").only("id", "name", "short_name", "level", "parent_id"))
    children: dict = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    known = {org.pk for org in orgs}
    groups, seen = [], set()

    def departments_of(org) -> list:
        found = []
        for child in children.get(org.pk, []):
            if child.level == Organisation.Level.DEPARTMENT and child.pk not in seen:
                seen.add(child.pk)
                found.append((child.pk, child.name))
                found.extend(departments_of(child))
        return found

    def walk(org, path) -> None:
        if org.pk in seen:  # a broken (cyclic) tree must not loop forever
            return
        seen.add(org.pk)
        label = " › ".join([*path, org.short_name or org.name])
        groups.append((label, [(org.pk, org.name), *departments_of(org)]))
        for child in children.get(org.pk, []):
            if child.level != Organisation.Level.DEPARTMENT:
                walk(child, [*path, org.short_name or org.name])

    for org in orgs:
        if org.parent_id is None or org.parent_id not in known:
            walk(org, [])
    leftovers = [(org.pk, org.name) for org in orgs if org.pk not in seen]
    if leftovers:
        groups.append(("其他机关", leftovers))
    return [("", "请选择受理机关"), *groups]


class ApplicationForm(forms.Form):
    use_required_attribute = False  # the page validates on the server, with an error summary

    organisation = forms.ModelChoiceField(
        label="受理机关", queryset=Organisation.objects.order_by("sort_order", "id"), empty_label="请选择受理机关",
        error_messages={"required": "请选择受理机关。", "invalid_choice": "请从列表中选择受理机关。"},
        help_text="向制作或保存该政府信息的机关提出申请。")
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=APPLICANT_TYPES, widget=forms.RadioSelect, required=False)
    applicant_name = forms.CharField(
        label="姓名或名称", max_length=100, required=False,
        help_text="自然人填写本人姓名；法人或其他组织填写全称。")
    id_document = forms.CharField(
        label="身份证明", max_length=100, required=False,
        help_text="自然人填写证件名称及号码（如：居民身份证 510…）；法人或其他组织填写统一社会信用代码。")
    legal_representative = forms.CharField(label="法定代表人或负责人（法人或其他组织填写）", max_length=50, required=False)
    contact_person = forms.CharField(label="联系人（法人或其他组织填写）", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False,
                            help_text="联系电话、电子邮箱、通信地址至少填写一项。")
    email = forms.EmailField(label="电子邮箱", max_length=254, required=False,
                             error_messages={"invalid": "请填写有效的电子邮箱地址，例如 name@example.com。"})
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    postcode = forms.RegexField(label="邮政编码", regex=r"^\d{6}$", max_length=6, required=False,
                                error_messages={"invalid": "邮政编码应为6位数字。"})
    info_title = forms.CharField(label="所需信息的名称", max_length=300, required=False)
    info_number = forms.CharField(label="文号", max_length=80, required=False)
    info_description = forms.CharField(
        label="所需信息的特征性描述", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="名称、文号、描述至少填写一项；描述越具体（时间、地点、事项、制作机关等），越便于查找。")
    form = forms.ChoiceField(label="信息的载体形式", choices=Application.Form.choices, widget=forms.RadioSelect,
                             required=False)
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Application.Delivery.choices,
                                 widget=forms.RadioSelect, required=False)
    files = MultipleFileField(
        label="身份证明等材料（可选）", required=False,
        help_text=f"最多{MAX_FILES}个文件，每个不超过{MAX_FILE_BYTES // 1048576}MB；格式：PDF、JPG、PNG、DOC、DOCX、OFD。")
    consent = forms.BooleanField(
        label="本人承诺所填写的信息真实、准确，并同意受理机关为办理本申请使用这些信息。",
        error_messages={"required": "请勾选承诺：确认所填写的信息真实、准确。"})
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
        self.fields["files"].widget.attrs["accept"] = ",".join(FILE_TYPES)
        self.fields["organisation"].choices = grouped_organisation_choices()  # by the tree, in <optgroup>s
        for name in STATUTORY:
            self.fields[name].widget.attrs["aria-required"] = "true"
        for name in ("form", "delivery", "applicant_type"):  # the fieldset carries it, not each radio
            self.fields[name].widget.attrs.pop("aria-required", None)

    # The applicant-type radios in two groups: 自然人, and the five kinds of 法人或其他组织.
    def natural_radios(self):
        return [radio for radio in self["applicant_type"] if radio.data["value"] == NATURAL]

    def organisation_radios(self):
        return [radio for radio in self["applicant_type"] if radio.data["value"] != NATURAL]

    def clean(self):
        data = super().clean()
        # A field Django refused (a malformed e-mail) still counts as typed for the Art. 29 checks.
        values = {name: (self.data.get(name) if name in self.errors else data.get(name)) or ""
                  for name in services.APPLICANT_FIELDS}
        if values["applicant_type"] == NATURAL:
            values["legal_representative"] = values["contact_person"] = ""
        try:
            clean = services.validate_applicant(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, messages)
            return data
        if clean["delivery"] == Application.Delivery.EMAIL and not clean["email"] and "email" not in self.errors:
            self.add_error("email", "选择通过电子邮件获取信息的，请填写电子邮箱。")
        if clean["delivery"] == Application.Delivery.POST and not clean["address"] and "address" not in self.errors:
            self.add_error("address", "选择邮寄方式获取信息的，请填写通信地址。")
        if clean["form"] == Application.Form.PAPER and clean["delivery"] in (
                Application.Delivery.EMAIL, Application.Delivery.ONLINE):
            self.add_error("delivery", "纸质形式的信息只能邮寄或当面领取，请重新选择获取方式或载体形式。")
        data["applicant"] = clean
        return data

    def mark_errors(self) -> None:
        """aria-invalid and aria-describedby (the error's id) on each field in error."""
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            attrs = self.fields[name].widget.attrs
            described = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(described)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message naming the field) for every error, in page order."""
        summary = [("apply-form", message) for message in self.non_field_errors()]
        for name in self.fields:
            if name not in self.errors:
                continue
            bound = self[name]
            anchor = f"{bound.auto_id}_0" if isinstance(self.fields[name].widget, forms.RadioSelect) else bound.id_for_label
            label = SUMMARY_LABELS.get(name, self.fields[name].label.split("（")[0])
            if name == "consent":
                label = "承诺"
            summary += [(anchor, f"{label}：{message}") for message in bound.errors]
        return summary


def initial_from(data) -> dict:
    """What a person typed, to show again after a refused (spam-suspected)
    submission without marking anything as an error."""
    skip = {"started", HONEYPOT, "files", "consent", "csrfmiddlewaretoken"}
    return {name: data.get(name) for name in ApplicationForm.base_fields if name not in skip and data.get(name)}


class LookupForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=200, error_messages={"required": "请输入查询码。"},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "off"}),
                           help_text="提交申请时页面上显示的查询码，不区分大小写，空格和短横线可以省略。")
    use_required_attribute = False

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())  # a code copied with spaces or line breaks
