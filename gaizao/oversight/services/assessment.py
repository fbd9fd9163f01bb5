"""Assessment writes (考核): schemes and their indicators, bonus and penalty items, publishing a period's
score sheet (a frozen snapshot), recomputing it as a new version with the difference and a reason, and
the commendation and accountability proposals the rankings make, confirmed or rejected with a reason.

A published sheet's ``rows`` (what the bulletin and the leader's page read), sorted by rank::

    {"unit_id", "unit", "total" (str), "rank", "grade", "grade_label", "list" ("red"|"yellow"|"black"|""),
     "indicators": [{"indicator_id", "name", "weight", "source", "value" (str|None), "missing",
                     "inputs", "score", "explain", "link"}],
     "adjustments": [{"points", "reason", "document_number"}], "adjustment_total"}

A missing indicator scores 0 in the total and is marked missing (数据缺失), never shown as a value of 0.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import as_user, is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.expressions import ExpressionError
from gaizao.core.services import conditional_update, full_clean, stale
from gaizao.core.writes import writes
from gaizao.oversight import periods, scoring, sources
from gaizao.oversight.choices import (ACCOUNTABILITY_MEASURES, COMMENDATION_MEASURES, Assessed, MissingRule,
                                      PeriodKind, ProposalKind, ProposalStatus, RecordKind, SchemeStatus, SheetStatus)
from gaizao.oversight.models import Adjustment, Indicator, Proposal, Record, Scheme, ScoreSheet
from gaizao.oversight.policies.assessment import assessment_can_write

MAX_INDICATORS = 30
REASON_MIN = 4
SCHEME_FIELDS = {"name", "assessed", "period_kind", "total", "excellent_min", "good_min", "pass_min", "commend_runs",
                 "account_runs", "missing_rule"}


def _office(actor) -> bool:
    return is_system(actor) or assessment_can_write(actor)


def _require_office(actor) -> None:
    if not _office(actor):
        raise NotFound(_("不存在或无权操作。"))


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        out = Decimal(str(value).strip())
        if not out.is_finite():
            raise InvalidOperation
        return out
    except (InvalidOperation, ValueError, TypeError):
        raise AppError(_("%(l)s「%(v)s」不是数字。") % {"l": label, "v": value}, fields={field: _("不是数字")}) from None


def _check_version(obj, version) -> None:
    if version is None or version == "" or isinstance(version, bool):
        raise AppError(_("缺少版本号 version：请先读取，再带着读取到的版本号提交。"), fields={"version": _("必填")})
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise AppError(_("版本号 version 须为整数。"), fields={"version": _("须为整数")}) from None
    if version != obj.version:
        raise stale(obj, version=version)


def _check_thresholds(scheme: Scheme) -> None:
    if not scheme.pass_min <= scheme.good_min <= scheme.excellent_min <= scheme.total:
        raise AppError(_("等次分数线应为：合格 ≤ 良好 ≤ 优秀 ≤ 总分（现为 %(p)s、%(g)s、%(e)s，总分 %(t)s）。") % {
            "p": scoring.fmt(scheme.pass_min), "g": scoring.fmt(scheme.good_min),
            "e": scoring.fmt(scheme.excellent_min),
            "t": scoring.fmt(scheme.total)}, fields={"excellent_min": _("分数线顺序有误")})


def _check_sum(total: Decimal, weights: list[Decimal]) -> None:
    got = sum(weights, Decimal(0))
    if got != total:
        raise AppError(_("各指标分值合计 %(s)s，应为 %(t)s。") % {"s": scoring.fmt(got), "t": scoring.fmt(total)},
                       fields={"weight": _("合计 %(s)s，应为 %(t)s") % {"s": scoring.fmt(got), "t": scoring.fmt(total)}})


def _indicator_rows(scheme: Scheme, rows) -> list[Indicator]:
    """Check a grid of indicators (each row's errors name the row); nothing is written here."""
    if not isinstance(rows, (list, tuple)) or not rows:
        raise AppError(_("请至少填写一项考核指标。"), fields={"indicators": _("必填")})
    if len(rows) > MAX_INDICATORS:
        raise AppError(_("考核指标最多 %d 项。") % MAX_INDICATORS, fields={"indicators": _("过多")})
    out = []
    for i, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        where = _("第 %(i)d 行（%(n)s）") % {"i": i, "n": name or _("未命名")}
        if not name:
            raise AppError(_("第 %d 行：请填写指标名称。") % i, fields={f"indicators-{i}-name": _("必填")})
        weight = _decimal(row.get("weight"), field=f"indicators-{i}-weight", label=_("%s分值") % where)
        if weight < 0:
            raise AppError(_("%s：分值不能为负数。") % where, fields={f"indicators-{i}-weight": _("不能为负数")})
        source = sources.get(str(row.get("source") or ""))
        if source is None:
            raise AppError(_("%(w)s：数据来源「%(s)s」不在目录中。") % {"w": where, "s": row.get("source") or ""},
                           fields={f"indicators-{i}-source": _("不在目录中")})
        params = row.get("params") or {}
        if not isinstance(params, dict):
            raise AppError(_("%s：来源参数应为键值对。") % where, fields={f"indicators-{i}-params": _("格式有误")})
        for key, label, allowed in source.params:
            if key in params and params[key] not in (None, "") and params[key] not in [c[0] for c in allowed]:
                raise AppError(_("%(w)s：%(l)s「%(v)s」不是可选的值。") % {"w": where, "l": label, "v": params[key]},
                               fields={f"indicators-{i}-params": _("不是可选的值")})
        rule = str(row.get("rule") or "linear")
        rule_params = row.get("rule_params") or {}
        if not isinstance(rule_params, dict):
            raise AppError(_("%s：计分参数应为键值对。") % where, fields={f"indicators-{i}-rule_params": _("格式有误")})
        expression = str(row.get("expression") or "").strip() if rule == "expression" else ""
        try:
            scoring.check(rule=rule, params=rule_params, expression=expression, weight=weight,
                          input_names=source.inputs, where=where)
        except ExpressionError as exc:
            raise ExpressionError(exc.message, field=f"indicators-{i}-expression", position=exc.position) from None
        except AppError as exc:
            raise AppError(exc.message, fields={f"indicators-{i}-{k}": v for k, v in exc.fields.items()}) from None
        indicator = Indicator(scheme=scheme, order=i, name=name, weight=weight, source=source.key, params=params,
                              rule=rule, rule_params=rule_params, expression=expression)
        full_clean(indicator, exclude=["scheme"])
        out.append(indicator)
    return out


@writes
def scheme_create(*, actor, campaign, name: str, assessed: str = Assessed.STREET, period_kind: str = PeriodKind.MONTH,
                  total="100", excellent_min="90", good_min="80", pass_min="60", commend_runs=2, account_runs=2,
                  missing_rule: str = MissingRule.RESCALE, indicators=None, ip: str | None = None) -> Scheme:
    """Draw up an assessment scheme (制定考核办法); with ``indicators`` their weights must sum to the total."""
    _require_office(actor)
    scheme = Scheme(campaign=campaign, name=str(name or "").strip(), assessed=assessed, period_kind=period_kind,
                    total=_decimal(total, field="total", label=_("总分")),
                    excellent_min=_decimal(excellent_min, field="excellent_min", label=_("优秀分数线")),
                    good_min=_decimal(good_min, field="good_min", label=_("良好分数线")),
                    pass_min=_decimal(pass_min, field="pass_min", label=_("合格分数线")),
                    commend_runs=commend_runs, account_runs=account_runs, missing_rule=missing_rule,
                    created_by=as_user(actor))
    if not scheme.name:
        raise AppError(_("请填写考核办法名称。"), fields={"name": _("必填")})
    full_clean(scheme)
    _check_thresholds(scheme)
    rows = _indicator_rows(scheme, indicators) if indicators else []
    if rows:
        _check_sum(scheme.total, [r.weight for r in rows])
    scheme.save(force_insert=True)
    for row in rows:
        row.scheme = scheme
    Indicator.objects.bulk_create(rows)
    writes.audit(action="oversight.scheme_create", obj=scheme, changes={
        "name": scheme.name, "assessed": scheme.assessed, "period_kind": scheme.period_kind,
        "total": scheme.total, "indicators": [f"{r.name} {scoring.fmt(r.weight)}" for r in rows]})
    return scheme


@writes
def scheme_update(*, actor, scheme: Scheme, version, ip: str | None = None, **changes) -> Scheme:
    """Change a scheme's name, period, total, grade lines or proposal rules; a new total must still be
    the sum of its indicators' weights."""
    unknown = set(changes) - SCHEME_FIELDS
    if unknown:
        raise TypeError(f"scheme_update cannot change {sorted(unknown)}")
    _require_office(actor)
    current = Scheme.objects.get(pk=scheme.pk)
    _check_version(current, version)
    for key in ("total", "excellent_min", "good_min", "pass_min"):
        if key in changes:
            changes[key] = _decimal(changes[key], field=key, label=str(Scheme._meta.get_field(key).verbose_name))
    if "name" in changes:
        changes["name"] = str(changes["name"] or "").strip()
        if not changes["name"]:
            raise AppError(_("请填写考核办法名称。"), fields={"name": _("必填")})
    if ("period_kind" in changes or "assessed" in changes) and ScoreSheet.objects.filter(scheme=current).exists():
        if changes.get("period_kind", current.period_kind) != current.period_kind or \
                changes.get("assessed", current.assessed) != current.assessed:
            raise AppError(_("已发布考核结果的办法不能再改考核周期或考核对象；请另行制定新办法。"),
                           fields={"period_kind": _("已有考核结果")})
    before = {k: getattr(current, k) for k in changes}
    for key, value in changes.items():
        setattr(current, key, value)
    full_clean(current)
    _check_thresholds(current)
    weights = list(current.indicators.values_list("weight", flat=True))
    if weights:
        _check_sum(current.total, weights)
    values = {Scheme._meta.get_field(k).attname: v for k, v in changes.items()}
    current.version = conditional_update(Scheme, pk=current.pk, version=current.version, values=values, what=current)
    writes.audit(action="oversight.scheme_update", obj=current,
                 changes={k: [before[k], changes[k]] for k in changes if before[k] != changes[k]})
    return current


@writes
def indicators_set(*, actor, scheme: Scheme, version, rows, ip: str | None = None) -> Scheme:
    """Set a scheme's indicators (the grid, 考核指标): all rows at once, weights summing to the total,
    each source in the catalogue, each rule's parameters checked and each formula compiled here (an
    unknown name or a division by zero refused with its position and row)."""
    _require_office(actor)
    current = Scheme.objects.get(pk=scheme.pk)
    _check_version(current, version)
    checked = _indicator_rows(current, rows)
    _check_sum(current.total, [r.weight for r in checked])
    before = [f"{i.name} {scoring.fmt(i.weight)}" for i in current.indicators.order_by("order", "id")]
    current.indicators.all().delete()
    Indicator.objects.bulk_create(checked)
    current.version = conditional_update(Scheme, pk=current.pk, version=current.version, values={}, what=current)
    writes.audit(action="oversight.indicators_set", obj=current, changes={
        "indicators": [before, [f"{i.name} {scoring.fmt(i.weight)}" for i in checked]]})
    return current


@writes
def scheme_activate(*, actor, scheme: Scheme, version, ip: str | None = None) -> Scheme:
    """Put a scheme in force (施行): it needs indicators whose weights sum to the total."""
    _require_office(actor)
    current = Scheme.objects.get(pk=scheme.pk)
    _check_version(current, version)
    weights = list(current.indicators.values_list("weight", flat=True))
    if not weights:
        raise AppError(_("考核办法还没有考核指标，不能施行。"), fields={"indicators": _("必填")})
    _check_sum(current.total, weights)
    current.version = conditional_update(Scheme, pk=current.pk, version=current.version,
                                         values={"status": SchemeStatus.ACTIVE}, what=current)
    current.status = SchemeStatus.ACTIVE
    writes.audit(action="oversight.scheme_activate", obj=current, changes={"status": SchemeStatus.ACTIVE})
    return current


@writes
def adjustment_add(*, actor, scheme: Scheme, period: str, unit, points, reason: str, document_number: str = "",
                   document=None, ip: str | None = None) -> Adjustment:
    """A bonus or penalty item (加减分) for one unit and period, with its reason and its document (a number
    or a file). It counts at the next publication or recomputation of that period."""
    _require_office(actor)
    period = periods.normalise(period, kind=scheme.period_kind)
    unit_id = getattr(unit, "pk", unit)
    if not any(u.pk == _int(unit_id) for u in scoring.assessed_units(scheme)):
        raise AppError(_("所选单位不是本办法的考核对象。"), fields={"unit": _("不是考核对象")})
    value = _decimal(points, field="points", label=_("加减分"))
    if value == 0:
        raise AppError(_("加减分不能为 0。"), fields={"points": _("不能为 0")})
    if abs(value) > scheme.total:
        raise AppError(_("加减分 %(p)s 超过总分 %(t)s。") % {"p": scoring.fmt(value), "t": scoring.fmt(scheme.total)},
                       fields={"points": _("超过总分")})
    reason = str(reason or "").strip()
    if len(reason) < REASON_MIN:
        raise AppError(_("请写明加减分事由（至少 %d 个字）。") % REASON_MIN, fields={"reason": _("至少 %d 个字") % REASON_MIN})
    document_number = str(document_number or "").strip()
    if not document_number and not document:
        raise AppError(_("请填写依据文号，或上传依据文件。"), fields={"document_number": _("文号或文件须有一项")})
    item = Adjustment(scheme=scheme, period=period, unit_id=_int(unit_id), points=value, reason=reason,
                      document_number=document_number, created_by=as_user(actor))
    if document:
        item.document = document
    full_clean(item)
    item.save(force_insert=True)
    writes.audit(action="oversight.adjustment_add", obj=item, changes={
        "scheme": scheme.pk, "period": period, "unit": item.unit_id, "points": value, "reason": reason,
        "document_number": document_number})
    return item


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AppError(_("请选择单位。"), fields={"unit": _("必选")}) from None


def _check_publishable(scheme: Scheme, period: str, today: dt.date) -> tuple[str, dt.date, dt.date]:
    period = periods.normalise(period, kind=scheme.period_kind)
    starts_on, ends_on = periods.period_range(period)
    if starts_on > today:
        raise AppError(_("考核期 %(p)s 尚未开始，不能发布。") % {"p": periods.label(period)},
                       fields={"period": _("尚未开始")})
    if not scheme.indicators.exists():
        raise AppError(_("考核办法还没有考核指标。"), fields={"indicators": _("必填")})
    return period, starts_on, ends_on


@writes
def sheet_publish(*, actor, scheme: Scheme, period: str, today: dt.date | None = None,
                  ip: str | None = None) -> ScoreSheet:
    """Publish a period's results (发布考核结果): compute every unit's scores now and freeze them. A period
    already published is recomputed instead (``sheet_recompute``, with a reason). Proposals follow."""
    _require_office(actor)
    today = today or timezone.localdate()
    period, starts_on, ends_on = _check_publishable(scheme, period, today)
    if scheme.status != SchemeStatus.ACTIVE:
        raise AppError(_("考核办法「%s」尚未施行，不能发布结果。") % scheme.name, fields={"status": _("尚未施行")})
    if ScoreSheet.objects.filter(scheme=scheme, period=period).exists():
        raise AppError(_("%(p)s 的考核结果已发布；如需更正请重新计算并写明原因。") % {"p": periods.label(period)},
                       fields={"period": _("已发布")})
    rows = scoring.compute_rows(scheme, period)
    sheet = ScoreSheet(scheme=scheme, period=period, starts_on=starts_on, ends_on=ends_on, version=1,
                       status=SheetStatus.PUBLISHED, rows=rows, published_by=as_user(actor))
    full_clean(sheet)
    sheet.save(force_insert=True)
    writes.audit(action="oversight.sheet_publish", obj=sheet, changes={
        "scheme": scheme.pk, "period": period, "version": 1,
        "ranking": [f"{r['rank']} {r['unit']} {r['total']}" for r in rows]})
    proposals_generate(actor=actor, scheme=scheme)
    return sheet


def sheet_diff(before: list[dict], after: list[dict]) -> list[dict]:
    """Per unit whose total, rank or any indicator's score changed: before and after."""
    old = {r["unit_id"]: r for r in before}
    out = []
    for row in after:
        was = old.get(row["unit_id"])
        if was is None:
            out.append({"unit_id": row["unit_id"], "unit": row["unit"], "total_before": None,
                        "total_after": row["total"], "rank_before": None, "rank_after": row["rank"], "indicators": []})
            continue
        scores = {i["indicator_id"]: i for i in was["indicators"]}
        changed = [{"indicator_id": i["indicator_id"], "name": i["name"],
                    "score_before": scores.get(i["indicator_id"], {}).get("score"), "score_after": i["score"],
                    "value_before": scores.get(i["indicator_id"], {}).get("value"), "value_after": i["value"]}
                   for i in row["indicators"] if scores.get(i["indicator_id"], {}).get("score") != i["score"]
                   or scores.get(i["indicator_id"], {}).get("value") != i["value"]]
        if changed or was["total"] != row["total"] or was["rank"] != row["rank"] or \
                was["adjustment_total"] != row["adjustment_total"]:
            out.append({"unit_id": row["unit_id"], "unit": row["unit"], "total_before": was["total"],
                        "total_after": row["total"], "rank_before": was["rank"], "rank_after": row["rank"],
                        "adjustment_before": was["adjustment_total"], "adjustment_after": row["adjustment_total"],
                        "indicators": changed})
    return out


@writes
def sheet_recompute(*, actor, sheet: ScoreSheet, reason: str, ip: str | None = None) -> ScoreSheet:
    """Recompute a published period (重新计算): a new version with the reason and the difference from the one
    in force, which is superseded; later pages and documents read the new one."""
    _require_office(actor)
    current = ScoreSheet.objects.select_related("scheme", "scheme__campaign").get(pk=sheet.pk)
    if current.status != SheetStatus.PUBLISHED:
        raise AppError(_("这一版已被第 %(v)d 版之后的版本取代，请在现行版本上重新计算。") % {"v": current.version},
                       fields={"status": _("已被取代")})
    reason = str(reason or "").strip()
    if len(reason) < REASON_MIN:
        raise AppError(_("请写明重新计算的原因（至少 %d 个字）。") % REASON_MIN, fields={"reason": _("至少 %d 个字") % REASON_MIN})
    rows = scoring.compute_rows(current.scheme, current.period)
    if ScoreSheet.objects.filter(pk=current.pk, status=SheetStatus.PUBLISHED).update(
            status=SheetStatus.SUPERSEDED, updated_at=timezone.now()) != 1:
        raise stale(current)
    last = ScoreSheet.objects.filter(scheme=current.scheme, period=current.period).aggregate(v=Max("version"))["v"]
    new = ScoreSheet(scheme=current.scheme, period=current.period, starts_on=current.starts_on, ends_on=current.ends_on,
                     version=last + 1, status=SheetStatus.PUBLISHED, rows=rows, reason=reason,
                     diff=sheet_diff(current.rows, rows), published_by=as_user(actor))
    full_clean(new)
    new.save(force_insert=True)
    writes.audit(action="oversight.sheet_recompute", obj=new, changes={
        "period": new.period, "version": [current.version, new.version], "reason": reason,
        "changed": [f"{d['unit']} {d['total_before']}→{d['total_after']}" for d in new.diff]})
    proposals_generate(actor=actor, scheme=current.scheme)
    return new


def _runs(scheme: Scheme, runs: int, *, first: bool) -> list[tuple[int, list[str]]]:
    """Units at the top (or bottom) of the last ``runs`` published periods running: [(unit id, periods)]."""
    if runs <= 0:
        return []
    sheets = list(ScoreSheet.objects.filter(scheme=scheme, status=SheetStatus.PUBLISHED)
                  .order_by("-ends_on").values("period", "rows")[:runs])
    if len(sheets) < runs:
        return []
    keys = [s["period"] for s in sheets]
    for newer, older in zip(keys, keys[1:]):
        if periods.previous(newer) != older:  # not consecutive periods
            return []
    holders = None
    for s in sheets:
        rows = s["rows"]
        if len(rows) < 2:
            return []
        edge = min(r["rank"] for r in rows) if first else max(r["rank"] for r in rows)
        if not first and edge == min(r["rank"] for r in rows):  # everyone tied: nobody is last
            return []
        here = {r["unit_id"] for r in rows if r["rank"] == edge}
        holders = here if holders is None else holders & here
    return [(unit, sorted(keys)) for unit in sorted(holders or ())]


@writes
def proposals_generate(*, actor, scheme: Scheme, ip: str | None = None) -> list[Proposal]:
    """The rules' proposals after a publication: first place ``commend_runs`` periods running → a
    commendation proposal (表彰建议); last place ``account_runs`` running → an accountability proposal
    (问责建议). Once per run (the same unit and periods never proposed twice)."""
    made = []
    for kind, runs, first, words in (
            (ProposalKind.COMMENDATION, scheme.commend_runs, True, _("连续 %(n)d 期排名第一（%(p)s）")),
            (ProposalKind.ACCOUNTABILITY, scheme.account_runs, False, _("连续 %(n)d 期排名末位（%(p)s）"))):
        for unit_id, keys in _runs(scheme, runs, first=first):
            if Proposal.objects.filter(scheme=scheme, kind=kind, unit_id=unit_id, periods=keys).exists():
                continue
            proposal = Proposal(scheme=scheme, kind=kind, unit_id=unit_id, periods=keys,
                                reason=words % {"n": runs, "p": "、".join(periods.label(k) for k in keys)})
            full_clean(proposal)
            proposal.save(force_insert=True)
            writes.audit(action="oversight.proposal_make", obj=proposal, changes={
                "kind": kind, "unit": unit_id, "periods": keys, "reason": proposal.reason})
            made.append(proposal)
    return made


def _load_proposal(actor, proposal) -> Proposal:
    _require_office(actor)
    pk = getattr(proposal, "pk", proposal)
    found = Proposal.objects.select_related("unit", "scheme").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("建议不存在或无权操作。"))
    return found


def _decided(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.PROPOSED:
        raise AppError(_("该建议已%s，不能再次决定。") % proposal.get_status_display().removeprefix("已"),
                       fields={"status": proposal.get_status_display()})


@writes
def proposal_confirm(*, actor, proposal, version, measure: str, reason: str = "", document_number: str = "",
                     document=None, decided_on: dt.date | None = None, person=None,
                     ip: str | None = None) -> Record:
    """Confirm a proposal (确认建议): it becomes a commendation or accountability record with its measure,
    reason and document."""
    found = _load_proposal(actor, proposal)
    _check_version(found, version)
    _decided(found)
    from gaizao.oversight.services.records import record_create

    kind = RecordKind.COMMENDATION if found.kind == ProposalKind.COMMENDATION else RecordKind.ACCOUNTABILITY
    reason = str(reason or "").strip() or found.reason
    record = record_create(actor=actor, kind=kind, unit=found.unit, person=person, measure=measure, reason=reason,
                           decided_on=decided_on, document_number=document_number, document=document,
                           proposal=found, ip=ip)
    conditional_update(Proposal, pk=found.pk, version=found.version, what=found, values={
        "status": ProposalStatus.CONFIRMED, "decided_by_id": as_user(actor).pk if as_user(actor) else None,
        "decided_at": timezone.now(), "decision_reason": reason[:300]})
    writes.audit(action="oversight.proposal_confirm", obj=found, changes={"record": record.pk, "measure": measure,
                                                                          "reason": reason})
    return record


@writes
def proposal_reject(*, actor, proposal, version, reason: str, ip: str | None = None) -> Proposal:
    """Reject a proposal (否决建议) with a reason."""
    found = _load_proposal(actor, proposal)
    _check_version(found, version)
    _decided(found)
    reason = str(reason or "").strip()
    if len(reason) < REASON_MIN:
        raise AppError(_("请写明否决理由（至少 %d 个字）。") % REASON_MIN, fields={"reason": _("至少 %d 个字") % REASON_MIN})
    found.version = conditional_update(Proposal, pk=found.pk, version=found.version, what=found, values={
        "status": ProposalStatus.REJECTED, "decided_by_id": as_user(actor).pk if as_user(actor) else None,
        "decided_at": timezone.now(), "decision_reason": reason[:300]})
    found.status = ProposalStatus.REJECTED
    found.decision_reason = reason
    writes.audit(action="oversight.proposal_reject", obj=found, changes={"reason": reason})
    return found


__all__ = ["scheme_create", "scheme_update", "indicators_set", "scheme_activate", "adjustment_add", "sheet_publish",
           "sheet_recompute", "proposals_generate", "proposal_confirm", "proposal_reject", "sheet_diff",
           "COMMENDATION_MEASURES", "ACCOUNTABILITY_MEASURES"]
