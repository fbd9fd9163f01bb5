"""Start-up with good and bad environments, in a fresh process each, as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GAIZAO = str(Path(sys.executable).parent / "gaizao")

PRODUCTION = {
    "GAIZAO_SECRET_KEY": "k3Jx9-QmZ2vT7pLr8sWn4yHc6fBd1aGe5uKo0iNj_XtYqEwRzUvSb",
    "GAIZAO_DATA_KEY": "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f",
    "GAIZAO_AUDIT_KEY": "c0ffee00d15ea5e0a0d1700000000001",
    "GAIZAO_DEBUG": "false",
    "GAIZAO_HTTPS": "true",
    "GAIZAO_ALLOWED_HOSTS": "gaizao.example.gov.cn",
}


def _run(args, **env_over):
    env = {k: v for k, v in os.environ.items()
           if (not k.startswith("GAIZAO_") or k == "GAIZAO_DATABASE_URL") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["GAIZAO_ENV_FILE"] = os.devnull
    env.update(env_over)
    return subprocess.run([GAIZAO, *args], env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warnings():
    out = _run(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_missing_secret_key_is_a_clear_start_up_error():
    env = dict(PRODUCTION)
    del env["GAIZAO_SECRET_KEY"]
    out = _run(["check"], **env)
    assert out.returncode == 2
    assert "GAIZAO_SECRET_KEY 未设置" in out.stderr


def test_bad_boolean_names_the_variable():
    out = _run(["check"], **{**PRODUCTION, "GAIZAO_DEBUG": "maybe"})
    assert out.returncode == 2
    assert "GAIZAO_DEBUG" in out.stderr


def test_missing_data_key_stops_the_server_before_it_serves():
    env = dict(PRODUCTION)
    del env["GAIZAO_DATA_KEY"]
    out = _run(["run", "--port", "8765"], **env)
    assert out.returncode == 2
    assert "GAIZAO_DATA_KEY 未设置" in out.stderr


def test_help_lists_the_commands_in_chinese():
    out = _run(["--help"])
    assert out.returncode == 0
    for name in ("run", "demo", "migrate", "ledger", "user", "audit", "keys"):
        assert f"  {name}" in out.stdout
    assert "常用命令" in out.stdout
