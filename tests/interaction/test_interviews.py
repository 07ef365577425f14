"""Online interviews (在线访谈): the notice period (per organisation), questions
before and during the interview (moderated, masked, refused after it),
answers live and afterwards within working days on the official calendar
(across 调休), the transcript as a catalog draft through normal review, the
workbench warning, the public page that refreshes itself only while live,
and who may do what."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_ratelimit import core as ratelimit_core

from gongkai.core import form_tokens as application_forms
from gongkai.catalog.models import Document, Genre
from gongkai.core import calendar
from gongkai.interaction import interview_rules as rules
from gongkai.interaction import interview_selectors as selectors
from gongkai.interaction import interview_services as services
from gongkai.interaction import interview_views
from gongkai.interaction.models import Interview, InterviewQuestion
from tests.portal.helpers import parse, text_of

SH = ZoneInfo("Asia/Shanghai")
GUESTS = "李明 西昌市交通运输局局长\n王芳 西昌市交通运输局副局长"
PUBLIC = "/interact/interviews/"
STAFF = "/staff/interact/interviews/"


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


# --- the rules (no database) ------------------------------------------------------


def test_notice_period():
    assert rules.notice_error(dt.date(2025, 3, 6), dt.date(2025, 3, 3), 3) == ""
    message = rules.notice_error(dt.date(2025, 3, 5), dt.date(2025, 3, 3), 3)
    assert "至少提前3日" in message and "2025年3月6日" in message
    assert rules.notice_error(dt.date(2025, 3, 9), dt.date(2025, 3, 3), 7)


def test_answer_due_counts_working_days_across_the_national_day_and_its_adjusted_weekend():
    # 2024: 1-7 October off; Sunday 29 September and Saturday 12 October worked (国办发明电〔2023〕7号).
    cal = calendar.Calendar()
    assert rules.answer_due(dt.date(2024, 9, 27), 5, cal.add_workdays) == dt.date(2024, 10, 10)
    assert rules.answer_due(dt.date(2024, 9, 30), 5, cal.add_workdays) == dt.date(2024, 10, 12)
    # Across the year's end: 31 December 2024 (Tuesday), New Year's Day off.
    assert rules.answer_due(dt.date(2024, 12, 31), 5, cal.add_workdays) == dt.date(2025, 1, 8)


def test_guest_list_rules():
    assert rules.guests_error("") and rules.guests_error("\n \n")
    assert rules.guests_error("\n".join(f"嘉宾{i}" for i in range(11)))
    assert rules.guests_error(GUESTS) == ""


# --- services -------------------------------------------------------------------------


@pytest.fixture
def staff(org_tree, make_user):
    county = org_tree["county"]
    return {
        "drafter": make_user("i_drafter", (county, "drafter")),
        "publisher": make_user("i_publisher", (county, "publisher")),
        "admin": make_user("i_admin", (county, "office_admin")),
        "city_admin": make_user("i_city_admin", (org_tree["city"], "office_admin")),
        "reviewer": make_user("i_reviewer", (county, "reviewer", 1)),
        "secrecy": make_user("i_secrecy", (county, "secrecy")),
        "stranger": make_user("i_stranger", (org_tree["township"], "drafter")),
    }


def fields(**extra):
    values = {"title": "城区道路改造与交通出行", "summary": "介绍城区道路改造计划，回应网友关切。",
              "starts_at": at(2025, 3, 10, 15), "duration_minutes": 60, "guests": GUESTS, "host": "张洁"}
    values.update(extra)
    return values


@pytest.fixture
def announced(db, org_tree, staff):
    interview = services.interview_save(None, user=staff["drafter"], organisation=org_tree["county"], **fields())
    return services.interview_announce(interview, user=staff["publisher"], now=at(2025, 3, 3))


@pytest.mark.django_db
def test_announce_needs_the_notice_period_and_the_publisher(org_tree, staff):
    county = org_tree["county"]
    with pytest.raises(PermissionDenied):
        services.interview_save(None, user=staff["stranger"], organisation=county, **fields())
    with pytest.raises(ValidationError) as refused:
        services.interview_save(None, user=staff["drafter"], organisation=county, **fields(guests="", title="<script>x</script>访谈"))
    assert set(refused.value.message_dict) == {"guests", "title"}
    interview = services.interview_save(None, user=staff["drafter"], organisation=county, **fields())
    with pytest.raises(PermissionDenied):
        services.interview_announce(interview, user=staff["drafter"], now=at(2025, 3, 3))
    with pytest.raises(ValidationError, match="至少提前3日"):
        services.interview_announce(interview, user=staff["publisher"], now=at(2025, 3, 8))
    # The city's office asks for a week's notice for everything below it.
    services.policy_save(org_tree["city"], user=staff["city_admin"], notice_days=7, answer_workdays=5)
    with pytest.raises(ValidationError, match="至少提前7日"):
        services.interview_announce(interview, user=staff["publisher"], now=at(2025, 3, 4))
    interview = services.interview_announce(interview, user=staff["publisher"], now=at(2025, 3, 3))
    assert interview.state == "announced" and interview.takes_questions
    # Moved closer than the notice period once announced: refused.
    with pytest.raises(ValidationError, match="至少提前7日"):
        services.interview_save(interview, user=staff["drafter"], **fields(starts_at=at(2025, 3, 4)))


@pytest.mark.django_db
def test_questions_live_answers_and_the_end(announced, staff):
    drafter = staff["drafter"]
    before = services.question_submit(announced, text="航天大道改造什么时候完工？我的电话13912345678", name="老王",
                                      contact="13912345678", now=at(2025, 3, 5))
    assert before.state == "pending" and not before.during_live and "139****5678" in before.public_text
    with pytest.raises(ValidationError) as refused:
        services.question_submit(announced, text="<script>x</script>问题")
    assert "text" in refused.value.message_dict
    with pytest.raises(ValidationError, match="访谈开始后"):
        services.question_answer(before, user=drafter, guest="李明 西昌市交通运输局局长", answer="预计年底完工。")
    with pytest.raises(ValidationError, match="2025年3月10日 15:00，不能提前开始"):
        services.interview_start(announced, user=drafter, now=at(2025, 3, 9))
    with pytest.raises(PermissionDenied):
        services.interview_start(announced, user=staff["stranger"], now=at(2025, 3, 10, 15))
    live = services.interview_start(announced, user=drafter, now=at(2025, 3, 10, 15))
    assert live.state == "live"
    during = services.question_submit(live, text="施工期间公交线路怎么调整？", now=at(2025, 3, 10, 15, 5))
    assert during.during_live
    with pytest.raises(ValidationError, match="请选择答复的访谈嘉宾"):
        services.question_answer(before, user=drafter, guest="冒名嘉宾", answer="预计年底完工。")
    answered = services.question_answer(before, user=drafter, guest="李明 西昌市交通运输局局长",
                                        answer="预计今年年底前完工。", now=at(2025, 3, 10, 15, 10))
    assert answered.answered_live and answered.state == "shown"  # answering shows the question
    services.statement_add(live, user=drafter, speaker="主持人 张洁", text="欢迎各位网友。", now=at(2025, 3, 10, 15, 1))
    with pytest.raises(ValidationError, match="请选择发言人"):
        services.statement_add(live, user=drafter, speaker="路人甲", text="你好你好。")
    with pytest.raises(ValidationError, match="已答复的问题不能"):
        services.question_moderate(answered, user=drafter, show=False, reason="重复")
    ended = services.interview_end(live, user=drafter, now=at(2025, 3, 10, 16))
    with pytest.raises(ValidationError, match="已经结束"):
        services.question_submit(ended, text="还能提问吗？我想问问。")
    assert InterviewQuestion.objects.count() == 2
    # The question left open is due 5 working days after the interview, on the workbench.
    assert services.answer_due(ended) == (dt.date(2025, 3, 17), None)
    [row] = selectors.unanswered(drafter, dt.date(2025, 3, 17))
    assert row.question == during and row.level == "soon"
    assert selectors.unanswered(drafter, dt.date(2025, 3, 18))[0].level == "overdue"
    assert selectors.unanswered(staff["stranger"], dt.date(2025, 3, 18)) == []
    late = services.question_answer(during, user=drafter, guest="王芳 西昌市交通运输局副局长",
                                    answer="公交线路将临时绕行，具体以公交公司公告为准。", now=at(2025, 3, 12))
    assert not late.answered_live and selectors.unanswered(drafter, dt.date(2025, 3, 18)) == []


@pytest.mark.django_db
def test_hidden_questions_need_no_answer_and_reasons(announced, staff):
    question = services.question_submit(announced, text="与访谈无关的广告内容，请联系我。", now=at(2025, 3, 5))
    with pytest.raises(ValidationError, match="须说明理由"):
        services.question_moderate(question, user=staff["drafter"], show=False)
    services.question_moderate(question, user=staff["drafter"], show=False, reason="与访谈主题无关")
    live = services.interview_start(announced, user=staff["drafter"], now=at(2025, 3, 10, 15))
    with pytest.raises(ValidationError, match="不予显示的问题不能答复"):
        services.question_answer(question, user=staff["drafter"], guest="李明 西昌市交通运输局局长", answer="好的好的。")
    ended = services.interview_end(live, user=staff["drafter"], now=at(2025, 3, 10, 16))
    assert selectors.unanswered(staff["drafter"], dt.date(2025, 4, 1)) == []
    assert ended.state == "ended"


@pytest.mark.django_db
def test_transcript_is_a_catalog_draft_through_review(announced, staff, org_tree):
    drafter = staff["drafter"]
    pending = services.question_submit(announced, text="道路改造期间如何保障学生上下学安全？", now=at(2025, 3, 5))
    shown = services.question_submit(announced, text="我的身份证号和电话能公开吗？13912345678", now=at(2025, 3, 5))
    live = services.interview_start(announced, user=drafter, now=at(2025, 3, 10, 15))
    services.statement_add(live, user=drafter, speaker="主持人 张洁", text="各位网友大家好。", now=at(2025, 3, 10, 15, 1))
    services.question_answer(shown, user=drafter, guest="李明 西昌市交通运输局局长", answer="个人信息不会公开。",
                             now=at(2025, 3, 10, 15, 20))
    with pytest.raises(ValidationError, match="访谈结束后"):
        services.transcript_draft(live, user=drafter)
    ended = services.interview_end(live, user=drafter, now=at(2025, 3, 10, 16))
    with pytest.raises(ValidationError, match="待审核"):
        services.transcript_draft(ended, user=drafter)
    services.question_moderate(pending, user=drafter, show=True)
    services.question_answer(pending, user=drafter, guest="王芳 西昌市交通运输局副局长", answer="将在学校周边设置临时通道。",
                             now=at(2025, 3, 12))
    with pytest.raises(PermissionDenied):
        services.transcript_draft(ended, user=staff["publisher"])
    doc = services.transcript_draft(ended, user=drafter, genre=Genre.objects.get(name="其他"))
    assert doc.status == "draft" and doc.organisation == org_tree["county"] and doc.genre.name == "其他"
    body = doc.body_text
    assert body.index("各位网友大家好") < body.index("个人信息不会公开") < body.index("访谈后答复") < body.index("临时通道")
    assert "13912345678" not in doc.body and "139****5678" in doc.body
    # While a draft it is regenerated; once in review the interview is closed to answers.
    assert services.transcript_draft(ended, user=drafter).pk == doc.pk
    org_tree["county"].review_levels = 1
    org_tree["county"].save()
    from gongkai.publishing import services as publishing, workflow

    doc = publishing.act(doc, workflow.SUBMIT, user=drafter)
    with pytest.raises(ValidationError, match="已提交审核"):
        services.transcript_draft(ended, user=drafter)
    doc = publishing.act(doc, workflow.PASS, user=staff["reviewer"])
    doc = publishing.act(doc, workflow.PASS, user=staff["secrecy"])
    publishing.act(doc, workflow.PUBLISH, user=staff["publisher"])
    assert Document.objects.get(pk=doc.pk).is_public


@pytest.mark.django_db
def test_answer_due_is_provisional_without_calendar_data(announced, staff, package_ends_2026):
    live = services.interview_start(announced, user=staff["drafter"], now=at(2025, 3, 10, 15))
    ended = services.interview_end(live, user=staff["drafter"], now=at(2025, 3, 10, 16))
    ended.ended_at = at(2026, 12, 30, 16)
    due, provisional = services.answer_due(ended)
    assert provisional == 2027 and due == dt.date(2027, 1, 6)  # counted on weekends alone for 2027


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def page_clock(time_machine):
    cache.clear()
    time_machine.move_to(at(2025, 3, 5), tick=False)
    yield time_machine
    cache.clear()


def ask(client, interview, **extra):
    values = {"text": "施工期间公交线路怎么调整？", "name": "", "contact": "", "website": "",
              "started": application_forms.issue_token(timezone.now() - dt.timedelta(seconds=10))}
    values.update(extra)
    return client.post(f"{PUBLIC}{interview.pk}/ask/", values)


@pytest.mark.django_db
def test_public_page_refreshes_only_while_live(client, announced, staff, page_clock):
    draft = services.interview_save(None, user=staff["drafter"], organisation=announced.organisation, **fields(title="草稿访谈"))
    assert client.get(f"{PUBLIC}{draft.pk}/").status_code == 404
    assert "草稿访谈" not in client.get(PUBLIC).content.decode()
    page = parse(client.get(f"{PUBLIC}{announced.pk}/"))
    assert not page.xpath("//meta[@http-equiv='refresh']") and "李明 西昌市交通运输局局长" in text_of(page)
    assert page.xpath(f"//form[@action='{PUBLIC}{announced.pk}/ask/']")
    response = ask(client, announced, contact="13912345678", name="老王")
    assert response.status_code == 302
    body = client.get(f"{PUBLIC}{announced.pk}/").content.decode()
    assert "公交线路" not in body and "经审核后公开显示" in body  # pending until moderated
    question = InterviewQuestion.objects.get()
    services.question_moderate(question, user=staff["drafter"], show=True)
    page_clock.move_to(at(2025, 3, 10, 15))
    services.interview_start(announced, user=staff["drafter"])
    services.question_answer(question, user=staff["drafter"], guest="李明 西昌市交通运输局局长", answer="临时绕行。")
    page = parse(client.get(f"{PUBLIC}{announced.pk}/"))
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == ["30"]
    text = text_of(page)
    assert "临时绕行" in text and "13912345678" not in text and "老王" not in text
    assert not page.xpath("//form[contains(@action,'/ask/')]")  # the question form is on a page of its own
    assert page.xpath(f"//a[@href='{PUBLIC}{announced.pk}/ask/']") and page.xpath("//a[@href='?refresh=off']")
    assert not parse(client.get(f"{PUBLIC}{announced.pk}/?refresh=off")).xpath("//meta[@http-equiv='refresh']")
    ask_page = parse(client.get(f"{PUBLIC}{announced.pk}/ask/"))
    assert not ask_page.xpath("//meta[@http-equiv='refresh']") and ask_page.xpath("//textarea[@id='id_text']")
    services.interview_end(announced, user=staff["drafter"])
    page = parse(client.get(f"{PUBLIC}{announced.pk}/"))
    assert not page.xpath("//meta[@http-equiv='refresh']") and "访谈已结束" in text_of(page)
    assert "已经结束" in ask(client, announced).content.decode()


@pytest.mark.django_db
def test_question_form_refusals_and_floods(client, announced, page_clock, monkeypatch):
    response = ask(client, announced, text="")
    assert response.status_code == 200 and "请填写问题" in text_of(parse(response))
    assert ask(client, announced, website="x").status_code == 200
    monkeypatch.setattr(ratelimit_core, "_get_window", lambda value, period: 1)
    monkeypatch.setattr(interview_views, "SUBMIT_RATE", "2/h")
    assert ask(client, announced).status_code == 302
    assert ask(client, announced).status_code == 302
    response = ask(client, announced)
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert InterviewQuestion.objects.count() == 2


@pytest.mark.django_db
def test_staff_console_permissions(client, announced, staff, page_clock):
    services.question_submit(announced, text="施工期间公交线路怎么调整？", name="老王", contact="13912345678")
    assert client.get(STAFF).status_code == 302
    client.force_login(staff["stranger"])
    assert client.get(f"{STAFF}{announced.pk}/").status_code == 404
    assert client.post(f"{STAFF}{announced.pk}/act/start/").status_code == 404
    client.force_login(staff["publisher"])
    page = client.get(f"{STAFF}{announced.pk}/")
    assert page.status_code == 200 and "13912345678" not in page.content.decode()
    assert client.post(f"{STAFF}{announced.pk}/act/start/").status_code == 403
    client.force_login(staff["admin"])
    assert "13912345678" in client.get(f"{STAFF}{announced.pk}/").content.decode()
    page_clock.move_to(at(2025, 3, 10, 15))
    client.force_login(staff["drafter"])
    assert client.post(f"{STAFF}{announced.pk}/act/start/").status_code == 302
    question = InterviewQuestion.objects.get()
    prefix = f"q{question.pk}"
    refused = client.post(f"{STAFF}{announced.pk}/act/answer/", {"question": question.pk, f"{prefix}-guest": "李明 西昌市交通运输局局长",
                                                                 f"{prefix}-answer": ""})
    assert refused.status_code == 400 and "请填写答复内容" in refused.content.decode()
    assert client.post(f"{STAFF}{announced.pk}/act/answer/", {"question": question.pk, f"{prefix}-guest": "李明 西昌市交通运输局局长",
                                                              f"{prefix}-answer": "公交线路临时绕行。"}).status_code == 302
    assert client.post(f"{STAFF}{announced.pk}/act/end/").status_code == 302
    assert Interview.objects.get().state == "ended"
    assert client.post(f"{STAFF}{announced.pk}/act/transcript/", {"genre": Genre.objects.get(name="其他").pk}).status_code == 302
    assert Document.objects.get().title == "“城区道路改造与交通出行”在线访谈实录"


@pytest.mark.django_db
def test_pages_are_accessible_at_every_step(client, announced, staff, page_clock):
    from tests.interaction.test_consultations_views import check_structure

    question = services.question_submit(announced, text="施工期间公交线路怎么调整？", name="老王")
    check_structure("public list", client.get(PUBLIC))
    check_structure("public announced", client.get(f"{PUBLIC}{announced.pk}/"))
    check_structure("ask page", client.get(f"{PUBLIC}{announced.pk}/ask/"))
    check_structure("ask refused", ask(client, announced, text=""))
    client.force_login(staff["admin"])
    for name, url in (("staff list", STAFF), ("staff new", f"{STAFF}new/"), ("staff settings", f"{STAFF}settings/"),
                      ("staff announced", f"{STAFF}{announced.pk}/")):
        check_structure(name, client.get(url))
    page_clock.move_to(at(2025, 3, 10, 15))
    client.force_login(staff["admin"])
    services.interview_start(announced, user=staff["drafter"])
    check_structure("staff live", client.get(f"{STAFF}{announced.pk}/"))
    services.question_moderate(question, user=staff["drafter"], show=True)
    other = services.question_submit(announced, text="地铁站出入口会临时关闭吗？")
    check_structure("staff live, two questions", client.get(f"{STAFF}{announced.pk}/"))
    services.question_answer(other, user=staff["drafter"], guest="李明 西昌市交通运输局局长", answer="不会关闭。")
    check_structure("public live", client.get(f"{PUBLIC}{announced.pk}/"))
    services.interview_end(announced, user=staff["drafter"])
    check_structure("staff ended", client.get(f"{STAFF}{announced.pk}/"))
    client.logout()
    check_structure("public ended", client.get(f"{PUBLIC}{announced.pk}/"))
