"""Every audit action the code records has a Chinese label (the audit page and the histories never
show an action's code), and the system's own writers read as 系统, not as "system"."""

from __future__ import annotations

import re
from pathlib import Path

from gaizao.core import audit

ROOT = Path(__file__).resolve().parents[2] / "gaizao"
# action="app.verb" in a call, and module constants holding an action (IMPORT_CREATE = "household.import_create")
RECORDED = re.compile(r'\baction\s*=\s*"([a-z_]+\.[a-z_]+)"')
CONSTANT = re.compile(
    r'^(?:[A-Z_]*ACTION[A-Z_]*|[A-Z_]+_(?:CREATE|UPDATE|SUMMARY)|SEARCH|BLOCKED)\s*=\s*"([a-z_]+\.[a-z_]+)"', re.M)


def recorded_actions() -> dict[str, str]:
    found = {}
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in (RECORDED, CONSTANT):
            for match in pattern.finditer(text):
                found.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return found


def test_every_action_the_code_records_has_a_chinese_label():
    found = recorded_actions()
    assert len(found) > 40  # the scan sees the code's actions (a broken pattern would find none)
    missing = {action: where for action, where in found.items() if action not in audit.ACTION_LABELS}
    assert missing == {}


def test_the_system_s_own_writers_read_in_chinese():
    assert audit.actor_label(None, "system") == "系统"
    assert audit.actor_label(None, "demo") == "演示数据程序"
    assert audit.actor_label(7, "system") == "system"  # a person who chose that user name stays themselves
    assert audit.actor_label(None, "zhang_san") == "zhang_san"  # a failed sign-in names what was typed
