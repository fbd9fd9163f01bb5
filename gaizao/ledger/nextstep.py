"""A household's next step (下一步), in words, from its stage and its way.

One rule for every page that says what comes next: the cadre's and the street's home cards, the
household list's phone cards, the resident's home. ``next_step(stage, way)`` is the short label
of the next step (「签约」); ``resident_words(stage, way)`` the sentence a resident reads (where
they are and what happens next, without the office's words).

The steps follow the two ways of ``ledger.ways``: 拆除安置 (入户调查 → 认定 → 评估 → 签约 or
补偿决定 → 腾空交房 → 拆除 → 安置) and 整治提升 (入户调查 → 同意整治 → 开工 → 竣工验收). A household
under a 补偿决定 goes on to 腾空交房 as a signed one does; the last step of each way, and a
household withdrawn from the scope, have no next step.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gaizao.ledger.choices import Stage, Way

# The next stage after each stage, per way (None: nothing follows).
NEXT: dict[str, dict[str, str | None]] = {
    Way.DEMOLISH: {
        Stage.REGISTERED: Stage.SURVEYED, Stage.SURVEYED: Stage.DECIDED, Stage.DECIDED: Stage.VALUED,
        Stage.VALUED: Stage.SIGNED, Stage.DECISION: Stage.VACATED, Stage.SIGNED: Stage.VACATED,
        Stage.VACATED: Stage.DEMOLISHED, Stage.DEMOLISHED: Stage.RESETTLED, Stage.RESETTLED: None,
        Stage.WITHDRAWN: None,
    },
    Way.UPGRADE: {
        Stage.REGISTERED: Stage.SURVEYED, Stage.SURVEYED: Stage.AGREED, Stage.AGREED: Stage.WORKS_STARTED,
        Stage.WORKS_STARTED: Stage.WORKS_ACCEPTED, Stage.WORKS_ACCEPTED: None, Stage.WITHDRAWN: None,
    },
}
FINAL = {Stage.RESETTLED, Stage.WORKS_ACCEPTED, Stage.WITHDRAWN}

# What the next step means for the resident (您家): what will happen, and who does it.
RESIDENT_NEXT = {
    Stage.SURVEYED: _("工作人员将上门入户调查，登记家庭成员和房屋情况。"),
    Stage.DECIDED: _("街道将对您家每栋房屋的合法性作出认定，结果会书面告知。"),
    Stage.VALUED: _("评估机构将对您家房屋进行评估，评估结果会送达您家。"),
    Stage.SIGNED: _("在签约期内与街道签订补偿安置协议。"),
    Stage.VACATED: _("按协议约定的日期腾空房屋并交付钥匙。"),
    Stage.DEMOLISHED: _("房屋交付后由施工单位拆除，您无需再做什么。"),
    Stage.RESETTLED: _("按协议领取补偿款或办理安置房交付。"),
    Stage.AGREED: _("确认同意整治方案并签字。"),
    Stage.WORKS_STARTED: _("整治施工将开工，请配合施工安排。"),
    Stage.WORKS_ACCEPTED: _("施工完成后组织竣工验收。"),
}
RESIDENT_DONE = {
    Stage.RESETTLED: _("您家的补偿安置已经完成。"),
    Stage.WORKS_ACCEPTED: _("您家的整治已经竣工验收。"),
    Stage.WITHDRAWN: _("您家已不在本次改造范围内。"),
}


def next_stage(stage: str, way: str) -> str | None:
    """The stage that comes after ``stage`` on ``way`` (None at the end of the way)."""
    return NEXT.get(way, NEXT[Way.DEMOLISH]).get(stage)


def next_step(stage: str, way: str) -> str:
    """The next step's label (「签约」), or 「已完成」/「已撤出」 at the end."""
    following = next_stage(stage, way)
    if following is not None:
        return str(Stage(following).label)
    if stage == Stage.WITHDRAWN:
        return str(_("已撤出"))
    return str(_("已完成"))


def resident_words(stage: str, way: str) -> dict[str, str]:
    """Where a household is and what happens next, as a resident reads it: ``{"now", "next"}``."""
    now = str(Stage(stage).label) if stage in Stage.values else stage
    if stage in FINAL:
        return {"now": now, "next": str(RESIDENT_DONE[stage])}
    following = next_stage(stage, way)
    return {"now": now, "next": str(RESIDENT_NEXT.get(following, "")) if following else ""}
