"""Reply-letter templates per organisation, inherited down the tree: an
office rewords the letters of its organisation and those below (unless a
lower office rewords them again); the shipped wording is the root fallback,
which only the system administrator changes; one province's office cannot
touch another's letters."""

import datetime as dt

import pytest

from gongkai.applications import letters, services
from gongkai.applications.models import LetterTemplate
from gongkai.core import audit
from gongkai.core.models import AuditEntry, Organisation
from tests.applications.test_services import PERSON
from tests.applications.test_staff import user

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/staff/applications/templates/"
PROVINCE_BODY = "{applicant}：\n四川省的文字：部分公开（{reasons}）。{provided}"
COUNTY_BODY = "{applicant}：\n西昌市的文字：部分公开（{reasons}）。{provided}"
ROOT_BODY = "{applicant}：\n全平台默认的新文字：部分公开（{reasons}）。{provided}"


@pytest.fixture
def tree(org_tree):
    other = Organisation.objects.create(name="云南省人民政府", short_name="云南省", level="province", index_prefix="YN0001")
    other_county = Organisation.objects.create(name="昆明市五华区人民政府", short_name="五华区", level="county",
                                               parent=other, index_prefix="YN0002")
    return {**org_tree, "other": other, "other_county": other_county}


@pytest.fixture
def people(tree):
    return {
        "province": user("sc.office", (tree["province"], "office_admin")),
        "county": user("xc.office", (tree["county"], "office_admin")),
        "handler": user("xc.handler", (tree["county"], "handler")),
        "other": user("yn.office", (tree["other"], "office_admin")),
        "other_handler": user("wh.handler", (tree["other_county"], "handler")),
    }


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")


def save(client, org, body, title="部分公开告知书（改）", key="partial"):
    return client.post(URL, {"key": key, "title": title, "body": body, "org": org})


def letter_of(org, handler) -> str:
    app, _ = services.register(org, dict(PERSON), channel="in_person", user=handler, received_on=D(2024, 9, 27))
    services.reply(app, user=handler, outcome="partial", reasons="涉及商业秘密", on=D(2024, 10, 20))
    app.refresh_from_db()
    return app.reply.body


def test_an_override_applies_to_its_organisation_and_below_only(tree, people, client):
    client.force_login(people["province"])
    assert save(client, tree["province"].pk, PROVINCE_BODY).status_code == 302
    row = LetterTemplate.objects.get()
    assert row.organisation == tree["province"]
    assert AuditEntry.objects.filter(action="letter_template.save", object_id=str(row.pk), actor="sc.office").exists()
    assert "四川省的文字" in letter_of(tree["county"], people["handler"])
    # the other province's handlers keep the shipped wording
    other_letter = letter_of(tree["other_county"], people["other_handler"])
    assert "四川省的文字" not in other_letter and "本机关对可以公开的部分予以提供" in other_letter


def test_the_nearest_override_wins_and_a_reset_falls_back_to_the_one_above(tree, people, client):
    LetterTemplate.objects.create(organisation=tree["province"], key="partial", title="省", body=PROVINCE_BODY)
    client.force_login(people["county"])
    assert save(client, tree["county"].pk, COUNTY_BODY).status_code == 302
    assert letters.template_for("partial", tree["township"])[1] == COUNTY_BODY     # below the county
    assert letters.template_for("partial", tree["county"])[1] == COUNTY_BODY
    assert letters.template_for("partial", tree["city"])[1] == PROVINCE_BODY       # above the county
    assert letters.template_for("partial", tree["department"])[1] == PROVINCE_BODY
    assert letters.template_for("partial", tree["other_county"]) == letters.DEFAULT_TEMPLATES["partial"]
    assert letters.template_for("partial", None) == letters.DEFAULT_TEMPLATES["partial"]
    page = client.get(URL, {"org": tree["county"].pk}).content.decode()
    assert "本机构已修改" in page
    assert client.post(URL, {"key": "partial", "op": "reset", "org": tree["county"].pk}).status_code == 302
    assert letters.template_for("partial", tree["township"])[1] == PROVINCE_BODY
    assert LetterTemplate.objects.filter(organisation=tree["province"]).exists()  # the province's stays
    assert "沿用四川省人民政府的文字" in client.get(URL, {"org": tree["county"].pk}).content.decode()
    assert audit.verify().ok


def test_another_provinces_office_cannot_read_or_reword_our_letters(tree, people, client):
    row = LetterTemplate.objects.create(organisation=tree["province"], key="partial", title="省", body=PROVINCE_BODY)
    client.force_login(people["other"])
    assert client.get(URL, {"org": tree["province"].pk}).status_code == 404
    assert save(client, tree["province"].pk, "{applicant}：改掉").status_code == 404
    assert save(client, tree["county"].pk, "{applicant}：改掉").status_code == 404
    assert client.post(URL, {"key": "partial", "op": "reset", "org": tree["province"].pk}).status_code == 404
    row.refresh_from_db()
    assert row.body == PROVINCE_BODY and LetterTemplate.objects.count() == 1
    # without an organisation named, the other office lands on its own province
    assert save(client, "", "{applicant}：云南省的文字").status_code == 302
    assert LetterTemplate.objects.get(key="partial", organisation=tree["other"]).body == "{applicant}：云南省的文字"
    assert letters.template_for("partial", tree["county"])[1] == PROVINCE_BODY


def test_a_lower_office_cannot_reword_the_higher_one_nor_the_default(tree, people, client):
    client.force_login(people["county"])
    assert save(client, tree["province"].pk, "{applicant}：改掉").status_code == 404
    assert save(client, "default", "{applicant}：改掉").status_code == 403
    assert save(client, "abc", "{applicant}：改掉").status_code == 404
    assert not LetterTemplate.objects.exists()


def test_a_handler_reads_the_templates_in_force_but_does_not_change_them(tree, people, client):
    LetterTemplate.objects.create(organisation=tree["province"], key="partial", title="四川省部分公开告知书", body=PROVINCE_BODY)
    client.force_login(people["handler"])
    page = client.get(URL).content.decode()
    assert "四川省部分公开告知书" in page and "<textarea" not in page
    assert save(client, tree["county"].pk, "{applicant}：改掉").status_code == 403
    assert client.get(URL, {"org": tree["other"].pk}).status_code == 404


def test_only_the_system_administrator_rewords_the_default(tree, people, root, client):
    LetterTemplate.objects.create(organisation=tree["province"], key="partial", title="省", body=PROVINCE_BODY)
    client.force_login(people["province"])
    assert save(client, "default", ROOT_BODY).status_code == 403
    client.force_login(root)
    page = client.get(URL).content.decode()
    assert "当前：<strong>默认文字（全平台）</strong>" in page and "<textarea" in page
    assert "沿用四川省人民政府的文字" in client.get(URL, {"org": tree["county"].pk}).content.decode()
    assert save(client, "default", ROOT_BODY).status_code == 302
    assert LetterTemplate.objects.get(organisation__isnull=True).body == ROOT_BODY
    assert letters.template_for("partial", tree["other_county"])[1] == ROOT_BODY   # no override there
    assert letters.template_for("partial", tree["county"])[1] == PROVINCE_BODY     # the province's is nearer


def test_the_consultation_letter_uses_the_handling_organisations_wording(tree, people):
    LetterTemplate.objects.create(organisation=tree["county"], key="third_party", title="西昌市征求意见书",
                                  body="{party}：\n西昌市的征求意见文字。")
    app, _ = services.register(tree["township"], dict(PERSON), channel="in_person", user=people["county"],
                               received_on=D(2024, 9, 27))

    class Event:
        note, on = "某公司", D(2024, 9, 30)

    parts = letters.consultation_parts(app, Event())
    assert parts["title"] == "西昌市征求意见书" and parts["paragraphs"][1] == "西昌市的征求意见文字。"
