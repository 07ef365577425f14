"""Each template's placeholders are described by what they mean in that letter."""

from gongkai.applications import letters


def test_basis_means_the_legal_basis_in_a_reply_and_the_charging_method_in_a_fee_notice():
    reply = dict(letters.placeholders_for("reply"))
    fee = dict(letters.placeholders_for("fee"))
    assert "条例" in reply["basis"] and fee["basis"] == "计收方式"
