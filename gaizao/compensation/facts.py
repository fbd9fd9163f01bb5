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


@dataclass(frozen=True)
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
        return {
            "legal_area": self.legal_area, "unlicensed_area": self.unlicensed_area,
            "area": self.legal_area + self.unlicensed_area, "floors": Decimal(self.floors),
            "build_year": None if self.build_year is None else Decimal(self.build_year),
            "unit_price": self.unit_price, "decoration": self.decoration,
        }

    def categories(self) -> dict:
        return {"legality": self.legality, "use": self.use, "structure": self.structure,
                "certificate": HAS_CERTIFICATE if self.certificate_no else NO_CERTIFICATE,
                "disposition": self.disposition}


@dataclass(frozen=True)
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
        vacating_start = scheme.dates.get("vacating_start") or start
        return {
            "persons": Decimal(self.persons),
            "buildings": Decimal(len(self.buildings)),
            "certificates": Decimal(len({b.certificate_no for b in self.buildings if b.certificate_no})),
            "signing_day": _day(self.signed_on, start),
            "vacating_day": _day(self.vacated_on, vacating_start),
            "signing_rate": self.signing_rate,
            "late_months": self.late_months,
        }

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


def _day(on: dt.date | None, start: dt.date | None) -> Decimal | None:
    if on is None or start is None:
        return None
    return Decimal((on - start).days + 1)


# --- from the database -----------------------------------------------------------------------------------

def signing_rates(project_ids) -> dict[int, Decimal]:
    """Each project's signing rate in percent (signed households / households in scope), one query."""
    from gaizao.ledger.models import Household

    rows = (Household.objects.filter(project_id__in=list(project_ids)).exclude(stage=Stage.WITHDRAWN)
            .values("project_id").annotate(all=Count("pk"), signed=Count("pk", filter=Q(signed_on__isnull=False))))
    return {row["project_id"]: (Decimal(row["signed"]) * 100 / row["all"]).quantize(Decimal("0.01"))
            if row["all"] else Decimal(0) for row in rows}


def cases_for(household_ids, *, signed_on: dt.date | None = None, late_months: Decimal | None = None,
              rates: dict[int, Decimal] | None = None) -> dict[int, Case]:
    """The cases of households (by id) in four queries whatever their number: households, buildings,
    valuations in force, signing rates. ``signed_on`` stands for a household not yet signed (a
    calculation before signing assumes the day it will sign)."""
    from gaizao.compensation.models import Valuation
    from gaizao.ledger.models import Building, Household

    ids = list(household_ids)
    households = list(Household.objects.filter(pk__in=ids).values_list(
        "pk", "project__code", "number", "member_count", "land_type", "use", "signed_on", "vacated_on", "project_id"))
    prices: dict[int, tuple] = {}
    for building_id, price, decoration in Valuation.objects.filter(household_id__in=ids, in_force=True).values_list(
            "building_id", "unit_price", "decoration"):
        prices[building_id] = (price, decoration)
    buildings: dict[int, list[BuildingCase]] = {}
    for row in Building.objects.filter(household_id__in=ids).order_by("household_id", "number", "pk").values_list(
            "pk", "household_id", "number", "legal_area", "unlicensed_area", "floors", "build_year", "legality", "use",
            "structure", "certificate_no", "disposition"):
        pk, household_id, number, legal, unlicensed, floors, year, legality, use, structure, cert, disposition = row
        price, decoration = prices.get(pk, (None, None))
        buildings.setdefault(household_id, []).append(BuildingCase(
            number=number, legal_area=legal, unlicensed_area=unlicensed, floors=floors, build_year=year,
            unit_price=price, decoration=decoration, legality=label("legality", legality), use=label("use", use),
            structure=label("structure", structure), certificate_no=cert, disposition=label("disposition", disposition),
            id=pk))
    if rates is None:
        rates = signing_rates({row[8] for row in households})
    cases = {}
    for pk, code, number, persons, land_type, use, signed, vacated, project_id in households:
        cases[pk] = Case(
            label=f"{code}/{number}", persons=persons, land_type=label("land_type", land_type), use=label("use", use),
            signed_on=signed or signed_on, vacated_on=vacated, signing_rate=rates.get(project_id),
            late_months=late_months if late_months is not None else Decimal(0),
            buildings=tuple(buildings.get(pk, ())), household_id=pk)
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
