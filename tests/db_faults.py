"""Database faults for the tests that prove the platform survives them."""

import time

from django.db import connections


def terminate_backend(pid: int) -> None:
    """What a PostgreSQL restart does to an open connection (backend `pid`),
    done from a second connection as an administrator would; returns once
    the backend is gone."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(200):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
    finally:
        other.close()
