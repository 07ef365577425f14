"""Settings of the worker and server processes the fault tests start: the
production settings from the environment (DATABASE_URL, GONGKAI_DATA_DIR,
GONGKAI_TASK_LEASE_SECONDS ...), with the periodic jobs of
GONGKAI_FAULT_JOBS: "none" leaves the queue to the test's own tasks."""

import os

from gongkai.settings import *  # noqa: F403

NO_JOBS: list = []
# As the test suite's: staff sign in many times, and password hashing is not what is tested.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("GONGKAI_FAULT_JOBS", "").strip() == "none":
    GONGKAI_PERIODIC_JOBS = "tests.faults.worker_settings.NO_JOBS"
