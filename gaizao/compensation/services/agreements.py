"""Compensation agreements (补偿协议, 国有土地上房屋征收与补偿条例 §25): generated, edited while a draft, signed.

An agreement is generated from the household's current calculation (补偿测算): its option, every line item
and the total are copied into the row and sealed with an SM3 digest, so that nothing done to the scheme or
the calculation afterwards reaches it. The terms §25 also lists are written beside them: payment terms
(支付方式和期限, from a template), the swap flat's location and area (产权调换), the moving deadline (搬迁期限)
and the transition period (过渡期限).

While it is a draft it may be regenerated from a newer calculation (the old draft is voided, kept, and a new
one numbered) and its terms edited. Recording the signature (签约) gives it the signing date and the project's
next signing order number (签约顺序号: 1, 2, 3 … in the order signatures are recorded, without gaps) and is the
household's 签约 stage event, in the same transaction. A signed agreement is never changed again: its amounts
and terms are refused on every path, and voiding a signed agreement is not offered (a dispute after signing
goes to the legal path, not to an edit).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.compensation.choices import AgreementStatus, Option
from gaizao.compensation.models import Agreement, Calculation
from gaizao.compensation.policies.agreements import agreement_can_write
from gaizao.core.actors import as_user, is_system
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import conditional_update, full_clean, parse_date, stale
from gaizao.core.writes import writes
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household, Project

ACTION_LABELS = {
    "compensation.agreement_generate": gettext_lazy("补偿协议：生成"),
    "compensation.agreement_void": gettext_lazy("补偿协议：作废草稿"),
    "compensation.agreement_update": gettext_lazy("补偿协议：修改条款"),
    "compensation.agreement_sign": gettext_lazy("补偿协议：签约"),
}
PAYMENT_DAYS = 15  # 协议生效后 N 日内支付 (the template's default)
MOVE_DAYS = 30  # the moving deadline's default: this many days after the signing period ends (or today)
MAX_TRANSITION_MONTHS = 120
AMOUNT_FIELDS = ("items", "total", "swap_area", "option")
TERM_FIELDS = ("payment_terms", "swap_flat", "move_deadline", "transition_months")
SWAP_OPTIONS = (Option.SWAP, Option.MIXED)


def today() -> dt.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------------------ rules

def payment_terms_default(option: str, *, days: int = PAYMENT_DAYS) -> str:
    """The payment clause a new agreement starts from (the office edits it while it is a draft)."""
    text = _("本协议生效之日起%(n)d日内，甲方将本协议约定的货币补偿款及各项费用一次性支付至乙方指定的银行账户；"
             "乙方按期搬迁腾空并经甲方验收后，甲方于%(n)d日内支付搬迁奖励。") % {"n": days}
    if option in SWAP_OPTIONS:
        text += _("产权调换房屋价值与被征收房屋价值的差价，在调换房屋交付时按本协议约定结清。")
    return text


def move_deadline_default(project: Project) -> dt.date:
    """搬迁期限 by default: MOVE_DAYS after the signing period ends (after today when it has ended or is unset)."""
    base = today()
    if project.signing_end and project.signing_end > base:
        base = project.signing_end
    return base + dt.timedelta(days=MOVE_DAYS)


def lines_of(items) -> list[dict]:
    """The line items of a calculation's ``items`` (the list itself, or the calculator's whole JSON)."""
    if isinstance(items, dict):
        items = items.get("items") or []
    return [dict(line) for line in items or []]


def transition_months_of(lines: list[dict]) -> int:
    """The transition period the scheme used (an input named ``transition_months``), else 0."""
    for line in lines:
        value = (line.get("inputs") or {}).get("transition_months")
        if value not in (None, ""):
            try:
                months = int(Decimal(str(value)))
            except (ArithmeticError, ValueError):
                continue
            if 0 <= months <= MAX_TRANSITION_MONTHS:
                return months
    return 0


def content_of(agreement: Agreement) -> dict:
    """What the digest seals: everything the agreement says, as it was generated (no signing facts)."""
    return {
        "number": agreement.number, "household": agreement.household_id, "project": agreement.project_id,
        "calculation": agreement.calculation_id, "option": agreement.option, "items": agreement.items,
        "total": str(agreement.total), "swap_area": None if agreement.swap_area is None else str(agreement.swap_area),
        "swap_flat": agreement.swap_flat, "payment_terms": agreement.payment_terms,
        "move_deadline": agreement.move_deadline.isoformat(), "transition_months": agreement.transition_months,
        "parties": agreement.parties,
    }


def parties_of(household: Household, project: Project) -> dict:
    """What the agreement prints of its parties and its project, frozen when it is made (``Agreement.parties``)."""
    from gaizao.compensation.agreement_doc import effectiveness_condition

    return {"project_name": project.name, "project_code": project.code, "household_number": household.number,
            "head_name": household.head_name, "address": household.address,
            "condition": effectiveness_condition(project)}


def digest_of(agreement: Agreement) -> str:
    """SM3 over the frozen content (canonical JSON): a row whose digest differs was changed behind the services."""
    text = json.dumps(content_of(agreement), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return sm3_hex(text.encode())


def digest_holds(agreement: Agreement) -> bool:
    return agreement.digest == digest_of(agreement)


def signed_refusal(agreement: Agreement, *, what: str = "") -> AppError:
    """The one refusal of any change to a signed agreement."""
    what = what or _("金额")
    return Conflict(_("协议已于 %(d)s 签订（签约顺序号 %(n)s），%(w)s不可修改。") % {
        "d": agreement.signed_on, "n": agreement.order_no, "w": what})


def _period_text(project: Project) -> str:
    return _("%(s)s至%(e)s") % {"s": project.signing_start or _("（未定）"), "e": project.signing_end or _("（未定）")}


def check_signed_on(household: Household, project: Project, value) -> dt.date:
    """签约日期: a date, not after today, within the project's signing period when it has one (a household
    under a 补偿决定 may still settle and sign after it: progress lets that through, and so does this)."""
    on = parse_date(value, field="signed_on", label=_("签约日期"))
    if on > today():
        raise AppError(_("签约日期 %(d)s 晚于今天（%(t)s），不能预先登记签约。") % {"d": on, "t": today()},
                       fields={"signed_on": _("不能晚于今天")})
    if household.decision_on:
        return on
    if (project.signing_start and on < project.signing_start) or (project.signing_end and on > project.signing_end):
        raise AppError(_("签约日期 %(d)s 不在本项目签约期（%(p)s）内。") % {"d": on, "p": _period_text(project)},
                       fields={"signed_on": _("不在签约期内")})
    return on


def _clean_terms(*, option: str, project: Project, payment_terms, swap_flat, move_deadline, transition_months,
                 lines: list[dict], kept_deadline: dt.date | None = None) -> dict:
    """The terms as given (or their defaults), checked field by field: every bad one named at once."""
    errors: dict[str, str] = {}
    terms = (payment_terms or "").strip() or payment_terms_default(option)
    flat = (swap_flat or "").strip()
    if flat and option not in SWAP_OPTIONS:
        errors["swap_flat"] = _("货币补偿的协议没有产权调换房屋，请留空")
    deadline = move_deadline_default(project)
    if move_deadline not in (None, ""):
        try:
            deadline = parse_date(move_deadline, field="move_deadline", label=_("搬迁期限"))
        except AppError as exc:
            errors.update(exc.fields)
        else:
            if deadline < today() and deadline != kept_deadline:  # a draft's own deadline is not asked again
                errors["move_deadline"] = _("搬迁期限 %(d)s 早于今天") % {"d": deadline}
    if transition_months in (None, ""):  # money has no transition period; a swap's is the scheme's
        months = 0 if option == Option.MONEY else transition_months_of(lines)
    else:
        months = transition_months
    try:
        months = int(months)
    except (TypeError, ValueError):
        errors["transition_months"] = _("过渡期限须为整数（月）")
    else:
        if not 0 <= months <= MAX_TRANSITION_MONTHS:
            errors["transition_months"] = _("过渡期限须在 0 至 %(m)d 个月之间") % {"m": MAX_TRANSITION_MONTHS}
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)
    return {"payment_terms": terms, "swap_flat": flat, "move_deadline": deadline, "transition_months": months}


def _next_number(project: Project) -> str:
    """协议编号 <项目编码>-XY-<seq>: seq counts the project's agreements, void drafts included (never reused)."""
    seq = Agreement.objects.filter(project=project).count() + 1
    while Agreement.objects.filter(number=f"{project.code}-XY-{seq:04d}").exists():
        seq += 1
    return f"{project.code}-XY-{seq:04d}"


def _load_household(actor, household) -> Household:
    pk = household if isinstance(household, int) else getattr(household, "pk", household)
    found = Household.objects.select_related("project", "project__village").filter(pk=pk).first()
    if found is None or (not is_system(actor) and not agreement_can_write(actor, found)):
        raise NotFound(_("住户不存在或无权操作。"))
    return found


def _load_agreement(actor, agreement) -> Agreement:
    """The agreement as stored now, locked for the write (PostgreSQL), if the actor may write it; else 404."""
    pk = agreement if isinstance(agreement, int) else getattr(agreement, "pk", agreement)
    found = (Agreement.objects.select_for_update(of=("self",))
             .select_related("household", "project", "project__village").filter(pk=pk).first())
    if found is None or (not is_system(actor) and not agreement_can_write(actor, found.household)):
        raise NotFound(_("补偿协议不存在或无权操作。"))
    return found


def _calculation(household: Household, option: str | None) -> Calculation:
    from gaizao.compensation.selectors.agreements import calculation_for

    if option and option not in Option.values:
        raise AppError(_("补偿方式「%(o)s」不存在。") % {"o": option}, fields={"option": _("须为货币补偿、产权调换或两者结合")})
    found = calculation_for(household, option or None)
    if found is None:
        what = Option(option).label if option else ""
        raise AppError(_("住户 %(h)s 尚无%(o)s补偿测算，请先测算再生成协议。") % {"h": household.number, "o": what},
                       fields={"calculation": _("没有测算")})
    return found


# ------------------------------------------------------------------------------------------ writes

@writes
def agreement_generate(*, actor, household: Household | int, option: str | None = None, payment_terms: str = "",
                       swap_flat: str = "", move_deadline=None, transition_months=None,
                       ip: str | None = None) -> Agreement:
    """Generate the household's agreement from its current calculation (of ``option``, else the latest of any),
    its amounts frozen in the row. A draft there is is voided and replaced (regenerating from a newer
    calculation); the same calculation with the same terms returns the draft unchanged. A signed agreement is
    refused: its amounts are never changed."""
    row = _load_household(actor, household)
    live = (Agreement.objects.select_for_update(of=("self",)).filter(household=row)
            .exclude(status=AgreementStatus.VOID).first())
    if live is not None and live.status == AgreementStatus.SIGNED:
        raise signed_refusal(live)
    calculation = _calculation(row, option)
    lines = lines_of(calculation.items)
    given = {"payment_terms": payment_terms, "swap_flat": swap_flat, "move_deadline": move_deadline,
             "transition_months": transition_months}
    if live is not None and live.option == calculation.option:  # a draft's terms carry over unless given anew
        for key, value in given.items():
            kept = getattr(live, key)
            if value in (None, "") and not (key == "move_deadline" and kept < today()):
                given[key] = kept
    terms = _clean_terms(option=calculation.option, project=row.project, lines=lines, **given)
    if live is not None:
        same = live.calculation_id == calculation.pk and all(getattr(live, k) == v for k, v in terms.items())
        if same:
            return live
        _void(live, reason=_("重新生成"))
    agreement = Agreement(household=row, project=row.project, calculation=calculation, number=_next_number(row.project),
                          option=calculation.option, items=lines, total=calculation.total,
                          swap_area=calculation.swap_area if calculation.option in SWAP_OPTIONS else None,
                          status=AgreementStatus.DRAFT, digest="-", parties=parties_of(row, row.project), **terms,
                          created_by=as_user(actor) if getattr(actor, "pk", None) else None)
    agreement.digest = digest_of(agreement)
    full_clean(agreement)
    agreement.save(force_insert=True)
    writes.audit(action="compensation.agreement_generate", obj=agreement, changes={
        "number": agreement.number, "household": row.number, "calculation": calculation.pk,
        "option": agreement.option, "total": str(agreement.total),
        "swap_area": None if agreement.swap_area is None else str(agreement.swap_area),
        **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in terms.items()},
        "digest": agreement.digest, **({"replaces": live.number} if live is not None else {})})
    return agreement


def _void(agreement: Agreement, *, reason: str) -> None:
    """A draft goes void (kept, never deleted), inside the write that replaces it."""
    if Agreement.objects.filter(pk=agreement.pk, status=AgreementStatus.DRAFT).update(
            status=AgreementStatus.VOID, version=agreement.version + 1, updated_at=timezone.now()) != 1:
        raise stale(agreement)
    writes.audit(action="compensation.agreement_void", obj=agreement,
                 changes={"status": [AgreementStatus.DRAFT, AgreementStatus.VOID], "reason": reason})
    agreement.status = AgreementStatus.VOID


@writes
def agreement_update(*, actor, agreement: Agreement | int, version: int | None = None, ip: str | None = None,
                     **changes) -> Agreement:
    """Edit a draft's terms (payment terms, swap flat, moving deadline, transition period). Amounts come from
    the calculation and are never edited here: a draft is regenerated from a newer calculation, a signed
    agreement refuses everything."""
    unknown = set(changes) - set(TERM_FIELDS) - set(AMOUNT_FIELDS)
    if unknown:
        raise TypeError(f"agreement_update cannot change {sorted(unknown)}")
    current = _load_agreement(actor, agreement)
    amounts = [k for k in AMOUNT_FIELDS if k in changes]
    if current.status == AgreementStatus.SIGNED:
        raise signed_refusal(current, what=_("金额") if amounts else _("协议内容"))
    if current.status == AgreementStatus.VOID:
        raise Conflict(_("协议 %(n)s 已作废，不能修改。") % {"n": current.number})
    if version is not None and version != current.version:
        raise stale(current, version=version)
    if amounts:
        raise AppError(_("协议金额来自补偿测算，不能直接修改；测算变更后请重新生成协议。"),
                       fields={k: _("不能直接修改") for k in amounts})
    given = {k: changes[k] for k in TERM_FIELDS if k in changes}
    merged = {k: getattr(current, k) for k in TERM_FIELDS} | given
    terms = _clean_terms(option=current.option, project=current.project, lines=current.items,
                         kept_deadline=current.move_deadline, **merged)
    changed = {k: v for k, v in terms.items() if getattr(current, k) != v}
    if not changed:
        return current
    before = {k: getattr(current, k) for k in changed}
    for k, v in changed.items():
        setattr(current, k, v)
    current.digest = digest_of(current)
    full_clean(current)
    current.version = conditional_update(Agreement, pk=current.pk, version=current.version,
                                         values={**changed, "digest": current.digest},
                                         extra_filter=Q(status=AgreementStatus.DRAFT), what=current)
    writes.audit(action="compensation.agreement_update", obj=current, changes={
        **{k: [_plain(before[k]), _plain(v)] for k, v in changed.items()}, "digest": current.digest})
    return current


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _next_order_no(project_id: int) -> int:
    return (Agreement.objects.filter(project_id=project_id).aggregate(m=Max("order_no"))["m"] or 0) + 1


@writes
def agreement_sign(*, actor, agreement: Agreement | int, signed_on, version: int | None = None, note: str = "",
                   ip: str | None = None) -> Agreement:
    """Record the signature (签约): the signing date, the project's next signing order number, and the household's
    签约 stage event (progress), all in one transaction; whatever progress refuses (not yet valued, withdrawn …)
    refuses the signature too, and nothing is written. A household whose 签约 was recorded before its agreement
    existed (by hand, a progress import) has its agreement signed on that same date, the event not recorded twice."""
    current = _load_agreement(actor, agreement)
    if current.status == AgreementStatus.SIGNED:
        raise Conflict(_("住户 %(h)s 的补偿协议 %(n)s 已于 %(d)s 签订（签约顺序号 %(o)s），不能重复签约。") % {
            "h": current.household.number, "n": current.number, "d": current.signed_on, "o": current.order_no})
    if current.status == AgreementStatus.VOID:
        raise Conflict(_("协议 %(n)s 已作废，不能签约；请在住户页面重新生成协议。") % {"n": current.number})
    if version is not None and version != current.version:
        raise stale(current, version=version)
    household, project = current.household, current.project
    on = check_signed_on(household, project, signed_on)
    if household.signed_on is not None and household.signed_on != on:
        # The household's 签约 was recorded before its agreement (by hand, or a progress import): the agreement
        # takes that date; another one is a correction of the event first.
        raise AppError(_("住户 %(h)s 已于 %(e)s 记录「签约」，协议的签约日期须与之相同；日期有误请先更正进度记录。") % {
            "h": household.number, "e": household.signed_on}, fields={"signed_on": _("与已记录的签约日期不同")})
    if current.move_deadline < on:
        raise AppError(_("协议的搬迁期限 %(m)s 早于签约日期 %(d)s：请先修改协议的搬迁期限。") % {
            "m": current.move_deadline, "d": on}, fields={"move_deadline": _("早于签约日期")})
    if current.option in SWAP_OPTIONS and not current.swap_flat.strip():
        raise AppError(_("产权调换的协议须写明调换房屋的位置，方可签约。"), fields={"swap_flat": _("必填")})
    if not Calculation.objects.filter(pk=current.calculation_id, current=True).exists():
        raise Conflict(_("住户 %(h)s 的补偿测算已更新，协议 %(n)s 的金额不再是最新测算结果；请重新生成协议后再签约。")
                       % {"h": household.number, "n": current.number})
    if digest_of(current) != current.digest:
        raise Conflict(_("协议 %(n)s 的内容与生成时的摘要不符，不能签约；请重新生成协议。") % {"n": current.number})
    # One signer per project at a time: the project's row is the lock (PostgreSQL; SQLite has one writer), so
    # max + 1 is read and written with no other signature between; the unique (project, order_no) backs it.
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()
    order_no = _next_order_no(project.pk)
    signer = as_user(actor) if getattr(actor, "pk", None) else None
    current.version = conditional_update(
        Agreement, pk=current.pk, version=current.version, what=current, extra_filter=Q(status=AgreementStatus.DRAFT),
        values={"status": AgreementStatus.SIGNED, "signed_on": on, "order_no": order_no,
                "signed_recorded_by_id": getattr(signer, "pk", None)})
    current.status, current.signed_on, current.order_no, current.signed_recorded_by = (
        AgreementStatus.SIGNED, on, order_no, signer)
    recorded = household.signed_on is not None  # 签约 already recorded on the household (by hand, an import)
    writes.audit(action="compensation.agreement_sign", obj=current, changes={
        "status": [AgreementStatus.DRAFT, AgreementStatus.SIGNED], "signed_on": on.isoformat(), "order_no": order_no,
        "total": str(current.total), "digest": current.digest, **({"event": "recorded_before"} if recorded else {})})
    if recorded:
        return current
    from gaizao.progress.services.events import household_record_event

    household_record_event(actor=actor, household=household.pk, kind=Stage.SIGNED, on_date=on, ip=ip,
                           note=(note or _("签订补偿协议 %(n)s（签约顺序号 %(o)d）") % {"n": current.number, "o": order_no}))
    return current
