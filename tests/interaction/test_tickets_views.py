"""The tickets' pages. Public (/interact/): the letter form (Chinese errors by
field, spam token, checked files, rate limits answering 429), the receipt
shown once, the status pages for whoever holds the code (reply, follow-up,
rating once), the published letters and the knowledge base, never the
writer's personal data. Staff (/staff/interact/tickets/): scope and roles
(403 and 404 by hand), actions refused with a message and nothing saved,
the workbench panel, the time limits and the knowledge base."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_ratelimit import core as ratelimit_core

from gongkai.core import form_tokens as app_forms
from gongkai.interaction import ticket_services as services
from gongkai.interaction import ticket_views
from gongkai.interaction.models import DeadlineRule, KnowledgeEntry, Ticket, TicketFile
from tests.interaction.tickets_helpers import EMAIL, NAME, PHONE, clock_at, county_world, letter  # noqa: F401
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

WRITE, RECEIVED, STATUS = "/interact/write/", "/interact/write/received/", "/interact/status/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 32


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()  # rate-limit counters and used form tokens
    yield
    cache.clear()


@pytest.fixture
def fixed_window(monkeypatch):
    monkeypatch.setattr(ratelimit_core, "_get_window", lambda value, period: 1)


def form(office, **extra):
    data = {**{k: v for k, v in letter().items() if v is not None}, "office": office.pk, "promise": "on",
            "started": app_forms.issue_token(timezone.now() - dt.timedelta(seconds=10)), "website": "",
            "consent_publish": "on"}
    data.pop("confidential")
    data.update(extra)
    return {k: v for k, v in data.items() if v is not False}


def write(client, data):
    response = client.post(WRITE, data)
    assert response.status_code == 302 and response["Location"] == RECEIVED, response.content.decode()[:3000]
    page = client.get(RECEIVED)
    return parse(page).xpath("//p[@class='code-value']/code")[0].text_content().strip(), page


def summary(response) -> list[str]:
    return [text_of(a) for a in parse(response).xpath("//div[contains(@class,'error-summary')]//a")]


# --- the hub and the form --------------------------------------------------------------


def test_the_hub_and_the_form_say_what_is_not_a_ticket(client, county_world):
    hub = client.get("/interact/")
    html = hub.content.decode()
    assert hub.status_code == 200 and "政民互动" in html
    assert "<th scope=\"row\">咨询</th><td>3个工作日</td>" in html and "<th scope=\"row\">投诉</th><td>15个工作日</td>" in html
    page = client.get(WRITE + f"?org={county_world['county'].pk}")
    tree = parse(page)
    assert tree.xpath("//select[@name='office']/option[@selected]/@value") == [str(county_world["county"].pk)]
    assert tree.xpath("//a[@href='/apply/']") and "信访、诉讼、仲裁、行政复议、纪检监察" in page.content.decode()
    for name in ("subject", "text", "writer_name", "writer_phone"):  # every field has a label
        field_id = tree.xpath(f"//*[@name='{name}']/@id")[0]
        assert tree.xpath(f"//label[@for='{field_id}']"), name
    assert "投诉：自身合法权益受到侵害，要求依法处理，15个工作日内答复" in text_of(tree)
    assert not tree.xpath("//script") and not tree.xpath("//*[starts-with(@src,'http')]")


def test_a_letter_gets_a_code_shown_once_and_the_status_page_shows_no_personal_data(client, county_world, clock_at):
    clock_at(2024, 9, 27)
    county = county_world["county"]
    code, receipt = write(client, form(county, files=SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf")))
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.writer_phone, ticket.files.count()) == ("online", PHONE, 1)
    html = receipt.content.decode()
    assert ticket.number in html and "2024年10月23日前" in html and "no-store" in receipt["Cache-Control"]
    assert code not in client.get(RECEIVED).content.decode()  # shown once
    assert client.post(STATUS, {"code": "ABCD-EFGH"}).content.decode().count(ticket_views.NOT_FOUND) == 1
    found = client.post(STATUS, {"code": code.lower()})
    assert found.status_code == 302 and code not in found["Location"]
    page = client.get(STATUS)
    text = page.content.decode()
    assert "待派单" in text and "西昌市人民政府已受理" in text
    assert PHONE not in text and NAME not in text and EMAIL not in text


@pytest.mark.parametrize("extra, expected", [
    ({"text": ""}, "诉求内容：请填写诉求内容。"),
    ({"text": "噪声<script>alert(1)</script>很大很大很大"}, "诉求内容：诉求内容中不能包含网页脚本或代码（如 <script>），请删除后再提交。"),
    ({"ticket_type": ""}, "诉求类型：请选择诉求类型（咨询、求助、投诉、举报或建议）。"),
    ({"writer_phone": "", "writer_email": "", "writer_address": ""},
     "联系方式：请至少填写联系电话、电子邮箱或通信地址中的一项，以便告知办理情况和回访。"),
    ({"promise": False}, "承诺：请勾选承诺：确认所反映的情况真实。"),
    ({"office": "999999"}, "写信给：请从列表中选择受理机构。"),
])
def test_bad_letters_get_a_chinese_error_summary_and_nothing_is_saved(client, county_world, extra, expected):
    response = client.post(WRITE, {k: v for k, v in {**form(county_world["county"]), **extra}.items() if v is not False})
    assert response.status_code == 200 and expected in summary(response)
    assert parse(response).xpath("//title")[0].text.startswith("错误：")
    assert Ticket.objects.count() == 0


def test_a_file_of_the_wrong_type_is_refused(client, county_world):
    upload = SimpleUploadedFile("照片.pdf", EXE, "application/pdf")
    response = client.post(WRITE, form(county_world["county"], files=upload))
    assert response.status_code == 200 and any("照片.pdf" in m for m in summary(response))
    assert Ticket.objects.count() == 0 and TicketFile.objects.count() == 0
    upload = SimpleUploadedFile("程序.exe", EXE, "application/octet-stream")
    response = client.post(WRITE, form(county_world["county"], files=upload))
    assert any("类型不允许上传" in m for m in summary(response)) and Ticket.objects.count() == 0


def test_spam_and_replays_are_refused_quietly(client, county_world):
    data = form(county_world["county"])
    honeypot = client.post(WRITE, {**data, "website": "http://spam.example"})
    assert app_forms.SPAM_MESSAGE in honeypot.content.decode() and Ticket.objects.count() == 0
    assert client.post(WRITE, data).status_code == 302
    replay = client.post(WRITE, data)
    assert ticket_views.TICKET_REPLAY in replay.content.decode() and Ticket.objects.count() == 1


def test_floods_from_one_address_get_429(client, county_world, fixed_window):
    county = county_world["county"]
    for _ in range(5):
        assert client.post(WRITE, form(county)).status_code == 302
    sixth = client.post(WRITE, form(county))
    assert sixth.status_code == 429 and sixth["Retry-After"] == "3600" and "请稍后再试" in sixth.content.decode()
    assert Ticket.objects.count() == 5
    for _ in range(20):
        assert client.post(STATUS, {"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}).status_code == 200
    assert client.post(STATUS, {"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}).status_code == 429


def test_the_writer_follows_up_rates_once_and_reopens_once(client, county_world, clock_at):
    w = county_world
    clock_at(2024, 9, 27)
    code, _ = write(client, form(w["county"]))
    client.post(STATUS, {"code": code})
    ticket = Ticket.objects.get()
    assert "评价本次答复" not in client.get(STATUS).content.decode()
    response = client.post("/interact/status/follow-up/", {"text": "今晚十点后仍在施工。"})
    assert response.status_code == 302 and "您补充了说明" in client.get(STATUS).content.decode()
    bad = client.post("/interact/status/follow-up/", {"text": ""})
    assert bad.status_code == 200 and "请填写补充说明。" in bad.content.decode()
    services.dispatch(ticket, to=w["housing"], user=w["operator"])
    clock_at(2024, 10, 9)
    services.reply(ticket, user=w["housing_handler"], text="已责令施工单位停止夜间施工，感谢监督。")
    client.post(STATUS, {"code": code})  # a new visit (the session of 9-27 has expired)
    page = client.get(STATUS).content.decode()
    assert "已责令施工单位停止夜间施工" in page and "评价本次答复" in page and "要求重新办理" in page
    wrong = client.post("/interact/status/rate/", {"satisfaction": "satisfied", "resolved": "yes", "reopen": "on"})
    assert "只有选择“不满意”时才能要求重新办理。" in wrong.content.decode()
    assert client.post("/interact/status/rate/", {"satisfaction": "unsatisfied", "resolved": "no",
                                                  "reopen": "on"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.round) == ("handling", 2)
    again = client.post("/interact/status/rate/", {"satisfaction": "satisfied", "resolved": "yes"})
    assert again.status_code == 200 and "该工单办理中，不能评价。" in again.content.decode()
    services.reply(ticket, user=w["housing_handler"], text="已立案处罚并安排夜间巡查，问题已解决。")
    page = client.get(STATUS).content.decode()
    assert "要求重新办理" not in page  # only once
    assert client.post("/interact/status/rate/", {"satisfaction": "satisfied", "resolved": "yes"}).status_code == 302
    second = client.post("/interact/status/rate/", {"satisfaction": "unsatisfied", "resolved": "no"})
    assert second.status_code == 200 and "本次答复已经评价过，不能重复评价。" in second.content.decode()
    assert Ticket.objects.get().satisfaction == "satisfied"
    client.post("/interact/status/end/")
    assert client.post("/interact/status/rate/", {"satisfaction": "satisfied"}).status_code == 302  # back to lookup


def published_ticket(w):
    ticket, _ = services.submit_online(w["county"], letter())
    services.dispatch(ticket, to=w["housing"], user=w["operator"])
    services.reply(ticket, user=w["housing_handler"], text=f"{NAME}您好，已责令停止夜间施工。电话{PHONE}。")
    services.prepare_publication(ticket, user=w["housing_handler"])
    ticket.refresh_from_db()
    return services.approve_publication(ticket, user=w["head"], subject=ticket.public_subject,
                                        text=ticket.public_text, reply_text=ticket.public_reply)


def test_published_letters_search_and_statistics_without_personal_data(client, county_world):
    w = county_world
    shown = published_ticket(w)
    hidden, _ = services.submit_online(w["county"], letter(subject="另一件未公开的来信"))
    listing = client.get("/interact/letters/", {"q": "夜间施工"})
    html = listing.content.decode()
    assert listing.status_code == 200 and shown.public_subject in html and "另一件未公开的来信" not in html
    assert "西昌市住房和城乡建设局" in html and "答复部门" in html
    assert PHONE not in html and NAME not in html
    assert "没有找到符合条件的公开信件" in client.get("/interact/letters/", {"q": "养老保险"}).content.decode()
    detail = client.get(f"/interact/letters/{shown.pk}/").content.decode()
    assert "王某某" in detail and PHONE not in detail and "138****5678" in detail
    assert client.get(f"/interact/letters/{hidden.pk}/").status_code == 404
    stats = client.get("/interact/statistics/").content.decode()
    assert "来信办理情况统计" in stats and "按诉求类型统计" in stats
    assert client.get("/interact/statistics/", {"year": "1900"}).status_code == 404


def test_public_knowledge_base(client, county_world):
    w = county_world
    entry = services.save_entry(None, user=w["housing_handler"], organisation=w["housing"], question="夜间施工怎么投诉？",
                                answer="可拨打12345热线或通过政府信箱反映，住建部门将依法查处。", is_public=True)
    internal = services.save_entry(None, user=w["housing_handler"], organisation=w["housing"],
                                   question="施工许可内部审批流程", answer="内部流程：先初审，再复核，最后签发。", is_public=False)
    assert client.get(f"/interact/knowledge/{entry.pk}/").status_code == 404  # not approved yet
    services.decide_entry(entry, user=w["head"], approve=True)
    services.decide_entry(internal, user=w["head"], approve=True)
    page = client.get("/interact/knowledge/", {"q": "施工"}).content.decode()
    assert "夜间施工怎么投诉？" in page and "内部审批流程" not in page
    assert client.get(f"/interact/knowledge/{entry.pk}/").status_code == 200
    assert client.get(f"/interact/knowledge/{internal.pk}/").status_code == 404


# --- staff ---------------------------------------------------------------------------------


def staff(client, user):
    client.force_login(user)
    return client


def test_staff_list_detail_and_who_sees_what(client, county_world, clock_at):
    w = county_world
    clock_at(2024, 9, 27)
    ticket, _ = services.submit_online(w["county"], letter())
    TicketFile.objects.create(ticket=ticket, name="现场照片.pdf", file=SimpleUploadedFile("x.pdf", PDF))
    services.dispatch(ticket, to=w["housing"], user=w["operator"], co_handlers=[w["township"]])
    url = f"/staff/interact/tickets/{ticket.pk}/"
    page = staff(client, w["operator"]).get("/staff/interact/tickets/")
    assert ticket.number in page.content.decode()
    assert PHONE in staff(client, w["housing_handler"]).get(url).content.decode()
    co = staff(client, w["town_handler"]).get(url).content.decode()
    assert "诉求人的个人信息和附件（1个）仅限受理机构和承办单位本机构的人员查看" in co
    assert PHONE not in co and NAME not in co and "138****5678" in co  # masked in the letter's text too
    file_id = ticket.files.get().pk
    assert client.get(f"{url}files/{file_id}/").status_code == 403
    assert "协办意见" in co  # the co-handler's only action
    assert staff(client, w["env_handler"]).get(url).status_code == 404
    assert staff(client, w["outsider"]).get(url).status_code == 404  # a handler elsewhere: as if it did not exist
    assert staff(client, w["drafter"]).get(url).status_code == 403  # no ticket role at all
    assert staff(client, w["drafter"]).get("/staff/interact/tickets/").status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_staff_actions_are_refused_with_a_message_and_nothing_saved(client, county_world, clock_at):
    w = county_world
    clock_at(2024, 9, 27)
    ticket, _ = services.submit_online(w["county"], letter())
    base = f"/staff/interact/tickets/{ticket.pk}/act/"
    staff(client, w["operator"])
    refused = client.post(base + "dispatch/", {"to": w["department"].pk})
    assert refused.status_code == 200 and "选择一个有效的选项" in refused.content.decode()
    assert client.post(base + "nonsense/", {}).status_code == 404
    assert client.get(base + "dispatch/").status_code == 405
    assert client.post(base + "dispatch/", {"to": w["housing"].pk, "note": "请核查"}).status_code == 302
    staff(client, w["housing_handler"])
    empty = client.post(base + "dispute/", {"reason": ""})
    assert empty.status_code == 200 and "请填写异议理由。" in empty.content.decode()
    assert client.post(base + "dispute/", {"reason": "噪声监管属生态环境部门。"}).status_code == 302
    again = client.post(base + "dispute/", {"reason": "噪声监管属生态环境部门。"})
    assert again.status_code == 200 and "该工单派单异议待审核，不能提出派单异议。" in again.content.decode()
    # The operator may not decide a dispute (the head does): 403, nothing changed.
    staff(client, w["operator"])
    assert client.post(base + "decide_dispute/", {"decision": "upheld", "reason": "同意改派",
                                                  "to": w["environment"].pk}).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == "disputed"
    staff(client, w["head"])
    page = client.get(f"/staff/interact/tickets/{ticket.pk}/").content.decode()
    assert "审核派单异议" in page
    assert client.post(base + "decide_dispute/", {"decision": "upheld", "reason": "同意改派",
                                                  "to": w["environment"].pk}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).organisation == w["environment"]


def test_the_workbench_shows_tickets_by_due_date_and_what_awaits_the_head(client, county_world, clock_at):
    w = county_world
    clock_at(2024, 9, 27)
    ticket, _ = services.submit_online(w["county"], letter(ticket_type="consult"))
    services.dispatch(ticket, to=w["housing"], user=w["operator"])
    clock_at(2024, 10, 9)
    home = staff(client, w["housing_handler"]).get("/staff/").content.decode()
    tree = parse(staff(client, w["housing_handler"]).get("/staff/"))
    panel = text_of(tree.xpath("//section[@id='panel-tickets']")[0])
    assert ticket.number in panel and "已超期" in panel and "超过期限1个工作日" in panel and "政民互动工单" in home
    other, _ = services.submit_online(w["county"], letter())
    head_panel = text_of(parse(staff(client, w["head"]).get("/staff/")).xpath("//section[@id='panel-tickets']")[0])
    assert other.number in head_panel and "待派单" in head_panel
    assert not parse(staff(client, w["drafter"]).get("/staff/")).xpath("//section[@id='panel-tickets']")


def test_time_limits_page(client, county_world, org_tree, make_user):
    w = county_world
    page = staff(client, w["head"]).get("/staff/interact/tickets/time-limits/").content.decode()
    assert "广东省12345热线" in page and "新工单采用" in page and 'name="workdays"' not in page  # read only
    rule = DeadlineRule.objects.get(preset__name="seeds", ticket_type="complaint")
    assert client.post("/staff/interact/tickets/time-limits/", {"preset": rule.preset_id, "ticket_type": "complaint",
                                                                "workdays": 5}).status_code == 403
    province_head = make_user("province_head", (org_tree["province"], "office_admin"))
    staff(client, province_head)
    bad = client.post("/staff/interact/tickets/time-limits/", {"preset": rule.preset_id, "ticket_type": "complaint",
                                                               "workdays": 0})
    assert bad.status_code == 200 and "办理时限至少1个工作日。" in bad.content.decode()
    assert client.post("/staff/interact/tickets/time-limits/", {"preset": rule.preset_id, "ticket_type": "complaint",
                                                                "workdays": 12}).status_code == 302
    rule.refresh_from_db()
    assert rule.workdays == 12


def test_staff_register_and_knowledge_pages(client, county_world, clock_at):
    w = county_world
    clock_at(2024, 9, 27)
    staff(client, w["operator"])
    response = client.post("/staff/interact/tickets/new/", {
        "office": w["county"].pk, "channel": "phone", "received_on": "2024-09-26", "ticket_type": "consult",
        "subject": "灵活就业人员参保咨询", "text": "来电咨询灵活就业人员如何参加城乡居民养老保险。", "writer_name": "刘芳",
        "writer_phone": "13980001234"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.channel == "phone" and ticket.received_on == dt.date(2024, 9, 26)
    # A department registers the calls it receives itself, never in another organisation's name.
    own = parse(staff(client, w["housing_handler"]).get("/staff/interact/tickets/new/"))
    assert own.xpath("//select[@name='office']/option/@value") == ["", str(w["housing"].pk)]
    refused = client.post("/staff/interact/tickets/new/", {"office": w["county"].pk, "channel": "phone"})
    assert refused.status_code == 200 and Ticket.objects.count() == 1
    assert staff(client, w["drafter"]).get("/staff/interact/tickets/new/").status_code == 403
    staff(client, w["housing_handler"])
    response = client.post("/staff/interact/tickets/knowledge/new/", {
        "organisation": w["housing"].pk, "question": "夜间施工怎么投诉？", "answer": f"请拨打{PHONE}。"})
    assert response.status_code == 200 and "知识库不能含个人信息（手机号码）" in response.content.decode()
    assert client.post("/staff/interact/tickets/knowledge/new/", {
        "organisation": w["housing"].pk, "question": "夜间施工怎么投诉？",
        "answer": "可拨打12345热线或通过政府信箱反映。", "is_public": "on"}).status_code == 302
    entry = KnowledgeEntry.objects.get()
    assert "等待政务公开办审核" in client.get("/staff/interact/tickets/knowledge/").content.decode()
    assert client.post(f"/staff/interact/tickets/knowledge/{entry.pk}/decide/", {"op": "approve"}).status_code == 403
    assert KnowledgeEntry.objects.get().state == "draft"  # a handler may not approve
    staff(client, w["head"]).post(f"/staff/interact/tickets/knowledge/{entry.pk}/decide/", {"op": "approve"})
    assert KnowledgeEntry.objects.get().state == "approved"
    assert staff(client, w["env_handler"]).get(f"/staff/interact/tickets/knowledge/{entry.pk}/").status_code == 404


def test_a_new_preset_for_another_region(client, org_tree, make_user, county_world):
    province_head = make_user("province_head2", (org_tree["province"], "office_admin"))
    staff(client, province_head)
    bad = client.post("/staff/interact/tickets/time-limits/", {"op": "create", "name": "北京", "title": "北京"})
    assert bad.status_code == 200 and "代码应为2至30个小写英文字母" in bad.content.decode()
    assert client.post("/staff/interact/tickets/time-limits/", {
        "op": "create", "name": "beijing", "title": "北京市接诉即办", "basis": "北京市接诉即办工作条例第十三条"}).status_code == 302
    preset = services.find_preset("beijing")
    assert dict(preset.rules.values_list("ticket_type", "workdays")) == {
        "consult": 3, "help": 3, "complaint": 15, "report": 15, "suggestion": 15}  # copied from seeds
    assert not preset.is_default
    staff(client, county_world["head"])
    assert client.post("/staff/interact/tickets/time-limits/", {"op": "create", "name": "sichuan",
                                                                "title": "四川"}).status_code == 403
