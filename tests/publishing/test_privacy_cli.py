"""`gongkai privacy scan` tells "found personal data" (exit status 1) from
"could not read the file" (exit status 2, the reason on stderr, nothing on
stdout): a script never takes an unread file for a clean one, nor the other
way round."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO = Path(__file__).resolve().parents[2]

WITH_DATA = "请联系经办人张某，邮箱zhang.wei@example.com，手机13812345678。"
CLEAN = "关于做好2024年政务公开工作的通知。各乡镇人民政府：现将有关事项通知如下。"


def scan(path, *args):
    """(exit status, stdout, CommandError or None) as `gongkai privacy scan` ends."""
    out = StringIO()
    try:
        call_command("privacy", "scan", str(path), *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue(), None
    except CommandError as exc:
        return exc.returncode, out.getvalue(), exc
    return 0, out.getvalue(), None


def test_findings_are_status_1_and_a_clean_file_status_0(tmp_path):
    found = tmp_path / "found.txt"
    found.write_text(WITH_DATA, encoding="utf-8")
    code, out, _ = scan(found, "--json")
    assert code == 1 and {f["kind"] for f in json.loads(out)} >= {"email", "mobile"}
    page = tmp_path / "found.html"
    page.write_text(f"<html><body><p>{WITH_DATA}</p></body></html>", encoding="gbk")
    assert scan(page)[0] == 1
    clean = tmp_path / "clean.txt"
    clean.write_text(CLEAN, encoding="utf-8")
    code, out, _ = scan(clean)
    assert code == 0 and "0 finding(s)" in out


@pytest.mark.parametrize("name,data,reason", [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \n\n ", "empty"),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
    ("nul.txt", b"abc\x00def" * 40, "NUL"),
    ("bare.html", b"<html><head><title></title></head><body><div> </div></body></html>", "no text"),
], ids=["missing", "empty", "blank", "png", "nul", "bare-html"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_unreadable_files_are_status_2_with_the_reason(tmp_path, name, data, reason, as_json):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    code, out, error = scan(path, *(["--json"] if as_json else []))
    assert code == 2 and not out, (code, out)
    assert error is not None and name in str(error) and reason.lower() in str(error).lower(), str(error)


def test_a_folder_is_status_2(tmp_path):
    code, _, error = scan(tmp_path)
    assert code == 2 and "not a file" in str(error)


def _run(tmp_path, *args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongkai.test_settings", "GONGKAI_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": str(REPO), "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "gongkai", "privacy", "scan", *args], capture_output=True, env=env, check=False,
                          cwd=tmp_path, timeout=120)


def test_the_command_line_exit_statuses(tmp_path):
    found = tmp_path / "found.txt"
    found.write_text(WITH_DATA, encoding="utf-8")
    done = _run(tmp_path, str(found))
    assert done.returncode == 1 and "finding(s)" in done.stdout.decode("utf-8")
    done = _run(tmp_path, str(tmp_path / "missing.txt"))
    assert done.returncode == 2 and not done.stdout and "no such file" in done.stderr.decode("utf-8")
    odd = tmp_path / os.fsdecode(b"\xff\xfe.txt")
    odd.write_bytes(b"")
    done = _run(tmp_path, os.fsencode(odd))
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2 and "\\xff\\xfe.txt" in stderr and "Traceback" not in stderr
