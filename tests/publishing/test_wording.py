"""The wording check: shipped rules, exceptions, positions, office edits."""

import pytest

from gongkai.publishing import services, wording
from gongkai.publishing.models import WordingRule
from tests.conftest import SHARED_SAMPLES


def test_shipped_rules_find_errors_with_place_and_suggestion():
    checker = wording.Checker(wording.shipped_rules())
    text = "根据《中华人民共合国政府信息公开条例》，由原国家工商行政管理总局负责。绝密★启用前"
    found = checker.check(text)
    assert [(f.text, f.kind) for f in found] == [
        ("中华人民共合国", "error"), ("国家工商行政管理总局", "outdated"), ("绝密★", "secrecy"),
    ]
    assert found[0].suggestion == "中华人民共和国"
    assert all(text[f.start:f.end] == f.text for f in found)


def test_correct_longer_phrases_are_not_findings():
    checker = wording.Checker(wording.shipped_rules())
    assert checker.check("各级农业部门和环境保护部门要会同农业农村部做好工作。") == []
    assert [f.text for f in checker.check("原农业部印发的办法")] == ["农业部"]


def test_real_sample_pages_have_no_serious_errors():
    checker = wording.Checker(wording.shipped_rules())
    for page in SHARED_SAMPLES.glob("*.txt"):
        assert checker.check(page.read_text(encoding="utf-8")) == [], page.name


def test_office_rules_from_the_database(db):
    assert WordingRule.objects.filter(phrase="国土资源部").exists()  # shipped by migration
    WordingRule.objects.create(phrase="政务公开办公室", kind="outdated", suggestion="政务公开办", exceptions="市政务公开办公室")
    WordingRule.objects.filter(phrase="国土资源部").update(active=False)
    found = services.check_wording("县政务公开办公室与市政务公开办公室会同国土资源部")
    assert [(f.text, f.start) for f in found] == [("政务公开办公室", 1)]


@pytest.mark.django_db(transaction=True)
def test_shipped_rules_survive_a_flush():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert WordingRule.objects.count() == len(wording.shipped_rules())
