"""A pytest plugin (``-p gaizao.testenv``) that sets the test environment before Django loads.

A developer's .env is ignored so that tests see the same settings everywhere;
GAIZAO_DATABASE_URL from the real environment is kept (CI points it at PostgreSQL).
"""

import os
import tempfile

os.environ["GAIZAO_ENV_FILE"] = os.devnull
os.environ.setdefault("GAIZAO_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("GAIZAO_DATA_KEY", "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f")
os.environ.setdefault("GAIZAO_AUDIT_KEY", "c0ffee00d15ea5e0a0d1700000000001")
# Checkpoints of the audit chain: a file of this test process (tests/conftest.py empties it after
# each test, whose database starts afresh), never a developer's var/audit/.
os.environ["GAIZAO_AUDIT_CHECKPOINT_FILE"] = os.path.join(tempfile.mkdtemp(prefix="gaizao-audit-"), "checkpoints.jsonl")
os.environ.setdefault("GAIZAO_DEBUG", "false")
os.environ.setdefault("GAIZAO_TASKS_BACKEND", "immediate")  # background tasks run at once, in the test's transaction
os.environ.setdefault("GAIZAO_HTTPS", "false")
os.environ.setdefault("GAIZAO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
