"""The official working-day calendar: the chinese_calendar package's holidays
and adjusted working weekends (调休), the office's own entries on top, and a
CalendarGap (never a weekday guess) for a year nobody has data for.

The expected dates below were checked against the State Council's notices:
2024 National Day 10-01..07 off, Sunday 09-29 and Saturday 10-12 worked;
2025 Spring Festival 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
"""

import datetime as dt
import io
import random

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from gongkai.core import calendar
from gongkai.core.calendar import Calendar, CalendarGap

D = dt.date
FRIDAY = D(2024, 9, 27)


# --- The package's range --------------------------------------------------------


def test_range_is_the_packages_own():
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    assert (calendar.PACKAGE_FIRST_YEAR, calendar.PACKAGE_LAST_YEAR) == (min(years), max(years))
    assert set(range(min(years), max(years) + 1)) == years  # no year missing inside the range
    # The package itself accepts exactly these years.
    chinese_calendar.is_workday(D(calendar.PACKAGE_LAST_YEAR, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(calendar.PACKAGE_LAST_YEAR + 1, 1, 1))
    assert calendar.PACKAGE_LAST_YEAR >= 2026 and calendar.PACKAGE_FIRST_YEAR == 2004
    cal = Calendar()
    assert cal.coverage() == (calendar.PACKAGE_FIRST_YEAR, calendar.PACKAGE_LAST_YEAR)
    assert cal.covered(calendar.PACKAGE_LAST_YEAR) and not cal.covered(calendar.PACKAGE_LAST_YEAR + 1)
    assert not cal.covered(calendar.PACKAGE_FIRST_YEAR - 1)


# --- Pure calendar (no database) --------------------------------------------------


def test_national_day_2024():
    cal = Calendar()
    assert cal.is_workday(D(2024, 10, 12))  # Saturday, adjusted working day
    assert cal.is_workday(D(2024, 9, 29))  # Sunday, adjusted working day
    assert not cal.is_workday(D(2024, 10, 1))
    assert not cal.is_workday(D(2024, 10, 7))  # a Monday inside the holiday
    assert not cal.is_workday(D(2024, 10, 13))  # an ordinary Sunday
    assert cal.is_workday(D(2024, 10, 8))


def test_add_workdays_across_national_day_2024():
    cal = Calendar()
    assert cal.add_workdays(FRIDAY, 0) == FRIDAY
    assert cal.add_workdays(FRIDAY, 1) == D(2024, 9, 29)
    assert cal.add_workdays(FRIDAY, 2) == D(2024, 9, 30)
    assert cal.add_workdays(FRIDAY, 3) == D(2024, 10, 8)
    assert cal.add_workdays(FRIDAY, 7) == D(2024, 10, 12)
    assert cal.add_workdays(FRIDAY, 8) == D(2024, 10, 14)
    # Art. 33: the 20-working-day reply deadline (weekdays alone would give 10-25).
    assert cal.add_workdays(FRIDAY, 20) == D(2024, 10, 30)
    assert cal.add_workdays(FRIDAY, 20) == chinese_calendar.find_workday(20, FRIDAY)


def test_spring_festival_2025():
    cal = Calendar()
    assert cal.is_workday(D(2025, 1, 26))  # Sunday worked
    assert cal.is_workday(D(2025, 2, 8))  # Saturday worked
    assert not any(cal.is_workday(D(2025, 1, 28) + dt.timedelta(days=i)) for i in range(8))  # 01-28..02-04
    assert cal.add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert cal.add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert cal.add_workdays(D(2025, 1, 24), 20) == D(2025, 2, 27)
    assert cal.workdays_between(D(2025, 1, 24), D(2025, 2, 9)) == 6  # 01-26, 01-27, 02-05..02-08


def test_workdays_between_bounds():
    cal = Calendar()
    assert cal.workdays_between(FRIDAY, FRIDAY) == 0
    assert cal.workdays_between(D(2024, 10, 30), FRIDAY) == 0
    assert cal.workdays_between(FRIDAY, D(2024, 9, 28)) == 0  # Saturday, not worked
    assert cal.workdays_between(FRIDAY, D(2024, 9, 29)) == 1  # end counted, start not
    assert cal.workdays_between(FRIDAY, D(2024, 10, 30)) == 20


def test_add_and_between_agree_on_random_dates():
    rng = random.Random(20240927)
    cal = Calendar()
    first, last = D(2019, 1, 1), D(2025, 12, 31)
    for _ in range(400):
        start = first + dt.timedelta(days=rng.randrange((last - first).days - 120))
        n = rng.randrange(0, 61)
        end = cal.add_workdays(start, n)
        assert cal.workdays_between(start, end) == n
        if n:
            assert cal.is_workday(end)
            assert cal.workdays_between(start, end - dt.timedelta(days=1)) == n - 1
        # and both agree with the package counted day by day
        later = start + dt.timedelta(days=rng.randrange(0, 90))
        expected = len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), later)) if later > start else 0
        assert cal.workdays_between(start, later) == expected


def test_office_days_override_the_package():
    local_holiday = D(2024, 10, 14)  # a Monday
    cal = Calendar({local_holiday: False})
    assert not cal.is_workday(local_holiday)
    assert cal.add_workdays(FRIDAY, 20) == D(2024, 10, 31)
    worked_saturday = Calendar({D(2024, 10, 19): True})
    assert worked_saturday.add_workdays(FRIDAY, 20) == D(2024, 10, 29)
    assert Calendar({D(2024, 10, 1): True}).is_workday(D(2024, 10, 1))


def test_uncovered_year_is_a_gap_never_a_weekday_guess(package_ends_2026):
    cal = Calendar()
    with pytest.raises(CalendarGap) as gap:
        cal.add_workdays(D(2026, 12, 20), 20)
    assert gap.value.year == 2027
    assert "2027" in gap.value.message and "工作日历" in gap.value.message
    assert "no data for 2027" in str(gap.value)
    # Up to the last day of 2026 it still computes (it never looks at 2027).
    assert cal.add_workdays(D(2026, 12, 20), 9) == D(2026, 12, 31)
    assert cal.add_workdays(D(2026, 12, 31), 0) == D(2026, 12, 31)
    with pytest.raises(CalendarGap, match="2027"):
        cal.add_workdays(D(2026, 12, 20), 10)
    with pytest.raises(CalendarGap, match="2027"):
        cal.workdays_between(D(2026, 12, 1), D(2027, 1, 5))
    assert cal.workdays_between(D(2026, 12, 1), D(2026, 12, 31)) == 22  # 23 weekdays, the 1st not counted
    with pytest.raises(CalendarGap, match="2027"):
        cal.is_workday(D(2027, 1, 4))
    with pytest.raises(CalendarGap) as early:
        cal.is_workday(D(2003, 6, 2))
    assert early.value.year == 2003


def test_an_office_day_alone_does_not_cover_its_year(package_ends_2026):
    cal = Calendar({D(2027, 1, 1): False})
    assert not cal.covered(2027)
    with pytest.raises(CalendarGap, match="2027"):
        cal.is_workday(D(2027, 1, 1))


def test_declared_year_uses_weekdays_and_the_office_days(package_ends_2026):
    weekdays_only = Calendar({}, {2027})
    assert weekdays_only.covered(2027) and weekdays_only.coverage()[1] == 2027
    assert weekdays_only.add_workdays(D(2026, 12, 20), 20) == D(2027, 1, 15)
    with_new_year = Calendar({D(2027, 1, 1): False}, {2027})
    assert with_new_year.add_workdays(D(2026, 12, 20), 20) == D(2027, 1, 18)
    assert with_new_year.workdays_between(D(2026, 12, 20), D(2027, 1, 18)) == 20
    assert not with_new_year.is_workday(D(2027, 1, 2))  # Saturday
    # A detached declared year is covered but not inside the unbroken range.
    detached = Calendar({}, {2030})
    assert detached.covered(2030) and not detached.covered(2029)
    assert detached.coverage() == (calendar.PACKAGE_FIRST_YEAR, 2026) and detached.detached_years() == [2030]


def test_bad_arguments():
    cal = Calendar()
    with pytest.raises(ValueError):
        cal.add_workdays(FRIDAY, -1)
    with pytest.raises(TypeError):
        cal.add_workdays(FRIDAY, 1.5)
    with pytest.raises(TypeError):
        cal.is_workday("2024-10-01")
    # A datetime counts as its date.
    assert not cal.is_workday(dt.datetime(2024, 10, 1, 9, 30))


# --- The API with the office's rows -----------------------------------------------


@pytest.mark.django_db
def test_api_follows_office_rows_at_once():
    from gongkai.core.models import CalendarDay

    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 30)
    assert calendar.is_workday(D(2024, 10, 12)) and not calendar.is_workday(D(2024, 10, 1))
    row = CalendarDay.objects.create(date=D(2024, 10, 14), is_workday=False, name="地方节假日")
    assert not calendar.is_workday(D(2024, 10, 14))
    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 31)
    assert calendar.workdays_between(FRIDAY, D(2024, 10, 31)) == 20
    row.is_workday = True
    row.save()
    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 30)
    row.delete()
    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 30)
    CalendarDay.objects.create(date=D(2024, 10, 1), is_workday=True, name="值班")
    assert calendar.is_workday(D(2024, 10, 1))


@pytest.mark.django_db
def test_declaring_2027_lets_the_deadline_compute(package_ends_2026):
    from gongkai.core.models import CalendarDay, CalendarYear

    assert calendar.coverage() == (calendar.PACKAGE_FIRST_YEAR, 2026)
    with pytest.raises(CalendarGap) as gap:
        calendar.add_workdays(D(2026, 12, 20), 20)
    assert gap.value.year == 2027
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert not calendar.covered(2027)  # a day alone does not cover the year
    with pytest.raises(CalendarGap):
        calendar.add_workdays(D(2026, 12, 20), 20)
    CalendarYear.objects.create(year=2027, note="国务院办公厅关于2027年部分节假日安排的通知")
    assert calendar.covered(2027) and calendar.coverage() == (calendar.PACKAGE_FIRST_YEAR, 2027)
    assert calendar.add_workdays(D(2026, 12, 20), 20) == D(2027, 1, 18)
    assert calendar.workdays_between(D(2026, 12, 20), D(2027, 1, 18)) == 20


@pytest.mark.django_db
def test_rolled_back_rows_are_forgotten():
    from gongkai.core.models import CalendarDay

    assert calendar.is_workday(D(2024, 10, 14))
    try:
        with transaction.atomic():
            CalendarDay.objects.create(date=D(2024, 10, 14), is_workday=False, name="地方节假日")
            assert not calendar.is_workday(D(2024, 10, 14))
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not CalendarDay.objects.exists()
    assert calendar.is_workday(D(2024, 10, 14))


@pytest.mark.django_db(transaction=True)
def test_office_rows_are_cached_per_process(django_assert_num_queries):
    from gongkai.core.models import CalendarDay

    calendar.invalidate()
    with django_assert_num_queries(3):  # the days, the declared years and the notices' years, once
        deadlines = [calendar.add_workdays(FRIDAY + dt.timedelta(days=i), 20) for i in range(300)]
    assert deadlines[0] == D(2024, 10, 30)
    with django_assert_num_queries(0):
        assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 30)
    CalendarDay.objects.create(date=D(2024, 10, 14), is_workday=False, name="地方节假日")  # committed
    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 31)
    with django_assert_num_queries(0):
        assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 31)
    CalendarDay.objects.all().delete()
    assert calendar.add_workdays(FRIDAY, 20) == D(2024, 10, 30)


@pytest.mark.django_db
def test_admin_saves_are_audited_and_seen(client, django_user_model):
    from gongkai.core.models import AuditEntry, CalendarDay, CalendarYear

    admin_user = django_user_model.objects.create_superuser("calendar-admin", password="correct-horse-battery-9")
    client.force_login(admin_user)
    response = client.post("/admin/core/calendarday/add/",
                           {"date": "2024-10-14", "name": "地方节假日", "note": "本地纪念日"})
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get()
    assert not day.is_workday
    assert not calendar.is_workday(D(2024, 10, 14))
    assert AuditEntry.objects.filter(action="calendar_day.create", object_id=str(day.pk)).exists()
    response = client.post("/admin/core/calendaryear/add/", {"year": "2027", "note": "国办发明电"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="calendar_year.create").exists()
    assert CalendarYear.objects.get().declared_at is not None
    assert client.get("/admin/core/calendarday/").status_code == 200
    response = client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not CalendarDay.objects.exists()
    assert calendar.is_workday(D(2024, 10, 14))
    assert AuditEntry.objects.filter(action="calendar_day.delete").exists()


# --- The command ------------------------------------------------------------------


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_outputs():
    assert _run("add-workdays", "2024-09-27", "20") == ("2024-10-30\n", "")
    assert _run("add-workdays", "2024-09-27", "1")[0] == "2024-09-29\n"
    assert _run("add-workdays", "2024-09-27", "0")[0] == "2024-09-27\n"
    assert _run("is-workday", "2024-10-12")[0] == "yes\n"
    assert _run("is-workday", "2024-10-01")[0] == "no\n"
    assert _run("is-workday", "2024-9-29")[0] == "yes\n"
    assert _run("coverage")[0] == f"{calendar.PACKAGE_FIRST_YEAR}-{calendar.PACKAGE_LAST_YEAR}\n"


@pytest.mark.django_db
def test_command_gap_exits_3_naming_the_year(package_ends_2026):
    from gongkai.core.models import CalendarDay, CalendarYear

    for args in (("add-workdays", "2026-12-20", "20"), ("is-workday", "2027-01-04")):
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as done:
            call_command("calendar", *args, stdout=out, stderr=err)
        assert done.value.code == 3
        assert out.getvalue() == ""
        assert "no data for 2027" in err.getvalue() and "CalendarYear" in err.getvalue()
    CalendarYear.objects.create(year=2027)
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert _run("add-workdays", "2026-12-20", "20")[0] == "2027-01-18\n"
    assert _run("coverage")[0] == f"{calendar.PACKAGE_FIRST_YEAR}-2027\n"


@pytest.mark.parametrize("args, words", [
    (("add-workdays", "27/09/2024", "20"), "DATE must look like 2024-09-27"),
    (("add-workdays", "2024-02-30", "20"), "not a date on the calendar"),
    (("add-workdays", "2024-09-27", "-1"), "N must be a whole number"),
    (("add-workdays", "2024-09-27", "twenty"), "N must be a whole number"),
    (("is-workday", "tomorrow"), "DATE must look like 2024-09-27"),
])
def test_command_bad_input_is_a_command_error(args, words):
    with pytest.raises(CommandError, match=words) as error:
        call_command("calendar", *args)
    assert error.value.returncode == 1


def test_command_bad_input_exits_1_from_the_command_line(capsys):
    from gongkai.core.management.commands.calendar import Command

    with pytest.raises(SystemExit) as done:
        Command().run_from_argv(["gongkai", "calendar", "is-workday", "2024/10/01"])
    assert done.value.code == 1
    assert "DATE must look like 2024-09-27" in capsys.readouterr().err
