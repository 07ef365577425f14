"""One installation, many sites (issue 18, 集约化): the site identity as data
(inherited down the tree, in the footer and the monitoring meta tags of
every page), the organisation directory grouped as the tree is, a sub-site
per organisation, the 网站地图, the 受理机关 choice by tree, and the staff page
that edits the identity (uploads checked, permissions denied)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.core.models import AuditEntry, Organisation, SiteIdentity, resolve_site_identity
from tests.portal.helpers import parse, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tree(org_tree):
    """The fixture's tree plus a department of the county and one of the city."""
    county_dept = Organisation.objects.create(
        name="西昌市交通运输局", short_name="西昌市交通局", level="department", parent=org_tree["county"], index_prefix="XCJT01")
    city_dept = Organisation.objects.create(
        name="凉山州教育和体育局", short_name="凉山州教体局", level="department", parent=org_tree["city"], index_prefix="LSJY01")
    return {**org_tree, "county_dept": county_dept, "city_dept": city_dept}


@pytest.fixture
def identity(tree):
    """The installation's identity at the province, and the county's own contact."""
    SiteIdentity.objects.create(
        organisation=tree["province"], site_name="四川省政府信息公开平台", sponsor="四川省人民政府办公厅",
        operator="四川省大数据中心", address="成都市青羊区", phone="028-12345678", email="gk@sc.gov.cn",
        domain="www.sc.gov.cn", site_code="5100000001", icp_number="蜀ICP备05003300号",
        police_number="川公网安备51010402000001号", party_mark_url="https://bszs.conac.cn/sitename?id=1",
        error_report_url="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?id=1")
    SiteIdentity.objects.create(organisation=tree["county"], phone="0834-3222222", site_code="5134010001")
    return tree


def png_bytes(size=(16, 16), fmt="PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 0, 0)).save(buffer, format=fmt)
    return buffer.getvalue()


def meta(page, name):
    return parse(page).xpath(f"//head/meta[@name='{name}']/@content")


def footer_text(page) -> str:
    return text_of(parse(page).xpath("//footer")[0])


# ------------------------------------------------------------------ identity


def test_identity_is_inherited_down_the_tree_field_by_field(identity):
    county = resolve_site_identity(identity["county_dept"])
    assert county.phone == "0834-3222222" and county.site_code == "5134010001"  # the county's own
    assert county.sponsor == "四川省人民政府办公厅" and county.icp_number == "蜀ICP备05003300号"  # from the province
    assert county.agency_name == "西昌市交通运输局"  # never inherited: the body's own name
    township = resolve_site_identity(identity["township"])
    assert township.phone == "0834-3222222"
    department = resolve_site_identity(identity["department"])
    assert department.phone == "028-12345678" and department.site_code == "5100000001"
    # No organisation: the installation's own site, i.e. the top of the tree.
    assert resolve_site_identity(None).agency_name == "四川省人民政府"


def test_without_any_identity_the_settings_name_is_used(org_tree, client, settings):
    settings.GONGKAI_SITE_NAME = "测试公开平台"
    page = client.get("/")
    assert meta(page, "SiteName") == ["测试公开平台"]
    assert meta(page, "SiteIDCode") == []  # no code, no empty tag
    assert meta(page, "SiteDomain") == ["testserver"]
    assert "我为政府网站找错" not in footer_text(page)


def test_home_page_carries_the_meta_tags_and_the_footer(identity, client):
    page = client.get("/")
    assert page.status_code == 200
    assert meta(page, "SiteName") == ["四川省政府信息公开平台"]
    assert meta(page, "SiteDomain") == ["www.sc.gov.cn"]
    assert meta(page, "SiteIDCode") == ["5100000001"]
    assert meta(page, "ColumnName") == ["首页"]
    assert meta(page, "ArticleTitle") == []
    footer = footer_text(page)
    for text in ("主办单位：四川省人民政府办公厅", "承办单位：四川省大数据中心", "网站标识码：5100000001",
                 "ICP备案号：蜀ICP备05003300号", "公安机关备案号：川公网安备51010402000001号", "028-12345678"):
        assert text in footer, text
    links = {a.text_content(): a.get("href") for a in parse(page).xpath("//footer//a")}
    assert links["我为政府网站找错"].startswith("https://zfwzzc.www.gov.cn/")
    assert links["党政机关网站标识"] == "https://bszs.conac.cn/sitename?id=1"
    assert links["网站地图"] == "/sitemap/" and links["机构网站导航"] == "/org/"
    assert parse(page).xpath("//header//a[@class='site-name']")[0].text_content() == "四川省政府信息公开平台"


def test_a_document_page_carries_the_article_tags(identity, client, make_document):
    doc = make_document(identity["county"], "关于加强城市道路养护工作的通知", "正文。")
    page = client.get(doc.get_absolute_url())
    assert page.status_code == 200
    assert meta(page, "ArticleTitle") == ["关于加强城市道路养护工作的通知"]
    assert meta(page, "PubDate") == ["2024-03-01"]
    assert meta(page, "ContentSource") == ["西昌市人民政府"]
    assert meta(page, "ColumnName") == ["政府信息公开目录"]
    assert meta(page, "SiteIDCode") == ["5100000001"]


def test_identity_text_is_escaped(tree, client):
    SiteIdentity.objects.create(organisation=tree["province"], sponsor='<script>alert(1)</script>',
                                site_name='平台"><b>x</b>')
    page = client.get("/")
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"><b>x</b>' not in html
    assert meta(page, "SiteName") == ['平台"><b>x</b>']


def test_a_changed_identity_shows_at_once_on_cached_pages(identity, client, admin_user):
    assert "四川省大数据中心" in footer_text(client.get("/"))
    staff = client.__class__()
    staff.force_login(admin_user)
    data = {"site_name": "四川省政府信息公开平台", "operator": "四川省政务服务中心"}
    assert staff.post(f"/staff/site-identity/{identity['province'].pk}/", data).status_code == 302
    footer = footer_text(client.get("/"))
    assert "四川省政务服务中心" in footer and "四川省大数据中心" not in footer


# ------------------------------------------------------------------ directory and sub-sites


def test_the_directory_is_grouped_as_the_tree_is(tree, client):
    page = client.get("/org/")
    assert page.status_code == 200
    doc = parse(page)
    root = doc.xpath("//nav[@aria-label='机构网站导航']/ul/li")
    assert [text_of(li.xpath("./a")[0]) for li in root] == ["四川省人民政府"]

    def children(li, group):
        summary = [d for d in li.xpath("./details") if group in text_of(d.xpath("./summary")[0])]
        return summary[0].xpath("./ul/li") if summary else []

    province = root[0]
    assert [text_of(li.xpath("./a")[0]) for li in children(province, "所属部门")] == ["四川省财政厅"]
    city = children(province, "下级政府")
    assert [text_of(li.xpath("./a")[0]) for li in city] == ["凉山彝族自治州人民政府"]
    assert [text_of(li.xpath("./a")[0]) for li in children(city[0], "所属部门")] == ["凉山州教育和体育局"]
    county = children(city[0], "下级政府")
    assert [text_of(li.xpath("./a")[0]) for li in county] == ["西昌市人民政府"]
    assert [text_of(li.xpath("./a")[0]) for li in children(county[0], "所属部门")] == ["西昌市交通运输局"]
    assert [text_of(li.xpath("./a")[0]) for li in children(county[0], "下级政府")] == ["西昌市安宁镇人民政府"]
    # Never a flat list: the county's department is three levels down.
    dept_link = doc.xpath("//a[text()='西昌市交通运输局']")[0]
    assert len(dept_link.xpath("ancestor::li")) == 4
    assert dept_link.get("href") == f"/org/{tree['county_dept'].pk}/"
    assert not doc.xpath("//script")


def test_a_sub_site_has_its_name_documents_links_and_inherited_contact(identity, client, make_document):
    dept = identity["county_dept"]
    make_document(dept, "西昌市交通运输局关于调整公交线路的公告", "正文。")
    make_document(identity["county"], "西昌市人民政府的另一份文件", "正文。")
    make_document(dept, "西昌市交通运输局的草稿", "正文。", publish=False)
    page = client.get(f"/org/{dept.pk}/")
    assert page.status_code == 200
    doc = parse(page)
    assert text_of(doc.xpath("//h1")[0]) == "西昌市交通运输局"
    main = text_of(doc.xpath("//main")[0])
    assert "关于调整公交线路的公告" in main
    assert "另一份文件" not in main and "草稿" not in main
    links = {text_of(a): a.get("href") for a in doc.xpath("//main//a")}
    assert links["政府信息公开"] == f"/xxgk/org/{dept.pk}/"
    assert links["政府信息公开目录"] == f"/catalog/?org={dept.pk}"
    assert links["向本机关申请公开"] == f"/apply/?org={dept.pk}"
    assert "办事指南" not in links  # no published guides: no link to an empty filter
    assert links["西昌市人民政府"] == f"/org/{identity['county'].pk}/"
    assert "0834-3222222" in main  # the county's phone, inherited
    # The page's footer and tags are the sub-site's own.
    assert meta(page, "SiteIDCode") == ["5134010001"]
    assert meta(page, "ColumnName") == ["西昌市交通运输局"]
    assert "西昌市交通运输局" in footer_text(page)
    crumbs = [text_of(li) for li in doc.xpath("//nav[@aria-label='当前位置']//li")]
    assert crumbs == ["首页", "机构网站导航", "四川省", "凉山州", "西昌市", "西昌市交通局"]


def test_a_sub_site_that_does_not_exist_is_404(tree, client):
    assert client.get("/org/999999/").status_code == 404
    assert client.get("/org/abc/").status_code == 404


def test_the_site_map_lists_the_sections_and_the_directory(tree, client):
    page = client.get("/sitemap/")
    assert page.status_code == 200
    hrefs = set(parse(page).xpath("//main//a/@href"))
    assert {"/", "/catalog/", "/search/", "/org/", f"/org/{tree['province'].pk}/", f"/org/{tree['city'].pk}/"} <= hrefs


def test_the_application_form_groups_the_organisations_by_government(tree, client):
    page = client.get("/apply/")
    select = parse(page).xpath("//select[@name='organisation']")[0]
    groups = {g.get("label"): [o.text_content() for o in g.xpath("./option")] for g in select.xpath("./optgroup")}
    assert groups["四川省"] == ["四川省人民政府", "四川省财政厅"]
    assert groups["四川省 › 凉山州"] == ["凉山彝族自治州人民政府", "凉山州教育和体育局"]
    assert groups["四川省 › 凉山州 › 西昌市"] == ["西昌市人民政府", "西昌市交通运输局"]
    assert groups["四川省 › 凉山州 › 西昌市 › 安宁镇"] == ["西昌市安宁镇人民政府"]
    assert select.xpath("./option/@value") == [""]  # only the prompt outside the groups
    page = client.get(f"/apply/?org={tree['county_dept'].pk}")
    assert parse(page).xpath("//select[@name='organisation']//option[@selected]/@value") == [str(tree["county_dept"].pk)]


# ------------------------------------------------------------------ staff editing


def edit_url(org) -> str:
    return f"/staff/site-identity/{org.pk}/"


def test_an_office_admin_edits_an_organisation_below_and_it_is_audited(tree, client, make_user):
    admin = make_user("xcgk", (tree["county"], "office_admin"))
    client.force_login(admin)
    listing = client.get("/staff/site-identity/")
    assert listing.status_code == 200
    names = [text_of(td) for td in parse(listing).xpath("//tbody/tr/td[1]")]
    assert names == ["西昌市人民政府", "西昌市安宁镇人民政府", "西昌市交通运输局"]
    data = {"agency_name": "西昌市交通运输局（西昌市交通战备办公室）", "phone": "0834-1111111",
            "emblem_upload": SimpleUploadedFile("emblem.png", png_bytes(), content_type="image/png")}
    response = client.post(edit_url(tree["county_dept"]), data)
    assert response.status_code == 302
    row = SiteIdentity.objects.get(organisation=tree["county_dept"])
    assert row.phone == "0834-1111111" and row.emblem.name.endswith(".png")
    entry = AuditEntry.objects.filter(action="site_identity.update").first()
    assert entry is not None and entry.actor == "xcgk" and entry.object_id == str(tree["county_dept"].pk)
    # The public sub-site shows the new name and serves the emblem as a PNG.
    anonymous = client.__class__()
    page = anonymous.get(f"/org/{tree['county_dept'].pk}/")
    assert "西昌市交通运输局（西昌市交通战备办公室）" in text_of(parse(page).xpath("//h1")[0])
    src = parse(page).xpath("//img[@class='org-emblem']/@src")[0]
    image = anonymous.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff" and image.content == png_bytes()
    # The township below inherits the emblem; removing it falls back to nothing.
    assert resolve_site_identity(tree["county_dept"]).emblem_owner == tree["county_dept"].pk
    client.post(edit_url(tree["county_dept"]), {"remove_emblem": "on"})
    assert resolve_site_identity(tree["county_dept"]).emblem_owner is None
    assert anonymous.get(src).status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("emblem.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG或JPEG"),
    ("emblem.png", b"GIF89a not really a png", "PNG或JPEG"),
    ("emblem.gif", None, "PNG或JPEG"),  # a real GIF image: not accepted
    ("emblem.png", b"\x89PNG\r\n\x1a\n" + b"0" * (600 * 1024), "不能超过512KB"),
    ("big.png", "big", "不能超过1024像素"),
])
def test_uploads_that_are_not_small_png_or_jpeg_are_refused(tree, client, make_user, name, content, message):
    if content is None:
        content = png_bytes(fmt="GIF")
    elif content == "big":
        content = png_bytes(size=(2000, 20))
    client.force_login(make_user("xcgk", (tree["county"], "office_admin")))
    response = client.post(edit_url(tree["county"]), {"phone": "0834-2", "emblem_upload": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in text_of(parse(response).xpath("//div[@role='alert']")[0])
    assert not SiteIdentity.objects.exists()  # nothing half-saved


def test_bad_links_and_codes_get_a_chinese_message(tree, client, make_user):
    client.force_login(make_user("xcgk", (tree["county"], "office_admin")))
    response = client.post(edit_url(tree["county"]), {
        "error_report_url": "javascript:alert(1)", "site_code": "51 00<", "email": "not-an-address"})
    assert response.status_code == 200
    alert = text_of(parse(response).xpath("//div[@role='alert']")[0])
    assert "请填写完整的网址" in alert and "只能由字母和数字组成" in alert and "有效的电子邮箱" in alert
    assert not SiteIdentity.objects.exists()


def test_who_may_not_edit_is_refused(tree, client, make_user):
    county_admin = make_user("xcgk", (tree["county"], "office_admin"))
    drafter = make_user("qicao", (tree["county_dept"], "drafter"))
    province_admin = make_user("scgk", (tree["province"], "office_admin"))
    client.force_login(county_admin)
    assert client.get(edit_url(tree["city"])).status_code == 403  # above
    assert client.get(edit_url(tree["department"])).status_code == 403  # a sibling branch
    assert client.post(edit_url(tree["city"]), {"phone": "1"}).status_code == 403
    client.force_login(drafter)
    assert client.get("/staff/site-identity/").status_code == 403
    assert client.get(edit_url(tree["county_dept"])).status_code == 403
    # The root (the installation's own site) is the system administrator's.
    client.force_login(province_admin)
    assert client.get(edit_url(tree["city"])).status_code == 200
    assert client.post(edit_url(tree["province"]), {"phone": "1"}).status_code == 403
    assert not SiteIdentity.objects.exists()
    anonymous = client.__class__()
    assert anonymous.get(edit_url(tree["county"])).status_code == 302  # to the login page


def test_the_superuser_edits_the_root(tree, client, admin_user):
    client.force_login(admin_user)
    response = client.post(edit_url(tree["province"]), {"site_name": "四川省政府信息公开平台", "site_code": "5100000001"})
    assert response.status_code == 302
    assert resolve_site_identity(tree["township"]).site_code == "5100000001"


def test_the_login_page_shows_the_site_name_not_the_host(tree, client):
    SiteIdentity.objects.create(organisation=tree["province"], site_name="四川省政府信息公开平台")
    page = client.get("/staff/login/")
    html = page.content.decode()
    assert "testserver" not in text_of(parse(page).xpath("//title")[0])
    assert text_of(parse(page).xpath("//title")[0]) == "工作人员登录 · 四川省政府信息公开平台"
    assert parse(page).xpath("//header//a[@class='site-name']")[0].text_content() == "四川省政府信息公开平台"
    assert ">testserver<" not in html
