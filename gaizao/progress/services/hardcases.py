"""Hard cases (攻坚户: 包户, 一户一策) and their visits (走访记录).

A household that has not left the path — unsigned, signed but not vacated (the difficulty is
vacating), or under a compensation decision (补偿决定) — is worked one by one: it gets a difficulty
reason, a strategy of its own, an assigned cadre (the household's ``cadre``) and a log of visits.
Each write checks who may write, runs in one transaction and is audited. The case closes by itself
when the household leaves the path: it vacates (腾空交房; 拆除 and 安置 come after it) or withdraws
from the scope (``stages.CLOSES_HARD_CASE``, ``events._close_hard_cases``); signing and a decision
do not close it. Staff may close it by hand (销号) with a note.

Who may write: the case itself (open, edit, close) — admin, commander and the staff of the
household's street (``household_can_write``); a visit — those, and the household's cadre.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import as_user, is_system
from gaizao.core import audit
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import check_text_values, conditional_update, full_clean, stale
from gaizao.core.writes import writes
from gaizao.ledger import services as ledger_services
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household
from gaizao.ledger.selectors import cadre_options, household_can_write
from gaizao.progress.policies import hardcase_can_visit as can_visit  # noqa: F401 (services read it here)
from gaizao.progress.policies import hardcase_assignable
from gaizao.progress.policies import hardcase_can_write as can_write
from gaizao.org.models import User
from gaizao.progress.choices import DifficultyReason
from gaizao.progress.models import HardCase, Visit
from gaizao.progress.services.events import parse_day
from gaizao.progress.services.photos import prepare_photos, save_photos, written_files

NOT_FOUND = "攻坚户不存在或无权操作。"
HOUSEHOLD_NOT_FOUND = "住户不存在或无权操作。"
# Stages of a household that has left the path (moved out or withdrawn): it is no longer a hard case.
LEFT_PATH_STAGES = (Stage.VACATED, Stage.DEMOLISHED, Stage.RESETTLED, Stage.WITHDRAWN)
UPDATE_FIELDS = {"reason", "reason_detail", "strategy", "cadre"}
VISITORS_MAX = 200
CLOSE_NOTE_MAX = 200


def visit_interval_days() -> int:
    """How many days may pass without a visit when no next visit is planned (走访周期)."""
    return int(getattr(settings, "GAIZAO_VISIT_INTERVAL_DAYS", 14))


def today() -> dt.date:
    return timezone.localdate()


def overdue_condition(on: dt.date | None = None) -> Q:
    """An open case is overdue (走访逾期) when its planned next visit has passed, or, with no
    next visit planned, when the later of its last visit and its opening is more than
    ``GAIZAO_VISIT_INTERVAL_DAYS`` days ago. The same rule as ``is_overdue``, in SQL."""
    on = on or today()
    cutoff = on - dt.timedelta(days=visit_interval_days())
    no_plan = Q(next_visit_on__isnull=True, opened_on__lt=cutoff) & (
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=cutoff))
    return Q(closed_on__isnull=True) & (Q(next_visit_on__lt=on) | no_plan)


def is_overdue(*, opened_on: dt.date, last_visit_on: dt.date | None, next_visit_on: dt.date | None,
               closed_on: dt.date | None = None, on: dt.date | None = None) -> bool:
    """``overdue_condition`` for one case already read."""
    if closed_on is not None:
        return False
    on = on or today()
    if next_visit_on is not None:
        return next_visit_on < on
    baseline = max(d for d in (last_visit_on, opened_on) if d is not None)
    return (on - baseline).days > visit_interval_days()


def open_refusal(household: Household) -> str | None:
    """Why the household cannot be listed as a hard case (已腾空交房、已撤出), or None.

    Signed and decided households may be: until they vacate, vacating is the difficulty."""
    if household.withdrawn_on or household.stage == Stage.WITHDRAWN:
        return _("住户 %(h)s 已撤出改造范围，不能列为攻坚户（攻坚户须尚未离开改造路径）。") % {"h": household.number}
    if household.stage in LEFT_PATH_STAGES or household.vacated_on:
        return _("住户 %(h)s 当前阶段为「%(s)s」，已腾空交房，不能列为攻坚户（攻坚户须尚未腾空交房）。") % {
            "h": household.number, "s": household.get_stage_display()}
    return None


# --- helpers ------------------------------------------------------------------------------------

def _lock(qs):
    if connection.features.has_select_for_update:
        return qs.select_for_update(of=("self",))
    return qs


def _load_household(actor, household: Household | int) -> Household:
    pk = household if isinstance(household, int) else household.pk
    found = _lock(Household.objects.select_related("street")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not household_can_write(actor, found)):
        raise NotFound(HOUSEHOLD_NOT_FOUND)
    return found


def _load_case(actor, hard_case: HardCase | int, *, allow=can_write) -> HardCase:
    pk = hard_case if isinstance(hard_case, int) else hard_case.pk
    found = _lock(HardCase.objects.select_related("household")).filter(pk=pk).first()
    if found is None or (not is_system(actor) and not allow(actor, found)):
        raise NotFound(NOT_FOUND)
    return found


def _optional_day(value, *, field: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_day(value, field=field)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _reason(value) -> str:
    reason = _text(value)
    if not reason:
        raise AppError(_("请选择难点类型。"), fields={"reason": _("必选")})
    if reason not in DifficultyReason.values:
        raise AppError(_("难点类型「%(r)s」不是可选的值。") % {"r": reason}, fields={"reason": _("不是可选的值")})
    return reason


def _cadre(value, household: Household) -> User | None:
    """The user to assign as the household's cadre: a cadre (包户干部) of the household's street."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, User) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise AppError(_("包户干部「%(c)s」不存在。") % {"c": value}, fields={"cadre": _("不存在")}) from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise AppError(_("所选包户干部不存在或已停用。"), fields={"cadre": _("不存在或已停用")})
    if not hardcase_assignable(user):
        raise AppError(_("「%(u)s」不是包户干部，只能指派包户干部角色的账号。") % {"u": user},
                       fields={"cadre": _("不是包户干部")})
    if not cadre_options(household.street).filter(pk=user.pk).exists():
        raise AppError(_("「%(u)s」不是%(s)s的包户干部。") % {"u": user, "s": household.street.name},
                       fields={"cadre": _("不是本街道的包户干部")})
    return user


def _assign_cadre(actor, household: Household, cadre: User | None, ip: str | None) -> None:
    """Set ``Household.cadre`` through the ledger's household service (optimistic lock, audited)."""
    if household.cadre_id == (cadre.pk if cadre else None):
        return
    updated = ledger_services.household_update(actor=actor, household=household, version=household.version,
                                               cadre=cadre, ip=ip)
    household.cadre_id = updated.cadre_id
    household.version = updated.version


def _check_close_note(note) -> str:
    text = _text(note)
    if not text:
        raise AppError(_("请填写销号说明（为何不再作为攻坚户）。"), fields={"note": _("必填")})
    if len(text) > CLOSE_NOTE_MAX:
        raise AppError(_("销号说明最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": CLOSE_NOTE_MAX, "m": len(text)},
                       fields={"note": _("过长")})
    return text


def _stale(case: HardCase, version) -> Conflict:
    return stale(case, version=version)


def _check_version(case: HardCase, version) -> None:
    if version is None or isinstance(version, bool):
        raise AppError(_("缺少版本号 version：请先读取该攻坚户，再带着读取到的版本号提交修改。"),
                       fields={"version": _("必填")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != case.version:
        raise _stale(case, version)


def _conditional_update(case: HardCase, version: int, **values) -> None:
    check_text_values(HardCase, values, aliases={"close_note": "note"})  # an UPDATE skips full_clean
    new_version = conditional_update(HardCase, pk=case.pk, version=version, values=values, what=case)
    for name, value in values.items():
        setattr(case, name, value)
    case.version = new_version


# --- services -----------------------------------------------------------------------------------

@writes
def hardcase_open(*, actor, household: Household | int, reason: str, strategy: str = "", reason_detail: str = "",
                  cadre: User | int | None = None, opened_on=None, next_visit_on=None,
                  ip: str | None = None) -> HardCase:
    """List a household not yet vacated as a hard case (列为攻坚户), optionally assigning its cadre.

    A household has one case: a closed one is reopened (same row, visits kept). ``cadre`` None
    keeps the household's current cadre.
    """
    household = _load_household(actor, household)
    refusal = open_refusal(household)
    if refusal:
        raise AppError(refusal, fields={"household": _("已离开改造路径")})
    reason = _reason(reason)
    opened = _optional_day(opened_on, field="opened_on") or today()
    if opened > today():
        raise AppError(_("列入日期 %(d)s 晚于今天（%(t)s）。") % {"d": opened, "t": today()},
                       fields={"opened_on": _("不能晚于今天")})
    next_on = _optional_day(next_visit_on, field="next_visit_on")
    if next_on is not None and next_on < opened:
        raise AppError(_("下次走访日期 %(n)s 早于列入日期 %(d)s。") % {"n": next_on, "d": opened},
                       fields={"next_visit_on": _("早于列入日期")})
    new_cadre = _cadre(cadre, household) if cadre not in (None, "") else None
    existing = _lock(HardCase.objects.filter(household_id=household.pk)).first()
    if existing is not None and existing.closed_on is None:
        raise AppError(_("住户 %(h)s 已于 %(d)s 列为攻坚户，不能重复列入。") % {"h": household.number, "d": existing.opened_on},
                       fields={"household": _("已是攻坚户")})
    values: dict[str, Any] = {
        "street_id": household.street_id, "village_id": household.village_id, "reason": reason,
        "reason_detail": _text(reason_detail), "strategy": _text(strategy), "opened_on": opened,
        "next_visit_on": next_on,
    }
    if existing is None:
        case = HardCase(household=household, **values)
        full_clean(case, exclude=["household", "street", "village"])  # those come from the household
        case.save(force_insert=True)
    else:
        if opened < existing.closed_on:
            raise AppError(_("重新列入日期 %(d)s 早于上次销号日期 %(c)s。") % {"d": opened, "c": existing.closed_on},
                           fields={"opened_on": _("早于上次销号")})
        case = existing
        case.household = household
        _conditional_update(case, existing.version, closed_on=None, close_note="", **values)
    old_cadre = household.cadre_id
    if new_cadre is not None:
        _assign_cadre(actor, household, new_cadre, ip)
    audit.record(actor=actor, action="hardcase.open", obj=case, ip=ip, changes={
        "household": household.pk, "reason": reason, "opened_on": opened, "next_visit_on": next_on,
        **({"strategy": case.strategy} if case.strategy else {}),
        **({"reopened": True} if existing is not None else {}),
        **({"cadre": [old_cadre, household.cadre_id]} if old_cadre != household.cadre_id else {}),
    })
    return case


@writes
def hardcase_update(*, actor, hard_case: HardCase | int, version: int, ip: str | None = None,
                    **changes) -> HardCase:
    """Change a hard case's difficulty, its strategy (一户一策) or the household's cadre.

    ``version`` is the case's version the editor read; a stale one is refused (Conflict).
    ``cadre=None`` removes the household's cadre.
    """
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise TypeError(f"hardcase_update cannot change {sorted(unknown)}")
    case = _load_case(actor, hard_case)
    _check_version(case, version)
    if case.closed_on is not None:
        raise AppError(_("攻坚户 %(h)s 已于 %(d)s 销号，不能再修改。") % {"h": case.household.number, "d": case.closed_on},
                       fields={"closed_on": _("已销号")})
    values: dict[str, Any] = {}
    if "reason" in changes:
        values["reason"] = _reason(changes["reason"])
    for name in ("reason_detail", "strategy"):
        if name in changes:
            values[name] = _text(changes[name])
    household = case.household
    cadre_change = None
    if "cadre" in changes:
        household = Household.objects.select_related("street").get(pk=case.household_id)
        new_cadre = _cadre(changes["cadre"], household)
        if household.cadre_id != (new_cadre.pk if new_cadre else None):
            cadre_change = (household.cadre_id, new_cadre)
    changed = {name: value for name, value in values.items() if getattr(case, name) != value}
    if not changed and cadre_change is None:
        return case
    before = {name: getattr(case, name) for name in changed}
    _conditional_update(case, int(version), **changed)
    diff = {name: [before[name], value] for name, value in changed.items()}
    if cadre_change is not None:
        old, new = cadre_change
        _assign_cadre(actor, household, new, ip)
        case.household = household
        diff["cadre"] = [old, new.pk if new else None]
    audit.record(actor=actor, action="hardcase.update", obj=case, ip=ip, changes=diff)
    return case


@writes
def hardcase_close(*, actor, hard_case: HardCase | int, version: int, closed_on, note: str,
                   ip: str | None = None) -> HardCase:
    """Close a hard case by hand (销号), saying why; vacating or withdrawal close it by themselves."""
    case = _load_case(actor, hard_case)
    _check_version(case, version)
    if case.closed_on is not None:
        raise AppError(_("攻坚户 %(h)s 已于 %(d)s 销号。") % {"h": case.household.number, "d": case.closed_on},
                       fields={"closed_on": _("已销号")})
    on = parse_day(closed_on, field="closed_on") if closed_on not in (None, "") else None
    if on is None:
        raise AppError(_("请填写销号日期。"), fields={"closed_on": _("必填")})
    if on > today():
        raise AppError(_("销号日期 %(d)s 晚于今天（%(t)s）。") % {"d": on, "t": today()},
                       fields={"closed_on": _("不能晚于今天")})
    if on < case.opened_on:
        raise AppError(_("销号日期 %(d)s 早于列入日期 %(o)s。") % {"d": on, "o": case.opened_on},
                       fields={"closed_on": _("早于列入日期")})
    text = _check_close_note(note)
    _conditional_update(case, int(version), closed_on=on, close_note=text)
    audit.record(actor=actor, action="hardcase.close", obj=case, ip=ip,
                 changes={"closed_on": on, "note": text})
    return case


@writes
def visit_record(*, actor, hard_case: HardCase | int, visited_on, talk: str, next_step: str = "",
                 next_visit_on=None, visitors: str = "", photos=(), ip: str | None = None) -> Visit:
    """Record a visit to a hard-case household (走访): what was said, the next step, the next visit,
    and the photos taken there (走访照片, ``services.photos``: upright, resized, without EXIF).

    The case's ``last_visit_on`` only moves forward: a visit entered late with an older date
    joins the log without changing the last visit or the planned next one. A bad photo refuses the
    whole visit: no row is written and no file is left behind.
    """
    case = _load_case(actor, hard_case, allow=can_visit)
    number = case.household.number
    if case.closed_on is not None:
        raise AppError(_("攻坚户 %(h)s 已于 %(d)s 销号，不能再记录走访。") % {"h": number, "d": case.closed_on},
                       fields={"visited_on": _("已销号")})
    if visited_on in (None, ""):
        raise AppError(_("请填写走访日期。"), fields={"visited_on": _("必填")})
    on = parse_day(visited_on, field="visited_on")
    if on > today():
        raise AppError(_("走访日期 %(d)s 晚于今天（%(t)s），不能预先记录。") % {"d": on, "t": today()},
                       fields={"visited_on": _("不能晚于今天")})
    if on < case.opened_on:
        raise AppError(_("走访日期 %(d)s 早于列为攻坚户的日期 %(o)s。") % {"d": on, "o": case.opened_on},
                       fields={"visited_on": _("早于列入日期")})
    next_on = _optional_day(next_visit_on, field="next_visit_on")
    if next_on is not None and next_on <= on:
        raise AppError(_("下次走访日期 %(n)s 须晚于本次走访日期 %(d)s。") % {"n": next_on, "d": on},
                       fields={"next_visit_on": _("须晚于走访日期")})
    text = _text(talk)
    if not text:
        raise AppError(_("请填写沟通情况（谈了什么、住户的态度）。"), fields={"talk": _("必填")})
    people = _text(visitors)
    if len(people) > VISITORS_MAX:
        raise AppError(_("参加人员最多 %(n)d 个字（现有 %(m)d 个）。") % {"n": VISITORS_MAX, "m": len(people)},
                       fields={"visitors": _("过长")})
    check_text_values(Visit, {"talk": text, "next_step": _text(next_step), "visitors": people})
    prepared = prepare_photos(photos)  # every photo checked and resized before anything is written
    with written_files() as written:
        visit = Visit.objects.create(hard_case=case, visited_on=on, talk=text, next_step=_text(next_step),
                                     next_visit_on=next_on, visitors=people,
                                     visitor=as_user(actor))
        saved = save_photos(visit, prepared, written)
        # The latest visit sets the last and next visit dates; an older one entered late does not.
        latest = HardCase.objects.filter(pk=case.pk, closed_on=None).filter(
            Q(last_visit_on__isnull=True) | Q(last_visit_on__lte=on)).update(
            last_visit_on=on, next_visit_on=next_on, updated_at=timezone.now())
        if latest:
            case.last_visit_on, case.next_visit_on = on, next_on
        audit.record(actor=actor, action="hardcase.visit", obj=case, ip=ip, changes={
            "visit": visit.pk, "visited_on": on, "next_visit_on": next_on, "latest": bool(latest),
            # one string: the audit page reads a list of two as "before → after"
            **({"photos": "、".join(photo.name for photo in saved)} if saved else {}),
        })
    return visit
