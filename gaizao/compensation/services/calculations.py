"""Calculating households' compensation (补偿测算) under the project's scheme in force, and storing it.

A calculation is stored with the facts it read and every line item (``Calculation.facts``/``items``):
what the household page opens, what the 公示 publishes and what an agreement freezes. The same
scheme, facts and option give the same digest; calculating again then changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils.translation import gettext as _

from gaizao.compensation import calculator, facts, language
from gaizao.compensation.choices import Option
from gaizao.compensation.models import Calculation, Scheme
from gaizao.compensation.policies.schemes import calculation_household_scope, calculation_project_scope
from gaizao.compensation.selectors.calculations import scheme_in_force
from gaizao.core.actors import is_system
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError
from gaizao.core.services import load_scoped
from gaizao.core.writes import writes
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household, Project

MAX_SHOWN = 10

_PARSED: dict[tuple[int, str], language.Scheme] = {}


def parsed(scheme: Scheme) -> language.Scheme:
    """A stored version's scheme, parsed once per process (a published text never changes)."""
    key = (scheme.pk, scheme.digest or sm3_hex(scheme.text.encode()))
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) > 32:
            _PARSED.clear()
        found = _PARSED[key] = language.parse(scheme.text)
    return found


def _write_scope(actor):
    return calculation_household_scope(actor, write=True)


def _option(value: str) -> str:
    if value not in Option.values:
        raise AppError(_("补偿方式「%(v)s」无效；可选：money（货币补偿）、swap（产权调换）、mixed（结合）") % {"v": value},
                       fields={"option": _("无效的补偿方式")})
    return value


def _in_force(project: Project) -> Scheme:
    scheme = scheme_in_force(project)
    if scheme is None:
        raise AppError(_("项目 %(p)s 尚未发布补偿方案，不能测算。") % {"p": project.name},
                       fields={"scheme": _("尚未发布补偿方案")})
    return scheme


def assumed_signing(project: Project, definition: language.Scheme, signed_on: dt.date | None) -> dt.date | None:
    """The day a household not signed yet is calculated as signing on: the day asked for, else the first
    day of the project's signing period, else the scheme's ``signing_start`` (what it can get at most)."""
    return signed_on or project.signing_start or definition.dates.get("signing_start")


def digest_of(scheme: Scheme, option: str, case: facts.Case) -> str:
    payload = json.dumps({"scheme": scheme.pk, "text": sm3_hex(scheme.text.encode()), "option": option,
                          "facts": case.as_json()}, sort_keys=True, ensure_ascii=False)
    return sm3_hex(payload.encode())


def _row(*, actor, household_id: int, scheme: Scheme, option: str, case: facts.Case,
         result: calculator.Result | dict) -> Calculation:
    data = result if isinstance(result, dict) else result.as_json()
    return Calculation(household_id=household_id, scheme=scheme, option=option, facts=case.as_json(),
                       items=data["items"], total=Decimal(data["total"]),
                       swap_area=None if data["swap_area"] is None else Decimal(data["swap_area"]),
                       digest=digest_of(scheme, option, case), current=True,
                       created_by=None if is_system(actor) else actor)


@writes
def household_calculate(*, actor, household: Household | int, option: str, signed_on: dt.date | None = None,
                        late_months: Decimal | None = None, ip: str | None = None) -> Calculation:
    """Calculate one household under its project's scheme in force (补偿测算) and keep it as the current
    calculation for that option; the same inputs as the current one change nothing."""
    option = _option(option)
    household = load_scoped(actor, Household.objects.select_related("project"), household, _write_scope,
                            missing=_("住户不存在或无权测算。"))
    scheme = _in_force(household.project)
    definition = parsed(scheme)
    case = facts.case_for(household, signed_on=assumed_signing(household.project, definition, signed_on),
                          late_months=late_months)
    result = calculator.calculate(definition, case, option=option)
    current = Calculation.objects.filter(household=household, option=option, current=True).first()
    row = _row(actor=actor, household_id=household.pk, scheme=scheme, option=option, case=case, result=result)
    if current is not None and current.digest == row.digest:
        return current
    Calculation.objects.filter(household=household, option=option, current=True).update(current=False)
    row.save()
    changes = {"option": option, "scheme": str(scheme), "total": str(row.total)}
    if current is not None:
        changes["total"] = [str(current.total), str(row.total)]
    writes.audit(action="compensation.calculate", obj=household, changes=changes)
    return row


def _chosen_options(project: Project, ids: list[int]) -> dict[int, str]:
    """Each household's option: its latest calculation's, else what its resettlement mode says, else money."""
    chosen = dict(Calculation.objects.filter(household_id__in=ids, current=True).order_by("household_id", "created_at")
                  .values_list("household_id", "option"))
    modes = dict(Household.objects.filter(pk__in=ids).values_list("pk", "resettlement_mode"))
    out = {}
    for pk in ids:
        out[pk] = chosen.get(pk) or ("swap" if modes.get(pk) in ("swap", "return") else "money")
    return out


@writes
def project_calculate(*, actor, project: Project | int, option: str | None = None, skip_incomplete: bool = False,
                      signed_on: dt.date | None = None, ip: str | None = None) -> dict:
    """Calculate every household of a project in scope (each with its own option, or ``option`` for all).
    A household missing a fact refuses the whole run with the households named, unless
    ``skip_incomplete``: then the rest are calculated and the skipped ones listed. A household not signed
    yet is taken as signing on ``signed_on``, by default the first day of the project's signing period."""
    project = load_scoped(actor, Project.objects.all(), project,
                          lambda a: calculation_project_scope(a, write=True),
                          missing=_("项目不存在或无权测算。"))
    if option is not None:
        _option(option)
    scheme = _in_force(project)
    definition = parsed(scheme)
    ids = list(_write_scope(actor).filter(project=project).exclude(stage=Stage.WITHDRAWN).values_list("pk", flat=True)
               if not is_system(actor) else
               Household.objects.filter(project=project).exclude(stage=Stage.WITHDRAWN).values_list("pk", flat=True))
    options = {pk: option for pk in ids} if option else _chosen_options(project, ids)
    # A household not signed yet as if it signed on the first day (assumed_signing); a signed one by its date.
    cases = facts.cases_for_project(project, signed_on=assumed_signing(project, definition, signed_on))
    current = dict(Calculation.objects.filter(household_id__in=ids, current=True).values_list("household_id", "digest"))
    rows, problems, unchanged = [], [], 0
    chosen = [options[pk] if options[pk] in definition.options else definition.options[0] for pk in ids]
    results = calculator.calculate_many(definition, [cases[pk] for pk in ids], chosen, as_json=True)
    for pk, option, result in zip(ids, chosen, results, strict=True):
        if isinstance(result, AppError):
            problems.append(result.message)
            continue
        row = _row(actor=actor, household_id=pk, scheme=scheme, option=option, case=cases[pk], result=result)
        if current.get(pk) == row.digest:
            unchanged += 1
            continue
        rows.append(row)
    if problems and not skip_incomplete:
        shown = "；".join(problems[:MAX_SHOWN])
        more = _("……共 %(n)d 户") % {"n": len(problems)} if len(problems) > MAX_SHOWN else ""
        raise AppError(_("%(n)d 户无法测算，没有写入：%(s)s%(more)s") % {"n": len(problems), "s": shown, "more": more},
                       fields={"households": shown})
    changed_ids = [row.household_id for row in rows]
    for start in range(0, len(changed_ids), 500):
        part = changed_ids[start:start + 500]
        Calculation.objects.filter(household_id__in=part, current=True).update(current=False)
    Calculation.objects.bulk_create(rows, batch_size=500)
    outcome = {"calculated": len(rows), "unchanged": unchanged, "skipped": len(problems), "problems": problems}
    writes.audit(action="compensation.calculate_project", obj=project, changes={
        "calculated": len(rows), "unchanged": unchanged, "skipped": len(problems), "scheme": str(scheme)})
    return outcome


def check_cases(*, text: str, cases: list) -> list[dict]:
    """A scheme text run over hand-written cases (``gaizao compensation calc``, the editor's check): each
    case's result, or its error; an ``expect`` in a case ({"total": …, "items": {key: amount}}) is
    compared and every difference listed. Raises SchemeError when the text itself is wrong."""
    definition = language.parse(text)
    if not isinstance(cases, list) or not cases:
        raise AppError(_("案例文件须为非空的列表 [ {…}, … ]"), fields={"input": _("须为非空列表")})
    out = []
    for index, raw in enumerate(cases, start=1):
        entry: dict = {"case": index, "name": raw.get("name", "") if isinstance(raw, dict) else ""}
        try:
            case = facts.case_from_json(raw, index=index)
            option = raw.get("option") or definition.options[0]
            result = calculator.calculate(definition, case, option=option)
        except AppError as exc:
            entry["error"] = exc.message
            out.append(entry)
            continue
        entry.update(result.as_json())
        expect = raw.get("expect") or {}
        differences = []
        if "total" in expect and Decimal(str(expect["total"])) != result.total:
            differences.append(_("合计应为 %(e)s，算得 %(g)s") % {"e": expect["total"], "g": result.total})
        for key, amount in (expect.get("items") or {}).items():
            line = next((line for line in result.items if line.key == key), None)
            if line is None:
                differences.append(_("方案中没有项目“%(k)s”") % {"k": key})
            elif Decimal(str(amount)) != line.amount:
                differences.append(_("“%(l)s”应为 %(e)s，算得 %(g)s") % {"l": line.label, "e": amount, "g": line.amount})
        if expect:
            entry["expected"] = not differences
            entry["differences"] = differences
        out.append(entry)
    return out
