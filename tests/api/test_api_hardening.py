"""The JSON API answers every request with a response its published schema
describes: out-of-range parameters are a JSON 422 (never a database error),
and every status an endpoint returns is declared, with a body that validates
against the schema at /api/openapi.json (checked with `jsonschema`, objects
closed so that an undocumented field fails too)."""

import copy
import json

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document
from gongkai.publishing import workflow

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past any 64-bit integer


def _draft(org, title="关于做好秋冬季森林防火工作的通知", status=workflow.DRAFT, level=0):
    doc = catalog.create_document(organisation=org, title=title, body_text="各乡镇要落实森林防火责任。", publish=False)
    Document.objects.filter(pk=doc.pk).update(status=status, review_level=level)
    doc.refresh_from_db()
    return doc


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize("query", [f"offset={HUGE}", "offset=-1", "offset=2147483648", "limit=0", "limit=201",
                                   f"limit={HUGE}", "limit=abc", "status=bogus"])
def test_out_of_range_list_parameters_are_a_json_422(query, org_tree, county_staff, client):
    _draft(org_tree["county"])
    client.force_login(county_staff["drafter"])
    body = _problem(client.get(f"/api/staff/documents?{query}"), 422)
    name = query.split("=")[0]
    assert body["detail"].startswith("请求参数无效") and name in body["detail"]
    assert [e["loc"] for e in body["errors"]] == [["query", name]]


def test_the_bounds_themselves_are_accepted(org_tree, county_staff, client):
    doc = _draft(org_tree["county"])
    client.force_login(county_staff["drafter"])
    assert [d["id"] for d in client.get("/api/staff/documents?limit=200&offset=0").json()] == [doc.pk]
    assert client.get("/api/staff/documents?limit=1&offset=2147483647").json() == []
    assert client.get(f"/api/staff/documents?status={workflow.DRAFT}").json()[0]["id"] == doc.pk
    assert client.get("/api/staff/documents/9223372036854775807").status_code == 404


@pytest.mark.parametrize("pk", [HUGE, "0", "-3", "9223372036854775808"])
def test_out_of_range_ids_are_a_json_422(pk, org_tree, county_staff, client):
    client.force_login(county_staff["drafter"])
    _problem(client.get(f"/api/staff/documents/{pk}"), 422)
    _problem(client.post(f"/api/staff/documents/{pk}/actions", {"action": "submit"}, content_type="application/json"), 422)


def test_an_unknown_action_is_refused_by_the_schema_and_changes_nothing(org_tree, county_staff, client):
    doc = _draft(org_tree["county"])
    client.force_login(county_staff["drafter"])
    body = _problem(client.post(f"/api/staff/documents/{doc.pk}/actions", {"action": "fly"},
                                content_type="application/json"), 422)
    assert body["errors"][0]["loc"][-1] == "action" and "submit" in body["detail"]
    doc.refresh_from_db()
    assert doc.status == workflow.DRAFT


def test_the_schema_names_the_actions_and_the_bounds(client):
    spec = client.get("/api/openapi.json").json()
    action = spec["components"]["schemas"]["ActionIn"]["properties"]["action"]
    assert set(action["enum"]) == set(workflow.ACTION_LABELS)
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/staff/documents"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 200)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 2147483647)


# ------------------------------------------------------------ schema check

def _closed(schema):
    """A copy of `schema` in which every object with declared properties
    refuses the others (pydantic leaves them open)."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


class Checker:
    """Validates real responses against the published schema and remembers
    which (method, path, status) were seen."""

    def __init__(self, spec):
        self.spec = spec
        self.components = _closed(spec["components"])
        self.seen = set()

    def __call__(self, method, template, response):
        operation = self.spec["paths"][template][method]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method.upper()} {template} returned undocumented {status}: {response.content!r}"
        content = operation["responses"][status].get("content", {})
        assert list(content) == ["application/json"], (template, status)
        assert response["Content-Type"].startswith("application/json"), (template, status, response["Content-Type"])
        schema = {"components": self.components, **_closed(content["application/json"]["schema"])}
        errors = sorted(Draft202012Validator(schema).iter_errors(json.loads(response.content)), key=str)
        assert not errors, f"{method.upper()} {template} {status}: {[e.message for e in errors]}"
        self.seen.add((method, template, status))


def test_every_response_of_every_endpoint_matches_the_published_schema(org_tree, county_staff, client):
    county = org_tree["county"]
    spec = client.get("/api/openapi.json").json()
    check = Checker(spec)
    docs = "/api/staff/documents"
    one = "/api/staff/documents/{pk}"
    act = "/api/staff/documents/{pk}/actions"
    bench = "/api/staff/workbench"
    draft = _draft(county)
    other = _draft(org_tree["department"], title="关于财政厅内部事项的通知")
    in_review = _draft(county, title="关于加强河长制工作的通知", status=workflow.REVIEW, level=1)

    def post(c, pk, body, raw=False):
        return c.post(f"{docs}/{pk}/actions", body if raw else json.dumps(body), content_type="application/json")

    anonymous = Client()
    check("get", docs, anonymous.get(docs))
    check("get", one, anonymous.get(f"{docs}/{draft.pk}"))
    check("post", act, post(anonymous, draft.pk, {"action": "submit"}))
    check("get", bench, anonymous.get(bench))

    client.force_login(county_staff["drafter"])
    check("get", docs, client.get(docs))
    check("get", docs, client.get(f"{docs}?offset={HUGE}"))
    check("get", one, client.get(f"{docs}/{draft.pk}"))
    check("get", one, client.get(f"{docs}/{other.pk}"))
    check("get", one, client.get(f"{docs}/{HUGE}"))
    check("post", act, post(client, draft.pk, {"action": "fly"}))
    check("post", act, post(client, draft.pk, "{not json", raw=True))
    check("post", act, post(client, draft.pk, {"action": "pass"}))  # the workflow refuses: 422 with the reason
    check("post", act, post(client, in_review.pk, {"action": "pass"}))  # not a reviewer: 403
    check("post", act, post(client, other.pk, {"action": "submit"}))  # not visible: 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county_staff["drafter"])
    check("post", act, post(strict, draft.pk, {"action": "submit"}))  # no CSRF token: 403
    check("get", bench, client.get(bench))
    client.force_login(county_staff["reviewer1"])
    check("post", act, post(client, in_review.pk, {"action": "pass"}))

    # every staff operation was exercised, and every status it declares was seen
    # (the open data's: tests/api/test_public_api.py)
    declared = {(method, path, status) for path, ops in spec["paths"].items() if path.startswith("/api/staff/")
                for method, op in ops.items() for status in op["responses"]}
    assert declared == check.seen, declared ^ check.seen
