"""The demo is one coherent region: what the apps add to it belongs to the province's own
organisations; the issuers from other provinces are roots of their own, holding only the
sample pages imported as examples."""

import pytest

from gongkai import demo
from gongkai.applications.models import Application
from gongkai.catalog.models import Document
from gongkai.core.models import Membership, Organisation
from gongkai.guides.models import ServiceGuide
from gongkai.interaction.models.consultations import Consultation
from gongkai.interaction.models.interviews import Interview
from gongkai.interaction.models.tickets import Ticket
from gongkai.workplan.models import Plan, Quota, QuotaPlan, TaskUnit

SIZE = 40


@pytest.fixture
def loaded(db):
    return demo.load_demo(SIZE)


def _outside_region(org_ids) -> set:
    province = Organisation.objects.get(name="四川省人民政府")
    return set(org_ids) - province.descendant_ids()


def test_everything_the_apps_add_belongs_to_the_region(loaded):
    assert Organisation.objects.filter(parent=None).count() == 3
    assert not _outside_region(Membership.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(Document.objects.exclude(created_by=None).values_list("organisation_id", flat=True))
    assert not _outside_region(ServiceGuide.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(Application.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(Ticket.objects.exclude(organisation=None).values_list("organisation_id", flat=True))
    assert not _outside_region(Consultation.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(Interview.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(Quota.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(QuotaPlan.objects.values_list("organisation_id", flat=True))
    assert not _outside_region(TaskUnit.objects.exclude(organisation=None).values_list("organisation_id", flat=True))


def test_the_work_plan_is_the_provinces_own(loaded):
    plan = Plan.objects.get()
    assert plan.organisation.name == "四川省人民政府"
    assert plan.title == "2010年全省政务公开工作要点" and plan.year == 2010
    assert "重庆" not in plan.title + plan.source_text[:2000]
    assert loaded.workplan_tasks == plan.tasks.count() > 0
    assert QuotaPlan.objects.get().work_plan == plan


def test_no_duplicate_guides(loaded):
    guides = list(ServiceGuide.objects.values_list("organisation__name", "item_code"))
    assert len(guides) == len(set(guides)) == loaded.guides > 0
    # One of each item per government: no office or department repeats its government's items.
    assert {name for name, _ in guides} == {"凉山彝族自治州人民政府", "西昌市人民政府"}
    items = [code for _, code in guides]
    assert len(set(items)) == 3  # 政府信息公开申请 for each, plus one item of its own level each


def test_the_imported_examples_stand_apart(loaded):
    outside = Organisation.objects.filter(name__in=["重庆市黔江区人民政府", "广州市人民政府", "广州市人民政府办公厅"])
    assert outside.count() == len(demo.IMPORTED_EXAMPLES) == 3
    province = Organisation.objects.get(name="四川省人民政府")
    assert not set(outside.values_list("id", flat=True)) & province.descendant_ids()
    docs = Document.objects.filter(organisation__in=outside)
    assert docs.count() == 2 and all(d.source_path for d in docs)  # only the imported sample pages
