"""What someone holding the database alone cannot do to the audit log
unseen: remove its last entries (anchors outside the database), rewrite
entries (keyed hashes), or edit a published document (recorded content
hashes). And the log still verifies where it must: entries written before
the key, a log restored from a JSON dump."""

import datetime as dt
import hashlib
import json
import os
import stat
import zoneinfo

import pytest
import time_machine
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from gongkai.catalog import lifecycle
from gongkai.catalog import services as catalog
from gongkai.catalog.models import Attachment, Document
from gongkai.core import audit
from gongkai.core.models import AuditEntry, AuditHead

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    """The key, the anchors and their copy in this test's own folders."""
    settings.GONGKAI_AUDIT_KEY = ""
    settings.GONGKAI_AUDIT_KEY_FILE = tmp_path / "data" / "audit_key"
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "data" / "audit-anchors.jsonl"
    settings.GONGKAI_AUDIT_ANCHOR_COPY = str(tmp_path / "elsewhere" / "audit-anchors.jsonl")
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _log(n=5):
    for i in range(1, n + 1):
        audit.record("publish", "document", f"x{i}", actor=f"drafter{i}", after={"status": "published", "n": i},
                     detail={"reason": "审核通过"})
    return list(AuditEntry.objects.order_by("seq"))


def _verify_command(capsys):
    """(exit status, what `gongkai audit verify` printed)."""
    try:
        call_command("audit", "verify")
    except SystemExit as done:
        return done.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def _anchor_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- anchors: the tail of the log --------------------------------------------------------
# An anchor names committed entries only, so these tests commit (transaction=True).


@pytest.mark.django_db(transaction=True)
def test_removing_the_tail_and_copying_an_older_hash_into_the_head_is_found(audit_files, capsys):
    log = _log(5)
    call_command("audit", "anchor")
    assert "Anchored the audit log at entry #5" in capsys.readouterr().out
    assert _verify_command(capsys)[0] == 0
    # The attacker removes the last two entries and points the head at entry #3:
    # the chain itself is whole again.
    _sql("DELETE FROM core_auditentry WHERE seq > %s", [3])
    _sql("UPDATE core_audithead SET last_seq = %s, last_hash = %s", [3, log[2].entry_hash])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 4
    assert "entries #4 to #5 were removed" in verdict.reason
    status, out = _verify_command(capsys)
    assert status == 1 and "entries #4 to #5 were removed" in out


@pytest.mark.django_db(transaction=True)
def test_removing_the_head_row_and_the_tail_is_found(audit_files):
    _log(5)
    audit.anchor()
    _sql("DELETE FROM core_auditentry WHERE seq > %s", [2])
    _sql("DELETE FROM core_audithead")
    verdict = audit.verify()
    assert not verdict.ok and "head is missing" in verdict.reason
    assert any("entries #3 to #5 were removed" in p for p in verdict.problems)


@pytest.mark.django_db(transaction=True)
def test_removing_every_entry_is_found(audit_files):
    _log(3)
    audit.anchor()
    _sql("DELETE FROM core_auditentry")
    _sql("DELETE FROM core_audithead")
    verdict = audit.verify()
    assert not verdict.ok and "entries #1 to #3 were removed" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_a_rewrite_even_with_the_key_differs_from_the_anchor(audit_files):
    """Someone who holds the key re-hashes the log from entry #3 on: the
    chain is whole, but entry #5 is not the one anchored."""
    log = _log(5)
    audit.anchor()
    previous = log[1].entry_hash
    for entry in log[2:]:
        entry.actor = "someone-else" if entry.seq == 3 else entry.actor
        entry.prev_hash = previous
        entry.entry_hash = audit.entry_hash(entry)
        entry.save()
        previous = entry.entry_hash
    AuditHead.objects.update(last_hash=previous)
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 5
    assert "entry #5 is not the one anchored" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_an_anchor_is_refused_over_a_truncated_log(audit_files, capsys):
    log = _log(4)
    audit.anchor()
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [4])
    _sql("UPDATE core_audithead SET last_seq = %s, last_hash = %s", [3, log[2].entry_hash])
    with pytest.raises(SystemExit) as done:
        call_command("audit", "anchor")
    assert done.value.code == 1
    assert "No anchor written" in capsys.readouterr().out
    assert len(_anchor_lines(audit_files / "data" / "audit-anchors.jsonl")) == 1  # nothing vouches for the cut
    # An entry rewritten since the last anchor is refused as well.
    _log(1)
    AuditEntry.objects.filter(seq=4).update(actor="someone-else")
    with pytest.raises(audit.AuditProblem, match="entry #4 was altered"):
        audit.anchor()


@pytest.mark.django_db(transaction=True)
def test_edited_or_removed_anchors_are_found(audit_files):
    primary = audit_files / "data" / "audit-anchors.jsonl"
    copy = audit_files / "elsewhere" / "audit-anchors.jsonl"
    for _ in range(3):
        _log(2)
        audit.anchor()
    assert primary.read_text() == copy.read_text() and len(_anchor_lines(primary)) == 3
    assert audit.verify().ok
    original = primary.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)

    # An anchor edited to vouch for a shorter log.
    edited = json.loads(lines[2])
    edited["seq"] = 4
    primary.write_text("".join(lines[:2]) + json.dumps(edited) + "\n", encoding="utf-8")
    verdict = audit.verify()
    assert not verdict.ok and "line 3 of the anchors file" in verdict.reason and "was edited" in verdict.reason

    # An anchor in the middle removed.
    primary.write_text(lines[0] + lines[2], encoding="utf-8")
    verdict = audit.verify()
    assert not verdict.ok and "line 2" in verdict.reason and "does not follow" in verdict.reason

    # The last anchor removed (with the last entries): the copy still holds it.
    primary.write_text("".join(lines[:2]), encoding="utf-8")
    verdict = audit.verify()
    assert not verdict.ok and "the last 1 anchors are missing" in verdict.reason

    # The whole file removed.
    primary.unlink()
    verdict = audit.verify()
    assert not verdict.ok and "is missing, but its copy" in verdict.reason

    primary.write_text(original, encoding="utf-8")
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_copy_catches_up_after_it_was_unreachable(audit_files, settings, capsys):
    _log(2)
    unreachable = audit_files / "not-a-folder"
    unreachable.write_text("a file where the copy's folder should be")
    good_copy = settings.GONGKAI_AUDIT_ANCHOR_COPY
    settings.GONGKAI_AUDIT_ANCHOR_COPY = str(unreachable / "audit-anchors.jsonl")
    with pytest.raises(SystemExit) as done:
        call_command("audit", "anchor")
    assert done.value.code == 1
    assert "could not be written" in capsys.readouterr().out
    settings.GONGKAI_AUDIT_ANCHOR_COPY = good_copy
    verdict = audit.verify()
    assert verdict.ok and any("lacks the last 1 anchors" in n for n in verdict.notes)
    _log(1)
    audit.anchor()
    copy = audit_files / "elsewhere" / "audit-anchors.jsonl"
    assert copy.read_text() == (audit_files / "data" / "audit-anchors.jsonl").read_text()
    assert [line["seq"] for line in _anchor_lines(copy)] == [2, 3]
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_workers_daily_tick_writes_an_anchor(audit_files):
    from gongkai.core import scheduler

    _log(3)
    scheduler.tick(now=dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI))
    [line] = _anchor_lines(audit_files / "data" / "audit-anchors.jsonl")
    assert line["seq"] == 3 and line["entries"] == 3 and line["keyed_from"] == 1
    assert line["hash"] == AuditEntry.objects.get(seq=3).entry_hash
    scheduler.tick(now=dt.datetime(2025, 3, 3, 9, 5, tzinfo=SHANGHAI))  # once a day
    assert len(_anchor_lines(audit_files / "data" / "audit-anchors.jsonl")) == 1


def test_a_tick_in_a_transaction_that_rolls_back_anchors_nothing(db, audit_files):
    from gongkai.core import scheduler

    _log(2)
    scheduler.tick(now=dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI))
    assert not (audit_files / "data" / "audit-anchors.jsonl").exists()
    with pytest.raises(RuntimeError, match="outside a transaction"):
        audit.anchor()


# --- the key -------------------------------------------------------------------------------


def _plain_hash(entry):
    """The hash as written before the key (the chain's first scheme): the oracle."""
    fields = {
        "seq": entry.seq, "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor, "action": entry.action, "object_type": entry.object_type,
        "object_id": entry.object_id, "detail": entry.detail, "before_hash": entry.before_hash,
        "after_hash": entry.after_hash, "prev_hash": entry.prev_hash,
    }
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rewrite_plain(entries, previous):
    """What someone holding only the database can do: rewrite entries and
    re-hash them with the one hash they can compute."""
    for entry in entries:
        entry.scheme, entry.prev_hash = "sha256", previous
        entry.entry_hash = _plain_hash(entry)
        entry.save()
        previous = entry.entry_hash
    AuditHead.objects.update(last_seq=entries[-1].seq, last_hash=previous)


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(db, audit_files):
    key_file = audit_files / "data" / "audit_key"
    assert not key_file.exists()
    entry = audit.record("edit", "document", 1)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and len(key_file.read_text()) >= 64
    assert entry.scheme == f"hmac-sha256:{audit.key_id()}"
    assert entry.entry_hash != _plain_hash(entry)  # the hash cannot be made from the database alone


def test_a_key_from_the_environment_is_used_and_another_key_is_named(db, audit_files, settings):
    settings.GONGKAI_AUDIT_KEY = "k" * 40
    _log(2)
    assert not (audit_files / "data" / "audit_key").exists() and audit.verify().ok
    settings.GONGKAI_AUDIT_KEY = "j" * 40
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 1 and "another audit key" in verdict.reason


def test_a_lost_key_file_is_named_not_replaced(db, audit_files, monkeypatch, capsys):
    _log(2)
    (audit_files / "data" / "audit_key").unlink()
    monkeypatch.setattr(audit, "_keys", {})  # a process started after the loss
    with pytest.raises(ImproperlyConfigured, match="restore the file from the backup"):
        audit.record("edit", "document", 1)
    assert not (audit_files / "data" / "audit_key").exists()
    status, out = _verify_command(capsys)
    assert status == 1 and "audit key file" in out and "is missing" in out


def test_an_entry_rewritten_without_the_key_is_found(db):
    log = _log(5)
    log[2].actor = "someone-else"
    _rewrite_plain(log[2:], log[1].entry_hash)
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 3 and "made without the key" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_the_whole_log_rewritten_without_the_key_is_found_against_the_anchors(audit_files):
    log = _log(3)
    audit.anchor()
    log[0].actor = "someone-else"
    _rewrite_plain(log, audit.GENESIS)
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 1
    assert "the anchors show keyed hashes from entry #1" in verdict.reason


def _legacy_log(n):
    """Entries as written before the key: plain SHA-256, no recorded content."""
    log = _log(n)
    _rewrite_plain(log, audit.GENESIS)
    AuditEntry.objects.update(content_hash=None)
    return list(AuditEntry.objects.order_by("seq"))


def test_entries_written_before_the_key_keep_verifying(db):
    legacy = _legacy_log(3)
    assert all(e.scheme == "sha256" and e.entry_hash == _plain_hash(e) for e in legacy)
    assert audit.verify().ok
    later = _log(2)
    assert later[3].prev_hash == legacy[2].entry_hash and later[3].scheme.startswith("hmac-sha256:")
    assert audit.verify().ok
    # A plain entry after a keyed one: rewritten.
    _rewrite_plain(later[4:], later[3].entry_hash)
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 5 and "entry #4 before it is keyed" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_the_anchors_record_where_keyed_hashes_began(audit_files):
    _legacy_log(2)
    _log(1)
    audit.anchor()
    assert _anchor_lines(audit_files / "data" / "audit-anchors.jsonl")[0]["keyed_from"] == 3
    assert audit.verify().ok


def test_a_log_restored_from_a_json_dump_still_verifies(db):
    """dumpdata's JSON keeps milliseconds only: the entries' times hold no more."""
    with time_machine.travel(dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=SHANGHAI), tick=False):
        _log(3)
    dump = serializers.serialize("json", [*AuditEntry.objects.order_by("seq"), *AuditHead.objects.all()])
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    for item in serializers.deserialize("json", dump):
        item.save()
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 3


# --- published documents ----------------------------------------------------------------------


def _document_problems(verdict):
    return [p for p in verdict.problems if "document #" in p]


def test_a_body_edited_in_the_database_is_named(org_tree, make_document, capsys):
    doc = make_document(org_tree["county"], "关于做好2024年防汛工作的通知", body="各乡镇要落实防汛责任。")
    make_document(org_tree["county"], "关于开展安全检查的通知", body="检查。")  # unchanged: not named
    verdict = audit.verify()
    assert verdict.ok and verdict.contents_checked == 2
    _sql("UPDATE catalog_document SET body = %s WHERE id = %s", ["<p>各乡镇无需防汛。</p>", doc.pk])
    verdict = audit.verify()
    assert not verdict.ok
    [problem] = _document_problems(verdict)
    assert f"document #{doc.pk} “{doc.title}” ({doc.index_number}) no longer matches" in problem
    status, out = _verify_command(capsys)
    assert status == 1 and doc.title in out and "changed outside the application" in out
    call_command("audit", "verify", "--skip-documents")  # the chain itself is whole


@pytest.mark.parametrize("column, value", [("title", "关于取消防汛工作的通知"), ("document_number", "西府发〔2024〕99号"),
                                           ("published_date", "2023-01-01"), ("validity", "abolished")])
def test_what_the_public_sees_is_covered(org_tree, make_document, column, value):
    doc = make_document(org_tree["county"], "关于做好2024年防汛工作的通知", body="正文。", document_number="西府发〔2024〕3号")
    _sql(f"UPDATE catalog_document SET {column} = %s WHERE id = %s", [value, doc.pk])
    assert _document_problems(audit.verify())


def test_changes_through_the_application_keep_verifying(org_tree, make_document, make_user, normative):
    county = org_tree["county"]
    doc = make_document(county, "西昌市城市供水管理办法", body="第一条。", genre=normative)
    draft = make_document(county, "关于征集意见的通知", publish=False)
    catalog.update_document(doc, body_text="第一条（修订）。", title="西昌市城市供水管理办法（修订）")
    admin = make_user("gongkaiban", (county, "office_admin"))
    lifecycle.change_validity(doc, Document.Validity.ABOLISHED, on=None, user=admin)
    catalog.add_relation(doc, "cites", title="中华人民共和国水法")
    catalog.publish_document(draft)
    catalog.withdraw_document(draft, reason="内容有误")
    gone = make_document(county, "已删除的文件")
    catalog.delete_document(gone)
    verdict = audit.verify()
    assert verdict.ok, verdict.problems
    assert verdict.contents_checked == 1


def test_an_attachment_replaced_on_disk_is_named(org_tree, make_document):
    doc = make_document(org_tree["county"], "关于公布收费标准的通知", publish=False)
    attachment = Attachment.objects.create(document=doc, file=ContentFile("收费标准：每件10元。\n".encode(), name="标准.txt"))
    catalog.publish_document(doc)
    assert audit.verify().ok
    with open(attachment.file.path, "wb") as handle:
        handle.write("收费标准：每件100元。\n".encode())
    assert f"document #{doc.pk}" in _document_problems(audit.verify())[0]


def test_publication_and_withdrawal_outside_the_application_are_named(org_tree, make_document):
    published = make_document(org_tree["county"], "关于做好防汛工作的通知")
    draft = make_document(org_tree["county"], "关于内部事项的通知", publish=False)
    _sql("UPDATE catalog_document SET status = %s WHERE id = %s", ["withdrawn", published.pk])
    _sql("UPDATE catalog_document SET status = %s WHERE id = %s", ["published", draft.pk])
    problems = _document_problems(audit.verify())
    assert any(f"document #{published.pk} is no longer published" in p and "withdrawn or removed outside" in p
               for p in problems)
    assert any(f"document #{draft.pk}" in p and "published outside the application" in p for p in problems)


def test_documents_published_before_the_log_recorded_content_get_a_baseline(org_tree, capsys):
    doc = Document.objects.create(organisation=org_tree["county"], title="关于旧系统发布的通知", body="<p>旧正文。</p>",
                                  status=Document.Status.PUBLISHED, published_date=dt.date(2020, 1, 2))
    verdict = audit.verify()
    assert verdict.ok and any("1 published document(s) have no recorded content yet" in n for n in verdict.notes)
    call_command("audit", "baseline")
    assert "Recorded the content of 1 published documents" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="content.baseline")
    assert entry.object_id == str(doc.pk) and entry.content_hash
    verdict = audit.verify()
    assert verdict.ok and verdict.contents_checked == 1
    assert not any("no recorded content" in n for n in verdict.notes)
    _sql("UPDATE catalog_document SET body = %s WHERE id = %s", ["<p>改过的正文。</p>", doc.pk])
    assert _document_problems(audit.verify())
