"""The demo plan: deterministic and realistic, checked without a database."""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from gongkai.catalog import demo
from gongkai.core import creditcode, docnumber

DATA = Path(demo.__file__).resolve().parent / "data"
TOPICS = {(t["name"], c) for t in json.loads((DATA / "topics.json").read_text("utf-8"))["topics"] for c in t["children"]}
GENRES = set(json.loads((DATA / "genres.json").read_text("utf-8"))["genres"])
VALIDITY = {"valid", "expired", "abolished", "amended", ""}
RELATION_KINDS = {"cites", "interprets", "amends", "abolishes", "forwards"}


@pytest.fixture(scope="module")
def plan():
    return demo.generate(2000)


def _snapshot(plan):
    return [
        (d.title, d.document_number, d.organisation.key, d.topic, d.genre, d.written_date, d.published_date,
         d.validity, d.expiry_date, d.keywords, d.status, [(r.kind, r.title, r.document_number, r.target) for r in d.relations])
        for d in plan
    ]


def test_same_seed_same_plan_and_bodies(plan):
    again = demo.generate(2000)
    assert _snapshot(again) == _snapshot(plan)
    assert [o.credit_code for o in again.organisations] == [o.credit_code for o in plan.organisations]
    for position in (0, 17, 999, 1999):
        assert demo.render_body(again.documents[position]) == demo.render_body(plan.documents[position])


def test_another_seed_another_plan(plan):
    other = demo.generate(2000, seed=demo.SEED + 1)
    assert [d.title for d in other] != [d.title for d in plan]


def test_size_is_exact():
    assert len(demo.generate(0)) == 0
    assert len(demo.generate(1)) == 1
    assert len(demo.generate(333)) == 333


def test_organisation_tree(plan):
    orgs = plan.organisations
    keys = [o.key for o in orgs]
    assert len(set(keys)) == len(keys)
    seen = set()
    for org in orgs:
        assert org.parent is None or org.parent in seen, "parents come before their children"
        seen.add(org.key)
        assert creditcode.validate(org.credit_code) == org.credit_code
    assert {o.level for o in orgs} == {"province", "city", "county", "township", "department"}
    codes = [o.issuer_code for o in orgs] + [o.letter_code for o in orgs]
    assert len(set(codes)) == len(codes), "every issuer code belongs to one organisation"
    assert len({o.credit_code for o in orgs}) == len(orgs)


def test_document_numbers_are_standard_and_serials_grow_with_date(plan):
    by_register = defaultdict(list)
    numbered = 0
    for doc in plan:
        if not doc.document_number:
            assert doc.form in ("interpretation", "report")
            continue
        numbered += 1
        parsed = docnumber.parse(doc.document_number)
        assert parsed.status == docnumber.STATUS_STANDARD, doc.document_number
        assert parsed.issuer_code in (doc.organisation.issuer_code, doc.organisation.letter_code)
        assert parsed.year == doc.written_date.year
        by_register[(parsed.issuer_code, parsed.year)].append((doc.written_date, parsed.serial))
    assert numbered > 1500
    for register, entries in by_register.items():
        serials = [s for _, s in entries]
        assert len(set(serials)) == len(serials), f"duplicate serial in {register}"
        assert [s for _, s in sorted(entries)] == sorted(serials), f"serials out of date order in {register}"


def test_vocabularies_dates_and_validity(plan):
    for doc in plan:
        assert doc.topic in TOPICS, doc.topic
        assert doc.genre in GENRES, doc.genre
        assert demo.FIRST_DAY <= doc.written_date <= doc.published_date <= demo.LAST_DAY
        assert doc.validity in VALIDITY
        assert doc.keywords and all(k for k in doc.keywords.split("，"))
        if doc.validity in ("expired", "abolished", "amended"):
            assert doc.normative and doc.expiry_date and doc.expiry_date >= doc.effective_date
        if doc.validity == "expired":
            assert doc.expiry_date < demo.LAST_DAY
    validity = {d.validity for d in plan}
    assert {"valid", "expired", "abolished", "amended"} <= validity
    assert sum(d.status == "draft" for d in plan) >= 1
    assert 1 <= sum(d.status == "withdrawn" for d in plan) <= 2


def test_titles_look_real(plan):
    titles = [d.title for d in plan]
    assert sum("关于印发" in t and t.endswith("的通知") for t in titles) > 300
    assert sum(t.endswith("实施意见") for t in titles) > 50
    assert sum(t.endswith("办法的通知") for t in titles) > 50
    assert sum("关于转发《" in t for t in titles) > 50
    assert sum(t.endswith("政策解读") for t in titles) > 30
    assert len(set(titles)) > 0.95 * len(titles)
    for doc in plan:
        if doc.form not in ("interpretation",):
            assert doc.title.startswith(doc.organisation.name)


def test_relations_point_back_in_time(plan):
    kinds = defaultdict(int)
    docs = plan.documents
    for doc in plan:
        for ref in doc.relations:
            assert ref.kind in RELATION_KINDS
            kinds[ref.kind, ref.target is None] += 1
            if ref.target is None:
                assert ref.title, "a document outside the catalog is kept by its title"
                if ref.document_number:  # 国办发〔2019〕54号, or a decree: 国务院令第711号
                    assert docnumber.parse(ref.document_number).parsed or "令第" in ref.document_number
                continue
            target = docs[ref.target]
            assert ref.target < doc.position
            assert target.published_date <= doc.written_date
            assert target.status == "published"
            assert (ref.title, ref.document_number) == (target.title, target.document_number)
            if ref.kind in ("amends", "abolishes", "interprets"):
                assert target.organisation is doc.organisation
            if ref.kind == "amends":
                assert target.validity == "amended"
            if ref.kind == "abolishes":
                assert target.validity == "abolished"
    for kind in RELATION_KINDS:
        assert kinds[kind, False] > 0, f"no {kind} relation inside the plan"
    assert kinds["cites", True] > 100, "national documents outside the catalog are cited"
    national = {n for t, n in demo.NATIONAL["open"]}
    assert any(r.document_number in national for d in plan for r in d.relations)


def test_bodies(plan):
    lengths = []
    for doc in plan.documents[:400]:
        body = demo.render_body(doc)
        lengths.append(len(body))
        assert "{" not in body and "}" not in body, body
        if doc.form in ("issue", "opinion", "notice", "bulletin", "workplan") and not doc.normative:
            assert "一、" in body and "二、" in body
        for ref in doc.relations:
            if ref.kind in ("forwards", "interprets", "abolishes"):
                assert demo.cite(ref) in body
        if doc.form != "report" and doc.form != "interpretation":
            assert doc.organisation.name in body
    assert min(lengths) >= 150 and max(lengths) <= 2500
    assert sorted(lengths)[len(lengths) // 2] >= 350


def test_normative_document_text(plan):
    doc = next(d for d in plan if d.normative and any(r.kind == "amends" for r in d.relations))
    body = demo.render_body(doc)
    assert "第一条" in body and "本办法自" in body
    old = next(r for r in doc.relations if r.kind == "amends")
    assert f"{demo.cite(old)}同时废止" in body


def test_cn_number():
    assert [demo.cn_number(n) for n in (1, 9, 10, 11, 20, 25)] == ["一", "九", "十", "十一", "二十", "二十五"]


def test_a_large_plan_is_complete():
    # How fast it is belongs to bench/, not to a test (the machine is shared).
    plan = demo.generate(20000)
    assert len(plan) == 20000
    assert max(d.position for d in plan) == 19999
