"""Reading the State Council's holiday notice (gongkai.core.holiday_notice):
real notices of five years (fixtures with their sources in
fixtures/holiday_notices/SOURCES.md) compared day by day with the
chinesecalendar package, hand-made variants of every wording real notices
have used, and refusals that say what did not fit. Pure: no database."""

import datetime as dt
import json
from pathlib import Path

import chinese_calendar
import pytest

from gongkai.core.holiday_notice import NoticeError, read_notice

D = dt.date
NOTICES = Path(__file__).parent / "fixtures" / "holiday_notices"

REAL = {
    "2017-guobanfa-mingdian-2016-17.txt": 2017,
    "2019-guobanfa-mingdian-2018-15.html": 2019,
    "2024-guobanfa-mingdian-2023-7.txt": 2024,
    "2025-guobanfa-mingdian-2024-12.txt": 2025,
    "2026-guobanfa-2025.txt": 2026,
}


AMENDED = {2019: [D(2019, 4, 28), D(2019, 5, 2), D(2019, 5, 3), D(2019, 5, 5)]}


def read(name: str):
    return read_notice((NOTICES / name).read_text(encoding="utf-8"))


def days_of(year: int):
    day = D(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("name,year", REAL.items())
def test_real_notices_give_exactly_the_official_calendar(name, year):
    notice = read(name)
    assert notice.year == year and not notice.is_amendment
    mismatched = [d for d in days_of(year) if notice.is_workday(d) != chinese_calendar.is_workday(d)]
    # 2019: the package has 劳动节 as amended in March 2019 (see the next test).
    assert mismatched == AMENDED.get(year, []), mismatched
    # Every day the notice names as off is a package holiday (weekends inside ranges too),
    # and every adjusted working day is one of the package's.
    for day in notice.days_off:
        assert not chinese_calendar.is_workday(day), day
    assert set(notice.workdays) == {d for d in chinese_calendar.workdays if d in set(notice.workdays)}
    for day in notice.workdays:
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day)


def test_2019_the_annual_notice_and_its_amendment_together_are_the_official_year():
    annual, amendment = read("2019-guobanfa-mingdian-2018-15.html"), read("2019-amendment-guobanfa-mingdian-2019-3.txt")
    # The annual notice alone gave 劳动节 one day; the State Council amended it to 05-01..04
    # with Sunday 04-28 and Sunday 05-05 worked (the package has the amended year).
    assert amendment.is_amendment and amendment.year == 2019 and amendment.festivals == ["劳动节"]
    assert amendment.days_off == [D(2019, 5, 1), D(2019, 5, 2), D(2019, 5, 3), D(2019, 5, 4)]
    assert amendment.workdays == [D(2019, 4, 28), D(2019, 5, 5)]
    # The annual items but 劳动节, then the amendment's: the package's 2019.
    kept = [item for item in annual.items if "劳动节" not in item.festivals]
    off = {d for item in kept for d in item.days_off} | set(amendment.days_off)
    work = {d for item in kept for d in item.workdays} | set(amendment.workdays)
    assert [d for d in days_of(2019)
            if (d in work or (d not in off and d.weekday() < 5)) != chinese_calendar.is_workday(d)] == []


def test_the_json_shape_and_the_range_across_the_year_end():
    notice = read("2019-guobanfa-mingdian-2018-15.html")  # a county site's page, navigation and pager around it
    data = json.loads(json.dumps(notice.as_json()))
    assert set(data) == {"year", "days_off", "workdays"} and data["year"] == 2019
    assert data["days_off"][:3] == ["2018-12-30", "2018-12-31", "2019-01-01"]
    assert data["workdays"][0] == "2018-12-29" and "2019-10-12" in data["workdays"]
    assert notice.number == "国办发明电〔2018〕15号" and notice.title == "国务院办公厅关于2019年部分节假日安排的通知"


# --- Hand-made variants of each wording -------------------------------------------

HEAD = "国务院办公厅关于{y}年部分节假日安排的通知\n经国务院批准，现将{y}年元旦、春节等放假调休日期的具体安排通知如下。\n"


def notice_of(year: int, *items: str):
    return read_notice(HEAD.format(y=year) + "\n".join(items) + "\n国务院办公厅")


def test_a_range_with_weekdays_and_a_working_sunday():
    n = notice_of(2026, "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。")
    assert n.days_off == [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3)] and n.workdays == [D(2026, 1, 4)]


def test_a_range_across_the_year_end_with_the_years_written():
    n = notice_of(2019, "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。")
    assert n.days_off == [D(2018, 12, 30), D(2018, 12, 31), D(2019, 1, 1)] and n.workdays == [D(2018, 12, 29)]


def test_a_range_across_a_month_end_without_its_year():
    n = notice_of(2025, "五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。")
    assert n.days_off == [D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 2)]


def test_a_range_whose_end_crosses_into_january_without_years():
    n = notice_of(2031, "一、元旦：12月31日至1月2日放假，共3天。")
    assert n.days_off == [D(2031, 12, 31), D(2032, 1, 1), D(2032, 1, 2)]


@pytest.mark.parametrize("wording", ["5月1日放假，与周末连休。", "5月1日放假。", "5月1日（星期五）放假，与周末连休。"])
def test_one_day_joined_to_the_weekend(wording):
    n = notice_of(2026, f"四、劳动节：{wording}")
    assert n.days_off == [D(2026, 5, 1)] and n.workdays == []


def test_one_day_with_a_day_in_lieu():
    n = notice_of(2017, "一、元旦：1月1日放假，1月2日（星期一）补休。")
    assert n.days_off == [D(2017, 1, 1), D(2017, 1, 2)]


def test_one_day_not_adjusted():
    n = notice_of(2025, "一、元旦：1月1日（周三）放假1天，不调休。")
    assert n.days_off == [D(2025, 1, 1)] and n.workdays == []


def test_two_festivals_in_one_item():
    n = notice_of(2017, "六、中秋节、国庆节：10月1日至8日放假调休，共8天。9月30日（星期六）上班。")
    assert n.items[0].festivals == ("中秋节", "国庆节") and len(n.days_off) == 8 and n.workdays == [D(2017, 9, 30)]


def test_lunar_dates_in_brackets():
    n = notice_of(2026, "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
                        "2月14日（周六）、2月28日（周六）上班。")
    assert n.days_off[0] == D(2026, 2, 15) and n.days_off[-1] == D(2026, 2, 23) and len(n.days_off) == 9
    assert n.workdays == [D(2026, 2, 14), D(2026, 2, 28)]


def test_half_width_punctuation_星期_and_spaces():
    n = notice_of(2024, "二、春节: 2月10日至17日放假调休, 共8天. 2月4日(星期日)、2月18日(星期日)上班.")
    assert len(n.days_off) == 8 and n.workdays == [D(2024, 2, 4), D(2024, 2, 18)]


def test_full_width_digits_and_traditional_characters():
    n = notice_of(2024, "七、國慶節：１０月１日至７日放假調休，共７天。９月２９日（星期日）、１０月１２日（星期六）上班。")
    assert n.items[0].festivals == ("国庆节",) and len(n.days_off) == 7
    assert n.workdays == [D(2024, 9, 29), D(2024, 10, 12)]


def test_a_workday_list_sharing_its_month():
    n = notice_of(2019, "二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、3日（星期日）上班。")
    assert n.workdays == [D(2019, 2, 2), D(2019, 2, 3)]


def test_an_item_broken_over_two_lines_in_a_page():
    page = ("<html><body><p>国务院办公厅关于2024年部分节假日安排的通知</p><p>现将2024年元旦、春节放假安排通知如下。</p>"
            "<p>二、春节：2月10日至17日放假调休，共8天。<br>2月4日（星期日）、2月18日（星期日）上班。</p>"
            "<p>节假日期间，各地区要妥善安排好值班。</p><p><a href='x'>国务院办公厅关于2023年部分节假日安排的通知</a></p>"
            "<script>var d='5月1日上班';</script></body></html>")
    n = read_notice(page)
    assert n.year == 2024 and n.workdays == [D(2024, 2, 4), D(2024, 2, 18)] and len(n.days_off) == 8


def test_the_eve_mentioned_in_brackets_is_not_a_holiday():
    n = notice_of(2024, "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
                        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。")
    assert D(2024, 2, 9) not in n.days_off


# --- Refusals ----------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("", "内容为空"),
    ("国务院办公厅关于2024年部分节假日安排的通知\n一、加强组织领导。", "没有找到2024年的节假日安排条目"),
    ("关于做好2024年政务公开工作的通知\n一、加强组织领导。", "未找到通知所安排的年份"),
    ("各位同事：下周一开会。", "未找到通知所安排的年份"),
])
def test_not_a_notice_is_refused(text, expected):
    with pytest.raises(NoticeError) as refused:
        read_notice(text)
    assert expected in refused.value.message


@pytest.mark.parametrize("year,items,expected", [
    # a stated range whose day count contradicts 共N天
    (2024, ["二、春节：2月10日至17日放假调休，共7天。"], "2024年2月10日至2024年2月17日共8天，与通知所写的7天不符"),
    # a weekday that is not the date's: the 2026 notice read as 2027's
    (2027, ["一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。"], "2027年1月1日是“周四”，但该日是星期五"),
    (2024, ["二、春节：2月10日至17日放假调休，共8天。2月19日上班。"], "调休上班日应为周六或周日"),
    (2024, ["二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）。"], "未能判断"),
    (2024, ["二、春节：2月10日至17日放假调休，共8天。", "三、清明节：4月4日至6日放假调休，共3天。2月11日（星期日）上班。"],
     "前后矛盾"),
    (2024, ["一、元旦：2022年12月31日至2023年1月2日放假，共3天。"], "不在2024年的安排范围内"),
    (2024, ["二、春节：2月30日放假。"], "不是有效日期"),
])
def test_what_does_not_fit_is_refused_saying_what(year, items, expected):
    with pytest.raises(NoticeError) as refused:
        notice_of(year, *items)
    assert expected in refused.value.message


def test_an_extension_without_its_days_is_refused_not_misread():
    text = ("国务院办公厅关于延长2020年春节假期的通知\n"
            "一、延长2020年春节假期至2月2日（农历正月初十，星期日），2月3日（星期一）起正常上班。")
    with pytest.raises(NoticeError) as refused:
        read_notice(text)
    assert "延长假期" in refused.value.message
