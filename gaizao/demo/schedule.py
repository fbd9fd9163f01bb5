"""When the demo's projects decide and sign (演示项目进度安排), relative to the load's ``today``.

``schedule_projects`` gives each project a status:

- ``FINISHED``: the signing period (签约期) ended weeks or months ago; nearly everyone signed,
  the few holdouts got a compensation decision (补偿决定) after the end, most households have
  vacated (腾空交房), many buildings are demolished and some households resettled;
- ``RUNNING``: today is inside the signing period; signing follows an S-curve (a logistic
  curve over the period: slow start, fast middle, plateau) whose middle each village reaches
  earlier or later (its ``pace``), so some villages are far ahead and some far behind;
- ``LAPSED``: one or two projects whose period ended below their signing threshold
  (期满未达签约比例), for the dashboard to show;
- ``UPCOMING``: the period has not started: households are surveyed, decided (认定) and valued
  (评估) as far as their dates have come;
- ``PLANNED``: next year's batch: a survey may have begun, nothing more.

One or two villages that finished long ago are ``cleared``: every household has vacated and
every house is down, so the district has villages that are done (完成).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from gaizao.ledger.choices import RenovationMode

if TYPE_CHECKING:
    from gaizao.demo.district import ProjectPlan, VillagePlan

FINISHED, LAPSED, RUNNING, UPCOMING, PLANNED = "finished", "lapsed", "running", "upcoming", "planned"
SIGNING = (FINISHED, LAPSED, RUNNING)


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


# ---------------------------------------------------------------------------- the projects

def schedule_projects(*, villages: list[VillagePlan], rng: random.Random, today: dt.date) -> None:
    """Give every project a status, its decision date and signing period, and its pace.

    Batch 1 villages (last year) have finished signing (a second phase may still be running),
    batch 2 (this year) are signing or about to, batch 3 (next year) are only planned. At least
    three projects in two villages are signing today, and one or two of the others have lapsed.
    """
    for village in villages:
        count = len(village.projects)
        if village.batch == 1:
            statuses = [FINISHED] + [rng.choice((FINISHED, RUNNING)) for _ in range(count - 1)]
        elif village.batch == 2:
            statuses = [RUNNING if count > 1 or rng.random() < 0.75 else UPCOMING] + [UPCOMING] * (count - 1)
        else:
            statuses = [PLANNED] * count
        for project, status in zip(village.projects, statuses):
            project.status = status
    _enough_running(villages, rng)
    _lapse(villages, rng)
    _paces(villages, rng)
    _clear(villages, rng)
    t = today.toordinal()
    for village in villages:
        _dates(village, rng, t)


def _running(villages: list[VillagePlan]) -> list[tuple[VillagePlan, ProjectPlan]]:
    return [(v, p) for v in villages for p in v.projects if p.status == RUNNING]


def _enough(villages: list[VillagePlan], projects: int) -> bool:
    running = _running(villages)
    return len(running) >= projects and len({v.pk for v, _p in running}) >= 2


def _enough_running(villages: list[VillagePlan], rng: random.Random) -> None:
    """A rare draw with too few signing projects: start some that were upcoming or finished (a
    first phase that is upcoming, then a last phase that finished), keeping phases in order."""
    groups = [
        [p for v in villages for p in v.projects if p.status == UPCOMING and p.phase == 1],
        [p for v in villages for p in v.projects if p.status == FINISHED and p is v.projects[-1]],
    ]
    for group in groups:
        rng.shuffle(group)
        for project in group:
            if _enough(villages, 3):
                return
            project.status = RUNNING


def _lapse(villages: list[VillagePlan], rng: random.Random) -> None:
    """One or two of the larger signing projects lapse, keeping two villages signing."""
    wanted = 1 if rng.random() < 0.5 else 2
    # Only a village whose households sign (not 整治提升: nothing to sign there) can lapse.
    candidates = sorted((p for v, p in _running(villages) if v.mode != RenovationMode.UPGRADE),
                        key=lambda p: (-p.households, p.pk))
    pool = candidates[:max(2, len(candidates) // 2)]
    rng.shuffle(pool)
    for project in pool:
        if wanted == 0:
            break
        project.status = LAPSED
        if _enough(villages, 2):
            wanted -= 1
        else:
            project.status = RUNNING


def _paces(villages: list[VillagePlan], rng: random.Random) -> None:
    """Signing villages get paces spread evenly from far ahead to far behind; the others a draw."""
    signing = [v for v in villages if any(p.status == RUNNING for p in v.projects)]
    spread = [-0.35 + 0.65 * i / max(1, len(signing) - 1) for i in range(len(signing))]
    rng.shuffle(spread)
    paces = {v.pk: pace for v, pace in zip(signing, spread)}
    for village in villages:
        village.pace = paces.get(village.pk, rng.uniform(-0.3, 0.25))


def _clear(villages: list[VillagePlan], rng: random.Random) -> None:
    """One or two villages whose every phase has finished, and that are rebuilt (not upgraded)."""
    done = [v for v in villages if v.projects and v.mode != RenovationMode.UPGRADE
            and all(p.status == FINISHED for p in v.projects)]
    for village in rng.sample(done, min(len(done), rng.choice((1, 2)))):
        village.cleared = True


def _dates(village: VillagePlan, rng: random.Random, t: int) -> None:
    """Signing periods as day ordinals: running and lapsed ones anchored at today, finished ones
    ending before the next phase starts, upcoming ones starting after the previous one ends."""
    periods: dict[int, tuple[int, int]] = {}
    for project in village.projects:
        if project.status == RUNNING:
            length, elapsed = rng.randint(70, 150), rng.uniform(0.45, 0.85)
            start = t - round(elapsed * length)
            periods[project.pk] = (start, start + length)
            project.midpoint = _clamp(elapsed + village.pace, 0.2, 1.3)
            project.holdouts = rng.uniform(0.03, 0.08)
        elif project.status == LAPSED:
            length, end = rng.randint(70, 120), t - rng.randint(7, 40)
            periods[project.pk] = (end - length, end)
            project.midpoint, project.spread = rng.uniform(0.55, 0.75), 0.12
            project.holdouts = rng.uniform(0.3, 0.5)  # 50–70 % sign: below either threshold (80 %, 90 %)
    for index in range(len(village.projects) - 1, -1, -1):
        project = village.projects[index]
        if project.status != FINISHED:
            continue
        later = village.projects[index + 1] if index + 1 < len(village.projects) else None
        bound = periods[later.pk][0] if later is not None and later.pk in periods else t
        length = rng.randint(60, 150)
        # a cleared village ended long enough ago for its last holdout to be decided and demolished
        end = min(t - rng.randint(160 if village.cleared else 45, 330), bound - rng.randint(20, 60))
        periods[project.pk] = (end - length, end)
        project.midpoint = _clamp(rng.uniform(0.3, 0.45) + 0.3 * village.pace, 0.2, 0.6)
        project.holdouts = rng.uniform(0.02, 0.06)
    previous_end = None
    for project in village.projects:
        if project.status == UPCOMING:
            start = t + rng.randint(15, 100)
            if previous_end is not None:
                start = max(start, previous_end + rng.randint(20, 60))
            periods[project.pk] = (start, start + rng.randint(70, 150))
        if project.pk in periods:
            previous_end = periods[project.pk][1]
    for project in village.projects:
        if project.pk not in periods:
            continue
        start, end = periods[project.pk]
        if project.status != LAPSED:
            project.spread = min(0.1, project.midpoint / 3.5)  # the rush starts inside the period
        project.signing_start = dt.date.fromordinal(start)
        project.signing_end = dt.date.fromordinal(end)
        project.decision_date = dt.date.fromordinal(start - rng.randint(10, 30))
