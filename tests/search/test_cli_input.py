"""`gongkai search` takes what a shell hands it: a word starting with a minus
is the search syntax's exclusion (also as the first word, also after --), and
an argument that is not UTF-8 is refused with a plain message and exit
status 2 instead of a traceback."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPO = Path(__file__).resolve().parents[2]

BODY_RIVER = "加强河长制工作，做好防汛抗旱和水资源保护。"


@pytest.fixture
def docs(org_tree, make_document):
    return {
        "plan": make_document(org_tree["county"], "关于印发2024年政务公开工作要点的通知", "全面推进政务公开工作。",
                              published_date=dt.date(2024, 3, 1)),
        "report": make_document(org_tree["city"], "政务公开工作情况通报", "通报全州政务公开工作情况。" + BODY_RIVER,
                                published_date=dt.date(2023, 9, 1)),
    }


def _titles(capsys, *args):
    call_command("search", "--json", *args)
    return {hit["title"] for hit in json.loads(capsys.readouterr().out)["hits"]}


def test_a_word_starting_with_a_minus_excludes_it(docs, capsys):
    both = {docs["plan"].title, docs["report"].title}
    assert _titles(capsys, "政务公开") == both
    assert _titles(capsys, "政务公开", "-河长制") == {docs["plan"].title}
    assert _titles(capsys, "-河长制", "政务公开") == {docs["plan"].title}  # also as the first word
    assert _titles(capsys, "政务公开", "--", "-河长制") == {docs["plan"].title}
    assert _titles(capsys, "--", "-河长制", "政务公开") == {docs["plan"].title}
    assert _titles(capsys, "-通知", "政务公开") == {docs["report"].title}
    call_command("search", "政务公开", "-河长制", "--json")
    assert json.loads(capsys.readouterr().out)["query"] == "政务公开 -河长制"


def test_options_around_exclusions_still_work(docs, capsys):
    assert _titles(capsys, "-河长制", "--org", "凉山州", "政务公开") == {docs["plan"].title}
    assert _titles(capsys, "-通知", "--org", "凉山州", "--org-only", "政务公开") == {docs["report"].title}
    assert _titles(capsys, "-通知", "--org", "财政厅", "政务公开") == set()


def test_only_exclusions_is_a_query_without_words(docs):
    with pytest.raises(CommandError, match="没有可检索|至少"):
        call_command("search", "-河长制")


def test_a_lone_short_option_is_still_an_option():
    with pytest.raises(CommandError, match="unrecognized arguments: -x"):
        call_command("search", "政务公开", "-x")
    with pytest.raises(CommandError, match="required: query"):
        call_command("search")


@pytest.mark.parametrize("args", [["政务\udcff公开"], ["政务公开", "--org", "\udce4\udcb8"], ["-\udcff"]])
def test_arguments_that_are_not_utf8_are_refused(args, db):
    with pytest.raises(CommandError, match="not valid UTF-8") as refused:
        call_command("search", *args)
    assert "\\x" in str(refused.value)
    str(refused.value).encode("utf-8")  # the message itself prints anywhere


def _run(tmp_path, *args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongkai.test_settings", "GONGKAI_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(REPO), "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "gongkai", "search", *args], capture_output=True, env=env, check=False,
                          cwd=tmp_path, timeout=120)


def test_the_command_line_refuses_bytes_that_are_not_utf8_with_status_2(tmp_path):
    done = _run(tmp_path, "政务".encode() + b"\xff\xfe")
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2, stderr
    assert "not valid UTF-8" in stderr and "\\xff\\xfe" in stderr and "Traceback" not in stderr


def test_help_explains_exclusions_and_the_exit_statuses(tmp_path):
    done = _run(tmp_path, "--help")
    out = " ".join(done.stdout.decode("utf-8").split())
    assert done.returncode == 0
    assert "-通知" in out and "--" in out and "Exit status" in out and "not valid UTF-8" in out
