"""The demo sits above every app: no app imports gongkai.demo, and the catalog
imports none of the apps built on it (its demo part included)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "gongkai"
APPS_BELOW_DEMO = ("core", "catalog", "search", "ingest", "publishing", "guides", "applications", "interaction",
                   "workplan", "monitor", "reports", "api", "portal", "workspace")
ABOVE_CATALOG = ("guides", "publishing", "applications", "interaction", "workplan", "ingest", "reports")


def imports(package: Path, root: Path = ROOT):
    """(file, [imported module]) for every import in the package, relative ones resolved."""
    for path in package.rglob("*.py"):
        dotted = ["gongkai", *path.relative_to(root).with_suffix("").parts]
        if dotted[-1] == "__init__":
            dotted.pop()
        else:
            dotted.pop()  # the module's package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = dotted[:len(dotted) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                yield path, [base] + [f"{base}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                yield path, [alias.name for alias in node.names]


def _hits(names, prefixes):
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize("app", APPS_BELOW_DEMO)
def test_no_app_below_the_demo_imports_it(app):
    for path, names in imports(ROOT / app):
        assert not _hits(names, ["gongkai.demo"]), (str(path), names)


def test_the_catalog_imports_none_of_the_apps_built_on_it():
    found = [(str(path), _hits(names, [f"gongkai.{a}" for a in ABOVE_CATALOG]))
             for path, names in imports(ROOT / "catalog")]
    assert [f for f in found if f[1]] == []


def test_the_check_sees_relative_and_absolute_imports(tmp_path):
    """The walk catches the imports the catalog's demo used to have."""
    package = tmp_path / "gongkai" / "catalog"
    package.mkdir(parents=True)
    (package / "demo.py").write_text("def f():\n    from gongkai.guides.demo import create_demo_guides\n"
                                     "    from ..ingest import services\n    import gongkai.demo\n", encoding="utf-8")
    names = [n for _, found in imports(package, root=tmp_path / "gongkai") for n in found]
    assert _hits(names, ["gongkai.guides"]) and _hits(names, ["gongkai.ingest"]) and _hits(names, ["gongkai.demo"])
    assert not _hits(names, ["gongkai.publishing"])
