"""The vendored editor (gongkai/workspace/static/workspace/vendor/jodit/) is
the version package.json pins: an upgrade of one without the other fails
here. And it ships whole: script, style and licence, as package data."""

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "gongkai" / "workspace" / "static" / "workspace" / "vendor" / "jodit"


def test_vendored_jodit_is_the_pinned_version():
    pin = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["jodit"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pin), f"jodit must be pinned exactly, not {pin!r}"
    banner = (VENDOR / "jodit.min.js").read_text(encoding="utf-8")[:600]
    found = re.search(r"^\s*\*\s*Version:\s*v(\d+\.\d+\.\d+)\s*$", banner, re.MULTILINE)
    assert found, "the version banner is missing from jodit.min.js"
    assert found.group(1) == pin, f"vendored Jodit {found.group(1)} but package.json pins {pin}"
    assert "License(s): MIT" in banner
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/jodit"]["version"] == pin


def test_vendored_files_are_complete_and_ship_as_package_data():
    for name in ("jodit.min.js", "jodit.min.css", "LICENSE.txt"):
        assert (VENDOR / name).stat().st_size > 0, name
    assert "MIT" in (VENDOR / "LICENSE.txt").read_text(encoding="utf-8")
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert "static/**/*" in package_data["*"]
