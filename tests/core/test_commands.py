"""The one command style (core.commands): subcommands, exit codes, columns, progress."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError, OutputWrapper

from gaizao.core.commands import AppCommand, ProgressBar, display_width, table

ROOT = Path(__file__).resolve().parents[2] / "gaizao"


def _our_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app.startswith("gaizao.")}


def test_every_command_with_subcommands_is_an_app_command():
    for name, app in _our_commands().items():
        command = importlib.import_module(f"{app}.management.commands.{name}").Command
        source = Path(importlib.import_module(f"{app}.management.commands.{name}").__file__).read_text()
        if "add_subparsers" in source or issubclass(command, AppCommand):
            assert issubclass(command, AppCommand), f"{name}: derive from core.commands.AppCommand"
            assert "add_subparsers" not in source, f"{name}: let AppCommand add the subcommands"
            for sub in command.subcommands:
                assert hasattr(command, f"do_{sub.replace('-', '_')}"), f"{name} {sub}: no do_ method"


def test_a_service_refusal_exits_1_with_its_message(cast):
    with pytest.raises(CommandError) as refused:
        call_command("progress", "summary", "--street", "NOPE", stdout=io.StringIO())
    assert refused.value.returncode == 1 and str(refused.value) == "街道 NOPE 不存在。"


def test_a_mapped_exception_exits_with_its_code(db, monkeypatch):
    monkeypatch.delenv("GAIZAO_AUDIT_KEY_OLD", raising=False)
    with pytest.raises(CommandError) as refused:
        call_command("audit", "rekey", stdout=io.StringIO())
    assert refused.value.returncode == 2 and "GAIZAO_AUDIT_KEY_OLD" in str(refused.value)


def test_a_dashed_subcommand_runs_its_underscored_method(db, django_user_model):
    django_user_model.objects.create_user(username="zhang", password="x" * 12)
    out = io.StringIO()
    call_command("user", "reset-otp", "zhang", stdout=out)
    assert "zhang" in out.getvalue() and "0 个动态口令设备" in out.getvalue()


def test_table_lines_up_chinese_and_ascii():
    lines = table([["阶段", "户数"], ["签约", "12"], ["入户调查", "3"]], right=frozenset({1}))
    assert lines[1] == "--------  ----"
    assert {display_width(line) for line in (lines[0], lines[2], lines[3])} == {14}
    assert lines[3].endswith("   3")


def test_the_progress_bar_writes_to_its_stream_only_above_the_threshold():
    out = io.StringIO()
    bar = ProgressBar(OutputWrapper(out), labels={"read": "读取"})
    bar("read", 5, 10)
    assert out.getvalue() == ""
    bar("read", 1000, 4000)
    bar("read", 4000, 4000)
    text = out.getvalue()
    assert "读取 [#######" in text and " 25% 1,000/4,000" in text and "100% 4,000/4,000\n" in text
