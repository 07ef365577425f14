"""Row locks never block a foreign-key check (gongkai.core.db.ROW_LOCK).

Under load on PostgreSQL, a transaction holding a plain FOR UPDATE lock on an
organisation (taken through select_related) and waiting for the audit chain's
head deadlocked with one holding the head and committing an audit entry that
refers to that organisation: the deferred foreign-key check at COMMIT takes
FOR KEY SHARE, which FOR UPDATE blocks and FOR NO KEY UPDATE does not."""

import ast
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation, SiteIdentity

SOURCE = Path(__file__).resolve().parents[2] / "gongkai"


def _lock_calls():
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "select_for_update":
                yield path.relative_to(SOURCE.parent), node


def test_every_row_lock_in_the_code_is_taken_the_one_way():
    calls = list(_lock_calls())
    assert len(calls) > 40  # the scan sees the code
    odd = [f"{path}:{node.lineno}" for path, node in calls
           if not any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == "ROW_LOCK"
                      for k in node.keywords)]
    assert not odd, f"select_for_update without **ROW_LOCK: {odd}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lock, blocks", [(ROW_LOCK, False), ({}, True)])
def test_a_locked_organisation_does_not_hold_up_a_commit_that_refers_to_it(lock, blocks):
    """The second case (Django's plain FOR UPDATE) shows the test can fail."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks")
    org = Organisation.objects.create(name="锁测试县人民政府", level="county")
    holding, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                list(Organisation.objects.select_for_update(**lock).filter(pk=org.pk))
                holding.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(20)
        outcome = "committed"
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                SiteIdentity.objects.create(organisation=org, site_name="锁测试")
        except Exception as exc:  # noqa: BLE001 - the lock timeout, whatever the driver calls it
            outcome = f"blocked: {exc}"
        assert outcome.startswith("blocked") == blocks, outcome
    finally:
        release.set()
        thread.join(30)
