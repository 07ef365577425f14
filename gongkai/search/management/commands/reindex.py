"""`gongkai reindex`: rebuild the full-text index from the catalog."""

import sys

from django.core.management.base import BaseCommand

from gongkai.search import index


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the catalog (after a restore or a dictionary change)."

    def handle(self, *args, **opts):
        def progress(done, total):
            sys.stderr.write(f"\rindexed {done}/{total}")
            sys.stderr.flush()

        count = index.rebuild(progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(f"Indexed {count} documents.")
        # The catalog's maintained facet counts and the public pages' generation,
        # after writes that may have bypassed them (bulk loads, restores).
        from gongkai.catalog import counts
        from gongkai.core import db, generation

        rows = counts.recount()
        generation.bump()
        db.refresh_statistics()
        self.stdout.write(f"Recounted the public catalog's facets ({rows} values).")
