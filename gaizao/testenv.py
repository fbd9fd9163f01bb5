"""A pytest plugin (``-p gaizao.testenv``) that sets the test environment before Django loads.

A developer's .env is ignored so that tests see the same settings everywhere;
GAIZAO_DATABASE_URL from the real environment is kept (CI points it at PostgreSQL).
"""

import os
import shutil
import tempfile

import pytest

# Each test process has a var folder of its own (the SQLite file's folder, MEDIA_ROOT, STATIC_ROOT, the
# audit checkpoints): under pytest-xdist (`--numprocesses=auto` in pyproject.toml) the workers gw0, gw1, ...
# run side by side and must not meet each other's files, nor a developer's var/. Removed when it ends.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
VAR_DIR = tempfile.mkdtemp(prefix=f"gaizao-test-{WORKER}-")

os.environ["GAIZAO_ENV_FILE"] = os.devnull
os.environ["GAIZAO_VAR_DIR"] = VAR_DIR
os.environ.setdefault("GAIZAO_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("GAIZAO_DATA_KEY", "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f")
os.environ.setdefault("GAIZAO_AUDIT_KEY", "c0ffee00d15ea5e0a0d1700000000001")
# Checkpoints of the audit chain: a file of this test process (tests/conftest.py empties it after
# each test, whose database starts afresh), never a developer's var/audit/.
os.environ["GAIZAO_AUDIT_CHECKPOINT_FILE"] = os.path.join(VAR_DIR, "audit", "checkpoints.jsonl")
os.environ.setdefault("GAIZAO_DEBUG", "false")
os.environ.setdefault("GAIZAO_TASKS_BACKEND", "immediate")  # background tasks run at once, in the test's transaction
os.environ.setdefault("GAIZAO_HTTPS", "false")
os.environ.setdefault("GAIZAO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


def pytest_unconfigure(config):
    shutil.rmtree(VAR_DIR, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own answer
def pytest_xdist_auto_num_workers(config):
    """Tests of one file run in this process: the suite is spread a file per worker (pyproject.toml), so a
    second worker would sit idle and only cost its start-up. A directory, several files or the whole suite
    get pytest-xdist's own count (one worker per core; PYTEST_XDIST_AUTO_NUM_WORKERS sets it)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    files = {arg.split("::")[0] for arg in config.args}
    if len(files) == 1 and os.path.isfile(files.pop()):
        return 0
    return None
