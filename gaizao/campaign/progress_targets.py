"""The campaign's answer to progress's ``targets_for`` (``progress.extensions``): the running campaign's
targets of each street (or the district's goals) with done, the share due and the light, and the date
signing is due, so that the dashboard, the summary, the command and the progress table show them."""

from __future__ import annotations

import datetime as dt

from gaizao.campaign.choices import Metric
from gaizao.campaign.selectors.status import campaign_overview_status, current_campaign, fmt
from gaizao.org.models import OrgUnit
from gaizao.progress.choices import Level
from gaizao.progress.extensions import TargetCell, UnitTargets


def _cell(t, *, target, label) -> TargetCell:
    return TargetCell(key=t.key, label=label, unit=t.unit, target=fmt(target), done=fmt(t.done),
                      rate=None if t.rate is None else str(t.rate), expected_rate=str(t.expected_rate), light=t.light,
                      milestone=getattr(t, "milestone", None))


def _street_cell(t) -> TargetCell:
    return _cell(t, target=t.target, label=t.label + (f"·{t.scope}" if t.scope else ""))


def _goal_cell(g) -> TargetCell:
    return _cell(g, target=g.goal if g.goal is not None else g.assigned, label=g.label)


def _signing_due(campaign, milestones) -> dt.date:
    full = [m.due_on for m in milestones if m.metric == Metric.SIGNED and m.rate >= 100 and m.target_id is None]
    return min(full) if full else campaign.ends_on


def provide(level: int, unit_ids: list[int], today: dt.date) -> dict[int, UnitTargets]:
    from gaizao.campaign.selectors.status import LIGHT_ORDER

    campaign = current_campaign(today=today)
    if campaign is None:
        return {}
    milestones = list(campaign.milestones.all())
    due = _signing_due(campaign, milestones)
    if level == Level.DISTRICT:
        status = campaign_overview_status(campaign, today=today)
        cells = [_goal_cell(g) for g in status.goals]
        if not cells:
            return {}
        light = max((c.light for c in cells), key=LIGHT_ORDER.__getitem__)
        return {pk: UnitTargets(campaign=campaign.name, cells=cells, light=light, signing_due=due) for pk in unit_ids}
    streets = list(OrgUnit.objects.filter(pk__in=unit_ids).order_by("path"))
    status = campaign_overview_status(campaign, streets=streets, today=today)
    return {s.street_id: UnitTargets(campaign=campaign.name, cells=[_street_cell(t) for t in s.targets], light=s.light,
                                     signing_due=due) for s in status.streets if s.targets}
