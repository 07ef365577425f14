"""The whole matrix of role × organisation × action.

Every user holds one role in the county government. Documents sit in the
county itself, its township (a child: only the office administrator's role
reaches it), the city above it and an unrelated provincial department. The
expected answers are written out below by hand, from the issue's rules, not
derived from the code's own table: a drafter acts in their organisation and
nowhere else; an office administrator also acts in the organisations below.
Each action is tried through the service, and seeing is tried by URL, by the
API and by search.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.catalog.models import Document
from gongkai.core import permissions
from gongkai.publishing import services, workflow
from gongkai.search import services as search

pytestmark = pytest.mark.django_db

ROLES = ["drafter", "reviewer1", "reviewer2", "reviewer3", "secrecy", "publisher", "office_admin", "nobody"]
ORGS = ["county", "township", "city", "department"]

# role -> the actions it may take on a county document. Actions:
# view, edit, submit, pass1/2/3 (review at that level), secrecy, publish,
# withdraw, mask, waive, members.
OWN = {
    "drafter": {"view", "edit", "submit", "mask"},
    "reviewer1": {"view", "pass1", "mask"},
    "reviewer2": {"view", "pass2", "mask"},
    "reviewer3": {"view", "pass3", "mask"},
    "secrecy": {"view", "secrecy", "mask", "waive"},
    "publisher": {"view", "publish", "withdraw"},
    "office_admin": {"view", "edit", "submit", "withdraw", "mask", "waive", "members"},
    "nobody": set(),
}
# In the township (child of the county) only the office administrator acts;
# in the city above and the unrelated department nobody from the county does.
EXPECTED = {
    (role, org): (OWN[role] if org == "county" else OWN[role] if (org == "township" and role == "office_admin") else set())
    for role in ROLES for org in ORGS
}
ACTIONS = ["view", "edit", "submit", "pass1", "pass2", "pass3", "secrecy", "publish", "withdraw", "mask", "waive", "members"]

# The state a document must be in for each action, and the move it makes.
SETUP = {
    "edit": (workflow.DRAFT, 0), "submit": (workflow.DRAFT, 0),
    "pass1": (workflow.REVIEW, 1), "pass2": (workflow.REVIEW, 2), "pass3": (workflow.REVIEW, 3),
    "secrecy": (workflow.SECRECY, 0), "publish": (workflow.READY, 0), "withdraw": (workflow.PUBLISHED, 0),
}


def _doc(org, status, level, n=[0]):
    from gongkai.catalog import services as catalog

    n[0] += 1
    doc = catalog.create_document(organisation=org, title=f"权限矩阵测试文件第{n[0]}号：关于加强河长制工作的通知",
                                  body_text="落实河长制，加强河湖管理保护。", publish=(status == workflow.PUBLISHED))
    if status != workflow.PUBLISHED:
        Document.objects.filter(pk=doc.pk).update(status=status, review_level=level)
        doc.refresh_from_db()
    return doc


def _try(user, action, org) -> bool:
    """Take `action` through the service layer; True if it was allowed."""
    if action == "view":
        from gongkai.workspace import selectors

        doc = _doc(org, workflow.REVIEW, 1)
        return selectors.visible_documents(user).filter(pk=doc.pk).exists()
    if action == "members":
        return permissions.can(user, permissions.MANAGE_MEMBERS, org)
    if action in ("mask", "waive"):
        return permissions.can(user, permissions.MASK if action == "mask" else permissions.WAIVE, org)
    status, level = SETUP[action]
    doc = _doc(org, status, level)
    try:
        if action == "edit":
            services.save_draft(doc, user=user, title=doc.title + "（修改）")
        elif action == "submit":
            services.act(doc, workflow.SUBMIT, user=user)
        elif action.startswith("pass") or action == "secrecy":
            services.act(doc, workflow.PASS, user=user)
        elif action == "publish":
            services.act(doc, workflow.PUBLISH, user=user)
        elif action == "withdraw":
            services.act(doc, workflow.WITHDRAW, user=user, comment="测试撤回")
    except PermissionDenied:
        return False
    except ValidationError as exc:  # allowed, but refused for another reason: a failure of the test set-up
        raise AssertionError(f"{action} refused for a reason other than permission: {exc.messages}") from exc
    return True


@pytest.mark.parametrize("role,org_key", list(itertools.product(ROLES, ORGS)))
def test_service_matrix(role, org_key, org_tree, county_staff):
    user, org = county_staff[role], org_tree[org_key]
    allowed = {action for action in ACTIONS if _try(user, action, org)}
    assert allowed == EXPECTED[(role, org_key)], f"{role} in {org_key}"


@pytest.mark.parametrize("role", ROLES)
def test_seeing_drafts_by_url_api_and_search(role, org_tree, county_staff, client):
    client.force_login(county_staff[role])
    for org_key in ORGS:
        doc = _doc(org_tree[org_key], workflow.REVIEW, 1)
        expected = "view" in EXPECTED[(role, org_key)]
        page = client.get(reverse("workspace:document", args=[doc.pk]))
        assert page.status_code == (200 if expected else 404), (role, org_key, "url")
        api = client.get(f"/api/staff/documents/{doc.pk}")
        assert api.status_code == (200 if expected else 404), (role, org_key, "api")
        listed = {d["id"] for d in client.get("/api/staff/documents?limit=200").json()}
        assert (doc.pk in listed) == expected, (role, org_key, "api list")
        # drafts never reach search, whoever asks
        assert doc.pk not in {h.document.pk for h in search.search("河长制").hits}
        assert doc.title not in client.get(reverse("portal:search"), {"q": "河长制"}).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_actions_over_http_are_refused_outside_scope(role, org_tree, county_staff, client):
    """The same denials through the workspace and the API: a move the user may
    not make changes nothing."""
    client.force_login(county_staff[role])
    for org_key in ORGS:
        doc = _doc(org_tree[org_key], workflow.REVIEW, 1)
        allowed = "pass1" in EXPECTED[(role, org_key)]
        client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "pass"})
        doc.refresh_from_db()
        assert (doc.review_level == 2) == allowed, (role, org_key, "http")
        doc2 = _doc(org_tree[org_key], workflow.REVIEW, 1)
        response = client.post(f"/api/staff/documents/{doc2.pk}/actions", {"action": "pass"}, content_type="application/json")
        visible = "view" in EXPECTED[(role, org_key)]
        assert response.status_code == (200 if allowed else 403 if visible else 404), (role, org_key, "api", response.content)


def test_anonymous_is_sent_to_login_and_the_api_says_401(org_tree, client):
    doc = _doc(org_tree["county"], workflow.DRAFT, 0)
    response = client.get(reverse("workspace:document", args=[doc.pk]))
    assert response.status_code == 302 and reverse("workspace:login") in response["Location"]
    assert client.get(f"/api/staff/documents/{doc.pk}").status_code == 401
    assert client.post(reverse("workspace:document_act", args=[doc.pk]), {"action": "submit"}).status_code == 302
    doc.refresh_from_db()
    assert doc.status == workflow.DRAFT


def test_members_page_and_role_changes_are_audited(org_tree, county_staff, client):
    from gongkai.core import audit
    from gongkai.core.models import AuditEntry, Membership

    client.force_login(county_staff["drafter"])
    assert client.get(reverse("workspace:members")).status_code == 403
    client.force_login(county_staff["office_admin"])
    page = client.get(reverse("workspace:members"))
    assert page.status_code == 200 and "reviewer1" in page.content.decode()
    response = client.post(reverse("workspace:members"), {
        "op": "grant", "username": "wang.fang", "full_name": "王芳", "password": "Xichang-2024-openness",
        "organisation": org_tree["township"].pk, "role": "reviewer", "review_level": "1",
    })
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="wang.fang")
    assert membership.organisation == org_tree["township"] and membership.review_level == 1
    # the city is above the county: out of this office administrator's reach
    response = client.post(reverse("workspace:members"), {
        "op": "grant", "username": "wang.fang", "organisation": org_tree["city"].pk, "role": "drafter",
    })
    assert response.status_code == 200 and not Membership.objects.filter(organisation=org_tree["city"]).exists()
    # a weak password for a new user is refused, in Chinese, and nothing is created
    response = client.post(reverse("workspace:members"), {
        "op": "grant", "username": "li.lei", "password": "12345678", "organisation": org_tree["county"].pk, "role": "drafter",
    })
    assert "密码" in response.content.decode() and not Membership.objects.filter(user__username="li.lei").exists()
    client.post(reverse("workspace:members"), {"op": "revoke", "membership": membership.pk})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["user.create", "membership.grant", "membership.revoke"]
    assert audit.verify().ok
