"""`gaizao run --with-worker` (make run): the web server, the worker and the schedule stop together."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from gaizao.core.management.commands.run import supervise

PY = sys.executable


def _child_that_notes_sigterm(path) -> list[str]:
    return [PY, "-c", textwrap.dedent(f"""
        import pathlib, signal, sys, time
        def bye(*_):
            pathlib.Path({str(path)!r}).write_text("stopped")
            sys.exit(0)
        signal.signal(signal.SIGTERM, bye)
        pathlib.Path({str(path) + ".up"!r}).write_text("up")
        time.sleep(60)
    """)]


def test_when_the_server_stops_the_worker_and_schedule_are_stopped_and_its_code_returned(tmp_path):
    started = time.monotonic()
    up = tmp_path / "worker.up"
    server = [PY, "-c", f"import pathlib, sys, time\nwhile not pathlib.Path({str(up)!r}).exists(): time.sleep(0.05)\nsys.exit(3)"]
    code = supervise([server, _child_that_notes_sigterm(tmp_path / "worker")])
    assert code == 3 and (tmp_path / "worker").read_text() == "stopped"
    assert time.monotonic() - started < 20


def test_ctrl_c_stops_every_child_gracefully(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys
        import django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
        django.setup()
        from gaizao.core.management.commands.run import supervise
        sys.exit(supervise([{_child_that_notes_sigterm(tmp_path / 'web')!r}, {_child_that_notes_sigterm(tmp_path / 'worker')!r},
                            {_child_that_notes_sigterm(tmp_path / 'schedule')!r}]))
    """)
    parent = subprocess.Popen([PY, "-c", script])
    deadline = time.monotonic() + 20
    while not all((tmp_path / f"{name}.up").exists() for name in ("web", "worker", "schedule")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)  # the parent installs its handlers right after starting the children
    parent.send_signal(signal.SIGINT)
    assert parent.wait(timeout=20) == 0
    assert all((tmp_path / name).read_text() == "stopped" for name in ("web", "worker", "schedule"))
