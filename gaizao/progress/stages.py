"""The stage rules (进度规则): the order of a household's stages, what each event sets on it, and the replay.

One home for the rules every writer and reader of stages follows: recording one event or many
(``services.events``), the progress-dates import, the forms' suggestions, and the rollups'
recomputation (``replay``) all read them here, so they cannot drift apart.

- ``REQUIRES``: what must be reached before each kind; ``BINDING``: kinds after which the household
  can no longer be withdrawn; ``CLOSES_HARD_CASE``: kinds that end a hard case (攻坚户销号).
- ``State``: the dates a household reached, and what that state sets on the household
  (``household_fields``: the stage, each stage's date, the resettlement mode).
- ``State.with_event``: the state after recording one event; ``check_change`` refuses a state that
  breaks the order; ``replay``: the state after a sequence of events and their corrections.
- Ways (进度路径, ``gaizao.ledger.ways``): a household on the demolition way records 认定 … 安置; one
  on the upgrade way (整治提升, and 拆整结合 households whose buildings are all kept) records 同意整治,
  开工, 竣工验收; 入户调查 and 撤出 belong to both. ``State.way`` carries the household's way, so
  ``check_change`` refuses the other way's kinds without an argument more (``WAY_KINDS``).
- ``BUILDING_KINDS``: the kinds whose rules also read the household's buildings
  (``check_buildings``): 认定 needs a legality decision on each building, 拆除 is the day the last
  building comes down. Only these kinds cost the one indexed query that reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.ledger.choices import Disposition, RenovationMode, Stage, Way
from gaizao.ledger.ways import WAY_STAGES, mode_label
from gaizao.progress.choices import EventKind

if TYPE_CHECKING:
    from gaizao.ledger.services.buildings import BuildingFacts

# The order of the funnel; DECISION stands beside SIGNED (a holdout's way to vacating).
FUNNEL = [
    EventKind.SURVEYED, EventKind.DECIDED, EventKind.VALUED, EventKind.SIGNED,
    EventKind.VACATED, EventKind.DEMOLISHED, EventKind.RESETTLED,
]
# The upgrade way's funnel (整治提升: the buildings are kept).
UPGRADE_FUNNEL = [EventKind.SURVEYED, EventKind.AGREED, EventKind.WORKS_STARTED, EventKind.WORKS_ACCEPTED]
FUNNELS = {Way.DEMOLISH: FUNNEL, Way.UPGRADE: UPGRADE_FUNNEL}
# The kinds each way may record: its own steps (the ledger's WAY_STAGES) and the two both share.
SHARED_KINDS = (EventKind.SURVEYED, EventKind.WITHDRAWN)
WAY_KINDS: dict[str, tuple[str, ...]] = {
    way: (*SHARED_KINDS, *(EventKind(stage) for stage in stages)) for way, stages in WAY_STAGES.items()}
# Every kind that sets a date on the household (household field = kind + "_on").
DATED_KINDS = [k for k in EventKind if k != EventKind.VOID]
DATE_FIELDS = {kind: f"{kind}_on" for kind in DATED_KINDS}
RECORDABLE = list(DATED_KINDS)  # VOID only appears on corrections

# The household's stage after reaching a kind, in the order they are checked (last reached wins).
STAGE_ORDER = [
    (EventKind.SURVEYED, Stage.SURVEYED), (EventKind.DECIDED, Stage.DECIDED), (EventKind.VALUED, Stage.VALUED),
    (EventKind.DECISION, Stage.DECISION), (EventKind.SIGNED, Stage.SIGNED), (EventKind.VACATED, Stage.VACATED),
    (EventKind.DEMOLISHED, Stage.DEMOLISHED), (EventKind.RESETTLED, Stage.RESETTLED),
    (EventKind.AGREED, Stage.AGREED), (EventKind.WORKS_STARTED, Stage.WORKS_STARTED),
    (EventKind.WORKS_ACCEPTED, Stage.WORKS_ACCEPTED),
]

# What must be reached before each kind (any one of the tuple).
REQUIRES: dict[str, tuple[str, ...]] = {
    EventKind.DECIDED: (EventKind.SURVEYED,),
    EventKind.VALUED: (EventKind.DECIDED,),
    EventKind.DECISION: (EventKind.VALUED,),
    EventKind.SIGNED: (EventKind.VALUED,),
    EventKind.VACATED: (EventKind.SIGNED, EventKind.DECISION),
    EventKind.DEMOLISHED: (EventKind.VACATED,),
    EventKind.RESETTLED: (EventKind.VACATED,),
    EventKind.AGREED: (EventKind.SURVEYED,),
    EventKind.WORKS_STARTED: (EventKind.AGREED,),
    EventKind.WORKS_ACCEPTED: (EventKind.WORKS_STARTED,),
}
# Kinds after which a household can no longer be withdrawn from the scope.
BINDING = (EventKind.SIGNED, EventKind.DECISION, EventKind.VACATED, EventKind.DEMOLISHED, EventKind.RESETTLED,
           EventKind.AGREED, EventKind.WORKS_STARTED, EventKind.WORKS_ACCEPTED)
# Kinds by which a household leaves the path (离开攻坚路径): its open hard case (攻坚户) is closed (销号)
# on the event's day. Neither 签约 nor a 补偿决定 does it: a signed household that has not vacated,
# or one under a decision, is still worked until it hands over its keys (腾空交房) or leaves the scope.
# On the upgrade way, the works starting (开工) is what the agreement made possible.
CLOSES_HARD_CASE = (EventKind.VACATED, EventKind.WITHDRAWN, EventKind.WORKS_STARTED)
# Kinds whose rules read the household's buildings (check_buildings); 拆除 also marks them demolished.
BUILDING_KINDS = (EventKind.DECIDED, EventKind.DEMOLISHED)


def label(kind: str) -> str:
    return str(EventKind(kind).label)


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class State:
    """What a household's effective events say: a date per kind reached, the resettlement mode."""

    dates: dict[str, dt.date] = field(default_factory=dict)
    resettlement_mode: str = ""
    # The household's way (ledger.Way); "" when not known (a state built from dates alone): then
    # only the order of stages is judged, not the way.
    way: str = ""
    # The village's mode when the loader knew it (named in the refusal), else "".
    mode: str = ""

    @property
    def stage(self) -> str:
        if EventKind.WITHDRAWN in self.dates:
            return Stage.WITHDRAWN
        current = Stage.REGISTERED
        for kind, stage in STAGE_ORDER:
            if kind in self.dates:
                current = stage
        return current

    @classmethod
    def of(cls, household) -> "State":
        """The state a ledger.Household holds (its stage dates and resettlement mode)."""
        dates = {kind: value for kind, name in DATE_FIELDS.items() if (value := getattr(household, name)) is not None}
        village = household._state.fields_cache.get("village")  # the mode, when loaded with it (no query)
        return cls(dates=dates, resettlement_mode=household.resettlement_mode or "", way=household.way or "",
                   mode=getattr(village, "mode", "") or "")

    def with_event(self, *, kind: str, on: dt.date, resettlement_mode: str = "") -> "State":
        """The state after recording ``kind`` on ``on`` (the mode counts only for 安置)."""
        return State(dates={**self.dates, kind: on},
                     resettlement_mode=resettlement_mode if kind == EventKind.RESETTLED else self.resettlement_mode,
                     way=self.way, mode=self.mode)

    def with_dates(self, dates: dict[str, dt.date], *, resettlement_mode: str | None = None) -> "State":
        """The same household (way, mode) with other dates: what a correction judges."""
        return State(dates=dict(dates), way=self.way, mode=self.mode,
                     resettlement_mode=self.resettlement_mode if resettlement_mode is None else resettlement_mode)

    def household_fields(self) -> dict:
        """The ledger.Household columns this state sets."""
        values = {name: self.dates.get(kind) for kind, name in DATE_FIELDS.items()}
        values["resettlement_mode"] = self.resettlement_mode
        values["stage"] = self.stage
        return values


def replay(events: Iterable) -> State:
    """The state after ``events`` (in id order): a correction replaces or voids the one it corrects.

    Each event needs ``id``, ``kind``, ``on_date``, ``corrects_id``, ``resettlement_mode``.
    """
    effective: dict[str, object] = {}  # kind -> event
    by_id = {}
    for event in events:
        by_id[event.id] = event
        if event.corrects_id is not None:
            target = by_id.get(event.corrects_id)
            if target is not None and effective.get(target.kind) is target:
                del effective[target.kind]
            if event.kind != EventKind.VOID and target is not None:
                effective[target.kind] = event
        elif event.kind != EventKind.VOID:
            effective[event.kind] = event
    state = State(dates={kind: event.on_date for kind, event in effective.items()})
    resettled = effective.get(EventKind.RESETTLED)
    state.resettlement_mode = resettled.resettlement_mode if resettled is not None else ""
    return state


def check_new(state: State, *, kind: str) -> None:
    """Refuse recording ``kind`` a second time (a wrong date is corrected, not recorded again)."""
    if kind in state.dates:
        raise AppError(_("本户已于 %(d)s 记录了「%(k)s」，不能重复记录；日期有误请更正原记录。")
                       % {"d": state.dates[kind], "k": label(kind)}, fields={"kind": _("已记录")})


def check_change(state: State, *, kind: str, project, removed: bool = False, on: dt.date | None = None) -> None:
    """Refuse a state in which ``kind`` (just set to ``on``, or removed) breaks the order of stages.

    ``project`` is the household's ledger.Project (its signing period bounds 签约 and 补偿决定).
    """
    dates = state.dates
    name = label(kind)
    if not removed:
        check_way(state, kind=kind)
    if dates.get(EventKind.WITHDRAWN) and kind != EventKind.WITHDRAWN:
        raise AppError(_("本户已于 %(d)s 撤出改造范围，不能再记录「%(k)s」。") % {"d": dates[EventKind.WITHDRAWN], "k": name},
                       fields={"kind": _("已撤出")})
    if removed:
        for later, needs in REQUIRES.items():
            if later in dates and kind in needs and not any(n in dates for n in needs):
                raise AppError(_("本户已记录「%(later)s」，须先撤销「%(later)s」，再撤销「%(k)s」。")
                               % {"later": label(later), "k": name}, fields={"kind": _("顺序不符")})
        return
    if on > today():
        raise AppError(_("%(k)s日期 %(d)s 晚于今天（%(t)s），不能预先记录。") % {"k": name, "d": on, "t": today()},
                       fields={"on_date": _("不能晚于今天")})
    needs = REQUIRES.get(kind, ())
    if needs:
        reached = [n for n in needs if n in dates]
        if not reached:
            raise AppError(_("本户尚未记录「%(need)s」，不能记录「%(k)s」。")
                           % {"need": "」或「".join(label(n) for n in needs), "k": name}, fields={"kind": _("顺序不符")})
        earliest = min(dates[n] for n in reached)
        if on < earliest:
            raise AppError(_("%(k)s日期 %(d)s 早于%(need)s日期 %(e)s。")
                           % {"k": name, "d": on, "need": label(reached[0]), "e": earliest},
                           fields={"on_date": _("早于上一阶段")})
    for later, later_needs in REQUIRES.items():
        if later in dates and kind in later_needs and dates[later] < on:
            raise AppError(_("%(k)s日期 %(d)s 晚于已记录的%(later)s日期 %(l)s。")
                           % {"k": name, "d": on, "later": label(later), "l": dates[later]},
                           fields={"on_date": _("晚于下一阶段")})
    if kind == EventKind.WITHDRAWN:
        bound = [b for b in BINDING if b in dates]
        if bound:
            raise AppError(_("本户已记录「%(k)s」，不能撤出改造范围。") % {"k": label(bound[0])},
                           fields={"kind": _("已签约或已决定")})
    if kind == EventKind.SIGNED:
        # A household under a 补偿决定 may still sign at any step of the legal path (和解签约): the
        # signature ends the path. It signs after the period, so the period's bounds do not apply,
        # and it does not count toward the period's threshold (progress.signing counts within it).
        if EventKind.DECISION in dates:
            if on < dates[EventKind.DECISION]:
                raise AppError(_("签约日期 %(d)s 早于补偿决定日期 %(e)s。") % {"d": on, "e": dates[EventKind.DECISION]},
                               fields={"on_date": _("早于补偿决定")})
            return
        if project.signing_start and on < project.signing_start:
            raise AppError(_("签约日期 %(d)s 早于项目签约期开始日 %(s)s。") % {"d": on, "s": project.signing_start},
                           fields={"on_date": _("早于签约期")})
        if project.signing_end and on > project.signing_end:
            raise AppError(_("签约日期 %(d)s 晚于项目签约期结束日 %(e)s；期满未签约的住户应作补偿决定。")
                           % {"d": on, "e": project.signing_end}, fields={"on_date": _("晚于签约期")})
    if kind == EventKind.DECISION:
        if EventKind.SIGNED in dates:
            raise AppError(_("本户已签约，不需要补偿决定。"), fields={"kind": _("已签约")})
        if not project.signing_end:
            raise AppError(_("项目未设定签约期，不能作出补偿决定（补偿决定针对签约期满未签约的住户）。"),
                           fields={"kind": _("无签约期")})
        if on <= project.signing_end:
            raise AppError(_("补偿决定日期 %(d)s 须在签约期结束日 %(e)s 之后。") % {"d": on, "e": project.signing_end},
                           fields={"on_date": _("须在签约期满后")})


def way_of(state: State) -> str:
    """The household's way: the one it carries, else the one its dates show (a step only one way has)."""
    if state.way:
        return state.way
    for way, kinds in WAY_KINDS.items():
        if any(k in state.dates for k in kinds if k not in SHARED_KINDS):
            return way
    return ""


def _why(way: str, mode: str) -> str:
    if mode == RenovationMode.MIXED:
        return (_("所在村为「拆整结合」，本户有房屋的处置方式为「拆除」") if way == Way.DEMOLISH
                else _("所在村为「拆整结合」，本户房屋的处置方式均为「保留」（或未登记房屋）"))
    if mode:
        return _("所在村的改造方式为「%(m)s」") % {"m": mode_label(mode)}
    return (_("所在村为「拆除新建」，或为「拆整结合」且本户有房屋须拆除") if way == Way.DEMOLISH
            else _("所在村为「整治提升」，或为「拆整结合」且本户房屋均保留"))


def check_way(state: State, *, kind: str) -> None:
    """Refuse a kind of the other way (an upgrade household is not signed; a demolished one not upgraded)."""
    way = way_of(state)
    if not way or kind in WAY_KINDS[way] or kind not in RECORDABLE:
        return
    steps = "、".join(label(k) for k in FUNNELS[way])
    raise AppError(_("本户的进度路径为「%(w)s」（%(why)s），不能记录「%(k)s」：%(w)s的步骤是%(steps)s。")
                   % {"w": Way(way).label, "why": _why(way, state.mode), "k": label(kind), "steps": steps},
                   fields={"kind": _("改造方式不符")})


def check_buildings(buildings: list[BuildingFacts], *, kind: str, on: dt.date, who: str) -> None:
    """Refuse ``kind`` on ``on`` for what the household's buildings say (``who`` names it: 住户 DH-001 李四).

    - 认定 is the legality decision on each building (条例 §24): a household without a building
      registered has nothing decided, and one with a building still 待认定 is not decided yet
      (so 评估, which needs 认定, waits for them too);
    - 拆除 is the day the household's last building comes down: no building of it may have been
      marked demolished later than that day.
    """
    if kind == EventKind.DECIDED:
        if not buildings:
            raise AppError(_("%(who)s尚未登记房屋，不能记录「认定」：认定是对每栋房屋合法性的认定，"
                             "请先登记房屋并填写认定结果。") % {"who": who}, fields={"kind": _("未登记房屋")})
        pending = [b.number for b in buildings if b.pending]
        if pending:
            raise AppError(_("%(who)s的房屋 %(n)s 尚待认定，不能记录「认定」：每栋房屋都有认定结果"
                             "（合法、未超期临时或违法）后，本户才算完成认定。")
                           % {"who": who, "n": "、".join(pending)}, fields={"kind": _("房屋待认定")})
    elif kind == EventKind.DEMOLISHED:
        # Only the buildings to demolish come down (a 保留 building of 拆整结合 stays).
        later = [b for b in buildings if b.demolished_on is not None and b.demolished_on > on
                 and b.disposition == Disposition.DEMOLISH]
        if later:
            last = max(b.demolished_on for b in later)
            raise AppError(_("%(who)s的房屋 %(n)s 已于 %(d)s 拆除，晚于拆除日期 %(on)s："
                             "本户的拆除日期是其最后一栋房屋拆除之日。")
                           % {"who": who, "n": "、".join(b.number for b in later), "d": last, "on": on},
                           fields={"on_date": _("早于房屋拆除日期")})


def suggested_kinds(state: State, project) -> list[str]:
    """The kinds that make sense to record next, the next stage first (``check_change`` still judges)."""
    dates = state.dates
    if EventKind.WITHDRAWN in dates:
        return []
    out = []
    way = way_of(state) or Way.DEMOLISH
    extra = [EventKind.DECISION] if way == Way.DEMOLISH else []
    for kind in [*FUNNELS[way], *extra, EventKind.WITHDRAWN]:
        if kind in dates:
            continue
        needs = REQUIRES.get(kind, ())
        if needs and not any(need in dates for need in needs):
            continue
        if kind == EventKind.DECISION and (EventKind.SIGNED in dates or not project.signing_end):
            continue
        if kind == EventKind.WITHDRAWN and any(b in dates for b in BINDING):
            continue
        out.append(kind.value)
    return out
