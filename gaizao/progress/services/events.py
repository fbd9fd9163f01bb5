"""Recording a household's stage events (记录进度), one at a time, in bulk, and corrections.

Each write: checks who may write, loads the household, checks the new state (order of stages,
dates, the project's signing period), inserts the event, moves the household's stage and dates
with a conditional UPDATE on its version (two people at once: exactly one wins), audits, closes
an open hard case when the household signs, and adds the rollup difference, all in one
transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import check_text_values
from gaizao.ledger.models import Household, Project
from gaizao.ledger.selectors import household_can_write
from gaizao.progress import rollups
from gaizao.progress.choices import DATE_FIELDS, EventKind, ResettlementMode
from gaizao.progress.models import HardCase, StageEvent
from gaizao.progress.services import fast
from gaizao.progress.services.attachments import save_attachments

NOT_FOUND = "住户不存在或无权操作。"

# What must be reached before each kind (any one of the tuple).
REQUIRES: dict[str, tuple[str, ...]] = {
    EventKind.DECIDED: (EventKind.SURVEYED,),
    EventKind.VALUED: (EventKind.DECIDED,),
    EventKind.DECISION: (EventKind.VALUED,),
    EventKind.SIGNED: (EventKind.VALUED,),
    EventKind.VACATED: (EventKind.SIGNED, EventKind.DECISION),
    EventKind.DEMOLISHED: (EventKind.VACATED,),
    EventKind.RESETTLED: (EventKind.VACATED,),
}
# Kinds after which a household can no longer be withdrawn from the scope.
BINDING = (EventKind.SIGNED, EventKind.DECISION, EventKind.VACATED, EventKind.DEMOLISHED, EventKind.RESETTLED)
RECORDABLE = [k for k in EventKind if k != EventKind.VOID]


def label(kind: str) -> str:
    return str(EventKind(kind).label)


def today() -> dt.date:
    return timezone.localdate()


def parse_day(value, *, field: str = "on_date") -> dt.date:
    """A date from a form, the API or the command line; a datetime or garbage is refused by name."""
    if isinstance(value, dt.datetime):
        raise AppError(_("日期须为日期（年-月-日），不含时间。"), fields={field: _("须为日期")})
    if isinstance(value, dt.date):
        return value
    try:
        day = parse_date(str(value or "").strip())
    except ValueError:
        day = None
    if day is None:
        raise AppError(_("日期「%(v)s」无法识别，请写成 2026-11-05 的形式。") % {"v": value or ""},
                       fields={field: _("日期格式不正确")})
    return day


def check_change(state: rollups.State, *, kind: str, project: Project, removed: bool = False,
                 on: dt.date | None = None) -> None:
    """Refuse a state in which ``kind`` (just set to ``on``, or removed) breaks the order of stages."""
    dates = state.dates
    name = label(kind)
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
        if EventKind.DECISION in dates:
            raise AppError(_("本户已作出补偿决定，不再签订协议。"), fields={"kind": _("已作补偿决定")})
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


def _load(actor, household_id: int) -> fast.LoadedHousehold:
    """The household as recording needs it (locked on PostgreSQL); 404 when out of the actor's scope."""
    household = fast.load(household_id)
    if household is None or (actor is not None and not household_can_write(actor, household)):
        raise NotFound(NOT_FOUND)
    return household


def _move(household: fast.LoadedHousehold, state: rollups.State) -> None:
    """The conditional UPDATE on the version that makes concurrent stage changes safe."""
    if not fast.move(household, state.household_fields()):
        raise Conflict(_("住户 %(h)s 的进度刚被他人修改，你的记录没有保存。请刷新页面，核对后再记录。")
                       % {"h": household.number})


def _rollup(household, before: rollups.State, after: rollups.State) -> None:
    area = rollups.centi(household.area)
    diff = rollups.difference(rollups.contributions(before, area), rollups.contributions(after, area))
    if diff:
        delta = rollups.Delta()
        delta.add(rollups.units_of(household, household.street.parent_id), diff)
        delta.write()


def _close_hard_case(household_ids: Sequence[int], kind: str, on: dt.date) -> None:
    if kind in (EventKind.SIGNED, EventKind.WITHDRAWN, EventKind.DECISION):
        HardCase.objects.filter(household_id__in=household_ids, closed_on=None).update(
            closed_on=on, close_note=label(kind), version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def household_record_event(*, actor, household: Household | int, kind: str, on_date, note: str = "",
                           resettlement_mode: str = "", version: int | None = None, attachments=(),
                           ip: str | None = None) -> StageEvent:
    """Record that a household reached a stage on a day (入户调查、认定、评估、签约、腾空交房 …).

    The most frequent write of the campaign: its statements are written out once (``fast``) so
    that the checks, the audit entry and the rollups cost a few plain statements, not ORM builds.
    """
    if kind not in RECORDABLE:
        raise AppError(_("未知的进度事项「%(k)s」。") % {"k": kind}, fields={"kind": _("未知事项")})
    on = parse_day(on_date)
    check_text_values(StageEvent, {"note": note})  # the fast path skips full_clean
    row = _load(actor, household if isinstance(household, int) else household.pk)
    if version is not None and version != row.version:
        raise Conflict(_("住户 %(h)s 已被他人修改（当前版本 %(c)d，你看到的是版本 %(v)d），你的记录没有保存。请刷新页面后再记录。")
                       % {"h": row.number, "c": row.version, "v": version})
    before = rollups.State.of(row)
    if kind in before.dates:
        raise AppError(_("本户已于 %(d)s 记录了「%(k)s」，不能重复记录；日期有误请更正原记录。")
                       % {"d": before.dates[kind], "k": label(kind)}, fields={"kind": _("已记录")})
    mode = _resettlement_mode(kind, resettlement_mode)
    after = rollups.State(dates={**before.dates, kind: on},
                          resettlement_mode=mode if kind == EventKind.RESETTLED else before.resettlement_mode)
    check_change(after, kind=kind, project=row.project, on=on)
    event = fast.insert_event(household=row, kind=kind, on_date=on, resettlement_mode=mode, note=note.strip(),
                              actor=actor if getattr(actor, "pk", None) else None)
    names = save_attachments(event, attachments) if attachments else []
    _move(row, after)
    audit.record(actor=actor, action="progress.event", object_type="ledger.household", object_id=row.pk,
                 object_repr=str(row), ip=ip, changes={
                     "event": event.pk, "kind": kind, "on_date": on, "stage": [before.stage, after.stage],
                     **({"note": event.note} if event.note else {}), **({"attachments": names} if names else {}),
                 })
    if kind in (EventKind.SIGNED, EventKind.WITHDRAWN, EventKind.DECISION):
        _close_hard_case([row.pk], kind, on)
    _rollup(row, before, after)
    return event


def _resettlement_mode(kind: str, value: str) -> str:
    if kind != EventKind.RESETTLED:
        return ""
    if value not in ResettlementMode.values:
        raise AppError(_("记录安置须选择安置方式（货币补偿、产权调换或回迁）。"), fields={"resettlement_mode": _("必选")})
    return value


@transaction.atomic
def event_correct(*, actor, event: StageEvent | int, note: str, on_date=None, void: bool = False,
                  version: int | None = None, ip: str | None = None) -> StageEvent:
    """Correct an event with a new one that references it (更正): a new date, or void (撤销) it.

    Nothing is edited in place: the original stays, and the household's state is what the
    effective events say.
    """
    event_id = event if isinstance(event, int) else event.pk
    original = StageEvent.objects.filter(pk=event_id).first()
    if original is None:
        raise NotFound(_("进度记录不存在或无权操作。"))
    household = _load(actor, original.household_id)
    if version is not None and version != household.version:
        raise Conflict(_("住户 %(h)s 已被他人修改，你的更正没有保存。请刷新页面后再试。") % {"h": household.number})
    if not (note or "").strip():
        raise AppError(_("更正须写明原因。"), fields={"note": _("必填")})
    check_text_values(StageEvent, {"note": note})
    if original.kind == EventKind.VOID or original.corrections.exists():
        raise AppError(_("这条记录已被更正过，请更正最新的那条记录。"), fields={"event": _("已被更正")})
    before = rollups.State.of(household)
    dates = dict(before.dates)
    if void:
        dates.pop(original.kind, None)
        after = rollups.State(dates=dates, resettlement_mode="" if original.kind == EventKind.RESETTLED
                              else before.resettlement_mode)
        check_change(after, kind=original.kind, project=household.project, removed=True)
        on = original.on_date
    else:
        on = parse_day(on_date)
        if on == original.on_date:
            raise AppError(_("新日期与原记录相同，无需更正。"), fields={"on_date": _("与原日期相同")})
        dates[original.kind] = on
        after = rollups.State(dates=dates, resettlement_mode=before.resettlement_mode)
        check_change(after, kind=original.kind, project=household.project, on=on)
    correction = StageEvent.objects.create(
        household_id=household.pk, project_id=household.project_id,
        kind=EventKind.VOID if void else original.kind, on_date=on, note=note.strip(), corrects=original,
        resettlement_mode="" if void else original.resettlement_mode,
        actor=actor if getattr(actor, "pk", None) else None)
    _move(household, after)
    audit.record(actor=actor, action="progress.correction", object_type="ledger.household",
                 object_id=household.pk, object_repr=str(household), ip=ip, changes={
        "event": correction.pk, "corrects": original.pk, "kind": original.kind,
        "on_date": [original.on_date, None if void else on], "note": correction.note,
        "stage": [before.stage, after.stage],
    })
    _rollup(household, before, after)
    return correction


@transaction.atomic
def households_record_stage(*, actor, household_ids: Iterable[int], kind: str, on_date, note: str = "",
                            resettlement_mode: str = "", ip: str | None = None) -> int:
    """Record the same stage on the same day for many households (批量记录), all or nothing.

    Any household that cannot take the event is named in the error, and nothing is written.
    """
    if kind not in RECORDABLE:
        raise AppError(_("未知的进度事项「%(k)s」。") % {"k": kind}, fields={"kind": _("未知事项")})
    on = parse_day(on_date)
    check_text_values(StageEvent, {"note": note})  # bulk_create skips full_clean
    mode = _resettlement_mode(kind, resettlement_mode)
    ids = list(dict.fromkeys(int(pk) for pk in household_ids))
    if not ids:
        raise AppError(_("请至少选择一户。"), fields={"households": _("未选择住户")})
    households: list[Household] = []
    for start in range(0, len(ids), 5000):
        qs = Household.objects.select_related("project", "street").filter(pk__in=ids[start:start + 5000])
        if connection.features.has_select_for_update:
            qs = qs.select_for_update(of=("self",))
        households.extend(qs)
    found = {h.pk for h in households}
    missing = [pk for pk in ids if pk not in found]
    refused = [h for h in households if actor is not None and not household_can_write(actor, h)]
    if missing or refused:
        raise NotFound(_("有 %(n)d 户不存在或无权操作，没有写入任何记录。") % {"n": len(missing) + len(refused)},
                       fields={"households": _("不存在或无权操作")})
    problems: list[str] = []
    moves: list[tuple[Household, rollups.State, rollups.State]] = []
    for household in sorted(households, key=lambda h: h.pk):
        before = rollups.State.of(household)
        try:
            if kind in before.dates:
                raise AppError(_("已于 %(d)s 记录了「%(k)s」") % {"d": before.dates[kind], "k": label(kind)})
            after = rollups.State(dates={**before.dates, kind: on},
                                  resettlement_mode=mode if kind == EventKind.RESETTLED else before.resettlement_mode)
            check_change(after, kind=kind, project=household.project, on=on)
        except AppError as exc:
            problems.append(f"{household.number} {household.head_name}：{exc.message}")
            continue
        moves.append((household, before, after))
    if problems:
        shown = "；".join(problems[:10]) + (_("……等 %(n)d 户") % {"n": len(problems)} if len(problems) > 10 else "")
        raise AppError(_("有 %(n)d 户不能记录「%(k)s」，本次没有写入任何记录：%(list)s")
                       % {"n": len(problems), "k": label(kind), "list": shown},
                       fields={"households": problems[0]})
    user = actor if getattr(actor, "pk", None) else None
    StageEvent.objects.bulk_create(
        [StageEvent(household_id=h.pk, project_id=h.project_id, kind=kind, on_date=on, resettlement_mode=mode,
                    note=note.strip(), actor=user) for h, _b, _a in moves], batch_size=2000)
    # One UPDATE per resulting stage; the rows are locked (PostgreSQL) or the database is
    # (SQLite's IMMEDIATE transaction), so each version read above is still current.
    now = timezone.now()
    by_stage: dict[tuple, list[int]] = {}
    for household, _before, after in moves:
        fields = after.household_fields()
        by_stage.setdefault((fields["stage"], fields["resettlement_mode"]), []).append(household.pk)
    for (stage, mode_value), pks in by_stage.items():
        for start in range(0, len(pks), 5000):
            Household.objects.filter(pk__in=pks[start:start + 5000]).update(
                **{DATE_FIELDS[kind]: on}, stage=stage, resettlement_mode=mode_value,
                version=F("version") + 1, updated_at=now)
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="progress.event", object_type="ledger.household", object_id=h.pk, object_repr=str(h),
                     changes={"kind": kind, "on_date": on, "stage": [b.stage, a.stage], "bulk": True,
                              **({"note": note.strip()} if note.strip() else {})})
        for h, b, a in moves
    ] + [audit.Change(action="progress.event_bulk", object_type="progress.stageevent", object_id="",
                      object_repr=label(kind), changes={"kind": kind, "on_date": on, "households": len(moves)})])
    _close_hard_case([h.pk for h, _b, _a in moves], kind, on)
    delta = rollups.Delta()
    for household, before, after in moves:
        area = rollups.centi(household.area)
        delta.add(rollups.units_of(household, household.street.parent_id),
                  rollups.difference(rollups.contributions(before, area), rollups.contributions(after, area)))
    delta.write()
    return len(moves)
