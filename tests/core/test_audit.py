"""The audit log's hash chain: appends verify, and any alteration or removal
is found at the entry where it happened."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from gongkai.core import audit
from gongkai.core.models import AuditEntry


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    """The key and the anchors in this test's own folder (tests/core/test_audit_anchor.py tests them)."""
    settings.GONGKAI_AUDIT_KEY = ""
    settings.GONGKAI_AUDIT_KEY_FILE = tmp_path / "audit_key"
    settings.GONGKAI_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"
    settings.GONGKAI_AUDIT_ANCHOR_COPY = ""


@pytest.fixture
def log(db):
    for i in range(1, 6):
        audit.record("publish", "document", i, actor=f"drafter{i}", before={"status": "draft"},
                     after={"status": "published", "title": f"关于第{i}号文件的通知"}, detail={"reason": "审核通过"})
    return list(AuditEntry.objects.order_by("seq"))


def test_whole_chain_verifies(log, capsys):
    assert [e.seq for e in log] == [1, 2, 3, 4, 5]
    assert log[0].prev_hash == audit.GENESIS and all(b.prev_hash == a.entry_hash for a, b in zip(log, log[1:]))
    assert audit.verify().ok
    call_command("audit", "verify")
    assert "whole: 5 entries" in capsys.readouterr().out


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_altered_entry_is_named(log, capsys):
    _sql("UPDATE core_auditentry SET actor = %s WHERE seq = %s", ["someone-else", 3])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 3 and "altered" in verdict.reason
    with pytest.raises(SystemExit) as done:
        call_command("audit", "verify")
    assert done.value.code == 1
    assert "#3" in capsys.readouterr().out


def test_rehashed_entry_breaks_the_next_link(log):
    entry = AuditEntry.objects.get(seq=2)
    entry.detail = {"reason": "改过的理由"}
    entry.entry_hash = audit.entry_hash(entry)  # a forger recomputes this entry's own hash ...
    entry.save()
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 3  # ... the next entry still points at the old one


def test_removed_entries_are_found(log):
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [4])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 4 and "missing" in verdict.reason


def test_removed_tail_is_found(log):
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [5])
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 5 and "removed" in verdict.reason


def test_entry_rolls_back_with_the_change(db):
    from django.db import transaction

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit.record("withdraw", "document", 1)
            raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == 0 and audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    errors = []

    def append(n):
        try:
            for i in range(5):
                audit.record("edit", "document", f"{n}-{i}", actor=f"user{n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEntry.objects.count() == 20
    assert audit.verify().ok


def test_admin_cannot_change_entries(log, admin_client):
    entry = log[0]
    assert admin_client.get("/admin/core/auditentry/").status_code == 200
    assert admin_client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    admin_client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"actor": "x"})
    entry.refresh_from_db()
    assert entry.actor == "drafter1" and audit.verify().ok
