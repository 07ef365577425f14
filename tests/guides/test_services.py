"""services.save_guide / publish_guide / unpublish_guide: versions,
validation (nothing written on failure), permissions and the audit log."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.guides import services
from gongkai.guides.models import GuideMaterial, ServiceGuide, ServiceGuideVersion

from .conftest import GUIDE_DATA, MATERIALS

pytestmark = pytest.mark.django_db


def counts():
    return (
        ServiceGuide.objects.count(), GuideMaterial.objects.count(),
        ServiceGuideVersion.objects.count(), AuditEntry.objects.count(),
    )


def messages_of(exc: ValidationError, field: str) -> str:
    return " ".join(exc.value.message_dict.get(field, []))


# ---------------------------------------------------------------- versions


def test_create_writes_guide_materials_and_version_one(org_tree, users, data, materials):
    guide = services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials,
                                user=users["drafter_a"], note="首次编制")
    guide.refresh_from_db()
    assert guide.version == 1 and not guide.published
    assert guide.item_name == "最低生活保障申请" and guide.statutory_days == 30
    assert [(m.name, m.source, m.form, m.copies, m.required, m.sort_order) for m in guide.materials.all()] == [
        ("最低生活保障申请书", "applicant", "paper", 1, True, 1),
        ("户口簿", "government", "both", 2, True, 2),
        ("残疾证", "other", "electronic", 1, False, 3),
    ]
    version = guide.versions.get()
    assert (version.number, version.saved_by, version.note) == (1, "drafter_a", "首次编制")
    assert version.snapshot["materials"] == MATERIALS
    for name, value in GUIDE_DATA.items():
        assert version.snapshot[name] == value, name
    assert version.snapshot["organisation"] == org_tree["county"].pk


def test_edit_adds_a_version_and_a_no_op_edit_adds_none(make_guide, users, data, materials):
    guide = make_guide()
    data["promised_days"] = 15
    edited = services.save_guide(guide, organisation=guide.organisation, data=data, materials=materials,
                                 user=users["drafter_a"], note="压缩时限")
    assert edited.version == 2
    assert list(guide.versions.order_by("number").values_list("number", "note")) == [(1, "首次编制"), (2, "压缩时限")]
    assert ServiceGuideVersion.objects.get(guide=guide, number=2).snapshot["promised_days"] == 15
    assert ServiceGuideVersion.objects.get(guide=guide, number=1).snapshot["promised_days"] == 20

    before = counts()
    updated_at = ServiceGuide.objects.get(pk=guide.pk).updated_at
    # The same content again, with surrounding spaces and CRLF line breaks as a browser sends them.
    same = {**data, "item_name": "  最低生活保障申请 ", "process": data["process"].replace("\n", "\r\n")}
    again = services.save_guide(guide, organisation=None, data=same, materials=materials,
                                user=users["drafter_a"], note="没有修改")
    assert again.version == 2
    assert counts() == before
    assert ServiceGuide.objects.get(pk=guide.pk).updated_at == updated_at


def test_a_material_change_is_a_new_version(make_guide, users, data, materials):
    guide = make_guide()
    materials[1]["copies"] = 3
    services.save_guide(guide, organisation=None, data=data, materials=materials, user=users["drafter_a"])
    versions = list(guide.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert services.changed_fields(versions[0].snapshot, versions[1].snapshot) == ["申请材料"]
    assert services.material_changes(versions[0].snapshot, versions[1].snapshot) == {
        "added": [], "removed": [], "changed": ["户口簿"],
    }
    # Reordering is a change too.
    services.save_guide(guide, organisation=None, data=data, materials=list(reversed(materials)), user=users["drafter_a"])
    assert guide.versions.count() == 3
    assert list(guide.materials.values_list("name", flat=True)) == ["残疾证", "户口簿", "最低生活保障申请书"]


def test_changed_fields_are_named_in_chinese(make_guide, users, data, materials):
    guide = make_guide()
    data.update(promised_days=10, online_link="", complaint_phone="12345")
    services.save_guide(guide, organisation=None, data=data, materials=materials[:2], user=users["drafter_a"])
    v1, v2 = guide.versions.order_by("number")
    assert services.changed_fields(v1.snapshot, v2.snapshot) == ["承诺办结时限", "网上办理地址", "监督投诉电话", "申请材料"]
    assert services.material_changes(v1.snapshot, v2.snapshot)["removed"] == ["残疾证"]


def test_partial_data_keeps_other_fields(make_guide, users):
    guide = make_guide()
    services.save_guide(guide, organisation=None, data={"hours": "全天"}, materials=MATERIALS, user=users["drafter_a"])
    guide.refresh_from_db()
    assert guide.hours == "全天" and guide.item_name == GUIDE_DATA["item_name"] and guide.version == 2


# ---------------------------------------------------------------- validation


BAD_INPUT = [
    # (changes, field, words the message must contain)
    ({"promised_days": 31}, "promised_days", ["承诺办结时限", "不能超过法定办结时限"]),
    ({"online_link": "ftp://example.org/file"}, "online_link", ["网上办理地址", "http"]),
    ({"online_link": "javascript:alert(1)"}, "online_link", ["网上办理地址"]),
    ({"online_link": "不是网址"}, "online_link", ["网上办理地址"]),
    ({"item_name": "   "}, "item_name", ["请填写事项名称"]),
    ({"item_name": "事" * 201}, "item_name", ["事项名称不能超过200个字"]),
    ({"item_code": "含 空格"}, "item_code", ["事项编码"]),
    ({"item_code": ""}, "item_code", ["请填写事项编码"]),
    ({"target": ""}, "target", ["请填写服务对象"]),
    ({"statutory_days": 0, "promised_days": 0}, "statutory_days", ["法定办结时限至少为1个工作日"]),
    ({"statutory_days": "三十"}, "statutory_days", ["法定办结时限须填写整数"]),
    ({"promised_days": None}, "promised_days", ["请填写承诺办结时限"]),
    ({"statutory_days": 1000, "promised_days": 5}, "statutory_days", ["法定办结时限不能超过999个工作日"]),
    ({"fees": "每件10元", "fee_basis": ""}, "fee_basis", ["收费依据"]),
    ({"fees": ""}, "fees", ["请填写收费标准"]),
    ({"enquiry_phone": "请拨打咨询热线"}, "enquiry_phone", ["咨询电话"]),
    ({"complaint_phone": ""}, "complaint_phone", ["请填写监督投诉电话"]),
    ({"legal_basis": "法" * 5001}, "legal_basis", ["设定依据不能超过5000个字"]),
]


@pytest.mark.parametrize("changes,field,words", BAD_INPUT, ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(org_tree, users, data, materials, changes, field, words):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.save_guide(None, organisation=org_tree["county"], data={**data, **changes}, materials=materials,
                            user=users["drafter_a"])
    message = messages_of(exc, field)
    for word in words:
        assert word in message, (field, message)
    assert counts() == before


BAD_MATERIALS = [
    ({"name": ""}, "第2项申请材料：请填写材料名称。"),
    ({"copies": 0}, "第2项申请材料：份数至少为1份。"),
    ({"copies": 100}, "第2项申请材料：份数不能超过99份。"),
    ({"source": "网上下载"}, "第2项申请材料：来源渠道的取值“网上下载”无效"),
    ({"form": "传真"}, "第2项申请材料：材料形式的取值“传真”无效"),
    ({"name": "最低生活保障申请书"}, "第2项申请材料：材料名称“最低生活保障申请书”与前面的材料重复。"),
]


@pytest.mark.parametrize("changes,expected", BAD_MATERIALS)
def test_bad_materials_are_refused_by_row(org_tree, users, data, materials, changes, expected):
    materials[1].update(changes)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=users["drafter_a"])
    assert any(m.startswith(expected) for m in exc.value.message_dict["materials"]), exc.value.message_dict
    assert counts() == before


def test_every_problem_is_reported_at_once(org_tree, users, data, materials):
    data.update(item_name="", promised_days=40, online_link="ftp://x")
    materials[0]["copies"] = 0
    with pytest.raises(ValidationError) as exc:
        services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=users["drafter_a"])
    assert {"item_name", "promised_days", "online_link", "materials"} <= set(exc.value.message_dict)


def test_failed_edit_leaves_the_guide_as_it_was(make_guide, users, data, materials):
    guide = make_guide()
    before = counts()
    data.update(item_name="新名称", promised_days=99)
    with pytest.raises(ValidationError):
        services.save_guide(guide, organisation=None, data=data, materials=materials[:1], user=users["drafter_a"])
    assert counts() == before
    guide.refresh_from_db()
    assert guide.item_name == GUIDE_DATA["item_name"] and guide.version == 1
    assert guide.materials.count() == 3


def test_item_code_is_unique_per_organisation(org_tree, make_guide, users, data, materials):
    make_guide()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=users["drafter_a"])
    assert "事项编码为“000173004000”" in messages_of(exc, "item_code")
    assert counts() == before
    # The same code in another organisation is fine.
    other = make_guide(organisation=org_tree["department"])
    assert other.item_code == GUIDE_DATA["item_code"]


def test_organisation_cannot_change_and_stale_edits_are_refused(org_tree, make_guide, users, data, materials):
    guide = make_guide()
    with pytest.raises(ValidationError) as exc:
        services.save_guide(guide, organisation=org_tree["township"], data=data, materials=materials, user=users["city_admin"])
    assert "实施机构不能更改" in messages_of(exc, "organisation")
    services.save_guide(guide, organisation=None, data={**data, "hours": "全天"}, materials=materials,
                        user=users["drafter_a"], expected_version=1)
    with pytest.raises(ValidationError) as exc:
        services.save_guide(guide, organisation=None, data={**data, "hours": "上午"}, materials=materials,
                            user=users["drafter_a"], expected_version=1)
    assert "已被他人修改（现为第2版）" in " ".join(exc.value.messages)
    assert ServiceGuide.objects.get(pk=guide.pk).hours == "全天"


# ---------------------------------------------------------------- permissions


def test_drafter_edits_own_organisations_guide_only(org_tree, make_guide, users, data, materials):
    guide = make_guide()
    services.save_guide(guide, organisation=None, data={**data, "hours": "全天"}, materials=materials, user=users["drafter_a"])
    before = counts()
    for name in ("drafter_b", "publisher_a", "city_drafter", "nobody"):
        with pytest.raises(PermissionDenied) as exc:
            services.save_guide(guide, organisation=None, data={**data, "hours": name}, materials=materials, user=users[name])
        assert str(exc.value) == "您没有编辑该机构办事指南的权限。"
        with pytest.raises(PermissionDenied):
            services.publish_guide(guide, user=users[name])
    with pytest.raises(PermissionDenied):
        services.save_guide(None, organisation=org_tree["county"], data={**data, "item_code": "X1"}, materials=materials,
                            user=users["drafter_b"])
    assert counts() == before
    assert ServiceGuide.objects.get(pk=guide.pk).hours == "全天"


def test_office_admin_of_a_parent_edits_a_childs_guide(org_tree, make_guide, users, data):
    county_guide = make_guide()
    township_guide = make_guide(organisation=org_tree["township"])
    for guide in (county_guide, township_guide):
        saved = services.save_guide(guide, organisation=None, data={**data, "hours": "全天"}, materials=[],
                                    user=users["city_admin"])
        assert saved.version == 2 and saved.materials.count() == 0
    # ...but not a guide of the province above it.
    province_guide = make_guide(organisation=org_tree["province"])
    with pytest.raises(PermissionDenied):
        services.unpublish_guide(province_guide, user=users["city_admin"])


def test_no_user_needs_system_said_explicitly(org_tree, data, materials):
    before = counts()
    with pytest.raises(PermissionDenied):
        services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=None)
    assert counts() == before
    guide = services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=None, system=True)
    assert guide.versions.get().saved_by == "system"
    assert AuditEntry.objects.get(action="guide.create").actor == "system"


# ---------------------------------------------------------------- publishing and audit


def test_publishing_is_audited_but_not_versioned(make_guide, users):
    guide = make_guide(publish=False)
    updated_at = guide.updated_at
    published = services.publish_guide(guide, user=users["drafter_a"])
    assert published.published and published.published_at is not None
    assert services.publish_guide(guide, user=users["drafter_a"]).published  # again: nothing to do
    unpublished = services.unpublish_guide(guide, user=users["drafter_a"])
    assert not unpublished.published
    guide.refresh_from_db()
    assert guide.version == 1 and guide.versions.count() == 1 and guide.updated_at == updated_at
    assert list(AuditEntry.objects.filter(object_type="service_guide").order_by("seq").values_list("action", "actor")) == [
        ("guide.create", "system"), ("guide.publish", "drafter_a"), ("guide.unpublish", "drafter_a"),
    ]
    assert audit.verify().ok


def test_audit_entries_chain_the_guides_states(org_tree, users, data, materials):
    user = users["drafter_a"]
    guide = services.save_guide(None, organisation=org_tree["county"], data=data, materials=materials, user=user, note="首次")
    services.save_guide(guide, organisation=None, data={**data, "promised_days": 10}, materials=materials, user=user, note="提速")
    services.publish_guide(guide, user=user)
    entries = list(AuditEntry.objects.filter(object_type="service_guide", object_id=str(guide.pk)).order_by("seq"))
    assert [e.action for e in entries] == ["guide.create", "guide.update", "guide.publish"]
    create, update, publish = entries
    assert create.actor == "drafter_a" and create.before_hash == ""
    assert update.before_hash == create.after_hash  # the state before an edit is the state the last entry left
    assert publish.before_hash == update.after_hash and publish.after_hash != publish.before_hash
    assert update.detail["changed"] == ["承诺办结时限"] and update.detail["version"] == 2 and update.detail["note"] == "提速"
    v2 = guide.versions.get(number=2)
    assert update.after_hash == audit.fingerprint({**v2.snapshot, "published": False, "version": 2})
    assert audit.verify().ok
    # A failed save leaves no entry behind.
    with pytest.raises(ValidationError):
        services.save_guide(guide, organisation=None, data={**data, "item_name": ""}, materials=materials, user=user)
    assert AuditEntry.objects.filter(object_type="service_guide").count() == 3
    assert audit.verify().ok
