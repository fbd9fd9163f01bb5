"""The holdout's legal path (补偿决定的法定程序): its steps, the windows, and what may come next.

A household without an agreement after the signing period gets an administrative decision: on state
land a 补偿决定 (国有土地上房屋征收与补偿条例 §26), on collective land a 责令交出土地决定
(土地管理法 §47 and its 实施条例 §62). From there the path is the same (§28; 行政强制法 §53–§58):

    作出决定 → 送达 (way and date) and 公告 → the household's windows, counted from service:
    行政复议 60 days (行政复议法 §20), 行政诉讼 6 months (行政诉讼法 §46), or 15 days from a
    reconsideration decision (行政诉讼法 §45) → 催告 (行政强制法 §54) once both windows passed with
    nothing pending → 申请人民法院强制执行, at least 10 days after the 催告 → 法院裁定 (准予 / 不准予执行)
    → 执行完毕.

A signature (和解签约) ends the path at any step; so does the household moving out by itself
(自行搬迁腾空); a decision revoked (撤销) on reconsideration or by a court ends it too (the
government may make a new decision: a new case), as does a court's refusal to enforce. A decision
record voided by a correction ends its case as 撤销记录.

Rules, not HTTP: ``windows``, ``allowed_next`` and ``refusal`` are read by the services (which
refuse), the household panel and the API (which show what may come next) alike. Each refusal is a
Chinese sentence naming the household and the rule.

Counting: the day of service is not counted (期间开始之日不计算在内), so the reconsideration window's
last day is service + 60 days; the litigation window's is the same day six months on, clamped to the
month's end (31 Aug → 28/29 Feb). A last day falling on a public holiday is not moved here: there is
no working-day calendar in core yet (docs say so).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

RECONSIDERATION_DAYS = 60  # 行政复议法 §20: 自知道之日起六十日内
LITIGATION_MONTHS = 6  # 行政诉讼法 §46: 自知道或者应当知道作出行政行为之日起六个月内
AFTER_RECONSIDERATION_DAYS = 15  # 行政诉讼法 §45: 收到复议决定书之日起十五日内
URGE_DAYS = 10  # 行政强制法 §54: 催告书送达十日后仍未履行的，可以申请
APPLY_MONTHS = 3  # 行政强制法 §53: 自期限届满之日起三个月内申请（shown, not refused）


class StepKind(models.TextChoices):
    """One step of the legal path (法定程序的一步)."""

    DECIDED = "decided", _lazy("作出补偿决定")
    SERVED = "served", _lazy("送达")
    ANNOUNCED = "announced", _lazy("公告")
    RECONSIDERATION_FILED = "recon_filed", _lazy("申请行政复议")
    RECONSIDERATION_DECIDED = "recon_decided", _lazy("复议决定")
    LITIGATION_FILED = "lit_filed", _lazy("提起行政诉讼")
    LITIGATION_JUDGED = "lit_judged", _lazy("诉讼判决或裁定")
    URGED = "urged", _lazy("催告")
    ENFORCEMENT_APPLIED = "applied", _lazy("申请人民法院强制执行")
    RULING = "ruling", _lazy("法院裁定")
    ENFORCED = "enforced", _lazy("执行完毕")
    SETTLED = "settled", _lazy("和解签约")
    MOVED_OUT = "moved_out", _lazy("自行搬迁腾空")
    VOIDED = "voided", _lazy("决定记录撤销")


class ServiceWay(models.TextChoices):
    """How the decision was served (送达方式)."""

    DIRECT = "direct", _lazy("直接送达")
    LEFT = "left", _lazy("留置送达")
    POST = "post", _lazy("邮寄送达")
    ENTRUSTED = "entrusted", _lazy("委托送达")
    NOTICE = "notice", _lazy("公告送达")


class ReviewResult(models.TextChoices):
    """The result of a reconsideration or a lawsuit about the decision (复议决定 / 判决、裁定)."""

    UPHELD = "upheld", _lazy("维持决定")
    DISMISSED = "dismissed", _lazy("驳回申请或诉讼请求")
    WITHDRAWN = "withdrawn", _lazy("申请人撤回")
    CHANGED = "changed", _lazy("变更决定")
    REVOKED = "revoked", _lazy("撤销决定")


class RulingResult(models.TextChoices):
    """The court's ruling on the application (法院裁定)."""

    GRANTED = "granted", _lazy("准予执行")
    REFUSED = "refused", _lazy("不准予执行")


class Outcome(models.TextChoices):
    """How a case ended (结案方式)."""

    ENFORCED = "enforced", _lazy("强制执行完毕")
    SETTLED = "settled", _lazy("和解签约")
    MOVED_OUT = "moved_out", _lazy("自行搬迁腾空")
    REVOKED = "revoked", _lazy("决定被撤销")
    REFUSED = "refused", _lazy("法院不准予执行")
    VOIDED = "voided", _lazy("决定记录已撤销")


# Steps recorded by hand (the page, the API); the others come from the household's stage events.
RECORDABLE = (
    StepKind.SERVED, StepKind.ANNOUNCED, StepKind.RECONSIDERATION_FILED, StepKind.RECONSIDERATION_DECIDED,
    StepKind.LITIGATION_FILED, StepKind.LITIGATION_JUDGED, StepKind.URGED, StepKind.ENFORCEMENT_APPLIED,
    StepKind.RULING, StepKind.ENFORCED,
)
FROM_EVENTS = {
    StepKind.DECIDED: _lazy("作出决定由进度卡片记录「补偿决定」"),
    StepKind.SETTLED: _lazy("和解签约由进度卡片记录「签约」"),
    StepKind.MOVED_OUT: _lazy("自行搬迁由进度卡片记录「腾空交房」"),
    StepKind.VOIDED: _lazy("撤销决定记录由进度卡片更正「补偿决定」"),
}
# Steps that carry a result, and its choices.
RESULTS = {
    StepKind.RECONSIDERATION_DECIDED: ReviewResult,
    StepKind.LITIGATION_JUDGED: ReviewResult,
    StepKind.RULING: RulingResult,
}
# Steps that may be recorded once per case (every recordable step is).
ONCE = RECORDABLE


def step_label(kind: str, land_type: str = "state") -> str:
    """The step's name; on collective land the decision is a 责令交出土地决定."""
    if kind == StepKind.DECIDED and land_type == "collective":
        return _("作出责令交出土地决定")
    return str(StepKind(kind).label)


def decision_name(land_type: str) -> str:
    return _("责令交出土地决定") if land_type == "collective" else _("补偿决定")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to that month's end (31 Aug + 6 months → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Step:
    """What the rules read of a recorded step (a LegalStep row or a plain stand-in)."""

    kind: str
    on_date: dt.date
    result: str = ""
    way: str = ""


@dataclass
class Path:
    """A case as the rules see it: the household's number for messages, its land, its steps in order."""

    household: str
    land_type: str = "state"
    steps: list[Step] = field(default_factory=list)
    ended_on: dt.date | None = None
    outcome: str = ""

    @classmethod
    def of(cls, case, steps: Iterable) -> "Path":
        return cls(household=case.household.number, land_type=case.land_type, ended_on=case.ended_on,
                   outcome=case.outcome,
                   steps=[Step(kind=s.kind, on_date=s.on_date, result=s.result, way=s.way) for s in steps])

    def first(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.kind == kind), None)

    def has(self, kind: str) -> bool:
        return self.first(kind) is not None

    @property
    def last_on(self) -> dt.date | None:
        return max((s.on_date for s in self.steps), default=None)

    @property
    def current(self) -> str:
        return self.steps[-1].kind if self.steps else StepKind.DECIDED


@dataclass(frozen=True)
class Windows:
    """The household's windows, counted from service (None before it is served)."""

    served_on: dt.date | None
    reconsideration_until: dt.date | None  # last day to apply for reconsideration
    litigation_until: dt.date | None  # last day to sue (6 months, or 15 days after a reconsideration decision)
    reconsideration_pending: bool
    litigation_pending: bool
    closed_by_judgement: bool  # a lawsuit was judged: no window remains
    apply_until: dt.date | None  # last day to apply for enforcement (行政强制法 §53), shown only

    def days_left(self, until: dt.date | None, today: dt.date) -> int | None:
        return None if until is None else (until - today).days


def windows(path: Path) -> Windows:
    served = path.first(StepKind.SERVED)
    recon_filed = path.first(StepKind.RECONSIDERATION_FILED)
    recon_decided = path.first(StepKind.RECONSIDERATION_DECIDED)
    lit_filed = path.first(StepKind.LITIGATION_FILED)
    lit_judged = path.first(StepKind.LITIGATION_JUDGED)
    if served is None:
        return Windows(None, None, None, False, False, False, None)
    recon_until = served.on_date + dt.timedelta(days=RECONSIDERATION_DAYS)
    lit_until = add_months(served.on_date, LITIGATION_MONTHS)
    if recon_decided is not None:
        lit_until = recon_decided.on_date + dt.timedelta(days=AFTER_RECONSIDERATION_DAYS)
    closed = lit_judged is not None
    if closed:
        apply_until = add_months(lit_judged.on_date, APPLY_MONTHS)
    elif recon_filed is not None:
        apply_until = add_months(lit_until, APPLY_MONTHS) if recon_decided is not None else None
    else:
        apply_until = add_months(max(recon_until, lit_until), APPLY_MONTHS)
    return Windows(
        served_on=served.on_date, reconsideration_until=recon_until, litigation_until=lit_until,
        reconsideration_pending=recon_filed is not None and recon_decided is None,
        litigation_pending=lit_filed is not None and lit_judged is None,
        closed_by_judgement=closed, apply_until=apply_until,
    )


class Refusal(str):
    """A refusal's Chinese message that also names the input it concerns (``field``: kind, on_date,
    way or result), so that the form and the API put it beside that input."""

    field: str

    def __new__(cls, message: str, field: str = "kind") -> "Refusal":
        refusal = super().__new__(cls, message)
        refusal.field = field
        return refusal


def _who(path: Path) -> str:
    return _("住户 %(h)s") % {"h": path.household}


def windows_bar(path: Path, on: dt.date) -> Refusal | None:
    """Why, on ``on``, the decision cannot yet be enforced (a window open or a filing pending), or None."""
    w = windows(path)
    who, name = _who(path), decision_name(path.land_type)
    if w.served_on is None:
        return Refusal(_("%(who)s的%(d)s尚未送达，复议和诉讼期限从送达之日起算，不能进入强制执行程序。") % {"who": who, "d": name}, "kind")
    if w.reconsideration_pending:
        return Refusal(_("%(who)s申请的行政复议尚未作出复议决定，复议期间不能申请强制执行。") % {"who": who}, "kind")
    if w.litigation_pending:
        return Refusal(_("%(who)s提起的行政诉讼尚未判决，诉讼期间不能申请强制执行。") % {"who": who}, "kind")
    if w.closed_by_judgement:
        return None
    if not path.has(StepKind.RECONSIDERATION_FILED) and on <= w.reconsideration_until:
        return Refusal(_("%(who)s的行政复议期限至 %(u)s 届满（送达之日 %(s)s 起 60 日），期满前不能催告或申请强制执行。") % {
            "who": who, "u": w.reconsideration_until, "s": w.served_on}, "on_date")
    if on <= w.litigation_until:
        if path.has(StepKind.RECONSIDERATION_DECIDED):
            return Refusal(_("%(who)s不服复议决定的起诉期限至 %(u)s 届满（收到复议决定之日起 15 日），期满前不能催告或申请强制执行。") % {
                "who": who, "u": w.litigation_until}, "on_date")
        return Refusal(_("%(who)s的行政诉讼期限至 %(u)s 届满（送达之日 %(s)s 起 6 个月），期满前不能催告或申请强制执行。") % {
            "who": who, "u": w.litigation_until, "s": w.served_on}, "on_date")
    return None


def refusal(path: Path, kind: str, *, on: dt.date, today: dt.date, way: str = "", result: str = "") -> Refusal | None:
    """The Chinese reason ``kind`` cannot be recorded on ``on`` (naming the household and the rule), or None."""
    who, name = _who(path), decision_name(path.land_type)
    if kind in FROM_EVENTS:
        return Refusal(_("%(who)s：「%(k)s」不能在此登记，%(how)s。") % {
            "who": who, "k": step_label(kind, path.land_type), "how": FROM_EVENTS[kind]}, "kind")
    if kind not in StepKind.values:
        return Refusal(_("%(who)s：未知的程序步骤「%(k)s」。") % {"who": who, "k": kind}, "kind")
    label = step_label(kind, path.land_type)
    if path.ended_on is not None:
        return Refusal(_("%(who)s的%(d)s程序已于 %(e)s 结束（%(o)s），不能再登记「%(k)s」。") % {
            "who": who, "d": name, "e": path.ended_on, "o": Outcome(path.outcome).label if path.outcome else "",
            "k": label}, "kind")
    if kind in ONCE and path.has(kind):
        return Refusal(_("%(who)s已于 %(d)s 登记「%(k)s」，不能重复登记。") % {
            "who": who, "d": path.first(kind).on_date, "k": label}, "kind")
    if on > today:
        return Refusal(_("%(who)s：「%(k)s」的日期 %(d)s 晚于今天（%(t)s），不能预先登记。") % {
            "who": who, "k": label, "d": on, "t": today}, "on_date")
    last = path.last_on
    if last is not None and on < last:
        return Refusal(_("%(who)s：「%(k)s」的日期 %(d)s 早于上一步「%(p)s」的日期 %(l)s，程序须按时间先后登记。") % {
            "who": who, "k": label, "d": on, "p": step_label(path.steps[-1].kind, path.land_type), "l": last},
            "on_date")
    if kind == StepKind.SERVED:
        if way not in ServiceWay.values:
            return Refusal(_("%(who)s：登记送达须选择送达方式（直接送达、留置送达、邮寄送达、委托送达或公告送达）。") % {"who": who}, "way")
    elif way:
        return Refusal(_("%(who)s：只有「送达」需要填写送达方式。") % {"who": who}, "way")
    choices = RESULTS.get(kind)
    if choices is not None and result not in choices.values:
        return Refusal(_("%(who)s：登记「%(k)s」须选择结果（%(c)s）。") % {
            "who": who, "k": label, "c": "、".join(str(c.label) for c in choices)}, "result")
    if choices is None and result:
        return Refusal(_("%(who)s：「%(k)s」不需要填写结果。") % {"who": who, "k": label}, "result")
    served = path.has(StepKind.SERVED)
    if kind in (StepKind.RECONSIDERATION_FILED, StepKind.LITIGATION_FILED) and not served:
        return Refusal(_("%(who)s的%(d)s尚未送达：复议和诉讼针对已送达的决定，请先登记「送达」。") % {"who": who, "d": name}, "kind")
    if kind == StepKind.RECONSIDERATION_FILED and path.has(StepKind.LITIGATION_FILED):
        return Refusal(_("%(who)s已提起行政诉讼，不能再申请行政复议（已起诉且法院受理的，不得申请复议）。") % {"who": who}, "kind")
    if kind == StepKind.RECONSIDERATION_FILED and on > windows(path).reconsideration_until:
        return Refusal(_("%(who)s申请行政复议的日期 %(d)s 已超过复议期限（至 %(u)s，送达之日起 60 日）。") % {
            "who": who, "d": on, "u": windows(path).reconsideration_until}, "on_date")
    if kind == StepKind.RECONSIDERATION_DECIDED and not path.has(StepKind.RECONSIDERATION_FILED):
        return Refusal(_("%(who)s未申请行政复议，不能登记复议决定。") % {"who": who}, "kind")
    if kind == StepKind.LITIGATION_FILED:
        w = windows(path)
        if w.reconsideration_pending:
            return Refusal(_("%(who)s申请的行政复议尚未作出决定：复议期间不能起诉，请先登记复议决定。") % {"who": who}, "kind")
        if on > w.litigation_until:
            return Refusal(_("%(who)s起诉的日期 %(d)s 已超过起诉期限（至 %(u)s）。") % {
                "who": who, "d": on, "u": w.litigation_until}, "on_date")
    if kind == StepKind.LITIGATION_JUDGED and not path.has(StepKind.LITIGATION_FILED):
        return Refusal(_("%(who)s未提起行政诉讼，不能登记判决或裁定。") % {"who": who}, "kind")
    if kind == StepKind.URGED:
        if not path.has(StepKind.ANNOUNCED):
            return Refusal(_("%(who)s的%(d)s尚未公告（条例 §26 要求在征收范围内公告），不能催告。") % {"who": who, "d": name}, "kind")
        bar = windows_bar(path, on)
        if bar:
            return bar
    if kind == StepKind.ENFORCEMENT_APPLIED:
        urged = path.first(StepKind.URGED)
        if urged is None:
            return Refusal(_("%(who)s尚未催告：申请人民法院强制执行前须书面催告（行政强制法 §54）。") % {"who": who}, "kind")
        bar = windows_bar(path, on)
        if bar:
            return bar
        earliest = urged.on_date + dt.timedelta(days=URGE_DAYS)
        if on < earliest:
            return Refusal(_("%(who)s于 %(u)s 催告，催告书送达 10 日后仍未履行的方可申请强制执行（最早 %(e)s）。") % {
                "who": who, "u": urged.on_date, "e": earliest}, "on_date")
    if kind == StepKind.RULING and not path.has(StepKind.ENFORCEMENT_APPLIED):
        return Refusal(_("%(who)s尚未申请人民法院强制执行，不能登记法院裁定。") % {"who": who}, "kind")
    if kind == StepKind.ENFORCED:
        ruling = path.first(StepKind.RULING)
        if ruling is None or ruling.result != RulingResult.GRANTED:
            return Refusal(_("%(who)s尚无法院准予执行的裁定，不能登记执行完毕（政府不得自行强制搬迁）。") % {"who": who}, "kind")
    return None


def allowed_next(path: Path, today: dt.date) -> list[str]:
    """The steps that may be recorded today (each passes ``refusal`` with a suitable way and result)."""
    out = []
    for kind in RECORDABLE:
        way = ServiceWay.DIRECT if kind == StepKind.SERVED else ""
        result = RESULTS[kind].values[0] if kind in RESULTS else ""
        if refusal(path, kind, on=today, today=today, way=way, result=result) is None:
            out.append(kind.value)
    return out


def ending(kind: str, result: str) -> str | None:
    """The outcome a recorded step ends the case with, or None (the path goes on)."""
    if kind in (StepKind.RECONSIDERATION_DECIDED, StepKind.LITIGATION_JUDGED) and result == ReviewResult.REVOKED:
        return Outcome.REVOKED
    if kind == StepKind.RULING and result == RulingResult.REFUSED:
        return Outcome.REFUSED
    if kind == StepKind.ENFORCED:
        return Outcome.ENFORCED
    return None
