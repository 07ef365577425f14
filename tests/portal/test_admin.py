"""The Django admin in Chinese: staff manage organisations, vocabularies and
documents, and saving goes through the catalog services."""

import pytest
from django.urls import reverse

from gongkai.catalog.models import Document, Genre, Relation, Topic
from gongkai.core.models import Organisation
from gongkai.search.services import search

from .helpers import form_data, parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "s3cret-pass")
    client.force_login(user)  # the login form itself is tested below (django-axes needs the request)
    return user


def errors(response) -> str:
    return " ".join(text_of(e) for e in parse(response).cssselect(".errorlist, .errornote"))


def test_anonymous_and_non_staff_are_sent_to_the_login_page(client, django_user_model):
    url = reverse("admin:catalog_document_changelist")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(django_user_model.objects.create_user("citizen", password="pw-123456"))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_staff_log_in_through_the_chinese_login_form(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="pw-123456", is_staff=True)
    page = client.get(reverse("admin:login"))
    assert "用户名" in page.content.decode() and "登录" in page.content.decode()
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": "pw-123456", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "model", ["core_organisation", "catalog_topic", "catalog_genre", "catalog_document"]
)
def test_admin_pages_render_in_chinese(client, staff, portal_catalog, model):
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    add = client.get(reverse(f"admin:{model}_add"))
    assert add.status_code == 200
    assert "保存" in add.content.decode()


def test_change_pages_render(client, staff, portal_catalog):
    for obj in (portal_catalog.docs["plan"], portal_catalog.orgs["city"], portal_catalog.topics["open"],
                portal_catalog.genres["notice"]):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("admin:catalog_document_change", args=[portal_catalog.docs["plan"].pk]))
    html = page.content.decode()
    assert portal_catalog.docs["plan"].index_number in html and "附件" in html and "文件关系" in html
    assert client.get(reverse("admin:catalog_document_changelist"), {"q": "政务公开"}).status_code == 200
    assert client.get(reverse("admin:catalog_document_changelist"), {"status__exact": "withdrawn"}).status_code == 200


def new_document_data(client, org, **overrides) -> dict:
    data = form_data(client.get(reverse("admin:catalog_document_add")), "document_form")
    data.update(
        organisation=str(org.pk),
        title="关于开展政务公开标准化建设的通知",
        document_number="川府发[2024]７号",
        topic=str(Topic.objects.get(name="政务公开").pk),
        genre=str(Genre.objects.get(name="通知").pk),
        written_date="2024-05-06",
        published_date="2024-05-08",
        validity="valid",
        disclosure="proactive",
        body='<p>各市（州）人民政府：</p><script>alert(1)</script><p onclick="x()">请认真贯彻执行。</p>',
    )
    data.update(overrides)
    return data


def test_staff_add_a_document_through_the_services(client, staff, portal_catalog):
    plan = portal_catalog.docs["plan"]
    data = new_document_data(client, portal_catalog.orgs["province"])
    # One relation in the inline: cites the plan by its number as people type it.
    data.update({"outgoing-TOTAL_FORMS": "1", "outgoing-0-kind": "cites",
                 "outgoing-0-target_document_number": "川府发（2024）3号", "outgoing-0-target_title": ""})
    response = client.post(reverse("admin:catalog_document_add"), data)
    assert response.status_code == 302, errors(response)
    doc = Document.objects.get(title="关于开展政务公开标准化建设的通知")
    assert doc.document_number == "川府发〔2024〕7号" and doc.document_number_raw == "川府发[2024]７号"
    assert (doc.issuer_code, doc.number_year, doc.number_serial) == ("川府发", 2024, 7)
    assert "<script" not in doc.body and "onclick" not in doc.body and "请认真贯彻执行。" in doc.body
    assert "请认真贯彻执行" in doc.body_text
    assert doc.status == Document.Status.DRAFT and doc.index_number is None
    relation = Relation.objects.get(source=doc)
    assert relation.target == plan and relation.target_document_number == "川府发〔2024〕3号"
    assert relation.target_title == plan.title


def test_admin_refuses_bad_input_with_chinese_messages(client, staff, portal_catalog):
    before = Document.objects.count()
    data = new_document_data(client, portal_catalog.orgs["province"], written_date="2024-06-01", published_date="2024-05-01")
    response = client.post(reverse("admin:catalog_document_add"), data)
    assert response.status_code == 200 and "成文日期不能晚于发布日期" in errors(response)
    data = new_document_data(client, portal_catalog.orgs["province"], document_number="川府发〔2024〕3号")
    response = client.post(reverse("admin:catalog_document_add"), data)
    assert response.status_code == 200 and "本机构已有发文字号为“川府发〔2024〕3号”的文件" in errors(response)
    data = new_document_data(client, portal_catalog.orgs["province"], disclosure="withheld")
    response = client.post(reverse("admin:catalog_document_add"), data)
    assert response.status_code == 200 and "必须选择法定依据" in errors(response)
    assert Document.objects.count() == before


def test_staff_change_a_document_and_search_follows(client, staff, portal_catalog):
    doc = portal_catalog.docs["funds"]
    url = reverse("admin:catalog_document_change", args=[doc.pk])
    data = form_data(client.get(url), "document_form")
    data.update(title="关于加强专项债券资金管理的意见", document_number="川财发【2024】05号")
    response = client.post(url, data)
    assert response.status_code == 302, errors(response)
    doc.refresh_from_db()
    assert doc.title == "关于加强专项债券资金管理的意见" and doc.document_number == "川财发〔2024〕5号"
    assert doc.status == Document.Status.PUBLISHED and doc.index_number  # unchanged by editing
    assert [h.document.pk for h in search("专项债券").hits] == [doc.pk]


def test_publish_and_withdraw_actions(client, staff, portal_catalog):
    draft = portal_catalog.docs["draft"]
    changelist = reverse("admin:catalog_document_changelist")
    response = client.post(changelist, {"action": "publish_selected", "_selected_action": [draft.pk]}, follow=True)
    assert "已发布 1 条政府信息" in response.content.decode()
    draft.refresh_from_db()
    year = draft.published_date.year
    assert draft.status == Document.Status.PUBLISHED
    published_this_year = Document.objects.filter(organisation=draft.organisation, index_year=year).count()
    assert draft.index_number == f"{draft.organisation.index_prefix}/{year}-{published_this_year:05d}"
    assert client.get(draft.get_absolute_url()).status_code == 200

    response = client.post(changelist, {"action": "withdraw_selected", "_selected_action": [draft.pk]}, follow=True)
    assert "已撤回 1 条政府信息" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Document.Status.WITHDRAWN and draft.withdrawn_at is not None
    assert client.get(draft.get_absolute_url()).status_code == 410
    response = client.post(changelist, {"action": "withdraw_selected", "_selected_action": [draft.pk]}, follow=True)
    assert "1 条不是已发布状态，无法撤回" in response.content.decode()


def test_staff_add_an_organisation_with_a_checked_credit_code(client, staff, db):
    url = reverse("admin:core_organisation_add")
    data = form_data(client.get(url), "organisation_form")
    data.update(name="测试县人民政府", short_name="测试县", level="county", issuer_code="测府发",
                index_prefix="TEST01", credit_code="11510000MB1234567A")
    response = client.post(url, data)
    # A wrong check character is refused, saying which character is wrong.
    assert response.status_code == 200 and "第18位（校验码）" in errors(response)
    assert not Organisation.objects.filter(name="测试县人民政府").exists()
    data["credit_code"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert Organisation.objects.get(name="测试县人民政府").level == "county"


def test_staff_extend_the_vocabularies(client, staff, db):
    parent = Topic.objects.get(parent__isnull=True, name="综合政务")
    url = reverse("admin:catalog_topic_add")
    data = form_data(client.get(url), "topic_form")
    data.update(name="基层政务公开", parent=str(parent.pk), sort_order="99")
    assert client.post(url, data).status_code == 302
    assert parent.children.filter(name="基层政务公开").exists()
    url = reverse("admin:catalog_genre_add")
    data = form_data(client.get(url), "genre_form")
    data.update(name="工作方案", sort_order="99")
    assert client.post(url, data).status_code == 302
    assert Genre.objects.filter(name="工作方案").exists()


def test_repeated_failed_logins_lock_the_account(client, django_user_model, settings):
    django_user_model.objects.create_user("clerk", password="right-password-1", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post(url, {"username": "clerk", "password": "wrong"})
    assert locked.status_code == 429 and "暂时锁定" in locked.content.decode()
    # Even the right password is refused while locked, and nobody is signed in.
    again = client.post(url, {"username": "clerk", "password": "right-password-1"})
    assert again.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302
    # Another account from the same address is not locked.
    django_user_model.objects.create_user("other", password="right-password-2", is_staff=True)
    assert client.post(url, {"username": "other", "password": "right-password-2"}).status_code == 302
