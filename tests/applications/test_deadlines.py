"""The deadline engine on the real calendar. Every expected date below was
counted by hand on the State Council's 2024 and 2025 holiday notices:
National Day 2024 is 10-01..10-07 off, with Sunday 09-29 and Saturday 10-12
worked; Spring Festival 2025 is 01-28..02-04 off, with Sunday 01-26 and
Saturday 02-08 worked."""

import datetime as dt

import pytest

from gongkai.applications import deadlines
from gongkai.applications.deadlines import Step

# The calendar reads the office's own entries (none here) from the database.
pytestmark = pytest.mark.django_db

D = dt.date
RECEIVED = D(2024, 9, 27)  # a Friday, before the National Day holiday


def clock(*steps):
    return deadlines.compute([Step(kind, on, *days) for kind, on, *days in steps])


def test_twenty_working_days_across_national_day_and_the_adjusted_saturday():
    c = clock(("received", RECEIVED))
    # 09-29 (worked Sunday) and 09-30 are days 1-2; 10-08..10-12 (worked Saturday) 3-7;
    # 10-14..18 8-12; 10-21..25 13-17; 10-28, 29, 30 18-20.
    assert c.state == "running" and c.due == D(2024, 10, 30)
    assert c.correction_notice_by == D(2024, 10, 12)  # 7 working days: 09-29, 09-30, 10-08, 09, 10, 11, 12 (worked Saturday)
    assert c.remaining(D(2024, 10, 28)) == 2 and deadlines.warning_level(c, D(2024, 10, 28)) == "2"
    assert deadlines.warning_level(c, D(2024, 10, 23)) == "5"
    assert c.overdue(D(2024, 10, 31)) and deadlines.warning_level(c, D(2024, 10, 31)) == "overdue"
    assert not c.overdue(D(2024, 10, 30))


def test_correction_stops_the_clock_and_restarts_it_from_the_corrected_application():
    c = clock(("received", RECEIVED), ("correction_requested", D(2024, 10, 8)))
    assert c.state == "correction" and c.due is None
    c = clock(("received", RECEIVED), ("correction_requested", D(2024, 10, 8)), ("corrected", D(2024, 10, 21)))
    # 20 working days after Monday 10-21: 10-22..25 (4), 10-28..11-01 (9), 11-04..08 (14), 11-11..15 (19), 11-18 (20)
    assert c.state == "running" and c.due == D(2024, 11, 18)


def test_third_party_consultation_does_not_count():
    c = clock(("received", RECEIVED), ("third_party_sent", D(2024, 10, 9)))
    # no answer yet, but the third party's 15 working days end by themselves
    assert c.state == "running"
    answered = clock(("received", RECEIVED), ("third_party_sent", D(2024, 10, 9)), ("third_party_answered", D(2024, 10, 16)))
    # paused working days: 10-10, 10-11, 10-12 (worked Saturday), 10-14, 10-15, 10-16 = 6 added to 10-30
    assert answered.due == D(2024, 11, 7)
    # no answer: the pause is the full 15 working days (10-10 .. 10-30), so 15 days are added
    silent = c
    assert silent.due == D(2024, 11, 20)


def test_consulting_another_organ_and_waiting_for_a_fee_do_not_count():
    organ = clock(("received", RECEIVED), ("organ_sent", D(2024, 10, 8)), ("organ_answered", D(2024, 10, 10)))
    assert organ.due == D(2024, 11, 1)  # 10-09 and 10-10 paused: two more days after 10-30
    fee = clock(("received", RECEIVED), ("fee_notice", D(2024, 10, 14)))
    assert fee.state == "paused" and fee.due is None
    assert fee.fee_due == D(2024, 11, 11)  # 20 working days after 10-14
    paid = clock(("received", RECEIVED), ("fee_notice", D(2024, 10, 14)), ("fee_paid", D(2024, 10, 18)))
    assert paid.due == D(2024, 11, 5)  # 10-15..10-18 paused: four more days after 10-30


def test_extension_adds_at_most_twenty_working_days():
    c = clock(("received", RECEIVED), ("extended", D(2024, 10, 25), 20))
    # 20 more after 10-30: 10-31, 11-01 (2), 11-04..08 (7), 11-11..15 (12), 11-18..22 (17), 11-25, 26, 27 (20)
    assert c.due == D(2024, 11, 27) and c.extension == 20
    assert clock(("received", RECEIVED), ("extended", D(2024, 10, 25), 35)).extension == 20


def test_spring_festival_2025():
    c = clock(("received", D(2025, 1, 24)))  # a Friday
    # 01-26 (worked Sunday) 1, 01-27 2, 01-28..02-04 off, 02-05..07 (5), 02-08 worked Saturday (6),
    # 02-10..14 (11), 02-17..21 (16), 02-24..27 (20)
    assert c.due == D(2025, 2, 27)


def test_an_ended_application_has_no_running_clock():
    c = clock(("received", RECEIVED), ("replied", D(2024, 10, 20)))
    assert c.state == "stopped" and not c.overdue(D(2025, 1, 1))


def test_a_year_without_calendar_data_gives_a_provisional_date_never_a_silent_guess(package_ends_2026):
    # Received Sunday 2026-12-20: 12-21..25 are days 1-5, 12-28..31 6-9; 2027 has no
    # data, so it is counted on weekends alone (01-01 counts): 01-01 is 10,
    # 01-04..08 11-15, 01-11..15 16-20.
    c = clock(("received", D(2026, 12, 20)))
    assert c.state == "running" and c.due == D(2027, 1, 15) and c.provisional_year == 2027
    assert c.correction_notice_by == D(2026, 12, 29) and c.remaining(D(2026, 12, 21)) == 19
    assert deadlines.warning_level(c, D(2027, 1, 13)) == "2"  # warnings go by the provisional date
    # A clock wholly inside covered years is never provisional.
    assert clock(("received", RECEIVED)).provisional_year is None


def test_a_provisional_date_becomes_the_real_one_once_the_notice_is_imported(package_ends_2026, notice_text):
    from gongkai.core import services
    from gongkai.core.holiday_notice import read_notice

    steps = [("received", D(2026, 12, 20))]
    assert clock(*steps).due == D(2027, 1, 15)
    text = notice_text("made-up-2027.txt")
    services.calendar_import_notice(read_notice(text), by=None, text=text, system=True)
    # 01-01..03 are off now: 01-04..08 are days 10-14, 01-11..15 15-19, 01-18 is 20.
    c = clock(*steps)
    assert c.due == D(2027, 1, 18) and c.provisional_year is None