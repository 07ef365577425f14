"""The tickets' clock (gongkai.interaction.ticket_deadlines) and the time
limits it counts: per type, per preset (seeds, guangdong), across 调休 and
year ends, on the official calendar; the provisional date of a year without
calendar data; and `gongkai tickets due`, which must give the same dates.

Every expected date below was counted by hand on the State Council's
schedules (the comments show the count):
- 2024 国庆: 10-1..10-7 off; Sunday 9-29 and Saturday 10-12 are working days.
- 2025 元旦 1-1 off; 春节 1-28..2-4 off; Sunday 1-26 and Saturday 2-8 are working days.
The day of receipt is never counted ("收到工单次日起")."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from gongkai.core.calendar import Calendar
from gongkai.interaction import ticket_deadlines as deadlines
from gongkai.interaction import ticket_services as services
from gongkai.interaction.models import DeadlinePreset

D = dt.date
S = deadlines.Step
CAL = Calendar()  # the chinese_calendar package alone: no office rows, no database

# 2024-09-27 (Fri) + n: 9-29 Sun(调休)=1, 9-30=2, 10-8=3, 10-9..10-11=4..6, 10-12 Sat(调休)=7,
# 10-14..10-18=8..12, 10-21=13, 10-22=14, 10-23=15.
NATIONAL_DAY = {2: D(2024, 9, 30), 3: D(2024, 10, 8), 10: D(2024, 10, 16), 15: D(2024, 10, 23)}
# 2024-12-27 (Fri) + n: 12-30=1, 12-31=2, (1-1 off) 1-2=3, 1-3=4, 1-6..1-10=5..9, 1-13=10, 1-14..1-17=11..14, 1-20=15.
YEAR_END = {2: D(2024, 12, 31), 3: D(2025, 1, 2), 10: D(2025, 1, 13), 15: D(2025, 1, 20)}
# 2025-01-20 (Mon) + n: 1-21=1, 1-22=2, 1-23=3, 1-24=4, 1-26 Sun(调休)=5, 1-27=6, (1-28..2-4 off), 2-5=7,
# 2-6=8, 2-7=9, 2-8 Sat(调休)=10, 2-10..2-14=11..15.
SPRING_FESTIVAL = {2: D(2025, 1, 22), 3: D(2025, 1, 23), 10: D(2025, 2, 8), 15: D(2025, 2, 14)}

# The presets as the issue and the rules give them (the seeds': 咨询 3, 投诉/建议 15; 求助 with 咨询 and 举报
# with 投诉, as the domain notes' local rule groups them. 广东: 咨询 2, 求助/建议 10, 投诉/举报 15).
SEEDS = {"consult": 3, "help": 3, "complaint": 15, "report": 15, "suggestion": 15}
GUANGDONG = {"consult": 2, "help": 10, "complaint": 15, "report": 15, "suggestion": 10}


def clock(steps, limit):
    return deadlines.compute(steps, limit, CAL)


# --- the rule, per type and preset ------------------------------------------------------


@pytest.mark.parametrize("limits", [SEEDS, GUANGDONG], ids=["seeds", "guangdong"])
@pytest.mark.parametrize("received, expected", [(D(2024, 9, 27), NATIONAL_DAY), (D(2024, 12, 27), YEAR_END),
                                                (D(2025, 1, 20), SPRING_FESTIVAL)],
                         ids=["national-day", "year-end", "spring-festival"])
def test_due_date_per_type_and_preset(limits, received, expected):
    for ticket_type, workdays in limits.items():
        assert deadlines.due_on(received, workdays, CAL) == expected[workdays], ticket_type
        assert clock([S("received", received)], workdays).due == expected[workdays], ticket_type


def test_an_adjusted_working_saturday_can_be_the_due_date():
    # 广东 求助 (10 days) received on 2025-01-20 falls due on Saturday 2025-02-08, a 调休 working day.
    due = deadlines.due_on(D(2025, 1, 20), GUANGDONG["help"], CAL)
    assert due == D(2025, 2, 8) and due.weekday() == 5


def test_a_ticket_received_on_a_holiday_counts_from_the_next_working_day():
    # Received on 2024-10-03 (国庆): 10-8 is the first working day counted, 10-10 the third.
    assert deadlines.due_on(D(2024, 10, 3), 3, CAL) == D(2024, 10, 10)


# --- the clock's events -----------------------------------------------------------------


def test_dispatch_dispute_and_redispatch_keep_the_clock():
    received = D(2024, 9, 27)
    plain = clock([S("received", received)], 15)
    moved = clock([S("received", received), S("dispatched", D(2024, 9, 29)), S("disputed", D(2024, 9, 30)),
                   S("dispute_upheld", D(2024, 10, 8)), S("dispatched", D(2024, 10, 8))], 15)
    assert moved.due == plain.due == D(2024, 10, 23) and moved.state == "running"


def test_an_extension_adds_working_days_and_a_reply_stops_the_round():
    steps = [S("received", D(2024, 9, 27)), S("extended", D(2024, 10, 9), days=5)]
    # 10-23 + 5 working days: 10-24, 10-25, 10-28, 10-29, 10-30.
    extended = clock(steps, 15)
    assert (extended.due, extended.extension) == (D(2024, 10, 30), 5)
    answered = clock(steps + [S("replied", D(2024, 10, 29))], 15)
    assert answered.state == "answered" and not answered.late(D(2024, 10, 29)) and answered.late(D(2024, 10, 31))
    assert not answered.overdue(D(2024, 11, 5))  # answered: no longer overdue whatever the day


def test_a_reopened_ticket_gets_a_new_round_with_the_full_limit_and_no_extension():
    steps = [S("received", D(2024, 12, 27)), S("extended", D(2025, 1, 6), days=3), S("replied", D(2025, 1, 15)),
             S("rated", D(2025, 1, 16)), S("reopened", D(2025, 1, 20))]
    current = clock(steps, 15)
    assert (current.round, current.start, current.extension, current.state) == (2, D(2025, 1, 20), 0, "running")
    assert current.due == SPRING_FESTIVAL[15]
    assert clock(steps + [S("replied", D(2025, 2, 10))], 15).state == "answered"


def test_overdue_and_warning_levels():
    current = clock([S("received", D(2024, 9, 27))], 3)  # due 2024-10-08
    assert current.remaining(D(2024, 9, 30)) == 1  # only 10-8 is left after 9-30 (10-1..10-7 off)
    assert deadlines.warning_level(current, D(2024, 9, 30)) == "2"
    assert deadlines.warning_level(current, D(2024, 10, 8)) == "2" and not current.overdue(D(2024, 10, 8))
    assert current.overdue(D(2024, 10, 9)) and deadlines.warning_level(current, D(2024, 10, 9)) == "overdue"
    assert current.remaining(D(2024, 10, 9)) == -1
    long = clock([S("received", D(2024, 9, 27))], 15)  # due 10-23
    assert deadlines.warning_level(long, D(2024, 10, 8)) == ""
    assert deadlines.warning_level(long, D(2024, 10, 16)) == "5"  # 10-17, 18, 21, 22, 23 left
    assert deadlines.warning_level(clock([], 15), D(2024, 10, 16)) == "" and clock([], 15).due is None


def test_a_year_without_calendar_data_gives_a_provisional_date(package_ends_2026):
    # 2026-12-28 (Mon) + 15: 12-29..12-31 = 3, then 2027 on weekdays alone: 1-1 (Fri) = 4 ... 1-18 (Mon) = 15.
    current = clock([S("received", D(2026, 12, 28))], 15)
    assert (current.due, current.provisional_year) == (D(2027, 1, 18), 2027)
    from gongkai.core.calendar import CalendarGap

    with pytest.raises(CalendarGap) as gap:
        deadlines.due_on(D(2026, 12, 28), 15, CAL)
    assert gap.value.year == 2027


# --- the seeded presets and the command -----------------------------------------------------


@pytest.mark.django_db
def test_the_migration_seeds_both_presets():
    seeds, guangdong = services.find_preset("seeds"), services.find_preset("guangdong")
    assert {r.ticket_type: r.workdays for r in seeds.rules.all()} == SEEDS
    assert {r.ticket_type: r.workdays for r in guangdong.rules.all()} == GUANGDONG
    assert services.default_preset() == seeds and DeadlinePreset.objects.filter(is_default=True).count() == 1


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("tickets", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:  # CommandError: its returncode
        code = getattr(exc, "returncode", 1)
        err.write(str(exc))
    return code, out.getvalue().strip(), err.getvalue().strip()


@pytest.mark.django_db
@pytest.mark.parametrize("preset, limits", [("seeds", SEEDS), ("guangdong", GUANGDONG)])
def test_the_due_command_uses_the_same_rule(preset, limits):
    labels = {"consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议"}
    for ticket_type, workdays in limits.items():
        for received, expected in ((D(2024, 9, 27), NATIONAL_DAY), (D(2024, 12, 27), YEAR_END)):
            assert run("due", labels[ticket_type], received.isoformat(), "--preset", preset) == (
                0, expected[workdays].isoformat(), "")
    assert run("due", "consult", "2025-01-20", "--preset", preset)[:2] == (0, SPRING_FESTIVAL[limits["consult"]].isoformat())


@pytest.mark.django_db
def test_the_due_command_default_preset_and_bad_input():
    assert run("due", "咨询", "2025-01-20") == (0, "2025-01-23", "")  # seeds: 3 working days
    code, _, err = run("due", "表扬", "2024-09-27")
    assert code == 2 and "TYPE must be" in err
    code, _, err = run("due", "投诉", "2024-02-30")
    assert code == 2 and "not a date" in err
    code, _, err = run("due", "投诉", "27/09/2024")
    assert code == 2 and "DATE must look like" in err
    code, _, err = run("due", "投诉", "2024-09-27", "--preset", "beijing")
    assert code == 2 and "no preset 'beijing'" in err and "guangdong" in err and "seeds" in err


@pytest.mark.django_db
def test_the_due_command_exits_3_naming_a_year_without_calendar_data(package_ends_2026):
    code, out, err = run("due", "投诉", "2026-12-28", "--preset", "guangdong")
    assert (code, out) == (3, "") and "2027" in err
    assert run("due", "咨询", "2026-12-28", "--preset", "guangdong") == (0, "2026-12-30", "")  # stays in 2026
