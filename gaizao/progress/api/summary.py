"""API: progress figures (进度汇总) of the district or one street, and their curves over time.

Everything is read from the rollups through ``progress.selectors.summary``; the scope is the
dashboard's (``dashboard_area``): district roles the district or any street, street staff their
own street, anyone else 404 in the one error shape. Areas and rates travel as strings (Decimal,
never float): areas in ㎡ to two decimals, rates in percent to one decimal, null when the scope is
empty. With a campaign running (an app above registers ``extensions.targets_for``), the area and each
street carry their targets with the light, and the forecasts compare with the date signing is due.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gaizao.progress.choices import Level
from gaizao.progress.extensions import UnitTargets, deadlines, targets_for
from gaizao.progress.selectors import summary as s

router = Router(tags=["进度"])
ERRORS = {404: dict}
LEVEL_NAMES = {Level.DISTRICT: "district", Level.STREET: "street", Level.VILLAGE: "village"}


# ---------------------------------------------------------------- schemas

class AreaQuery(Schema):
    street: str | None = Field(None, max_length=32, description="街道编码；不填：区级角色为全区，街道工作人员为本街道")


class StageOut(Schema):
    households: int = Field(..., description="已达到该阶段的户数")
    area: str = Field(..., description="这些住户的房屋面积（㎡，两位小数）")
    rate: str | None = Field(..., description="占其路径范围户数的百分比（一位小数）：拆除路径各阶段占拆除范围户数，"
                                              "整治各步骤占整治范围户数，入户调查占两者之和；范围内无住户时为 null")


class StagesOut(Schema):
    surveyed: StageOut = Field(..., description="入户调查")
    decided: StageOut = Field(..., description="认定")
    valued: StageOut = Field(..., description="评估")
    decision: StageOut = Field(..., description="补偿决定")
    signed: StageOut = Field(..., description="签约")
    vacated: StageOut = Field(..., description="腾空交房")
    demolished: StageOut = Field(..., description="拆除")
    resettled: StageOut = Field(..., description="安置")


class UpgradeStagesOut(Schema):
    agreed: StageOut = Field(..., description="同意整治")
    works_started: StageOut = Field(..., description="开工")
    works_accepted: StageOut = Field(..., description="竣工验收")


class ForecastOut(Schema):
    remaining: int = Field(..., description="还能签约而尚未签约的户数：签约期内或签约期已定未开始的项目中，未签约、未作补偿决定的住户")
    pace_per_week: str = Field(..., description="近四周平均每周签约户数")
    done_on: dt.date | None = Field(..., description="按近四周进度预计完成签约的日期；无进度时为 null")
    earliest: dt.date | None = Field(..., description="按近四周最快一周的进度")
    latest: dt.date | None = Field(..., description="按近四周最慢一周的进度；最慢一周为零时为 null")
    deadline: dt.date | None = Field(..., description="对照的期限：项目为其签约期结束日；村、街道、全区为攻坚行动目标的期限（目标功能上线前为 null）")
    will_meet: bool | None = Field(..., description="能否在期限内完成；无期限或无可签约住户时为 null")
    deadline_state: str | None = Field(..., description="对照期限：on_time 按期 / at_risk 逾期风险（期限未到，按此进度赶不上）/ "
                                                       "overdue 已逾期（期限已过仍有住户未签约）；无期限或无可签约住户时为 null")
    deadline_label: str = Field(..., description="deadline_state 的中文：按期、逾期风险、已逾期；无判断时为空")
    text: str = Field(..., description="一句话说明，如「按此进度，预计 2027年3月5日 完成」「期满未达标」「未启动」")
    state: str = Field(..., description="forecast 预测中 / finished 可签约住户已全部签约 / planned 签约期未开始 / "
                                        "lapsed 期满未达标 / closed 签约期已满 / not_started 未启动")
    state_label: str
    lapsed: int = Field(..., description="签约期满未达标项目中未签约的户数（不计入预测）")
    not_started: int = Field(..., description="未设定签约期项目中未签约的户数（不计入预测）")


class FiguresOut(Schema):
    code: str
    name: str
    households: int = Field(..., description="拆除范围内户数（拆除路径：须签约或作补偿决定、拆除；签约率、腾空率的分母）")
    area: str = Field(..., description="拆除范围内房屋面积（㎡）")
    stages: StagesOut
    upgrade_households: int = Field(..., description="整治范围内户数（整治提升路径：同意整治、开工、竣工验收）")
    upgrade_area: str = Field(..., description="整治范围内房屋面积（㎡）")
    upgrade_stages: UpgradeStagesOut
    signed_rate: str | None = Field(..., description="签约率（%）")
    vacated_rate: str | None = Field(..., description="腾空率（%）")
    demolished_area_wan: str = Field(..., description="已拆除面积（万㎡）")
    forecast: ForecastOut


class MilestoneOut(Schema):
    due_on: dt.date = Field(..., description="节点日期")
    rate: str = Field(..., description="节点应完成比例（%）")
    amount: str = Field(..., description="节点应完成量（目标 × 比例）")
    passed: bool = Field(False, description="节点日期已过")


class TargetCellOut(Schema):
    key: str = Field(..., description="指标：signed 签约、vacated 腾空交房 …")
    label: str = Field(..., description="指标名称（分解到村或项目时带其名称）")
    unit: str = Field(..., description="单位：户、个、万㎡、项")
    target: str = Field(..., description="目标值")
    done: str = Field(..., description="已完成（来自进度汇总与任务，不填报）")
    rate: str | None = Field(..., description="完成率（%）；目标为 0 时为 null")
    expected_rate: str = Field(..., description="序时进度：按节点目标到今天应完成的比例（%）")
    light: str = Field(..., description="green 绿灯 / yellow 黄灯 / red 红灯（对照序时进度）/ none 未开始")
    milestone: MilestoneOut | None = Field(..., description="下一个节点目标（已过最后一个节点时为最后一个）")


class TargetsOut(Schema):
    campaign: str = Field(..., description="攻坚行动名称")
    light: str = Field(..., description="各指标中最差的灯：red / yellow / green / none")
    signing_due: dt.date | None = Field(..., description="签约应完成的日期（签约 100% 的节点，否则行动结束日）：预测对照的期限")
    targets: list[TargetCellOut]


class StreetFiguresOut(FiguresOut):
    targets: TargetsOut | None = Field(..., description="该街道在当前攻坚行动中的目标与灯；无行动或未下达目标时为 null")


class VillageFiguresOut(FiguresOut):
    street_code: str
    street_name: str


class SummaryUnitOut(Schema):
    code: str
    name: str
    level: str = Field(..., description="district（全区）或 street（街道）")


class JudgementOut(Schema):
    kind: str = Field(..., description="deadline（期满判定）/ rejudged（复核判定）")
    period_start: dt.date | None
    period_end: dt.date
    signed: int = Field(..., description="期内签约户数")
    in_scope: int = Field(..., description="期满时应签约户数（拆除范围内）")
    threshold: str = Field(..., description="判定时的协议生效比例（%）")
    reached: bool
    judged_at: dt.datetime
    reason: str = Field(..., description="复核判定的理由")


class OutcomeOut(Schema):
    decision: str = Field(..., description="new_period（重新设定签约期）/ ended（项目终止）")
    decided_on: dt.date
    new_start: dt.date | None
    new_end: dt.date | None


class ProjectSigningOut(Schema):
    code: str
    name: str
    village_code: str
    households: int = Field(..., description="改造范围内户数")
    signed: int = Field(..., description="已签约户数")
    rate: str | None = Field(..., description="签约率（%）")
    threshold: str = Field(..., description="协议生效比例（%）")
    signing_start: dt.date | None
    signing_end: dt.date | None
    status: str = Field(..., description="none / not_started / open / reached / due（期满待判定）/ effective / "
                                         "lapsed（期满未达标，待处置）/ ended（期满未达标，项目终止）")
    status_label: str
    lapsed: bool = Field(..., description="签约期满未达生效比例，协议未生效（含已终止）")
    reached: bool = Field(..., description="达到协议生效比例（期满后为判定结果）")
    judgement: JudgementOut | None = Field(..., description="签约期满判定（冻结；有复核判定时为最新一次）")
    outcome: OutcomeOut | None = Field(..., description="期满未达标后办公室登记的处置")


class SummaryOut(FiguresOut):
    unit: SummaryUnitOut
    as_of: dt.date = Field(..., description="统计日期")
    targets: TargetsOut | None = Field(..., description="当前攻坚行动中全区的目标（区级目标）或本街道的目标，带完成、"
                                                        "序时进度与灯；无行动或未下达目标时为 null")
    streets: list[StreetFiguresOut] = Field(..., description="全区时：各街道（按编码）；街道时为空")
    villages: list[VillageFiguresOut] = Field(..., description="街道时：各城中村（按编码）；全区时为空")
    projects: list[ProjectSigningOut] = Field(..., description="范围内各项目的签约期状态")
    villages_completed: int = Field(..., description="已完成改造的城中村数（按各村改造方式：拆除新建全部拆除，"
                                                     "整治提升全部竣工验收，拆整结合两者兼备）")
    villages_total: int = Field(..., description="范围内城中村数")


class CurvesOut(Schema):
    unit: SummaryUnitOut
    days: list[dt.date] = Field(..., description="有变化的日期，升序")
    signed: list[int] = Field(..., description="截至当日累计签约户数")
    vacated: list[int] = Field(..., description="截至当日累计腾空交房户数")
    demolished: list[int] = Field(..., description="截至当日累计拆除户数")


# ---------------------------------------------------------------- plain data

def _unit(area: s.Area) -> dict:
    return {"code": area.unit.code, "name": area.unit.name, "level": LEVEL_NAMES[area.level]}


def _forecast(forecast: s.Forecast) -> dict:
    return {"remaining": forecast.remaining, "pace_per_week": str(forecast.pace_per_week),
            "done_on": forecast.done_on, "earliest": forecast.earliest, "latest": forecast.latest,
            "deadline": forecast.deadline, "will_meet": forecast.will_meet,
            "deadline_state": forecast.deadline_state, "deadline_label": forecast.deadline_label, "text": forecast.text,
            "state": forecast.state, "state_label": forecast.state_label, "lapsed": forecast.lapsed,
            "not_started": forecast.not_started}


def _figures(summary: s.UnitSummary, forecast: s.Forecast) -> dict:
    return {**summary.as_dict(), "forecast": _forecast(forecast)}


def _with_forecasts(level: int, summaries: list[s.UnitSummary], today: dt.date,
                    targets: dict[int, UnitTargets] | None = None) -> list[tuple]:
    found = s.forecasts(level, summaries, today=today, deadlines=deadlines(targets or {}))
    return [(x, found[x.unit_id]) for x in summaries]


def _targets(found: UnitTargets | None) -> dict | None:
    return found.as_dict() if found else None


def _project(summary: s.UnitSummary) -> dict:
    project, signing = summary.extra["project"], summary.extra["signing"]
    return {"code": summary.code, "name": summary.name, "village_code": project.village.code,
            "households": summary.households, "signed": summary.count("signed"),
            "signing_start": project.signing_start, "signing_end": project.signing_end, **signing.as_dict()}


def summary_data(area: s.Area, *, today: dt.date | None = None) -> dict:
    """The figures of an area with its streets or villages, projects, forecasts and the campaign's targets
    (a fixed number of queries, with the targets provider's fixed cost once for a street, twice for the district)."""
    today = today or timezone.localdate()
    own = s.area_summary(area)
    own_targets = targets_for(area.level, [area.unit.pk], today=today)
    [(own, own_forecast)] = _with_forecasts(area.level, [own], today, own_targets)
    streets, villages = [], []
    if area.is_district:
        ordered = sorted(s.street_summaries(area), key=lambda x: x.code)
        street_targets = targets_for(Level.STREET, [x.unit_id for x in ordered], today=today)
        streets = [{**_figures(x, f), "targets": _targets(street_targets.get(x.unit_id))}
                   for x, f in _with_forecasts(Level.STREET, ordered, today, street_targets)]
    else:
        for x, f in _with_forecasts(Level.VILLAGE, s.village_summaries(area), today):
            villages.append({**_figures(x, f), "street_code": x.extra["street_code"],
                             "street_name": x.extra["street_name"]})
    projects = [_project(x) for x in s.project_summaries(area, today=today)]
    completed, total = s.area_villages_completed(area)
    return {**_figures(own, own_forecast), "unit": _unit(area), "as_of": today,
            "targets": _targets(own_targets.get(area.unit.pk)), "streets": streets,
            "villages": villages, "projects": projects, "villages_completed": completed, "villages_total": total}


# ---------------------------------------------------------------- endpoints

@router.get("/summary", response={200: SummaryOut, **ERRORS}, summary="进度汇总（全区或一个街道）")
def progress_summary(request, query: Query[AreaQuery]):
    """各阶段户数与面积、签约率、腾空率、拆除面积（万㎡），以及各街道（全区）或各城中村（街道）、
    各项目签约期状态和按近四周进度的预计完成日期。数据来自进度汇总，不逐户统计。"""
    area = s.dashboard_area(request.auth, street_code=query.street or None)
    return summary_data(area)


@router.get("/curves", response={200: CurvesOut, **ERRORS}, summary="累计签约、腾空、拆除户数（按日）")
def progress_curves(request, query: Query[AreaQuery]):
    area = s.dashboard_area(request.auth, street_code=query.street or None)
    curves = s.cumulative_curves(area.level, area.unit.pk)
    return {"unit": _unit(area), **curves}
