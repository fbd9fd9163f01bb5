"""The weekly bulletin (工作通报): generated once per ISO week, its figures frozen at that first generation.

``bulletin_generate(actor=, period="2026-W47")`` reads the week's figures (``selectors.bulletins``), the
default next steps (下步工作) written from them or the office's own, the number (改造办通〔2026〕47号) and
the title, and stores them in one ``Bulletin`` row. Generating the same week again writes nothing and
returns the stored row, so the same period always renders the same document, whatever has changed since.

Refused, in Chinese and naming the period: a period not written like 2026-W47, a week in the future, a
week before any campaign started or before any progress was recorded (no data), next steps for a bulletin
already frozen. Only the office and the admin generate (``policies.bulletins.bulletin_writer``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, NotFound
from gaizao.core.text import check_text
from gaizao.core.writes import writes
from gaizao.oversight.models import Bulletin
from gaizao.oversight.policies.bulletins import bulletin_writer
from gaizao.oversight.selectors.bulletins import bulletin_figures, check_has_data, cn_date, parse_period

ACTION_LABELS = {  # registered by registrations.bulletins
    "oversight.bulletin_generate": gettext_lazy("生成工作通报"),
}
NEXT_STEPS_MAX = 3000


def _may_generate(actor) -> bool:
    return is_system(actor) or bulletin_writer(actor)


def default_next_steps(figures: dict) -> list[str]:
    """下步工作 written from the figures: who is behind, what is overdue, what must be closed."""
    steps = []
    red = [s["name"] for s in figures["streets"] if s["light"] == "red"]
    yellow = [s["name"] for s in figures["streets"] if s["light"] == "yellow"]
    if red or yellow:
        steps.append(_("对%(r)s进度滞后的街道，领导小组办公室将下发督办通知，请相关街道对照序时进度倒排工期，"
                       "逐村逐户落实包户干部和完成时限。") % {"r": "、".join(red + yellow)})
    else:
        steps.append(_("各街道要保持攻坚态势，对照序时进度巩固成果，确保年度目标任务按期完成。"))
    if figures["tasks"]["count"]:
        steps.append(_("逾期未完成的%(n)d项任务，请责任单位于下周五前办结或书面说明原因。") % {"n": figures["tasks"]["count"]})
    if figures["orders"]["overdue_count"]:
        steps.append(_("已超期的%(n)d件督办事项，承办单位主要负责同志要亲自研究，限期反馈办理情况。") % {
            "n": figures["orders"]["overdue_count"]})
    if figures["findings"]["open"]:
        steps.append(_("督查发现的%(n)d个问题尚未整改销号，责任单位要按期整改到位并提交整改佐证材料。") % {
            "n": figures["findings"]["open"]})
    black = figures["lists"]["black"]
    if black:
        steps.append(_("列入黑榜的%(u)s，按照考核办法由领导小组办公室约谈主要负责同志。") % {"u": "、".join(black)})
    steps.append(_("领导小组办公室将继续实行周调度、周通报制度，下期通报重点关注上述事项的落实情况。"))
    return steps


def _next_steps(text: str | None) -> list[str] | None:
    if text is None or not str(text).strip():
        return None
    text = str(text)
    if len(text) > NEXT_STEPS_MAX:
        raise AppError(_("下步工作不能超过 %(n)d 个字。") % {"n": NEXT_STEPS_MAX},
                       fields={"next_steps": _("过长。")})
    problem = check_text(text, multiline=True, field_label=_("下步工作"))
    if problem:
        raise AppError(problem, fields={"next_steps": problem})
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def bulletin_number(campaign_prefix: str, week) -> str:
    return f"{campaign_prefix or _('改造办')}通〔{week.year}〕{week.week}号"


def bulletin_title(week) -> str:
    return _("城中村改造攻坚专项行动工作通报（%(y)d年第%(w)d期）") % {"y": week.year, "w": week.week}


@writes
def bulletin_generate(*, actor, period: str, next_steps: str | None = None, today: dt.date | None = None,
                      ip: str | None = None) -> tuple[Bulletin, bool]:
    """The bulletin of ``period`` (2026-W47): generated and frozen the first time, the stored one after.

    Returns ``(bulletin, created)``. ``next_steps``: the office's own 下步工作 (one per line) instead of
    the default sentences, only at the first generation.
    """
    if not _may_generate(actor):
        raise NotFound(_("不存在或无权操作。"))
    week = parse_period(period)
    steps = _next_steps(next_steps)
    found = Bulletin.objects.filter(period=week.period).first()
    if found is not None:
        if steps is not None and steps != found.data.get("next_steps"):
            raise AppError(_("%(p)s的通报已于%(d)s生成，数据已固定，不能再修改下步工作。") % {
                "p": week.period, "d": found.data.get("date", "")}, fields={"next_steps": _("通报已固定。")})
        return found, False
    today = today or timezone.localdate()
    campaign = check_has_data(week, today=today)
    figures = bulletin_figures(week, campaign, today=today)
    from gaizao.campaign.agreement_doc import issuer

    figures.update(
        issuer=issuer(), number=bulletin_number(campaign.number_prefix, week), title=bulletin_title(week),
        date=cn_date(today), generated_on=today.isoformat(),
        next_steps=steps or default_next_steps(figures), next_steps_edited=steps is not None,
    )
    bulletin = Bulletin.objects.create(period=week.period, starts_on=week.starts_on, ends_on=week.ends_on,
                                       number=figures["number"], title=figures["title"], data=figures,
                                       created_by=None if is_system(actor) else actor)
    writes.audit(action="oversight.bulletin_generate", obj=bulletin,
                 changes={"period": [None, week.period], "number": [None, bulletin.number],
                          "as_of": [None, figures["as_of"]]})
    return bulletin, True


__all__ = ["ACTION_LABELS", "bulletin_generate", "bulletin_number", "bulletin_title",
           "default_next_steps"]
