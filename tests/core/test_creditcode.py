import pytest

from gongkai.core import creditcode

# Real codes seen as index-number prefixes on government sites (shared/domain §4).
REAL_CODES = ["11500114009130039C", "11441700007280420Y", "11620622013933539B", "11341702486344515H"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_validate(code):
    assert creditcode.validate(code) == code


def test_fullwidth_and_lowercase_are_normalised():
    assert creditcode.validate("１１５００１１４００９１３００３９ｃ") == "11500114009130039C"


def test_wrong_check_character_names_position_and_expected_value():
    with pytest.raises(creditcode.CreditCodeError) as err:
        creditcode.validate("11500114009130039D")
    assert err.value.position == 18
    assert "应为“C”" in err.value.message


def test_forbidden_letter_names_its_position():
    with pytest.raises(creditcode.CreditCodeError) as err:
        creditcode.validate("115001140O9130039C")
    assert err.value.position == 10
    assert "第10位" in err.value.message


def test_wrong_length():
    with pytest.raises(creditcode.CreditCodeError, match="18位"):
        creditcode.validate("1150011400913003")


def test_any_single_digit_change_is_caught():
    code = REAL_CODES[0]
    for i in range(17):
        for ch in "0123456789":
            if ch == code[i]:
                continue
            changed = code[:i] + ch + code[i + 1 :]
            with pytest.raises(creditcode.CreditCodeError):
                creditcode.validate(changed)


def test_organisation_model_refuses_bad_code(db):
    from django.core.exceptions import ValidationError

    from gongkai.core.models import Organisation

    org = Organisation(name="测试局", level="department", index_prefix="X1", credit_code="11500114009130039D")
    with pytest.raises(ValidationError) as err:
        org.full_clean()
    assert "校验码" in str(err.value)
