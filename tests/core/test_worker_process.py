"""The real processes on a SQLite file: `gaizao schedule --once` queues, `gaizao db_worker --batch` runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

GAIZAO = str(Path(sys.executable).with_name("gaizao"))


def _gaizao(*args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([GAIZAO, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_the_schedule_queues_in_the_database_and_a_separate_worker_process_runs_it(tmp_path):
    env = {**os.environ, "GAIZAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "GAIZAO_TASKS_BACKEND": "database", "GAIZAO_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _gaizao("migrate", "--noinput", "-v", "0", env=env)

    assert "已排队：ledger.import_jobs_sweep" in _gaizao("schedule", "--once", env=env).stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        queued = db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchall()
    assert queued and {status for (status,) in queued} == {"READY"}  # nothing runs them in the web process

    _gaizao("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", env=env)
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        done = db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchall()
    assert len(done) == len(queued) and {status for (status,) in done} == {"SUCCESSFUL"}
