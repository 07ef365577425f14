"""The staff pages under /staff/guides/: sign-in, scope (404 outside it, 403
without the edit permission), the form with its material rows, Chinese
messages on bad input, publish and unpublish."""

import pytest
from django.urls import reverse

from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.guides.models import GuideMaterial, ServiceGuide, ServiceGuideVersion
from tests.portal.helpers import form_data as page_form_data
from tests.portal.helpers import parse, text_of

from .conftest import GUIDE_DATA

pytestmark = pytest.mark.django_db


def form_data(response, form_id="guide-form") -> dict:
    return page_form_data(response, form_id)


def counts():
    return (ServiceGuide.objects.count(), GuideMaterial.objects.count(),
            ServiceGuideVersion.objects.count(), AuditEntry.objects.count())


def fill_guide(data: dict, organisation=None, **changes) -> dict:
    for name, value in {**GUIDE_DATA, **changes}.items():
        data[name] = "" if value is None else str(value)
    if organisation is not None:
        data["organisation"] = str(organisation.pk)
    return data


def errors_of(response) -> str:
    tree = parse(response)
    return " ".join(text_of(e) for e in tree.xpath("//*[@role='alert'] | //*[contains(@class,'field-error')]"))


# ---------------------------------------------------------------- sign-in and scope


def test_anonymous_is_sent_to_the_login_page(client, make_guide):
    guide = make_guide()
    login = reverse("workspace:login")
    for url in (reverse("guides_staff:list"), reverse("guides_staff:new"),
                reverse("guides_staff:detail", args=[guide.pk]), reverse("guides_staff:edit", args=[guide.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    for name in ("guides_staff:publish", "guides_staff:unpublish"):
        response = client.post(reverse(name, args=[guide.pk]))
        assert response.status_code == 302 and response["Location"].startswith(login)
    assert ServiceGuide.objects.get(pk=guide.pk).published


def test_staff_list_shows_only_guides_in_scope(client, org_tree, users, make_guide):
    a_draft = make_guide(publish=False, item_name="A机构未发布指南")
    make_guide(organisation=org_tree["department"], item_code="B-1", item_name="B机构指南")
    url = reverse("guides_staff:list")

    def listed(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return [text_of(a) for a in parse(response).xpath("//main//table/tbody//th/a")]

    assert listed(users["drafter_b"]) == ["B机构指南"]
    assert listed(users["drafter_a"]) == ["A机构未发布指南"]
    assert listed(users["publisher_a"]) == ["A机构未发布指南"]
    assert listed(users["city_admin"]) == ["A机构未发布指南"]  # the county is below the city
    assert listed(users["nobody"]) == []
    assert listed(users["drafter_b"]) == ["B机构指南"]
    response = client.get(url, {"q": "A机构"})
    assert parse(response).xpath("//main//table/tbody//th/a") == [] and "A机构未发布指南" not in response.content.decode()
    # Nor by address: outside the scope a guide does not exist.
    for name in ("guides_staff:detail", "guides_staff:edit"):
        assert client.get(reverse(name, args=[a_draft.pk])).status_code == 404
    assert client.post(reverse("guides_staff:publish", args=[a_draft.pk])).status_code == 404
    assert not ServiceGuide.objects.get(pk=a_draft.pk).published


def test_seeing_without_the_edit_permission_is_403(client, users, make_guide, data):
    guide = make_guide()
    client.force_login(users["publisher_a"])
    assert client.get(reverse("guides_staff:detail", args=[guide.pk])).status_code == 200
    response = client.get(reverse("guides_staff:edit", args=[guide.pk]))
    assert response.status_code == 403 and "您没有编辑该机构办事指南的权限。" in response.content.decode()
    before = counts()
    assert client.post(reverse("guides_staff:edit", args=[guide.pk]), fill_guide({}, hours="全天")).status_code == 403
    assert client.post(reverse("guides_staff:unpublish", args=[guide.pk])).status_code == 403
    assert client.get(reverse("guides_staff:new")).status_code == 403
    assert counts() == before and ServiceGuide.objects.get(pk=guide.pk).published
    detail = parse(client.get(reverse("guides_staff:detail", args=[guide.pk])))
    assert not detail.xpath("//form[contains(@action,'publish')]")


# ---------------------------------------------------------------- create and edit


def test_drafter_creates_a_guide_through_the_form(client, org_tree, users):
    client.force_login(users["drafter_a"])
    page = client.get(reverse("guides_staff:new"))
    assert page.status_code == 200
    options = parse(page).xpath("//select[@name='organisation']/option/@value")
    assert options == ["", str(org_tree["county"].pk)]  # only where the user may write guides
    data = fill_guide(form_data(page), organisation=org_tree["county"])
    assert data["materials-TOTAL_FORMS"] == "3"
    data.update({"materials-0-name": "申请书", "materials-0-copies": "2", "materials-0-form": "both",
                 "materials-1-name": "身份证", "materials-1-source": "government", "note": "首次编制"})
    data.pop("materials-1-required")  # not required
    response = client.post(reverse("guides_staff:new"), data)
    guide = ServiceGuide.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("guides_staff:detail", args=[guide.pk])
    assert (guide.item_name, guide.version, guide.published, guide.organisation) == (
        GUIDE_DATA["item_name"], 1, False, org_tree["county"])
    assert guide.process == GUIDE_DATA["process"]
    assert [(m.name, m.source, m.form, m.copies, m.required) for m in guide.materials.all()] == [
        ("申请书", "applicant", "both", 2, True), ("身份证", "government", "paper", 1, False),
    ]  # the third, empty row is ignored
    assert guide.versions.get().note == "首次编制" and guide.versions.get().saved_by == "drafter_a"
    detail = client.get(response["Location"])
    assert "办事指南已保存（第1版）" in detail.content.decode()


def test_other_target_is_typed_in(client, org_tree, users):
    client.force_login(users["drafter_a"])
    data = fill_guide(form_data(client.get(reverse("guides_staff:new"))), organisation=org_tree["county"])
    data["target"] = "other"
    response = client.post(reverse("guides_staff:new"), data)
    assert response.status_code == 200 and "服务对象选择“其他”时，请填写其他服务对象。" in errors_of(response)
    data["target_other"] = "个体工商户"
    assert client.post(reverse("guides_staff:new"), data).status_code == 302
    guide = ServiceGuide.objects.get()
    assert guide.target == "个体工商户"
    edit = parse(client.get(reverse("guides_staff:edit", args=[guide.pk])))
    assert edit.xpath("//select[@name='target']/option[@selected]/@value") == ["other"]
    assert edit.xpath("//input[@name='target_other']/@value") == ["个体工商户"]


def test_editing_adds_a_version_and_an_unchanged_form_does_not(client, users, make_guide):
    guide = make_guide()
    client.force_login(users["drafter_a"])
    url = reverse("guides_staff:edit", args=[guide.pk])
    data = form_data(client.get(url))
    assert data["materials-INITIAL_FORMS"] == "3" and data["materials-TOTAL_FORMS"] == "6"
    assert data["materials-1-name"] == "户口簿" and data["version"] == "1"

    before = counts()
    response = client.post(url, data)  # exactly what the page showed
    assert response.status_code == 302
    assert counts() == before
    assert "内容没有变化，未生成新版本。" in client.get(response["Location"]).content.decode()

    data = form_data(client.get(url))
    data.update({"promised_days": "15", "note": "压缩时限", "materials-2-DELETE": "on",
                 "materials-0-ORDER": "5", "materials-3-name": "委托书", "materials-3-required": ""})
    data.pop("materials-3-required")
    assert client.post(url, data).status_code == 302
    guide.refresh_from_db()
    assert guide.version == 2 and guide.promised_days == 15
    assert list(guide.materials.values_list("name", "required")) == [
        ("户口簿", True), ("最低生活保障申请书", True), ("委托书", False),
    ]
    assert guide.versions.get(number=2).note == "压缩时限"
    assert guide.published  # editing does not take a guide off the site
    assert audit.verify().ok


def test_office_admin_of_the_parent_edits_a_childs_guide(client, org_tree, users, make_guide):
    guide = make_guide()
    client.force_login(users["city_admin"])
    url = reverse("guides_staff:edit", args=[guide.pk])
    data = form_data(client.get(url))
    data["hours"] = "全天"
    data["organisation"] = str(org_tree["city"].pk)  # disabled on the form: ignored
    assert client.post(url, data).status_code == 302
    guide.refresh_from_db()
    assert guide.hours == "全天" and guide.version == 2 and guide.organisation == org_tree["county"]
    assert guide.versions.get(number=2).saved_by == "city_admin"


def test_a_stale_form_is_refused(client, users, make_guide):
    guide = make_guide()
    client.force_login(users["drafter_a"])
    url = reverse("guides_staff:edit", args=[guide.pk])
    first, second = form_data(client.get(url)), form_data(client.get(url))
    first["hours"], second["hours"] = "上午", "下午"
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200 and "已被他人修改（现为第2版）" in errors_of(response)
    assert ServiceGuide.objects.get(pk=guide.pk).hours == "上午"


def test_creating_in_another_organisation_is_refused(client, org_tree, users):
    client.force_login(users["drafter_b"])
    data = fill_guide(form_data(client.get(reverse("guides_staff:new"))), organisation=org_tree["county"])
    before = counts()
    response = client.post(reverse("guides_staff:new"), data)
    assert response.status_code == 200 and "请从列表中选择实施机构" in errors_of(response)
    assert counts() == before


# ---------------------------------------------------------------- bad input


BAD_FORMS = [
    ({"promised_days": "31"}, "承诺办结时限（31个工作日）不能超过法定办结时限（30个工作日）。"),
    ({"online_link": "ftp://example.org"}, "网上办理地址须为以 http:// 或 https:// 开头的有效网址。"),
    ({"online_link": "javascript:alert(1)"}, "网上办理地址须为以 http:// 或 https:// 开头的有效网址。"),
    ({"item_name": ""}, "请填写事项名称。"),
    ({"statutory_days": "三十"}, "法定办结时限须填写整数（工作日数）。"),
    ({"statutory_days": "0"}, "法定办结时限至少为1个工作日。"),
    ({"item_code": "编码 1"}, "事项编码只能包含字母、数字"),
    ({"target": "法人代表"}, "请从列表中选择服务对象。"),
    ({"fees": "每件20元"}, "收费的事项须填写收费依据"),
    ({"enquiry_phone": "无"}, "咨询电话只能包含数字"),
    ({"item_name": "名" * 201}, "事项名称不能超过200个字（现有201个字）。"),
    ({"materials-0-copies": "0", "materials-0-name": "申请书"}, "第1项申请材料：份数至少为1份。"),
    ({"materials-0-copies": "2"}, "第1项申请材料：请填写材料名称。"),
    ({"materials-0-name": "申请书", "materials-1-name": "申请书"}, "第2项申请材料：材料名称“申请书”与前面的材料重复。"),
    ({"materials-0-name": "申请书", "materials-0-source": "网上"}, "第1项申请材料：来源渠道的取值“网上”无效"),
]


@pytest.mark.parametrize("changes,message", BAD_FORMS, ids=[str(i) for i in range(len(BAD_FORMS))])
def test_bad_input_re_renders_the_form_with_chinese_messages(client, org_tree, users, changes, message):
    client.force_login(users["drafter_a"])
    data = fill_guide(form_data(client.get(reverse("guides_staff:new"))), organisation=org_tree["county"])
    data.update(changes)
    before = counts()
    response = client.post(reverse("guides_staff:new"), data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert "未保存，请修改以下内容" in errors_of(response)
    assert counts() == before
    # What was typed is kept on the form.
    kept = form_data(response)
    selects = ("target", "materials-0-source")  # an invalid choice cannot be shown selected
    assert all(kept.get(name) == value for name, value in changes.items() if name not in selects), changes


def test_broken_formset_data_is_answered_not_500(client, org_tree, users, make_guide):
    client.force_login(users["drafter_a"])
    data = fill_guide({}, organisation=org_tree["county"])  # no management form at all
    response = client.post(reverse("guides_staff:new"), data)
    assert response.status_code == 200 and "申请材料表单数据不完整" in errors_of(response)
    data.update({"materials-TOTAL_FORMS": "500", "materials-INITIAL_FORMS": "0"})
    response = client.post(reverse("guides_staff:new"), data)
    assert response.status_code == 200 and "申请材料不能超过50项。" in errors_of(response)
    assert ServiceGuide.objects.count() == 0


# ---------------------------------------------------------------- publishing


def test_publish_and_unpublish_buttons(client, users, make_guide):
    guide = make_guide(publish=False)
    client.force_login(users["drafter_a"])
    detail_url = reverse("guides_staff:detail", args=[guide.pk])
    tree = parse(client.get(detail_url))
    form = tree.xpath(f"//form[@action='{reverse('guides_staff:publish', args=[guide.pk])}']")[0]
    assert form.get("method") == "post" and form.xpath(".//input[@name='csrfmiddlewaretoken']")
    assert client.get(reverse("guides_staff:publish", args=[guide.pk])).status_code == 405
    assert client.get(reverse("guides:detail", args=[guide.pk])).status_code == 404

    response = client.post(reverse("guides_staff:publish", args=[guide.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url
    assert ServiceGuide.objects.get(pk=guide.pk).published
    assert client.get(reverse("guides:detail", args=[guide.pk])).status_code == 200
    assert parse(client.get(detail_url)).xpath(f"//form[@action='{reverse('guides_staff:unpublish', args=[guide.pk])}']")

    client.post(reverse("guides_staff:unpublish", args=[guide.pk]))
    assert not ServiceGuide.objects.get(pk=guide.pk).published
    assert client.get(reverse("guides:detail", args=[guide.pk])).status_code == 404
    actions = list(AuditEntry.objects.filter(object_id=str(guide.pk), object_type="service_guide")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["guide.create", "guide.publish", "guide.unpublish"]
    assert ServiceGuideVersion.objects.filter(guide=guide).count() == 1


def test_staff_pages_have_labels_captions_and_one_h1(client, users, make_guide):
    guide = make_guide()
    client.force_login(users["drafter_a"])
    for url in (reverse("guides_staff:list"), reverse("guides_staff:new"),
                reverse("guides_staff:detail", args=[guide.pk]), reverse("guides_staff:edit", args=[guide.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        tree = parse(response)
        assert len(tree.xpath("//h1")) == 1, url
        assert not tree.xpath("//script | //@style"), url
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), url
        labelled = set(tree.xpath("//label/@for"))
        for field in tree.xpath("//main//input | //main//select | //main//textarea"):
            if field.get("type") in ("hidden", "submit"):
                continue
            assert field.get("id") in labelled, (url, field.get("name"))
        for table in tree.xpath("//main//table"):
            assert table.xpath("./caption") and all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), url
