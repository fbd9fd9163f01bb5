"""What the benchmark scripts share: the environment of their child processes and the machine."""

from __future__ import annotations

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Settings for a benchmark's child process: fixed keys, no .env, quiet logs.
ENV = {
    "GAIZAO_ENV_FILE": os.devnull,
    "GAIZAO_SECRET_KEY": "bench-secret-key-" + "x" * 40,
    "GAIZAO_DATA_KEY": "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f",
    "GAIZAO_AUDIT_KEY": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    # Never a developer's var/audit/checkpoints.jsonl: its checkpoints belong to another database.
    "GAIZAO_AUDIT_CHECKPOINT_FILE": str(ROOT / "var" / "bench" / "audit-checkpoints.jsonl"),
    "GAIZAO_DEBUG": "false",
    "GAIZAO_HTTPS": "false",
    "GAIZAO_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "gaizao.settings",
}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or ""


def machine() -> str:
    return f"{os.cpu_count()} × {cpu_model()}, Python {platform.python_version()}"
