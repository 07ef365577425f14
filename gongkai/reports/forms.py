"""Forms of the annual report's staff pages (they read input; the services decide)."""

from __future__ import annotations

from django import forms

from gongkai.core.models import Organisation

from . import annual

YEAR_ERRORS = {"required": "请填写年度。", "invalid": "年度应为四位数字。", "min_value": "年度不正确。",
               "max_value": "年度不正确。"}


class StartForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="报告机关", empty_label="请选择",
                                          error_messages={"required": "请选择报告机关。",
                                                          "invalid_choice": "请选择列表中的机构。"})
    year = forms.IntegerField(label="报告年度", min_value=annual.FIRST_YEAR, max_value=2199, error_messages=YEAR_ERRORS)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class EditForm(forms.Form):
    overview = forms.CharField(label="一、总体情况", required=False, widget=forms.Textarea(attrs={"rows": 10}),
                               help_text="根据本年度数据自动起草，请补充修改。每段一行。")
    licensing = forms.DecimalField(label="行政许可 本年处理决定数量（件）", required=False, min_value=0, decimal_places=0,
                                   max_digits=10)
    penalty = forms.DecimalField(label="行政处罚 本年处理决定数量（件）", required=False, min_value=0, decimal_places=0,
                                 max_digits=10)
    coercion = forms.DecimalField(label="行政强制 本年处理决定数量（件）", required=False, min_value=0, decimal_places=0,
                                  max_digits=10)
    fees = forms.DecimalField(label="行政事业性收费 本年收费金额（万元）", required=False, min_value=0, decimal_places=4,
                              max_digits=12)
    problems = forms.CharField(label="五、存在的主要问题及改进情况", required=False,
                               widget=forms.Textarea(attrs={"rows": 6}))
    other_matters = forms.CharField(label="六、其他需要报告的事项", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="已按本年度收取的信息处理费起草。")

    def __init__(self, *args, last_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages.update({"invalid": "请填写数字。", "min_value": "不能为负数。",
                                         "max_decimal_places": "最多保留%(max)s位小数。",
                                         "max_digits": "数字过大。", "max_whole_digits": "数字过大。"})
            if last_year is not None and name in annual.ENTERED:
                previous = last_year.get(name)
                shown = "未填报" if previous is None else (annual.fees_text(previous) if name == "fees" else previous)
                field.help_text = f"上年度报告：{shown}"


class OverrideForm(forms.Form):
    cell = forms.ChoiceField(label="数据项", choices=(), error_messages={"required": "请选择要修改的数据。",
                                                                     "invalid_choice": "请选择列表中的数据项。"})
    value = forms.IntegerField(label="填报值（件）", min_value=0, max_value=10**9,
                               error_messages={"required": "请填写填报值。", "invalid": "件数应为整数。",
                                               "min_value": "不能为负数。", "max_value": "数字过大。"})
    reason = forms.CharField(label="修改理由", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="必填。系统计算值将与填报值一并保留。",
                             error_messages={"max_length": "理由最多300字。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].choices = [("", "请选择"), *annual.overridable_cells()]


class DeadlineForm(forms.Form):
    month = forms.TypedChoiceField(label="月", choices=[(str(m), f"{m}月") for m in range(1, 13)], coerce=int,
                                   error_messages={"required": "请选择月份。", "invalid_choice": "请选择月份。"})
    day = forms.IntegerField(label="日", min_value=1, max_value=31,
                             error_messages={"required": "请填写日期。", "invalid": "日期应为数字。",
                                             "min_value": "日期不正确。", "max_value": "日期不正确。"})
    basis = forms.CharField(label="依据", max_length=200, required=False,
                            help_text="如：本地政务公开工作要点或通知的名称、文号",
                            error_messages={"max_length": "最多200字。"})
