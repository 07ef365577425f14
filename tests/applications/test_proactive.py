"""依申请转主动 (Art. 44): a reply's disclosed information becomes a catalog
draft on its way through the normal review, without the applicant's data;
the privacy scan runs on it; the refusals; the list of information asked
for repeatedly, counted against a hand-made oracle; the staff pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from gongkai.applications import proactive, services
from gongkai.applications.models import Application, ApplicationFile, ProactiveProposal
from gongkai.catalog.models import Document
from gongkai.core.models import AuditEntry
from gongkai.publishing import services as publishing
from gongkai.publishing import workflow
from gongkai.publishing.models import PrivacyFinding, ReviewStep
from tests.applications.test_services import PERSON

pytestmark = pytest.mark.django_db

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLICANT_DATA = ("王小明", "513401199001011234", "13812345678", "wxm@example.com", "胜利路1号")
PROVIDED = ("经审查，现向王小明（联系电话13812345678）提供《西昌市发展和改革局关于2024年西昌市城区道路改造项目的批复》"
            "（西发改〔2024〕12号）全文，已发送至wxm@example.com。\n该项目总投资1.2亿元，改造道路6条，工期至2025年6月。")


@pytest.fixture
def people(org_tree, make_user):
    county = org_tree["county"]
    return {
        "handler": make_user("chengban", (county, "handler")),
        "head": make_user("gongkaiban", (county, "office_admin")),
        "drafter": make_user("qicao", (county, "drafter")),
        "reviewer": make_user("shenhe", (county, "reviewer", 1)),
        "publisher": make_user("fabu", (county, "publisher")),
        "outsider": make_user("caizheng", (org_tree["department"], "handler")),
        "town": make_user("anning", (org_tree["township"], "handler")),
    }


@pytest.fixture
def media(settings, tmp_path):
    """Catalog attachments under a temporary MEDIA_ROOT; applicants' files removed after the test."""
    settings.MEDIA_ROOT = tmp_path
    yield
    for item in ApplicationFile.objects.all():
        item.file.delete(save=False)


def replied(org, people, *, outcome="disclosed", provided=PROVIDED, files=(("项目批复.pdf", PDF),), person=None,
            on=D(2024, 9, 27), user="handler", **reply):
    handler = people[user]
    app, _ = services.register(org, {**PERSON, **(person or {})}, channel="in_person", user=handler, received_on=on)
    ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.FROM_APPLICANT,
                                   file=ContentFile(b"%PDF-1.4 identity", name="id.pdf"), name="王小明身份证.pdf")
    services.reply(app, user=handler, outcome=outcome, on=on + dt.timedelta(days=14), provided=provided, **reply)
    for name, data in files:
        ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED,
                                       file=ContentFile(data, name=name), name=name)
    app.refresh_from_db()
    return app


def everything_public_of(doc: Document) -> str:
    parts = [doc.title, doc.summary, doc.keywords, doc.body, doc.body_text, doc.document_number]
    for attachment in doc.attachments.all():
        parts.append(attachment.name)
        with attachment.file.open("rb") as handle:
            parts.append(handle.read().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_the_office_proposes_a_draft_into_review_without_the_applicants_data(org_tree, people, media):
    county = org_tree["county"]
    app = replied(county, people)
    proposal = proactive.propose(app, user=people["head"], title="关于2024年西昌市城区道路改造项目的批复（申请人王小明）")
    doc = proposal.document
    assert (proposal.application_id, proposal.proposed_by) == (app.pk, people["head"])
    assert doc.organisation == county and doc.disclosure == Document.Disclosure.PROACTIVE
    # Into the normal review at its first level, submitted by the office.
    assert (doc.status, doc.review_level) == (workflow.REVIEW, 1)
    step = ReviewStep.objects.get(document=doc)
    assert (step.action, step.actor) == (workflow.SUBMIT, people["head"])
    # The disclosed material only: the provided text and the disclosed file.
    assert "西发改〔2024〕12号" in doc.body_text and "改造道路6条" in doc.body_text
    assert [a.name for a in doc.attachments.all()] == ["项目批复.pdf"]
    with doc.attachments.get().file.open("rb") as handle:
        assert handle.read() == PDF
    text = everything_public_of(doc)
    for value in APPLICANT_DATA:
        assert value not in text
    assert "申请人" in doc.title and "身份证" not in text
    # Nobody publishes it before the review has passed.
    with pytest.raises(ValidationError):
        publishing.act(doc, workflow.PUBLISH, user=people["publisher"])
    assert Document.objects.get(pk=doc.pk).status == workflow.REVIEW
    entry = AuditEntry.objects.get(action="application.proactive_proposal")
    assert entry.detail["document"] == doc.pk and entry.object_id == str(app.pk)
    # Once per application.
    with pytest.raises(ValidationError, match="已提出"):
        proactive.propose(app, user=people["handler"])
    assert Document.objects.count() == 1


def test_a_handlers_proposal_waits_as_a_draft_and_the_privacy_scan_runs(org_tree, people, media):
    county = org_tree["county"]
    provided = PROVIDED + "\n项目联系人：李建国，电话13908156789。"  # someone else's data: the scan must catch it
    app = replied(county, people, provided=provided, files=())
    proposal = proactive.propose(app, user=people["handler"])
    doc = proposal.document
    # A handler may not submit drafts: the draft waits for the organisation's drafters.
    assert doc.status == workflow.DRAFT and doc.title == PERSON["info_title"]
    assert not ReviewStep.objects.filter(document=doc).exists()
    for value in APPLICANT_DATA:
        assert value not in everything_public_of(doc)
    findings = PrivacyFinding.objects.filter(document=doc, state=PrivacyFinding.State.OPEN)
    assert findings.filter(kind="mobile").exists()
    assert not any("13812345678" in (f.masked + f.context) for f in findings)
    # The drafter submits it; the open finding blocks its way to publication at the secrecy review.
    doc = publishing.act(doc, workflow.SUBMIT, user=people["drafter"])
    assert doc.status == workflow.REVIEW
    assert publishing.privacy_block(doc)


def test_refusals_say_the_rule_and_write_nothing(org_tree, people, media):
    county = org_tree["county"]
    withheld = replied(county, people, outcome="not_exist", provided="", files=())
    with pytest.raises(ValidationError, match="第四十四条"):
        proactive.propose(withheld, user=people["handler"])
    empty = replied(county, people, provided="", files=())
    with pytest.raises(ValidationError, match="没有写明提供的信息"):
        proactive.propose(empty, user=people["handler"])
    app = replied(county, people, files=(("说明.exe", b"MZ\x90\x00"),))
    with pytest.raises(ValidationError, match="不能作为政府信息的附件"):
        proactive.propose(app, user=people["handler"])
    good = replied(county, people)
    with pytest.raises(PermissionDenied):
        proactive.propose(good, user=people["outsider"])
    with pytest.raises(PermissionDenied):
        proactive.propose(good, user=people["drafter"])  # not a handler of applications
    with pytest.raises(ValidationError) as refused:
        proactive.propose(good, user=people["handler"], title="长" * 301)
    assert "300" in refused.value.message_dict["title"][0]
    open_app, _ = services.register(county, PERSON, channel="in_person", user=people["handler"], received_on=D(2024, 9, 27))
    with pytest.raises(ValidationError):
        proactive.propose(open_app, user=people["handler"])
    assert not Document.objects.exists() and not ProactiveProposal.objects.exists()


def test_normalising_titles_and_numbers():
    assert proactive.normalise_title(" 《2024年西昌市 城区道路改造项目批准文件》。") == "2024年西昌市城区道路改造项目批准文件"
    assert proactive.normalise_title("ＡＢＣ道路") == proactive.normalise_title("abc道路")
    assert proactive.normalise_number("西发改[2024]12号") == proactive.normalise_number("西发改〔2024〕第12号") == "西发改〔2024〕12号"
    assert proactive.normalise_number(" 内部编号 A-3 ") == "内部编号a-3"


def person(n: int) -> dict:
    names = ["李华", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "周敏"]
    return {"applicant_name": names[n], "id_document": f"居民身份证 51340119900101{1000 + n}",
            "phone": f"1381234{5670 + n}"}


def test_the_repeated_requests_are_counted_by_normalised_number_or_title(org_tree, people, media):
    county = org_tree["county"]
    title = "2024年西昌市城区道路改造项目批准文件"
    # Road project: A1, A2 (the same title written differently), A3 (title and number: joins the number),
    # A4 (number only, another bracket style), A5 same applicant as A1 again.
    a1 = replied(county, people, person={**person(0), "info_title": title}, on=D(2024, 3, 4), outcome="not_exist",
                 provided="", files=())
    replied(county, people, person={**person(1), "info_title": f"《{title}》 "}, on=D(2024, 4, 8), outcome="not_exist",
            provided="", files=())
    a3 = replied(county, people, person={**person(2), "info_title": title, "info_number": "西发改〔2024〕12号"},
                 on=D(2024, 6, 3))
    replied(county, people, person={**person(3), "info_title": "道路改造的批复", "info_number": "西发改[2024]12号"},
            on=D(2024, 7, 1), provided="", files=(), outcome="not_exist")
    a5, _ = services.register(county, {**PERSON, **person(0), "info_title": title}, channel="in_person",
                              user=people["handler"], received_on=D(2024, 8, 5))
    # Budget: asked twice, but once merged into the other (the same applicant's duplicate).
    b1, _ = services.register(county, {**PERSON, **person(4), "info_title": "西昌市2024年财政预算"}, channel="in_person",
                              user=people["handler"], received_on=D(2024, 5, 6))
    b2, _ = services.register(county, {**PERSON, **person(4), "info_title": "西昌市2024年财政预算"}, channel="in_person",
                              user=people["handler"], received_on=D(2024, 5, 7))
    services.merge(b2, into=b1, user=people["handler"])
    # River plan: twice, but once before the period.
    for on in (D(2023, 12, 20), D(2024, 2, 1)):
        services.register(county, {**PERSON, **person(5), "info_title": "安宁河治理方案"}, channel="in_person",
                          user=people["handler"], received_on=on)
    # Land plan: twice in the period → listed; the township's twice → not the county's.
    for on in (D(2024, 9, 2), D(2024, 10, 8)):
        services.register(county, {**PERSON, **person(6), "info_title": "西昌市国土空间总体规划"}, channel="in_person",
                          user=people["handler"], received_on=on)
        services.register(org_tree["township"], {**PERSON, "info_title": title}, channel="in_person",
                          user=people["town"], received_on=on)
    # Description only: not grouped.
    for on in (D(2024, 3, 1), D(2024, 3, 2)):
        services.register(county, {**PERSON, "info_title": "", "info_description": "某路段的施工许可"},
                          channel="in_person", user=people["handler"], received_on=on)

    groups = proactive.repeated_requests(county, D(2024, 1, 1), D(2024, 12, 31))
    summary = [(g.title, g.number, g.count, g.applicants) for g in groups]
    assert summary == [(title, "西发改〔2024〕12号", 5, 4), ("西昌市国土空间总体规划", "", 2, 1)]
    road = groups[0]
    assert [a.pk for a in road.applications][0] == a1.pk and road.applications[-1].pk == a5.pk
    assert (road.first_on, road.last_on) == (D(2024, 3, 4), D(2024, 8, 5))
    assert road.candidate.pk == a3.pk  # the one reply that disclosed it
    assert groups[1].candidate is None
    # Three times is needed when asked for.
    assert [g.count for g in proactive.repeated_requests(county, D(2024, 1, 1), D(2024, 12, 31), minimum=3)] == [5]
    # Once proposed, the group shows the draft and offers no second proposal.
    proactive.propose(a3, user=people["handler"])
    road = proactive.repeated_requests(county, D(2024, 1, 1), D(2024, 12, 31))[0]
    assert road.candidate is None and [p.application_id for p in road.proposals] == [a3.pk]
    # The period counts: from June the application that gives both title and number still joins the
    # number-only and the title-only one; from July, without it, they ask for two different things.
    counted = lambda start: [(g.title, g.count) for g in proactive.repeated_requests(county, start, D(2024, 12, 31))]  # noqa: E731
    assert counted(D(2024, 6, 1)) == [(title, 3), ("西昌市国土空间总体规划", 2)]
    assert counted(D(2024, 7, 1)) == [("西昌市国土空间总体规划", 2)]


def test_the_repeated_requests_page_and_proposing_from_it(org_tree, people, media, client):
    county = org_tree["county"]
    title = "2024年西昌市城区道路改造项目批准文件"
    replied(county, people, person=person(0), on=D(2024, 3, 4))
    second = replied(county, people, person=person(1), on=D(2024, 4, 8))
    url = reverse("applications_staff:repeated")
    query = f"?org={county.pk}&start=2024-01-01&end=2024-12-31"

    client.force_login(people["handler"])
    page = client.get(url + query).content.decode()
    assert title in page and ">2<" in page and second.number in page
    assert "王小明" not in page and "李华" not in page  # no applicant on the list
    response = client.post(reverse("applications_staff:propose", args=[second.pk]),
                           {"title": title, "next": url + query}, follow=True)
    assert response.redirect_chain[-1][0] == url + query
    assert "已生成政府信息草稿" in response.content.decode()
    doc = ProactiveProposal.objects.get(application=second).document
    assert doc.title == title and f"《{title}》" in response.content.decode()
    # A refusal comes back as a message; a foreign "next" is ignored.
    response = client.post(reverse("applications_staff:propose", args=[second.pk]),
                           {"next": "https://example.com/"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("applications_staff:detail", args=[second.pk]))
    assert "已提出转为主动公开" in response.content.decode()
    # Bad dates: said in Chinese, no error page.
    response = client.get(url + f"?org={county.pk}&start=2024-13-01&end=2024-12-31")
    assert response.status_code == 200 and "请填写有效的日期" in response.content.decode()
    response = client.get(url + f"?org={county.pk}&start=2024-12-31&end=2024-01-01")
    assert "开始日期不能晚于结束日期" in response.content.decode()

    # Another organisation's handler: not this organisation; a drafter: not a handler.
    client.force_login(people["outsider"])
    assert client.get(url + query).status_code == 404
    assert client.post(reverse("applications_staff:propose", args=[second.pk])).status_code == 404
    client.force_login(people["drafter"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert ProactiveProposal.objects.count() == 1


def test_the_application_page_offers_the_proposal_only_for_disclosed_replies(org_tree, people, media, client):
    county = org_tree["county"]
    disclosed = replied(county, people)
    refused = replied(county, people, outcome="not_exist", provided="", files=())
    client.force_login(people["handler"])
    page = client.get(reverse("applications_staff:detail", args=[disclosed.pk])).content.decode()
    assert reverse("applications_staff:propose", args=[disclosed.pk]) in page and "依申请转主动公开" in page
    page = client.get(reverse("applications_staff:detail", args=[refused.pk])).content.decode()
    assert reverse("applications_staff:propose", args=[refused.pk]) not in page
    assert Application.objects.count() == 2
