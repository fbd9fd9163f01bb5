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

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gaizao.core.actors import as_user, is_system
from gaizao.core import audit
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import bump_versions, check_text_values, stale
from gaizao.core.writes import writes
from gaizao.ledger.models import Household
from gaizao.ledger.selectors import household_can_write
from gaizao.progress import rollups
from gaizao.progress.choices import EventKind, ResettlementMode
from gaizao.progress.models import HardCase, StageEvent
from gaizao.progress.services import fast
from gaizao.progress.services.attachments import save_attachments
from gaizao.progress.stages import (
    CLOSES_HARD_CASE, DATE_FIELDS, RECORDABLE, State, check_change, check_new, label, today,
)

NOT_FOUND = "住户不存在或无权操作。"

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


def _load(actor, household_id: int) -> Household:
    """The household as recording needs it (locked on PostgreSQL); 404 when out of the actor's scope."""
    household = fast.load(household_id)
    if household is None or (not is_system(actor) and not household_can_write(actor, household)):
        raise NotFound(NOT_FOUND)
    return household


def _move(household: Household, state: State) -> None:
    """The conditional UPDATE on the version that makes concurrent stage changes safe."""
    if not fast.move(household, state.household_fields()):
        raise stale(household)


def _rollup(household, before: State, after: State) -> None:
    area = rollups.centi(household.area)
    diff = rollups.difference(rollups.contributions(before, area), rollups.contributions(after, area))
    if diff:
        delta = rollups.Delta()
        delta.add(rollups.units_of(household, household.street.parent_id), diff)
        delta.write()


def _close_hard_cases(*, actor, households: Sequence, kind: str, on: dt.date, ip: str | None) -> None:
    """Close the open hard cases (攻坚户销号) of households that signed, got a decision or left the scope.

    Each closing is audited as ``hardcase.close`` of its own, as a closing by hand is, so the
    case's trail says when and by which event it ended.
    """
    if kind not in CLOSES_HARD_CASE:
        return
    by_id = {h.pk: h for h in households}
    cases = list(HardCase.objects.filter(household_id__in=list(by_id), closed_on=None)
                 .values_list("id", "household_id"))
    if not cases:
        return
    note = label(kind)
    bump_versions(HardCase.objects.filter(pk__in=[pk for pk, _h in cases]), closed_on=on, close_note=note)
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="hardcase.close", object_type="progress.hardcase", object_id=pk,
                     object_repr=str(by_id[household_id]), changes={"closed_on": on, "note": note, "by_event": kind})
        for pk, household_id in cases
    ])


@writes
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
        raise stale(row, version=version)
    before = State.of(row)
    check_new(before, kind=kind)
    mode = _resettlement_mode(kind, resettlement_mode)
    after = before.with_event(kind=kind, on=on, resettlement_mode=mode)
    check_change(after, kind=kind, project=row.project, on=on)
    event = fast.insert_event(household=row, kind=kind, on_date=on, resettlement_mode=mode, note=note.strip(),
                              actor=as_user(actor))
    names = save_attachments(event, attachments) if attachments else []
    _move(row, after)
    audit.record(actor=actor, action="progress.event", object_type="ledger.household", object_id=row.pk,
                 object_repr=str(row), ip=ip, changes={
                     "event": event.pk, "kind": kind, "on_date": on, "stage": [before.stage, after.stage],
                     **({"note": event.note} if event.note else {}), **({"attachments": names} if names else {}),
                 })
    _close_hard_cases(actor=actor, households=[row], kind=kind, on=on, ip=ip)
    _rollup(row, before, after)
    return event


def _resettlement_mode(kind: str, value: str) -> str:
    if kind != EventKind.RESETTLED:
        return ""
    if value not in ResettlementMode.values:
        raise AppError(_("记录安置须选择安置方式（货币补偿、产权调换或回迁）。"), fields={"resettlement_mode": _("必选")})
    return value


@writes
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
        raise stale(household, version=version)
    if not (note or "").strip():
        raise AppError(_("更正须写明原因。"), fields={"note": _("必填")})
    check_text_values(StageEvent, {"note": note})
    if original.kind == EventKind.VOID or original.corrections.exists():
        raise AppError(_("这条记录已被更正过，请更正最新的那条记录。"), fields={"event": _("已被更正")})
    before = State.of(household)
    dates = dict(before.dates)
    if void:
        dates.pop(original.kind, None)
        after = State(dates=dates, resettlement_mode="" if original.kind == EventKind.RESETTLED
                              else before.resettlement_mode)
        check_change(after, kind=original.kind, project=household.project, removed=True)
        on = original.on_date
    else:
        on = parse_day(on_date)
        if on == original.on_date:
            raise AppError(_("新日期与原记录相同，无需更正。"), fields={"on_date": _("与原日期相同")})
        dates[original.kind] = on
        after = State(dates=dates, resettlement_mode=before.resettlement_mode)
        check_change(after, kind=original.kind, project=household.project, on=on)
    correction = StageEvent.objects.create(
        household_id=household.pk, project_id=household.project_id,
        kind=EventKind.VOID if void else original.kind, on_date=on, note=note.strip(), corrects=original,
        resettlement_mode="" if void else original.resettlement_mode,
        actor=as_user(actor))
    _move(household, after)
    audit.record(actor=actor, action="progress.correction", object_type="ledger.household",
                 object_id=household.pk, object_repr=str(household), ip=ip, changes={
        "event": correction.pk, "corrects": original.pk, "kind": original.kind,
        "on_date": [original.on_date, None if void else on], "note": correction.note,
        "stage": [before.stage, after.stage],
    })
    _rollup(household, before, after)
    return correction


@writes
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
    refused = [h for h in households if not is_system(actor) and not household_can_write(actor, h)]
    if missing or refused:
        raise NotFound(_("有 %(n)d 户不存在或无权操作，没有写入任何记录。") % {"n": len(missing) + len(refused)},
                       fields={"households": _("不存在或无权操作")})
    problems: list[str] = []
    moves: list[tuple[Household, State, State]] = []
    for household in sorted(households, key=lambda h: h.pk):
        before = State.of(household)
        try:
            if kind in before.dates:  # said shorter than check_new: one line of a list of households
                raise AppError(_("已于 %(d)s 记录了「%(k)s」") % {"d": before.dates[kind], "k": label(kind)})
            after = before.with_event(kind=kind, on=on, resettlement_mode=mode)
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
    user = as_user(actor)
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
            bump_versions(Household.objects.filter(pk__in=pks[start:start + 5000]),
                          **{DATE_FIELDS[kind]: on}, stage=stage, resettlement_mode=mode_value, updated_at=now)
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="progress.event", object_type="ledger.household", object_id=h.pk, object_repr=str(h),
                     changes={"kind": kind, "on_date": on, "stage": [b.stage, a.stage], "bulk": True,
                              **({"note": note.strip()} if note.strip() else {})})
        for h, b, a in moves
    ] + [audit.Change(action="progress.event_bulk", object_type="progress.stageevent", object_id="",
                      object_repr=label(kind), changes={"kind": kind, "on_date": on, "households": len(moves)})])
    _close_hard_cases(actor=actor, households=[h for h, _b, _a in moves], kind=kind, on=on, ip=ip)
    delta = rollups.Delta()
    for household, before, after in moves:
        area = rollups.centi(household.area)
        delta.add(rollups.units_of(household, household.street.parent_id),
                  rollups.difference(rollups.contributions(before, area), rollups.contributions(after, area)))
    delta.write()
    return len(moves)
