"""A household's facts as the calculator reads them (计算依据): plain values, no database rows.

``cases_for(ids)`` reads any number of households with their buildings and valuations in force in a
fixed number of queries; ``case_from_json`` reads a case written by hand (``gaizao compensation
calc --input CASES.json``: how a scheme is tested before it is published). A change request computes
its "after" from ``dataclasses.replace`` of a case. Categorical facts are the ledger's labels (合法,
砖混, 住宅 …); their codes (legal, brick_concrete …) are read as the labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gaizao.compensation.language import Scheme
from gaizao.core.bulk import gc_paused
from gaizao.core.errors import AppError
from gaizao.ledger.choices import Disposition, HouseholdUse, LandType, Legality, Stage, Structure

_LABELS: dict[str, dict[str, str]] = {
    "legality": {c.value: str(c.label) for c in Legality},
    "land_type": {c.value: str(c.label) for c in LandType},
    "use": {c.value: str(c.label) for c in HouseholdUse},
    "structure": {c.value: str(c.label) for c in Structure},
    "disposition": {c.value: str(c.label) for c in Disposition},
}
HAS_CERTIFICATE, NO_CERTIFICATE = "有证", "无证"


def label(kind: str, value: str) -> str:
    """A categorical fact as the scheme compares it: the ledger's label for a code, the text otherwise."""
    value = (value or "").strip()
    return _LABELS.get(kind, {}).get(value, value)


@dataclass(slots=True)
class BuildingCase:
    number: str
    legal_area: Decimal = Decimal(0)
    unlicensed_area: Decimal = Decimal(0)
    floors: int = 1
    build_year: int | None = None
    unit_price: Decimal | None = None
    decoration: Decimal | None = None
    legality: str = "待认定"
    use: str = "住宅"
    structure: str = ""
    certificate_no: str = ""
    disposition: str = "拆除"
    id: int | None = None

    def numbers(self) -> dict:
        """The building's numbers the scheme reads; a fact it lacks (no valuation yet) is left out."""
        numbers = {"legal_area": self.legal_area, "unlicensed_area": self.unlicensed_area,
                   "area": self.legal_area + self.unlicensed_area, "floors": Decimal(self.floors)}
        if self.build_year is not None:
            numbers["build_year"] = Decimal(self.build_year)
        if self.unit_price is not None:
            numbers["unit_price"] = self.unit_price
        if self.decoration is not None:
            numbers["decoration"] = self.decoration
        return numbers

    def categories(self) -> dict:
        return {"legality": self.legality, "use": self.use, "structure": self.structure,
                "certificate": HAS_CERTIFICATE if self.certificate_no else NO_CERTIFICATE,
                "disposition": self.disposition}


@dataclass(slots=True)
class Case:
    label: str
    persons: int = 1
    land_type: str = "集体土地"
    use: str = "住宅"
    signed_on: dt.date | None = None
    vacated_on: dt.date | None = None
    signing_rate: Decimal | None = None
    late_months: Decimal = Decimal(0)
    buildings: tuple[BuildingCase, ...] = ()
    household_id: int | None = None

    def household_numbers(self, scheme: Scheme) -> dict:
        start = scheme.dates.get("signing_start")
        return self.household_facts(start, scheme.dates.get("vacating_start") or start)

    def household_facts(self, signing_start: dt.date | None, vacating_start: dt.date | None) -> dict:
        """The household's numbers the scheme reads; a fact it lacks is left out (a formula needing it fails)."""
        facts = {
            "persons": Decimal(self.persons),
            "buildings": Decimal(len(self.buildings)),
            "certificates": Decimal(len({b.certificate_no for b in self.buildings if b.certificate_no})),
            "late_months": self.late_months,
        }
        if self.signed_on is not None and signing_start is not None:
            facts["signing_day"] = Decimal((self.signed_on - signing_start).days + 1)
        if self.vacated_on is not None and vacating_start is not None:
            facts["vacating_day"] = Decimal((self.vacated_on - vacating_start).days + 1)
        if self.signing_rate is not None:
            facts["signing_rate"] = self.signing_rate
        return facts

    def household_categories(self) -> dict:
        return {"land_type": self.land_type, "use": self.use}

    def as_json(self) -> dict:
        """The facts as stored beside a calculation (``Calculation.facts``) and shown on its page."""
        data = asdict(self)
        for key in ("signed_on", "vacated_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return _plain(data)


def _plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- from the database -----------------------------------------------------------------------------------

def signing_rates(project_ids) -> dict[int, Decimal]:
    """Each project's signing rate in percent (signed households / households in scope), one query."""
    from gaizao.ledger.models import Household

    rows = (Household.objects.filter(project_id__in=list(project_ids)).exclude(stage=Stage.WITHDRAWN)
            .values("project_id").annotate(all=Count("pk"), signed=Count("pk", filter=Q(signed_on__isnull=False))))
    return {row["project_id"]: (Decimal(row["signed"]) * 100 / row["all"]).quantize(Decimal("0.01"))
            if row["all"] else Decimal(0) for row in rows}


CHUNK = 5000  # ids per IN (...): SQLite allows 32,766 parameters in a statement


def cases_for(household_ids, *, signed_on: dt.date | None = None, late_months: Decimal | None = None,
              rates: dict[int, Decimal] | None = None) -> dict[int, Case]:
    """The cases of households (by id): households, buildings, valuations in force and signing rates,
    three queries per 5,000 households and one for the rates. ``signed_on`` stands for a household not
    yet signed (a calculation before signing assumes the day it will sign)."""
    from gaizao.ledger.models import Household

    ids = list(household_ids)
    out: dict[int, Case] = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        out.update(_cases(Household.objects.filter(pk__in=part), {"household_id__in": part}, signed_on=signed_on,
                          late_months=late_months, rates=rates))
    return out


def cases_for_project(project, *, signed_on: dt.date | None = None, late_months: Decimal | None = None
                      ) -> dict[int, Case]:
    """Every household of a project (withdrawn ones too: callers choose), in four queries whatever its size."""
    from gaizao.ledger.models import Household

    return _cases(Household.objects.filter(project=project), {"household__project": project}, signed_on=signed_on,
                  late_months=late_months, rates=None)


def _cases(households_qs, by_household: dict, *, signed_on, late_months, rates) -> dict[int, Case]:
    with gc_paused():  # a case and its buildings per household: many small acyclic objects
        return _read_cases(households_qs, by_household, signed_on=signed_on, late_months=late_months, rates=rates)


def _read_cases(households_qs, by_household: dict, *, signed_on, late_months, rates) -> dict[int, Case]:
    from gaizao.compensation.models import Valuation
    from gaizao.ledger.models import Building

    households = list(households_qs.values_list(
        "pk", "project__code", "number", "member_count", "land_type", "use", "signed_on", "vacated_on", "project_id"))
    prices: dict[int, tuple] = {}
    for building_id, price, decoration in Valuation.objects.filter(in_force=True, **by_household).values_list(
            "building_id", "unit_price", "decoration"):
        prices[building_id] = (price, decoration)
    buildings: dict[int, list[BuildingCase]] = {}
    # the labels looked up in local dicts: this loop runs once per building (150,000 in a large project)
    legalities, uses, structures, dispositions = (_LABELS["legality"], _LABELS["use"], _LABELS["structure"],
                                                  _LABELS["disposition"])
    nothing = (None, None)
    for row in Building.objects.filter(**by_household).order_by("household_id", "number", "pk").values_list(
            "pk", "household_id", "number", "legal_area", "unlicensed_area", "floors", "build_year", "legality", "use",
            "structure", "certificate_no", "disposition"):
        pk, household_id, number, legal, unlicensed, floors, year, legality, use, structure, cert, disposition = row
        price, decoration = prices.get(pk, nothing)
        building = BuildingCase(number, legal, unlicensed, floors, year, price, decoration,
                                legalities.get(legality, legality), uses.get(use, use),
                                structures.get(structure, structure), cert, dispositions.get(disposition, disposition),
                                pk)
        found = buildings.get(household_id)
        if found is None:
            buildings[household_id] = [building]
        else:
            found.append(building)
    if rates is None:
        rates = signing_rates({row[8] for row in households})
    cases = {}
    lands = _LABELS["land_type"]
    late = late_months if late_months is not None else Decimal(0)
    for pk, code, number, persons, land_type, use, signed, vacated, project_id in households:
        cases[pk] = Case(f"{code}/{number}", persons, lands.get(land_type, land_type), uses.get(use, use),
                         signed or signed_on, vacated, rates.get(project_id), late, tuple(buildings.get(pk, ())), pk)
    return cases


def case_for(household, **kwargs) -> Case:
    """One household's case (``cases_for`` of one)."""
    pk = getattr(household, "pk", household)
    return cases_for([pk], **kwargs)[pk]


# --- from a hand-written file ------------------------------------------------------------------------------

def _decimal(value, *, what: str, where: str) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, float) and value != value:
        raise AppError(_("%(w)s：%(what)s须为数字") % {"w": where, "what": what})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AppError(_("%(w)s：%(what)s须为数字（现为 %(v)r）") % {"w": where, "what": what, "v": value}) from None
    if not number.is_finite():
        raise AppError(_("%(w)s：%(what)s须为有限的数") % {"w": where, "what": what})
    return number


def _date(value, *, what: str, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise AppError(_("%(w)s：%(what)s须为日期，如 2026-03-10（现为 %(v)r）") % {
            "w": where, "what": what, "v": value}) from None


_CASE_KEYS = {"name", "option", "persons", "land_type", "use", "signed_on", "vacated_on", "signing_rate",
              "late_months", "buildings", "expect"}
_BUILDING_KEYS = {"number", "legal_area", "unlicensed_area", "floors", "build_year", "unit_price", "decoration",
                  "legality", "use", "structure", "certificate", "certificate_no", "disposition"}


def case_from_json(data, *, index: int) -> Case:
    """A case of a ``--input`` file: household facts, buildings, dates (the option is read by the caller)."""
    where = _("第 %(i)d 个案例") % {"i": index}
    if not isinstance(data, dict):
        raise AppError(_("%(w)s须为对象 {…}") % {"w": where})
    if data.get("name"):
        where += f"（{data['name']}）"
    unknown = sorted(set(data) - _CASE_KEYS)
    if unknown:
        raise AppError(_("%(w)s：未知的字段 %(k)s；可用的：%(a)s") % {
            "w": where, "k": "、".join(unknown), "a": "、".join(sorted(_CASE_KEYS))})
    buildings = []
    for number, raw in enumerate(data.get("buildings") or [], start=1):
        bwhere = _("%(w)s的第 %(n)d 栋房屋") % {"w": where, "n": number}
        if not isinstance(raw, dict):
            raise AppError(_("%(w)s须为对象 {…}") % {"w": bwhere})
        unknown = sorted(set(raw) - _BUILDING_KEYS)
        if unknown:
            raise AppError(_("%(w)s：未知的字段 %(k)s；可用的：%(a)s") % {
                "w": bwhere, "k": "、".join(unknown), "a": "、".join(sorted(_BUILDING_KEYS))})
        cert = raw.get("certificate_no") or ("有证" if raw.get("certificate") in ("有证", True, "yes") else "")
        buildings.append(BuildingCase(
            number=str(raw.get("number") or number),
            legal_area=_decimal(raw.get("legal_area", 0), what=_("合法面积"), where=bwhere),
            unlicensed_area=_decimal(raw.get("unlicensed_area", 0), what=_("无证面积"), where=bwhere),
            floors=int(_decimal(raw.get("floors", 1), what=_("层数"), where=bwhere)),
            build_year=None if raw.get("build_year") is None else int(
                _decimal(raw["build_year"], what=_("建成年份"), where=bwhere)),
            unit_price=None if raw.get("unit_price") is None else _decimal(
                raw["unit_price"], what=_("评估单价"), where=bwhere),
            decoration=None if raw.get("decoration") is None else _decimal(
                raw["decoration"], what=_("装修评估"), where=bwhere),
            legality=label("legality", raw.get("legality") or "合法"), use=label("use", raw.get("use") or "住宅"),
            structure=label("structure", raw.get("structure") or ""), certificate_no=str(cert),
            disposition=label("disposition", raw.get("disposition") or "拆除")))
    return Case(
        label=str(data.get("name") or where),
        persons=int(_decimal(data.get("persons", 1), what=_("家庭人数"), where=where)),
        land_type=label("land_type", data.get("land_type") or "集体土地"), use=label("use", data.get("use") or "住宅"),
        signed_on=_date(data.get("signed_on"), what=_("签约日期"), where=where),
        vacated_on=_date(data.get("vacated_on"), what=_("腾空交房日期"), where=where),
        signing_rate=None if data.get("signing_rate") is None else _decimal(
            data["signing_rate"], what=_("项目签约率"), where=where),
        late_months=_decimal(data.get("late_months", 0), what=_("逾期交付月数"), where=where),
        buildings=tuple(buildings))
