"""The 政府信息公开 column (issue 18): the shipped column tree, the rules that
fill columns from the catalog, the versioned openness guide, the public
pages with their four fixed entries, and the staff pages with their denials."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.catalog.models import Genre, Topic
from gongkai.core.models import AuditEntry
from gongkai.portal import column_data, column_selectors, column_services
from gongkai.portal.models import ColumnRule, DisclosureColumn, OpennessGuide

GUIDE = {
    "finding": "通过本网站政府信息公开专栏查阅。",
    "applying": "填写申请表，通过互联网或信函提出申请。",
    "office_name": "西昌市人民政府办公室",
    "address": "西昌市航天大道一号",
    "hours": "工作日 9:00—12:00，14:30—17:30",
    "phone": "0834-1234567",
    "fees": "",
    "remedies": "可以向上一级行政机关投诉、举报，也可以依法申请行政复议或者提起行政诉讼。",
}


def _topic(path):
    first, second = path.split("/")
    return Topic.objects.get(parent__name=first, parent__parent=None, name=second)


# ---------------------------------------------------------------- data


@pytest.mark.django_db
def test_the_shipped_tree_covers_article_20_and_21():
    names = set(DisclosureColumn.objects.values_list("name", flat=True))
    for item in ("规章", "行政规范性文件", "机构职能", "规划计划", "统计信息", "行政许可", "行政处罚和行政强制", "财政预决算",
                 "收费", "政府采购", "重大建设项目", "公共服务", "突发事件", "环境保护", "公务员招考",
                 "其他法定公开信息", "市政建设", "社会救助", "宅基地使用情况审核", "政府信息公开制度"):
        assert item in names, item
    articles = set(DisclosureColumn.objects.values_list("article", flat=True))
    for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"):
        assert f"第二十条第（{n}）项" in articles
    # The shipped rules found their vocabulary.
    statistics = DisclosureColumn.objects.get(key="statistics")
    assert {r.genre.name for r in statistics.rules.all() if r.genre} == {"统计数据"}
    assert {r.topic.name for r in statistics.rules.all() if r.topic} == {"统计"}


@pytest.mark.django_db
def test_install_is_idempotent_and_keeps_the_offices_edits():
    columns, rules = DisclosureColumn.objects.count(), ColumnRule.objects.count()
    DisclosureColumn.objects.get(key="budget").rules.all().delete()
    column_data.install(DisclosureColumn, ColumnRule, Topic, Genre)
    assert DisclosureColumn.objects.count() == columns
    assert ColumnRule.objects.count() == rules - 1  # the deleted rule is not brought back
    DisclosureColumn.objects.get(key="fees").delete()
    column_data.install(DisclosureColumn, ColumnRule, Topic, Genre)
    assert DisclosureColumn.objects.filter(key="fees").exists()


# ---------------------------------------------------------------- filling columns


@pytest.fixture
def column_docs(org_tree, make_document):
    """Documents of the county (and one of the city) that the shipped rules place."""
    county, city = org_tree["county"], org_tree["city"]
    genres = {g.name: g for g in Genre.objects.all()}
    docs = {
        "stats": make_document(county, "西昌市2023年国民经济和社会发展统计公报", genre=genres["统计数据"],
                               published_date=dt.date(2024, 2, 1)),
        "stats_topic": make_document(county, "西昌市一季度经济运行情况", topic=_topic("国民经济管理、国有资产监管/统计"),
                                     genre=genres["通知"], published_date=dt.date(2024, 5, 6)),
        "normative": make_document(county, "西昌市城市养犬管理办法", genre=genres["行政规范性文件"],
                                   published_date=dt.date(2023, 7, 1)),
        "expired": make_document(county, "西昌市旧办法", genre=genres["行政规范性文件"], validity="expired",
                                 published_date=dt.date(2020, 1, 1)),
        "rules": make_document(county, "西昌市政府信息公开工作制度", topic=_topic("综合政务/政务公开"),
                               genre=genres["通知"], published_date=dt.date(2022, 3, 3)),
        "report": make_document(county, "西昌市人民政府2023年政府信息公开工作年度报告", genre=genres["年度报告"],
                                published_date=dt.date(2024, 1, 20)),
        "draft_stats": make_document(county, "统计草稿", genre=genres["统计数据"], publish=False),
        "city_stats": make_document(city, "凉山州统计公报", genre=genres["统计数据"], published_date=dt.date(2024, 3, 9)),
        "interpretation": make_document(county, "《西昌市城市养犬管理办法》解读", genre=genres["政策解读"]),
    }
    return docs


def test_a_column_lists_the_public_documents_its_rules_match(org_tree, column_docs):
    county = org_tree["county"]
    statistics = DisclosureColumn.objects.get(key="statistics")
    listed = list(column_selectors.column_documents(statistics, county))
    assert listed == [column_docs["stats_topic"], column_docs["stats"]]  # newest first; no draft, no city document
    site_wide = set(column_selectors.column_documents(statistics, None))
    assert site_wide == {column_docs["stats_topic"], column_docs["stats"], column_docs["city_stats"]}


def test_the_tree_counts_and_dates_each_column_and_rolls_up_parents(org_tree, column_docs):
    tree = {node.column.key: node for node in column_selectors.column_tree(org_tree["county"])}
    assert tree["statistics"].count == 2
    assert tree["statistics"].last_updated == dt.date(2024, 5, 6)
    regulations = tree["regulations"]
    assert regulations.count == 2  # its sub-column 行政规范性文件 (the expired one included)
    assert {c.column.key: c.count for c in regulations.children} == {"rules": 0, "normative": 2}
    assert tree["budget"].empty and tree["budget"].last_updated is None
    # Art. 21's items depend on the level: the county has the city/county list, not the township's.
    assert "local" in tree and "township" not in tree
    township_tree = {n.column.key for n in column_selectors.column_tree(org_tree["township"])}
    assert "township" in township_tree and "local" not in township_tree


def test_an_organisations_own_rule_fills_only_its_column(org_tree, column_docs, make_user):
    county, city = org_tree["county"], org_tree["city"]
    admin = make_user("admin", (county, "office_admin"))
    budget = DisclosureColumn.objects.get(key="budget")
    column_services.add_column_rule(budget, organisation=county, keyword="养犬", user=admin)
    assert set(column_selectors.column_documents(budget, county)) == {column_docs["normative"], column_docs["interpretation"]}
    assert not column_selectors.column_documents(budget, city).exists()
    entry = AuditEntry.objects.filter(action="column_rule.add").get()
    assert entry.actor == "admin"


def test_empty_columns_are_listed_for_the_office(org_tree, column_docs):
    county = org_tree["county"]
    empty = {node.column.key for node in column_selectors.empty_columns(county)}
    assert "budget" in empty and "statistics" not in empty and "normative" not in empty
    assert "openness-rules" not in empty  # the county has its 制度 document
    assert "regulations" not in empty  # parents are judged by their sub-columns
    assert "openness-rules" in {n.column.key for n in column_selectors.empty_columns(org_tree["city"])}


def test_annual_reports_by_year(org_tree, column_docs):
    years = column_selectors.annual_reports(org_tree["county"])
    assert [(y.year, y.documents) for y in years] == [(2023, [column_docs["report"]])]
    assert column_selectors.annual_reports(org_tree["city"]) == []


def test_policy_documents_with_the_in_force_filter(org_tree, column_docs):
    county = org_tree["county"]
    assert set(column_selectors.policy_documents(county, valid_only=False)) == {column_docs["normative"], column_docs["expired"]}
    assert list(column_selectors.policy_documents(county, valid_only=True)) == [column_docs["normative"]]


# ---------------------------------------------------------------- rules and guide: writes


def test_a_rule_needs_a_condition_and_shared_rules_need_the_top_office(org_tree, make_user):
    county = org_tree["county"]
    admin = make_user("admin", (county, "office_admin"))
    top = make_user("top", (org_tree["province"], "office_admin"))
    drafter = make_user("drafter", (county, "drafter"))
    column = DisclosureColumn.objects.get(key="budget")
    with pytest.raises(ValidationError) as exc:
        column_services.add_column_rule(column, organisation=county, keyword="  ", user=admin)
    assert "至少填写" in str(exc.value)
    with pytest.raises(PermissionDenied):
        column_services.add_column_rule(column, organisation=None, keyword="预算", user=admin)
    with pytest.raises(PermissionDenied):
        column_services.add_column_rule(column, organisation=county, keyword="预算", user=drafter)
    with pytest.raises(PermissionDenied):  # the county's office does not reach the city
        column_services.add_column_rule(column, organisation=org_tree["city"], keyword="预算", user=admin)
    rule = column_services.add_column_rule(column, organisation=None, keyword="预算", user=top)
    with pytest.raises(PermissionDenied):
        column_services.delete_column_rule(rule, user=admin)
    column_services.delete_column_rule(rule, user=top)
    assert not ColumnRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="column_rule.delete").count() == 1


def test_each_guide_save_is_a_new_version(org_tree, make_user):
    county = org_tree["county"]
    admin = make_user("admin", (org_tree["city"], "office_admin"))  # an office above reaches the county
    first = column_services.save_openness_guide(county, GUIDE, user=admin, note="首次发布")
    assert first.number == 1
    same = column_services.save_openness_guide(county, GUIDE, user=admin)
    assert same.pk == first.pk  # nothing changed: no new version
    second = column_services.save_openness_guide(county, {**GUIDE, "phone": "0834-7654321"}, user=admin,
                                                 expected_number=1)
    assert second.number == 2
    assert column_selectors.current_guide(county) == second
    assert [g.number for g in column_selectors.guide_versions(county)] == [2, 1]
    assert OpennessGuide.objects.get(pk=first.pk).phone == GUIDE["phone"]  # old versions kept
    assert AuditEntry.objects.filter(action="openness_guide.save").count() == 2
    with pytest.raises(ValidationError) as exc:  # someone else saved in between
        column_services.save_openness_guide(county, {**GUIDE, "hours": "全天"}, user=admin, expected_number=1)
    assert "第2版" in str(exc.value)


def test_a_guide_with_missing_fields_is_refused_and_nothing_saved(org_tree, make_user):
    county = org_tree["county"]
    admin = make_user("admin", (county, "office_admin"))
    with pytest.raises(ValidationError) as exc:
        column_services.save_openness_guide(county, {**GUIDE, "phone": " ", "address": "长" * 201}, user=admin)
    assert "请填写“联系电话”" in str(exc.value) and "不能超过200个字" in str(exc.value)
    assert not OpennessGuide.objects.exists()
    with pytest.raises(PermissionDenied):
        column_services.save_openness_guide(county, GUIDE, user=make_user("d", (county, "drafter")))


# ---------------------------------------------------------------- public pages


def test_the_column_home_has_the_four_entries_and_the_tree(client, org_tree, column_docs):
    html = client.get(reverse("portal:column_home")).content.decode()
    for entry in ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开工作年度报告",
                  "政策解读", "政策文件", "意见征集", "依申请公开"):
        assert entry in html, entry
    assert "本栏目暂无信息" in html  # e.g. 财政预决算: visible, never blank
    assert reverse("portal:org_column_home", args=[org_tree["county"].pk]) in html  # the organisation directory


def test_an_organisations_column_home(client, org_tree, column_docs, make_user):
    county = org_tree["county"]
    column_services.save_openness_guide(county, GUIDE, user=None, system=True)
    response = client.get(reverse("portal:org_column_home", args=[county.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "西昌市人民政府 政府信息公开" in html
    assert reverse("portal:org_column_guide", args=[county.pk]) in html
    assert reverse("portal:org_column_rules", args=[county.pk]) in html
    assert reverse("portal:org_column_reports", args=[county.pk]) in html
    assert f'{reverse("applications:apply")}?org={county.pk}' in html
    assert reverse("portal:org_column_page", args=[county.pk, "statistics"]) in html
    assert "2024-05-06" in html  # 统计信息's 最后更新
    assert GUIDE["phone"] in html
    assert client.get(reverse("portal:org_column_home", args=[999999])).status_code == 404


def test_a_column_page_lists_its_documents_paged(client, org_tree, column_docs, make_document):
    county = org_tree["county"]
    genre = Genre.objects.get(name="统计数据")
    for i in range(21):
        make_document(county, f"统计月报第{i + 1}期", genre=genre, published_date=dt.date(2023, 1, 1) + dt.timedelta(days=i))
    url = reverse("portal:org_column_page", args=[county.pk, "statistics"])
    html = client.get(url).content.decode()
    assert "共 23 条" in html and "最后更新：<time datetime=\"2024-05-06\">" in html
    assert column_docs["stats_topic"].title in html and "统计月报第1期" not in html
    page2 = client.get(url + "?page=2").content.decode()
    assert "统计月报第1期" in page2 and column_docs["stats_topic"].title not in page2
    assert "页码无效" in client.get(url + "?page=abc").content.decode()
    assert client.get(url + "?page=99").status_code == 200
    assert "统计草稿" not in html


def test_an_empty_column_says_so(client, org_tree, column_docs):
    html = client.get(reverse("portal:org_column_page", args=[org_tree["county"].pk, "budget"])).content.decode()
    assert "本栏目暂无信息" in html


def test_column_pages_refuse_unknown_and_foreign_columns(client, org_tree):
    assert client.get(reverse("portal:column_page", args=["no-such-column"])).status_code == 404
    # A township's column does not exist for a county, nor 制度 as a statutory column.
    assert client.get(reverse("portal:org_column_page", args=[org_tree["county"].pk, "homestead"])).status_code == 404
    assert client.get(reverse("portal:column_page", args=["openness-rules"])).status_code == 404
    assert client.get(reverse("portal:org_column_page", args=[org_tree["township"].pk, "homestead"])).status_code == 200


def test_the_other_entries(client, org_tree, column_docs):
    county = org_tree["county"]
    rules = client.get(reverse("portal:org_column_rules", args=[county.pk])).content.decode()
    assert column_docs["rules"].title in rules and column_docs["stats"].title not in rules
    reports = client.get(reverse("portal:org_column_reports", args=[county.pk])).content.decode()
    assert "2023年度" in reports and column_docs["report"].title in reports
    assert "本栏目暂无信息" in client.get(reverse("portal:org_column_reports", args=[org_tree["city"].pk])).content.decode()
    policies = client.get(reverse("portal:org_column_policies", args=[county.pk]) + "?validity=valid").content.decode()
    assert column_docs["normative"].title in policies and column_docs["expired"].title not in policies
    everything = client.get(reverse("portal:org_column_policies", args=[county.pk])).content.decode()
    assert column_docs["expired"].title in everything
    no_guide = client.get(reverse("portal:org_column_guide", args=[county.pk])).content.decode()
    assert "本栏目暂无信息" in no_guide


def test_the_public_guide_shows_the_current_version(client, org_tree):
    county = org_tree["county"]
    column_services.save_openness_guide(county, GUIDE, user=None, system=True)
    column_services.save_openness_guide(county, {**GUIDE, "phone": "0834-7654321"}, user=None, system=True)
    html = client.get(reverse("portal:org_column_guide", args=[county.pk])).content.decode()
    assert "0834-7654321" in html and GUIDE["phone"] not in html and "第 2 版" in html
    assert f'?org={county.pk}' in html
    listing = client.get(reverse("portal:column_guides")).content.decode()
    assert reverse("portal:org_column_guide", args=[county.pk]) in listing


# ---------------------------------------------------------------- staff pages


@pytest.fixture
def staff(org_tree, make_user):
    county = org_tree["county"]
    return {
        "admin": make_user("admin", (county, "office_admin")),
        "city_admin": make_user("city_admin", (org_tree["city"], "office_admin")),
        "drafter": make_user("drafter", (county, "drafter")),
        "township_admin": make_user("township_admin", (org_tree["township"], "office_admin")),
    }


def test_staff_pages_are_denied_to_other_roles_and_organisations(client, org_tree, staff):
    county = org_tree["county"]
    urls = [reverse("column_staff:organisation", args=[county.pk]), reverse("column_staff:guide", args=[county.pk]),
            reverse("column_staff:rules", args=[county.pk])]
    assert client.get(urls[0]).status_code == 302  # not signed in: to the login page
    for who in ("drafter", "township_admin"):
        client.force_login(staff[who])
        for url in urls:
            assert client.get(url).status_code == 403, (who, url)
        assert client.post(urls[1], {**GUIDE, "number": 0}).status_code == 403
    client.force_login(staff["drafter"])
    assert client.get(reverse("column_staff:index")).status_code == 403
    assert not OpennessGuide.objects.exists()
    for who in ("admin", "city_admin"):
        client.force_login(staff[who])
        for url in urls:
            assert client.get(url).status_code == 200, (who, url)


def test_staff_edit_the_guide(client, org_tree, staff):
    county = org_tree["county"]
    client.force_login(staff["admin"])
    url = reverse("column_staff:guide", args=[county.pk])
    response = client.post(url, {**GUIDE, "phone": "", "number": 0})
    assert response.status_code == 200 and "请填写“联系电话”" in response.content.decode()
    assert not OpennessGuide.objects.exists()
    response = client.post(url, {**GUIDE, "number": 0, "note": "首次发布"}, follow=True)
    assert "已保存为第1版" in response.content.decode()
    response = client.post(url, {**GUIDE, "hours": "工作日", "number": 0})  # opened before the first save
    assert "已被他人修改" in response.content.decode()
    response = client.post(url, {**GUIDE, "hours": "工作日", "number": 1}, follow=True)
    assert "已保存为第2版" in response.content.decode() and "首次发布" in response.content.decode()
    assert column_selectors.current_guide(county).hours == "工作日"


def test_staff_see_empty_columns_and_edit_rules(client, org_tree, staff, column_docs):
    county = org_tree["county"]
    client.force_login(staff["admin"])
    page = client.get(reverse("column_staff:organisation", args=[county.pk])).content.decode()
    assert "空白栏目" in page and "财政预决算" in page and "政府信息公开指南（尚未编写）" in page
    budget = DisclosureColumn.objects.get(key="budget")
    rules_url = reverse("column_staff:rules", args=[county.pk])
    response = client.post(rules_url, {"column": budget.pk, "keyword": ""})
    assert "至少填写" in response.content.decode()
    assert "适用于所有机构" not in response.content.decode()  # a county's office may not set shared rules
    response = client.post(rules_url, {"column": budget.pk, "keyword": "养犬"}, follow=True)
    assert "已为栏目“财政预决算”添加规则" in response.content.decode()
    rule = ColumnRule.objects.get(column=budget, organisation=county)
    page = client.get(reverse("column_staff:organisation", args=[county.pk])).content.decode()
    assert "<li>财政预决算" not in page
    shared = budget.rules.filter(organisation=None).first()
    assert client.post(reverse("column_staff:rule_delete", args=[county.pk, shared.pk])).status_code == 403
    client.force_login(staff["drafter"])
    assert client.post(reverse("column_staff:rule_delete", args=[county.pk, rule.pk])).status_code == 403
    client.force_login(staff["admin"])
    assert client.get(reverse("column_staff:rule_delete", args=[county.pk, rule.pk])).status_code == 405
    client.post(reverse("column_staff:rule_delete", args=[county.pk, rule.pk]))
    assert not ColumnRule.objects.filter(pk=rule.pk).exists()


def test_the_home_page_and_every_page_link_the_column(client, org_tree):
    html = client.get(reverse("portal:home")).content.decode()
    for url in (reverse("portal:column_home"), reverse("portal:column_guides"), reverse("portal:column_rules"),
                reverse("portal:column_reports")):
        assert f'href="{url}' in html
    catalog = client.get(reverse("portal:catalog")).content.decode()
    assert f'<a href="{reverse("portal:column_home")}">政府信息公开</a>' in catalog
    column = client.get(reverse("portal:column_home")).content.decode()
    assert f'<a href="{reverse("portal:column_home")}" aria-current="page">政府信息公开</a>' in column


def test_a_cached_column_page_changes_with_the_guide_and_rules(client, org_tree, settings):
    settings.GONGKAI_PAGE_CACHE = True
    county = org_tree["county"]
    url = reverse("portal:org_column_guide", args=[county.pk])
    assert "本栏目暂无信息" in client.get(url).content.decode()
    column_services.save_openness_guide(county, GUIDE, user=None, system=True)
    assert GUIDE["phone"] in client.get(url).content.decode()


def test_the_demo_writes_guides_once(org_tree):
    from types import SimpleNamespace

    from gongkai.portal.column_demo import create_column_demo

    region = SimpleNamespace(orgs={"province": org_tree["province"], "city2": org_tree["city"]})
    assert create_column_demo(region) == 2
    create_column_demo(region)
    assert OpennessGuide.objects.count() == 2  # unchanged: no new versions
    assert column_selectors.current_guide(org_tree["city"]).office_name.startswith("凉山彝族自治州人民政府")


def test_the_grouped_tree_counts_what_each_columns_own_query_lists(org_tree, make_document, make_user):
    """column_tree adds up one grouped query per page; column_documents asks
    per column. Over random documents and random extra rules (a title word,
    another organisation's rule, a topic subtree, a genre alone) both must
    say the same for every column, on the site-wide column and on each
    organisation's."""
    import random

    rng = random.Random(18)
    orgs = list(org_tree.values())
    genres = list(Genre.objects.all())
    topics = list(Topic.objects.all())
    words = ["统计", "预算", "采购", "养犬", "招考", "救助"]
    for n in range(120):
        make_document(rng.choice(orgs), f"{rng.choice(words)}文件{n}", publish=rng.random() > 0.1,
                      genre=rng.choice(genres + [None]), topic=rng.choice(topics + [None]),
                      published_date=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1800)))
    admin = make_user("root-admin", (org_tree["province"], "office_admin"))
    columns = list(DisclosureColumn.objects.filter(section=DisclosureColumn.Section.STATUTORY))
    for column in rng.sample(columns, 12):
        choice = rng.randrange(4)
        if choice == 0:
            column_services.add_column_rule(column, organisation=rng.choice(orgs), keyword=rng.choice(words), user=admin)
        elif choice == 1:
            column_services.add_column_rule(column, organisation=rng.choice(orgs), genre=rng.choice(genres), user=admin)
        elif choice == 2:
            column_services.add_column_rule(column, organisation=None,
                                            topic=rng.choice([t for t in topics if t.parent_id is None]),
                                            user=admin)
        else:
            column_services.add_column_rule(column, organisation=None, genre=rng.choice(genres), user=admin)

    def flat(nodes):
        for node in nodes:
            yield node
            yield from flat(node.children)

    checked = 0
    for organisation in [None, *orgs]:
        for node in flat(column_selectors.column_tree(organisation)):
            listed = column_selectors.column_documents(node.column, organisation)
            dates = [d.published_date for d in listed]
            assert (node.count, node.last_updated) == (len(dates), max(dates, default=None)), \
                (node.column.key, organisation)
            checked += bool(dates)
    assert checked > 30  # the data fills many columns: the comparison is not between empty lists


def test_article_21_items_follow_the_government_a_department_belongs_to(org_tree):
    """Art. 21: 设区的市级、县级人民政府及其部门. A county's 民政局 gets the local
    items, the province's 财政厅 does not; a township never does."""
    from gongkai.core.models import Organisation

    county_department = Organisation.objects.create(name="西昌市民政局", level="department", parent=org_tree["county"],
                                                    index_prefix="MZJ001")
    nested = Organisation.objects.create(name="西昌市民政局救助管理站", level="department", parent=county_department,
                                         index_prefix="MZJ002")

    def keys(org):
        return {node.column.key for node in column_selectors.column_tree(org)}

    assert "local" in keys(county_department) and "local" in keys(nested)
    assert "local" not in keys(org_tree["department"])  # 四川省财政厅, a province's department
    assert "local" not in keys(org_tree["province"]) and "local" in keys(org_tree["city"])
    assert "township" not in keys(county_department)
    assert org_tree["department"].government_level() == "province"
    assert nested.government_level() == "county" and org_tree["township"].government_level() == "township"


def test_the_site_wide_tree_is_kept_and_counted_again_by_the_job(client, org_tree, make_document, make_user):
    """At a province's size the site-wide tree takes seconds to count: the page
    shows the counts kept in the cache (and when they were counted); the
    periodic job counts again; a rule change forgets them at once."""
    from gongkai.jobs import PERIODIC
    from gongkai.portal import tasks

    county = org_tree["county"]
    statistics = Genre.objects.get(name="统计数据")
    make_document(county, "西昌市2023年统计公报", genre=statistics, published_date=dt.date(2024, 2, 1))

    def statistics_count():
        nodes, counted_at = column_selectors.tree_for(None)
        return {n.column.key: n.count for n in nodes}["statistics"], counted_at

    first, counted_at = statistics_count()
    assert first == 1 and counted_at is not None
    page = client.get(reverse("portal:column_home")).content.decode()
    assert "统计于" in page

    make_document(county, "西昌市2024年统计公报", genre=statistics, published_date=dt.date(2025, 2, 1))
    assert statistics_count()[0] == 1  # kept: not counted again on every publication
    assert tasks.count_site_columns.call()["columns"] > 10
    assert statistics_count()[0] == 2
    assert any(job.task is tasks.count_site_columns for job in PERIODIC)
    # An organisation's own tree is always live, and says nothing about when it was counted.
    nodes, when = column_selectors.tree_for(county)
    assert {n.column.key: n.count for n in nodes}["statistics"] == 2 and when is None

    make_document(county, "西昌市2025年统计公报", genre=statistics, published_date=dt.date(2026, 2, 1))
    admin = make_user("root-admin2", (org_tree["province"], "office_admin"))
    column_services.add_column_rule(DisclosureColumn.objects.get(key="budget"), organisation=None, keyword="预算",
                                    user=admin)
    assert statistics_count()[0] == 3  # the rule change made it count again


@pytest.mark.parametrize("own", [False, True], ids=["site-wide", "organisation"])
def test_a_column_page_counts_its_documents_once(client, org_tree, column_docs, settings, own):
    """The total, the 最后更新 date and the pager come from one aggregate (an
    organisation's column) or from the kept site-wide tree: at a province's
    size each count of a column is a scan of the catalog."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.GONGKAI_PAGE_CACHE = False
    url = (reverse("portal:org_column_page", args=[org_tree["county"].pk, "statistics"]) if own
           else reverse("portal:column_page", args=["statistics"]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and "西昌市2023年国民经济和社会发展统计公报" in response.content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "catalog_document" in q["sql"]]
    assert len(counts) == 1, counts
