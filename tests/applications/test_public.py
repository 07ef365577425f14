"""The public side of disclosure applications: the form (Art. 29 contents,
Chinese errors by field, files checked by type and content), the spam defence
(honeypot, signed timestamp, rate limits), the receipt shown once, and the
status pages for whoever holds the tracking code — never the applicant's
personal data, never the code in a URL."""

import datetime as dt
import re
import secrets
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_ratelimit import core as ratelimit_core

from gongkai.applications import public_views, services
from gongkai.core import form_tokens, uploads
from gongkai.applications.models import Application, ApplicationFile, Event
from gongkai.portal.middleware import SecurityHeadersMiddleware
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
APPLY, RECEIVED, STATUS = "/apply/", "/apply/received/", "/apply/status/"
ID_NUMBER, PHONE, EMAIL = "510101199001011234", "13812345678", "zhangsan@example.com"
NAME = "张晓梅"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 32


@pytest.fixture(autouse=True)
def clean_state():
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def fixed_window(monkeypatch):
    """Rate-limit windows that do not roll over in the middle of a test."""
    monkeypatch.setattr(ratelimit_core, "_get_window", lambda value, period: 1)


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def clock_at(monkeypatch):
    """Freeze django.utils.timezone.now (the services, the form's timestamp and the calendar read it)."""
    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.timezone.utc))
        return moment
    return freeze


def token(seconds_ago=10):
    return form_tokens.issue_token(timezone.now() - dt.timedelta(seconds=seconds_ago))


def person(org, **extra):
    data = {
        "organisation": org.pk, "applicant_type": "natural", "applicant_name": NAME,
        "id_document": f"居民身份证 {ID_NUMBER}", "phone": PHONE, "email": EMAIL, "address": "西昌市航天大道一段88号",
        "postcode": "615000", "info_title": "2024年西昌市城区道路改造项目批复文件", "info_number": "",
        "info_description": "2024年6月前后作出的关于航天大道改造的立项批复", "form": "electronic", "delivery": "online",
        "consent": "on", "started": token(), "website": "",
    }
    data.update(extra)
    return data


def company(org, **extra):
    return person(org, **{"applicant_type": "commercial", "applicant_name": "四川某某建设工程有限公司",
                          "id_document": "统一社会信用代码 91510100MA61234567", "legal_representative": "王建国",
                          "contact_person": "李娜", "phone": "028-85551234", "email": "", "delivery": "post", **extra})


def submit(client, data, **files):
    response = client.post(APPLY, {**data, **files})
    return response


def apply_and_get_code(client, data):
    response = submit(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == RECEIVED
    page = client.get(RECEIVED)
    code = parse(page).xpath("//p[@class='code-value']/code")[0].text_content().strip()
    return code, page


def lookup(client, code):
    return client.post(STATUS, {"code": code})


def summary(response) -> list[tuple[str, str]]:
    tree = parse(response)
    return [(a.get("href"), text_of(a)) for a in tree.xpath("//div[contains(@class,'error-summary')]//a")]


# ----------------------------------------------------------------------- applying


def test_a_natural_person_applies_and_sees_the_code_once(client, org_tree):
    county = org_tree["county"]
    page = client.get(f"{APPLY}?org={county.pk}")
    assert page.status_code == 200
    assert parse(page).xpath("//select[@name='organisation']//option[@selected]/@value") == [str(county.pk)]
    assert "20个工作日" in page.content.decode() and "第二十九条" in page.content.decode()

    code, receipt = apply_and_get_code(client, person(county, legal_representative="不应保存"))
    app = Application.objects.get()
    assert app.organisation == county and app.channel == Application.Channel.ONLINE
    assert app.applicant_type == "natural" and app.applicant_name == NAME and app.phone == PHONE
    assert app.legal_representative == ""  # a natural person has none
    assert app.received_on == timezone.localdate() and app.state == Application.State.PROCESSING
    assert services.find_by_code(code) == app and app.tracking_hash == services.tracking_hash(code)
    assert len(code) >= 22  # 128 bits

    html = receipt.content.decode()
    assert app.number in html and f"{app.received_on.year}年{app.received_on.month}月{app.received_on.day}日" in html
    assert "只在本页显示这一次" in html
    assert "no-store" in receipt["Cache-Control"]
    # Shown once: the session no longer holds it.
    again = client.get(RECEIVED)
    assert again.status_code == 200 and code not in again.content.decode() and "只显示一次" in again.content.decode()
    assert public_views.RECEIPT_KEY not in client.session


def test_a_company_applies_with_files(client, org_tree):
    county = org_tree["county"]
    files = [SimpleUploadedFile("营业执照.pdf", PDF, "application/pdf"), SimpleUploadedFile("授权书.png", PNG, "image/png")]
    code, _ = apply_and_get_code(client, {**company(county), "files": files})
    app = Application.objects.get()
    assert app.applicant_type == "commercial" and app.legal_representative == "王建国" and app.contact_person == "李娜"
    assert app.delivery == "post" and app.address
    stored = list(ApplicationFile.objects.filter(application=app).order_by("id"))
    assert [(f.role, f.name) for f in stored] == [(ApplicationFile.Role.FROM_APPLICANT, "营业执照.pdf"),
                                                  (ApplicationFile.Role.FROM_APPLICANT, "授权书.png")]
    assert stored[0].file.read() == PDF
    # Stored under an unguessable name, not the applicant's.
    assert "营业执照" not in stored[0].file.name and stored[0].file.name.endswith(".pdf")
    # Files the applicant sent are not downloadable from the status pages.
    lookup(client, code)
    assert client.get(reverse("applications:file", args=[stored[0].pk])).status_code == 404


def test_errors_are_chinese_name_the_field_and_nothing_is_saved(client, org_tree):
    data = person(org_tree["county"], applicant_name="  ", phone="", email="", address="", info_title="",
                  info_description="")
    response = submit(client, data)
    assert response.status_code == 200
    items = summary(response)
    assert ("#id_applicant_name", "姓名或名称：请填写申请人姓名或名称（条例第二十九条）。") in items
    assert any(href == "#id_phone" and text.startswith("联系方式：") and "联系方式" in text for href, text in items)
    assert any(href == "#id_info_description" and text.startswith("所需信息：") for href, text in items)
    assert len(items) == 3, items
    tree = parse(response)
    # Each link leads to a field on the page, marked invalid and described by its error.
    for href, _ in items:
        field = tree.xpath(f"//*[@id='{href[1:]}']")[0]
        assert field.get("aria-invalid") == "true"
        assert f"{href[1:]}_error" in field.get("aria-describedby")
        assert tree.xpath(f"//*[@id='{href[1:]}_error']")
    assert tree.xpath("//title")[0].text_content().startswith("错误：")
    # What was typed is kept.
    assert tree.xpath("//input[@name='postcode']/@value") == ["615000"]
    assert Application.objects.count() == 0 and ApplicationFile.objects.count() == 0


def test_other_field_rules(client, org_tree):
    county = org_tree["county"]
    cases = [
        (person(county, delivery="email", email=""), "#id_email", "电子邮箱"),
        (person(county, delivery="post", address=""), "#id_address", "通信地址"),
        (person(county, form="paper", delivery="online"), "#id_delivery_0", "获取信息的方式"),
        (person(county, email="not-an-email"), "#id_email", "电子邮箱"),
        (person(county, postcode="61500"), "#id_postcode", "邮政编码"),
        (person(county, applicant_type=""), "#id_applicant_type_0", "申请人类型"),
        (person(county, consent=""), "#id_consent", "承诺"),
        (person(county, organisation="999999"), "#id_organisation", "受理机关"),
    ]
    for data, anchor, label in cases:
        items = summary(submit(client, data))
        assert any(href == anchor and text.startswith(label + "：") for href, text in items), (anchor, items)
    assert Application.objects.count() == 0


def test_only_email_as_contact_is_enough(client, org_tree):
    apply_and_get_code(client, person(org_tree["county"], phone="", address="", postcode="", delivery="email"))
    assert Application.objects.get().email == EMAIL


# ------------------------------------------------------------------ spam defence


@pytest.mark.parametrize("change", [
    {"website": "http://spam.example"},       # the honeypot
    {"started": "__fresh__"},                  # faster than 3 seconds
    {"started": "__stale__"},                  # older than 2 hours
    {"started": "forged:value"},               # not signed by us
    {"started": ""},                           # missing
])
def test_spam_is_refused_quietly_and_nothing_is_saved(client, org_tree, change):
    change = dict(change)
    if change.get("started") == "__fresh__":
        change["started"] = token(seconds_ago=1)
    elif change.get("started") == "__stale__":
        change["started"] = token(seconds_ago=2 * 3600 + 5)
    response = submit(client, person(org_tree["county"], **change))
    assert response.status_code == 200
    assert form_tokens.SPAM_MESSAGE in response.content.decode()
    assert not summary(response)  # no field marked: the refusal names no cause
    assert Application.objects.count() == 0
    # The typed values are offered again with a fresh timestamp; the honeypot is not.
    tree = parse(response)
    assert tree.xpath("//input[@name='applicant_name']/@value") == [NAME]
    assert tree.xpath("//input[@name='website']/@value") in ([], [""])
    assert tree.xpath("//input[@name='started']/@value")[0] != change.get("started")


def test_timestamp_bounds():
    now = timezone.now()
    assert form_tokens.token_ok(form_tokens.issue_token(now - dt.timedelta(seconds=3)), now)
    assert not form_tokens.token_ok(form_tokens.issue_token(now - dt.timedelta(seconds=2)), now)
    assert form_tokens.token_ok(form_tokens.issue_token(now - dt.timedelta(hours=2)), now)
    assert not form_tokens.token_ok(form_tokens.issue_token(now - dt.timedelta(hours=2, seconds=1)), now)
    assert not form_tokens.token_ok(form_tokens.issue_token(now + dt.timedelta(seconds=10)), now)


def test_the_honeypot_is_hidden_from_people_and_labelled_for_screen_readers(client):
    tree = parse(client.get(APPLY))
    field = tree.xpath("//input[@name='website']")[0]
    assert field.get("tabindex") == "-1" and field.get("autocomplete") == "off"
    box = field.getparent()
    assert "visually-hidden" in box.get("class") and box.get("aria-hidden") == "true"
    label = tree.xpath(f"//label[@for='{field.get('id')}']")[0]
    assert "请保持为空" in label.text_content()


# ------------------------------------------------------------------------ files


@pytest.mark.parametrize("upload, words", [
    (SimpleUploadedFile("身份证.pdf", EXE, "application/pdf"), "内容与扩展名"),       # an .exe renamed .pdf
    (SimpleUploadedFile("setup.exe", EXE, "application/octet-stream"), "类型不允许"),
    (SimpleUploadedFile("表格.xlsx", b"PK\x03\x04" + b"\x00" * 20, "application/zip"), "类型不允许"),
    (SimpleUploadedFile("扫描件.ofd", b"%PDF-1.4", "application/ofd"), "内容与扩展名"),
    (SimpleUploadedFile("空.png", b"", "image/png"), "空文件"),  # Django's own check, named too
])
def test_bad_files_are_refused_and_nothing_is_saved(client, org_tree, upload, words):
    response = submit(client, person(org_tree["county"]), files=[upload])
    items = summary(response)
    assert any(href == "#id_files" and upload.name in text and words in text for href, text in items), items
    assert Application.objects.count() == 0 and ApplicationFile.objects.count() == 0


def test_file_count_and_size_limits(client, org_tree, monkeypatch):
    county = org_tree["county"]
    six = [SimpleUploadedFile(f"{i}.pdf", PDF, "application/pdf") for i in range(6)]
    items = summary(submit(client, person(county), files=six))
    assert any("最多上传5个文件" in text for _, text in items), items
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", len(PDF) - 1)
    items = summary(submit(client, person(county), files=[SimpleUploadedFile("大.pdf", PDF, "application/pdf")]))
    assert any("大.pdf" in text and "超过" in text for _, text in items), items
    assert Application.objects.count() == 0


def test_default_file_limit_is_ten_megabytes():
    assert uploads.MAX_FILES == 5 and uploads.MAX_FILE_BYTES == 10 * 1024 * 1024
    assert set(uploads.FILE_TYPES) == {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".ofd"}


# -------------------------------------------------------------------- rate limits


def test_submissions_are_rate_limited_per_address(client, org_tree, fixed_window):
    county = org_tree["county"]
    for _ in range(5):
        assert submit(client, person(county)).status_code == 302
    response = submit(client, person(county))
    assert response.status_code == 429 and response["Retry-After"]
    assert "请稍后再试" in response.content.decode()
    assert Application.objects.count() == 5
    # Another address is not affected.
    assert client.post(APPLY, person(county), REMOTE_ADDR="10.0.0.7").status_code == 302


def test_posts_of_the_form_are_rate_limited_even_when_refused(client, org_tree, fixed_window):
    county = org_tree["county"]
    for _ in range(30):
        assert submit(client, person(county, applicant_name="")).status_code == 200
    assert submit(client, person(county)).status_code == 429
    assert Application.objects.count() == 0


def test_lookups_are_rate_limited(client, org_tree, fixed_window):
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    for _ in range(20):
        assert lookup(client, secrets.token_urlsafe(16)).status_code == 200
    response = lookup(client, code)  # even the right code, once over the limit
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()


# ------------------------------------------------------------------------ status


def _handler(org_tree, make_user):
    return make_user("chengban", (org_tree["county"], "handler"))


def test_status_shows_history_and_no_personal_data(client, org_tree, make_user):
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    app = Application.objects.get()
    Event.objects.create(application=app, kind=Event.Kind.NOTE, on=app.received_on, note="内部备注：申请人曾多次来电",
                         public_note="")
    Event.objects.create(application=app, kind=Event.Kind.NOTE, on=app.received_on, note="内部：已分给李科长",
                         public_note="正在检索相关信息")
    response = lookup(client, code)
    assert response.status_code == 302 and response["Location"] == STATUS
    page = client.get(STATUS)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert app.number in html and org_tree["county"].name in html and "办理中" in html
    history = [text_of(row) for row in parse(page).xpath("//table[contains(@class,'history-table')]/tbody/tr")]
    assert len(history) == 2 and "已收到申请" in history[0] and "正在检索相关信息" in history[1]
    assert "内部" not in html and "李科长" not in html
    for secret in (NAME, ID_NUMBER, PHONE, EMAIL, "航天大道一段", code):
        assert secret not in html, secret
    assert "前" in text_of(parse(page).xpath("//table[contains(@class,'status-table')]")[0])  # the due date


def test_wrong_codes_all_get_the_same_answer(client, org_tree):
    apply_and_get_code(client, person(org_tree["county"]))

    def main_of(response):
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        html = re.sub(r'name="code" id="id_code" value="[^"]*"', "", html)  # what was typed stays in the field
        return re.search(r"<main.*</main>", html, re.S).group(0)

    typed = services.new_tracking_code()
    garbage, shaped = lookup(client, "abc"), lookup(client, typed)
    assert garbage.status_code == shaped.status_code == 200
    assert "未找到该查询码对应的申请" in garbage.content.decode()
    assert main_of(garbage) == main_of(shaped)
    assert parse(shaped).xpath("//input[@name='code']/@value") == [typed]  # kept, to correct a typo
    assert parse(garbage).xpath("//input[@name='code']/@value") == ["abc"]
    assert public_views.STATUS_KEY not in client.session
    assert "请输入查询码" in lookup(client, "").content.decode()


def test_the_code_never_appears_in_a_url(client, org_tree, make_user):
    locations, pages = [], []
    response = submit(client, person(org_tree["county"]))
    locations.append(response["Location"])
    receipt = client.get(RECEIVED)
    code = parse(receipt).xpath("//p[@class='code-value']/code")[0].text_content().strip()
    app = Application.objects.get()
    services.reply(app, user=_handler(org_tree, make_user), outcome="disclosed", provided="见附件",
                   on=app.received_on)
    response = lookup(client, code)
    locations.append(response["Location"])
    for url in (STATUS, reverse("applications:letter")):
        pages.append(client.get(url))
    locations.append(client.post(reverse("applications:status_end"))["Location"])
    assert all(location and code not in location for location in locations), locations
    for page in [receipt, *pages]:
        tree = parse(page)
        for attribute in ("href", "action", "src"):
            assert not [v for v in tree.xpath(f"//@{attribute}") if code in v]
    assert code not in str(client.cookies)


def test_reply_letter_and_files_need_the_code(client, org_tree, make_user, monkeypatch):
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    app = Application.objects.get()
    letter_url, docx_url = reverse("applications:letter"), reverse("applications:letter_docx")
    lookup(client, code)
    assert client.get(letter_url).status_code == 404  # not replied yet
    services.reply(app, user=_handler(org_tree, make_user), outcome="disclosed", provided="《批复》一份",
                   on=app.received_on)
    disclosed = ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED, name="批复.pdf",
                                               file=ContentFile(PDF, name="x.pdf"))
    other = ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.FROM_APPLICANT, name="身份证.pdf",
                                           file=ContentFile(PDF, name="y.pdf"))
    file_url = reverse("applications:file", args=[disclosed.pk])

    # Without the code: nothing.
    stranger = type(client)()
    assert stranger.get(letter_url)["Location"] == STATUS
    assert stranger.get(file_url).status_code == 404 and stranger.get(docx_url).status_code == 404

    monkeypatch.setattr(public_views, "_docx_builder", lambda: None)
    status = client.get(STATUS).content.decode()
    assert "已答复" in status and "已作出答复，可查看告知书" in status and "批复.pdf" in status
    assert letter_url in status and docx_url not in status
    page = client.get(letter_url)
    html = page.content.decode()
    assert page.status_code == 200 and "政府信息公开申请答复告知书" in html and "行政复议" in html
    assert app.reply.letter_number in html and "《批复》一份" in html
    assert ID_NUMBER not in html and PHONE not in html and EMAIL not in html
    assert len(parse(page).xpath("//h1")) == 1
    assert client.get(docx_url).status_code == 404

    monkeypatch.setattr(public_views, "_docx_builder", lambda: (lambda a, r: b"PK-docx-bytes"))
    assert docx_url in client.get(STATUS).content.decode() and docx_url in client.get(letter_url).content.decode()
    download = client.get(docx_url)
    assert download.status_code == 200 and download.content == b"PK-docx-bytes"
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]

    got = client.get(file_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert "attachment" in got["Content-Disposition"]
    assert client.get(reverse("applications:file", args=[other.pk])).status_code == 404

    # Another application's code does not open this one's files.
    other_code, _ = apply_and_get_code(client, person(org_tree["county"]))
    lookup(client, other_code)
    assert client.get(file_url).status_code == 404

    # Leaving the status pages forgets the application.
    client.post(reverse("applications:status_end"))
    assert client.get(letter_url)["Location"] == STATUS
    assert "查询码" in client.get(STATUS).content.decode()


def test_letter_docx_module_is_used_when_present(client, org_tree, make_user):
    """The real letters_docx.build, when the module provides it."""
    builder = public_views._docx_builder()
    if builder is None:
        pytest.skip("gongkai.applications.letters_docx.build is not there yet")
    code, _ = apply_and_get_code(client, person(org_tree["county"]))
    app = Application.objects.get()
    services.reply(app, user=_handler(org_tree, make_user), outcome="not_exist", reasons="经检索未找到", on=app.received_on)
    lookup(client, code)
    download = client.get(reverse("applications:letter_docx"))
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_personal_data_is_on_no_public_page(client, org_tree):
    apply_and_get_code(client, company(org_tree["county"], applicant_name="西昌市独特名称咨询有限公司"))
    search = client.get(reverse("portal:search"), {"q": "西昌市独特名称咨询有限公司"})
    tree = parse(search)
    assert not tree.xpath("//ol[contains(@class,'hits')]/li")
    for url in ("/", reverse("portal:catalog"), f"{reverse('portal:catalog')}?org={org_tree['county'].pk}", APPLY, STATUS):
        html = client.get(url).content.decode()
        assert "独特名称" not in html and "91510100MA61234567" not in html and "028-85551234" not in html, url


# ------------------------------------------------------------------- due dates


def test_due_date_on_the_receipt_and_the_status_page(client, org_tree, clock_at):
    clock_at(at(2026, 11, 23))
    # 20 working days after Monday 2026-11-23: 11-24..27 (4), 11-30..12-04 (9), 12-07..11 (14), 12-14..18 (19), 12-21 (20).
    code, receipt = apply_and_get_code(client, person(org_tree["county"], started=token()))
    assert "2026年12月21日前" in receipt.content.decode()
    assert Application.objects.get().received_on == dt.date(2026, 11, 23)
    lookup(client, code)
    assert "2026年12月21日前" in client.get(STATUS).content.decode()


def test_a_due_date_in_a_year_the_calendar_lacks_is_provisional_then_real(client, org_tree, clock_at,
                                                                         package_ends_2026, notice_text):
    from gongkai.core import services as core_services
    from gongkai.core.holiday_notice import read_notice

    # Received Sunday 2026-12-20: 12-21..25, 12-28..31 are days 1-9; 2027 on weekends alone:
    # 01-01 is 10, 01-04..08 11-15, 01-11..15 16-20.
    clock_at(at(2026, 12, 20))
    code, receipt = apply_and_get_code(client, person(org_tree["county"], started=token()))
    for page in (receipt, (lookup(client, code), client.get(STATUS))[1]):
        html = text_of(parse(page))
        assert page.status_code == 200 and "自收到申请之日起20个工作日内" in html
        assert "暂定2027年1月15日前" in html and "2027年法定节假日安排公布后按其重新计算" in html
        assert "录入" not in html and "工作日历" not in html  # no instruction meant for the office
    # The office imports the 2027 notice (01-01..03 off): the real date, unmarked.
    text = notice_text("made-up-2027.txt")
    core_services.calendar_import_notice(read_notice(text), by=None, text=text, system=True)
    html = text_of(parse(client.get(STATUS)))
    assert "2027年1月18日前" in html and "暂定" not in html


# ---------------------------------------------------------------- accessibility


@pytest.fixture
def all_pages(client, org_tree, make_user, fixed_window):
    county = org_tree["county"]
    pages = {"form": client.get(APPLY), "form with errors": submit(client, person(county, applicant_name="", phone="",
                                                                                  email="", address="", form=""))}
    pages["spam refused"] = submit(client, person(county, website="x"))
    submit(client, person(county))
    pages["receipt"] = client.get(RECEIVED)
    pages["receipt gone"] = client.get(RECEIVED)
    code = parse(pages["receipt"]).xpath("//p[@class='code-value']/code")[0].text_content().strip()
    pages["status form"] = client.get(STATUS)
    pages["status not found"] = lookup(client, "wrong")
    pages["status empty"] = lookup(client, "")
    app = Application.objects.get()
    services.reply(app, user=make_user("chengban", (county, "handler")), outcome="disclosed", provided="见附件",
                   on=app.received_on)
    ApplicationFile.objects.create(application=app, role=ApplicationFile.Role.DISCLOSED, name="批复.pdf",
                                   file=ContentFile(PDF, name="x.pdf"))
    lookup(client, code)
    pages["status"] = client.get(STATUS)
    pages["letter"] = client.get(reverse("applications:letter"))
    for _ in range(20):
        client.post(STATUS, {"code": "x"})
    pages["too many"] = lookup(client, code)
    return pages


def test_pages_structure(all_pages):
    for name, response in all_pages.items():
        assert response.status_code in (200, 429), name
        tree = parse(response)
        assert tree.get("lang") == "zh-CN", name
        assert response["Content-Type"] == "text/html; charset=utf-8", name
        assert response["Content-Security-Policy"] == SecurityHeadersMiddleware.POLICY, name
        assert len(tree.xpath("//h1")) == 1, name
        assert [m.get("id") for m in tree.xpath("//main")] == ["main"], name
        assert tree.xpath("//title")[0].text_content().strip(), name
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        assert tree.xpath("//nav[@aria-label='主导航']//a[normalize-space()='依申请公开']"), name
        assert tree.xpath("//nav[@aria-label='当前位置']"), name


def test_no_inline_styles_or_scripts(all_pages):
    for name, response in all_pages.items():
        tree = parse(response)
        assert not tree.xpath("//script | //style | //@style"), name
        handlers = [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
        assert handlers == [], name


def test_every_field_has_a_label_and_radios_are_in_fieldsets(all_pages):
    for name, response in all_pages.items():
        tree = parse(response)
        labelled = set(tree.xpath("//label/@for"))
        for field in tree.xpath("//input | //select | //textarea"):
            if field.get("type") in ("hidden", "submit", "button"):
                continue
            assert field.get("id") in labelled or field.get("aria-label"), f"{name}: {field.get('name')}"
        for radio in tree.xpath("//input[@type='radio']"):
            fieldset = radio.xpath("ancestor::fieldset[1]")
            assert fieldset and fieldset[0].xpath("./legend"), f"{name}: {radio.get('name')}"
        for form in tree.xpath("//main//form"):
            assert form.get("method") == "post" and form.xpath(".//input[@name='csrfmiddlewaretoken']"), name
    form = parse(all_pages["form"])
    radio_names = set(form.xpath("//input[@type='radio']/@name"))
    assert radio_names == {"applicant_type", "form", "delivery"}
    legends = [text_of(legend) for legend in form.xpath("//fieldset/legend")]
    assert any(legend.startswith("申请人类型") for legend in legends) and "法人或其他组织" in legends


def test_error_summary_links_to_fields(all_pages):
    tree = parse(all_pages["form with errors"])
    box = tree.xpath("//div[contains(@class,'error-summary')]")[0]
    assert box.get("role") == "alert"
    links = box.xpath(".//a/@href")
    assert links == ["#id_applicant_name", "#id_phone", "#id_form_0"]
    for href in links:
        assert tree.xpath(f"//*[@id='{href[1:]}']"), href


def test_tables_have_captions_and_header_scope(all_pages):
    for name, response in all_pages.items():
        for table in parse(response).xpath("//main//table"):
            assert table.xpath("./caption"), name
            assert all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), name


def test_nav_marks_the_section(all_pages):
    nav = parse(all_pages["form"]).xpath("//nav[@aria-label='主导航']//a[normalize-space()='依申请公开']")[0]
    assert nav.get("aria-current") == "page"
    nav = parse(all_pages["status"]).xpath("//nav[@aria-label='主导航']//a[normalize-space()='依申请公开']")[0]
    assert nav.get("aria-current") == "true"
