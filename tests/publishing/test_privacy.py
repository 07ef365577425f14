"""The privacy scan: real-looking personal data is found and masked; document
numbers, index numbers, credit codes, dates and amounts are not."""

import datetime as dt
import json
import random

import pytest
from django.core.management import call_command

from gongkai.core import creditcode
from gongkai.publishing import privacy
from tests.conftest import SHARED_SAMPLES

TODAY = dt.date(2026, 11, 23)


def make_id(rng: random.Random, region="500114", born=dt.date(1985, 6, 9)) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + privacy.id_check_character(first17)


def make_card(rng: random.Random, prefix="622202", length=19) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if privacy.luhn_ok(body + check):
            return body + check
    raise AssertionError


def kinds(text):
    return [(f.kind, f.text) for f in privacy.scan(text, TODAY)]


def test_finds_each_kind_in_a_real_looking_notice():
    rng = random.Random(7)
    person, card = make_id(rng), make_card(rng)
    text = (
        f"经查，当事人张某（身份证号：{person}，联系电话：13812345678）于2024年3月1日……"
        f"退款请汇入其银行账户{card}。办公室电话：023-79223456，邮箱zhang.wei@example.com，"
        f"护照号E12345678；旧身份证110102850609123。"
    )
    found = kinds(text)
    assert found == [
        ("id_card", person), ("mobile", "13812345678"), ("bank_card", card), ("landline", "023-79223456"),
        ("email", "zhang.wei@example.com"), ("passport", "E12345678"), ("id_card_15", "110102850609123"),
    ]
    for finding in privacy.scan(text, TODAY):
        assert text[finding.start:finding.end] == finding.text


def test_masks():
    assert privacy.mask_value("id_card", "110101199003071234") == "110101********1234"
    assert privacy.mask_value("mobile", "13812345678") == "138****5678"
    assert privacy.mask_value("mobile", "138-1234-5678") == "138-****-5678"
    assert privacy.mask_value("email", "zhang.wei@example.com") == "z***@example.com"
    assert privacy.mask_value("bank_card", "6222 0212 3456 7890 128") == "6222 **** **** ***0 128"
    person = make_id(random.Random(5), region="110101", born=dt.date(1990, 3, 7))
    text = f"身份证号{person}，电话13812345678。"
    masked = privacy.mask(text, privacy.scan(text, TODAY))
    assert f"110101********{person[-4:]}" in masked and "138****5678" in masked
    assert privacy.scan(masked, TODAY) == []


def test_wrong_check_character_or_impossible_birth_date_is_not_an_id():
    rng = random.Random(3)
    good = make_id(rng)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert kinds(f"号码{good}") == [("id_card", good)]
    assert "id_card" not in [k for k, _ in kinds(f"号码{wrong}")]
    feb30 = "11010119930230123"
    assert kinds("号码" + feb30 + privacy.id_check_character(feb30)) == []  # 2月30日: no such birth date


@pytest.mark.parametrize("text", [
    "渝府办发〔2018〕76号", "索引号：11500114009130039C/2018-00979", "2018年7月20日", "20180720",
    "预算资金12345678.90元", "邮编400010", "第2024001号", "国办发〔2017〕47号", "1234567890123",
])
def test_catalog_values_are_not_personal_data(text):
    assert kinds(text) == []


def test_credit_codes_and_generated_document_numbers_stay_clean():
    rng = random.Random(11)
    for _ in range(300):
        base = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(17))
        code = base + creditcode.check_character(base)
        # A credit code is flagged only in the rare case it is also a valid ID number.
        assert all(kind == "id_card" and privacy.is_id_number(code, TODAY) for kind, _ in kinds(f"统一社会信用代码：{code}"))


def test_an_all_digit_social_organisation_credit_code_is_not_a_card():
    rng = random.Random(2)
    checked = 0
    while checked < 50:
        base = "51" + "".join(str(rng.randrange(10)) for _ in range(15))
        code = base + creditcode.check_character(base)
        if code.isdigit() and privacy.luhn_ok(code):
            checked += 1
            assert kinds(f"统一社会信用代码：{code}") == [] or privacy.is_id_number(code, TODAY)


def test_real_sample_pages_hold_no_personal_data():
    for page in SHARED_SAMPLES.glob("*.txt"):
        assert kinds(page.read_text(encoding="utf-8")) == [], page.name


def test_command_json_and_exit_status(tmp_path, capsys):
    page = tmp_path / "notice.html"
    page.write_text("<html><body><p>联系人电话：13912345678</p><script>var t='13800000000'</script></body></html>",
                    encoding="gb18030")
    with pytest.raises(SystemExit) as done:
        call_command("privacy", "scan", str(page), "--json")
    assert done.value.code == 1
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["masked"]) for r in rows] == [("mobile", "139****5678")]
    assert "13912345678" not in json.dumps(rows)
    clean = tmp_path / "clean.txt"
    clean.write_text("渝府办发〔2018〕76号", encoding="utf-8")
    call_command("privacy", "scan", str(clean))
    assert "0 finding(s)" in capsys.readouterr().out
