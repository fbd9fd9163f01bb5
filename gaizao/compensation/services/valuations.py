"""Recording the valuer's results (录入评估结果): per household and building, the unit price (元/㎡),
the decoration (元), the valuation date, the valuer (评估机构), the appraiser (估价师) and the report
number.

- A building has at most one valuation in force. A first valuation (评估) is recorded once; a review
  (复核) or an appraisal (鉴定) adds a row with its reason and puts the one in force out of force
  (``in_force=False``, ``replaces`` points at it): nothing is overwritten.
- A valuation needs the household's 认定 (the legality decision on each building, 条例 §24): a
  household not yet decided, or a building still 待认定, is refused, naming them. A building kept
  (处置方式「保留」) is not taken and is not valued.
- When every building of the household to be demolished has a valuation in force and the household
  stands at 认定, its 评估 stage is recorded through progress (``household_record_event``) on the
  latest valuation date, in the same transaction; progress's refusal (a date before the 认定, a
  household withdrawn …) refuses the whole write, with the household named.
- After the project's compensation 公示, a change to a valuation goes through a change request
  (``compensation.services.changes.guard_inputs``, asked before anything is written).

The page, the API and the import (``compensation.importing``) all write through ``valuations_record``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.compensation.choices import ValuationKind
from gaizao.compensation.models import Valuation
from gaizao.compensation.policies.valuations import valuation_household_scope
from gaizao.core.actors import as_user
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import full_clean, load_scoped
from gaizao.core.writes import writes
from gaizao.ledger.choices import Disposition, Legality, Stage
from gaizao.ledger.models import Building, Household

MONEY_LIMIT = Decimal("1000000000000")  # max_digits=14, decimal_places=2
TWO_PLACES = Decimal("0.01")
REASON_MIN = 4
RE_VALUATIONS = (ValuationKind.REVIEW, ValuationKind.APPRAISAL)
VALUE_FIELDS = ("unit_price", "decoration", "valued_on", "valuer", "appraiser", "report_no")
MISSING = "住户不存在或无权操作。"


def _label(name: str) -> str:
    return str(Valuation._meta.get_field(name).verbose_name)


def who(household) -> str:
    """A household as messages name it: 住户 DH-001 李四."""
    return _("住户 %(h)s") % {"h": household}


# --- checking one entry -----------------------------------------------------------------------------

def _money(raw, name: str, errors: dict, *, positive: bool, default: Decimal | None = None) -> Decimal | None:
    title = _label(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if default is not None:
            return default
        errors[name] = _("请填写%(t)s。") % {"t": title}
        return None
    if isinstance(raw, bool):
        errors[name] = _("%(t)s须为数字。") % {"t": title}
        return None
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[name] = _("%(t)s须为数字，「%(v)s」不是。") % {"t": title, "v": raw}
        return None
    if not number.is_finite():
        errors[name] = _("%(t)s须为数字。") % {"t": title}
    elif positive and number <= 0:
        errors[name] = _("%(t)s须大于 0，实际为 %(v)s。") % {"t": title, "v": number}
    elif number < 0:
        errors[name] = _("%(t)s不能为负数，实际为 %(v)s。") % {"t": title, "v": number}
    elif number >= MONEY_LIMIT:
        errors[name] = _("%(t)s过大（%(v)s）。") % {"t": title, "v": number}
    elif number != number.quantize(TWO_PLACES):
        errors[name] = _("%(t)s最多保留两位小数，实际为 %(v)s。") % {"t": title, "v": number}
    else:
        return number.quantize(TWO_PLACES)
    return None


def _day(raw, errors: dict, *, today: dt.date) -> dt.date | None:
    title = _label("valued_on")
    if raw in (None, ""):
        errors["valued_on"] = _("请填写%(t)s。") % {"t": title}
        return None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if not isinstance(raw, dt.date):
        try:
            raw = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            errors["valued_on"] = _("%(t)s「%(v)s」不是有效日期（应为 2026-03-02 这样的格式）。") % {"t": title, "v": raw}
            return None
    if raw > today:
        errors["valued_on"] = _("%(t)s %(d)s 晚于今天（%(today)s），不能预先录入。") % {"t": title, "d": raw, "today": today}
        return None
    return raw


def _text(values: dict, name: str, errors: dict, *, required: bool = False) -> str:
    value = "" if values.get(name) is None else str(values.get(name)).strip()
    limit = Valuation._meta.get_field(name).max_length
    if required and not value:
        errors[name] = _("请填写%(t)s。") % {"t": _label(name)}
    elif limit and len(value) > limit:
        errors[name] = _("%(t)s最多 %(n)d 个字，实际 %(m)d 个。") % {"t": _label(name), "n": limit, "m": len(value)}
    return value


@dataclass
class Entry:
    """One valuation to record, checked: its building, the one it replaces (if any) and its values."""

    building: Building
    current: Valuation | None
    kind: str
    values: dict

    def same_as_current(self) -> bool:
        """The valuation in force already says exactly this (an import's unchanged row)."""
        return self.current is not None and all(getattr(self.current, f) == self.values[f] for f in VALUE_FIELDS)


def check_entry(values: dict, *, household: Household, building: Building | None, current: Valuation | None,
                today: dt.date | None = None) -> tuple[Entry | None, dict[str, str]]:
    """Check one valuation of ``building`` (of ``household``; ``current`` its valuation in force) without
    writing: the entry, or every problem by field (``unit_price``, ``valued_on``, ``building`` …), each a
    Chinese message. The page, the API and the import's preview share it."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    kind = str(values.get("kind") or ValuationKind.INITIAL)
    if kind not in ValuationKind.values:
        errors["kind"] = _("评估类别「%(k)s」不是可选的值（评估、复核或鉴定）。") % {"k": kind}
    clean = {
        "unit_price": _money(values.get("unit_price"), "unit_price", errors, positive=True),
        "decoration": _money(values.get("decoration"), "decoration", errors, positive=False, default=Decimal("0.00")),
        "valued_on": _day(values.get("valued_on"), errors, today=today),
        "valuer": _text(values, "valuer", errors, required=True),
        "appraiser": _text(values, "appraiser", errors),
        "report_no": _text(values, "report_no", errors),
    }
    reason = _text(values, "reason", errors)
    if building is None:
        errors["building"] = _("请选择%(h)s的房屋。") % {"h": who(household)}
        return None, errors
    if building.household_id != household.pk:
        errors["building"] = _("房屋 %(b)s 不是%(h)s的房屋。") % {"b": building.number, "h": who(household)}
        return None, errors
    if household.decided_on is None:
        errors["household"] = _("%(h)s尚未完成认定（阶段：%(s)s），不能录入评估结果：评估在每栋房屋认定之后。") % {
            "h": who(household), "s": Stage(household.stage).label}
    if household.stage == Stage.WITHDRAWN:
        errors["household"] = _("%(h)s已撤出改造范围，不能录入评估结果。") % {"h": who(household)}
    if building.disposition == Disposition.KEEP:
        errors["building"] = _("%(h)s的房屋 %(b)s 处置方式为「保留」，不征收，不评估。") % {
            "h": who(household), "b": building.number}
    elif building.legality == Legality.PENDING:
        errors["building"] = _("%(h)s的房屋 %(b)s 尚待认定，不能录入评估结果。") % {"h": who(household), "b": building.number}
    if kind in RE_VALUATIONS:
        if current is None:
            errors["kind"] = _("%(h)s的房屋 %(b)s 尚无评估结果，不能%(k)s；请先录入评估。") % {
                "h": who(household), "b": building.number, "k": ValuationKind(kind).label}
        elif clean["valued_on"] and clean["valued_on"] < current.valued_on:
            errors["valued_on"] = _("%(k)s日期 %(d)s 早于原评估日期 %(o)s。") % {
                "k": ValuationKind(kind).label, "d": clean["valued_on"], "o": current.valued_on}
        if len(reason) < REASON_MIN:
            errors["reason"] = _("%(k)s须写明理由（至少 %(n)d 个字）。") % {"k": ValuationKind(kind).label, "n": REASON_MIN}
    elif kind == ValuationKind.INITIAL:
        reason = ""
        if current is not None:
            errors["kind"] = _("%(h)s的房屋 %(b)s 已有现行评估结果（%(d)s，%(v)s）；重新评估请选择「复核」或「鉴定」，"
                               "并写明理由。") % {"h": who(household), "b": building.number, "d": current.valued_on,
                                             "v": current.valuer}
    if errors:
        return None, errors
    return Entry(building=building, current=current, kind=kind, values={**clean, "reason": reason}), {}


# --- the four-eyes hook ---------------------------------------------------------------------------

def guard(household_ids: list[int]) -> None:
    """After the project's compensation 公示, a valuation changes only through an approved change request:
    ``compensation.services.changes.guard_inputs`` refuses otherwise (AppError). Asked before writing."""
    name = "gaizao.compensation.services.changes"
    try:
        changes = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # the change requests' module not there (yet): nothing guards
        if exc.name != name:
            raise
        return
    guard_inputs = getattr(changes, "guard_inputs", None)
    if guard_inputs is not None:
        guard_inputs(household_ids, what=_("评估结果"))


# --- writing --------------------------------------------------------------------------------------

def _insert(*, actor, household: Household, entry: Entry) -> Valuation:
    current = entry.current
    if current is not None:
        # one conditional update: two people replacing the same valuation, exactly one wins
        if Valuation.objects.filter(pk=current.pk, in_force=True).update(in_force=False,
                                                                          updated_at=timezone.now()) != 1:
            raise Conflict(_("房屋 %(b)s 的评估结果刚被他人更新，请刷新后再试。") % {"b": entry.building.number})
    valuation = Valuation(household=household, building=entry.building, kind=entry.kind, in_force=True,
                          replaces=current, created_by=as_user(actor), **entry.values)
    full_clean(valuation, exclude=["household", "building", "replaces", "created_by"], validate_unique=False,
               validate_constraints=False)
    valuation.save(force_insert=True)
    action = "compensation.valuation_record" if current is None else "compensation.valuation_review"
    writes.audit(action=action, obj=valuation, object_repr=f"{household} · {entry.building.number}", changes={
        "household": household.pk, "building": entry.building.number, "kind": entry.kind,
        **{f: entry.values[f] for f in VALUE_FIELDS if entry.values[f] not in ("", None)},
        **({"reason": entry.values["reason"], "replaces": current.pk,
            "before": {f: getattr(current, f) for f in ("unit_price", "decoration", "valued_on")}} if current else {}),
    })
    return valuation


def _follow_stage(*, actor, household: Household, ip: str | None) -> bool:
    """Record the household's 评估 stage once every building to demolish has a valuation in force and the
    household stands at 认定; True when it was recorded. Progress's refusal names the household."""
    from gaizao.progress.choices import EventKind
    from gaizao.progress.services.events import household_record_event

    if household.valued_on is not None or household.stage != Stage.DECIDED:
        return False
    demolished = list(Building.objects.filter(household=household, disposition=Disposition.DEMOLISH)
                      .values_list("pk", flat=True))
    if not demolished:
        return False
    dates = dict(Valuation.objects.filter(building_id__in=demolished, in_force=True).values_list(
        "building_id", "valued_on"))
    if set(demolished) - set(dates):
        return False
    try:
        household_record_event(actor=actor, household=household.pk, kind=EventKind.VALUED,
                               on_date=max(dates.values()), note=_("评估结果已全部录入"), ip=ip)
    except AppError as exc:
        raise type(exc)(_("%(h)s：%(m)s") % {"h": who(household), "m": exc.message},
                        fields={"valued_on": exc.message, **exc.fields}) from None
    return True


def _current(building_ids: list[int]) -> dict[int, Valuation]:
    return {v.building_id: v for v in Valuation.objects.filter(building_id__in=building_ids, in_force=True)}


def _pk(value) -> int | None:
    try:
        return int(value) if not isinstance(value, bool) and str(value).strip().isdigit() else None
    except (TypeError, ValueError):
        return None


def _load_household(actor, household) -> Household:
    return load_scoped(actor, Household.objects.select_related("project"), household,
                       lambda user: valuation_household_scope(user, write=True), missing=_(MISSING))


@writes
def valuations_record(*, actor, household, entries: list[dict], ip: str | None = None) -> list[Valuation]:
    """Record valuer results for buildings of one household (录入评估结果), all or nothing.

    Each entry: ``building`` (a Building or its id), ``kind`` (评估 / 复核 / 鉴定, default 评估),
    ``unit_price``, ``decoration``, ``valued_on``, ``valuer``, ``appraiser``, ``report_no``, ``reason``
    (a 复核 or 鉴定's). Every problem is reported at once (by field; with several entries, by building).
    Then the household's 评估 stage follows (see the module doc).
    """
    household = _load_household(actor, household)
    if not entries:
        raise AppError(_("请至少录入一栋房屋的评估结果。"), fields={"building": _("未选择房屋")})
    ids = [_pk(getattr(e.get("building"), "pk", e.get("building"))) for e in entries]
    buildings = {b.pk: b for b in Building.objects.filter(pk__in=[i for i in ids if i is not None])}
    current = _current(list(buildings))
    checked, problems, seen = [], {}, set()
    for entry, pk in zip(entries, ids):
        building = buildings.get(pk)
        entry_ok, errors = check_entry(entry, household=household, building=building,
                                       current=current.get(pk) if building else None)
        if building is not None and pk in seen:
            errors = {"building": _("房屋 %(b)s 录入了两次。") % {"b": building.number}}
        seen.add(pk)
        if errors:
            prefix = f"{building.number}·" if building is not None and len(entries) > 1 else ""
            problems.update({k if not prefix else f"{prefix}{k}": v for k, v in errors.items()})
        else:
            checked.append(entry_ok)
    if problems:
        raise AppError("；".join(dict.fromkeys(problems.values())), fields=problems)
    guard([household.pk])
    out = [_insert(actor=actor, household=household, entry=entry) for entry in checked]
    _follow_stage(actor=actor, household=household, ip=ip)
    return out


def valuation_record(*, actor, household, building, unit_price, valued_on, valuer: str, decoration=None,
                     appraiser: str = "", report_no: str = "", kind: str = ValuationKind.INITIAL, reason: str = "",
                     ip: str | None = None) -> Valuation:
    """Record one building's valuation (评估), review (复核) or appraisal (鉴定); see ``valuations_record``."""
    return valuations_record(actor=actor, household=household, ip=ip, entries=[{
        "building": building, "kind": kind, "unit_price": unit_price, "decoration": decoration,
        "valued_on": valued_on, "valuer": valuer, "appraiser": appraiser, "report_no": report_no,
        "reason": reason}])[0]


@writes
def valuations_apply(*, actor, plans: list[tuple[Household, list[Entry]]], ip: str | None = None) -> tuple[int, int]:
    """Write checked entries of several households in one transaction (an import's confirm): the
    valuations, then each household's 评估 stage. Returns (valuations written, stages recorded)."""
    guard([household.pk for household, _entries in plans])
    written = stages = 0
    for household, entries in plans:
        for entry in entries:
            _insert(actor=actor, household=household, entry=entry)
            written += 1
        stages += _follow_stage(actor=actor, household=household, ip=ip)
    return written, stages


__all__ = ["Entry", "check_entry", "guard", "valuation_record", "valuations_apply", "valuations_record", "who"]
