"""The project's own pages (docs/architecture.md, docs/operations.md) stay true to the code:
every environment variable gongkai/settings.py reads is described in the operator's page,
every `gongkai COMMAND` the pages name exists, and every file path they name is there."""

import ast
import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = [DOCS / "architecture.md", DOCS / "operations.md"]
# Commands of apps that only an optional backend installs (GONGKAI_TASKS_BACKEND=rq): the app that has them.
OPTIONAL_COMMANDS = {"rqworker": "django_rq"}


def environment_reads(source: str) -> set[str]:
    """The variables a settings module reads: os.environ.get("X"), os.environ["X"],
    _flag("X"), env.get("X") (the S3 settings read a mapping passed in)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = ast.unparse(func)
            if called in ("os.environ.get", "_flag", "env.get", "os.getenv"):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return {n for n in names if isinstance(n, str)}


def named_commands(text: str) -> set[str]:
    """`gongkai X` in inline code and at the start of commands in code blocks."""
    found = set(re.findall(r"`gongkai ([a-z][a-z_-]*)", text))
    in_blocks = "\n".join(re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, flags=re.S))
    found |= set(re.findall(r"(?:^|[\s;&|(])gongkai ([a-z][a-z_-]*)", in_blocks, flags=re.M))
    return found


def test_the_reader_finds_what_settings_read():
    source = ('import os\nA = os.environ.get("GONGKAI_A", 1)\nB = os.environ["GONGKAI_B"]\n'
              'C = _flag("GONGKAI_C")\ndef s3(env):\n    return env.get("GONGKAI_D", "")\n')
    assert environment_reads(source) == {"GONGKAI_A", "GONGKAI_B", "GONGKAI_C", "GONGKAI_D"}
    assert named_commands("run `gongkai worker --once`\n```sh\ncd x && gongkai serve\n```\n") == {"worker", "serve"}


def test_every_setting_read_in_settings_is_in_the_operators_page():
    read = environment_reads((REPO / "gongkai" / "settings.py").read_text(encoding="utf-8"))
    assert {"GONGKAI_DATA_DIR", "GONGKAI_S3_BUCKET", "GONGKAI_SECURE_COOKIES", "DATABASE_URL"} <= read
    page = (DOCS / "operations.md").read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in page and not re.search(rf"`{name}[`,]", page))
    assert not missing, f"docs/operations.md does not describe: {', '.join(missing)}"


@pytest.mark.django_db(databases=[])
def test_every_command_the_pages_name_exists():
    from django.core.management import get_commands

    known = set(get_commands())
    named = set()
    for page in PAGES + [REPO / "README.md"]:
        named |= named_commands(page.read_text(encoding="utf-8"))
    assert {"serve", "worker", "backup", "restore", "demo"} <= named
    unknown = set()
    for name in named - known:
        app = OPTIONAL_COMMANDS.get(name)
        if not (app and importlib.util.find_spec(f"{app}.management.commands.{name}")):
            unknown.add(name)
    assert not unknown, f"no such gongkai command: {', '.join(sorted(unknown))}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_file_the_pages_name_exists(page):
    text = page.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:gongkai|tests|deploy|bench|docs)/[\w./-]+\.\w+)`", text))
    paths |= set(re.findall(r"`(docker-compose\.yml|README\.md)`", text))
    assert len(paths) > 5
    missing = sorted(p for p in paths if not (REPO / p).exists())
    assert not missing, f"{page.name} names files that do not exist: {', '.join(missing)}"
