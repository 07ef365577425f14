"""Shared pieces of the tickets' tests: a county (西昌市人民政府) whose
mailbox receives the letters, its departments and a township, one user per
part they play, a pinned clock, and a letter as a citizen writes it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongkai.core.models import Organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE, EMAIL, NAME = "13812345678", "wangxm@example.com", "王小明"


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def clock_at():
    """Pin the clock (time-machine) at a local moment; call again to move it."""
    travellers = []

    def pin(year, month, day, hour=10):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(year, month, day, hour), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield pin
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def county_world(org_tree, make_user):
    county, township = org_tree["county"], org_tree["township"]
    housing = Organisation.objects.create(name="西昌市住房和城乡建设局", short_name="市住建局", level="department",
                                          parent=county, index_prefix="XC-ZJ", sort_order=1)
    environment = Organisation.objects.create(name="西昌市生态环境局", short_name="市生态环境局", level="department",
                                              parent=county, index_prefix="XC-HB", sort_order=2)
    return {
        **org_tree, "housing": housing, "environment": environment,
        "operator": make_user("operator", (county, "handler")),          # the hotline's operator: dispatches
        "head": make_user("head", (county, "office_admin")),             # the office head: decides
        "housing_handler": make_user("zj_handler", (housing, "handler")),
        "env_handler": make_user("hb_handler", (environment, "handler")),
        "town_handler": make_user("town_handler", (township, "handler")),
        "drafter": make_user("county_drafter", (county, "drafter")),
        "outsider": make_user("outsider", (org_tree["department"], "handler")),
    }


def letter(**extra) -> dict:
    data = {"ticket_type": "complaint", "subject": "小区旁工地夜间施工噪声扰民",
            "text": f"航天大道某工地连续一周在晚上十一点后施工，噪声扰民，请查处。联系人{NAME}，电话{PHONE}。",
            "writer_name": NAME, "writer_phone": PHONE, "writer_email": EMAIL, "writer_address": "西昌市航天大道一段88号",
            "consent_publish": True, "confidential": False, "area": None}
    data.update(extra)
    return data
