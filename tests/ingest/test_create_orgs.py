"""`gongkai import --create-orgs [--parent ORG]`: a page whose issuer is not in
the catalog (a fresh install) creates it from its 发布机构/发文机关, with the
unified social credit code of its 索引号 as index prefix, validated as the
admin validates an organisation, once per issuer and run."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.catalog.models import Document, IndexNumberCounter
from gongkai.core import audit, creditcode
from gongkai.core.models import AuditEntry, Organisation
from gongkai.ingest import services
from gongkai.ingest.extract import ExtractedPage
from tests.conftest import SHARED_SAMPLES

CHONGQING = SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt"
CHONGQING_CODE = "11500114009130039C"  # the prefix of the page's 索引号: a valid credit code


@pytest.fixture(autouse=True)
def own_audit_anchors(settings, tmp_path):
    """audit.verify() reads the anchors file: this test's own, not one other tests wrote."""
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"


def credit_code(first17: str) -> str:
    return first17 + creditcode.check_character(first17)


YICHUN_CODE = credit_code("11360900MB1234567")


def page(title: str, *, issuer: str, index: str = "", number: str = "", body: str = "") -> str:
    lines = [f"索引号：{index}"] if index else []
    lines.append(f"发布机构：{issuer}")
    if number:
        lines.append(f"发文字号：{number}")
    lines += ["成文日期：2023-05-06", "发布日期：2023-05-08", title, "各县（市、区）人民政府，市政府各部门：",
              body or f"现将{title[-12:]}有关事项通知如下：一、加强主动公开；二、做好依申请公开。", issuer, "2023年5月6日"]
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fresh_install_without_create_orgs_fails_naming_the_issuer(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(CHONGQING))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    issuer = services.extract(CHONGQING.read_text(encoding="utf-8")).organisation
    assert out.startswith("failed") and issuer in out and "--create-orgs" in out
    assert not Organisation.objects.exists() and not Document.objects.exists()


def test_create_orgs_takes_the_credit_code_of_the_index_number(db, capsys):
    call_command("import", str(CHONGQING), "--create-orgs")
    out = capsys.readouterr().out
    org = Organisation.objects.get()
    issuer = services.extract(CHONGQING.read_text(encoding="utf-8")).organisation
    assert org.name == issuer
    assert (org.credit_code, org.index_prefix, org.parent) == (CHONGQING_CODE, CHONGQING_CODE, None)
    assert org.issuer_code == "黔江府办发"
    doc = Document.objects.get()
    assert doc.organisation == org and doc.index_number == f"{CHONGQING_CODE}/2018-00979" and doc.is_public
    assert IndexNumberCounter.objects.get(organisation=org, year=2018).last_serial == 979
    lines = out.splitlines()
    assert lines[0] == (f"organisation created: {org.name} (id {org.pk}, {org.level}; index prefix {CHONGQING_CODE}: "
                        "the unified social credit code of the page's 索引号)")
    assert lines[1].startswith("created") and f"{CHONGQING_CODE}/2018-00979" in lines[1]
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.object_id == str(org.pk) and entry.detail["index_prefix_from"] == "credit_code"
    assert audit.verify().ok


def test_created_organisation_in_json(db, capsys):
    call_command("import", str(CHONGQING), "--create-orgs", "--json")
    [row] = json.loads(capsys.readouterr().out)
    org = Organisation.objects.get()
    assert row["status"] == "created"
    assert row["created_organisation"] == {
        "id": org.pk, "name": org.name, "index_prefix": CHONGQING_CODE, "index_prefix_from": "credit_code",
        "credit_code": CHONGQING_CODE, "level": org.level, "parent": "",
    }
    # Once there, the next run finds it: nothing created, nothing said.
    call_command("import", str(CHONGQING), "--create-orgs", "--json")
    [row] = json.loads(capsys.readouterr().out)
    assert row["status"] == "unchanged" and "created_organisation" not in row
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize("batch_size", [1, 100])
def test_one_issuer_is_created_once_per_run(db, tmp_path, batch_size):
    issuer = "宜春市人民政府办公室"
    paths = [
        write(tmp_path, "1.txt", page("宜春市人民政府办公室关于做好2023年政务公开工作的通知", issuer=issuer,
                                      index=f"{YICHUN_CODE}/2023-00012", number="宜府办字〔2023〕12号")),
        write(tmp_path, "2.txt", page("宜春市人民政府办公室关于印发政务公开考核办法的通知", issuer=issuer,
                                      index=f"{YICHUN_CODE}/2023-00013", number="宜府办字〔2023〕13号")),
        write(tmp_path, "3.txt", page("宜春市人民政府办公室关于开展政务公开培训的通知", issuer=issuer)),
    ]
    report = services.import_paths(paths, create_orgs=True, batch_size=batch_size)
    assert [r.status for r in report.results] == [services.CREATED] * 3
    org = Organisation.objects.get()
    assert [o["id"] for o in report.created_organisations] == [org.pk]
    assert report.results[0].created_organisation["name"] == issuer
    assert (org.credit_code, org.index_prefix, org.level) == (YICHUN_CODE, YICHUN_CODE, Organisation.Level.DEPARTMENT)
    assert set(Document.objects.values_list("organisation", flat=True)) == {org.pk}
    # The page without a 索引号 is numbered in the new organisation's series, after the adopted ones.
    assert Document.objects.get(title__contains="培训").index_number == f"{YICHUN_CODE}/2023-00014"
    assert AuditEntry.objects.filter(action="organisation.create").count() == 1
    assert "1 organisation(s) created" in report.summary()


def test_index_prefix_that_is_not_a_credit_code(db, tmp_path, capsys):
    wrong_check = YICHUN_CODE[:17] + ("0" if YICHUN_CODE[17] != "0" else "1")
    paths = [
        write(tmp_path, "a.txt", page("国务院办公厅关于推进政务新媒体健康有序发展的意见", issuer="国务院办公厅",
                                      index="000014349/2018-00221", number="国办发〔2018〕123号")),
        write(tmp_path, "b.txt", page("某某市人民政府关于印发工作规则的通知", issuer="某某市人民政府",
                                      index=f"{wrong_check}/2023-00001")),
    ]
    call_command("import", *map(str, paths), "--create-orgs")
    out = capsys.readouterr().out
    office = Organisation.objects.get(name="国务院办公厅")
    assert (office.index_prefix, office.credit_code) == ("000014349", None)
    assert Document.objects.get(organisation=office).index_number == "000014349/2018-00221"
    # A code that fails the GB 32100 check is no credit code: kept as a plain prefix only.
    city = Organisation.objects.get(name="某某市人民政府")
    assert (city.index_prefix, city.credit_code, city.level) == (wrong_check, None, Organisation.Level.CITY)
    assert out.count("not a unified social credit code") == 2


def test_page_without_index_number_gets_a_made_up_prefix_and_says_so(db, tmp_path, capsys):
    path = write(tmp_path, "p.txt", page("义马市人民政府办公室关于下达2020年度政务信息目标任务的通知",
                                         issuer="义马市人民政府办公室", number="义政办〔2020〕2号"))
    call_command("import", str(path), "--create-orgs")
    out = capsys.readouterr().out
    org = Organisation.objects.get()
    assert org.index_prefix.startswith("ORG") and org.credit_code is None and org.issuer_code == "义政办"
    assert "made up: the page has no 索引号" in out
    assert Document.objects.get().index_number == f"{org.index_prefix}/2023-00001"


def test_parent_by_id_name_or_short_name(org_tree, tmp_path):
    city = org_tree["city"]
    for n, parent in enumerate([str(city.pk), city.name, city.short_name]):
        name = f"西昌市第{'一二三'[n]}街道办事处"
        path = write(tmp_path, f"{n}.txt", page(f"{name}关于做好防汛工作的通知", issuer=name))
        call_command("import", str(path), "--create-orgs", "--parent", parent)
        org = Organisation.objects.get(name=name)
        assert org.parent == city and org.level == Organisation.Level.TOWNSHIP


@pytest.mark.parametrize("argv, message", [
    (["--create-orgs", "--parent", "不存在的机构"], "no organisation '不存在的机构' for --parent"),
    (["--create-orgs", "--parent", "999999"], "no organisation '999999' for --parent"),
    (["--parent", "凉山州"], "--parent goes with --create-orgs"),
    (["--create-orgs", "--org", "凉山州"], "do not go together"),
])
def test_bad_parent_or_options_import_nothing(org_tree, argv, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("import", str(CHONGQING), *argv)
    assert error.value.returncode == 2
    assert not Document.objects.exists() and Organisation.objects.count() == 5


def test_ambiguous_parent_is_refused(org_tree):
    Organisation.objects.create(name="另一个凉山州", short_name="凉山州", level="city", index_prefix="LS-2")
    with pytest.raises(CommandError, match="more than one organisation") as error:
        call_command("import", str(CHONGQING), "--create-orgs", "--parent", "凉山州")
    assert error.value.returncode == 2 and "use its id" in str(error.value)
    assert not Document.objects.exists()


def test_model_validation_refuses_a_taken_credit_code(org_tree, tmp_path):
    """full_clean, as in the admin: a credit code another organisation holds is refused."""
    Organisation.objects.create(name="宜春市另一机构", level="department", index_prefix="OTHER-1", credit_code=YICHUN_CODE)
    path = write(tmp_path, "p.txt", page("宜春市人民政府办公室关于做好政务公开工作的通知", issuer="宜春市人民政府办公室",
                                         index=f"{YICHUN_CODE}/2023-00012"))
    result = services.import_paths([path], create_orgs=True).results[0]
    assert result.status == services.FAILED and "cannot create the organisation" in result.error
    assert "统一社会信用代码" in result.error
    assert not Organisation.objects.filter(name="宜春市人民政府办公室").exists() and not Document.objects.exists()


@pytest.mark.parametrize("issuer, reason", [
    ("", "names no issuer"),
    ("市交通运输局 发布日期 2015-10-15", "does not look like an organisation's name"),
    ("宜春市博彩娱乐城人民政府", "spam"),
])
def test_an_issuer_that_is_no_organisation_name_is_not_planned(issuer, reason):
    with pytest.raises(services.ImportError_, match=reason):
        services.plan_organisation(ExtractedPage(title="关于做好政务公开工作的通知", organisation=issuer))


def test_a_spam_issuer_is_not_created(db, tmp_path):
    path = write(tmp_path, "p.txt", page("关于做好政务公开工作的通知", issuer="宜春市博彩娱乐城人民政府"))
    result = services.import_paths([path], create_orgs=True).results[0]
    assert result.status == services.FAILED and "spam" in result.error
    assert "博彩" not in result.error  # the name is not repeated in clear
    assert not Organisation.objects.exists() and not Document.objects.exists()


def test_refused_page_takes_its_new_organisation_with_it(org_tree, tmp_path):
    """The page's 索引号 is someone else's already: the page fails, and the
    organisation it would have created is not left behind."""
    other = org_tree["department"]
    services.import_paths([CHONGQING], organisation=other)  # adopts 11500114009130039C/2018-00979
    copy = write(tmp_path, "copy.txt", CHONGQING.read_text(encoding="utf-8") + "\n附件：无\n")
    result = services.import_paths([copy], create_orgs=True).results[0]
    assert result.status == services.FAILED and "已被其他文件使用" in result.error
    assert Organisation.objects.count() == 5 and not Organisation.objects.filter(credit_code=CHONGQING_CODE).exists()
    assert not AuditEntry.objects.filter(action="organisation.create").exists()


@pytest.mark.parametrize("name, parent_key, level", [
    ("四川省人民政府", None, Organisation.Level.PROVINCE),
    ("凉山彝族自治州人民政府", None, Organisation.Level.CITY),
    ("西昌市人民政府", "city", Organisation.Level.COUNTY),
    ("会理县人民政府", None, Organisation.Level.COUNTY),
    ("西昌市安宁镇人民政府", None, Organisation.Level.TOWNSHIP),
    ("长安街道办事处", None, Organisation.Level.TOWNSHIP),
    ("四川省财政厅", None, Organisation.Level.DEPARTMENT),
    ("西昌市人民政府办公室", "county", Organisation.Level.DEPARTMENT),
])
def test_level_of_a_created_organisation(org_tree, name, parent_key, level):
    parent = org_tree[parent_key] if parent_key else None
    assert services.organisation_level(name, parent) == level
