"""Who a household belongs to: its resident account (居民账号) and its cadre (包户干部), one or many at a time.

- ``household_link_resident``: link a resident account to its household, or unlink it; the resident
  then reads the household under 我的住户. One household per account (the unique column), said in
  Chinese before the database would refuse it.
- ``households_assign_cadre``: assign (or unassign) one cadre to many households of a street at once,
  all or nothing, audited per household and once for the batch (as bulk stage recording is).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core import audit
from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.services import bump_versions, load_for_update, require_in_scope, save_changes
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.models import Household
from gaizao.ledger.policies import household_can_write
from gaizao.org.choices import Role
from gaizao.org.models import OrgUnit, User

RESIDENT_FIELD = "resident"
CADRE_FIELD = "cadre"


def _in_street(street: OrgUnit) -> Q:
    return Q(path=street.path) | Q(path__startswith=street.path + "/")


def resident_check(resident: User | str | None, *, household: Household, actor=None) -> User:
    """The resident account to link to ``household``, or the reason it cannot be (beside ``resident``).

    ``resident`` is the account or its username. It must exist, be active, hold the resident role
    (居民) in the household's street or a unit under it, and not be linked to another household.
    """
    if isinstance(resident, str) or resident is None:
        username = (resident or "").strip()
        if not username:
            raise AppError(_("请填写居民账号的用户名。"), fields={RESIDENT_FIELD: _("必填")})
        user = User.objects.filter(username=username).first()
        if user is None:
            message = _("没有用户名为「%(u)s」的账号。") % {"u": username}
            raise AppError(message, fields={RESIDENT_FIELD: message})
    else:
        user = resident
    name = user.username
    if not user.is_active:
        message = _("账号「%(u)s」已停用，不能关联住户。") % {"u": name}
        raise AppError(message, fields={RESIDENT_FIELD: message})
    street = OrgUnit.objects.get(pk=household.street_id)
    posts = user.memberships.filter(role=Role.RESIDENT)
    if not posts.exists():
        message = _("账号「%(u)s」不是居民账号（没有“居民”岗位），不能关联住户。") % {"u": name}
        raise AppError(message, fields={RESIDENT_FIELD: message})
    if not posts.filter(org_unit__in=OrgUnit.objects.filter(_in_street(street))).exists():
        message = _("账号「%(u)s」的居民岗位不在本户所在的%(street)s，不能关联本户。") % {"u": name, "street": street.name}
        raise AppError(message, fields={RESIDENT_FIELD: message})
    other = Household.objects.filter(resident=user).exclude(pk=household.pk).only("id", "number", "head_name").first()
    if other is not None:
        readable = actor is not None and (
            is_system(actor) or selectors.household_scope(actor).filter(pk=other.pk).exists())
        which = _("住户 %(h)s") % {"h": other} if readable else _("另一户")
        message = _("账号「%(u)s」已关联%(which)s；一个居民账号只能关联一户，请先在那一户解除关联。") % {
            "u": name, "which": which}
        raise AppError(message, fields={RESIDENT_FIELD: message})
    return user


@writes
def household_link_resident(*, actor, household: Household, version: int, resident: User | str | None,
                            unlink: bool = False, ip: str | None = None) -> Household:
    """Link a resident account (居民账号) to a household, or unlink it (``unlink=True``).

    The household's write roles (its street's staff, the office, the admin) may; the account is
    checked by ``resident_check``. Audited as ``household.link_resident`` with the old and new account.
    """
    require_in_scope(actor, selectors.household_write_scope, household)
    current = load_for_update(household, version)
    user = None if unlink else resident_check(resident, household=current, actor=actor)
    return save_changes(actor=actor, current=current, version=version, values={"resident": user},
                        action="household.link_resident", ip=ip)


def household_by_ref(ref: str) -> Household:
    """The household written as people name it across projects: ``项目编码/户号`` (P001/DH-002)."""
    code, _sep, number = (ref or "").strip().partition("/")
    code, number = code.strip(), number.strip()
    if not code or not number:
        raise AppError(_("住户须写作“项目编码/户号”，如 P001/DH-002（现为「%(r)s」）。") % {"r": ref},
                       fields={"household": _("格式不对")})
    household = Household.objects.select_related("project").filter(project__code=code, number=number).first()
    if household is None:
        message = _("没有项目编码为「%(p)s」、户号为「%(n)s」的住户。") % {"p": code, "n": number}
        raise AppError(message, fields={"household": message})
    return household


def household_for_new_account(ref: str) -> Household:
    """``gaizao user create --household``: the household named, refused if it has a resident already
    (the page replaces a link, where the current one is shown; the command does not do it blindly)."""
    household = household_by_ref(ref)
    if household.resident_id is not None:
        current = User.objects.only("username").get(pk=household.resident_id)
        message = _("住户 %(h)s 已关联居民账号「%(u)s」；如需更换，请在该户页面“关联居民账号”中操作。") % {
            "h": household, "u": current.username}
        raise AppError(message, fields={"household": message})
    return household


def household_link_new_account(*, actor, user: User, household: Household) -> str:
    """Link a just-created account to ``household`` (the command's transaction); the line to print."""
    linked = household_link_resident(actor=actor, household=household, version=household.version, resident=user)
    return _("已关联住户 %(h)s（%(p)s）。") % {"h": linked, "p": household.project.name}


# --------------------------------------------------------------------------------- cadres in bulk

def cadre_check(cadre: User | str | None, *, street: OrgUnit) -> User:
    """The cadre (包户干部) named by account or by name/username, as a cadre of ``street``, or the reason.

    A name two cadres of the street share is ambiguous: the username then tells them apart.
    """
    options = selectors.cadre_options(street)
    if isinstance(cadre, User):
        if options.filter(pk=cadre.pk).exists():
            return cadre
        message = _("「%(c)s」不是%(street)s的包户干部。") % {"c": cadre, "street": street.name}
        raise AppError(message, fields={CADRE_FIELD: message})
    text = (cadre or "").strip()
    found = list(options.filter(Q(username=text) | Q(full_name=text))[:3])
    by_username = [u for u in found if u.username == text]
    if by_username:
        return by_username[0]
    if len(found) == 1:
        return found[0]
    if not found:
        message = _("%(street)s没有名为「%(c)s」的包户干部。") % {"street": street.name, "c": text}
    else:
        message = _("%(street)s有不止一位名为「%(c)s」的包户干部，请写用户名（%(names)s）。") % {
            "street": street.name, "c": text, "names": "、".join(u.username for u in found)}
    raise AppError(message, fields={CADRE_FIELD: message})


@writes
def households_assign_cadre(*, actor, household_ids: Iterable[int], cadre: User | str | None,
                            ip: str | None = None) -> int:
    """Assign one cadre (包户干部) to many households at once (批量分配包户干部), or unassign (``cadre`` None).

    All or nothing: a household out of the actor's write scope, or of another street than the
    cadre's, is refused with nothing written. The cadre must be a cadre of the households' street.
    Households already with this cadre are left as they are. Each changed household is moved on a
    version (a form opened before goes stale) and audited (``household.update`` with the cadre's
    change, ``bulk``), the batch once more (``household.assign_cadre_bulk``). Rollups do not count
    cadres, so no hook fires. Returns how many households changed.
    """
    ids = list(dict.fromkeys(int(pk) for pk in household_ids))
    if not ids:
        raise AppError(_("请至少选择一户。"), fields={"households": _("未选择住户")})
    households: list[Household] = []
    for start in range(0, len(ids), 5000):
        qs = Household.objects.filter(pk__in=ids[start:start + 5000]).only(
            "id", "number", "head_name", "street_id", "cadre_id", "resident_id", "version")
        if connection.features.has_select_for_update:
            qs = qs.select_for_update()
        households.extend(qs)
    found = {h.pk for h in households}
    missing = [pk for pk in ids if pk not in found]
    refused = [h for h in households if not is_system(actor) and not household_can_write(actor, h)]
    if missing or refused:
        raise NotFound(_("有 %(n)d 户不存在或无权操作，没有分配任何住户。") % {"n": len(missing) + len(refused)},
                       fields={"households": _("不存在或无权操作")})
    streets = {h.street_id for h in households}
    user = None
    if cadre is not None and cadre != "":
        if len(streets) > 1:
            raise AppError(_("所选住户分属 %(n)d 个街道；包户干部只能分配给同一街道的住户，请按街道分别分配。")
                           % {"n": len(streets)}, fields={"households": _("分属多个街道")})
        user = cadre_check(cadre, street=OrgUnit.objects.get(pk=next(iter(streets))))
    new_id = user.pk if user else None
    moves = [h for h in households if h.cadre_id != new_id]
    if not moves:
        return 0
    now = timezone.now()
    pks = [h.pk for h in moves]
    for start in range(0, len(pks), 5000):
        bump_versions(Household.objects.filter(pk__in=pks[start:start + 5000]), cadre_id=new_id, updated_at=now)
    # The cadre's change as a single edit records it (the account ids), marked as part of a batch.
    audit.record_many(actor=actor, ip=ip, items=[
        audit.Change(action="household.update", object_type="ledger.household", object_id=h.pk, object_repr=str(h),
                     changes={"cadre": [h.cadre_id, new_id], "bulk": True}, plain=True)
        for h in moves
    ] + [audit.Change(action="household.assign_cadre_bulk", object_type="ledger.household", object_id="",
                      object_repr=str(user) if user else _("取消包户干部"),
                      changes={"cadre": new_id, "households": pks}, plain=True)])
    return len(moves)
