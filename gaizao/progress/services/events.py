"""Recording a household's stage events (记录进度), one at a time, in bulk, and corrections.

Each write: checks who may write, loads the household, checks the new state (order of stages,
dates, the project's signing period), inserts the event, moves the household's stage and dates
with a conditional UPDATE on its version (two people at once: exactly one wins), audits, closes
an open hard case when the household signs, and adds the rollup difference, all in one
transaction.

认定 and 拆除 also follow the household's buildings (``stages.check_buildings``, read with one
indexed query, the heritage elements with them): 认定 needs a decision on each building; 拆除
marks every building not yet down as demolished on the event's day, in the same transaction
(``ledger.services.buildings.household_buildings_demolish``), and a building with a heritage
element (历史文化要素) needs the office's override (特批): ``heritage_override_reason`` of at least
10 characters from an account of the office or the admin, audited on each building with the
elements. In bulk, the households that need an override and lack it are named, and nothing is
written; a correction of a 拆除 moves (or, voided, lifts) its buildings' marks.
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
from gaizao.ledger.services.buildings import (
    REASON_FIELD, BuildingFacts, building_facts, heritage_override_check, heritage_override_refusal,
    household_buildings_demolish, household_buildings_redate, numbers,
)
from gaizao.progress import rollups, signing
from gaizao.progress.choices import EventKind, ResettlementMode
from gaizao.progress.models import HardCase, StageEvent
from gaizao.progress.services import fast
from gaizao.progress.services.attachments import save_attachments
from gaizao.progress.stages import (
    BUILDING_KINDS, CLOSES_HARD_CASE, DATE_FIELDS, RECORDABLE, State, check_buildings, check_change, check_new,
    label,
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


def guarded(buildings: list[BuildingFacts]) -> list[BuildingFacts]:
    """The buildings a 拆除 would bring down that carry a heritage element (the override's concern)."""
    return [b for b in buildings if b.demolished_on is None and b.heritage]


def heritage_refusal_line(buildings: list[BuildingFacts], refusal: str) -> str:
    """One household's line in a bulk or import refusal: which buildings, which elements, the rule."""
    elements = "、".join(label for b in buildings for label in b.heritage_labels())
    return _("房屋 %(n)s 登记有历史文化要素（%(e)s），应予保护；确需拆除的，%(r)s") % {
        "n": numbers(buildings), "e": elements, "r": refusal}


def _building_changes(kind: str, buildings: list[BuildingFacts] | None, reason: str) -> dict:
    """What the household's audit entry adds for a 拆除 under the override: its reason (each building
    brought down has an entry of its own, with the elements, shown in the household's history too)."""
    if kind != EventKind.DEMOLISHED or not buildings or not reason or not guarded(buildings):
        return {}
    return {REASON_FIELD: reason}


def _close_hard_cases(*, actor, households: Sequence, kind: str, on: dt.date, ip: str | None) -> None:
    """Close the open hard cases (攻坚户销号) of households that left the path: vacated or withdrew.

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
                           heritage_override_reason: str = "", ip: str | None = None) -> StageEvent:
    """Record that a household reached a stage on a day (入户调查、认定、评估、签约、腾空交房 …).

    The most frequent write of the campaign: its statements are written out once (``fast``) so
    that the checks, the audit entry and the rollups cost a few plain statements, not ORM builds.
    认定 and 拆除 read the household's buildings (one more indexed query); 拆除 brings them down,
    a building with a heritage element only with ``heritage_override_reason`` (the office's).
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
    _check_execution(actor, row.project, kind)
    buildings, reason = None, ""
    if kind in BUILDING_KINDS:
        buildings = building_facts([row.pk]).get(row.pk, [])
        check_buildings(buildings, kind=kind, on=on, who=_("住户 %(h)s ") % {"h": row})
        if kind == EventKind.DEMOLISHED and (concerned := guarded(buildings)):
            reason = heritage_override_check(
                actor=actor, reason=heritage_override_reason, what=_("住户 %(h)s 的房屋 %(n)s ") % {
                    "h": row, "n": numbers(concerned)},
                elements=[label for b in concerned for label in b.heritage_labels()])
    event = fast.insert_event(household=row, kind=kind, on_date=on, resettlement_mode=mode, note=note.strip(),
                              actor=as_user(actor))
    names = save_attachments(event, attachments) if attachments else []
    _move(row, after)
    extra = _building_changes(kind, buildings, reason)
    if kind == EventKind.DEMOLISHED:
        household_buildings_demolish(actor=actor, plans=[(row, buildings, event.pk)], on_date=on,
                                     heritage_reason=reason, ip=ip)
    audit.record(actor=actor, action="progress.event", object_type="ledger.household", object_id=row.pk,
                 object_repr=str(row), ip=ip, changes={
                     "event": event.pk, "kind": kind, "on_date": on, "stage": [before.stage, after.stage],
                     **({"note": event.note} if event.note else {}), **({"attachments": names} if names else {}),
                     **extra,
                 })
    _close_hard_cases(actor=actor, households=[row], kind=kind, on=on, ip=ip)
    _follow_legal(actor=actor, households=[row], kind=kind, on=on, ip=ip)
    _rollup(row, before, after)
    if kind == EventKind.SIGNED and signing.period_over(row.project):
        signing.rejudge_after(actor=actor, project_id=row.project_id, dates=[on], ip=ip, reason=_(
            "补录签约期内的签约：住户 %(h)s，签约日期 %(d)s") % {"h": row, "d": on} + (f"；{event.note}" if event.note else ""))
    return event


def _follow_legal(**kwargs) -> None:
    """The households' legal paths follow the event (a 补偿决定 opens one, a signature or moving out
    ends it, a voided decision voids it): ``progress.services.legal.legal_follow_events``."""
    from gaizao.progress.services.legal import legal_follow_events  # it reads this module's parse_day

    legal_follow_events(**kwargs)


def _check_execution(actor, project, kind: str) -> None:
    """A lapsed project (协议未生效) refuses moving out, demolition, payouts and decisions (progress.signing)."""
    refusal = signing.execution_refusal(actor=actor, project=project, kind=kind)
    if refusal:
        raise AppError(refusal, fields={"kind": _("协议未生效")})


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
    buildings = None
    if original.kind == EventKind.DEMOLISHED:  # its buildings came down with it: they follow the correction
        buildings = building_facts([household.pk]).get(household.pk, [])
    if void:
        dates.pop(original.kind, None)
        after = before.with_dates(dates, resettlement_mode="" if original.kind == EventKind.RESETTLED
                                  else before.resettlement_mode)
        check_change(after, kind=original.kind, project=household.project, removed=True)
        on = original.on_date
    else:
        on = parse_day(on_date)
        if on == original.on_date:
            raise AppError(_("新日期与原记录相同，无需更正。"), fields={"on_date": _("与原日期相同")})
        dates[original.kind] = on
        after = before.with_dates(dates)
        check_change(after, kind=original.kind, project=household.project, on=on)
        if buildings is not None:  # the buildings that fell on another day stay where they are
            check_buildings([b for b in buildings if b.demolished_on != original.on_date], kind=original.kind,
                            on=on, who=_("住户 %(h)s ") % {"h": household})
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
    if buildings:
        household_buildings_redate(actor=actor, household=household, buildings=buildings, old=original.on_date,
                                   new=None if void else on, event_id=correction.pk, ip=ip)
    _rollup(household, before, after)
    if original.kind == EventKind.DECISION:  # voided: its case is void; moved: a case opens if none is open
        _follow_legal(actor=actor, households=[household], kind=original.kind, on=original.on_date if void else on,
                      ip=ip, voided=void)
    if original.kind == EventKind.SIGNED:
        signing.rejudge_after(actor=actor, project_id=household.project_id,
                              dates=[original.on_date, None if void else on], ip=ip, reason=_(
                                  "更正签约记录：住户 %(h)s，%(old)s → %(new)s；%(note)s") % {
                                  "h": household, "old": original.on_date, "new": _("撤销") if void else on,
                                  "note": correction.note})
    return correction


@writes
def households_record_stage(*, actor, household_ids: Iterable[int], kind: str, on_date, note: str = "",
                            resettlement_mode: str = "", heritage_override_reason: str = "",
                            ip: str | None = None) -> int:
    """Record the same stage on the same day for many households (批量记录), all or nothing.

    Any household that cannot take the event is named in the error, and nothing is written. 认定
    and 拆除 read the buildings of all the households at once (one query per 5,000); a 拆除 of
    households with heritage elements needs ``heritage_override_reason`` for the batch, from the
    office, else those households are named.
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
        qs = Household.objects.select_related("project", "street", "village").filter(pk__in=ids[start:start + 5000])
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
    gates = {pid: signing.execution_refusal(actor=actor, project=project, kind=kind)
             for pid, project in {h.project_id: h.project for h in households}.items()}
    moves: list[tuple[Household, State, State]] = []
    facts = building_facts([h.pk for h in households]) if kind in BUILDING_KINDS else {}
    refusal = heritage_override_refusal(actor=actor, reason=heritage_override_reason) \
        if kind == EventKind.DEMOLISHED else None
    override_refused = False
    for household in sorted(households, key=lambda h: h.pk):
        before = State.of(household)
        try:
            if kind in before.dates:  # said shorter than check_new: one line of a list of households
                raise AppError(_("已于 %(d)s 记录了「%(k)s」") % {"d": before.dates[kind], "k": label(kind)})
            after = before.with_event(kind=kind, on=on, resettlement_mode=mode)
            check_change(after, kind=kind, project=household.project, on=on)
            if gates[household.project_id]:
                raise AppError(gates[household.project_id])
            if kind in BUILDING_KINDS:
                buildings = facts.get(household.pk, [])
                check_buildings(buildings, kind=kind, on=on, who=_("本户"))
                if refusal is not None and (concerned := guarded(buildings)):
                    override_refused = True
                    raise AppError(heritage_refusal_line(concerned, refusal))
        except AppError as exc:
            problems.append(f"{household.number} {household.head_name}：{exc.message}")
            continue
        moves.append((household, before, after))
    if problems:
        shown = "；".join(problems[:10]) + (_("……等 %(n)d 户") % {"n": len(problems)} if len(problems) > 10 else "")
        fields = {"households": problems[0]}
        if override_refused:
            fields[REASON_FIELD] = refusal
        raise AppError(_("有 %(n)d 户不能记录「%(k)s」，本次没有写入任何记录：%(list)s")
                       % {"n": len(problems), "k": label(kind), "list": shown}, fields=fields)
    reason = (heritage_override_reason or "").strip() if kind == EventKind.DEMOLISHED else ""
    user = as_user(actor)
    events = StageEvent.objects.bulk_create(
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
    if kind == EventKind.DEMOLISHED:
        # The events' ids (RETURNING, on SQLite and PostgreSQL) go in each building's audit entry.
        household_buildings_demolish(actor=actor, on_date=on, heritage_reason=reason, ip=ip, plans=[
            (h, facts.get(h.pk, []), event.pk) for (h, _b, _a), event in zip(moves, events)])
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="progress.event", object_type="ledger.household", object_id=h.pk, object_repr=str(h),
                     changes={"kind": kind, "on_date": on, "stage": [b.stage, a.stage], "bulk": True,
                              **({"note": note.strip()} if note.strip() else {}),
                              **_building_changes(kind, facts.get(h.pk), reason)})
        for h, b, a in moves
    ] + [audit.Change(action="progress.event_bulk", object_type="progress.stageevent", object_id="",
                      object_repr=label(kind), changes={"kind": kind, "on_date": on, "households": len(moves)})])
    _close_hard_cases(actor=actor, households=[h for h, _b, _a in moves], kind=kind, on=on, ip=ip)
    _follow_legal(actor=actor, households=[h for h, _b, _a in moves], kind=kind, on=on, ip=ip)
    delta = rollups.Delta()
    for household, before, after in moves:
        area = rollups.centi(household.area)
        delta.add(rollups.units_of(household, household.street.parent_id),
                  rollups.difference(rollups.contributions(before, area), rollups.contributions(after, area)))
    delta.write()
    if kind == EventKind.SIGNED:
        for project_id in sorted({h.project_id for h, _b, _a in moves if signing.period_over(h.project)}):
            signing.rejudge_after(actor=actor, project_id=project_id, dates=[on], ip=ip, reason=_(
                "批量补录签约期内的签约（%(d)s）") % {"d": on} + (f"；{note.strip()}" if note.strip() else ""))
    return len(moves)
