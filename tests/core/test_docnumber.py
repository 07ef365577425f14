import pytest

from gongkai.core import docnumber


@pytest.mark.parametrize(
    "raw",
    [
        "渝府办发[2018]76号",
        "渝府办发【2018】76号",
        "渝府办发(2018)76号",
        "渝府办发（2018）76号",
        "渝府办发〔２０１８〕７６号",
        "渝府办发〔2018〕076号",
        "渝府办发〔2018〕第76号",
        "渝府办发 〔2018〕 76 号",
        "渝府办发［2018］76号",
    ],
)
def test_variants_normalise_to_gbt9704(raw):
    number = docnumber.parse(raw)
    assert number.text == "渝府办发〔2018〕76号"
    assert (number.issuer_code, number.year, number.serial) == ("渝府办发", 2018, 76)
    assert number.status == docnumber.STATUS_NORMALISED
    assert number.raw == raw


def test_standard_form_is_standard():
    number = docnumber.parse("黔江府办发〔2018〕67号")
    assert number.status == docnumber.STATUS_STANDARD
    assert number.issuer_code == "黔江府办发"


@pytest.mark.parametrize("raw", ["国务院令第711号", "无", "abc", "渝府办发〔2018〕0号", "〔2018〕5号"])
def test_unparsable_is_kept_as_typed(raw):
    number = docnumber.parse(raw)
    assert number.status == docnumber.STATUS_UNPARSED
    assert number.text == raw
    assert not number.parsed


def test_find_all_in_running_text():
    text = "认真落实《实施意见》（渝府办发〔2018〕28号）和《通知》(渝府办发[2018]52号)，以及渝府办发〔2018〕28号。"
    found = [n.text for n in docnumber.find_all(text)]
    assert found == ["渝府办发〔2018〕28号", "渝府办发〔2018〕52号"]
