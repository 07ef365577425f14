"""Prepare a scaled-out installation once, before its web processes start:
migrate the database and create the first staff account (`admin`, its
password printed this once), as `gongkai serve` does for one process.

    python deploy/prepare.py

Run by docker-compose.yml's `init` service and by deploy/local_topology.py.
Several web processes starting together on a new database would otherwise
all migrate and all try to create the same account; after this step the
migration each `gongkai serve` runs at its start finds nothing to do.
Safe to run again: a database already migrated and with a staff account is
left as it is. Exit status 1 with the reason when the database cannot be
reached or migrated.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gongkai, when not installed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"prepare: the settings are refused: {exc}", file=sys.stderr)
        return 1
    from django.core.management import call_command
    from django.db import DatabaseError

    from gongkai.core.management.commands.serve import ADMIN_USERNAME, ensure_admin

    try:
        call_command("migrate", interactive=False, verbosity=1)
        password = ensure_admin()
    except DatabaseError as exc:
        print(f"prepare: the database cannot be prepared ({exc}); check DATABASE_URL", file=sys.stderr)
        return 1
    if password:
        print(f"Staff account created: user '{ADMIN_USERNAME}', password {password}\n"
              "  This password is shown only this once: write it down, then change it after signing in at /admin/.")
    else:
        print("The database is ready (a staff account exists already).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
