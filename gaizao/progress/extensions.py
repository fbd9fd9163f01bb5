"""What an app above progress adds to its figures: the campaign's targets beside the rollups.

Progress knows nothing of campaigns (the campaign app sits on the floor above it). The campaign app
registers one ``TargetsProvider`` in its ``ready()``; the dashboard, the summary API, ``gaizao progress
summary`` and the progress table ask ``targets_for`` and show what it answers (nothing when no app
registered one, or no campaign runs). A provider costs a fixed number of queries per call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from gaizao.progress.choices import Level


@dataclass(frozen=True)
class TargetCell:
    """One target of one unit: the number to reach, what is done, the share due by now (序时进度), the light."""

    key: str
    label: str
    unit: str  # 户 / 个 / 万㎡ / 项
    target: str
    done: str
    rate: str | None  # %
    expected_rate: str  # %
    light: str  # green / yellow / red / none
    milestone: dict | None = None  # the next milestone: due_on, rate, amount

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "unit": self.unit, "target": self.target, "done": self.done,
                "rate": self.rate, "expected_rate": self.expected_rate, "light": self.light,
                "milestone": self.milestone}


@dataclass(frozen=True)
class UnitTargets:
    """A unit's targets in the running campaign, its worst light, and the date its signing is due
    (the milestone asking for 100 % of the signing target, else the campaign's end): the deadline the
    forecast compares with."""

    campaign: str
    cells: list[TargetCell] = field(default_factory=list)
    light: str = "none"
    signing_due: dt.date | None = None

    def as_dict(self) -> dict:
        return {"campaign": self.campaign, "light": self.light,
                "signing_due": self.signing_due.isoformat() if self.signing_due else None,
                "targets": [c.as_dict() for c in self.cells]}


# (level, unit ids, today) → unit id → its targets; units without targets are left out
TargetsProvider = Callable[[int, list[int], dt.date], dict[int, UnitTargets]]
_provider: list[TargetsProvider] = []


def register_targets(provider: TargetsProvider) -> None:
    """Register the one provider of targets (registering again replaces it)."""
    _provider[:] = [provider]


def unregister_targets() -> None:
    _provider.clear()


def targets_for(level: int, unit_ids: list[int], *, today: dt.date) -> dict[int, UnitTargets]:
    """The targets of these units (district or streets) in the running campaign; {} without a provider."""
    if not _provider or level not in (Level.DISTRICT, Level.STREET) or not unit_ids:
        return {}
    return _provider[0](level, list(unit_ids), today)


def deadlines(targets: dict[int, UnitTargets]) -> dict[int, dt.date | None]:
    """The signing due dates for ``forecasts(deadlines=...)``."""
    return {pk: t.signing_due for pk, t in targets.items() if t.signing_due}
