"""Changes after 公示 (补偿变更申请, four eyes): once a project's compensation list has been published, an input of a
household's compensation changes only through a change request approved by a second person of the office.

- The gate (``guard_inputs``): every write path that changes a household's compensation inputs asks it inside its
  transaction — the ledger's services and import through ``ledger.hooks.household_inputs_change`` (the receiver is in
  ``registrations/changes.py``), compensation's own valuations and scheme publication directly. It refuses a
  household of a project whose compensation list was published (a ``Publicity`` of kind COMPENSATION exists), naming
  the household and the day, unless an approved change is being applied (``applying``: a context variable only
  ``change_approve`` sets). One query on Publicity by project whatever the number of households; none at all for
  the households being applied.
- ``change_request``: the street or the office asks, with the reason and evidence (PDF, JPG or PNG, at most 10 MB).
  The change is checked by the service that will apply it, run once in a savepoint that is rolled back: what it
  refuses is refused now, with its own message, and "after" is the calculator on the facts as they would be.
  "Before" is the calculator on the facts as they are (the scheme in force, the household's option).
- ``change_approve``: a second person of the office (``policies.change_can_decide``; never the requester, never a
  street) applies the change through the service that owns the input (``ledger.services``, the valuations' record,
  the scheme's publication), recalculates the household (``services.calculations.household_calculate``) and
  re-publishes it (``services.publicity.publicity_republish``), all in one transaction.
- ``change_reject``: the same second person, with a note saying why.

A payload is one operation (``op``) and its values as text, as the form and the API send them:
``building_update`` {building, version, changes}, ``building_add`` {changes}, ``household_update`` {version,
changes}, ``person_add`` {changes}, ``person_update`` {person, version, changes}, ``valuation`` {building, entry},
``scheme`` {scheme}. Which operations and fields a kind allows is ``KIND_OPS``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import importlib
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.compensation.choices import ChangeKind, ChangeStatus, Option, PublicityKind, SchemeStatus, ValuationKind
from gaizao.compensation.models import Calculation, ChangeRequest, Publicity, Scheme
from gaizao.compensation.policies.changes import change_can_decide, change_household_scope, change_scope
from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, Conflict, PermissionDenied
from gaizao.core.services import load_scoped
from gaizao.core.text import check_text, strip_refused
from gaizao.core.writes import writes
from gaizao.ledger.hooks import BUILDING_INPUTS, HOUSEHOLD_INPUTS, PERSON_INPUTS
from gaizao.ledger.models import Building, Household, Person

ACTION_LABELS = {
    "compensation.change_request": gettext_lazy("提交补偿变更申请"),
    "compensation.change_approve": gettext_lazy("批准补偿变更申请"),
    "compensation.change_reject": gettext_lazy("驳回补偿变更申请"),
}  # registered by registrations/changes.py

CHUNK = 5000
SHOWN = 10
REASON_MIN, REASON_MAX = 4, 1000
NOTE_MIN, NOTE_MAX = 4, 500
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_KINDS = {  # extension -> how the content starts
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
MISSING = "住户不存在或无权操作。"
CHANGE_MISSING = "变更申请不存在或无权查看。"

# What each kind of change may do: operation -> the fields it may set (None: its own shape).
BUILDING_FIELDS = tuple(sorted(BUILDING_INPUTS - {"legality"}))
KIND_OPS: dict[str, dict[str, frozenset[str] | None]] = {
    ChangeKind.BUILDING: {"building_update": frozenset(BUILDING_FIELDS),
                          "building_add": frozenset({"number", *BUILDING_INPUTS}),
                          "household_update": frozenset({"land_type", "use"})},
    ChangeKind.LEGALITY: {"building_update": frozenset({"legality"})},
    ChangeKind.MEMBERS: {"person_add": frozenset({"name", "relation", "hukou"}),
                         "person_update": frozenset(PERSON_INPUTS),
                         "household_update": frozenset({"member_count"})},
    ChangeKind.VALUATION: {"valuation": None},
    ChangeKind.SCHEME: {"scheme": None},
}
VALUATION_FIELDS = ("kind", "unit_price", "decoration", "valued_on", "valuer", "appraiser", "report_no")
assert HOUSEHOLD_INPUTS >= {"member_count", "land_type", "use"}


# ---------------------------------------------------------------- the gate

# The households whose inputs an approved change is applying now (set by change_approve, and by change_request's
# dry run in its savepoint): the gate lets them through.
_applying: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("compensation_change_applying",
                                                                          default=frozenset())


@contextmanager
def applying(household_ids: Iterable[int]):
    """Let the gate through for these households while the block runs (an approved change being applied)."""
    token = _applying.set(_applying.get() | frozenset(household_ids))
    try:
        yield
    finally:
        _applying.reset(token)


def _published(household_ids: Sequence[int], project_ids: Sequence[int]) -> dict[int, object]:
    """Project id -> the first day its compensation list was published, for the projects concerned: one query."""
    rows = Publicity.objects.filter(kind=PublicityKind.COMPENSATION)
    if project_ids:
        rows = rows.filter(project_id__in=list(dict.fromkeys(project_ids)))
    elif len(household_ids) <= CHUNK:
        rows = rows.filter(project_id__in=Household.objects.filter(pk__in=household_ids).values("project_id"))
    else:  # a long list without its projects (a caller that did not say): their projects first, a chunk at a time
        projects: set[int] = set()
        for start in range(0, len(household_ids), CHUNK):
            projects.update(Household.objects.filter(pk__in=household_ids[start:start + CHUNK]).order_by()
                            .values_list("project_id", flat=True).distinct())
        rows = rows.filter(project_id__in=projects)
    return dict(rows.order_by().values("project_id").annotate(first=Min("starts_on")).values_list("project_id",
                                                                                                  "first"))


def inputs_refusal(household_ids: Iterable[int], *, what: str, project_ids: Sequence[int] = ()) -> str | None:
    """Why changing ``what`` of these households needs an approved change request, or None when it does not."""
    allowed = _applying.get()
    ids = [pk for pk in dict.fromkeys(household_ids) if pk not in allowed]
    if not ids:
        return None
    published = _published(ids, project_ids)
    if not published:
        return None
    numbers: list[tuple[str, int]] = []
    count = 0
    for start in range(0, len(ids), CHUNK):  # the refusal's path only: name the households
        rows = Household.objects.filter(pk__in=ids[start:start + CHUNK], project_id__in=list(published))
        count += rows.count()
        if len(numbers) < SHOWN:
            numbers.extend(rows.order_by("project_id", "number").values_list("number", "project_id")[:SHOWN])
    if not count:
        return None
    shown = "、".join(number for number, _p in numbers[:SHOWN]) + (
        _(" 等 %(n)d 户") % {"n": count} if count > SHOWN else "")
    day = published[numbers[0][1]]
    return (_("住户 %(h)s 的补偿情况已于 %(d)s 公示，修改%(w)s须提交变更申请，经第二人审核批准后生效。")
            % {"h": shown, "d": f"{day:%Y-%m-%d}", "w": what})


def guard_inputs(household_ids: Iterable[int], *, what: str, project_ids: Sequence[int] = ()) -> None:
    """Refuse (AppError, 409) a change of these households' compensation inputs after 公示 without an approved change
    request; ``what`` names the change (房屋 2 的合法面积). For compensation's own services (valuations, scheme
    publication) and the ledger's hook receiver; ``project_ids`` (their projects, when the caller knows them) spare
    a join."""
    refusal = inputs_refusal(household_ids, what=what, project_ids=project_ids)
    if refusal:
        raise AppError(refusal, status=409)


def published_on(project_id: int):
    """The first day a project's compensation list was published, or None (not published)."""
    return _published((), [project_id]).get(project_id)


# ---------------------------------------------------------------- before and after

def _scheme_in_force(project_id: int) -> Scheme | None:
    return Scheme.objects.filter(project_id=project_id, status=SchemeStatus.PUBLISHED).first()


@dataclass(frozen=True)
class Basis:
    """How the household was calculated last (its latest current calculation): the option, and the day of signing
    and months of late delivery the calculation assumed (a household not yet signed is calculated for a day)."""

    option: str = Option.MONEY
    signed_on: dt.date | None = None
    late_months: Decimal | None = None

    def facts(self) -> dict:
        return {"signed_on": self.signed_on, "late_months": self.late_months}


def calculation_basis(household: Household, *, option: str | None = None) -> Basis:
    """The option, signing day and late months of the household's latest current calculation (of ``option`` if
    given); money and none if there is none."""
    rows = Calculation.objects.filter(household=household, current=True)
    if option:
        rows = rows.filter(option=option)
    row = rows.order_by("-created_at").values_list("option", "facts").first()
    if row is None:
        return Basis(option=option or Option.MONEY)
    found, data = row
    data = data if isinstance(data, dict) else {}
    signed, late = data.get("signed_on"), data.get("late_months")
    try:
        return Basis(option=found, signed_on=dt.date.fromisoformat(signed) if signed else None,
                     late_months=Decimal(str(late)) if late not in (None, "") else None)
    except (TypeError, ValueError, ArithmeticError):
        return Basis(option=found)


def _plain(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return format(value, "f") if hasattr(value, "is_finite") else str(value)


def case_inputs(case) -> dict:
    """A case's facts as text, for the side-by-side diff: household facts, then each building's by its number."""
    from dataclasses import asdict

    data = asdict(case)
    buildings = data.pop("buildings", ())
    for key in ("label", "household_id"):
        data.pop(key, None)
    return {"household": {k: _plain(v) for k, v in data.items()},
            "buildings": {str(b.get("number")): {k: _plain(v) for k, v in b.items() if k not in ("id", "number")}
                          for b in buildings}}


def snapshot(household: Household, *, basis: Basis, scheme: Scheme | None) -> dict:
    """The household's inputs and its line items under ``scheme`` as the facts stand now, calculated as it was last
    (``basis``: option, signing day, late months) (JSON)."""
    from gaizao.compensation import calculator, facts, language

    option = basis.option
    case = facts.case_for(household, **basis.facts())
    data: dict = {"inputs": case_inputs(case), "option": option,
                  "scheme": str(scheme) if scheme is not None else "", "scheme_id": getattr(scheme, "pk", None)}
    if scheme is None:
        data["error"] = _("项目尚无生效的补偿方案，无法测算。")
        return data
    try:
        result = calculator.calculate(language.parse(scheme.text), case, option=option)
    except AppError as exc:
        data["error"] = exc.message
    else:
        data.update(result.as_json())
        data["option"] = option
    return data


class _Undo(Exception):
    """Leaves the dry run's savepoint (rolled back) with what it computed."""

    def __init__(self, value):
        super().__init__("dry run")
        self.value = value


# ---------------------------------------------------------------- the payload and its application

def _text_values(values: dict, allowed: frozenset[str]) -> dict:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise AppError(_("变更事项中有不能修改的项：%(k)s。") % {"k": "、".join(unknown)},
                       fields={"payload": _("含有不能修改的项")})
    return {k: ("" if v is None else str(v).strip()) for k, v in values.items()}


def _pk(value, *, field: str, label: str) -> int:
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        raise AppError(_("请选择%(l)s。") % {"l": label}, fields={field: _("未选择")}) from None
    return pk


def _target(model, pk: int, *, household: Household, field: str, label: str):
    found = model.objects.filter(pk=pk, household_id=household.pk).first()
    if found is None:
        raise AppError(_("本户没有这个%(l)s。") % {"l": label}, fields={field: _("不是本户的")})
    return found


def clean_payload(*, household: Household, kind: str, payload) -> dict:
    """The payload checked for its shape (the values are checked by the service that applies them)."""
    if kind not in KIND_OPS:
        raise AppError(_("请选择变更内容。"), fields={"kind": _("必选")})
    if not isinstance(payload, dict):
        raise AppError(_("变更事项须为对象。"), fields={"payload": _("格式有误")})
    op = payload.get("op")
    ops = KIND_OPS[kind]
    if op not in ops:
        raise AppError(_("「%(k)s」的变更不能是这项操作（可用：%(o)s）。") % {"k": ChangeKind(kind).label, "o": "、".join(ops)},
                       fields={"payload": _("操作不符")})
    out: dict = {"op": op}
    if op in ("building_update", "building_add", "household_update", "person_add", "person_update"):
        changes = _text_values(payload.get("changes") or {}, ops[op])
        if not changes:
            raise AppError(_("请填写要变更的内容。"), fields={"payload": _("没有变更")})
        out["changes"] = changes
    if op == "building_update":
        building = _target(Building, _pk(payload.get("building"), field="building", label=_("房屋")),
                           household=household, field="building", label=_("房屋"))
        changed = {k: v for k, v in out["changes"].items() if _plain(getattr(building, k)) != v}
        if not changed:
            raise AppError(_("房屋 %(b)s 的这些项与现状相同，没有变更。") % {"b": building.number},
                           fields={"payload": _("没有变更")})
        out.update(building=building.pk, number=building.number, version=building.version, changes=changed,
                   before={k: _plain(getattr(building, k)) for k in changed})
    elif op == "person_update":
        person = _target(Person, _pk(payload.get("person"), field="person", label=_("家庭成员")),
                         household=household, field="person", label=_("家庭成员"))
        changed = {k: v for k, v in out["changes"].items() if _plain(getattr(person, k)) != v}
        if not changed:
            raise AppError(_("家庭成员 %(p)s 的这些项与现状相同，没有变更。") % {"p": person.name},
                           fields={"payload": _("没有变更")})
        out.update(person=person.pk, name=person.name, version=person.version, changes=changed,
                   before={k: _plain(getattr(person, k)) for k in changed})
    elif op == "household_update":
        changed = {k: v for k, v in out["changes"].items() if _plain(getattr(household, k)) != v}
        if not changed:
            raise AppError(_("这些项与现状相同，没有变更。"), fields={"payload": _("没有变更")})
        out.update(version=household.version, changes=changed,
                   before={k: _plain(getattr(household, k)) for k in changed})
    elif op == "valuation":
        building = _target(Building, _pk(payload.get("building"), field="building", label=_("房屋")),
                           household=household, field="building", label=_("房屋"))
        entry = _text_values(payload.get("entry") or {}, frozenset(VALUATION_FIELDS))
        entry.setdefault("kind", ValuationKind.REVIEW)
        out.update(building=building.pk, number=building.number, entry=entry)
    elif op == "scheme":
        pk = _pk(payload.get("scheme"), field="scheme", label=_("补偿方案草稿"))
        scheme = Scheme.objects.filter(pk=pk, project_id=household.project_id, status=SchemeStatus.DRAFT).first()
        if scheme is None:
            raise AppError(_("请选择本项目的一个补偿方案草稿（已发布的版本不能再变更）。"), fields={"scheme": _("不是本项目的草稿")})
        out.update(scheme=scheme.pk, number=scheme.number, name=scheme.name)
    return out


def _apply(*, actor, household: Household, payload: dict, reason: str, ip: str | None) -> None:
    """Apply a checked payload through the service that owns the input."""
    from gaizao.ledger import services as ledger

    op = payload["op"]
    if op == "building_update":
        building = Building.objects.get(pk=payload["building"])
        ledger.building_update(actor=actor, building=building, version=payload["version"], ip=ip,
                               **payload["changes"])
    elif op == "building_add":
        values = dict(payload["changes"])
        ledger.building_add(actor=actor, household=household, number=values.pop("number", ""), ip=ip, **values)
    elif op == "household_update":
        ledger.household_update(actor=actor, household=household, version=payload["version"], ip=ip,
                                **payload["changes"])
    elif op == "person_add":
        values = dict(payload["changes"])
        ledger.person_add(actor=actor, household=household, name=values.pop("name", ""),
                          relation=values.pop("relation", ""), ip=ip, **values)
    elif op == "person_update":
        person = Person.objects.get(pk=payload["person"])
        ledger.person_update(actor=actor, person=person, version=payload["version"], ip=ip, **payload["changes"])
    elif op == "valuation":
        from gaizao.compensation.services.valuations import valuations_record

        valuations_record(actor=actor, household=household.pk, ip=ip, entries=[
            {"building": payload["building"], "reason": reason, **payload["entry"]}])
    elif op == "scheme":
        from gaizao.compensation.services.schemes import scheme_publish

        scheme_publish(actor=actor, scheme=payload["scheme"], ip=ip)


def _after(*, actor, household: Household, payload: dict, reason: str, basis: Basis, scheme: Scheme | None) -> dict:
    """The household as the change would leave it: applied in a savepoint, read, rolled back. What the applying
    service refuses is refused here, with its own message."""
    if payload["op"] == "scheme":
        return snapshot(household, basis=basis, scheme=Scheme.objects.get(pk=payload["scheme"]))
    try:
        with transaction.atomic():
            with applying([household.pk]):
                _apply(actor=actor, household=household, payload=payload, reason=reason, ip=None)
            raise _Undo(snapshot(household, basis=basis, scheme=scheme))
    except _Undo as undo:
        return undo.value


# ---------------------------------------------------------------- checks of what a person writes

def check_evidence(upload) -> None:
    """Evidence is required: a PDF, JPG or PNG file (by its content), at most 10 MB."""
    if not upload:
        raise AppError(_("请上传证明材料（PDF、JPG 或 PNG 文件）。"), fields={"evidence": _("必须上传")})
    name = PurePath(getattr(upload, "name", "") or "").name
    ext = PurePath(name).suffix.lower()
    if ext not in EVIDENCE_KINDS:
        raise AppError(_("证明材料「%(n)s」的类型不支持：请上传 PDF、JPG 或 PNG 文件。") % {"n": name},
                       fields={"evidence": _("类型不支持")})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise AppError(_("证明材料「%(n)s」超过 10 MB（现为 %(s).1f MB）。") % {"n": name, "s": upload.size / 1048576},
                       fields={"evidence": _("文件过大")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(h) for h in EVIDENCE_KINDS[ext]):
        raise AppError(_("证明材料「%(n)s」的内容与扩展名不符（不是有效的 %(e)s 文件）。")
                       % {"n": name, "e": ext.lstrip(".").upper()}, fields={"evidence": _("内容不符")})


def _words(value: str, *, field: str, label: str, low: int, high: int) -> str:
    text = (value or "").strip()
    if len(text) < low:
        raise AppError(_("请写明%(l)s（至少 %(n)d 个字）。") % {"l": label, "n": low}, fields={field: _("须写明")})
    if len(text) > high:
        raise AppError(_("%(l)s最多 %(n)d 个字（现为 %(c)d 个字）。") % {"l": label, "n": high, "c": len(text)},
                       fields={field: _("过长")})
    problem = check_text(text, multiline=True, field_label=label)
    if problem:
        raise AppError(problem, fields={field: problem})
    return text


# ---------------------------------------------------------------- the writes

@writes
def change_request(*, actor, household: Household | int, kind: str, payload: dict, reason: str, evidence,
                   ip: str | None = None) -> ChangeRequest:
    """Ask for a change of a household's compensation inputs after 公示 (提交变更申请), with the reason and evidence;
    the inputs and line items before and after are computed and kept side by side."""
    household = load_scoped(actor, Household.objects.select_related("project"), household,
                            lambda user: change_household_scope(user, write=True), missing=_(MISSING))
    reason = _words(reason, field="reason", label=_("变更理由"), low=REASON_MIN, high=REASON_MAX)
    check_evidence(evidence)
    if published_on(household.project_id) is None:
        raise AppError(_("住户 %(h)s 所在项目尚未公示补偿情况：可直接修改，无需变更申请。") % {"h": household.number},
                       fields={"kind": _("尚未公示")})
    clean = clean_payload(household=household, kind=kind, payload=payload)
    basis = calculation_basis(household)
    scheme = _scheme_in_force(household.project_id)
    before = snapshot(household, basis=basis, scheme=scheme)
    after = _after(actor=actor, household=household, payload=clean, reason=reason, basis=basis, scheme=scheme)
    name = strip_refused(PurePath(evidence.name).name, multiline=False)[-100:]
    change = ChangeRequest(household=household, kind=kind, payload=clean, reason=reason, before=before, after=after,
                           requested_by=as_user(actor))
    change.evidence.save(name, evidence, save=False)
    change.save(force_insert=True)
    writes.audit(action="compensation.change_request", obj=change,
                 object_repr=f"{household} · {change.get_kind_display()}",
                 changes={"household": household.pk, "kind": kind, "payload": clean, "reason": reason,
                          "evidence": change.evidence.name, "total": [before.get("total"), after.get("total")]})
    return change


def _load_change(actor, change) -> ChangeRequest:
    return load_scoped(actor, ChangeRequest.objects.select_related("household__project"), change, change_scope,
                       missing=_(CHANGE_MISSING))


def _decider(actor, change: ChangeRequest) -> None:
    if is_system(actor):
        return
    if not change_can_decide(actor):
        raise PermissionDenied(_("补偿变更申请须由领导小组办公室（指挥部）的第二人审核，街道账号不能审核。"))
    if change.requested_by_id == actor.pk:
        raise PermissionDenied(_("不能审核自己提交的变更申请：须由申请人以外的第二人审核。"))


def _still_pending(change: ChangeRequest, version) -> None:
    if change.status != ChangeStatus.PENDING:
        raise Conflict(_("该变更申请已于 %(t)s %(s)s，不能再审核。")
                       % {"t": f"{timezone.localtime(change.decided_at):%Y-%m-%d %H:%M}" if change.decided_at else "",
                          "s": change.get_status_display()})
    if str(version) != str(change.version):
        raise Conflict(_("该变更申请刚被他人处理或修改，请刷新页面后再试。"))


def _decide(change: ChangeRequest, *, version, status: str, actor, note: str, publicity=None) -> None:
    """The one conditional update from pending: two deciders, exactly one wins."""
    _still_pending(change, version)
    now = timezone.now()
    values = {"status": status, "decided_by_id": getattr(as_user(actor), "pk", None), "decided_at": now,
              "decision_note": note, "version": change.version + 1, "updated_at": now}
    if publicity is not None:
        values["publicity_id"] = publicity.pk
    if not ChangeRequest.objects.filter(
            pk=change.pk, version=change.version, status=ChangeStatus.PENDING).update(**values):
        raise Conflict(_("该变更申请刚被他人处理或修改，请刷新页面后再试。"))
    for name, value in values.items():
        setattr(change, name, value)


def _recalculate(*, actor, household: Household, ip: str | None) -> list:
    """Recalculate the household under each option it has a current calculation for (money if none), with the
    signing day and late months that calculation assumed."""
    from gaizao.compensation.services.calculations import household_calculate

    options = list(Calculation.objects.filter(household=household, current=True).order_by("option")
                   .values_list("option", flat=True)) or [Option.MONEY]
    return [household_calculate(actor=actor, household=household, option=option, ip=ip,
                                **calculation_basis(household, option=option).facts()) for option in options]


def _republish(*, actor, project, household_ids: list[int], note: str, ip: str | None):
    """Re-publish the households (``services.publicity.publicity_republish``), when the publicity area offers it."""
    name = "gaizao.compensation.services.publicity"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None
    republish = getattr(module, "publicity_republish", None)
    if republish is None:
        return None
    out = republish(actor=actor, project=project, household_ids=household_ids, note=note, ip=ip)
    return out if isinstance(out, Publicity) else None


@writes
def change_approve(*, actor, change: ChangeRequest | int, version, note: str = "",
                   ip: str | None = None) -> ChangeRequest:
    """Approve a change request (批准) as a second person of the office: apply it through the service that owns the
    input, recalculate the household and re-publish it, in one transaction."""
    change = _load_change(actor, change)
    _decider(actor, change)
    note = _words(note, field="note", label=_("审核意见"), low=0, high=NOTE_MAX) if note else ""
    _still_pending(change, version)
    household = change.household
    project = household.project
    payload = change.payload
    if payload["op"] == "scheme":
        ids = list(Household.objects.filter(project=project).values_list("pk", flat=True))
    else:
        ids = [household.pk]
    with applying(ids):
        _apply(actor=actor, household=household, payload=payload, reason=change.reason, ip=ip)
        if payload["op"] == "scheme":
            from gaizao.compensation.services.calculations import project_calculate

            project_calculate(actor=actor, project=project, ip=ip)
        else:
            _recalculate(actor=actor, household=Household.objects.get(pk=household.pk), ip=ip)
    label = _("变更申请 #%(n)d（%(k)s）批准后重新公示") % {"n": change.pk, "k": change.get_kind_display()}
    publicity = _republish(actor=actor, project=project, household_ids=ids, note=label, ip=ip)
    _decide(change, version=version, status=ChangeStatus.APPROVED, actor=actor, note=note, publicity=publicity)
    writes.audit(action="compensation.change_approve", obj=change,
                 object_repr=f"{household} · {change.get_kind_display()}",
                 changes={"household": household.pk, "kind": change.kind, "payload": payload, "note": note,
                          "requested_by": change.requested_by_id,
                          **({"publicity": publicity.pk} if publicity is not None else {})})
    return change


@writes
def change_reject(*, actor, change: ChangeRequest | int, version, note: str, ip: str | None = None) -> ChangeRequest:
    """Reject a change request (驳回) as a second person of the office, saying why; nothing is applied."""
    change = _load_change(actor, change)
    _decider(actor, change)
    note = _words(note, field="note", label=_("驳回理由"), low=NOTE_MIN, high=NOTE_MAX)
    _decide(change, version=version, status=ChangeStatus.REJECTED, actor=actor, note=note)
    writes.audit(action="compensation.change_reject", obj=change,
                 object_repr=f"{change.household} · {change.get_kind_display()}",
                 changes={"household": change.household_id, "kind": change.kind, "note": note,
                          "requested_by": change.requested_by_id})
    return change


__all__ = ["ACTION_LABELS", "KIND_OPS", "applying", "case_inputs", "change_approve", "change_reject", "change_request",
           "calculation_basis", "check_evidence", "clean_payload", "guard_inputs", "inputs_refusal", "published_on",
           "snapshot"]
