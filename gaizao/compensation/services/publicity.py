"""Publicity (公示) of a project's survey and legality results and of its per-household compensation list, and
the residents' objections (异议) to it.

``publicity_publish`` freezes a round: the rows are read once, masked (张*三; never an ID number or a phone),
and kept as JSON in ``Publicity.rows``; publishing again makes the next round (第 N+1 轮). A round is
published for a period (公示期: ``starts_on``..``ends_on``, by default ``GAIZAO_PUBLICITY_DAYS`` = 7 days,
60 at most). The compensation list reads each household's current calculation (补偿测算), all made under the
scheme in force: a household without one, or with one made under an older version, stops the publication
with the households named. ``publicity_republish`` is what an approved change after publication calls (四眼
原则, the change requests): the next round of the compensation list, the changed households marked.

Objections are recorded during the period (``received_on`` within it), answered (答复) and the answer then
published (答复已公布), which puts it on the public board beside the list.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.compensation.choices import ObjectionStatus, Option, PublicityKind
from gaizao.compensation.models import Objection, Publicity, Scheme
from gaizao.compensation.policies.publicity import objection_can_write, publicity_can_publish
from gaizao.compensation.selectors.calculations import scheme_in_force
from gaizao.compensation.selectors.publicity import current_calculations
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.masking import mask_name
from gaizao.core.services import check_text_values, conditional_update, full_clean, parse_date, stale
from gaizao.core.writes import writes
from gaizao.ledger.choices import Legality, Stage
from gaizao.ledger.models import Building, Household, Project

DEFAULT_DAYS = 7
MAX_DAYS = 60
NAMED = 5  # how many 户号 a refusal names before "等"
MARKED = 20  # how many changed 户号 a republished round's note names before "等 N 户"
CONTENT_MAX = 2000
ANSWER_MAX = 4000
NOT_FOUND = gettext_lazy("项目不存在或无权发布公示。")
OBJECTION_NOT_FOUND = gettext_lazy("异议不存在或无权操作。")
PUBLICITY_NOT_FOUND = gettext_lazy("公示不存在或无权操作。")

ACTION_LABELS = {  # registered by registrations.publicity
    "compensation.publicity_publish": gettext_lazy("发布公示"),
    "compensation.publicity_republish": gettext_lazy("变更后重新公示"),
    "compensation.objection_record": gettext_lazy("登记公示异议"),
    "compensation.objection_answer": gettext_lazy("答复公示异议"),
    "compensation.objection_publish": gettext_lazy("公布异议答复"),
}


def default_days() -> int:
    """The publicity period in days when none is given (``GAIZAO_PUBLICITY_DAYS``, else 7)."""
    return int(getattr(settings, "GAIZAO_PUBLICITY_DAYS", DEFAULT_DAYS))


def _lock(qs):
    return qs.select_for_update(of=("self",)) if connection.features.has_select_for_update else qs


def _named(numbers: list[str]) -> str:
    shown = "、".join(numbers[:NAMED])
    return shown + (_("等") if len(numbers) > NAMED else "")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


# ------------------------------------------------------------------------------------------ the period

def _period(actor, starts_on, ends_on, days) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = today if starts_on in (None, "") else parse_date(starts_on, field="starts_on", label=_("公示开始日期"))
    if ends_on in (None, ""):
        if days in (None, ""):
            count = default_days()
        else:
            try:
                count = int(str(days).strip())
            except ValueError:
                raise AppError(_("公示天数「%(d)s」不是整数。") % {"d": days}, fields={"days": _("须为整数")}) from None
            if not 1 <= count <= MAX_DAYS:
                raise AppError(_("公示天数须在 1 到 %(m)d 天之间（填的是 %(d)d 天）。") % {"m": MAX_DAYS, "d": count},
                               fields={"days": _("超出范围")})
        try:
            end = start + dt.timedelta(days=count - 1)
        except OverflowError:
            raise AppError(_("公示开始日期 %(s)s 过远。") % {"s": start}, fields={"starts_on": _("过远")}) from None
    else:
        end = parse_date(ends_on, field="ends_on", label=_("公示结束日期"))
    if end < start:
        raise AppError(_("公示结束日期 %(e)s 早于开始日期 %(s)s。") % {"e": end, "s": start},
                       fields={"ends_on": _("早于开始日期")})
    length = (end - start).days + 1
    if length > MAX_DAYS:
        raise AppError(_("公示期 %(s)s 至 %(e)s 共 %(n)d 天，超过 %(m)d 天的上限。")
                       % {"s": start, "e": end, "n": length, "m": MAX_DAYS}, fields={"ends_on": _("公示期过长")})
    if end < today and not is_system(actor):
        raise AppError(_("公示期 %(s)s 至 %(e)s 已经结束，不能再发布；请填写今天（%(t)s）以后结束的公示期。")
                       % {"s": start, "e": end, "t": today}, fields={"ends_on": _("已过")})
    return start, end


# ------------------------------------------------------------------------------------------ the rows

def _households(project: Project, household_ids) -> list[Household]:
    """The households in scope: those asked for (each must belong to the project), else all of the project's."""
    qs = Household.objects.filter(project=project).only("pk", "number", "head_name", "project_id")
    if household_ids is None:  # a household that withdrew (已撤出) is neither surveyed nor compensated
        return list(qs.exclude(stage=Stage.WITHDRAWN).order_by("number", "pk"))
    wanted = []
    for value in household_ids:
        pk = getattr(value, "pk", value)
        try:
            wanted.append(int(pk))
        except (TypeError, ValueError):
            raise AppError(_("住户 id「%(v)s」不是整数。") % {"v": value}, fields={"household_ids": _("须为整数")}) from None
    found = list(qs.filter(pk__in=wanted).order_by("number", "pk"))
    missing = sorted(set(wanted) - {h.pk for h in found})
    if missing:
        raise AppError(_("%(n)d 户不属于项目「%(p)s」或不存在（住户 id：%(ids)s）。")
                       % {"n": len(missing), "p": project.name, "ids": _named([str(m) for m in missing])},
                       fields={"household_ids": _("不属于本项目")})
    return found


def _area(value) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01'))}"


def survey_rows(households: list[Household], *, changed=()) -> list[dict]:
    """The survey and legality results (调查认定结果): per household its masked head, 户号 and each building's
    number, structure, use, legal and unlicensed area and legality. Two queries."""
    by_household: dict[int, list[dict]] = {h.pk: [] for h in households}
    buildings = (Building.objects.filter(household_id__in=list(by_household))
                 .only("household_id", "number", "structure", "use", "legal_area", "unlicensed_area", "legality")
                 .order_by("household_id", "number", "pk"))
    legality = dict(Legality.choices)
    for b in buildings:
        by_household[b.household_id].append({
            "number": b.number, "structure": str(b.get_structure_display()), "use": str(b.get_use_display()),
            "legal_area": _area(b.legal_area), "unlicensed_area": _area(b.unlicensed_area),
            "legality": str(legality.get(b.legality, b.legality)),
        })
    rows = []
    changed = set(changed)
    for h in households:
        items = by_household[h.pk]
        rows.append({
            "household_id": h.pk, "number": h.number, "name": mask_name(h.head_name), "buildings": items,
            "legal_area": _area(sum((Decimal(b["legal_area"]) for b in items), Decimal("0"))),
            "unlicensed_area": _area(sum((Decimal(b["unlicensed_area"]) for b in items), Decimal("0"))),
        })
        if h.pk in changed:
            rows[-1]["changed"] = True
    return rows


def compensation_rows(project: Project, households: list[Household], *, changed=()) -> tuple[list[dict], Scheme]:
    """The per-household compensation list (分户补偿情况): masked head, 户号, option, legal area, each money line
    item (key, label, amount), the total and the swap area, from each household's current calculation.

    Refused, with the households named, when one has no current calculation or one made under another scheme
    version than the one in force. A fixed number of queries."""
    scheme = scheme_in_force(project)
    if scheme is None:
        raise AppError(_("项目「%(p)s」尚无已发布的补偿方案，不能公示分户补偿情况。") % {"p": project.name},
                       fields={"scheme": _("尚无补偿方案")})
    calcs = current_calculations(project, [h.pk for h in households])
    missing = [h.number for h in households if h.pk not in calcs]
    if missing:
        raise AppError(_("%(n)d 户尚无补偿测算，不能公示分户补偿情况：%(list)s。请先完成测算。")
                       % {"n": len(missing), "list": _named(missing)}, fields={"household_ids": _("尚无补偿测算")})
    old = [h.number for h in households if calcs[h.pk].scheme_id != scheme.pk]
    if old:
        raise AppError(_("%(n)d 户的测算不是按现行补偿方案（%(s)s）计算的：%(list)s。请按现行方案重新测算后再公示。")
                       % {"n": len(old), "s": scheme, "list": _named(old)},
                       fields={"household_ids": _("测算不是按现行方案")})
    legal = dict(Building.objects.filter(household_id__in=[h.pk for h in households]).values("household_id")
                 .annotate(area=Sum("legal_area")).values_list("household_id", "area"))
    options = dict(Option.choices)
    changed = set(changed)
    rows = []
    for h in households:
        calc = calcs[h.pk]
        items = [{"key": str(item["key"]), "label": str(item.get("label") or item["key"]),
                  "amount": _area(item.get("amount"))} for item in _calculation_items(calc) if _is_money(item)]
        row = {
            "household_id": h.pk, "number": h.number, "name": mask_name(h.head_name), "option": calc.option,
            "option_label": str(options.get(calc.option, calc.option)), "legal_area": _area(legal.get(h.pk)),
            "items": items, "total": _area(calc.total),
            "swap_area": None if calc.swap_area is None else _area(calc.swap_area), "calculation_id": calc.pk,
        }
        if h.pk in changed:
            row["changed"] = True
        rows.append(row)
    return rows, scheme


def _calculation_items(calc) -> list:
    """A calculation's line items (``Calculation.items``: the lines as JSON, or the whole ``as_json()``)."""
    items = calc.items.get("items", []) if isinstance(calc.items, dict) else calc.items
    return items if isinstance(items, list) else []


def _is_money(item: dict) -> bool:
    """A money line item that applies (area and info items, and those that do not apply, are not columns)."""
    return (isinstance(item, dict) and "key" in item and item.get("kind", "money") == "money"
            and item.get("applies", True) is not False)


# ------------------------------------------------------------------------------------------ publish

def _project(actor, project) -> Project:
    pk = getattr(project, "pk", project)
    found = Project.objects.select_related("village").filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None or (not is_system(actor) and not publicity_can_publish(actor, found)):
        raise NotFound(str(NOT_FOUND))
    return found


def _kind(value) -> str:
    kind = _text(value)
    if kind not in PublicityKind.values:
        raise AppError(_("公示类别「%(k)s」不是可选的值（调查认定结果公示、分户补偿情况公示）。") % {"k": kind},
                       fields={"kind": _("不是可选的值")})
    return kind


def _next_round(project: Project, kind: str) -> int:
    last = Publicity.objects.filter(project=project, kind=kind).aggregate(m=Max("round"))["m"] or 0
    return last + 1


def _make(actor, project: Project, kind: str, households: list[Household], start, end, title: str, note: str,
          changed=()) -> Publicity:
    if not households:
        raise AppError(_("项目「%(p)s」没有可公示的住户，公示名单为空。") % {"p": project.name},
                       fields={"household_ids": _("名单为空")})
    scheme = None
    if kind == PublicityKind.SURVEY:
        rows = survey_rows(households, changed=changed)
    else:
        rows, scheme = compensation_rows(project, households, changed=changed)
    number = _next_round(project, kind)
    if not title:
        title = _("%(p)s%(k)s（第%(n)d轮）") % {"p": project.name, "k": PublicityKind(kind).label, "n": number}
    publicity = Publicity(project=project, kind=kind, round=number, title=title, starts_on=start, ends_on=end,
                          scheme=scheme, rows=rows, note=note, published_by=None if is_system(actor) else actor)
    full_clean(publicity, exclude=["project", "scheme", "published_by", "rows"])
    publicity.save(force_insert=True)
    return publicity


def _by_numbers(project: Project, value) -> list[int] | None:
    """The households named by their 户号 (a list, or text with one a line or separated by 、，, spaces); None for
    none given. An unknown 户号 refuses, naming it."""
    if value in (None, ""):
        return None
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[\s、,，;；]+", str(value))
    numbers = list(dict.fromkeys(str(n).strip() for n in parts if str(n).strip()))
    if not numbers:
        return None
    found = dict(Household.objects.filter(project=project, number__in=numbers).values_list("number", "pk"))
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise AppError(_("%(n)d 个户号不是项目「%(p)s」的住户：%(list)s。") % {
            "n": len(unknown), "p": project.name, "list": _named(unknown)}, fields={"household_numbers": _("户号有误")})
    return [found[n] for n in numbers]


@writes
def publicity_publish(*, actor, project: Project | int, kind: str, starts_on=None, ends_on=None, days=None,
                      household_ids=None, household_numbers=None, title: str = "", note: str = "",
                      ip: str | None = None) -> Publicity:
    """Publish a round of a project's publicity (发布公示): the survey and legality results (调查认定结果公示) or
    the per-household compensation list (分户补偿情况公示), frozen and masked, for its period (by default
    from today for ``default_days()`` days). ``household_ids``: the households in scope (default all the
    project's but those that withdrew; or ``household_numbers``, their 户号). The next round of the kind when one
    was published before."""
    project = _project(actor, project)
    kind = _kind(kind)
    start, end = _period(actor, starts_on, ends_on, days)
    named = _by_numbers(project, household_numbers)
    if named is not None:
        household_ids = [*(household_ids or []), *named]
    households = _households(project, household_ids)
    publicity = _make(actor, project, kind, households, start, end, _text(title), _text(note))
    writes.audit(action="compensation.publicity_publish", obj=publicity,
                 changes={"after": {"project": project.name, "kind": kind, "round": publicity.round,
                                    "starts_on": str(start), "ends_on": str(end), "households": len(households)}})
    return publicity


@writes
def publicity_republish(*, actor, project: Project | int, household_ids, note: str = "",
                        ip: str | None = None) -> Publicity:
    """A publicity published again after an approved change (变更后重新公示): the next round of the compensation
    list (of the survey results when only those were published so far), from today for ``default_days()`` days,
    over the households of its last round and those changed — but the households that withdrew (已撤出) — each
    changed household marked and named in the round's note. What the change requests call once a change is
    approved; a refusal (a household without a current calculation …) refuses the approval with it."""
    project = _project(actor, project)
    changed_ids = []
    for value in household_ids or ():
        try:
            changed_ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise AppError(_("住户 id「%(v)s」不是整数。") % {"v": value}, fields={"household_ids": _("须为整数")}) from None
    if not changed_ids:
        raise AppError(_("请指明变更的住户。"), fields={"household_ids": _("必填")})
    rounds = Publicity.objects.filter(project=project).order_by("-round", "-pk")
    last = rounds.filter(kind=PublicityKind.COMPENSATION).only("rows", "kind").first() or \
        rounds.filter(kind=PublicityKind.SURVEY).only("rows", "kind").first()
    kind = last.kind if last is not None else PublicityKind.COMPENSATION
    before = {row.get("household_id") for row in (last.rows if last else []) if isinstance(row, dict)}
    wanted = list(Household.objects.filter(project=project, pk__in=set(changed_ids) | (before - {None}))
                  .exclude(stage=Stage.WITHDRAWN).values_list("pk", flat=True))
    households = _households(project, wanted)
    start, end = _period(actor, None, None, None)
    changed = set(changed_ids)
    numbers = [h.number for h in households if h.pk in changed]
    text = _text(note)
    listed = "、".join(numbers[:MARKED]) + (_("等 %(n)d 户") % {"n": len(numbers)} if len(numbers) > MARKED else "")
    marked = _("本轮变更的住户：%(list)s。") % {"list": listed}
    publicity = _make(actor, project, kind, households, start, end, "", f"{text}\n{marked}" if text else marked,
                      changed=changed)
    writes.audit(action="compensation.publicity_republish", obj=publicity,
                 changes={"after": {"project": project.name, "kind": kind, "round": publicity.round,
                                    "starts_on": str(start), "ends_on": str(end), "households": len(households),
                                    "changed": numbers}})
    return publicity


# ------------------------------------------------------------------------------------------ objections

def _publicity(actor, publicity) -> Publicity:
    pk = getattr(publicity, "pk", publicity)
    found = (Publicity.objects.select_related("project", "project__village").filter(pk=pk).first()
             if str(pk).isdigit() else None)
    if found is None or (not is_system(actor) and not objection_can_write(actor, found)):
        raise NotFound(str(PUBLICITY_NOT_FOUND))
    return found


def _objection(actor, objection) -> Objection:
    pk = getattr(objection, "pk", objection)
    qs = Objection.objects.select_related("publicity", "publicity__project", "publicity__project__village")
    found = _lock(qs).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None or (not is_system(actor) and not objection_can_write(actor, found.publicity)):
        raise NotFound(str(OBJECTION_NOT_FOUND))
    return found


def _version(objection: Objection, version) -> int:
    if version is None or isinstance(version, bool) or not str(version).strip().isdigit():
        raise AppError(_("缺少版本号 version：请先读取该异议，再带着读取到的版本号提交。"), fields={"version": _("必填")})
    if int(version) != objection.version:
        raise stale(objection, version=int(version))
    return int(version)


def _household_of(publicity: Publicity, household, household_number) -> Household | None:
    number = _text(household_number)
    if household in (None, "") and not number:
        return None
    qs = Household.objects.filter(project_id=publicity.project_id)
    if household not in (None, ""):
        pk = getattr(household, "pk", household)
        found = qs.filter(pk=pk).first() if str(pk).isdigit() else None
        what = str(pk)
    else:
        found = qs.filter(number=number).first()
        what = number
    if found is None:
        raise AppError(_("户号「%(n)s」不是项目「%(p)s」的住户。") % {"n": what, "p": publicity.project.name},
                       fields={"household_number": _("不是本项目的住户")})
    return found


@writes
def objection_record(*, actor, publicity: Publicity | int, submitter: str, content: str, received_on=None,
                     household=None, household_number: str = "", ip: str | None = None) -> Objection:
    """Record a resident's objection to a publicity (登记公示异议), received during its period; ``household``
    (or its 户号) when the objection is about one household of the project."""
    publicity = _publicity(actor, publicity)
    today = timezone.localdate()
    received = today if received_on in (None, "") else parse_date(received_on, field="received_on",
                                                                    label=_("收到日期"))
    if received > today:
        raise AppError(_("收到日期 %(d)s 晚于今天（%(t)s）。") % {"d": received, "t": today},
                       fields={"received_on": _("晚于今天")})
    if not publicity.starts_on <= received <= publicity.ends_on:
        raise AppError(_("收到日期 %(d)s 不在公示期（%(s)s 至 %(e)s）内，不能登记为对本轮公示的异议。")
                       % {"d": received, "s": publicity.starts_on, "e": publicity.ends_on},
                       fields={"received_on": _("不在公示期内")})
    who, text = _text(submitter), _text(content)
    if not who:
        raise AppError(_("请填写提出人。"), fields={"submitter": _("必填")})
    if not text:
        raise AppError(_("请填写异议内容。"), fields={"content": _("必填")})
    if len(text) > CONTENT_MAX:
        raise AppError(_("异议内容最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": CONTENT_MAX, "m": len(text)},
                       fields={"content": _("过长")})
    found = _household_of(publicity, household, household_number)
    objection = Objection(publicity=publicity, household=found, submitter=who, content=text, received_on=received,
                          created_by=None if is_system(actor) else actor)
    full_clean(objection, exclude=["publicity", "household", "answered_by", "created_by"])
    objection.save(force_insert=True)
    writes.audit(action="compensation.objection_record", obj=objection,
                 changes={"after": {"publicity": publicity.title, "submitter": mask_name(who),
                                    "household": found.number if found else "", "received_on": str(received)}})
    return objection


@writes
def objection_answer(*, actor, objection: Objection | int, version, answer: str, answered_on=None,
                     ip: str | None = None) -> Objection:
    """Answer an objection (答复异议): the answer and its date; an answer not yet published may be written again."""
    objection = _objection(actor, objection)
    version = _version(objection, version)
    if objection.status == ObjectionStatus.PUBLISHED:
        raise AppError(_("该异议的答复已公布，不能再修改。"), fields={"answer": _("答复已公布")}, status=409)
    text = _text(answer)
    if not text:
        raise AppError(_("请填写答复内容。"), fields={"answer": _("必填")})
    if len(text) > ANSWER_MAX:
        raise AppError(_("答复最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": ANSWER_MAX, "m": len(text)},
                       fields={"answer": _("过长")})
    today = timezone.localdate()
    day = today if answered_on in (None, "") else parse_date(answered_on, field="answered_on", label=_("答复日期"))
    if day > today:
        raise AppError(_("答复日期 %(d)s 晚于今天（%(t)s）。") % {"d": day, "t": today},
                       fields={"answered_on": _("晚于今天")})
    if day < objection.received_on:
        raise AppError(_("答复日期 %(d)s 早于收到异议的日期 %(r)s。") % {"d": day, "r": objection.received_on},
                       fields={"answered_on": _("早于收到日期")})
    check_text_values(Objection, {"answer": text})
    before = {"status": objection.status, "answer": objection.answer,
              "answered_on": str(objection.answered_on or "")}
    values = {"status": ObjectionStatus.ANSWERED, "answer": text, "answered_on": day,
              "answered_by_id": None if is_system(actor) else actor.pk}
    objection.version = conditional_update(Objection, pk=objection.pk, version=version, values=values,
                                           what=objection)
    objection.status, objection.answer, objection.answered_on = ObjectionStatus.ANSWERED, text, day
    objection.answered_by_id = values["answered_by_id"]
    writes.audit(action="compensation.objection_answer", obj=objection,
                 changes={"status": [before["status"], ObjectionStatus.ANSWERED], "answer": [before["answer"], text],
                          "answered_on": [before["answered_on"], str(day)]})
    return objection


@writes
def objection_publish(*, actor, objection: Objection | int, version, ip: str | None = None) -> Objection:
    """Publish an objection's answer (公布答复): it shows on the public board beside the list, the submitter
    masked. Only an answered objection; once."""
    objection = _objection(actor, objection)
    version = _version(objection, version)
    if objection.status == ObjectionStatus.OPEN:
        raise AppError(_("该异议尚未答复，答复后才能公布。"), fields={"answer": _("尚未答复")})
    if objection.status == ObjectionStatus.PUBLISHED:
        raise AppError(_("该异议的答复已经公布。"), fields={"status": _("已公布")}, status=409)
    now = timezone.now()
    objection.version = conditional_update(Objection, pk=objection.pk, version=version,
                                           values={"status": ObjectionStatus.PUBLISHED, "answer_published_at": now},
                                           what=objection)
    objection.status, objection.answer_published_at = ObjectionStatus.PUBLISHED, now
    writes.audit(action="compensation.objection_publish", obj=objection,
                 changes={"status": [ObjectionStatus.ANSWERED, ObjectionStatus.PUBLISHED]})
    return objection
