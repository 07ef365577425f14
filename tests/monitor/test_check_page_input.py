"""`gongkai monitor check-page` never says "ok" about input it could not
read: an empty, binary or undecodable file, or a URL that answers with an
empty page or binary bytes labelled as HTML, is refused on stderr with exit
status 2 and nothing on stdout; real pages still get 0 or 1."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.monitor.site import LoopbackSite

TIMEOUT = 5.0
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def run(*args):
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("monitor", "check-page", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name,data,reason", [
    ("empty.html", b"", "empty"),
    ("blank.html", b" \n\t\n", "empty"),
    ("scan.png", PNG, "PNG"),
    ("notice.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
    ("noise.html", bytes(range(256)) * 16, "binary"),
    ("nul.txt", b"abc\x00def" * 40, "NUL"),
    ("bare.html", b"<html><head></head><body><div></div></body></html>", "no text"),
    ("script.html", b"<html><body><script>document.write('x')</script></body></html>", "no text"),
], ids=lambda value: value if isinstance(value, str) and "." in value else "")
@pytest.mark.parametrize("as_json", [False, True])
def test_unreadable_files_are_refused_with_status_2(tmp_path, name, data, reason, as_json):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(str(path), *(["--json"] if as_json else []))
    assert code == 2 and not out, (code, out, err)
    assert str(path) in err and "Cannot check" in err
    assert reason.lower() in err.lower() or "binary" in err.lower(), err


def test_an_unreadable_file_is_refused_with_status_2(tmp_path, monkeypatch):
    from pathlib import Path

    path = tmp_path / "secret.html"
    path.write_text("<p>通知</p>", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, out, err = run(str(path))
    assert code == 2 and not out and "Cannot read" in err and "Permission denied" in err


def test_real_pages_keep_their_statuses(tmp_path):
    clean = tmp_path / "clean.html"
    clean.write_text("<html><head><title>通知</title></head><body><p>关于做好政务公开工作的通知。</p></body></html>",
                     encoding="utf-8")
    code, out, _ = run(str(clean), "--json")
    assert code == 0 and json.loads(out)["verdict"] == "ok"
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("关于做好二〇二四年政务公开工作的通知".encode("gbk"))
    code, out, _ = run(str(gbk))
    assert code == 0 and ": ok (0 findings)" in out
    only_a_title = tmp_path / "title.html"
    only_a_title.write_text("<html><head><title>澳门葡京娱乐</title></head><body></body></html>", encoding="utf-8")
    assert run(str(only_a_title))[0] in (0, 1)  # something to check: not refused


@pytest.fixture
def site():
    with LoopbackSite() as s:
        s.page("/ok.html", "<p>关于做好政务公开工作的通知。</p>", title="通知")
        s.file("/empty.html", b"", "text/html; charset=utf-8")
        s.file("/png-as-html.html", PNG * 4, "text/html")
        s.file("/scan.png", PNG, "image/png")
        yield s


@pytest.mark.parametrize("path", ["/empty.html", "/png-as-html.html", "/scan.png"])
def test_urls_that_give_no_page_are_refused_with_status_2(site, path):
    code, out, err = run(site.url(path), "--timeout", str(TIMEOUT))
    assert code == 2 and not out, (code, out, err)
    assert site.url(path) in err


def test_a_real_url_is_still_checked(site):
    code, out, err = run(site.url("/ok.html"), "--json", "--timeout", str(TIMEOUT))
    assert code == 0 and json.loads(out)["verdict"] == "ok", err
