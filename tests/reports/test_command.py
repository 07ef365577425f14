"""`gongkai report check`: one report (a file or an address) or a list of
units; text, JSON or a workbook; exit status 0 no problem, 1 problems,
2 nothing could be checked (with the reason on stderr). Addresses are served
on loopback by the tests (tests/monitor/site.py)."""

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gongkai.reports import sources
from gongkai.reports.management.commands.report import ACTIONS
from tests.monitor.site import LoopbackSite, Route, refused_port
from tests.reports import render

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
SHANGHAI = REAL / "shanghai-2019-annualreport.html"
CHANGCHUN = REAL / "changchun-bureau-2023-annualreport.txt"


def run(*args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("report", "check", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def clean_report(tmp_path):
    path = tmp_path / "示例县.html"
    path.write_text(render.report("html"), encoding="utf-8")
    return path


def test_a_report_with_problems_gives_1_and_the_json_of_the_issue():
    code, out, err = run(str(SHANGHAI), "--json")
    assert code == 1, err
    data = json.loads(out)
    assert (data["format"], data["year"], data["organisation"]) == ("2019", 2019, "上海市人民政府办公厅")
    assert [t["table"] for t in data["tables"]] == [2, 3, 4]
    table3 = data["tables"][1]
    assert table3["columns"][0] == "自然人" and table3["rows"][0]["label"] == "一、本年新收政府信息公开申请数量"
    assert table3["rows"][0]["values"] == [821, 35, None, None, 2, 1, 859]
    unable = [p for p in data["problems"] if p["kind"] == "prose" and p["row"] == "（四）无法提供"]
    assert unable == [{"kind": "prose", "table": 3, "row": "（四）无法提供", "column": "总计", "stated": 265,
                       "computed": 337, "expected": None, "quote": "因本机关不掌握等原因无法提供265件",
                       "message": unable[0]["message"], "row_key": "unable", "column_key": None}]
    assert "265" in unable[0]["message"] and "337" in unable[0]["message"]


def test_a_clean_report_gives_0(clean_report):
    code, out, err = run(str(clean_report))
    assert (code, err) == (0, "")
    assert "format 2021, year 2023, 示例县人民政府办公室: 0 problem(s)" in out


def test_the_text_output_lists_each_problem():
    code, out, _err = run(str(CHANGCHUN))
    assert code == 1
    assert "prose   表三 / 一、本年新收政府信息公开申请数量 / 总计: 正文称“共受理政府信息公开申请2件”" in out


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
    ("关于做好2023年政务公开工作的通知\n各单位：现将有关事项通知如下。".encode(), "no recognisable annual report"),
])
@pytest.mark.parametrize("as_json", [False, True])
def test_what_cannot_be_checked_gives_2_and_says_why(tmp_path, data, reason, as_json):
    path = tmp_path / "page.html"
    path.write_bytes(data)
    code, out, err = run(str(path), *(["--json"] if as_json else []))
    assert code == 2 and reason in err and str(path) in err
    if as_json and reason.startswith("no recognisable"):
        assert json.loads(out)["error"].startswith("no recognisable")
    else:
        assert out == ""


@pytest.mark.parametrize("args", [[], ["a.html", "--units", "list.txt"], ["a.html", "--timeout", "0"]])
def test_bad_arguments_give_2(args):
    code, out, err = run(*args)
    assert code == 2 and out == "" and err


def test_a_missing_file_gives_2():
    code, _out, err = run("/nonexistent/report.html")
    assert code == 2 and "no such file" in err


# --- addresses ------------------------------------------------------------------------

def test_a_report_at_an_address(clean_report):
    with LoopbackSite() as site:
        site.file("/nb.html", clean_report.read_bytes(), "text/html; charset=utf-8")
        site.redirect("/old.html", "/nb.html")
        code, out, err = run(site.url("/old.html"))
    assert code == 0, err
    assert "0 problem(s)" in out


@pytest.mark.parametrize("route,reason", [
    ("/missing.html", "HTTP 404"),
    ("/report.pdf", "application/pdf"),
])
def test_an_address_that_is_not_a_page(route, reason):
    with LoopbackSite() as site:
        site.file("/report.pdf", b"%PDF-1.7 ...", "application/pdf")
        code, out, err = run(site.url(route))
    assert code == 2 and reason in err and out == ""


def test_an_address_where_nothing_answers():
    code, _out, err = run(f"http://127.0.0.1:{refused_port()}/nb.html")
    assert code == 2 and "Cannot check" in err


def test_fetching_has_a_size_limit_a_timeout_and_a_redirect_limit():
    with LoopbackSite() as site:
        site.file("/big.html", b"<p>" + "政府信息公开".encode() * 2000 + b"</p>", "text/html")
        site.add("/slow.html", Route(body=b"<p>x</p>", delay=2))
        for i in range(sources.MAX_REDIRECTS + 2):
            site.redirect(f"/r{i}", f"/r{i + 1}")
        with pytest.raises(sources.SourceError, match="larger than"):
            sources.fetch_url(site.url("/big.html"), max_bytes=1024, allow_private=True)
        with pytest.raises(sources.SourceError, match="no answer within"):
            sources.fetch_url(site.url("/slow.html"), timeout=0.3, allow_private=True)
        with pytest.raises(sources.SourceError, match="too many redirects"):
            sources.fetch_url(site.url("/r0"), allow_private=True)


def test_private_addresses_are_refused_unless_allowed():
    """A caller that passes on others' addresses (not the command line) cannot reach the intranet."""
    with LoopbackSite() as site:
        site.page("/nb.html", "<p>报告</p>")
        with pytest.raises(sources.SourceError, match="private or local network"):
            sources.fetch_url(site.url("/nb.html"))
        assert "报告" in sources.fetch_url(site.url("/nb.html"), allow_private=True)
        assert site.fetched("/nb.html") == 1
    with pytest.raises(sources.SourceError, match="not an http"):
        sources.fetch_url("file:///etc/passwd")


# --- a list of units -----------------------------------------------------------------

def test_units_give_one_sheet_of_problems_each(tmp_path, clean_report):
    with LoopbackSite() as site:
        site.file("/cc.txt", CHANGCHUN.read_bytes(), "text/plain; charset=utf-8")
        (tmp_path / "units.txt").write_text(
            "# 单位, 年度报告\n"
            f"上海市人民政府办公厅\t{SHANGHAI}\n"
            f"示例县人民政府办公室, {clean_report.name}\n"
            f"长春市某局 {site.url('/cc.txt')}\n"
            "某乡镇人民政府，missing.html\n", encoding="utf-8")
        out_path = tmp_path / "问题.xlsx"
        code, out, err = run("--units", str(tmp_path / "units.txt"), "--xlsx", str(out_path))
    assert code == 1, err
    assert "某乡镇人民政府 (missing.html): not checked: no such file" in out
    book = load_workbook(io.BytesIO(out_path.read_bytes()))
    assert book.sheetnames == ["汇总", "1.上海市人民政府办公厅", "2.示例县人民政府办公室", "3.长春市某局", "4.某乡镇人民政府"]
    summary = list(book["汇总"].values)
    assert summary[0][:7] == ("单位", "来源", "结果", "格式", "年度", "报告所写机关", "问题数")
    assert [row[:7] for row in summary[1:]] == [
        ("上海市人民政府办公厅", str(SHANGHAI), "有问题", "2019", 2019, "上海市人民政府办公厅", 13),
        ("示例县人民政府办公室", clean_report.name, "未发现问题", "2021", 2023, "示例县人民政府办公室", 0),
        ("长春市某局", site.url("/cc.txt"), "有问题", "2021", None, None, 25),
        ("某乡镇人民政府", "missing.html", "无法读取", None, None, None, 0),
    ]
    shanghai = list(book["1.上海市人民政府办公厅"].values)
    assert shanghai[0] == ("类型", "表", "行", "列", "报告所列", "计算所得", "格式规定", "说明")
    assert ("正文与表格不符", "表三 收到和处理政府信息公开申请情况", "（四）无法提供", "总计", 265, 337) in [
        row[:6] for row in shanghai]
    assert list(book["2.示例县人民政府办公室"].values) == [shanghai[0]]
    assert list(book["4.某乡镇人民政府"].values)[1][-1] == "无法读取：no such file"


def test_units_with_no_problem_give_0_and_unreadable_ones_2(tmp_path, clean_report):
    (tmp_path / "ok.txt").write_text(f"示例县\t{clean_report}\n", encoding="utf-8")
    assert run("--units", str(tmp_path / "ok.txt"))[0] == 0
    (tmp_path / "bad.txt").write_text(f"示例县\t{clean_report}\n乙\t{tmp_path / 'none.html'}\n", encoding="utf-8")
    code, _out, err = run("--units", str(tmp_path / "bad.txt"), "--json")
    assert code == 2 and "乙: no such file" in err


def test_an_unreadable_list_or_workbook_path_gives_2_and_leaves_no_file(tmp_path, clean_report):
    code, _out, err = run("--units", str(tmp_path / "none.txt"))
    assert code == 2 and "Cannot read the list" in err
    (tmp_path / "empty.txt").write_text("# 无\n", encoding="utf-8")
    assert run("--units", str(tmp_path / "empty.txt"))[0] == 2
    target = tmp_path / "no-such-dir" / "out.xlsx"
    code, _out, err = run(str(clean_report), "--xlsx", str(target))
    assert code == 2 and "Cannot write" in err and not target.parent.exists()


def test_list_lines():
    units = sources.parse_units("\ufeff# comment\n\n甲局\thttp://a.gov.cn/nb.html\n乙局，b.html\n丙局  c d.html\nhttp://e.gov.cn/x\n")
    assert [(u.name, u.target, u.line) for u in units] == [
        ("甲局", "http://a.gov.cn/nb.html", 3), ("乙局", "b.html", 4), ("丙局  c", "d.html", 5), ("", "http://e.gov.cn/x", 6)]
    with pytest.raises(sources.SourceError, match="line 1"):
        sources.parse_units("甲局,\n")


def test_another_action_is_added_beside_check():
    assert list(ACTIONS) == ["check", "annual"]
    for add_arguments, run in ACTIONS.values():
        assert callable(add_arguments) and callable(run)


def test_a_page_saved_in_gbk(tmp_path):
    path = tmp_path / "nb.html"
    path.write_bytes(render.report("html").replace("charset='utf-8'", "charset='gbk'").encode("gbk"))
    code, out, err = run(str(path))
    assert (code, err) == (0, "") and "示例县人民政府办公室: 0 problem(s)" in out
