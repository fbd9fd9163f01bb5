"""The demo district's progress history (演示进度): when each project signs, each household's way
from survey to resettlement as stage events (进度事件), hard cases (攻坚户) with their visits, and
the rollups (进度汇总) all of it adds up to.

Everything is relative to the load's ``today``; each project's status and signing period come
from ``gaizao.demo.schedule``.

``HistoryWriter`` is called once per household while the ledger is written, queues the
household's events, hard case and visits in the same chunks as the ledger rows (nothing grows
with the size of the district except a small per-day rollup table), returns the household's
stage columns, and at the end adds the accumulated rollup contributions with one upsert, the
figures ``gaizao.progress.rollups.recompute`` derives from the same events.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gaizao.core.bulk import RowWriter
from gaizao.demo.casework import (CITIES, CLOSING, COMMON_NEXT_STEPS, COMMON_TALKS, NUMBERS, PLAYBOOKS, REASONS,
                                  WITHDRAWN_NOTES, expand)
from gaizao.demo.schedule import FINISHED, LAPSED, RUNNING, SIGNING
from gaizao.ledger.choices import RenovationMode, Stage
from gaizao.progress import rollups
from gaizao.ledger.choices import Way
from gaizao.progress.choices import SCOPE, SCOPE_UPGRADE, EventKind, Level, ResettlementMode
from gaizao.progress.choices import ConsultationAnswerChoice
from gaizao.progress.models import Consultation, ConsultationAnswer, HardCase, StageEvent, Visit

if TYPE_CHECKING:
    from gaizao.demo.district import ProjectPlan, VillagePlan

WHO = "演示进度生成器（gaizao/demo/progress.py）"

SURVEYED, DECIDED, VALUED = EventKind.SURVEYED.value, EventKind.DECIDED.value, EventKind.VALUED.value
DECISION, SIGNED, VACATED = EventKind.DECISION.value, EventKind.SIGNED.value, EventKind.VACATED.value
DEMOLISHED, RESETTLED = EventKind.DEMOLISHED.value, EventKind.RESETTLED.value
WITHDRAWN, VOID = EventKind.WITHDRAWN.value, EventKind.VOID.value
# The upgrade way (整治提升, and 拆整结合 households whose buildings are all kept: ledger.ways).
AGREED, WORKS_STARTED = EventKind.AGREED.value, EventKind.WORKS_STARTED.value
WORKS_ACCEPTED = EventKind.WORKS_ACCEPTED.value
# The order events are recorded in (their dates never decrease along it; a household has one way).
ORDER = (SURVEYED, DECIDED, VALUED, WITHDRAWN, DECISION, SIGNED, VACATED, DEMOLISHED, RESETTLED,
         AGREED, WORKS_STARTED, WORKS_ACCEPTED)
DATE_KINDS = (SURVEYED, DECIDED, VALUED, DECISION, SIGNED, VACATED, DEMOLISHED, RESETTLED, WITHDRAWN,
              AGREED, WORKS_STARTED, WORKS_ACCEPTED)
STAGES = ((SURVEYED, Stage.SURVEYED.value), (DECIDED, Stage.DECIDED.value), (VALUED, Stage.VALUED.value),
          (DECISION, Stage.DECISION.value), (SIGNED, Stage.SIGNED.value), (VACATED, Stage.VACATED.value),
          (DEMOLISHED, Stage.DEMOLISHED.value), (RESETTLED, Stage.RESETTLED.value),
          (AGREED, Stage.AGREED.value), (WORKS_STARTED, Stage.WORKS_STARTED.value),
          (WORKS_ACCEPTED, Stage.WORKS_ACCEPTED.value))
# The household columns this module fills, in the order ``HistoryWriter.household`` returns them.
HOUSEHOLD_COLUMNS = ("area", "stage", *(f"{kind}_on" for kind in DATE_KINDS), "resettlement_mode", "cadre_id",
                     "way")
DEMOLISHED_AT = HOUSEHOLD_COLUMNS.index("demolished_on")
DECIDED_AT = HOUSEHOLD_COLUMNS.index("decided_on")
EVENT_COLUMNS = ("id", "household_id", "project_id", "kind", "on_date", "resettlement_mode", "note", "corrects_id",
                 "actor_id")
CASE_COLUMNS = ("id", "household_id", "street_id", "village_id", "reason", "reason_detail", "strategy", "opened_on",
                "closed_on", "close_note", "last_visit_on", "next_visit_on")
VISIT_COLUMNS = ("hard_case_id", "visited_on", "visitor_id", "visitors", "talk", "next_step", "next_visit_on")
ANSWER_COLUMNS = ("consultation_id", "household_id", "answer", "answered_on")
# 意愿征询 before the signing period: held from 50 to 20 days before it opens; at most 5 % of the
# households do not agree (a passed consultation, whatever the project's size), so that every project
# that opened its signing period did so after a consultation that passed (the gate's rule).
CONSULTATION_OPENS, CONSULTATION_ENDS, NOT_AGREEING = 50, 20, 0.05

DEMOLISH_SHARE = {RenovationMode.DEMOLISH_REBUILD: 0.9, RenovationMode.MIXED: 0.6, RenovationMode.UPGRADE: 0.15}
CORRECTABLE = {SURVEYED: "入户调查表", DECIDED: "认定意见书", VALUED: "评估报告", SIGNED: "补偿协议",
               VACATED: "腾空交房确认书"}


VISIT_COUNTS = expand({1: 15, 2: 20, 3: 22, 4: 18, 5: 14, 6: 11})
RESETTLEMENT_MODES = ((0.4, ResettlementMode.MONEY.value, 10, 50), (0.8, ResettlementMode.SWAP.value, 30, 200),
                      (1.0, ResettlementMode.RETURN.value, 400, 400))  # (cumulative share, mode, days after, spread)


# ---------------------------------------------------------------------------- the households

@dataclass
class ProgressCounts:
    """What the history holds, for the command's summary line."""

    events: int = 0
    corrections: int = 0
    surveyed: int = 0
    signed: int = 0
    decisions: int = 0
    vacated: int = 0
    resettled: int = 0
    withdrawn: int = 0
    hard_cases: int = 0
    open_cases: int = 0
    overdue_cases: int = 0
    visits: int = 0
    lapsed_projects: int = 0


class _Project:
    """A project's figures as day ordinals, and how many of its households are still to come and
    how many of those hold out (do not sign in the period)."""

    __slots__ = ("plan", "status", "decision", "start", "end", "length", "low", "high", "left", "holdouts", "units",
                 "cleared")

    def __init__(self, plan: ProjectPlan, village: VillagePlan):
        self.plan = plan
        self.status = plan.status
        self.decision = plan.decision_date.toordinal() if plan.decision_date else None
        self.start = plan.signing_start.toordinal() if plan.signing_start else None
        self.end = plan.signing_end.toordinal() if plan.signing_end else None
        self.length = (self.end - self.start) if self.start is not None else 0
        mu, s = plan.midpoint, plan.spread
        # Draws are cut to the part of the logistic curve inside the period (above 0, and below 1
        # where the period is over): no pile-up of signings on its first or last day.
        self.low = 1 / (1 + math.exp(mu / s))
        self.high = 1.0 if self.status == RUNNING else 1 / (1 + math.exp(-(1 - mu) / s))
        self.left = plan.households
        self.holdouts = self.holdout_count()
        self.cleared = village.cleared
        street = village.street
        units = [(Level.STREET, street.pk), (Level.VILLAGE, village.pk), (Level.PROJECT, plan.pk)]
        if street.parent_id is not None:
            units.insert(0, (Level.DISTRICT, street.parent_id))
        self.units = tuple(units)

    def holdout_count(self) -> int:
        """The planned share, kept clear of the threshold: a finished project stays well above it
        (at most half of what it may miss), a lapsed one below it, however few its households."""
        n, share = self.plan.households, self.plan.holdouts
        if self.status not in SIGNING or n == 0:
            return 0
        allowed = int(n * (100 - self.plan.threshold) / 100)  # holdouts the threshold allows
        count = round(n * share)
        if self.status == FINISHED:
            return min(count, allowed // 2)
        if self.status == LAPSED:
            return max(count, allowed + 1)
        return count

    def is_holdout(self, draw: float) -> bool:
        """Exactly ``holdouts`` of the project's households, each equally likely (selection sampling)."""
        chosen = draw * self.left < self.holdouts
        self.left -= 1
        self.holdouts -= chosen
        return chosen


class HistoryWriter:
    """Makes and writes every household's progress history (see the module docstring)."""

    def __init__(self, *, rng: random.Random, today: dt.date, first_event_pk: int, first_case_pk: int,
                 street_staff: dict[int, int], street_cadres: dict[int, list[tuple[int, str]]],
                 grid_names: list[str]):
        self.rng = rng
        self._random = rng.random
        self.today = today
        self.t = today.toordinal()
        self.street_staff = street_staff
        self.street_cadres = street_cadres
        self.grid_names = grid_names
        self.counts = ProgressCounts()
        self._next_event = self._first_event = first_event_pk
        self._next_case = first_case_pk
        self._projects: dict[int, _Project] = {}
        self._surveys: dict[int, int | None] = {}  # planned village -> the day its survey began
        self._decisions: dict[int, int] = defaultdict(int)  # project -> compensation decisions so far
        self._days: dict[int, dt.date] = {}
        self._grid: dict[int, str] = {}  # community pk -> its grid worker's name
        self._cells: dict[tuple[int, str, int | None], list[int]] = defaultdict(lambda: [0, 0])
        self._events: list[tuple] = []
        self._cases: list[tuple] = []
        self._visits: list[tuple] = []
        self._writers = (RowWriter(StageEvent, EVENT_COLUMNS, who=WHO), RowWriter(HardCase, CASE_COLUMNS, who=WHO),
                         RowWriter(Visit, VISIT_COLUMNS, who=WHO))
        # Consultations draw from a generator of their own: the households' histories stay as they were.
        self._consult_random = random.Random(self.t).random
        self._consultations: dict[int, list] = {}  # project -> [consultation pk, opens, ends, non-agreeing left]
        self._answers: list[tuple] = []
        self._answer_writer = RowWriter(ConsultationAnswer, ANSWER_COLUMNS, who=WHO)

    def day(self, ordinal: int | None) -> dt.date | None:
        if ordinal is None:
            return None
        found = self._days.get(ordinal)
        if found is None:
            found = self._days[ordinal] = dt.date.fromordinal(ordinal)
        return found

    def project(self, plan: ProjectPlan, village: VillagePlan) -> _Project:
        found = self._projects.get(plan.pk)
        if found is None:
            found = self._projects[plan.pk] = _Project(plan, village)
            self.counts.lapsed_projects += plan.status == LAPSED
        return found

    # --- one household ----------------------------------------------------------------
    def household(self, *, pk: int, village: VillagePlan, plan: ProjectPlan, area: Decimal, area_centi: int,
                  cadre_pk: int | None, way: str = Way.DEMOLISH) -> tuple:
        """Queue the household's events (and hard case); return its ``HOUSEHOLD_COLUMNS`` values.

        A household on the upgrade way (``way``) is surveyed, agrees to the works, and sees them
        started and accepted: it never signs, moves out or comes down."""
        rnd, t = self._random, self.t
        project = self.project(plan, village)
        dates = self._preparation(project, village)
        if way == Way.UPGRADE:
            return self._upgrade(pk=pk, project=project, village=village, plan=plan, dates=dates, area=area,
                                 area_centi=area_centi, cadre_pk=cadre_pk)
        holdout = project.status in SIGNING and project.is_holdout(rnd())
        u, mode = None, ""
        if dates and not holdout and rnd() < 0.004:
            withdrawn = max(dates.values()) + 5 + int(rnd() * 40)
            if withdrawn <= t:
                dates[WITHDRAWN] = withdrawn
        if WITHDRAWN not in dates and VALUED in dates and project.status in SIGNING:
            u = self._signing(project, dates, holdout)
            mode = self._after_signing(project, village, dates)
        self._record(pk, project, village.street.pk, dates, mode)
        self._consultation_answer(pk, plan, project)
        if WITHDRAWN not in dates and VALUED in dates and project.status in SIGNING:
            cadre_pk = self._hard_case(pk, project, village, dates, holdout, u, area_centi, cadre_pk)
        return self._columns(plan=plan, dates=dates, area=area, area_centi=area_centi, mode=mode, cadre_pk=cadre_pk,
                             way=way)

    def _columns(self, *, plan: ProjectPlan, dates: dict[str, int], area: Decimal, area_centi: int, mode: str,
                 cadre_pk: int | None, way: str) -> tuple:
        """The household's stage, its rollup cells (in its way's scope), its ``HOUSEHOLD_COLUMNS``."""
        stage = Stage.WITHDRAWN.value if WITHDRAWN in dates else Stage.REGISTERED.value
        if WITHDRAWN not in dates:
            for kind, value in STAGES:
                if kind in dates:
                    stage = value
            cells = self._cells
            cell = cells[(plan.pk, SCOPE_UPGRADE if way == Way.UPGRADE else SCOPE, None)]
            cell[0] += 1
            cell[1] += area_centi
            for kind, ordinal in dates.items():
                cell = cells[(plan.pk, kind, ordinal)]
                cell[0] += 1
                cell[1] += area_centi
        day = self.day
        return (area, stage, *(day(dates.get(kind)) for kind in DATE_KINDS), mode, cadre_pk, way)

    def _upgrade(self, *, pk: int, project: _Project, village: VillagePlan, plan: ProjectPlan, dates: dict[str, int],
                 area: Decimal, area_centi: int, cadre_pk: int | None) -> tuple:
        """整治提升: surveyed (no 认定 or 评估: nothing is valued), 同意整治 some weeks later, the works
        started (开工) once the project is under way, accepted (竣工验收) months after."""
        rnd, t = self._random, self.t
        dates = {SURVEYED: dates[SURVEYED]} if SURVEYED in dates else {}
        if dates and project.start is not None:
            agreed = dates[SURVEYED] + 10 + int(rnd() * 50)
            if agreed <= t and rnd() < 0.92:
                dates[AGREED] = agreed
                started = max(agreed, project.start) + 15 + int(rnd() * 90)
                if started <= t and rnd() < 0.85:
                    dates[WORKS_STARTED] = started
                    accepted = started + 60 + int(rnd() * 200)
                    if accepted <= t:
                        dates[WORKS_ACCEPTED] = accepted
        self._record(pk, project, village.street.pk, dates, "")
        self._consultation_answer(pk, plan, project)
        return self._columns(plan=plan, dates=dates, area=area, area_centi=area_centi, mode="", cadre_pk=cadre_pk,
                             way=Way.UPGRADE)

    def _preparation(self, project: _Project, village: VillagePlan) -> dict[str, int]:
        """入户调查, 认定, 评估: before the project's decision and signing period, up to today."""
        rnd, t = self._random, self.t
        dates: dict[str, int] = {}
        if project.start is None:  # planned: the village's survey may have begun
            if village.pk not in self._surveys:
                self._surveys[village.pk] = t - self.rng.randint(10, 90) if rnd() < 0.6 else None
            begun = self._surveys[village.pk]
            if begun is not None and rnd() < 0.7:
                surveyed = begun + int(rnd() * 75)
                if surveyed <= t:
                    dates[SURVEYED] = surveyed
                    decided = surveyed + 10 + int(rnd() * 40)
                    if rnd() < 0.4 and decided <= t:
                        dates[DECIDED] = decided
            return dates
        decision, start = project.decision, project.start
        surveyed = decision - 40 - int(rnd() * 120)
        decided = min(surveyed + 5 + int(rnd() * 30), decision - 1)
        if project.status in SIGNING and rnd() < 0.03:  # valued late, inside the signing period
            valued = start + 1 + int(rnd() * 20)
        else:
            valued = decision + int(rnd() * (start - decision))
        for kind, ordinal in ((SURVEYED, surveyed), (DECIDED, decided), (VALUED, valued)):
            if ordinal > t:
                break
            dates[kind] = ordinal
        return dates

    def _signing(self, project: _Project, dates: dict[str, int], holdout: bool) -> float | None:
        """签约 on a day drawn from the project's logistic curve (returns where on it, 0..1 of the
        period), unless the household holds out; holdouts of a finished project get a decision."""
        rnd, t = self._random, self.t
        u = None
        if not holdout:
            r = project.low + rnd() * (project.high - project.low)
            u = project.plan.midpoint + project.plan.spread * math.log(r / (1 - r))
            signed = max(project.start + int(u * project.length), dates[VALUED] + int(rnd() * 6))
            if signed <= min(project.end, t):
                dates[SIGNED] = signed
        if SIGNED not in dates and project.status == FINISHED:
            decision = project.end + (15 + int(rnd() * 30) if project.cleared else 20 + int(rnd() * 100))
            if decision <= t:
                dates[DECISION] = decision
        return u

    def _after_signing(self, project: _Project, village: VillagePlan, dates: dict[str, int]) -> str:
        """腾空交房 after signing or the decision; demolition and resettlement once a project has
        finished signing (before that its agreements have not taken effect). Returns the
        resettlement mode, if resettled."""
        rnd, t = self._random, self.t
        cleared = project.cleared  # everyone out and every house down, in good time
        if SIGNED in dates:
            share, after = (0.92 if project.status == FINISHED else 0.3), dates[SIGNED] + 5 + int(rnd() * 55)
        elif DECISION in dates:
            share, after = 0.6, dates[DECISION] + (20 + int(rnd() * 40) if cleared else 30 + int(rnd() * 120))
        else:
            return ""
        if (rnd() >= share and not cleared) or after > t:
            return ""
        if project.status == LAPSED and after > project.end:
            return ""  # its agreements did not take effect (协议未生效): nobody moves out after the deadline
        dates[VACATED] = after
        if project.status != FINISHED:
            return ""
        last = after
        if rnd() < DEMOLISH_SHARE.get(village.mode, 0.5) or cleared:
            last = after + 7 + int(rnd() * (40 if cleared else 80))
            if last <= t:
                dates[DEMOLISHED] = last
        pick = rnd()
        for cumulative, mode, days, spread in RESETTLEMENT_MODES:
            if pick < cumulative:
                resettled = last + days + int(rnd() * spread)
                if resettled <= t:
                    dates[RESETTLED] = resettled
                    return mode
                break
        return ""

    def _record(self, pk: int, project: _Project, street_pk: int, dates: dict[str, int], mode: str) -> None:
        """The events in the order they were recorded; now and then one recorded with a wrong date
        and corrected (更正) right after, or one recorded by mistake and voided (撤销)."""
        if not dates:
            return
        rnd, t, day = self._random, self.t, self.day
        counts = self.counts
        actor = self.street_staff.get(street_pk)
        project_pk = project.plan.pk
        order = [kind for kind in ORDER if kind in dates]
        fix = order[int(rnd() * len(order))] if rnd() < 0.006 else None
        events = self._events
        previous = None
        for index, kind in enumerate(order):
            on = dates[kind]
            note = ""
            if kind == DECISION:
                self._decisions[project_pk] += 1
                note = (f"作出房屋征收补偿决定（云府征补〔{day(on).year}〕{project.plan.code[1:]}"
                        f"-{self._decisions[project_pk]:03d}号），依法送达。")
            elif kind == WITHDRAWN:
                note = WITHDRAWN_NOTES[int(rnd() * len(WITHDRAWN_NOTES))]
            if kind == fix and kind in CORRECTABLE:
                wrong = self._wrong_date(project, kind, on, low=previous,
                                         high=dates[order[index + 1]] if index + 1 < len(order) else t)
                if wrong is not None:
                    original = self._next_event
                    events.append((original, pk, project_pk, kind, day(wrong), "", note, None, actor))
                    self._next_event += 1
                    note = f"更正：原录入日期 {day(wrong):%Y-%m-%d} 有误，以{CORRECTABLE[kind]}落款日期为准。"
                    events.append((self._next_event, pk, project_pk, kind, day(on), "", note, original, actor))
                    self._next_event += 1
                    counts.corrections += 1
                    previous = on
                    continue
            events.append((self._next_event, pk, project_pk, kind, day(on), mode if kind == RESETTLED else "", note,
                           None, actor))
            self._next_event += 1
            previous = on
        last = order[-1]
        if last in (SIGNED, DECISION) and rnd() < 0.004:  # 腾空交房 recorded on the wrong household
            wrong = dates[last] + int(rnd() * (t - dates[last] + 1))
            events.append((self._next_event, pk, project_pk, VACATED, day(wrong), "", "", None, actor))
            events.append((self._next_event + 1, pk, project_pk, VOID, day(wrong),
                           "", "误录：本户尚未腾空交房，撤销该记录。", self._next_event, actor))
            self._next_event += 2
            counts.corrections += 1
        counts.surveyed += SURVEYED in dates
        if WITHDRAWN in dates:
            counts.withdrawn += 1
        else:
            counts.signed += SIGNED in dates
            counts.decisions += DECISION in dates
            counts.vacated += VACATED in dates
            counts.resettled += RESETTLED in dates

    def _wrong_date(self, project: _Project, kind: str, right: int, *, low: int | None, high: int) -> int | None:
        """A plausible slip of a few days that the checks of the time would have let through."""
        low = right - 9 if low is None else low
        if kind == SIGNED:
            low, high = max(low, project.start), min(high, project.end)
        high = min(high, self.t)
        step = 1 + int(self._random() * 9)
        for wrong in (right + step, right - step):
            if low <= wrong <= high:
                return wrong
        return None

    # --- consultations (意愿征询) -----------------------------------------------------------
    def _consultation_answer(self, pk: int, plan: ProjectPlan, project: _Project) -> None:
        """Each household of a project that opened its signing period answered its consultation."""
        if project.start is None or project.start - CONSULTATION_ENDS > self.t:
            return
        found = self._consultations.get(plan.pk)
        if found is None:
            opens, ends = project.start - CONSULTATION_OPENS, project.start - CONSULTATION_ENDS
            row = Consultation.objects.create(project_id=plan.pk, held_on=self.day(opens), ends_on=self.day(ends),
                                              note="征询改造意愿，逐户入户登记。")
            found = self._consultations[plan.pk] = [row.pk, opens, ends, int(plan.households * NOT_AGREEING)]
        consultation, opens, ends, left = found
        rnd = self._consult_random
        answer = ConsultationAnswerChoice.AGREE.value
        if left and rnd() < 2 * NOT_AGREEING:
            found[3] -= 1
            answer = (ConsultationAnswerChoice.DISAGREE if rnd() < 0.5 else ConsultationAnswerChoice.NONE).value
        self._answers.append((consultation, pk, answer, self.day(opens + int(rnd() * (ends - opens + 1)))))

    # --- hard cases ---------------------------------------------------------------------
    def _hard_case(self, pk: int, project: _Project, village: VillagePlan, dates: dict[str, int], holdout: bool,
                   u: float | None, area_centi: int, cadre_pk: int | None) -> int | None:
        """攻坚户: a share of the unsigned (open, some overdue for a visit), the late signers and the
        holdouts of finished projects. A case stays open until the household leaves the path: it
        closes on the day the household vacates (腾空交房), never on signing or on a decision."""
        rnd, t = self._random, self.t
        signed = dates.get(SIGNED)
        if signed is not None:
            plan = project.plan
            if u is None or (u - plan.midpoint) / plan.spread < 1.2 or rnd() >= 0.45:
                return cadre_pk
            opened = max(project.start, signed - 10 - int(rnd() * 40))
            if opened > signed - 3:
                return cadre_pk
        elif project.status == FINISHED:
            if rnd() >= 0.8:
                return cadre_pk
            opened = max(project.start, project.end - 10 - int(rnd() * 40))
        else:
            if rnd() >= (0.7 if holdout else 0.22):
                return cadre_pk
            opened = min(t - 1, project.start + 10 + int(rnd() * 25))
        closed = dates.get(VACATED)
        close_kind = VACATED if closed is not None else None
        if cadre_pk is None:
            cadres = self.street_cadres.get(village.street.pk) or [c for cs in self.street_cadres.values() for c in cs]
            if not cadres:
                return None  # no cadre account at all: nobody to work the case
            cadre_pk = cadres[int(rnd() * len(cadres))][0]
        cadre_name = next((name for c, name in self.street_cadres.get(village.street.pk, ()) if c == cadre_pk), "")
        reason = REASONS[int(rnd() * len(REASONS))]
        book = PLAYBOOKS[reason]
        detail = book.details[int(rnd() * len(book.details))].format(
            price=self.rng.randrange(180, 360) * 100, extra=max(10, area_centi // 100 // (2 + int(rnd() * 4))),
            siblings=NUMBERS[2 + int(rnd() * 4)], city=CITIES[int(rnd() * len(CITIES))])
        strategy = book.strategies[int(rnd() * len(book.strategies))]
        days, due = self._visit_days(opened, closed)
        case_pk = self._next_case
        self._next_case += 1
        # Each visit says something new: the playbook's lines first, then common ones.
        sample = self.rng.sample
        talks = sample(book.talks, len(book.talks)) + sample(COMMON_TALKS, len(COMMON_TALKS))
        steps = sample(book.next_steps, len(book.next_steps)) + sample(COMMON_NEXT_STEPS, len(COMMON_NEXT_STEPS))
        for index, visited in enumerate(days):
            if closed is not None and index == len(days) - 1:
                closing, next_step = CLOSING[close_kind]
                talk, next_on = closing[int(rnd() * len(closing))], None
            else:
                talk = ("首次上门，了解诉求。" if index == 0 else "") + talks[index % len(talks)]
                next_step = steps[index % len(steps)]
                next_on = days[index + 1] if index + 1 < len(days) else due
            self._visits.append((case_pk, self.day(visited), cadre_pk, self._visitors(cadre_name, village), talk,
                                 next_step, self.day(next_on)))
        next_visit = None if closed is not None else due
        self._cases.append((
            case_pk, pk, village.street.pk, village.pk, reason, detail, strategy, self.day(opened), self.day(closed),
            str(EventKind(close_kind).label) if close_kind else "", self.day(days[-1]), self.day(next_visit),
        ))
        counts = self.counts
        counts.hard_cases += 1
        counts.visits += len(days)
        if closed is None:
            counts.open_cases += 1
            counts.overdue_cases += due < t
        return cadre_pk

    def _visit_days(self, opened: int, closed: int | None) -> tuple[list[int], int | None]:
        """1–6 visits from ``opened`` on, ascending; the last on the closing day, or a while ago with
        the next one planned (in the past for about a third: overdue)."""
        rnd, t = self._random, self.t
        wanted = VISIT_COUNTS[int(rnd() * len(VISIT_COUNTS))]
        if closed is not None:
            last, due = closed, None
        else:
            due = t - 1 - int(rnd() * 25) if rnd() < 0.3 else t + int(rnd() * 15)
            last = min(t, due - 7 - int(rnd() * 8))
            if last < opened:
                last = min(t, opened + int(rnd() * 4))
                due = last + 7 + int(rnd() * 8)
        days = [last]
        visited = last
        while len(days) < wanted:
            visited -= 5 + int(rnd() * 14)
            if visited < opened:
                break
            days.append(visited)
        days.reverse()
        return days, due

    def _visitors(self, cadre_name: str, village: VillagePlan) -> str:
        """The cadre, the community's grid worker (网格员, one per community), now and then a leader."""
        rnd = self._random
        grid = self._grid.get(village.community.pk)
        if grid is None:
            grid = self._grid[village.community.pk] = self.grid_names[int(rnd() * len(self.grid_names))]
        people = [f"包户干部{cadre_name}" if cadre_name else "包户干部", f"{village.community.name}网格员{grid}"]
        extra = rnd()
        if extra < 0.15:
            people.append("街道分管领导")
        elif extra < 0.3:
            people.append(f"{village.name}党委书记")
        return "、".join(people)

    # --- writing --------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what the households so far queued (after their rows: the events point at them)."""
        events, cases, visits = self._writers
        if self._events:
            events.write(self._events)
        if self._cases:
            cases.write(self._cases)
            visits.write(self._visits)
        if self._answers:
            self._answer_writer.write(self._answers)
        self._events, self._cases, self._visits, self._answers = [], [], [], []

    def finish(self) -> ProgressCounts:
        """Flush and add the contributions to the rollups: the same figures ``recompute`` derives."""
        self.flush()
        self.counts.events = self._next_event - self._first_event
        delta = rollups.Delta()
        day = self.day
        for (project_pk, key, ordinal), (households, area) in self._cells.items():
            delta.add(self._projects[project_pk].units, {(key, day(ordinal)): (households, area)})
        delta.write()
        return self.counts
