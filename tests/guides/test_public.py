"""The public guide pages: list, guide, history; 404 for unpublished guides;
Chinese, accessible, no JavaScript."""

import pytest
from django.urls import reverse
from django.utils import timezone

from gongkai.guides import services
from gongkai.portal.middleware import SecurityHeadersMiddleware
from tests.portal.helpers import parse, text_of

from .conftest import GUIDE_DATA, MATERIALS

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return text_of(parse(response).xpath("//main")[0])


def test_guide_page_shows_every_field_and_the_last_update(client, make_guide):
    guide = make_guide(fees="每件10元", fee_basis="《某省行政事业性收费目录》")
    response = client.get(reverse("guides:detail", args=[guide.pk]))
    assert response.status_code == 200
    text = page_text(response)
    for name, value in {**GUIDE_DATA, "fees": "每件10元", "fee_basis": "《某省行政事业性收费目录》"}.items():
        if name in ("statutory_days", "promised_days"):
            continue
        for line in str(value).splitlines():
            assert line in text, name
    tree = parse(response)
    cells = {text_of(row.xpath("./th")[0]): text_of(row.xpath("./td")[0])
             for row in tree.xpath("//main//table[contains(@class,'guide-table')]//tr")}
    assert cells["法定办结时限"] == "30个工作日" and cells["承诺办结时限"] == "20个工作日"
    assert cells["实施机构"] == "西昌市人民政府" and cells["服务对象"] == "自然人"
    assert cells["收费标准"] == "每件10元" and cells["咨询电话"] == "0834-3226002"
    headings = [text_of(h) for h in tree.xpath("//main//h2")]
    for label in services.FIELD_LABELS.values():
        assert label in cells or label in headings, label
    local = timezone.localtime(guide.updated_at)
    assert f"最后更新：{local.year}年{local.month}月{local.day}日" in text
    assert tree.xpath(f"//main//a[@href='{reverse('guides:history', args=[guide.pk])}']")
    assert tree.xpath("//main//a[@href='https://www.sczwfw.gov.cn/']")


def test_materials_are_a_table_with_source_form_and_copies(client, make_guide):
    guide = make_guide()
    tree = parse(client.get(reverse("guides:detail", args=[guide.pk])))
    table = [t for t in tree.xpath("//main//table") if "申请材料" in text_of(t.xpath("./caption")[0])][0]
    assert [text_of(th) for th in table.xpath("./thead//th")] == ["序号", "材料名称", "来源渠道", "材料形式", "份数", "是否必需", "备注"]
    rows = [[text_of(cell) for cell in row.xpath("./th | ./td")] for row in table.xpath("./tbody/tr")]
    assert rows == [
        ["1", "最低生活保障申请书", "申请人自备", "纸质", "1份", "必需", "申请人签字"],
        ["2", "户口簿", "政府部门核发", "纸质和电子", "2份", "必需", "—"],
        ["3", "残疾证", "其他", "电子", "1份", "非必需", "有残疾的提供"],
    ]


def test_unpublished_guides_answer_404(client, make_guide):
    draft = make_guide(publish=False)
    shown = make_guide(organisation=None, item_code="B-2", item_name="政府信息公开申请")
    for name in ("guides:detail", "guides:history"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
        assert client.get(reverse(name, args=[999999])).status_code == 404
        assert client.get(reverse(name, args=[shown.pk])).status_code == 200
    listing = page_text(client.get(reverse("guides:list")))
    assert "政府信息公开申请" in listing and GUIDE_DATA["item_name"] not in listing
    services.unpublish_guide(shown, user=None, system=True)
    assert client.get(reverse("guides:detail", args=[shown.pk])).status_code == 404
    assert "政府信息公开申请" not in page_text(client.get(reverse("guides:list")))


def test_history_lists_versions_and_what_changed(client, make_guide, data):
    guide = make_guide()
    services.save_guide(guide, organisation=None, data={**data, "promised_days": 10, "hours": "全天"},
                        materials=MATERIALS, user=None, system=True, note="压缩承诺时限")
    services.save_guide(guide, organisation=None, data={**data, "promised_days": 10, "hours": "全天"},
                        materials=MATERIALS[:2] + [{**MATERIALS[2], "name": "重病诊断证明"}], user=None, system=True)
    response = client.get(reverse("guides:history", args=[guide.pk]))
    assert response.status_code == 200
    table = parse(response).xpath("//main//table")[0]
    rows = [[text_of(cell) for cell in row.xpath("./th | ./td")] for row in table.xpath("./tbody/tr")]
    today = timezone.localdate()
    date = f"{today.year}年{today.month}月{today.day}日"
    assert [row[:3] for row in rows] == [["第3版", date, "—"], ["第2版", date, "压缩承诺时限"], ["第1版", date, "首次编制"]]
    changes = [[text_of(li) for li in row.xpath("./td[3]//li")] for row in table.xpath("./tbody/tr")]
    assert changes[0] == ["申请材料（新增：重病诊断证明）（删除：残疾证）"]
    assert changes[1] == ["承诺办结时限", "办理时间"]
    assert changes[2] == [] and rows[2][3] == "首次编制"
    assert "system" not in page_text(response)  # who saved is for staff only


def test_list_filters_by_organisation_and_text(client, org_tree, make_guide):
    make_guide()
    make_guide(item_code="000105001000", item_name="政府信息公开申请")
    make_guide(organisation=org_tree["department"], item_code="000128002000", item_name="建设工程规划许可证核发")
    url = reverse("guides:list")

    def names(response):
        return [text_of(a) for a in parse(response).xpath("//main//ol[contains(@class,'guide-list')]//h3/a")]

    assert sorted(names(client.get(url))) == sorted(["最低生活保障申请", "政府信息公开申请", "建设工程规划许可证核发"])
    assert sorted(names(client.get(url, {"org": org_tree["county"].pk}))) == ["政府信息公开申请", "最低生活保障申请"]
    assert names(client.get(url, {"q": "规划"})) == ["建设工程规划许可证核发"]
    assert names(client.get(url, {"q": "000105"})) == ["政府信息公开申请"]
    assert names(client.get(url, {"q": "申请", "org": org_tree["department"].pk})) == []
    # Anything typed into the address is answered, never a 500.
    response = client.get(url, {"org": "abc", "page": "x"})
    assert response.status_code == 200 and "所选实施机构不存在" in page_text(response) and len(names(response)) == 3
    response = client.get(url, {"org": org_tree["township"].pk})  # no published guides there
    assert response.status_code == 200 and len(names(response)) == 3
    response = client.get(url, {"q": "申" * 500, "page": "99"})
    assert response.status_code == 200


def test_list_is_paginated(client, make_guide):
    for i in range(23):
        make_guide(item_code=f"P{i:03d}", item_name=f"事项{i:03d}")
    url = reverse("guides:list")
    first = parse(client.get(url))
    assert len(first.xpath("//main//ol[contains(@class,'guide-list')]/li")) == 20
    assert first.xpath("//nav[@class='pagination']//a[@rel='next']/@href") == ["?page=2"]
    second = client.get(url, {"page": 2})
    assert len(parse(second).xpath("//main//ol[contains(@class,'guide-list')]/li")) == 3
    beyond = client.get(url, {"page": 7})
    assert "没有第 7 页，共 2 页" in page_text(beyond)
    filtered = parse(client.get(url, {"q": "事项"}))
    assert filtered.xpath("//nav[@class='pagination']//a[@rel='next']/@href") == ["?q=%E4%BA%8B%E9%A1%B9&page=2"]


def test_nav_links_to_the_guides(client, make_guide):
    guide = make_guide()

    def guide_link(path):
        links = parse(client.get(path)).xpath("//nav[@class='site-nav']//a[text()='办事指南']")
        assert len(links) == 1 and links[0].get("href") == reverse("guides:list")
        return links[0].get("aria-current")

    assert guide_link("/") is None
    assert guide_link(reverse("guides:list")) == "page"
    assert guide_link(reverse("guides:detail", args=[guide.pk])) == "true"
    footer = parse(client.get("/")).xpath("//footer//a[text()='办事指南']/@href")
    assert footer == [reverse("guides:list")]


def test_pages_are_accessible_and_script_free(client, make_guide):
    guide = make_guide()
    pages = {
        "list": client.get(reverse("guides:list"), {"q": "保障"}),
        "detail": client.get(reverse("guides:detail", args=[guide.pk])),
        "history": client.get(reverse("guides:history", args=[guide.pk])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert response.headers.get("Content-Security-Policy") == SecurityHeadersMiddleware.POLICY, name
        tree = parse(response)
        assert tree.get("lang") == "zh-CN", name
        assert len(tree.xpath("//h1")) == 1, name
        assert not tree.xpath("//script | //style | //@style"), name
        ids = tree.xpath("//@id")
        assert len(ids) == len(set(ids)), name
        crumbs = tree.xpath("//nav[@class='breadcrumbs wrap']//li")
        assert text_of(crumbs[0]) == "首页" and crumbs[-1].xpath(".//span[@aria-current='page']"), name
        for table in tree.xpath("//main//table"):
            assert table.xpath("./caption"), name
            assert all(th.get("scope") in ("row", "col") for th in table.xpath(".//th")), name
        labelled = set(tree.xpath("//label/@for"))
        for field in tree.xpath("//main//input | //main//select"):
            assert field.get("id") in labelled, (name, field.get("name"))
        for src in tree.xpath("//@src | //@action"):
            assert not src.startswith("http"), (name, src)
    assert client.post(reverse("guides:detail", args=[guide.pk])).status_code == 405
