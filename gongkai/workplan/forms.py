"""Forms of the work-plan staff pages. They read and shape input only; the
rules (and their Chinese messages) live in gongkai.workplan.services and
gongkai.workplan.quotas, which the views call with the cleaned data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from gongkai.applications.staff_forms import MultipleFileField
from gongkai.catalog.models import Document, Genre
from gongkai.core.models import Organisation

from . import extract, quota_table, quotas, reading, services
from .models import QuotaPlan, TaskUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UPLOAD_SUFFIXES = (".html", ".htm", ".txt")
MAX_UPLOAD = 5 * 1024 * 1024
MAX_EVIDENCE = 50
CARRY_CHOICES = [("", "不结转"), ("next", "未完成部分结转至下一周期"), ("last", "未完成部分结转至年末最后一个周期")]
# Words an office may type for the usual carry-overs, besides the labels above and the codes next/last.
CARRY_WORDS = {"无": "", "不结转": "", "下一周期": "next", "结转至下一周期": "next", "年末": "last",
               "结转至年末": "last", "最后一个周期": "last"}
CARRY_HINT = "结转方式只能是不结转、结转至下一周期、结转至年末，或写明月份段，如“1-5>6-9”。"
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


class CarryInput(forms.TextInput):
    """A text box offering the usual carry-overs (a datalist of their labels)
    that also takes pairs of 月份段 ("1-5>6-9"); a stored code (next, last)
    is shown as its label."""

    def format_value(self, value):
        return dict(CARRY_CHOICES).get(value or "", value)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}_choices"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((label,) for _, label in CARRY_CHOICES))
        return box + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class CarryField(forms.CharField):
    """The carry-over as create_quota_plan takes it: "" (none), "next",
    "last", or pairs of 月份段 ("1-5>6-9,6-9>10-12"), read by quota_table.carry_pairs.
    Whether the pairs name windows of the plan is the service's rule."""

    widget = CarryInput

    def clean(self, value):
        text = super().clean(value)
        text = re.sub(r"\s+", "", text or "")
        words = {**{label: key for key, label in CARRY_CHOICES}, **CARRY_WORDS}
        if text in ("", "next", "last") or text in words:
            return words.get(text, text)
        try:
            pairs = quota_table.carry_pairs(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not pairs:
            raise forms.ValidationError(CARRY_HINT)
        return ",".join(f"{quota_table.Span(*a).months}>{quota_table.Span(*b).months}" for a, b in pairs)


@dataclass
class TableReading:
    """What a quota table gave the form: the targets (one line per unit), the
    columns they came from, the period, 月份段 and carry-over the table states
    (None when it states none), and what the office should check."""

    source: str
    targets: str
    column: str
    period: str | None = None
    months: str = ""
    carry: str | None = None
    measure: str = "条"
    warnings: list[str] = field(default_factory=list)
    groups: list[tuple[str, int]] = field(default_factory=list)  # (heading, number of units)

    @property
    def units(self) -> int:
        return len(self.targets.splitlines())

    @property
    def period_label(self) -> str:
        return QuotaPlan.Period(self.period).label if self.period else ""

    @property
    def carry_label(self) -> str:
        """"未完成部分结转至下一周期", or for pairs "1-5月未完成部分结转至6-9月"."""
        if self.carry in dict(CARRY_CHOICES) or not self.carry:
            return dict(CARRY_CHOICES)[self.carry or ""]
        return "；".join(f"{quota_table.Span(*a).label}未完成部分结转至{quota_table.Span(*b).label}"
                        for a, b in quota_table.carry_pairs(self.carry))

    def initial(self) -> dict:
        """The values it preselects on the form."""
        values = {"targets": self.targets}
        if self.period:
            values.update(period=self.period, months=self.months)
        if self.carry:
            values["carry"] = self.carry
        return values


def _carry_fits(carry: str, period: str, months: str) -> bool:
    """Whether each pair of a carry-over ("1-5>6-9") names two windows of a plan of this period (any year)."""
    try:
        spans = {(start.month, end.month) for start, end in quotas.windows_of(2000, period, months)}
        return all(a in spans and b in spans for a, b in quota_table.carry_pairs(carry))
    except ValueError:
        return False


class QuotaPlanForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="下达机关", empty_label="请选择")
    title = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    period = forms.ChoiceField(label="考核周期", choices=QuotaPlan.Period.choices, initial=QuotaPlan.Period.QUARTER)
    months = forms.CharField(label="月份段", required=False, max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": "1-5,6-9,10-12"}),
                             help_text="考核周期为“按月份段”时必填：各段的起止月份，按先后、互不重叠，"
                                       "如“1-5,6-9,10-12”表示1—5月、6—9月、10—12月三个考核周期。")
    carry = CarryField(label="结转方式", required=False, max_length=200,
                       help_text="可选不结转、结转至下一周期、结转至年末最后一个周期；或写明在哪两个周期之间结转，"
                                 "如“1-5>6-9”（1—5月未完成部分计入6—9月），多条用逗号分隔。")
    genre = forms.ModelChoiceField(Genre.objects.all(), label="只计此体裁", required=False, empty_label="全部体裁")
    targets = forms.CharField(label="各单位每周期目标条数", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="每行一个单位：“单位名称 数量”（每个周期相同），或“单位名称 3 3 4 2”（每个周期一个数）；"
                                        "单位名称可用全称或简称，须为下达机关的下级机构。")
    table = forms.FileField(label="从任务分解表读取（可选）", required=False,
                            help_text="上传下达任务数的附件页面（.html、.htm、.txt），点击“读取表格”后，"
                                      "表中的单位和数量会填入上方，核对后再创建。")
    pasted = forms.CharField(label="或粘贴任务分解表（可选）", required=False, max_length=200000,
                             widget=forms.Textarea(attrs={"rows": 6}),
                             help_text="从通知或附件中复制表格（或“单位 数量”的列表）粘贴于此，再点击“读取表格”；"
                                       "与上传文件二者选一。")

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
        if upload:
            self.cleaned_data["table_source"] = (upload.name, read_page_upload(upload))
        return upload

    def _read_table(self, data: dict) -> None:
        """Reading mode: the uploaded or pasted table into data["quota_table"] (and its source's name)."""
        if self.has_error("table") or self.has_error("pasted"):
            return
        pasted = (data.get("pasted") or "").strip()
        upload = data.get("table_source")
        if upload and pasted:
            self.add_error("pasted", "请上传文件或粘贴表格，二者选一。")
            return
        if not upload and not pasted:
            self.add_error("table", "请选择要读取的任务分解表文件，或粘贴表格。")
            return
        name, content = upload or ("", pasted)
        table = quota_table.extract_quotas(content)
        if not any(row.number is not None for row in (table.rows if table else [])):
            self.add_error("table" if upload else "pasted",
                           f"未在{'文件' if upload else '粘贴的内容'}中找到“单位—数量”的表格。")
            return
        data["quota_table"], data["table_name"] = table, name

    def table_text(self, period: str | None = None, months: str | None = None) -> tuple[str, str]:
        """The table read, as lines for the targets box, and the columns the
        numbers came from: one per window when the table has a column for
        each quarter, month or run of months (月份段) of the plan's period
        (by default the one posted), else its main column."""
        text, columns = self._targets(period, months)
        return text, f"{columns[0]}至{columns[-1]}" if len(columns) > 1 else columns[0]

    def _targets(self, period: str | None, months: str | None) -> tuple[str, list[str]]:
        table = self.cleaned_data["quota_table"]
        period = self.cleaned_data.get("period", "") if period is None else period
        months = self.cleaned_data.get("months", "") if months is None else months
        per_window = quota_table.period_columns(table.columns, period, months)
        if per_window:
            lines = [f"{row.unit} " + " ".join(str(row.numbers[c]) for c in per_window)
                     for row in table.rows if all(c in row.numbers for c in per_window)]
            return "\n".join(lines), per_window
        lines = [f"{row.unit} {row.number}" for row in table.rows if row.number is not None]
        return "\n".join(lines), [quota_table.main_column(table.columns) or quota_table.DEFAULT_COLUMN]

    def read_table(self) -> TableReading:
        """The table read (a valid form in reading mode), with the period,
        月份段 and carry-over it states preselected in place of those posted,
        and what the office should check: points (分) rather than items (条),
        the reader's warnings, the groups it found."""
        table = self.cleaned_data["quota_table"]
        suggested = table.suggested_period()
        period, months = suggested or (self.cleaned_data.get("period") or "", self.cleaned_data.get("months") or "")
        targets, used = self._targets(period, months)
        column = f"{used[0]}至{used[-1]}" if len(used) > 1 else used[0]
        points = table.measure == "分" or any(table.measures.get(c) == "分" for c in used)
        warnings = list(table.warnings)
        spans = list(dict.fromkeys(s.label for s in table.windows.values()))
        if suggested is None and len(spans) > 1:
            warnings.append(f"表中的数量分属不同周期（{'、'.join(spans)}），未自动选择考核周期，请选择后核对各单位的数量。")
        carry = table.carry or None
        if carry and carry not in ("next", "last") and not _carry_fits(carry, period, months):
            warnings.append(f"通知写明的结转（{carry}）不是所选考核周期之间的结转，未预选结转方式，请核对考核周期和结转方式。")
            carry = None
        counts: dict[str, int] = {}
        for row in table.rows:
            if row.group:
                counts[row.group] = counts.get(row.group, 0) + 1
        return TableReading(source=self.cleaned_data.get("table_name") or "", targets=targets, column=column,
                            period=suggested[0] if suggested else None, months=suggested[1] if suggested else "",
                            carry=carry, measure="分" if points else "条", warnings=warnings,
                            groups=[(g, counts[g]) for g in table.groups])

    def clean(self):
        data = super().clean()
        if self.reading_table:
            self._read_table(data)
            return data
        if data.get("period") == QuotaPlan.Period.MONTHS:
            try:  # the service's own reading of 月份段
                data["months"] = quota_table.months_text(quota_table.parse_month_ranges(data.get("months") or ""))
            except ValueError as exc:
                self.add_error("months", str(exc))
        else:
            data["months"] = ""
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
