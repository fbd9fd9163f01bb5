"""The floors hold in templates too: a template loads only tag libraries of its own floor or below.

import-linter (`make test`, contract in pyproject.toml) checks the Python imports; templates load
their tags by name at render time, out of its sight, so this test reads them. A ledger page that
loads progress's tags is the same upward reach as a ledger module importing progress.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAIZAO = ROOT / "gaizao"
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
BUILTIN = {"i18n", "static", "humanize", "l10n", "tz", "cache", "django_htmx"}


def _floors() -> dict[str, int]:
    """app → floor number (0 = core), from the layers contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    floors = {}
    for level, layer in enumerate(reversed(contract["layers"])):
        for module in layer.split("|"):
            floors[module.strip().removeprefix("gaizao.")] = level
    return floors


def _libraries() -> dict[str, str]:
    """tag library name → the app that defines it."""
    return {path.stem: path.parent.parent.name for path in GAIZAO.glob("*/templatetags/*.py")
            if path.stem != "__init__"}


def _template_loads():
    for template in GAIZAO.rglob("templates/**/*.html"):
        relative = template.relative_to(GAIZAO)
        # gaizao/templates (base layout, error pages) belongs to the top floor that brings apps together.
        app = "portal" if relative.parts[0] == "templates" else relative.parts[0]
        for match in LOAD.finditer(template.read_text(encoding="utf-8")):
            words = match.group(1).split()
            names = words[words.index("from") + 1:] if "from" in words else words
            for name in names:
                yield relative, app, name


def test_the_layers_contract_names_every_app_with_models_or_templates():
    floors = _floors()
    apps = {path.parent.name for path in GAIZAO.glob("*/apps.py")}
    assert apps <= set(floors), f"apps missing from the floors contract in pyproject.toml: {sorted(apps - set(floors))}"


def test_no_template_loads_the_tags_of_a_higher_floor():
    floors, libraries = _floors(), _libraries()
    upward = []
    for template, app, name in _template_loads():
        if name in BUILTIN:
            continue
        assert name in libraries, f"{template}: unknown tag library {name!r}"
        owner = libraries[name]
        if floors[owner] > floors[app]:
            upward.append(f"{template} ({app}) loads {name} ({owner})")
    assert not upward, "templates reaching up a floor:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_load():
    """The rule itself can fail: a ledger template loading progress's tags is caught."""
    floors, libraries = _floors(), _libraries()
    assert floors["ledger"] < floors["progress"] and libraries["progress_events"] == "progress"
    text = '{% load i18n progress_events %}{% household_progress household %}'
    names = [n for n in LOAD.search(text).group(1).split() if n not in BUILTIN]
    assert [libraries[n] for n in names if floors[libraries[n]] > floors["ledger"]] == ["progress"]
