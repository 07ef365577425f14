import datetime as dt

import pytest

from gongkai.core import dates


@pytest.mark.parametrize("text,expected", [
    ("二〇一〇年九月八日", dt.date(2010, 9, 8)),
    ("二○一二年三月二十五日", dt.date(2012, 3, 25)),  # ○ (U+25CB) in place of 〇
    ("二O一一年5月16日", dt.date(2011, 5, 16)),  # a Latin O in place of 〇
    ("二o二三年十二月一日", dt.date(2023, 12, 1)),
    ("二〇一〇年十月三十一日", dt.date(2010, 10, 31)),
    ("2018年7月19日", dt.date(2018, 7, 19)),
    ("2018 年 07 月 20 日", dt.date(2018, 7, 20)),
    ("２０１８年７月１９日", dt.date(2018, 7, 19)),
    ("2018-07-20", dt.date(2018, 7, 20)),
    ("2018/7/20", dt.date(2018, 7, 20)),
    ("2018.7.20", dt.date(2018, 7, 20)),
])
def test_parse_date(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2018年2月30日", "二〇一〇年十三月一日", "2018-13-01", "三月二十五日", "", "渝府办发〔2018〕76号"])
def test_not_a_date(text):
    assert dates.parse_date(text) is None


def test_find_dates_in_running_text_keeps_positions():
    text = "广州市人民政府办公厅\n二○一二年三月二十五日\n发布时间：2012-03-26"
    found = dates.find_dates(text)
    assert [f.date for f in found] == [dt.date(2012, 3, 25), dt.date(2012, 3, 26)]
    assert all(text[f.start:f.end] == f.text for f in found)
