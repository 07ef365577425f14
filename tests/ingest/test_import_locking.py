"""A long import does not lock every write (issue "Security and integrity"
#2): a page with 20,000 document-number citations imported in one 98 s
transaction made public applications and staff logins fail with "database
is locked".

Now one page creates at most MAX_RELATIONS_PER_PAGE relations (the others are
named in a warning, in the text and the JSON report), and every transaction
of an import writes at most BATCH_ROWS rows: counted here statement by
statement, between the connection's own BEGIN and COMMIT, not timed. While
an import runs in a thread, another connection with a short busy timeout
writes between its transactions (and, the control, cannot inside one)."""

import copy
import json
import re
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from gongkai.catalog.models import Document, Relation
from gongkai.core import audit
from gongkai.core.models import AuditEntry, Organisation
from gongkai.ingest import services
from gongkai.search.backends import index_fields

CITATIONS = 20_000
ISSUER = "测试县人民政府"


@pytest.fixture(autouse=True)
def own_audit_anchors(settings, tmp_path):
    """audit.verify() reads the anchors file: this test's own, not one other tests wrote."""
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"


def page(title: str, body: str, *, number: str = "", date: str = "2024-03-01") -> str:
    """A government page as saved text (dated: nothing depends on today)."""
    lines = [f"发布机构：{ISSUER}"]
    if number:
        lines.append(f"发文字号：{number}")
    lines += [f"成文日期：{date}", f"发布日期：{date}", title, "各乡镇人民政府，县政府各部门：", body,
              "请各单位认真贯彻执行。", ISSUER, "2024年3月1日"]
    return "\n".join(lines) + "\n"


def citing_page(count: int) -> str:
    """A directory of `count` valid normative documents, each cited with its number."""
    body = "\n".join(f"{i}. 《关于加强第{i}项工作管理的通知》（测府发〔{2000 + i % 20}〕{i}号）" for i in range(1, count + 1))
    return page(f"{ISSUER}关于公布现行有效规范性文件目录的通知", "现将现行有效的规范性文件目录公布如下：\n" + body,
                number="测府发〔2024〕99999号")


def small_page(i: int, cites: str = "") -> str:
    body = f"为做好第{i}项工作，现通知如下：一、加强组织领导；二、按期报送材料。{cites}"
    return page(f"{ISSUER}关于做好第{i}项工作的通知", body, number=f"测府办发〔2024〕{i}号")


@pytest.fixture(scope="module")
def big_page(tmp_path_factory):
    """The page of the incident, read and checked once for the module (its
    extraction alone takes seconds): (path, the prepared page)."""
    path = tmp_path_factory.mktemp("big") / "directory.txt"
    path.write_text(citing_page(CITATIONS), encoding="utf-8")
    return path, services._prepare(path)


@pytest.fixture
def prepared_once(big_page, monkeypatch):
    """services._prepare, the big page's from the module's copy (jobs=1 reads in this process)."""
    path, prepared = big_page
    real = services._prepare
    monkeypatch.setattr(services, "_prepare", lambda p: copy.deepcopy(prepared) if p == path else real(p))
    return path


@pytest.fixture
def county(db):
    return Organisation.objects.create(name=ISSUER, short_name="测试县", issuer_code="测府发", level="county",
                                       index_prefix="TEST-COUNTY")


def write_pages(folder, texts: dict[str, str]) -> list:
    paths = []
    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- counting rows per transaction


def rows_written(sql: str, params, many: bool, cursor) -> int:
    """Rows a statement inserted, updated or deleted. PostgreSQL's cursor
    counts them. SQLite's counts a statement with RETURNING only once its
    rows are fetched: there an INSERT's rows are counted from its parameters
    (one row per group of VALUES), and a one-row counter UPDATE ... RETURNING
    as 1."""
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if verb not in ("INSERT", "UPDATE", "DELETE"):
        return 0
    if connection.vendor != "sqlite":
        return max(cursor.rowcount, 0)
    if verb == "INSERT":
        if many:
            return len(params)
        columns = re.search(r"\(([^()]*)\)\s*VALUES", sql, re.IGNORECASE)
        width = columns.group(1).count(",") + 1 if columns else 0
        return max(1, len(params or ()) // width) if width else 1
    if cursor.rowcount > 0:  # UPDATE, DELETE
        return cursor.rowcount
    return 1 if "RETURNING" in sql.upper() else 0


class Transactions:
    """The rows each transaction of this thread's connection wrote, from its
    BEGIN (autocommit off) to its COMMIT."""

    def __init__(self, monkeypatch):
        self.committed: list[int] = []
        self.open: int | None = None
        real_set_autocommit, real_commit, real_rollback = (connection.set_autocommit, connection.commit,
                                                           connection.rollback)

        def set_autocommit(autocommit, *args, **kwargs):
            if not autocommit:
                self.open = 0
            return real_set_autocommit(autocommit, *args, **kwargs)

        def commit():
            if self.open is not None:
                self.committed.append(self.open)
                self.open = None
            return real_commit()

        def rollback():
            self.open = None
            return real_rollback()

        monkeypatch.setattr(connection, "set_autocommit", set_autocommit)
        monkeypatch.setattr(connection, "commit", commit)
        monkeypatch.setattr(connection, "rollback", rollback)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if self.open is not None:
            self.open += rows_written(sql, params, many, context["cursor"])
        return result


# ---------------------------------------------------------------- the cap


@pytest.mark.django_db(transaction=True)
def test_a_page_citing_20000_documents_creates_the_first_relations_and_says_so(county, prepared_once, capsys):
    call_command("import", str(prepared_once), "--org", str(county.pk), "--json")
    [row] = json.loads(capsys.readouterr().out)
    assert row["status"] == "created"
    assert len(row["citations"]) == CITATIONS  # the report still lists what the page cites
    doc = Document.objects.get(title__contains="现行有效规范性文件目录")
    relations = list(doc.outgoing.order_by("id").values_list("target_document_number", flat=True))
    assert len(relations) == services.MAX_RELATIONS_PER_PAGE == 300
    assert relations[:2] == ["测府发〔2001〕1号", "测府发〔2002〕2号"]  # the first ones, in page order
    assert relations[-1] == "测府发〔2000〕300号"
    more = CITATIONS - services.MAX_RELATIONS_PER_PAGE
    assert row["warnings"] == [(f"the page cites {CITATIONS} documents: only the first 300 are recorded as its "
                                f"relations (at most 300 per page); {more} are not")]
    entry = AuditEntry.objects.get(action="document.publish", object_id=str(doc.pk))
    assert len(entry.detail["relations"]) == services.MAX_RELATIONS_PER_PAGE
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_warning_in_the_text_report(county, tmp_path, capsys):
    [path] = write_pages(tmp_path, {"directory.txt": citing_page(450)})
    call_command("import", str(path), "--org", str(county.pk))
    out = capsys.readouterr()
    assert out.out.splitlines()[1] == (f"warning    {path}: the page cites 450 documents: only the first 300 are "
                                       "recorded as its relations (at most 300 per page); 150 are not")
    assert "1 page(s) with warnings" in out.err
    assert Relation.objects.count() == 300


@pytest.mark.django_db(transaction=True)
def test_a_page_under_the_cap_has_no_warning(county, tmp_path, capsys):
    [path] = write_pages(tmp_path, {"directory.txt": citing_page(services.MAX_RELATIONS_PER_PAGE)})
    call_command("import", str(path), "--org", str(county.pk), "--json")
    [row] = json.loads(capsys.readouterr().out)
    assert row["status"] == "created" and "warnings" not in row
    assert Relation.objects.count() == services.MAX_RELATIONS_PER_PAGE


# ---------------------------------------------------------------- short transactions


@pytest.mark.django_db(transaction=True)
def test_no_transaction_of_an_import_writes_more_than_batch_rows(county, prepared_once, tmp_path, monkeypatch):
    smalls = write_pages(tmp_path, {f"{i:03d}.txt": small_page(i, f"依据《关于加强第{i}项工作管理的通知》（测府发〔{2000 + i % 20}〕{i}号）。")
                                    for i in range(1, 181)})
    transactions = Transactions(monkeypatch)
    with connection.execute_wrapper(transactions):
        report = services.import_paths([*smalls[:90], prepared_once, *smalls[90:]], organisation=county, jobs=1)
    assert {r.status for r in report.results} == {services.CREATED}
    assert len(transactions.committed) >= 3, transactions.committed
    assert max(transactions.committed) <= services.BATCH_ROWS, transactions.committed
    # Every row was counted: 181 documents, 180 small pages with one citation each, the big one's 300.
    assert sum(transactions.committed) >= 181 + 180 + 300
    assert Relation.objects.count() == 180 + services.MAX_RELATIONS_PER_PAGE
    assert AuditEntry.objects.filter(action="document.publish").count() == 181
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_old_citations_of_a_much_cited_number_are_linked_in_bounded_transactions(county, tmp_path, monkeypatch):
    """The citations already stored of a new document's number are pointed at
    it in the transaction of its page as far as its rows allow, the others
    in transactions after it, each within BATCH_ROWS."""
    monkeypatch.setattr(services, "BATCH_ROWS", 150)
    monkeypatch.setattr(services, "BATCH_PAGES", 20)
    monkeypatch.setattr(services, "MAX_RELATIONS_PER_PAGE", 20)
    cited = "测府发〔2023〕7号"
    citing = write_pages(tmp_path, {f"{i:03d}.txt": small_page(i, f"依据《县政府关于做好年度工作的通知》（{cited}）。")
                                    for i in range(1, 241)})
    services.import_paths(citing, organisation=county, jobs=1)
    assert Relation.objects.filter(target__isnull=True, target_document_number=cited).count() == 240
    [target_path] = write_pages(tmp_path, {"target.txt": page("县政府关于做好年度工作的通知", "现就做好年度工作通知如下。",
                                                             number=cited, date="2023-01-05")})
    transactions = Transactions(monkeypatch)
    with connection.execute_wrapper(transactions):
        report = services.import_paths([target_path], organisation=county, jobs=1)
    target = Document.objects.get(pk=report.results[0].document_id)
    assert Relation.objects.filter(target=target).count() == 240
    assert not Relation.objects.filter(target__isnull=True).exists()
    assert len(transactions.committed) >= 3 and max(transactions.committed) <= 150, transactions.committed


@pytest.mark.django_db(transaction=True)
def test_the_search_index_holds_what_the_per_page_service_would_write(county, tmp_path):
    """The body is segmented in the reading processes: the index rows are
    still those of search.index.update (search.backends.index_fields)."""
    paths = write_pages(tmp_path, {f"{i}.txt": small_page(i) for i in range(1, 4)})
    services.import_paths(paths, organisation=county, jobs=2, batch_size=2)
    docs = list(Document.objects.all())
    assert len(docs) == 3
    with connection.cursor() as cursor:
        for doc in docs:
            title, body, _ = index_fields(doc)
            if connection.vendor == "sqlite":
                cursor.execute("SELECT title, body FROM search_index WHERE rowid = %s", [doc.pk])
                assert cursor.fetchone() == (title, body)
            else:
                cursor.execute("SELECT tsv = setweight(to_tsvector('simple', %s), 'A') || "
                               "setweight(to_tsvector('simple', %s), 'B') FROM search_index WHERE document_id = %s",
                               [title, body, doc.pk])
                assert cursor.fetchone() == (True,)


# ---------------------------------------------------------------- others write meanwhile


def staff_write(name: str) -> None:
    """What a staff screen writes: an organisation and its audit entry, in one transaction."""
    with transaction.atomic():
        org = Organisation.objects.create(name=name, level="department", index_prefix=f"P-{name}")
        audit.record("organisation.create", "organisation", org.pk, actor="staff", after=audit.state_of(org))


def short_busy_timeout() -> None:
    """This connection gives up on a lock after 200 ms (settings wait 30 s)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout = 200")
        else:
            cursor.execute("SET lock_timeout = '200ms'")


@pytest.mark.django_db(transaction=True)
def test_another_connection_writes_while_the_import_runs(county, prepared_once, tmp_path):
    audit.record("test.start", "test", "", actor="test")  # the audit head exists
    smalls = write_pages(tmp_path, {f"{i:03d}.txt": small_page(i) for i in range(1, 121)})
    in_transaction, between, go_on_inside, go_on = (threading.Event() for _ in range(4))
    outcome: dict = {}

    def import_in_a_thread():
        from django.db import connection as own

        def pause_inside(execute, sql, params, many, context):
            if "core_auditentry" in sql and sql.lstrip().upper().startswith("INSERT") and not in_transaction.is_set():
                in_transaction.set()  # the import's transaction is open and has written
                go_on_inside.wait(60)
            return execute(sql, params, many, context)

        def progress(done, total, path):
            if not between.is_set():
                between.set()  # the first transaction has committed: the next has not begun
                go_on.wait(60)

        try:
            with own.execute_wrapper(pause_inside):
                outcome["report"] = services.import_paths([prepared_once, *smalls], organisation=county,
                                                          progress=progress, jobs=1)
        except Exception as exc:  # pragma: no cover - reported below
            outcome["error"] = exc
        finally:
            go_on_inside.set()
            between.set()
            own.close()

    thread = threading.Thread(target=import_in_a_thread)
    thread.start()
    try:
        short_busy_timeout()
        assert in_transaction.wait(120)
        # The control: inside one of the import's transactions, another writer waits, then gives up.
        with pytest.raises(OperationalError):
            staff_write("政务公开办甲")
        go_on_inside.set()
        assert between.wait(120)
        assert "error" not in outcome, outcome.get("error")
        # Between two of them, it writes at once.
        staff_write("政务公开办乙")
        assert Organisation.objects.filter(name="政务公开办乙").exists()
    finally:
        go_on_inside.set()
        go_on.set()
        thread.join(300)
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert [r.status for r in report.results] == [services.CREATED] * 121
    assert not Organisation.objects.filter(name="政务公开办甲").exists()
    assert audit.verify().ok
