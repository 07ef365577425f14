"""Forms for service guides. They read and shape input (with messages in
Chinese that name the field); gongkai.guides.services decides and writes."""

from __future__ import annotations

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME

from gongkai.core.models import Organisation

from .models import MAX_DAYS, MAX_MATERIALS, TARGET_CHOICES, GuideMaterial, ServiceGuide
from .services import CONTENT_FIELDS, MATERIAL_FIELDS, NOTE_LIMIT

# Error codes whose messages the model fields word in Chinese, naming the field.
_MESSAGE_CODES = ("required", "invalid", "max_length", "min_value", "max_value", "invalid_choice")
OTHER_TARGET = "other"
MATERIAL_PREFIX = "materials"
EXTRA_MATERIAL_ROWS = 3


def _take_model_messages(form: forms.ModelForm) -> None:
    """Give each form field the Chinese messages of its model field."""
    model = form._meta.model
    for name, field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except Exception:  # a form-only field
            continue
        for code in _MESSAGE_CODES:
            if code in model_field.error_messages:
                field.error_messages[code] = model_field.error_messages[code]


def _label_messages(field: forms.Field, label: str) -> None:
    field.error_messages.update({
        "required": f"请填写{label}。",
        "invalid": f"{label}格式不正确。",
        "invalid_choice": f"请从列表中选择{label}。",
        "max_length": f"{label}不能超过%(limit_value)d个字（现有%(show_value)d个字）。",
    })


class GuideForm(forms.ModelForm):
    """A guide's content; the materials come in MaterialFormSet."""

    target = forms.ChoiceField(
        label="服务对象",
        choices=[("", "请选择")] + [(t, t) for t in TARGET_CHOICES] + [(OTHER_TARGET, "其他（请在下一项填写）")],
    )
    target_other = forms.CharField(
        label="其他服务对象", required=False, max_length=100,
        help_text="服务对象选择“其他”时填写，如：个体工商户、社会组织。",
    )
    note = forms.CharField(
        label="修改说明", required=False, max_length=NOTE_LIMIT,
        help_text="简要说明本次修改了什么，将显示在公开的修改记录中。",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ServiceGuide
        fields = ["organisation", *CONTENT_FIELDS]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "process": forms.Textarea(attrs={"rows": 5}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
            "statutory_days": forms.NumberInput(attrs={"min": 1, "max": MAX_DAYS, "inputmode": "numeric"}),
            "promised_days": forms.NumberInput(attrs={"min": 1, "max": MAX_DAYS, "inputmode": "numeric"}),
            "online_link": forms.URLInput(attrs={"inputmode": "url"}),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        _take_model_messages(self)
        for name in ("statutory_days", "promised_days"):
            self.fields[name].widget.attrs["min"] = 1
        _label_messages(self.fields["target"], "服务对象")
        self.fields["target"].error_messages["required"] = "请选择服务对象。"
        _label_messages(self.fields["target_other"], "其他服务对象")
        _label_messages(self.fields["note"], "修改说明")
        self.fields["version"].error_messages["invalid"] = "版本号格式不正确，请重新打开编辑页面后再修改。"
        org = self.fields["organisation"]
        org.empty_label = "请选择"
        org.error_messages["invalid_choice"] = "请从列表中选择实施机构（只能选择您有权编写办事指南的机构）。"
        org.error_messages["required"] = "请选择实施机构。"
        if self.instance.pk:
            # A guide stays with its organisation.
            org.disabled = True
            org.queryset = Organisation.objects.filter(pk=self.instance.organisation_id)
            org.help_text = "办事指南的实施机构不能更改。"
            if not self.is_bound:
                self.initial["version"] = self.instance.version
                target = self.instance.target
                if target and target not in TARGET_CHOICES:
                    self.initial["target"], self.initial["target_other"] = OTHER_TARGET, target
        elif organisations is not None:
            org.queryset = organisations

    def clean(self):
        data = super().clean()
        if data.get("target") == OTHER_TARGET:
            other = (data.get("target_other") or "").strip()
            if not other:
                self.add_error("target_other", "服务对象选择“其他”时，请填写其他服务对象。")
            data["target"] = other
        return data

    def _post_clean(self):
        # The model checks need the chosen target, not the word "other".
        if self.cleaned_data.get("target") == OTHER_TARGET:
            self.cleaned_data["target"] = ""
        super()._post_clean()
        if "target" in self._errors and "target_other" in self._errors:
            del self._errors["target"]  # one message is enough

    def _get_validation_exclusions(self):
        # The organisation was checked by its form field; leaving it out here
        # leaves the (organisation, item code) constraint to validate_unique
        # below, which puts its message on the item code field.
        return {*super()._get_validation_exclusions(), "organisation"}

    def validate_unique(self):
        # Item codes are unique per organisation: one Chinese message (the
        # service checks again inside its transaction).
        org, code = self.cleaned_data.get("organisation"), self.cleaned_data.get("item_code")
        if org and code and "item_code" not in self._errors:
            clash = ServiceGuide.objects.filter(organisation=org, item_code=code)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("item_code", f"本机构已有事项编码为“{code}”的办事指南，事项编码不能重复。")

    def content(self) -> dict:
        """The content fields, for services.save_guide."""
        return {name: self.cleaned_data.get(name) for name in CONTENT_FIELDS}


class MaterialForm(forms.ModelForm):
    class Meta:
        model = GuideMaterial
        fields = MATERIAL_FIELDS
        widgets = {"copies": forms.NumberInput(attrs={"min": 1, "max": 99, "inputmode": "numeric"})}
        labels = {"required": "必需材料"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _take_model_messages(self)
        self.fields["copies"].widget.attrs["min"] = 1


class BaseMaterialFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if ORDERING_FIELD_NAME in form.fields:
            field = form.fields[ORDERING_FIELD_NAME]
            field.label = "排序"
            field.help_text = "填写数字调整先后顺序"
            field.widget.attrs.update({"min": 0, "inputmode": "numeric"})
            field.error_messages["invalid"] = "排序须填写整数。"
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].label = "删除此项材料"

    def materials(self) -> list[dict]:
        """The rows kept (in the chosen order), for services.save_guide."""
        return [{name: form.cleaned_data.get(name) for name in MATERIAL_FIELDS} for form in self.ordered_forms]

    @staticmethod
    def initial_for(guide: ServiceGuide | None) -> list[dict]:
        if guide is None:
            return []
        return [{name: getattr(m, name) for name in MATERIAL_FIELDS} for m in guide.materials.order_by("sort_order", "id")]


MaterialFormSet = forms.formset_factory(
    MaterialForm,
    formset=BaseMaterialFormSet,
    extra=EXTRA_MATERIAL_ROWS,
    can_order=True,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_MATERIALS,
    validate_max=True,
    absolute_max=MAX_MATERIALS + EXTRA_MATERIAL_ROWS,
)


FORMSET_MESSAGES = {
    "too_many_forms": f"申请材料不能超过{MAX_MATERIALS}项。",
    "missing_management_form": "申请材料表单数据不完整，请重新打开页面后再填写。",
}


def material_formset(data=None, guide: ServiceGuide | None = None) -> BaseMaterialFormSet:
    """Bound to POST data, or showing the guide's materials plus empty rows."""
    initial = BaseMaterialFormSet.initial_for(guide) if data is None else None
    return MaterialFormSet(data, prefix=MATERIAL_PREFIX, initial=initial, error_messages=FORMSET_MESSAGES)


class PublicQueryForm(forms.Form):
    """The public list's filters (GET)."""

    q = forms.CharField(label="事项名称或编码", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}))
    org = forms.TypedChoiceField(label="实施机构", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "全部机构")] + [(str(o.pk), o.name) for o in organisations]
        self.fields["org"].error_messages["invalid_choice"] = "所选实施机构不存在或没有公开的办事指南，已显示全部机构。"
