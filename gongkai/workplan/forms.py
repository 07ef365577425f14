"""Forms of the work-plan staff pages. They read and shape input only; the
rules (and their Chinese messages) live in gongkai.workplan.services and
gongkai.workplan.quotas, which the views call with the cleaned data."""

from __future__ import annotations

import re
from pathlib import PurePath

from django import forms
from django.utils import timezone

from gongkai.applications.staff_forms import MultipleFileField
from gongkai.catalog.models import Document, Genre
from gongkai.core.models import Organisation

from . import extract, quota_table, reading, services
from .models import QuotaPlan, TaskUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UPLOAD_SUFFIXES = (".html", ".htm", ".txt")
MAX_UPLOAD = 5 * 1024 * 1024
MAX_EVIDENCE = 50
CARRY_CHOICES = [("", "不结转"), ("next", "未完成部分结转至下一周期"), ("last", "未完成部分结转至年末最后一个周期")]
_SEPARATORS = re.compile(r"[\s,，、;；]+")
# A target line: "单位 数量" (every window) or "单位 3 3 4 2" (one number per window).
_TARGET_LINE = re.compile(r"(.+?)[\s:：,，]+(\d{1,6}(?:\s*[\s,，、/]\s*\d{1,6})*)\s*条?")


def read_page_upload(upload) -> str:
    """An uploaded page (.html, .htm, .txt, at most 5 MB, UTF-8 or GBK) as text; a Chinese refusal otherwise."""
    if PurePath(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
        raise forms.ValidationError("只能上传网页或文本文件（.html、.htm、.txt）。")
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError("文件超过5MB。")
    try:
        return reading.decode_bytes(upload.read())
    except reading.DecodeError:
        raise forms.ValidationError("无法读取该文件：不是UTF-8或GBK等编码的网页或文本文件，或文件为空。") from None


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="印发机关", empty_label="请选择")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100,
                              help_text="留空则从标题或成文日期识别。")
    text = forms.CharField(label="粘贴原文", required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="粘贴工作要点全文（含“一、”“（一）”“1.”等编号）；或在下面上传文件，二者选一。")
    file = forms.FileField(label="上传文件", required=False,
                           help_text="网页或文本文件（.html、.htm、.txt），不超过5MB，UTF-8或GBK编码均可。")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        self.cleaned_data["file_text"] = read_page_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        has_text = bool((data.get("text") or "").strip())
        if data.get("file") and has_text:
            raise forms.ValidationError("请粘贴原文或上传文件，二者选一。")
        if not data.get("file") and not has_text and not self.has_error("file"):
            self.add_error("text", "请粘贴工作要点原文或上传文件。")
        return data

    def source(self) -> reading.PlanSource:
        """The plan read from the pasted text or the uploaded page."""
        content = self.cleaned_data.get("file_text") or self.cleaned_data["text"]
        return reading.plan_source(content)


class TaskForm(forms.Form):
    title = forms.CharField(label="任务", max_length=500)
    text = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    due_text = forms.CharField(label="完成时限（原文）", required=False, max_length=100,
                               help_text="如“2024年6月底前”“长期坚持”。")
    due_date = forms.DateField(label="完成时限（日期）", required=False, widget=DATE,
                               help_text="用于到期提醒和逾期统计；长期、适时等无具体日期的留空。")


class UnitRowForm(forms.Form):
    role = forms.ChoiceField(label="职责", choices=TaskUnit.Role.choices)
    name = forms.CharField(label="单位（原文）", required=False, max_length=200)
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="对应机构", required=False,
                                          empty_label="未匹配")

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.all()


UnitFormSet = forms.formset_factory(UnitRowForm, extra=3, max_num=60, can_delete=True)


def unit_formset(data=None, *, task=None, organisations=None):
    initial = None
    if task is not None and data is None:
        initial = [{"role": u.role, "name": u.name, "organisation": u.organisation_id} for u in task.units.all()]
    return UnitFormSet(data, initial=initial, prefix="units", form_kwargs={"organisations": organisations})


class RequestForm(forms.Form):
    due_on = forms.DateField(label="报送截止日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


class ReportForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="报送单位", empty_label=None)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    percent = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    claims_done = forms.BooleanField(label="已完成（报牵头单位确认）", required=False,
                                     help_text="只完成本单位承担的部分；各单位均完成并经确认后，任务计为已完成。")
    evidence = forms.CharField(label="佐证：已发布政府信息的索引号", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="每行一个，或用逗号分隔。")
    files = MultipleFileField(label="附件", required=False,
                              help_text=f"最多{services.MAX_FILES}个文件，每个不超过{services.MAX_FILE_SIZE // 1024 // 1024}MB。")

    def __init__(self, *args, units=(), **kwargs):
        kwargs.setdefault("auto_id", "id_report_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[u.pk for u in units]).order_by(
            "sort_order", "name")

    def clean_evidence(self) -> list[Document]:
        numbers = [n for n in _SEPARATORS.split(self.cleaned_data.get("evidence") or "") if n]
        numbers = list(dict.fromkeys(numbers))
        if len(numbers) > MAX_EVIDENCE:
            raise forms.ValidationError(f"佐证最多{MAX_EVIDENCE}条。")
        found = {d.index_number: d for d in Document.objects.filter(index_number__in=numbers,
                                                                    status=Document.Status.PUBLISHED)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(f"以下索引号不是已发布的政府信息：{'、'.join(unknown)}。")
        return [found[n] for n in numbers]

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > services.MAX_FILES:
            raise forms.ValidationError(f"每次最多上传{services.MAX_FILES}个附件。")
        return files


class ReasonForm(forms.Form):
    """A reason, and with `parts` (TaskUnit rows matched to organisations) the
    unit whose part the action is for; blank means every one of them
    (`all_label` names that choice)."""

    organisation = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, action: str = "", parts=(), all_label: str = "全部单位", **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        choices = [(u.organisation_id, u.organisation.name) for u in parts if u.organisation_id]
        if choices:
            self.fields["organisation"].choices = [("", all_label), *choices]
        else:
            del self.fields["organisation"]


class QuotaPlanForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="下达机关", empty_label="请选择")
    title = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    period = forms.ChoiceField(label="考核周期", choices=QuotaPlan.Period.choices, initial=QuotaPlan.Period.QUARTER)
    carry = forms.ChoiceField(label="结转方式", choices=CARRY_CHOICES, required=False)
    genre = forms.ModelChoiceField(Genre.objects.all(), label="只计此体裁", required=False, empty_label="全部体裁")
    targets = forms.CharField(label="各单位每周期目标条数", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="每行一个单位：“单位名称 数量”（每个周期相同），或“单位名称 3 3 4 2”（每个周期一个数）；"
                                        "单位名称可用全称或简称，须为下达机关的下级机构。")
    table = forms.FileField(label="从任务分解表读取（可选）", required=False,
                            help_text="上传下达任务数的附件页面（.html、.htm、.txt），点击“读取表格”后，"
                                      "表中的单位和数量会填入上方，核对后再创建。")

    def __init__(self, *args, organisations=None, reading_table: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()
        self.fields["year"].initial = timezone.localdate().year
        self.reading_table = reading_table
        if reading_table:  # reading the table needs only the file; the rest is checked on 创建
            for field in self.fields.values():
                field.required = False

    def clean_table(self):
        upload = self.cleaned_data.get("table")
        if not self.reading_table:
            return None
        if not upload:
            raise forms.ValidationError("请选择要读取的任务分解表文件。")
        table = quota_table.extract_quotas(read_page_upload(upload))
        rows = [row for row in (table.rows if table else []) if row.number is not None]
        if not rows:
            raise forms.ValidationError("未在文件中找到“单位—数量”的表格。")
        self.cleaned_data["quota_table"] = table
        return upload

    def table_text(self) -> tuple[str, str]:
        """The table read, as lines for the targets box, and the columns the
        numbers came from: one per window when the table has a column for
        each quarter (or month) of the plan's period, else its main column."""
        table = self.cleaned_data["quota_table"]
        per_window = quota_table.period_columns(table.columns, self.cleaned_data.get("period", ""))
        if per_window:
            lines = [f"{row.unit} " + " ".join(str(row.numbers[c]) for c in per_window)
                     for row in table.rows if all(c in row.numbers for c in per_window)]
            return "\n".join(lines), f"{per_window[0]}至{per_window[-1]}"
        lines = [f"{row.unit} {row.number}" for row in table.rows if row.number is not None]
        return "\n".join(lines), quota_table.main_column(table.columns) or quota_table.DEFAULT_COLUMN

    def clean(self):
        data = super().clean()
        if self.reading_table:
            return data
        office, text = data.get("organisation"), (data.get("targets") or "").strip()
        if not text:
            self.add_error("targets", "请填写各单位的目标条数，或上传任务分解表读取。")
            return data
        if office is None:
            return data
        rows, bad = [], []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            match = _TARGET_LINE.fullmatch(line)
            if not match:
                bad.append(line)
                continue
            numbers = [int(n) for n in re.findall(r"\d+", match.group(2))]
            rows.append((match.group(1).strip(), numbers[0] if len(numbers) == 1 else numbers))
        if bad:
            self.add_error("targets", f"以下行应为“单位名称 数量”：{'；'.join(bad[:10])}。")
            return data
        below = Organisation.objects.filter(pk__in=office.descendant_ids() - {office.pk})
        matches = extract.match_units([name for name, _ in rows], below.values_list("id", "name", "short_name"))
        unknown = [name for name, _ in rows if matches.get(name) is None]
        if unknown:
            self.add_error("targets", f"以下单位不是“{office.name}”的下级机构：{'、'.join(dict.fromkeys(unknown))}。")
            return data
        by_id = below.in_bulk([matches[name][0] for name, _ in rows])
        data["target_map"] = {by_id[matches[name][0]]: n for name, n in rows}
        return data
