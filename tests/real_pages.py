"""Where the tests find real pages from other governments: each saved once.

`tests/ingest/fixtures/real/` holds the pages of `../shared/samples/real/` and
the others found since (SOURCES.md there gives every address); work plans and
quota notices that only their own tests use live beside those tests; the
three samples ship with the demo (`gongkai/catalog/demo_samples/`)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REAL = TESTS / "ingest" / "fixtures" / "real"
SAMPLES = TESTS.parent / "gongkai" / "catalog" / "demo_samples"
FOLDERS = (REAL, TESTS / "workplan" / "fixtures" / "plans", TESTS / "workplan" / "fixtures" / "quotas" / "real", SAMPLES)


def real_page(name: str) -> Path:
    """The one saved copy of a real page, whichever folder holds it."""
    for folder in FOLDERS:
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"no saved real page named {name}")


def all_pages() -> list[Path]:
    """Every saved real page of other governments, and the three samples."""
    return sorted(p for p in [*REAL.iterdir(), *SAMPLES.iterdir()] if p.suffix in (".txt", ".html"))
