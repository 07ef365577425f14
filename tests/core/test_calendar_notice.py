"""Importing a holiday notice into the working-day calendar
(gongkai.core.services.calendar_import_notice, `gongkai calendar
read-notice / import-notice / coverage`): the year becomes covered, the same
notice twice changes nothing, a later notice replaces (an amendment only the
festivals it names), every import is audited, the package and an imported
notice that disagree are named, and only the top office may import."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.core import calendar, services
from gongkai.core.holiday_notice import read_notice
from gongkai.core.models import AuditEntry, CalendarDay, HolidayNotice

pytestmark = pytest.mark.django_db
D = dt.date


def run(*args) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out, stderr=out)
    return out.getvalue()


def import_text(text, by=None, system=True):
    return services.calendar_import_notice(read_notice(text), by=by, text=text, system=system)


def test_a_year_the_package_lacks_is_covered_once_its_notice_is_imported(package_ends_2026, notice_text, tmp_path):
    with pytest.raises(calendar.CalendarGap):
        calendar.add_workdays(D(2026, 12, 20), 20)
    path = tmp_path / "2027.txt"
    path.write_text(notice_text("made-up-2027.txt"), encoding="utf-8")
    assert run("import-notice", str(path)).startswith("imported #")
    assert calendar.covered(2027) and calendar.coverage() == (2004, 2027)
    # 12-21..25, 28..31 are days 1-9; 01-01..03 off; 01-04..08 10-14, 01-11..15 15-19, 01-18 20.
    assert run("add-workdays", "2026-12-20", "20").strip() == "2027-01-18"
    assert run("is-workday", "2027-02-20").strip() == "yes"  # the adjusted working Saturday
    assert run("is-workday", "2027-02-08").strip() == "no"  # a Monday of the Spring Festival
    assert run("is-workday", "2027-03-08").strip() == "yes"  # an ordinary Monday
    assert run("coverage").splitlines()[0] == "2004-2027"
    # Imported twice: nothing changes, nothing is written.
    rows, entries = list(CalendarDay.objects.values_list("date", "is_workday", "notice_id")), AuditEntry.objects.count()
    assert run("import-notice", str(path)).startswith("unchanged")
    assert list(CalendarDay.objects.values_list("date", "is_workday", "notice_id")) == rows
    assert AuditEntry.objects.count() == entries and HolidayNotice.objects.count() == 1


def test_the_same_notice_saved_as_a_gbk_page_reads_the_same(notice_text, tmp_path):
    text = notice_text("2024-guobanfa-mingdian-2023-7.txt")
    path = tmp_path / "2024.html"
    path.write_bytes(f"<html><head><meta charset='gbk'></head><body><p>{text}</p></body></html>".encode("gbk"))
    data = json.loads(run("read-notice", "--json", str(path)))
    assert data == read_notice(text).as_json() and data["year"] == 2024 and len(data["workdays"]) == 8


def test_a_file_that_is_not_a_notice_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("国务院办公厅关于2024年部分节假日安排的通知\n二、春节：2月10日至17日放假调休，共7天。", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        run("import-notice", str(path))
    assert "not a holiday notice" in str(refused.value) and "与通知所写的7天不符" in str(refused.value)
    binary = tmp_path / "notice.pdf"
    binary.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    with pytest.raises(CommandError) as refused:
        run("read-notice", str(binary))
    assert "cannot read" in str(refused.value)
    with pytest.raises(CommandError):
        run("read-notice", str(tmp_path / "missing.html"))
    assert not CalendarDay.objects.exists() and not HolidayNotice.objects.exists() and not AuditEntry.objects.exists()


def test_an_amendment_replaces_only_the_festival_it_names_and_both_are_audited(notice_text):
    annual, _ = import_text(notice_text("2019-guobanfa-mingdian-2018-15.html"))
    current = calendar.current()
    # The notice wins over the package: 劳动节 as first announced, and coverage says where they differ.
    assert [d for d, _, _ in current.differences(2019)] == [D(2019, 4, 28), D(2019, 5, 2), D(2019, 5, 3), D(2019, 5, 5)]
    assert not calendar.is_workday(D(2019, 5, 1)) and calendar.is_workday(D(2019, 5, 2))
    report = run("coverage")
    assert "2019: the imported notice and the chinesecalendar package" in report
    assert "2019-05-02: package day off, notice working day" in report
    amendment, outcome = import_text(notice_text("2019-amendment-guobanfa-mingdian-2019-3.txt"))
    assert outcome == services.IMPORTED and amendment.is_amendment
    assert calendar.current().differences(2019) == [] and "differ" not in run("coverage")
    # The other festivals stay with the annual notice; 劳动节 is the amendment's.
    assert set(CalendarDay.objects.filter(notice=annual).values_list("festival", flat=True)) == {
        "元旦", "春节", "清明节", "端午节", "中秋节", "国庆节"}
    assert sorted(CalendarDay.objects.filter(notice=amendment).values_list("date", flat=True)) == [
        D(2019, 4, 28), D(2019, 5, 1), D(2019, 5, 2), D(2019, 5, 3), D(2019, 5, 4), D(2019, 5, 5)]
    entries = list(AuditEntry.objects.filter(action="calendar.import_notice").order_by("seq"))
    assert [e.object_id for e in entries] == [str(annual.pk), str(amendment.pk)]
    assert entries[1].detail["replaced"] == [f"2019-05-01 ({annual.pk})"] and entries[1].detail["amendment"] is True
    assert run("-v", "0", "coverage") and calendar.covered(2019)


def test_a_later_annual_notice_replaces_the_years_entries(package_ends_2026, notice_text):
    first_text = notice_text("made-up-2027.txt").replace("9月15日（周三）放假1天，不调休。", "9月15日（周三）放假。9月13日（周一）补休。")
    first, _ = import_text(first_text)
    assert not calendar.is_workday(D(2027, 9, 13))
    second, outcome = import_text(notice_text("made-up-2027.txt"))
    assert outcome == services.IMPORTED and second.pk != first.pk
    assert calendar.is_workday(D(2027, 9, 13)) and not calendar.is_workday(D(2027, 9, 15))
    assert not CalendarDay.objects.filter(notice=first).exists()
    assert AuditEntry.objects.filter(action="calendar.import_notice").count() == 2
    # Removing the notice uncovers the year again: deadlines go provisional, never wrong.
    second_pk = second.pk
    services.calendar_remove_notice(second, by=None, system=True)
    assert not calendar.covered(2027) and not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.remove_notice", object_id=str(second_pk)).exists()


def test_a_hand_entered_day_on_a_notice_date_is_replaced_and_named(package_ends_2026, notice_text):
    CalendarDay.objects.create(date=D(2027, 2, 20), is_workday=False, name="地方节假日")
    row, _ = import_text(notice_text("made-up-2027.txt"))
    assert calendar.is_workday(D(2027, 2, 20))
    entry = AuditEntry.objects.get(action="calendar.import_notice")
    assert entry.detail["overwritten"] == [{"date": "2027-02-20", "working": False, "name": "地方节假日", "notice": None}]
    assert CalendarDay.objects.get(date=D(2027, 2, 20)).notice == row


def test_only_the_top_office_may_import(org_tree, make_user, notice_text, package_ends_2026):
    text = notice_text("made-up-2027.txt")
    for user in (make_user("county-admin", (org_tree["county"], "office_admin")),
                 make_user("dept-admin", (org_tree["department"], "office_admin")),
                 make_user("handler", (org_tree["province"], "handler"))):
        with pytest.raises(PermissionDenied):
            import_text(text, by=user, system=False)
    assert not HolidayNotice.objects.exists() and not calendar.covered(2027)
    top = make_user("province-admin", (org_tree["province"], "office_admin"))
    row, outcome = import_text(text, by=top, system=False)
    assert outcome == services.IMPORTED and row.imported_by == "province-admin"
    assert AuditEntry.objects.get(action="calendar.import_notice").actor == "province-admin"
