"""Privacy findings of a document (个人信息去标识化): stored without the personal
data, masked in one click, waived on a legal ground with a reason, kept in
line with the text on a re-scan, and only by the people allowed to."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document
from gongkai.core import audit, creditcode
from gongkai.core.models import AuditEntry, Membership, Role
from gongkai.publishing import findings, privacy
from gongkai.publishing.models import PrivacyFinding

pytestmark = pytest.mark.django_db

OPEN, MASKED, WAIVED = PrivacyFinding.State.OPEN, PrivacyFinding.State.MASKED, PrivacyFinding.State.WAIVED


def make_id(region: str = "110101", born: dt.date = dt.date(1990, 3, 7), sequence: str = "123") -> str:
    """A resident ID number with a valid ISO 7064 MOD 11-2 check character."""
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + privacy.id_check_character(first17)


def make_card(prefix: str = "6222021001", length: int = 19) -> str:
    """A UnionPay-looking card number with a valid Luhn check digit."""
    body = (prefix + "1234567890123456789")[: length - 1]
    return next(body + d for d in "0123456789" if privacy.luhn_ok(body + d))


def make_credit_code(first17: str = "11510000MB1527830") -> str:
    return first17 + creditcode.check_character(first17)


PERSON = make_id("513401", dt.date(1985, 6, 9), "231")          # 凉山州西昌市
CHILD = make_id("110101", dt.date(2012, 11, 30), "044")
OLD_ID = "110102850609123"                                      # 15 digits, born 1985-06-09
MOBILE = "13981234567"
LANDLINE = "0834-3221234"
CARD = make_card()
EMAIL = "zhang.wenjun@example.com"
PASSPORT = "E59321874"
RAW_VALUES = [PERSON, CHILD, OLD_ID, MOBILE, LANDLINE, CARD, EMAIL, PASSPORT]

NOTICE = (
    "关于张某某违法占用耕地行政处罚决定的公示\n"
    f"当事人：张某某，男，身份证号码：{PERSON}，住西昌市安宁镇。联系电话：{MOBILE}，固定电话{LANDLINE}。\n"
    f"其子张小某（身份证号{CHILD}）的补助资金已汇入当事人银行账户{CARD}。\n"
    f"当事人电子邮箱{EMAIL}，护照号码{PASSPORT}，原身份证号{OLD_ID}。\n"
    "西昌市自然资源局 2024年3月1日"
)
EXPECTED_KINDS = ["id_card", "mobile", "landline", "id_card", "bank_card", "email", "passport", "id_card_15"]

CATALOG_TEXT = (
    "四川省人民政府办公厅关于印发《四川省优化营商环境条例实施细则》的通知\n"
    "川办发〔2024〕15号 渝府办发〔2018〕76号 国办发〔2017〕47号 凉府函〔2023〕128号\n"
    "索引号：11500114009130039C/2018-00979 发布日期：2018年7月20日 成文日期：20180720\n"
    f"发文机关统一社会信用代码：{make_credit_code()}，{make_credit_code('12513400MB0P12345')}\n"
    "项目代码：2018-510000-47-01-035287，批准文号：川发改投资〔2018〕520号。\n"
    "下达补助资金12345678.90元（大写：壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角），累计3,560,000元，"
    "共计1234567890123元。\n"
    "政务服务便民热线12345，邮政编码615000，第2024001号公告，执行时间2024-03-01 09:30至2025-02-28。\n"
    "附件：1. 实施细则（2024年第3期） 2. 2024年度绩效目标表\n"
)


def hits(doc, **filters):
    return list(PrivacyFinding.objects.filter(document=doc, **filters).order_by("attachment_id", "offset"))


def assert_nowhere(values):
    """None of the raw values is stored in any column of the findings or the audit log."""
    rows = [json.dumps(list(PrivacyFinding.objects.values()), default=str, ensure_ascii=False),
            json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)]
    for value in values:
        for row in rows:
            assert value not in row


def member(username, organisation, role, level=None):
    user = User.objects.create_user(username=username, password="correct-horse-battery-9")
    Membership.objects.create(user=user, organisation=organisation, role=role, review_level=level)
    return user


@pytest.fixture
def staff(org_tree):
    county = org_tree["county"]
    return {
        "drafter": member("drafter", county, Role.DRAFTER),
        "reviewer": member("reviewer", county, Role.REVIEWER, 1),
        "secrecy": member("secrecy", county, Role.SECRECY_REVIEWER),
        "publisher": member("publisher", county, Role.PUBLISHER),
        "city_admin": member("city_admin", org_tree["city"], Role.OFFICE_ADMIN),
        "township_secrecy": member("township_secrecy", org_tree["township"], Role.SECRECY_REVIEWER),
        "nobody": User.objects.create_user(username="nobody", password="correct-horse-battery-9"),
    }


@pytest.fixture
def notice(org_tree, make_document):
    return make_document(org_tree["county"], "关于张某某违法占用耕地行政处罚决定的公示", NOTICE, publish=False)


def reload(doc) -> Document:
    return Document.objects.get(pk=doc.pk)


def test_scan_stores_each_kind_without_the_personal_data(notice):
    found = findings.scan_document(notice)
    assert [f.kind for f in found] == EXPECTED_KINDS
    assert all(f.state == OPEN and f.attachment_id is None for f in found)
    by_kind = {f.kind: f for f in found}
    assert by_kind["mobile"].masked == "139****4567"
    assert by_kind["email"].masked == "z***@example.com"
    assert hits(notice)[0].masked == f"513401********{PERSON[-4:]}"
    for f in found:
        assert notice.body_text[f.offset:f.offset + 1] == f.masked[0]  # the offset is where the value starts
        assert 0 < len(f.context) <= 40 and f.masked in f.context
        assert len(f.digest) == 64
    key = settings.SECRET_KEY.encode()
    assert by_kind["mobile"].digest == hmac.new(key, f"mobile\0{MOBILE}".encode(), hashlib.sha256).hexdigest()
    # A neighbour in the context is masked too, even where the context cuts it.
    assert "固定电话0834-*" in by_kind["mobile"].context and "3221" not in by_kind["mobile"].context
    assert findings.blocking_message(notice) == "正文或附件中有8处个人信息尚未去标识化或依法保留，不能发布。"
    assert findings.open_findings(notice).count() == 8
    assert_nowhere(RAW_VALUES)


def test_scan_is_idempotent(notice):
    first = [(f.pk, f.offset, f.context) for f in findings.scan_document(notice)]
    second = [(f.pk, f.offset, f.context) for f in findings.scan_document(notice)]
    assert first == second and PrivacyFinding.objects.count() == 8


def test_catalog_numbers_dates_codes_and_amounts_are_not_personal_data(org_tree, make_document):
    doc = make_document(org_tree["province"], "关于印发《四川省优化营商环境条例实施细则》的通知", CATALOG_TEXT,
                        publish=False, document_number="川办发〔2024〕15号")
    assert findings.scan_document(doc) == []
    assert not PrivacyFinding.objects.exists()
    assert findings.blocking_message(doc) is None


def test_mask_one_body_finding(notice, staff):
    findings.scan_document(notice)
    finding = PrivacyFinding.objects.get(document=notice, kind="id_card", offset=notice.body_text.index(PERSON))
    result = findings.mask_finding(finding, staff["drafter"])
    assert result.state == MASKED and result.decided_by == staff["drafter"] and result.decided_at
    doc = reload(notice)
    masked = f"513401********{PERSON[-4:]}"
    assert PERSON not in doc.body and PERSON not in doc.body_text
    assert masked in doc.body and masked in doc.body_text
    assert MOBILE in doc.body  # the others are untouched ...
    assert findings.open_findings(doc).count() == 7  # ... and still open
    assert findings.blocking_message(doc).startswith("正文或附件中有7处")
    stored = PrivacyFinding.objects.get(pk=finding.pk)
    assert (stored.state, stored.decided_by_id) == (MASKED, staff["drafter"].pk)
    entry = AuditEntry.objects.get(action="privacy.mask")
    assert (entry.object_type, entry.object_id, entry.actor) == ("document", str(doc.pk), "drafter")
    assert entry.detail == {"finding": finding.pk, "kind": "id_card", "masked": masked}
    # A re-scan keeps the decision and does not find the value again.
    findings.scan_document(doc)
    assert PrivacyFinding.objects.get(pk=finding.pk).state == MASKED
    assert findings.open_findings(doc).count() == 7
    assert audit.verify().ok
    assert_nowhere(RAW_VALUES)


def test_mask_a_value_split_by_formatting_and_in_a_link(org_tree, staff):
    doc = catalog.create_document(
        organisation=org_tree["county"], title="关于王某某申请低保的公示",
        body_html=(f"<p>申请人王某某，联系电话<strong>139</strong>81234567，"
                   f'邮箱<a href="mailto:{EMAIL}">{EMAIL}</a>，再次核对电话：{MOBILE}。</p>'),
    )
    findings.scan_document(doc)
    assert [f.kind for f in hits(doc)] == ["mobile", "email", "mobile"]
    mobile = hits(doc, kind="mobile")[0]
    findings.mask_finding(mobile, staff["reviewer"])
    doc = reload(doc)
    assert MOBILE not in doc.body_text and "<strong>139</strong>****4567" in doc.body
    # Both occurrences of the same number were masked, and both findings say so.
    assert [f.state for f in hits(doc, kind="mobile")] == [MASKED, MASKED]
    email = hits(doc, kind="email")[0]
    findings.mask_finding(email, staff["reviewer"])
    doc = reload(doc)
    assert EMAIL not in doc.body and 'href="mailto:z***@example.com"' in doc.body
    assert findings.blocking_message(doc) is None
    assert audit.verify().ok


def test_mask_all_masks_every_open_body_finding(notice, staff):
    findings.scan_document(notice)
    passport = PrivacyFinding.objects.get(document=notice, kind="passport")
    findings.waive_finding(passport, staff["secrecy"], PrivacyFinding.WaiverGround.PUNITIVE,
                           "行政处罚决定依法公示，护照号码用于识别境外当事人。")
    count = findings.mask_all(notice, staff["drafter"])
    assert count == 7
    assert notice.body == reload(notice).body  # the caller's object follows
    doc = reload(notice)
    for value in RAW_VALUES:
        if value != PASSPORT:
            assert value not in doc.body
    assert PASSPORT in doc.body  # waived: kept
    assert "139****4567" in doc.body and "z***@example.com" in doc.body and "110102*****9123" in doc.body
    assert findings.blocking_message(doc) is None
    assert findings.scan_document(doc) == []
    assert PrivacyFinding.objects.get(pk=passport.pk).state == WAIVED
    assert AuditEntry.objects.filter(action="privacy.mask").count() == 7
    assert findings.mask_all(doc, staff["drafter"]) == 0
    assert audit.verify().ok
    assert_nowhere(RAW_VALUES)


def test_waive_needs_a_ground_and_a_reason(notice, staff):
    findings.scan_document(notice)
    finding = PrivacyFinding.objects.get(document=notice, kind="id_card", offset=notice.body_text.index(PERSON))
    with pytest.raises(ValidationError) as refused:
        findings.waive_finding(finding, staff["secrecy"], PrivacyFinding.WaiverGround.PUNITIVE, "   ")
    assert refused.value.message_dict == {"waiver_reason": ["请填写保留理由。"]}
    with pytest.raises(ValidationError) as refused:
        findings.waive_finding(finding, staff["secrecy"], "because", "依法公示")
    assert "保留依据" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        findings.waive_finding(finding, staff["secrecy"], "mandatory", "理" * 301)
    assert "保留理由不能超过300字" in refused.value.messages[0]
    assert PrivacyFinding.objects.get(pk=finding.pk).state == OPEN
    assert not AuditEntry.objects.filter(action="privacy.waive").exists()

    reason = f"《行政处罚法》第四十八条：具有一定社会影响的行政处罚决定应当依法公开（当事人电话{MOBILE}）。"
    result = findings.waive_finding(finding, staff["secrecy"], PrivacyFinding.WaiverGround.PUNITIVE, reason)
    stored = PrivacyFinding.objects.get(pk=finding.pk)
    assert result.state == stored.state == WAIVED
    assert stored.waiver_ground == "punitive" and stored.decided_by == staff["secrecy"]
    assert stored.waiver_reason.startswith("《行政处罚法》") and "139****4567" in stored.waiver_reason
    entry = AuditEntry.objects.get(action="privacy.waive")
    assert entry.actor == "secrecy" and entry.detail["finding"] == finding.pk and entry.detail["ground"] == "punitive"
    assert PERSON in reload(notice).body  # kept
    assert findings.open_findings(notice).count() == 7
    with pytest.raises(ValidationError, match="已处理"):
        findings.waive_finding(finding, staff["secrecy"], "mandatory", "再次保留")
    assert audit.verify().ok
    assert_nowhere(RAW_VALUES)


def test_rescan_after_editing_keeps_waivers_and_drops_vanished_findings(notice, staff):
    findings.scan_document(notice)
    person = PrivacyFinding.objects.get(document=notice, kind="id_card", offset=notice.body_text.index(PERSON))
    findings.waive_finding(person, staff["secrecy"], PrivacyFinding.WaiverGround.MANDATORY, "依法须公开的处罚对象身份信息。")
    email = PrivacyFinding.objects.get(document=notice, kind="email")
    findings.mask_finding(email, staff["drafter"])
    doc = reload(notice)
    card = PrivacyFinding.objects.get(document=doc, kind="bank_card")
    new_mobile = "15808341234"
    edited = (
        "关于张某某违法占用耕地行政处罚决定的公示（更正）\n"
        f"当事人：张某某，身份证号码：{PERSON}。联系电话：{new_mobile}。\n"
        f"补助资金已汇入当事人银行账户{CARD}。\n"
        f"更正：当事人电子邮箱{EMAIL}。"
    )
    catalog.update_document(doc, body_text=edited)
    open_now = findings.scan_document(doc)
    assert sorted(f.kind for f in open_now) == ["bank_card", "email", "mobile"]
    kept = PrivacyFinding.objects.get(pk=person.pk)
    assert kept.state == WAIVED and kept.offset == doc.body_text.index(PERSON)  # moved with the text
    assert PrivacyFinding.objects.filter(pk=card.pk, state=OPEN).exists()  # same value, same finding
    assert PrivacyFinding.objects.get(pk=email.pk).state == MASKED  # the decision stays on record ...
    assert PrivacyFinding.objects.get(document=doc, kind="email", state=OPEN).pk != email.pk  # ... the value pasted back is open
    assert not PrivacyFinding.objects.filter(document=doc, kind__in=["landline", "passport", "id_card_15"]).exists()
    assert PrivacyFinding.objects.get(document=doc, kind="mobile").masked == "158****1234"
    assert [f.pk for f in findings.scan_document(doc)] == [f.pk for f in open_now]
    assert findings.blocking_message(doc).startswith("正文或附件中有3处")


def test_masking_a_finding_of_an_edited_body_is_refused_as_stale(notice, staff):
    findings.scan_document(notice)
    mobile = PrivacyFinding.objects.get(document=notice, kind="mobile")
    catalog.update_document(reload(notice), body_text="当事人已撤回申请。")
    with pytest.raises(ValidationError, match="已过期"):
        findings.mask_finding(mobile, staff["drafter"])
    assert findings.scan_document(reload(notice)) == [] and not PrivacyFinding.objects.exists()


def test_permissions(notice, staff):
    findings.scan_document(notice)
    mobile = PrivacyFinding.objects.get(document=notice, kind="mobile")
    ground, reason = PrivacyFinding.WaiverGround.PUNITIVE, "行政处罚决定依法公示。"
    for outsider in ("nobody", "township_secrecy"):
        with pytest.raises(PermissionDenied):
            findings.mask_finding(mobile, staff[outsider])
        with pytest.raises(PermissionDenied):
            findings.waive_finding(mobile, staff[outsider], ground, reason)
        with pytest.raises(PermissionDenied):
            findings.mask_all(notice, staff[outsider])
    with pytest.raises(PermissionDenied) as denied:
        findings.waive_finding(mobile, staff["drafter"], ground, reason)
    assert "依法保留" in str(denied.value)
    with pytest.raises(PermissionDenied):
        findings.mask_finding(mobile, staff["publisher"])
    # A refusal comes before the reason is looked at, and changes nothing.
    with pytest.raises(PermissionDenied):
        findings.waive_finding(mobile, staff["drafter"], ground, "")
    assert PrivacyFinding.objects.get(pk=mobile.pk).state == OPEN
    assert MOBILE in reload(notice).body
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()

    findings.mask_finding(mobile, staff["drafter"])  # the drafter may mask
    landline = PrivacyFinding.objects.get(document=notice, kind="landline")
    findings.waive_finding(landline, staff["secrecy"], PrivacyFinding.WaiverGround.PUBLIC_ROLE, "执法机关办公电话。")
    passport = PrivacyFinding.objects.get(document=notice, kind="passport")
    # An office administrator above (the city) reaches the county's documents.
    findings.waive_finding(passport, staff["city_admin"], ground, reason)
    assert [a for a in AuditEntry.objects.order_by("seq").values_list("action", "actor") if a[0].startswith("privacy.")] == [
        ("privacy.mask", "drafter"), ("privacy.waive", "secrecy"), ("privacy.waive", "city_admin"),
    ]
    with pytest.raises(ValidationError, match="已经去标识化"):
        findings.mask_finding(mobile, staff["secrecy"])
    assert audit.verify().ok
