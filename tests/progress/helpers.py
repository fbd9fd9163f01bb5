"""Helpers for the progress tests."""

from io import StringIO

from django.core.management import CommandError, call_command


def run_progress_command(*args) -> tuple[int, str, str]:
    """``gaizao progress …`` in-process: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("progress", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()
