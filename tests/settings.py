"""Test settings: the real settings module, on a throw-away var dir and test database.

``VIGIE_TEST_DATABASE_URL`` selects the database (CI sets a PostgreSQL one); SQLite
otherwise. Keys are fixed so that runs are reproducible; HTTPS is off because the
test client speaks plain HTTP (production settings are tested separately).
"""

import os
import tempfile

os.environ.setdefault("VIGIE_VAR_DIR", tempfile.mkdtemp(prefix="vigie-test-"))
os.environ.setdefault("VIGIE_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("VIGIE_AUDIT_KEY", "test-audit-key")
os.environ.setdefault("VIGIE_INDEX_KEY", "test-index-key")
os.environ["VIGIE_HTTPS"] = "0"
os.environ["VIGIE_DATABASE_URL"] = os.environ.get("VIGIE_TEST_DATABASE_URL") or "sqlite://:memory:"
# The key store is a second database, on the same server as the main one in tests.
os.environ["VIGIE_KEYS_DATABASE_URL"] = (
    os.environ["VIGIE_TEST_DATABASE_URL"] + "_keys"
    if os.environ.get("VIGIE_TEST_DATABASE_URL")
    else "sqlite://:memory:"
)

from vigie.settings import *  # noqa: F403

# A cheap hasher keeps the suite fast; the Argon2 test switches it back on.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WHITENOISE_AUTOREFRESH = True
