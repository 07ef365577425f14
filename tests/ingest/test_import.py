"""The page importer against the three real sample pages and generated pages."""

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.catalog import services as catalog
from gongkai.catalog.models import Document, IndexNumberCounter, Relation
from gongkai.core.models import Organisation
from gongkai.ingest import services
from gongkai.core.decode import DecodeError, decode
from gongkai.ingest.extract import extract
from tests.conftest import SHARED_SAMPLES

CHONGQING = SHARED_SAMPLES / "chongqing-qianjiang-2018-workplan.txt"
GUANGZHOU = SHARED_SAMPLES / "guangzhou-2012-workplan.txt"
SICHUAN = SHARED_SAMPLES / "sichuan-2010-workplan.txt"


@pytest.fixture
def sample_orgs(db):
    return {
        "qianjiang": Organisation.objects.create(
            name="重庆市黔江区人民政府", short_name="黔江区人民政府", issuer_code="黔江府发", level="county",
            index_prefix="11500114009130039C",
        ),
        "guangzhou": Organisation.objects.create(
            name="广州市人民政府办公厅", short_name="广州市政府办公厅", issuer_code="穗府办", level="city", index_prefix="GZ-OFFICE",
        ),
        "liangshan": Organisation.objects.create(
            name="凉山州人民政府办公室", short_name="凉山州政府办", issuer_code="凉府办函", level="city", index_prefix="LS-OFFICE",
        ),
    }


def imported(report, path):
    result = next(r for r in report.results if r.path == str(path))
    assert result.status == services.CREATED, result.error
    return Document.objects.get(pk=result.document_id)


def test_chongqing_sample_fields_and_relations(sample_orgs):
    report = services.import_paths([CHONGQING])
    doc = imported(report, CHONGQING)
    assert doc.title == "重庆市黔江区人民政府办公室关于转发《重庆市人民政府办公厅关于印发2018年重庆市政务公开工作要点的通知》的通知"
    assert doc.organisation == sample_orgs["qianjiang"]
    assert doc.index_number == "11500114009130039C/2018-00979"
    assert doc.document_number == "黔江府办发〔2018〕67号"
    assert (doc.issuer_code, doc.number_year, doc.number_serial) == ("黔江府办发", 2018, 67)
    assert doc.topic.name == "其他" and doc.genre.name == "行政规范性文件"
    assert doc.written_date == doc.published_date == dt.date(2018, 7, 20)
    assert doc.status == Document.Status.PUBLISHED
    forwards = doc.outgoing.filter(kind=Relation.Kind.FORWARDS)
    assert [(r.target_title, r.target_document_number) for r in forwards] == [
        ("重庆市人民政府办公厅关于印发2018年重庆市政务公开工作要点的通知", "渝府办发〔2018〕76号")
    ]
    cited = set(doc.outgoing.filter(kind=Relation.Kind.CITES).values_list("target_document_number", flat=True))
    assert cited == {"渝府办发〔2018〕28号", "渝府办发〔2018〕52号", "国办发〔2017〕47号", "渝府办发〔2017〕164号"}
    page = report.results[0].page
    assert page.document_numbers[0] == "黔江府办发〔2018〕67号"
    assert "渝府办发〔2018〕76号" in page.document_numbers
    # The site around the text is not part of the body.
    for furniture in ("分享到", "版权所有", "网站地图", "当前位置"):
        assert furniture not in doc.body_text
    assert "一、" in doc.body_text or "（一）" in doc.body_text


def test_guangzhou_and_sichuan_samples(sample_orgs):
    report = services.import_paths([GUANGZHOU, SICHUAN])
    gz = imported(report, GUANGZHOU)
    assert gz.document_number == "穗府办〔2012〕16号"
    assert gz.title == "印发2012年广州市政务公开工作要点的通知"
    assert gz.written_date == dt.date(2012, 3, 25)  # 二○一二年三月二十五日 (with ○, not 〇)
    assert gz.published_date == dt.date(2012, 3, 25)  # the page's date line "2012-03-25"
    assert gz.organisation == sample_orgs["guangzhou"]
    gz_cited = dict(gz.outgoing.filter(kind=Relation.Kind.CITES).values_list("target_document_number", "target_title"))
    assert gz_cited["穗字〔2011〕14号"] == "中共广州市委广州市人民政府关于全面推进街道社区服务管理改革创新的意见"
    assert "国办函〔2011〕99号" in gz_cited
    assert gz.index_number == "GZ-OFFICE/2012-00001"  # the page has none: one is assigned

    sc = imported(report, SICHUAN)
    assert sc.document_number == "凉府办函〔2010〕211号"
    assert sc.written_date == dt.date(2010, 9, 8)  # 二〇一〇年九月八日
    assert sc.published_date == dt.date(2015, 11, 21)  # the news site's "时间:2015-11-21"
    assert sc.title.startswith("凉山州人民政府办公室转发《四川省人民政府办公厅关于印发2010年全省政务公开工作要点的通知》")
    forwards = list(sc.outgoing.filter(kind=Relation.Kind.FORWARDS).values_list("target_title", flat=True))
    assert forwards == ["四川省人民政府办公厅关于印发2010年全省政务公开工作要点的通知"]
    assert "凉山州网公众号" not in sc.body_text


def test_reimport_changes_nothing(sample_orgs):
    first = services.import_paths([SHARED_SAMPLES])
    assert first.count(services.CREATED) == 3 and not first.failed
    before = list(Document.objects.order_by("pk").values_list("pk", "index_number", "updated_at"))
    relations = Relation.objects.count()
    second = services.import_paths([SHARED_SAMPLES])
    assert second.count(services.UNCHANGED) == 3 and second.count(services.CREATED) == 0
    assert list(Document.objects.order_by("pk").values_list("pk", "index_number", "updated_at")) == before
    assert Relation.objects.count() == relations


def gbk_page(charset_meta: bool) -> str:
    text = CHONGQING.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    meta = '<meta charset="gbk">' if charset_meta else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>政府信息公开</title><script>var x = '当前位置';</script></head><body>"
        '<nav><a href="/">首页</a> | <a href="/zwgk">政务公开</a></nav>'
        f'<div class="content">{paragraphs}</div>'
        '<div class="share">分享到：微信 微博</div>'
        "<footer>版权所有：某某市人民政府 主办单位：某某市人民政府办公室</footer></body></html>"
    )


@pytest.mark.parametrize("encoding,meta", [("gbk", True), ("gb18030", False), ("utf-8", False)])
def test_html_in_chinese_encodings_gives_same_fields(sample_orgs, tmp_path, encoding, meta):
    path = tmp_path / "page.html"
    # GBK lacks a few characters the page uses (•): drop them from every variant alike.
    markup = gbk_page(meta).encode("gbk", errors="ignore").decode("gbk")
    path.write_bytes(markup.encode(encoding, errors="strict"))
    text, detected = decode(path.read_bytes())
    assert text == markup
    page = extract(text)
    reference = extract(CHONGQING.read_text(encoding="utf-8"))
    for name in ("title", "document_number", "written_date", "published_date", "index_number", "topic", "genre"):
        assert getattr(page, name) == getattr(reference, name), name
    assert [c.as_dict() for c in page.citations] == [c.as_dict() for c in reference.citations]
    for furniture in ("分享到", "版权所有", "主办单位", "var x"):
        assert furniture not in page.body_text


def test_unreadable_pages_fail_alone(sample_orgs, tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "scan.html").write_bytes(b"%PDF-1.7\n\x00\x01\x02binary\x00" * 50)
    (tmp_path / "broken.txt").write_bytes("政务公开".encode("utf-8")[:-1] + b"\xff\xfe\x80" * 40)
    (tmp_path / "good.txt").write_bytes(GUANGZHOU.read_bytes())
    report = services.import_paths([tmp_path])
    by_name = {os.path.basename(r.path): r for r in report.results}
    assert by_name["good.txt"].status == services.CREATED
    errors = {name: r.error for name, r in by_name.items() if r.status == services.FAILED}
    assert set(errors) == {"empty.html", "scan.html", "broken.txt"}
    assert "empty" in errors["empty.html"]
    assert "PDF" in errors["scan.html"]
    assert errors["broken.txt"] and errors["broken.txt"] != errors["empty.html"]
    assert report.failed
    assert Document.objects.count() == 1


def test_page_without_matching_organisation_fails_cleanly(db, tmp_path):
    report = services.import_paths([CHONGQING])
    assert report.results[0].status == services.FAILED
    assert "--org" in report.results[0].error
    assert Document.objects.count() == 0 and Relation.objects.count() == 0


def test_failed_write_leaves_nothing(sample_orgs, monkeypatch):
    def boom(*args, **kwargs):
        raise catalog.ValidationError("模拟失败")

    monkeypatch.setattr(catalog, "link_relations", boom)
    report = services.import_paths([CHONGQING])
    assert report.results[0].status == services.FAILED
    assert Document.objects.count() == 0 and Relation.objects.count() == 0
    assert not IndexNumberCounter.objects.filter(last_serial__gt=0).exists()


def test_adopted_index_number_moves_the_counter(sample_orgs, make_document):
    services.import_paths([CHONGQING])
    org = sample_orgs["qianjiang"]
    later = make_document(org, "黔江区关于做好2018年防汛工作的通知", published_date=dt.date(2018, 8, 1))
    assert later.index_number == "11500114009130039C/2018-00980"
    other_year = make_document(org, "黔江区2019年工作要点", published_date=dt.date(2019, 2, 1))
    assert other_year.index_number == "11500114009130039C/2019-00001"


def test_adopting_a_used_index_number_is_refused(sample_orgs, make_document):
    org = sample_orgs["qianjiang"]
    first = make_document(org, "第一份文件")
    second = make_document(org, "第二份文件", publish=False)
    with pytest.raises(catalog.ValidationError, match="已被其他文件使用"):
        catalog.adopt_index_number(second, first.index_number)


def test_import_command_json_and_exit_status(sample_orgs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", str(SHARED_SAMPLES), "/no/such/page.html", "--json")
    assert exit_info.value.code == 1
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4
    failed = [r for r in rows if r["status"] == "failed"]
    assert [r["path"] for r in failed] == ["/no/such/page.html"] and "no such file" in failed[0]["error"]
    expected_keys = ["title", "organisation", "document_number", "document_numbers", "written_date", "published_date",
                     "index_number", "topic", "genre", "citations", "body_chars", "missing", "status", "path", "error"]
    assert all(list(row) == expected_keys for row in rows)
    chongqing = next(r for r in rows if r["path"].endswith("chongqing-qianjiang-2018-workplan.txt"))
    assert chongqing["status"] == "created" and chongqing["error"] == ""
    assert chongqing["index_number"] == "11500114009130039C/2018-00979"
    assert chongqing["document_number"] == "黔江府办发〔2018〕67号"
    assert chongqing["written_date"] == chongqing["published_date"] == "2018-07-20"
    assert (chongqing["topic"], chongqing["genre"]) == ("其他", "行政规范性文件")
    assert {"title": "国务院办公厅关于印发政府网站发展指引的通知", "document_number": "国办发〔2017〕47号"} in chongqing["citations"]
    assert chongqing["body_chars"] > 3000
    guangzhou = next(r for r in rows if r["path"].endswith("guangzhou-2012-workplan.txt"))
    assert "index_number" in guangzhou["missing"]


def test_import_command_with_org(sample_orgs, capsys):
    call_command("import", str(SICHUAN), "--org", "LS-OFFICE")
    out = capsys.readouterr().out
    assert out.startswith("created") and str(SICHUAN) in out
    doc = Document.objects.get()
    assert doc.organisation == sample_orgs["liangshan"]
    # By issuer code and by id too; the page is already there, so nothing changes.
    call_command("import", str(SICHUAN), "--org", "凉府办函")
    call_command("import", str(SICHUAN), "--org", str(sample_orgs["liangshan"].pk))
    assert capsys.readouterr().out.count("unchanged") == 2
    assert Document.objects.count() == 1


@pytest.mark.parametrize("org", ["不存在的机构", "999999"])
def test_import_command_unknown_org_imports_nothing(sample_orgs, org):
    with pytest.raises(CommandError, match="no organisation") as error:
        call_command("import", str(GUANGZHOU), "--org", org)
    assert error.value.returncode == 2
    assert Document.objects.count() == 0


def test_import_command_ambiguous_org(sample_orgs):
    Organisation.objects.create(name="另一个凉山州政府办", short_name="凉山州政府办", level="city", index_prefix="LS-2")
    with pytest.raises(CommandError, match="more than one organisation") as error:
        call_command("import", str(SICHUAN), "--org", "凉山州政府办")
    assert error.value.returncode == 2
    assert Document.objects.count() == 0


def test_import_command_progress_on_stderr(sample_orgs, tmp_path, capsys):
    for sample in (CHONGQING, GUANGZHOU, SICHUAN):
        (tmp_path / sample.name).write_bytes(sample.read_bytes())
    (tmp_path / "empty.htm").write_bytes(b"")
    with pytest.raises(SystemExit):
        call_command("import", str(tmp_path))
    captured = capsys.readouterr()
    assert [line for line in captured.err.splitlines() if line.startswith("[")] == [
        f"[{n}/4] {path}" for n, path in enumerate(sorted(str(p) for p in tmp_path.iterdir()), start=1)
    ]
    assert "4 page(s): 3 created, 0 unchanged (already in the catalog), 1 failed" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 4 and sum(line.startswith("created") for line in lines) == 3
    assert any(line.startswith("failed") and "empty.htm" in line for line in lines)


def test_console_script_exit_status(tmp_path):
    """The installed `gongkai` command, once: an empty page fails without touching the database."""
    script = shutil.which("gongkai") or pytest.skip("the gongkai console script is not installed")
    env = {**os.environ, "GONGKAI_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "gongkai.settings"}
    env.pop("DATABASE_URL", None)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = subprocess.run([script, "import", "--json", str(empty)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [row] = json.loads(done.stdout)
    assert (row["path"], row["status"], row["error"]) == (str(empty), "failed", "the file is empty")


def test_decode_refuses_what_is_not_a_page():
    with pytest.raises(DecodeError):
        decode(b"")
    with pytest.raises(DecodeError, match="PNG"):
        decode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert decode("政务公开".encode("gb18030") * 20)[0] == "政务公开" * 20


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_decode_reports_the_encoding_it_used(encoding):
    text = GUANGZHOU.read_text(encoding="utf-8")
    text = text.encode("gbk", errors="ignore").decode("gbk")  # characters every variant can hold
    decoded, used = decode(text.encode(encoding))
    assert decoded == text
    expected = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "utf-8": "utf-8"}.get(encoding, "gb18030")
    assert used == expected


def test_decode_follows_the_declared_charset():
    markup = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>' \
             "<body><p>重庆市黔江区人民政府办公室关于转发通知</p></body></html>"
    assert decode(markup.encode("gb18030")) == (markup, "gb18030")


@pytest.mark.parametrize("data,reason", [
    (b"   \n\t ", "empty"),
    (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    (b"<html>" + b"\x00" * 10 + b"</html>", "NUL"),
    ("政务公开".encode("utf-8") + bytes(range(0x80, 0x100)) * 3, "undecodable"),
])
def test_decode_reasons(data, reason):
    with pytest.raises(DecodeError, match=reason):
        decode(data)


def test_shipped_samples_are_the_shared_ones():
    """The package's copies must stay the real pages of ../shared/samples (when that folder is beside the clone)."""
    shared = SHARED_SAMPLES.parents[3] / "shared" / "samples"
    if not shared.is_dir():
        pytest.skip("../shared/samples is not beside this clone")
    for page in shared.glob("*.txt"):
        assert (SHARED_SAMPLES / page.name).read_bytes() == page.read_bytes(), page.name
