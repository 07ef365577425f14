"""The benchmark script runs end to end on a tiny catalog and yields a figure
for every query. No timing is asserted: that is what the benchmark is for."""

import importlib.util
import sys

import pytest
from django.db import connection

from tests.conftest import REPO

SCRIPT = REPO / "bench" / "search_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("search_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_small_run_measures_every_query(db, bench):
    report = bench.benchmark(200, 20, rounds=2, batch=50, progress=lambda message: None)

    from gongkai.catalog.models import Document
    from gongkai.search.services import search

    assert report.imported.documents == 200
    assert Document.objects.count() == 200
    assert report.imported.per_second > 0
    assert len(report.timings) == 20
    on_sqlite = connection.vendor == "sqlite"
    for timing in report.timings:
        assert len(timing.search_ms) == 2 and all(ms > 0 for ms in timing.search_ms)
        if on_sqlite:
            assert len(timing.raw_ms) == 2 and all(ms > 0 for ms in timing.raw_ms)
            # Filters, phrase checks and exclusions only narrow the bare text query.
            assert timing.total <= timing.raw_total
        else:
            assert timing.raw_ms == []
        # What the benchmark recorded is what search() answers.
        q = timing.query
        assert search(q.text, q.filters, order=q.order).total == timing.total
    # The mix is not a set of empty queries: most of them find something.
    assert sum(1 for t in report.timings if t.total) >= len(report.timings) // 2
    kinds = {t.query.kind for t in report.timings}
    assert len(kinds) >= 3
    assert any(t.query.filter_labels for t in report.timings)
    assert any(not t.query.filter_labels for t in report.timings)

    text = report.markdown()
    assert "### 200 documents" in text
    assert "search() — all queries" in text
    assert ("| raw FTS5 (COUNT" in text) == on_sqlite
    assert "import+index" in text


def test_query_mix_is_fixed(db, bench):
    from gongkai.catalog import demo

    plan = demo.generate(200, bench.DEFAULT_SEED)
    demo.create_organisations(plan.organisations)
    first = [(q.text, q.order, q.filter_labels) for q in bench.build_queries(plan, 30)]
    second = [(q.text, q.order, q.filter_labels) for q in bench.build_queries(plan, 30)]
    assert first == second
    assert len({text for text, _, _ in first}) > 10


def test_percentile_is_nearest_rank(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50
    assert bench.percentile(values, 95) == 95
    assert bench.percentile(values, 99) == 99
    assert bench.percentile([3.0], 99) == 3.0


def test_write_section_replaces_only_its_own_size(tmp_path, bench):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Results\n\nHand-written analysis stays.\n", encoding="utf-8")

    class Fake:
        def __init__(self, docs, body):
            self.docs, self.body = docs, body

        def markdown(self):
            return self.body

    bench.write_section(path, Fake(100, "first 100\n"))
    bench.write_section(path, Fake(10, "ten\n"))
    bench.write_section(path, Fake(100, "second 100\n"))
    text = path.read_text(encoding="utf-8")
    assert "Hand-written analysis stays." in text
    assert "second 100" in text and "first 100" not in text
    assert text.count("<!-- bench:100 -->") == 1 and "ten" in text


@pytest.mark.parametrize(
    "argv, message",
    [(["--docs", "0"], "--docs must be at least 1"), (["--reuse"], "--reuse needs --db")],
)
def test_bad_arguments_get_a_clear_message(bench, capsys, argv, message):
    with pytest.raises(SystemExit) as exit:
        bench.parse_args(argv)
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_one_pass_search_keeps_total_past_the_last_page(org_tree, make_document):
    """The backend takes the total from the page query (a window count); a page
    past the end has no row to carry it and must count on its own."""
    from gongkai.search.services import search

    for n in range(3):
        make_document(org_tree["city"], f"关于做好第{n + 1}批防汛工作的通知", body="防汛抗旱工作要点。", document_number=f"凉府发〔2024〕{n + 1}号")
    first = search("防汛", per_page=2)
    assert first.total == 3 and len(first.hits) == 2
    last = search("防汛", per_page=2, page=2)
    assert last.total == 3 and len(last.hits) == 1
    beyond = search("防汛", per_page=2, page=5)
    assert beyond.total == 3 and beyond.hits == []


def test_crawl_benchmark_runs_on_a_small_site(tmp_path):
    import subprocess

    out = subprocess.run([sys.executable, str(REPO / "bench" / "crawl_bench.py"), "--pages", "40", "--concurrency", "4"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pages/s" in out.stdout + out.stderr and "40" in out.stdout + out.stderr


def test_import_benchmark_runs_on_a_few_pages():
    import subprocess

    out = subprocess.run([sys.executable, str(REPO / "bench" / "import_bench.py"), "--pages", "30"],
                         capture_output=True, text=True, timeout=300, cwd=REPO, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "30 pages in" in out.stdout and "pages/s" in out.stdout and "SQL statements" in out.stdout
    assert "created" in out.stdout
