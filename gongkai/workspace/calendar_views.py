"""The staff page of the working-day calendar (工作日历): which years it
covers, the holiday notices imported, and importing next year's notice the
day it comes out — paste it or upload the saved page, check the days read in
a calendar view of the year, confirm. Reading is gongkai.core.holiday_notice,
writing (audited, permission-checked) gongkai.core.services."""

from __future__ import annotations

import calendar as pycalendar

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from gongkai.core import calendar, permissions, services
from gongkai.core.decode import DecodeError, decode
from gongkai.core.holiday_notice import Notice, NoticeError, read_notice
from gongkai.core.models import HolidayNotice

from .auth import require, staff_view
from .pages import crumbs

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
WEEKDAYS = "一二三四五六日"
NO_IMPORT = "只有政务公开办（最上级机构）管理员可以导入节假日安排通知。"


class NoticeForm(forms.Form):
    text = forms.CharField(label="通知全文", required=False, widget=forms.Textarea(attrs={"rows": 10}),
                           help_text="粘贴《国务院办公厅关于××年部分节假日安排的通知》全文，或上传保存的网页。")
    file = forms.FileField(label="或上传网页文件", required=False,
                           help_text="保存的网页（HTML）或文本文件，UTF-8或GBK编码，不超过5MB。")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = (data.get("text") or "").strip()
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("上传的文件超过5MB，不是节假日安排通知的网页。")
            try:
                text, _encoding = decode(upload.read())
            except DecodeError:
                raise forms.ValidationError("无法读取上传的文件：请上传保存的网页（HTML）或文本文件。") from None
        if not text.strip():
            raise forms.ValidationError("请粘贴通知全文或上传保存的网页。")
        try:
            data["notice"] = read_notice(text)
        except NoticeError as exc:
            raise forms.ValidationError(f"未能读取该通知：{exc.message}") from None
        data["text"] = text
        return data


def month_grids(year: int, notice: Notice | None = None) -> list[dict]:
    """The year as twelve month tables of weeks (Monday first). Each day:
    (date, kind) with kind "off" (a holiday), "work" (an adjusted working
    weekend), "weekend" or "day"; from `notice` when given (a preview),
    otherwise from the calendar as it stands (provisional where the year has no data)."""
    if notice is not None:
        off, work = set(notice.days_off), set(notice.workdays)
        working = notice.is_workday
    else:
        off = work = set()
        working = calendar.provisional().is_workday
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                weekend = day.weekday() >= 5
                is_work = day in work or (day not in off and working(day))
                kind = ("work" if weekend else "day") if is_work else ("weekend" if weekend and day not in off else "off")
                row.append({"date": day, "kind": kind})
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


def _year_param(text: str | None, default: int) -> int:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 1949 <= int(text) <= 2199 else default


def _page(request, form: NoticeForm, *, notice: Notice | None = None, text: str = "", status: int = 200):
    today = timezone.localdate()
    current = calendar.current()
    first, last = current.coverage()
    shown = notice.year if notice else _year_param(request.GET.get("year"), today.year)
    return render(request, "workspace/calendar.html", {
        "form": form, "notice": notice, "text": text,
        "first": first, "last": last, "missing": calendar.missing_year(today),
        "covered": current.covered(shown),
        "differences": [(year, current.differences(year)) for year in sorted(current.notice_years)
                        if current.differences(year)],
        "notices": HolidayNotice.objects.all()[:50],
        "shown_year": shown, "months": month_grids(shown, notice), "weekdays": WEEKDAYS,
        "can_import": permissions.can_manage_calendar(request.user),
        "crumbs": crumbs(("工作日历", "")),
    }, status=status)


@staff_view
def calendar_page(request):
    """GET: the calendar and the import form. POST step=read: the days read,
    for checking; POST step=confirm: import them."""
    if request.method != "POST":
        return _page(request, NoticeForm())
    require(permissions.can_manage_calendar(request.user), NO_IMPORT)
    form = NoticeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    notice, text = form.cleaned_data["notice"], form.cleaned_data["text"]
    if request.POST.get("step") != "confirm":
        return _page(request, NoticeForm(), notice=notice, text=text)
    row, outcome = services.calendar_import_notice(notice, by=request.user, text=text)
    if outcome == services.UNCHANGED:
        messages.info(request, f"该通知已导入（{row.year}年），工作日历没有变化。")
    else:
        messages.success(request, f"已导入{row.year}年节假日安排：放假{len(notice.days_off)}天，"
                                  f"调休上班{len(notice.workdays)}天。相关期限已按新日历重新计算。")
    return redirect(f"{request.path}?year={row.year}")
