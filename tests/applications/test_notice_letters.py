"""Every letter's shipped wording against the statute (《中华人民共和国政府信息公开条例》,
/work/shared/domain/statute-and-formats.md §1): the article each cites, the
remedies sentence on whatever decides the applicant's rights and not on the
steps on the way (a correction request, an extension, the consultations),
each reply's outcome an annual-report row with a letter of its own, and the
periods the letters state coming from the one list of statutory periods."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps

from gongkai.applications import letters, notice_flow
from gongkai.applications.models import Application, LetterTemplate, Reply
from gongkai.applications.staff_forms import template_problems
from gongkai.core.statute import (
    FEE_PAYMENT_WORKDAYS, OTHER_ORGAN_WORKDAYS, OUTCOME_ARTICLE, OUTCOME_LETTER, OUTCOME_REPORT_ROW, REPLY_OUTCOMES,
    REPORT_ROWS, THIRD_PARTY_WORKDAYS,
)

REMEDY_WORDS = ("60日内", "行政复议", "6个月内", "行政诉讼")

# What each outcome's letter must say besides its article (the statute's own words for the decision).
OUTCOME_WORDS = {
    "proactive": "获取",
    "disclosed": "予以公开",
    "partial": "可以公开的部分予以提供",
    "not_exist": "该政府信息不存在",
    "not_responsible": "不属于本机关负责公开",
    "needs_creation": "加工、分析",
    "still_unclear": "补正后的申请内容仍不明确",
    "petition": "通过信访、投诉、举报等相应渠道提出",
    "repeat": "不予重复处理",
    "publication": "获取途径",
    "excessive": "数量、频次明显超过合理范围",
    "confirm": "确认或者重新出具",
    "no_correction": "视为放弃申请",
    "no_payment": "不再处理",
}


def application(org):
    return Application(organisation=org, year=2026, serial=7, applicant_type="natural", applicant_name="王小明",
                       id_document="x", phone="x", info_title="西昌市2025年度城市道路养护经费预算",
                       channel="online", submitted_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc),
                       received_on=dt.date(2026, 3, 2))


def text_of(parts: dict) -> str:
    return letters.parts_text(parts)


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [code for code, *_ in REPLY_OUTCOMES])
def test_each_reply_letter_cites_its_article_carries_the_remedies_and_is_a_report_row(org_tree, outcome):
    app = application(org_tree["county"])
    reply = Reply(application=app, outcome=outcome, issued_on=dt.date(2026, 3, 20), letter_number="西昌市依申答〔2026〕第3号",
                  reasons="理由", responsible_organ="西昌市自然资源局（0834-3222222）",
                  where_published="西昌市人民政府网站“政府信息公开”栏目")
    text = text_of(letters.render_parts(app, reply))
    article = OUTCOME_ARTICLE[outcome]
    if article:
        assert article in text, (outcome, article)
    if outcome in OUTCOME_WORDS:
        assert OUTCOME_WORDS[outcome] in text, outcome
    # Every reply decides the applicant's rights: the remedies, naming the body above the organisation.
    assert all(word in text for word in REMEDY_WORDS) and "凉山彝族自治州人民政府" in text
    assert "{" not in text and "}" not in text  # no placeholder left unfilled
    assert OUTCOME_REPORT_ROW[outcome] in dict(REPORT_ROWS)
    assert OUTCOME_LETTER[outcome] in letters.DEFAULT_TEMPLATES


def test_the_not_processed_and_unable_outcomes_each_have_their_own_letter():
    """Art. 35, 36(6), 39 ¶1 and ¶2 and the 不予处理-5 row say different things
    to the applicant; so do Art. 38 and Art. 30 for 无法提供."""
    groups = {}
    for code, _, _, row, letter in REPLY_OUTCOMES:
        if row[0] in "45" and row != "4.1":
            groups[letter] = groups.get(letter, []) + [code]
    assert all(len(codes) == 1 for codes in groups.values()), groups
    assert len(groups) == 7


NOTICE_VALUES = {
    "correction": {"items": "请写明所需预算文件的年度", "period": 15, "by": "2026年3月24日"},
    "extension": {"reason": "需要汇总多个部门的资料", "days": 10, "old_due": "2026年3月30日", "new_due": "2026年4月14日"},
    "third_party": {"party": "西昌市某建设工程有限公司", "workdays": THIRD_PARTY_WORKDAYS},
    "organ": {"organ": "西昌市财政局", "workdays": OTHER_ORGAN_WORKDAYS},
    "fee": {"reason": "申请人本月申请数量明显超过合理范围", "basis": "按件计收", "quantity": "12件", "tiers": "本月累计第11至12件每件100元",
            "amount": "200", "payment": "到本机关办理", "pay_by": "2026年4月1日", "pay_workdays": FEE_PAYMENT_WORKDAYS},
    "transfer": {"to": "西昌市财政局", "contact": "，该机关联系方式：0834-3111111", "reasons": "预算由财政局编制。"},
}
NOTICE_ARTICLES = {
    "correction": ["第三十条"],
    "extension": ["第三十三条第二款", "负责人同意"],
    "third_party": ["第三十二条", f"{THIRD_PARTY_WORKDAYS}个工作日"],
    "organ": ["第三十四条", f"{OTHER_ORGAN_WORKDAYS}个工作日", "视为同意公开"],
    "fee": ["第四十二条", "《政府信息公开信息处理费管理办法》", f"{FEE_PAYMENT_WORKDAYS}个工作日", "视为放弃申请"],
    "transfer": ["第三十六条第（五）项", "0834-3111111"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [kind for kind in notice_flow.KINDS if kind != "reply"])  # replies: above
def test_each_notice_cites_its_article_and_carries_the_remedies_only_where_it_decides(org_tree, kind):
    app = application(org_tree["county"])
    info = notice_flow.KINDS[kind]
    parts = letters.notice_parts(kind, app, NOTICE_VALUES[kind], number="西昌市依申〔2026〕第1号",
                                 date=dt.date(2026, 3, 4), remedy=info.remedy)
    text = text_of(parts)
    for words in NOTICE_ARTICLES[kind]:
        assert words in text, (kind, words)
    assert all(word in text for word in REMEDY_WORDS) is info.remedy, kind
    assert "{" not in text and "}" not in text
    assert parts["date"] == "2026年3月4日" and parts["number"] == "西昌市依申〔2026〕第1号"
    # The letters to a third party or another organ carry nothing of the applicant's.
    assert ("王小明" in text) is info.to_applicant


def test_the_remedies_go_on_decisions_not_on_the_steps_on_the_way():
    kinds = notice_flow.KINDS
    assert {key for key, kind in kinds.items() if kind.remedy} == {"reply", "fee", "transfer"}
    assert {key for key, kind in kinds.items() if not kind.to_applicant} == {"third_party", "organ"}


def test_every_shipped_template_uses_only_its_own_placeholders():
    for key, (title, body) in letters.DEFAULT_TEMPLATES.items():
        assert title and template_problems(body, key) == [], key
    assert template_problems("{applicant}：{items}", "partial")  # a correction's placeholder in a reply
    assert template_problems("{applicant}：{items}", "correction") == []


@pytest.mark.django_db
def test_an_offices_rewording_of_the_shared_templates_carries_over_to_each_outcome(org_tree):
    migration = importlib.import_module("gongkai.applications.migrations.0004_notices_signoff")
    county = org_tree["county"]
    LetterTemplate.objects.create(organisation=county, key="not_processed", title="西昌市不予处理告知书",
                                  body="{applicant}：\n经审查，{outcome}（{article}）。")
    LetterTemplate.objects.create(organisation=None, key="unable", title="无法提供告知书", body="{applicant}：\n{reasons}")
    LetterTemplate.objects.create(organisation=county, key="repeat", title="已有的重复申请模板", body="{applicant}：\n已有")
    migration.split_shared_templates(django_apps, None)
    rows = {(row.organisation_id, row.key): row for row in LetterTemplate.objects.all()}
    assert (county.pk, "not_processed") not in rows and (None, "unable") not in rows
    for key in ("petition", "publication", "excessive", "confirm"):
        assert rows[(county.pk, key)].title == "西昌市不予处理告知书"
    assert rows[(county.pk, "repeat")].title == "已有的重复申请模板"  # an office's own wording stays
    assert rows[(None, "needs_creation")].body == rows[(None, "still_unclear")].body == "{applicant}：\n{reasons}"
