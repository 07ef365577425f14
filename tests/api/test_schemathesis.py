"""Schemathesis against /api/openapi.json, as the API runs in production:
the schema is loaded from the running application, and every operation is
called through the project's own WSGI application (gongkai.wsgi, every
middleware, CSRF enforced) — once anonymous, once signed in through the
staff login form as a user holding roles in an organisation, whose writes
carry the CSRF token as a browser's script would. No response may be a
5xx; every response must be one the operation documents, with the content
type and body the schema gives it; a request the schema forbids must be
refused; anonymous callers get nothing but 401/403.

Bounded and repeatable: a fixed seed, deterministic generation, MAX_EXAMPLES
fuzzed cases per operation (positive and negative) on top of the schema's
boundary cases (the coverage phase), in-process only (no socket, no
network): about ten seconds on an idle machine. What the run found is
pinned below it as plain requests."""

import copy
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.python import wsgi as st_wsgi

from gongkai.catalog import services as catalog
from gongkai.guides import services as guides
from gongkai.catalog.models import Document
from gongkai.publishing import workflow

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"  # tests/conftest.py make_user
MAX_EXAMPLES = 30  # fuzzed cases per operation and identity

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]

CONFIG = {
    "seed": 20250131,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # examples: the schema has none; stateful: no links between operations.
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
}


@pytest.fixture
def wsgi_app():
    """The production WSGI application. Django's test client keeps the test's
    database connection (and so its transaction) across requests by not
    letting requests close old connections; do the same here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from gongkai.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _draft(org, title, status=workflow.DRAFT, level=0):
    doc = catalog.create_document(organisation=org, title=title, body_text="各乡镇要落实森林防火责任。", publish=False)
    Document.objects.filter(pk=doc.pk).update(status=status, review_level=level)
    return doc.pk


@pytest.fixture
def documents(org_tree, make_document):
    """Documents in every state the workspace shows, several of them for
    each move the signed-in user may make (submit, pass, return, schedule,
    publish, withdraw ...), and some the user may not act on or not see."""
    county, department = org_tree["county"], org_tree["department"]
    ids = []
    for n, (status, level) in enumerate([(workflow.DRAFT, 0)] * 3 + [(workflow.REVIEW, 1)] * 3
                                        + [(workflow.READY, 0)] * 4 + [(workflow.REVIEW, 2)]):
        ids.append(_draft(county, f"关于做好秋冬季森林防火工作的通知（{n + 1}）", status=status, level=level))
    ids.append(make_document(county, "西昌市人民政府关于印发2024年政务公开工作要点的通知", "一、总体要求").pk)
    ids.append(_draft(department, "关于财政厅内部事项的通知"))
    return ids


@pytest.fixture
def guide(org_tree):
    """A published service guide, for the open data's guide operations."""
    from tests.guides.conftest import GUIDE_DATA, MATERIALS

    saved = guides.save_guide(None, organisation=org_tree["county"], data=copy.deepcopy(GUIDE_DATA),
                              materials=copy.deepcopy(MATERIALS), user=None, system=True, note="首次编制")
    return guides.publish_guide(saved, user=None, system=True).pk


@pytest.fixture
def open_records(org_tree, make_document):
    """A published letter, a closed consultation with its feedback public and a
    public annual report, for the open data's other item operations."""
    import datetime as dt

    from gongkai.interaction import ticket_services as tickets
    from gongkai.interaction.models import Consultation, ConsultationComment, FeedbackItem, Ticket, TicketReply
    from gongkai.reports import annual
    from gongkai.reports.models import AnnualReport

    county = org_tree["county"]
    ticket = Ticket.objects.create(
        office=county, organisation=county, year=2024, serial=1, tracking_hash="0" * 64, ticket_type="complaint",
        channel="online", subject="夜间施工噪声扰民", text="请查处。", writer_name="王小明", consent_publish=True,
        submitted_at=dt.datetime(2024, 5, 6, 2, tzinfo=dt.UTC), received_on=dt.date(2024, 5, 6), state="closed",
        preset=tickets.default_preset(), limit_workdays=15, publication="published", public_subject="夜间施工噪声扰民",
        public_text="请查处。", public_reply="已责令停止夜间施工。", published_on=dt.date(2024, 5, 20))
    TicketReply.objects.create(ticket=ticket, round=1, organisation=county, text="已责令停止夜间施工。",
                               replied_on=dt.date(2024, 5, 13))
    consultation = Consultation.objects.create(
        organisation=county, title="关于公开征求《西昌市城市养犬管理办法（征求意见稿）》意见的公告",
        draft_title="西昌市城市养犬管理办法（征求意见稿）", draft_text="第一条 为规范养犬行为，制定本办法。",
        explanation="一、起草背景。", opens_on=dt.date(2025, 1, 6), closes_on=dt.date(2025, 2, 6), state="closed",
        feedback_document=make_document(county, "养犬管理办法意见采纳情况的反馈", body="采纳情况。"))
    item = FeedbackItem.objects.create(consultation=consultation, summary="建议明确犬绳长度", decision="adopted",
                                       reason="已采纳。")
    ConsultationComment.objects.create(consultation=consultation, serial=1, text="建议明确犬绳长度。",
                                       public_text="建议明确犬绳长度。", state="shown", item=item,
                                       submitted_at=dt.datetime(2025, 1, 10, 2, tzinfo=dt.UTC))
    report = AnnualReport.objects.create(
        organisation=county, year=2023, state=AnnualReport.State.PUBLISHED,
        published_figures=annual.frozen_figures(annual.assemble(county, 2023)),
        document=make_document(county, "西昌市人民政府2023年政府信息公开工作年度报告", body="年度报告。"))
    return {"/tickets/": ticket.pk, "/consultations/": consultation.pk, "/annual-reports/": report.pk}


class Caller:
    """One identity: a werkzeug client holding its cookies, the headers every
    request of that identity carries, and what it was answered."""

    def __init__(self, name, client, headers=None):
        self.name, self.client, self.headers = name, client, headers or {}
        self.answers = {}  # operation label -> set of statuses

    def __repr__(self):
        return self.name


def _sign_in(app, user):
    """Sign in through the staff login form, as a browser does, and return
    the client (session and CSRF cookies) and the CSRF header for writes."""
    client = st_wsgi.get_client(app)
    form = client.get("/staff/login/")
    assert form.status_code == 200, form.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    done = client.post("/staff/login/", data={"username": user.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token})
    assert done.status_code == 302, (done.status_code, done.get_data(as_text=True)[:500])
    assert client.get_cookie("sessionid") is not None
    # Login rotates the CSRF secret; the cookie now holds the new one, which
    # Django accepts as the X-CSRFToken header (as a script reading it would send).
    return client, {"X-CSRFToken": client.get_cookie("csrftoken").value}


@pytest.fixture(params=["anonymous", "staff"])
def caller(request, wsgi_app, org_tree, make_user, documents):
    if request.param == "anonymous":
        yield Caller("anonymous", st_wsgi.get_client(wsgi_app))
        return
    county = org_tree["county"]
    user = make_user("wangfang", (county, "drafter"), (county, "reviewer", 1), (county, "publisher"),
                     is_staff=True, first_name="芳", last_name="王")
    client, headers = _sign_in(wsgi_app, user)
    staff = Caller("staff", client, headers)
    yield staff
    # The run really was signed in: every operation did its work at least
    # once (a lost session cookie would leave nothing but 401s).
    missing = {label: statuses for label, statuses in staff.answers.items() if 200 not in statuses}
    assert staff.answers and not missing, missing


def _map_ids(path, path_parameters, documents, guide, open_records):
    """Generated ids below 2**31 become ids of the fixture's documents
    (visible and not), so that the operations get past the 404 and into the
    work; larger ones stay, and name no document. The open data's operations
    get their public guide, letter, consultation, annual report or document
    (documents[-2], the one published) half of the time. The coverage phase
    sends its boundary ids as text ("1", "2") and past the hook: id 1 is a
    fixture document only in a fresh database (on PostgreSQL the sequences go
    on across tests), so the test maps those too."""
    pk = (path_parameters or {}).get("pk")
    if isinstance(pk, str) and pk.isascii() and pk.isdigit():
        pk = int(pk)
    if type(pk) is int and 1 <= pk < 2**31:
        if path.startswith("/api/public/") and pk % 2:
            public = {"/guides/": guide, **open_records}
            path_parameters["pk"] = next((v for k, v in public.items() if k in path), documents[-2])
        else:
            path_parameters["pk"] = documents[pk % len(documents)]
    return path_parameters


@pytest.fixture
def api_schema(wsgi_app, caller, documents, guide, open_records):
    config = copy.deepcopy(CONFIG)
    # Anonymous calls also carry made-up session cookies (the schema's
    # security parameter); signed-in calls keep the real one.
    config["generation"]["with-security-parameters"] = caller.name == "anonymous"
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app, config=SchemathesisConfig.from_dict(config))

    @schema.hook
    def map_path_parameters(context, path_parameters):
        return _map_ids(context.operation.path, path_parameters, documents, guide, open_records)

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@settings(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@schema.parametrize()
def test_every_operation_answers_as_its_schema_says(case, caller, documents, guide, open_records):
    if case.path_parameters:
        case.path_parameters = _map_ids(case.operation.path, dict(case.path_parameters), documents, guide, open_records)
    response = case.call_and_validate(session=caller.client, headers=caller.headers, checks=CHECKS)
    if case.operation.method.upper() != case.method.upper():
        return  # the coverage phase's unexpected methods (405)
    if caller.name == "anonymous" and not case.operation.path.startswith("/api/public/"):
        # Staff operations refuse anonymous callers; the open data is for them.
        assert response.status_code in (401, 403), (case.method, case.formatted_path, response.status_code)
    caller.answers.setdefault(case.operation.label, set()).add(response.status_code)


# ------------------------------------------------ what the run found, pinned

@pytest.mark.parametrize("state,body,field", [
    (workflow.READY, '{"action": "schedule", "scheduled_at": "2099-01-01T09:00:00"}', "scheduled_at"),  # no offset
    (workflow.READY, '{"action": "schedule", "scheduled_at": "9999-12-31T23:59:59-08:00"}', "scheduled_at"),
    (workflow.READY, '{"action": "schedule", "scheduled_at": 4102444800}', "scheduled_at"),  # a number
    (workflow.READY, '{"action": "schedule", "scheduled_at": "4102444800"}', "scheduled_at"),
    (workflow.DRAFT, '{"action": "submit", "comment": "\\u4e00\\u0000"}', "comment"),  # NUL: PostgreSQL refuses it
    (workflow.DRAFT, '{"action": "submit", "comment": "\\ud800"}', "comment"),  # not UTF-8
])
def test_bodies_the_schema_or_the_database_refuse_are_a_422_and_change_nothing(state, body, field, org_tree, make_user, client):
    county = org_tree["county"]
    pk = _draft(county, "关于做好秋冬季森林防火工作的通知", status=state)
    client.force_login(make_user("wangfang", (county, "drafter"), (county, "publisher")))
    response = client.post(f"/api/staff/documents/{pk}/actions", body, content_type="application/json")
    assert response.status_code == 422, response.content
    problem = response.json()
    assert [e["loc"][-1] for e in problem["errors"]] == [field] and field in problem["detail"]
    doc = Document.objects.get(pk=pk)
    assert (doc.status, doc.scheduled_at) == (state, None)
    assert client.post(f"/api/staff/documents/{pk}/actions",
                       '{"action": "schedule", "scheduled_at": "2099-01-01T09:00:00+08:00"}'
                       if state == workflow.READY else '{"action": "submit", "comment": "请审核"}',
                       content_type="application/json").status_code == 200
