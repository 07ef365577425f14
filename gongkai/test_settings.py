"""Settings for the test suite: the embedded defaults, or PostgreSQL when
GONGKAI_TEST_DATABASE_URL is set (CI runs the suite once on each)."""

import os
import tempfile

os.environ.setdefault("GONGKAI_DATA_DIR", os.path.join(tempfile.gettempdir(), "gongkai-test-data"))

from gongkai.settings import *  # noqa: E402,F403
from gongkai.settings import database_config  # noqa: E402

DATABASES = {"default": database_config(os.environ.get("GONGKAI_TEST_DATABASE_URL") or None)}
if os.environ.get("GONGKAI_TEST_DB_NAME"):
    # Lets several suites run against one database server at once.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["GONGKAI_TEST_DB_NAME"]}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrent transactions then wait for
    # the lock as they do in production instead of failing at once.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(DATA_DIR, f"test-{os.getpid()}.sqlite3")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test process counts rate limits on its own (tests clear it as they need).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongkai-tests"},
          "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongkai-test-pages"}}

# Background jobs run at once, in the process that enqueues them: no test needs
# a worker (tests/core/test_scheduler.py switches to the database queue).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Test transactions never commit, so on-commit bumps of the public content's
# generation would never run: bump at once (gongkai.core.generation).
GONGKAI_GENERATION_IMMEDIATE = True

# The audit log's key and anchors belong to one test process: anchors left in
# the shared data folder by an earlier run would describe another database.
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="gongkai-test-audit-"))  # noqa: F405
GONGKAI_AUDIT_KEY_FILE = _AUDIT_DIR / "audit_key"
GONGKAI_AUDIT_ANCHORS = _AUDIT_DIR / "audit-anchors.jsonl"
GONGKAI_AUDIT_ANCHOR_COPY = ""

# Messages to applicants stay in django.core.mail.outbox (the browser tests'
# live server runs in the test's process and fills the same outbox).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The open data's per-address limit would refuse the fuzzing and walking tests'
# hundreds of requests from one address; tests/api/test_public_api.py sets a
# low one where it tests the limit.
GONGKAI_OPEN_DATA_RATE = "100000/m"
