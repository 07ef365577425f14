"""Shared data for the service-guide tests."""

import copy

import pytest
from django.contrib.auth.models import User

from gongkai.core.models import Membership, Role
from gongkai.guides import services

GUIDE_DATA = {
    "item_name": "最低生活保障申请",
    "item_code": "000173004000",
    "target": "自然人",
    "legal_basis": "《社会救助暂行办法》第九条至第十三条。",
    "conditions": "共同生活的家庭成员人均收入低于当地最低生活保障标准。",
    "process": "申请\n受理\n调查核实\n公示\n审核确认",
    "statutory_days": 30,
    "promised_days": 20,
    "fees": "不收费",
    "fee_basis": "",
    "result_document": "最低生活保障审核确认决定",
    "place": "西昌市便民服务中心三号窗口",
    "hours": "工作日上午9:00—12:00",
    "online_link": "https://www.sczwfw.gov.cn/",
    "enquiry_phone": "0834-3226002",
    "complaint_phone": "0834-3226010、12345",
}
MATERIALS = [
    {"name": "最低生活保障申请书", "source": "applicant", "form": "paper", "copies": 1, "required": True, "note": "申请人签字"},
    {"name": "户口簿", "source": "government", "form": "both", "copies": 2, "required": True, "note": ""},
    {"name": "残疾证", "source": "other", "form": "electronic", "copies": 1, "required": False, "note": "有残疾的提供"},
]


@pytest.fixture
def data():
    return copy.deepcopy(GUIDE_DATA)


@pytest.fixture
def materials():
    return copy.deepcopy(MATERIALS)


def make_user(username, *roles):
    user = User.objects.create_user(username=username, password="correct-horse-battery-9")
    for org, role in roles:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def users(org_tree):
    """Org A is the county, org B the provincial department; the city is the
    county's parent."""
    county, department, city = org_tree["county"], org_tree["department"], org_tree["city"]
    return {
        "drafter_a": make_user("drafter_a", (county, Role.DRAFTER)),
        "drafter_b": make_user("drafter_b", (department, Role.DRAFTER)),
        "publisher_a": make_user("publisher_a", (county, Role.PUBLISHER)),  # sees, may not edit guides
        "city_admin": make_user("city_admin", (city, Role.OFFICE_ADMIN)),
        "city_drafter": make_user("city_drafter", (city, Role.DRAFTER)),
        "nobody": make_user("nobody"),
    }


@pytest.fixture
def make_guide(org_tree):
    """A guide written as the system (default: in the county, published)."""

    def make(organisation=None, publish=True, materials=None, **changes):
        fields = {**copy.deepcopy(GUIDE_DATA), **changes}
        guide = services.save_guide(
            None, organisation=organisation or org_tree["county"], data=fields,
            materials=copy.deepcopy(MATERIALS) if materials is None else materials,
            user=None, system=True, note="首次编制",
        )
        if publish:
            guide = services.publish_guide(guide, user=None, system=True)
        return guide

    return make
