"""Consultations on drafts (意见征集) through their pages: the public list and
page, the comment form (spam defence, rate limits, Chinese messages, writers'
names and contacts never public), and the staff pages (who may see and do
what, refusals on the page, the XLSX, the workbench warning, the settings)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_ratelimit import core as ratelimit_core

from gongkai.core import form_tokens as application_forms
from gongkai.catalog.models import Document
from gongkai.core.models import AuditEntry
from gongkai.interaction import consultation_services as services
from gongkai.interaction import consultation_views
from gongkai.interaction.models import Consultation, ConsultationComment
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 3, 3)
PASSWORD = "correct-horse-battery-9"
LIST = "/interact/consultations/"
STAFF = "/staff/interact/consultations/"


@pytest.fixture(autouse=True)
def clock(time_machine):
    cache.clear()  # rate-limit counters
    time_machine.move_to(dt.datetime(2025, 3, 3, 10, tzinfo=SH), tick=False)
    yield
    cache.clear()


@pytest.fixture
def staff(org_tree, make_user):
    county = org_tree["county"]
    return {
        "drafter": make_user("v_drafter", (county, "drafter")),
        "publisher": make_user("v_publisher", (county, "publisher")),
        "admin": make_user("v_admin", (county, "office_admin")),
        "city_admin": make_user("v_city_admin", (org_tree["city"], "office_admin")),
        "stranger": make_user("v_stranger", (org_tree["township"], "drafter")),
    }


def data(**extra):
    values = {
        "title": "关于公开征求《西昌市城市养犬管理办法（征求意见稿）》意见的公告",
        "draft_title": "西昌市城市养犬管理办法（征求意见稿）",
        "draft_text": "第一条 为规范养犬行为，制定本办法。\n第二条 携犬出户应当使用犬绳牵领。",
        "explanation": "一、起草背景。\n二、主要内容。",
        "how_to_comment": "", "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=30), "major": True,
        "short_reason": "", "require_name": False, "moderated": True,
    }
    values.update(extra)
    return values


@pytest.fixture
def published(org_tree, staff):
    consultation = services.consultation_save(None, user=staff["drafter"], organisation=org_tree["county"], **data())
    return services.consultation_publish(consultation, user=staff["publisher"])


def token(seconds_ago=10):
    return application_forms.issue_token(timezone.now() - dt.timedelta(seconds=seconds_ago))


def send(client, consultation, **fields):
    values = {"text": "建议第二条明确犬绳长度不超过1.5米。", "name": "王女士", "contact": "13912345678",
              "started": token(), "website": ""}
    values.update(fields)
    return client.post(f"{LIST}{consultation.pk}/comment/", values)


def signed_in(client, user):
    client.force_login(user)
    return client


# --- public -----------------------------------------------------------------------------


def test_public_pages(client, published, org_tree, staff):
    draft = services.consultation_save(None, user=staff["drafter"], organisation=org_tree["county"],
                                       **data(title="尚未发布的征集", closes_on=TODAY + dt.timedelta(days=15),
                                              short_reason="汛期将至，情况紧急。"))
    page = client.get(LIST)
    assert page.status_code == 200
    text = text_of(parse(page))
    assert published.title in text and "尚未发布的征集" not in text
    assert client.get(f"{LIST}{draft.pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404
    detail = client.get(f"{LIST}{published.pk}/")
    tree = parse(detail)
    assert tree.xpath("//h1")[0].text_content() == published.title
    body = text_of(tree)
    assert "起草说明" in body and "第二条 携犬出户" in body and "2025年3月3日至2025年4月2日（30日）" in body
    assert tree.xpath("//form[@action='%s%d/comment/']" % (LIST, published.pk))
    assert tree.xpath("//label[@for='id_text']") and tree.xpath("//textarea[@id='id_text']")
    # A shortened period shows its reason.
    services.consultation_publish(draft, user=staff["publisher"])
    assert "理由：汛期将至，情况紧急。" in text_of(parse(client.get(f"{LIST}{draft.pk}/")))


def test_comment_is_taken_moderated_and_never_shows_the_writer(client, published, staff):
    response = send(client, published, text="建议增加粪便清理义务，有事请打13912345678。")
    assert response.status_code == 302 and response["Location"].endswith(f"/{published.pk}/#comments")
    comment = ConsultationComment.objects.get()
    assert (comment.name, comment.contact, comment.state) == ("王女士", "13912345678", "pending")
    page = client.get(f"{LIST}{published.pk}/")
    body = page.content.decode()
    assert "经审核后在本页公开显示" in body and "粪便清理" not in body
    services.comment_moderate(comment, user=staff["drafter"], show=True)
    body = client.get(f"{LIST}{published.pk}/").content.decode()
    assert "粪便清理" in body and "139****5678" in body
    assert "13912345678" not in body and "王女士" not in body


@pytest.mark.parametrize("fields, message", [
    ({"text": ""}, "请填写意见内容"),
    ({"text": "好"}, "过短"),
    ({"text": "<script>alert(1)</script>第二条不合理"}, "网页代码"),
    ({"text": "建" * 3001}, "不能超过3000字"),
    ({"name": "<b>x</b>"}, "尖括号"),
])
def test_bad_comments_are_refused_in_chinese(client, published, fields, message):
    response = send(client, published, **fields)
    assert response.status_code == 200
    tree = parse(response)
    summary = text_of(tree.xpath("//*[contains(@class,'error-summary')]")[0])
    assert message in summary
    assert tree.xpath("//*[@aria-invalid='true']")
    assert not ConsultationComment.objects.exists()


def test_spam_is_refused_quietly(client, published):
    for fields in ({"website": "http://spam.example"}, {"started": "forged"}, {"started": token(0)}):
        response = send(client, published, **fields)
        assert response.status_code == 200 and "提交未成功" in response.content.decode()
    same = token()
    assert send(client, published, started=same).status_code == 302
    assert "已经提交过一次" in send(client, published, started=same).content.decode()
    assert ConsultationComment.objects.count() == 1


def test_floods_get_429(client, published, monkeypatch):
    monkeypatch.setattr(ratelimit_core, "_get_window", lambda value, period: 1)
    monkeypatch.setattr(consultation_views, "SUBMIT_RATE", "3/h")
    for _ in range(3):
        assert send(client, published).status_code == 302
    response = send(client, published)
    assert response.status_code == 429 and response["Retry-After"] == "3600" and "请稍后再试" in response.content.decode()
    assert ConsultationComment.objects.count() == 3
    # Refused posts count too.
    monkeypatch.setattr(consultation_views, "POST_RATE", "5/h")
    assert send(client, published, text="").status_code == 429


def test_closed_consultation_takes_no_comment(client, published, time_machine):
    time_machine.move_to(dt.datetime(2025, 4, 3, 10, tzinfo=SH), tick=False)
    page = parse(client.get(f"{LIST}{published.pk}/"))
    assert not page.xpath("//form[contains(@action,'/comment/')]") and "征集已结束" in text_of(page)
    response = send(client, published)
    assert response.status_code == 200 and "已于2025年4月2日截止" in response.content.decode()
    assert not ConsultationComment.objects.exists()


# --- staff ------------------------------------------------------------------------------


def test_staff_pages_need_permission(client, published, staff):
    assert client.get(STAFF).status_code == 302  # to the login page
    send(client, published, name="王女士", contact="wxm@example.com")
    signed_in(client, staff["stranger"])
    assert client.get(f"{STAFF}{published.pk}/").status_code == 404
    assert client.post(f"{STAFF}{published.pk}/act/publish/").status_code == 404
    assert client.get(f"{STAFF}{published.pk}/comments.xlsx").status_code == 404
    assert client.get(f"{STAFF}settings/").status_code == 403
    signed_in(client, staff["drafter"])
    page = client.get(f"{STAFF}{published.pk}/")
    assert page.status_code == 200 and "wxm@example.com" not in page.content.decode()
    assert "仅限本机关的承办人员和政务公开办管理员查看" in page.content.decode()
    signed_in(client, staff["admin"])
    assert "wxm@example.com" in client.get(f"{STAFF}{published.pk}/").content.decode()
    signed_in(client, staff["city_admin"])  # the office above supervises, without the writers' contacts
    page = client.get(f"{STAFF}{published.pk}/")
    assert page.status_code == 200 and "wxm@example.com" not in page.content.decode()
    signed_in(client, staff["publisher"])
    assert client.get(f"{STAFF}new/").status_code == 403
    assert client.get(f"{STAFF}{published.pk}/comments.xlsx").status_code == 403


def test_prepare_and_publish_through_the_pages(client, staff, org_tree):
    signed_in(client, staff["drafter"])
    form = {**data(), "organisation": org_tree["county"].pk, "opens_on": "2025-03-03", "closes_on": "2025-03-20"}
    form = {k: ("on" if v is True else "" if v is False else v) for k, v in form.items()}
    response = client.post(f"{STAFF}new/", form)
    assert response.status_code == 200 and "一般不少于30日" in response.content.decode()
    form["closes_on"] = "2025-03-01"
    assert "截止日期必须晚于开始日期" in client.post(f"{STAFF}new/", form).content.decode()
    assert not Consultation.objects.exists()
    form["closes_on"] = "2025-04-02"
    response = client.post(f"{STAFF}new/", form)
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{STAFF}{consultation.pk}/"
    assert client.post(f"{STAFF}{consultation.pk}/act/publish/").status_code == 403
    signed_in(client, staff["publisher"])
    assert client.post(f"{STAFF}{consultation.pk}/act/publish/").status_code == 302
    consultation.refresh_from_db()
    assert consultation.state == "published"


def test_decide_and_draft_feedback_through_the_pages(client, published, staff, time_machine):
    send(client, published)
    send(client, published, text="建议增加犬只粪便清理义务。", started=token())
    for comment in ConsultationComment.objects.all():
        services.comment_moderate(comment, user=staff["drafter"], show=True)
    time_machine.move_to(dt.datetime(2025, 4, 3, 10, tzinfo=SH), tick=False)
    services.close_due(timezone.localdate())
    first, second = ConsultationComment.objects.order_by("serial")
    signed_in(client, staff["drafter"])
    refused = client.post(f"{STAFF}{published.pk}/act/decide/", {"comments": [first.pk], "decision": "adopted"})
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    assert client.post(f"{STAFF}{published.pk}/act/decide/", {
        "comments": [first.pk, second.pk], "decision": "partly", "reason": "部分采纳，已修改第二条。"}).status_code == 302
    response = client.post(f"{STAFF}{published.pk}/act/feedback/", {"genre": Document._meta.get_field("genre")
                                                                    .related_model.objects.get(name="其他").pk})
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.status == "draft" and "部分采纳" in doc.body
    page = client.get(f"{STAFF}{published.pk}/")
    assert doc.title in page.content.decode()
    xlsx = client.get(f"{STAFF}{published.pk}/comments.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert len(rows) == 3 and rows[1][5] == "部分采纳"


def test_workbench_warns_of_overdue_feedback(client, published, staff, time_machine):
    time_machine.move_to(dt.datetime(2025, 5, 3, 10, tzinfo=SH), tick=False)  # 31 days after the close date
    services.close_due(timezone.localdate())
    signed_in(client, staff["drafter"])
    panel = parse(client.get("/staff/")).xpath("//section[@id='panel-consultation_feedback']")
    assert panel and published.title in text_of(panel[0]) and "已超期" in text_of(panel[0])
    time_machine.move_to(dt.datetime(2025, 5, 2, 10, tzinfo=SH), tick=False)  # the last day: no warning yet
    assert not parse(client.get("/staff/")).xpath("//section[@id='panel-consultation_feedback']")
    signed_in(client, staff["publisher"])
    assert not parse(client.get("/staff/")).xpath("//section[@id='panel-consultation_feedback']")


def test_settings_page(client, staff, org_tree):
    signed_in(client, staff["admin"])
    assert client.get(f"{STAFF}settings/").status_code == 200
    bad = client.post(f"{STAFF}settings/", {"organisation": org_tree["county"].pk, "feedback_days": "0"})
    assert bad.status_code == 200 and "1至365" in bad.content.decode()
    # Only the organisations of the admin's own subtree are offered.
    assert client.post(f"{STAFF}settings/", {"organisation": org_tree["city"].pk, "feedback_days": "9"}).status_code == 200
    assert client.post(f"{STAFF}settings/", {"organisation": org_tree["county"].pk, "feedback_days": "15"}).status_code == 302
    assert services.feedback_days(org_tree["township"]) == 15
    assert AuditEntry.objects.filter(action="consultation.policy").count() == 1


def check_structure(name, response, status=200):
    """The portal's accessibility rules (tests/portal/test_accessibility.py) on one page."""
    from gongkai.portal.middleware import SecurityHeadersMiddleware

    assert response.status_code == status, name
    assert response.headers.get("Content-Security-Policy") == SecurityHeadersMiddleware.POLICY, name
    tree = parse(response)
    assert tree.get("lang") == "zh-CN" and len(tree.xpath("//h1")) == 1, name
    assert not tree.xpath("//script | //style | //@style"), name
    ids = tree.xpath("//@id")
    assert len(ids) == len(set(ids)), f"{name}: duplicate ids {sorted(i for i in ids if ids.count(i) > 1)}"
    labelled = set(tree.xpath("//label/@for"))
    for field in tree.xpath("//input | //select | //textarea"):
        if field.get("type") not in ("hidden", "submit", "button"):
            assert field.get("id") in labelled, f"{name}: {field.get('name')} has no label"
    for table in tree.xpath("//main//table"):
        assert table.xpath("./caption"), name
        assert all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), name


def test_pages_are_accessible_at_every_step(client, published, staff, time_machine):
    from gongkai.catalog.models import Genre

    send(client, published)
    comment = ConsultationComment.objects.get()
    check_structure("public list", client.get(LIST))
    signed_in(client, staff["admin"])
    check_structure("staff list", client.get(STAFF))
    check_structure("staff new", client.get(f"{STAFF}new/"))
    check_structure("staff settings", client.get(f"{STAFF}settings/"))
    check_structure("staff open", client.get(f"{STAFF}{published.pk}/"))
    services.comment_moderate(comment, user=staff["drafter"], show=True)
    time_machine.move_to(dt.datetime(2025, 4, 3, 10, tzinfo=SH), tick=False)
    services.close_due(timezone.localdate())
    signed_in(client, staff["admin"])  # a new day, a new session
    check_structure("staff closed", client.get(f"{STAFF}{published.pk}/"))
    check_structure("staff refused", client.post(f"{STAFF}{published.pk}/act/decide/", {"decision": "adopted"}), 400)
    services.decide(published, [comment.pk], user=staff["drafter"], decision="adopted", reason="已采纳。")
    services.feedback_draft(published, user=staff["drafter"], genre=Genre.objects.get(name="其他"))
    check_structure("staff feedback drafted", client.get(f"{STAFF}{published.pk}/"))
    client.logout()
    check_structure("public closed", client.get(f"{LIST}{published.pk}/"))
