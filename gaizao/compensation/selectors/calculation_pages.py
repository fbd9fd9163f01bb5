"""What the calculation pages read (补偿测算): a page of a project's households with their current calculations,
and one household's calculations with every line item as stored (formula, inputs, rows per building)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db.models import Count
from django.utils.translation import gettext as _

from gaizao.compensation.choices import Option
from gaizao.compensation.models import Calculation
from gaizao.compensation.policies.schemes import calculation_household_scope
from gaizao.compensation.selectors.calculations import scheme_in_force
from gaizao.core.pages import KeysetPage, after_id, keyset_page
from gaizao.ledger.models import Household, Project

OPTION_LABELS = dict(Option.choices)


def project_calculation_page(user, project: Project, *, after: int | None, limit: int) -> KeysetPage:
    """A page of the project's households the user reads, each with its current calculations (one per option):
    two queries whatever the page's size."""
    households = list(after_id(calculation_household_scope(user).filter(project=project), after)
                      .values("pk", "number", "head_name", "stage")[:limit + 1])
    page = keyset_page(households, limit=limit, key=lambda row: row["pk"])
    ids = [row["pk"] for row in page.items]
    by_household: dict[int, list[dict]] = {}
    for calc in (Calculation.objects.filter(household_id__in=ids, current=True)
                 .values("pk", "household_id", "option", "total", "swap_area", "created_at", "scheme__number")
                 .order_by("household_id", "option")):
        calc["option_label"] = OPTION_LABELS.get(calc["option"], calc["option"])
        by_household.setdefault(calc["household_id"], []).append(calc)
    for row in page.items:
        row["calculations"] = by_household.get(row["pk"], [])
    return page


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _definition(scheme):
    """The scheme a calculation was made under, parsed (None if its text no longer parses: the lines still show)."""
    from gaizao.compensation import language

    try:
        return language.parse(scheme.text)
    except language.SchemeError:
        return None


def describe_input(name: str, definition) -> dict:
    """What an input of a line is: a fact of the household or a building, a parameter of the scheme, a table's
    lookup or a named value with its own formula (so that an amount opens to its chain of formulas)."""
    from gaizao.compensation import language

    if name in language.ALL_FACTS:
        per = name in language.BUILDING_NUMBERS
        return {"kind": "fact", "label": language.ALL_FACTS[name], "per_building": per}
    if definition is None:
        return {"kind": "", "label": "", "per_building": False}
    if name in definition.params or name in definition.dates:
        return {"kind": "param", "label": _("方案参数"), "per_building": False}
    entry = definition.entry(name)
    if entry is None:
        return {"kind": "", "label": "", "per_building": False}
    if name in definition.tables:
        by = _("按 %(by)s 分档") % {"by": entry.by} if entry.by else _("按 %(k)s 查表") % {"k": "、".join(entry.keys)}
        return {"kind": "table", "label": entry.label or name, "formula": by, "per_building": entry.per_building}
    return {"kind": "value", "label": entry.label or name, "formula": entry.describe(),
            "per_building": entry.per_building}


def lines(calculation: Calculation, definition=None) -> list[dict]:
    """The stored line items, each with its amount as a number and its inputs (name, value and what the name is:
    a fact, a parameter, a table or a named value with its formula)."""
    out = []
    for item in calculation.items or []:
        row = dict(item)
        row["amount_value"] = _amount(item.get("amount"))
        row["input_pairs"] = sorted((item.get("inputs") or {}).items())
        row["input_rows"] = [{"name": name, "value": value, **describe_input(name, definition)}
                             for name, value in row["input_pairs"]]
        row["building_rows"] = item.get("buildings") or []
        row["building_keys"] = list(row["building_rows"][0].keys()) if row["building_rows"] else []
        out.append(row)
    return out


def household_calculations(household: Household) -> dict:
    """The household's current calculations (one per option, the latest first), each with its lines
    (``line_rows``), how many earlier ones are kept, and the scheme in force."""
    current = list(Calculation.objects.filter(household=household, current=True).select_related("scheme", "created_by")
                   .order_by("-created_at", "-pk"))
    definitions: dict[int, object] = {}
    for calc in current:
        if calc.scheme_id not in definitions:
            definitions[calc.scheme_id] = _definition(calc.scheme)
        calc.line_rows = lines(calc, definitions[calc.scheme_id])
    counts = Calculation.objects.filter(household=household).aggregate(n=Count("pk"))
    return {
        "current": current[0] if current else None, "calculations": current,
        "earlier": max(0, counts["n"] - len(current)),
        "scheme": scheme_in_force(household.project_id),  # the id: no query for the project
    }


def household_panel(household: Household) -> dict:
    """What the household page's panel shows: the latest current calculation with its lines, and the scheme in
    force (two queries)."""
    latest = (Calculation.objects.filter(household=household, current=True).select_related("scheme")
              .order_by("-created_at", "-pk").first())
    if latest is not None:
        latest.line_rows = lines(latest, _definition(latest.scheme))
    return {"current": latest, "scheme": scheme_in_force(household.project_id)}  # the id: no query for the project


def last_option(household: Household) -> str:
    """The option the household was last calculated for; money otherwise."""
    found = (Calculation.objects.filter(household=household).order_by("-created_at", "-pk")
             .values_list("option", flat=True).first())
    return found or Option.MONEY
