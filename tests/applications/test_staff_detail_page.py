"""The application's staff page reads in working order: the request and the
applicant first, then the actions the state allows, each closed in a
<details> until asked for (open when its form came back with an error), and
a log that names people: the member of staff, the applicant for an online
submission, the scheduled job for what it did; never a bare "system"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongkai.applications import services
from gongkai.applications.models import Event
from tests.applications.test_services import PERSON
from tests.applications.test_staff import act, detail_url, people, registered  # noqa: F401 (people: a fixture)
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(time_machine, day):
    time_machine.move_to(dt.datetime.combine(day, dt.time(10), SHANGHAI), tick=False)


def _log_actors(response) -> list[str]:
    rows = parse(response).xpath("//section[@aria-labelledby='hist-h']//tbody/tr")
    return [text_of(row.xpath("td")[2]) for row in rows]


def test_request_first_then_actions_each_closed(org_tree, people, client, time_machine):
    _at(time_machine, D(2024, 9, 30))
    app = registered(org_tree["county"], people)
    client.force_login(people["handler"])
    response = client.get(detail_url(app))
    page = response.content.decode()
    # the request and the applicant come first, before the clock and the actions
    assert page.index('id="applicant-h"') < page.index('id="clock-h"') < page.index('id="actions-h"')
    assert page.index('id="request-h"') < page.index("王小明")
    tree = parse(response)
    actions = tree.xpath("//section[@aria-labelledby='actions-h']/details")
    keys = [d.get("id") for d in actions]
    assert "act-reply" in keys and "act-assign" in keys
    assert "act-confirm" not in keys and "act-fee_paid" not in keys  # only what the state allows
    for details in actions:
        assert details.get("open") is None, details.get("id")
        summary = details.xpath("summary")[0]
        assert text_of(summary) and details.xpath(".//form[@method='post']//input[@name='csrfmiddlewaretoken']")
    # every action is a form of its own, labelled by its summary
    reply = tree.xpath("//details[@id='act-reply']//form")[0]
    assert reply.get("aria-labelledby") == "act-reply-h"


def test_refused_action_opens_its_details(org_tree, people, client, time_machine):
    _at(time_machine, D(2024, 10, 8))
    app = registered(org_tree["county"], people)
    client.force_login(people["handler"])
    refused = act(client, app, "reply", {"outcome": ""})
    assert refused.status_code == 200
    tree = parse(refused)
    opened = [d.get("id") for d in tree.xpath("//details[@open]")]
    assert opened == ["act-reply"]
    alert = tree.xpath("//*[@role='alert']")[0]
    assert "必须有条例规定的结果" in text_of(alert)
    # the alert's link goes to a field inside the open action
    target = alert.xpath(".//a/@href")[0].lstrip("#")
    assert tree.xpath(f"//details[@id='act-reply']//*[@id='{target}']")


def test_log_names_people_not_system(org_tree, people, client, time_machine):
    county = org_tree["county"]
    handler = people["handler"]
    handler.first_name = "李承办"
    handler.save()
    _at(time_machine, D(2024, 9, 2))
    online, _ = services.submit_online(county, PERSON)
    services.assign(online, handler, user=people["head"])
    _at(time_machine, D(2024, 10, 30))  # the 20 working days ran out: the daily job records it
    assert services.daily(D(2024, 10, 30))["overdue"] >= 1
    assert Event.objects.filter(application=online, kind="overdue", actor="system").exists()

    client.force_login(handler)
    response = client.get(detail_url(online))
    actors = _log_actors(response)
    assert actors == ["申请人（网上提交）", "gongkaiban", "系统（定时任务）"]
    assert "李承办" in text_of(parse(response).xpath("//p[@class='status-line']")[0])

    registered_app = registered(county, people, on=D(2024, 10, 30))
    actors = _log_actors(client.get(detail_url(registered_app)))
    assert actors == ["李承办（chengban）"]  # a registration by staff is theirs, not the applicant's
    assert all(a != "system" and a != "系统" for a in actors)
