"""Assessment objects for the scope matrix (``SAMPLES``/``BODIES``), and the helpers its tests share:
the example scheme of the issue (100 = 村庄签约 25 + 拆除 15 + 交办任务 40 + 程序合规 20)."""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 12, 6)

EXAMPLE = [
    {"name": "村庄签约", "weight": "25", "source": "signing_rate", "rule": "linear", "rule_params": {"target": 100}},
    {"name": "拆除", "weight": "15", "source": "target_completion", "params": {"metric": "demolished_area"},
     "rule": "linear", "rule_params": {"target": 100}},
    {"name": "交办任务", "weight": "40", "source": "tasks_on_time", "rule": "points",
     "rule_params": {"target": 100, "base": 40, "below": 0.5, "floor": 0}},
    {"name": "程序合规", "weight": "20", "source": "reports_on_time", "rule": "thresholds",
     "rule_params": {"steps": [[100, 20], [80, 15], [60, 10]], "otherwise": 0}},
]


def make_campaign(actor, name="2026年考核行动"):
    from gaizao.campaign.services.campaign import campaign_create

    return campaign_create(actor=actor, name=name, year=2026, starts_on=dt.date(2026, 1, 1),
                           ends_on=dt.date(2026, 12, 31))


def make_scheme(actor, campaign=None, *, rows=None, active=True, **kwargs):
    from gaizao.oversight.services.assessment import scheme_activate, scheme_create

    campaign = campaign or make_campaign(actor)
    scheme = scheme_create(actor=actor, campaign=campaign, name=kwargs.pop("name", "2026年街道月度考核办法"),
                           indicators=rows or EXAMPLE, **kwargs)
    if active:
        scheme = scheme_activate(actor=actor, scheme=scheme, version=scheme.version)
    return scheme


def _schemes(cast):
    """A published scheme with a sheet and a pending proposal (the endpoints by sheet and proposal use it)."""
    from gaizao.oversight.models import Proposal
    from gaizao.oversight.services.assessment import sheet_publish

    scheme = make_scheme(cast.commander, name="抽样考核办法")
    sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    Proposal.objects.create(scheme=scheme, kind="accountability", unit=cast.street_b, periods=["2026-09", "2026-10"],
                            reason="抽样建议")
    return [scheme]


def _adjustments(cast):
    """A bonus item for each street and a penalty for the department's scheme, each with its document file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gaizao.oversight.services.assessment import adjustment_add

    campaign = make_campaign(cast.commander)
    streets = make_scheme(cast.commander, campaign)
    departments = make_scheme(cast.commander, campaign, name="部门考核办法", assessed="department",
                              rows=[{"name": "交办任务", "weight": "100", "source": "tasks_on_time", "rule": "linear",
                                     "rule_params": {"target": 100}}])
    out = []
    for scheme, unit, points in ((streets, cast.street_a, "2"), (streets, cast.street_b, "1"),
                                 (departments, cast.department, "-1")):
        out.append(adjustment_add(actor=cast.commander, scheme=scheme, period="2026-10", unit=unit, points=points,
                                  reason="市级专项表扬", document=SimpleUploadedFile(
                                      "依据.pdf", b"%PDF-1.4 basis", content_type="application/pdf")))
    return out


SAMPLES = {"oversight.assessment": _schemes, "oversight.adjustment_document": _adjustments}

BODIES = {
    "scheme_publish_api": lambda s: {"period": "2026-13"},
    "sheet_recompute_api": lambda s: {"reason": ""},
    "proposal_confirm_api": lambda s: {"version": 1, "measure": "nonsense", "reason": "确认问责"},
    "proposal_reject_api": lambda s: {"version": 1, "reason": ""},
}
