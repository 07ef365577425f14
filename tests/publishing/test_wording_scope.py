"""The wording dictionary per organisation, inherited down the tree: an
office adds and overrides entries for its organisation and those below (a
lower office may override again, or switch a phrase off); the shipped rules
are the default dictionary, which only the system administrator changes; a
document is checked with its organisation's chain; one province's office
cannot touch another's dictionary; a malformed ?edit= is a 404, not a 500."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.catalog.models import Document
from gongkai.core.models import AuditEntry, Organisation
from gongkai.publishing import services, wording
from gongkai.publishing.models import WordingRule

pytestmark = pytest.mark.django_db
URL = "/staff/wording/"
TEXT = "请向西昌市城乡规划局报送材料，并报国土资源部。"


@pytest.fixture
def tree(org_tree):
    other = Organisation.objects.create(name="云南省人民政府", short_name="云南省", level="province", index_prefix="YN0001")
    return {**org_tree, "other": other}


@pytest.fixture
def offices(tree, make_user):
    return {
        "province": make_user("sc.office", (tree["province"], "office_admin")),
        "county": make_user("xc.office", (tree["county"], "office_admin")),
        "other": make_user("yn.office", (tree["other"], "office_admin")),
        "drafter": make_user("xc.drafter", (tree["county"], "drafter")),
    }


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")


def found(org, text=TEXT):
    return {(f.text, f.suggestion) for f in services.check_wording(text, org)}


def test_rules_are_inherited_down_the_tree_and_overridden_nearest_first(tree):
    default = WordingRule.objects.get(phrase="国土资源部", organisation__isnull=True)
    WordingRule.objects.create(organisation=tree["province"], phrase="西昌市城乡规划局", kind="outdated", suggestion="西昌市自然资源局")
    WordingRule.objects.create(organisation=tree["city"], phrase="国土资源部", kind="outdated", suggestion="凉山州的建议")
    WordingRule.objects.create(organisation=tree["county"], phrase="国土资源部", kind="outdated", active=False)
    assert found(tree["province"]) == {("西昌市城乡规划局", "西昌市自然资源局"), ("国土资源部", default.suggestion)}
    assert found(tree["city"]) == {("西昌市城乡规划局", "西昌市自然资源局"), ("国土资源部", "凉山州的建议")}
    assert found(tree["county"]) == {("西昌市城乡规划局", "西昌市自然资源局")}  # switched off at the county
    assert found(tree["township"]) == found(tree["county"])
    assert found(tree["other"]) == {("国土资源部", default.suggestion)}  # another province: the default alone
    assert found(None) == found(tree["other"])
    # a document is checked with its own organisation's chain
    report = services.wording_report(Document(title="通知", body_text=TEXT, organisation=tree["township"]))
    assert [w["text"] for w in report] == ["西昌市城乡规划局"]


def test_nearest_rules_is_pure():
    rule = wording.Rule("甲", "error", "乙")
    assert wording.nearest_rules([[(rule, False)], [(wording.Rule("甲", "error", "丙"), True)]]) == []
    assert wording.nearest_rules([[], [(rule, True)]]) == [rule]


def test_the_service_refuses_outside_the_offices_reach(tree, offices, root):
    with pytest.raises(PermissionDenied):
        services.save_wording_rule(None, user=offices["other"], organisation=tree["province"], phrase="某词", kind="error")
    with pytest.raises(PermissionDenied):
        services.save_wording_rule(None, user=offices["county"], organisation=tree["city"], phrase="某词", kind="error")
    with pytest.raises(PermissionDenied):  # the default dictionary is the system administrator's
        services.save_wording_rule(None, user=offices["province"], organisation=None, phrase="某词", kind="error")
    default = WordingRule.objects.get(phrase="国土资源部", organisation__isnull=True)
    with pytest.raises(PermissionDenied):  # an entry stays where it is: changing the default's is refused
        services.save_wording_rule(default, user=offices["province"], organisation=tree["province"],
                                   phrase="国土资源部", kind="outdated", active=False)
    assert WordingRule.objects.get(pk=default.pk).active
    services.save_wording_rule(None, user=offices["province"], organisation=tree["county"], phrase="某词", kind="error")
    services.save_wording_rule(None, user=root, organisation=None, phrase="某词", kind="error")
    assert set(WordingRule.objects.filter(phrase="某词").values_list("organisation", flat=True)) == {tree["county"].pk, None}


def test_an_office_keeps_its_own_dictionary_through_the_page(tree, offices, client):
    client.force_login(offices["county"])
    page = client.get(URL)
    assert page.status_code == 200 and "国土资源部" in page.content.decode()  # the inherited defaults are listed
    response = client.post(URL, {"phrase": "西昌市城乡规划局", "kind": "outdated", "suggestion": "西昌市自然资源局",
                                 "active": "on"})
    assert response.status_code == 302
    rule = WordingRule.objects.get(phrase="西昌市城乡规划局")
    assert rule.organisation == tree["county"]
    assert AuditEntry.objects.filter(action="wording_rule.create", object_id=str(rule.pk), actor="xc.office").exists()
    assert ("西昌市城乡规划局", "西昌市自然资源局") in found(tree["township"])
    assert ("西昌市城乡规划局", "西昌市自然资源局") not in found(tree["city"])
    # overriding an inherited default for the county only
    assert client.post(URL, {"phrase": "国土资源部", "kind": "outdated", "org": tree["county"].pk}).status_code == 302
    assert "国土资源部" not in {t for t, _ in found(tree["county"])}
    assert "国土资源部" in {t for t, _ in found(tree["province"])}
    assert client.get(URL, {"edit": rule.pk}).status_code == 200


def test_another_organisations_dictionary_is_out_of_reach(tree, offices, client):
    theirs = WordingRule.objects.create(organisation=tree["province"], phrase="四川省的词", kind="error")
    default = WordingRule.objects.get(phrase="国土资源部", organisation__isnull=True)
    client.force_login(offices["other"])
    assert client.get(URL, {"edit": theirs.pk}).status_code == 404
    assert client.get(URL, {"edit": default.pk}).status_code == 404
    assert client.get(URL, {"org": tree["province"].pk}).status_code == 404
    assert client.get(URL, {"org": "default"}).status_code == 403
    assert client.post(URL, {"pk": theirs.pk, "phrase": "改掉", "kind": "error"}).status_code == 404
    assert client.post(URL, {"org": tree["county"].pk, "phrase": "云南改的词", "kind": "error"}).status_code == 404
    assert client.post(URL, {"org": "default", "phrase": "云南改的词", "kind": "error"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.phrase == "四川省的词" and not WordingRule.objects.filter(phrase__in=["改掉", "云南改的词"]).exists()
    assert "四川省的词" not in client.get(URL).content.decode()
    client.force_login(offices["county"])  # below the province: reads it as inherited, cannot change it
    assert client.get(URL, {"edit": theirs.pk}).status_code == 404
    client.force_login(offices["drafter"])
    assert client.get(URL).status_code == 403


def test_a_malformed_edit_parameter_is_a_404_not_a_500(offices, root, client):
    client.raise_request_exception = False
    for user in (root, offices["county"]):
        client.force_login(user)
        for value in ("abc", "1.5", "-1", "99999999999999999999"):
            assert client.get(URL, {"edit": value}).status_code == 404, value
            assert client.post(URL, {"pk": value, "phrase": "x", "kind": "error"}).status_code == 404, value
        assert client.get(URL, {"org": "abc"}).status_code == 404


def test_only_the_system_administrator_changes_the_default_dictionary(tree, root, client):
    default = WordingRule.objects.get(phrase="国土资源部", organisation__isnull=True)
    client.force_login(root)
    assert client.get(reverse("workspace:wording")).status_code == 200
    response = client.post(URL, {"pk": default.pk, "phrase": "国土资源部", "kind": "outdated", "suggestion": "自然资源部"})
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.organisation is None and not default.active
    assert "国土资源部" not in {t for t, _ in found(tree["other"])}
