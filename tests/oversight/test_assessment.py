"""Assessment services: weights must sum to the total, formulas checked at save with the row and position,
publishing freezes a snapshot, recomputing makes a new version with the difference and the reason,
missing data is shown as missing, and the rankings make proposals the office confirms or rejects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaizao.campaign.services.campaign import target_set
from gaizao.campaign.models import Task
from gaizao.campaign.services.tasks import task_create
from gaizao.core.errors import AppError, NotFound
from gaizao.core.expressions import ExpressionError
from gaizao.oversight.models import Proposal, Record, ScoreSheet
from gaizao.oversight.selectors import assessment as selectors
from gaizao.oversight.services import assessment as services
from tests.oversight.samples_assessment import EXAMPLE, TODAY, make_campaign, make_scheme
from tests.progress.test_dashboard import open_signing, sign

D = Decimal


def _rows(**changes):
    rows = [dict(r) for r in EXAMPLE]
    for i, row in changes.items():
        rows[int(i[1:])].update(row)
    return rows


def test_weights_that_do_not_sum_to_the_total_are_refused_with_the_sum(cast):
    campaign = make_campaign(cast.commander)
    with pytest.raises(AppError) as caught:
        services.scheme_create(actor=cast.commander, campaign=campaign, name="考核办法",
                               indicators=_rows(r0={"weight": "20"}))
    assert caught.value.message == "各指标分值合计 95，应为 100。"
    assert not campaign.pk or not services.Scheme.objects.exists()


def test_the_indicator_grid_is_refused_whole_when_the_sum_is_wrong(cast):
    scheme = make_scheme(cast.commander)
    with pytest.raises(AppError, match="合计 105，应为 100"):
        services.indicators_set(actor=cast.commander, scheme=scheme, version=scheme.version,
                                rows=_rows(r1={"weight": "20"}))
    assert [i.weight for i in scheme.indicators.all()] == [25, 15, 40, 20]


def test_a_formula_with_an_unknown_name_is_refused_at_save_naming_the_row_and_position(cast):
    scheme = make_scheme(cast.commander, active=False)
    rows = _rows(r0={"rule": "expression", "expression": "value / targt * weight"})
    with pytest.raises(ExpressionError) as caught:
        services.indicators_set(actor=cast.commander, scheme=scheme, version=scheme.version, rows=rows)
    assert caught.value.message.startswith("第 1 行（村庄签约）")
    assert caught.value.position == 9
    assert "indicators-1-expression" in caught.value.fields


def test_a_formula_dividing_by_zero_is_refused_at_save(cast):
    scheme = make_scheme(cast.commander, active=False)
    rows = _rows(r3={"rule": "expression", "expression": "weight / 0"})
    with pytest.raises(ExpressionError) as caught:
        services.indicators_set(actor=cast.commander, scheme=scheme, version=scheme.version, rows=rows)
    assert "第 4 行（程序合规）" in caught.value.message and caught.value.position


def test_a_source_not_in_the_catalogue_is_refused(cast):
    with pytest.raises(AppError, match="第 2 行.*不在目录中"):
        make_scheme(cast.commander, rows=_rows(r1={"source": "guesswork"}))


def test_a_street_cannot_write_a_scheme(cast):
    with pytest.raises(NotFound):
        make_scheme(cast.street_user_a, make_campaign(cast.commander))


def _data(cast, campaign):
    """Street A signed one of its two households; a task each, street A's done on time, street B's late."""
    open_signing(cast.project_a, cast.project_b, start=800)
    sign(cast.admin, [cast.household_a1], on=dt.date(2026, 10, 10))
    target_set(actor=cast.commander, campaign=campaign, metric="demolished_area", street=cast.street_a, target="1")
    for unit, done_on in ((cast.street_a, dt.date(2026, 10, 20)), (cast.street_b, dt.date(2026, 11, 5))):
        task = task_create(actor=cast.commander, campaign=campaign, title=f"{unit.name}十月任务", unit=unit,
                           deadline=dt.date(2026, 10, 30), start=dt.date(2026, 10, 1))
        Task.objects.filter(pk=task.pk).update(status="done", progress=100, done_on=done_on)  # done in the past


def test_publish_computes_every_line_with_its_inputs_and_marks_missing_data(cast):
    campaign = make_campaign(cast.commander)
    _data(cast, campaign)
    scheme = make_scheme(cast.commander, campaign, missing_rule="zero")
    sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    rows = {r["unit"]: r for r in sheet.rows}
    a, b = rows["东湖街道"], rows["西岭街道"]
    signing = a["indicators"][0]
    assert signing["value"] == "50" and signing["inputs"] == {"signed": 1, "in_scope": 2}
    assert signing["score"] == "12.5" and signing["explain"] == "村庄签约 50%，目标 100%：50 ÷ 100 × 25 = 12.5"
    assert signing["link"].startswith("/progress/table/")
    # no demolition target for street B; no reports due for anyone: missing, never a value of 0
    assert b["indicators"][1]["missing"] is True and b["indicators"][1]["value"] is None
    assert "数据缺失" in b["indicators"][1]["explain"] and b["indicators"][1]["score"] == "0"
    assert a["indicators"][2]["inputs"] == {"due": 1, "on_time": 1, "late": 0, "open": 0}
    assert b["indicators"][2]["inputs"] == {"due": 1, "on_time": 0, "late": 1, "open": 0}
    assert b["indicators"][2]["score"] == "0"  # 40 − 100 × 0.5 held at the floor
    assert (a["rank"], b["rank"]) == (1, 2)
    assert a["total"] == "52.5" and a["grade"] == "fail" and a["list"] == "black"
    assert set(a) == {"unit_id", "unit", "total", "rank", "grade", "grade_label", "list", "indicators",
                      "adjustments", "adjustment_total", "total_explain"}
    assert set(signing) == {"indicator_id", "name", "weight", "source", "value", "missing", "inputs", "score",
                            "explain", "link"}  # the bulletin reads exactly these


@pytest.mark.parametrize("rule, total, explained", [
    ("zero", "25", ""),  # street B's missing 拆除 line (no target: 15) counts 0
    ("full", "40", ""),  # ... counts its full weight
    ("rescale", "29.41", "25 ÷ 85 × 100 = 29.41"),  # the default: the other lines' points over their weights
])
def test_a_missing_line_counts_as_the_scheme_says_and_is_never_shown_as_a_value(cast, rule, total, explained):
    campaign = make_campaign(cast.commander)
    _data(cast, campaign)
    sign(cast.admin, [cast.household_b1], on=dt.date(2026, 10, 12))  # street B: all signed, 25 points
    scheme = make_scheme(cast.commander, campaign, **({} if rule == "rescale" else {"missing_rule": rule}))
    assert scheme.missing_rule == rule
    b = {r["unit"]: r for r in selectors.preview(scheme, "2026-10")}["西岭街道"]
    demolition = b["indicators"][1]
    assert demolition["missing"] is True and demolition["value"] is None and "数据缺失" in demolition["explain"]
    assert b["total"] == total
    assert (explained in b["total_explain"]) if explained else b["total_explain"] == ""


def test_a_signing_after_the_period_does_not_count_in_it(cast):
    campaign = make_campaign(cast.commander)
    _data(cast, campaign)  # street A: one of its two households signed on 10 October
    sign(cast.admin, [cast.household_a2], on=dt.date(2026, 11, 3))
    scheme = make_scheme(cast.commander, campaign)
    october = {r["unit"]: r for r in selectors.preview(scheme, "2026-10")}["东湖街道"]["indicators"][0]
    november = {r["unit"]: r for r in selectors.preview(scheme, "2026-11")}["东湖街道"]["indicators"][0]
    assert (october["inputs"], october["value"]) == ({"signed": 1, "in_scope": 2}, "50")
    assert (november["inputs"], november["value"]) == ({"signed": 2, "in_scope": 2}, "100")


def test_a_published_sheet_is_frozen_when_the_data_changes_after(cast):
    campaign = make_campaign(cast.commander)
    _data(cast, campaign)
    scheme = make_scheme(cast.commander, campaign)
    sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    before = list(sheet.rows)
    sign(cast.admin, [cast.household_a2], on=dt.date(2026, 10, 28))  # a signing within October, entered late
    assert selectors.preview(scheme, "2026-10")[0]["indicators"][0]["value"] == "100"  # live: changed
    assert selectors.sheet_in_force(scheme, "2026-10").rows == before  # published: unchanged


def test_recompute_makes_version_two_with_the_difference_and_the_reason(cast):
    campaign = make_campaign(cast.commander)
    _data(cast, campaign)
    scheme = make_scheme(cast.commander, campaign)
    first = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    with pytest.raises(AppError, match="已发布"):
        services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    services.adjustment_add(actor=cast.commander, scheme=scheme, period="2026-10", unit=cast.street_b, points="60",
                            reason="承担全区重点项目", document_number="改造办〔2026〕12号")
    with pytest.raises(AppError, match="原因"):
        services.sheet_recompute(actor=cast.commander, sheet=first, reason="  ")
    second = services.sheet_recompute(actor=cast.commander, sheet=first, reason="补录加分事项")
    first.refresh_from_db()
    assert (first.status, second.version, second.reason) == ("superseded", 2, "补录加分事项")
    assert selectors.sheet_in_force(scheme, "2026-10") == second
    changed = {d["unit"]: d for d in second.diff}
    assert changed["西岭街道"]["total_before"] == "0" and changed["西岭街道"]["total_after"] == "60"
    assert (changed["西岭街道"]["rank_before"], changed["西岭街道"]["rank_after"]) == (2, 1)
    assert changed["东湖街道"]["rank_after"] == 2
    with pytest.raises(AppError, match="取代"):
        services.sheet_recompute(actor=cast.commander, sheet=first, reason="再算一次")


def test_an_adjustment_needs_a_reason_and_a_document(cast):
    scheme = make_scheme(cast.commander)
    with pytest.raises(AppError, match="事由"):
        services.adjustment_add(actor=cast.commander, scheme=scheme, period="2026-10", unit=cast.street_a,
                                points="2", reason="好", document_number="X")
    with pytest.raises(AppError, match="文号"):
        services.adjustment_add(actor=cast.commander, scheme=scheme, period="2026-10", unit=cast.street_a,
                                points="2", reason="获市级表彰一次")
    with pytest.raises(AppError, match="考核期「2026-13」无法识别"):
        services.adjustment_add(actor=cast.commander, scheme=scheme, period="2026-13", unit=cast.street_a,
                                points="2", reason="获市级表彰一次", document_number="X")


def test_first_two_periods_running_proposes_a_commendation_and_last_an_accountability_once(cast):
    campaign = make_campaign(cast.commander)
    open_signing(cast.project_a, start=800)
    sign(cast.admin, [cast.household_a1], on=dt.date(2026, 9, 10))  # counts in September and October
    scheme = make_scheme(cast.commander, campaign)
    services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-09", today=TODAY)
    assert not Proposal.objects.exists()
    services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    made = {(p.kind, p.unit.name, tuple(p.periods)) for p in Proposal.objects.all()}
    assert made == {("commendation", "东湖街道", ("2026-09", "2026-10")),
                    ("accountability", "西岭街道", ("2026-09", "2026-10"))}
    services.sheet_recompute(actor=cast.commander, sheet=selectors.sheet_in_force(scheme, "2026-10"), reason="复核一次")
    assert Proposal.objects.count() == 2  # once per run


def test_a_proposal_is_confirmed_into_a_record_or_rejected_with_a_reason(cast):
    scheme = make_scheme(cast.commander)
    good = Proposal.objects.create(scheme=scheme, kind="commendation", unit=cast.street_a, periods=["2026-10"],
                                   reason="连续排名第一")
    bad = Proposal.objects.create(scheme=scheme, kind="accountability", unit=cast.street_b, periods=["2026-10"],
                                  reason="连续排名末位")
    with pytest.raises(AppError, match="方式"):
        services.proposal_confirm(actor=cast.commander, proposal=good, version=good.version, measure="talk",
                                  document_number="改造办〔2026〕3号")
    record = services.proposal_confirm(actor=cast.commander, proposal=good, version=good.version, measure="praise",
                                       document_number="改造办〔2026〕3号", decided_on="2026-11-05")
    assert (record.kind, record.unit, record.proposal, record.reason) == ("commendation", cast.street_a, good,
                                                                         "连续排名第一")
    with pytest.raises(AppError, match="已确认"):
        services.proposal_confirm(actor=cast.commander, proposal=good, version=good.version + 1, measure="praise",
                                  document_number="X")
    with pytest.raises(AppError, match="否决理由"):
        services.proposal_reject(actor=cast.commander, proposal=bad, version=bad.version, reason="")
    services.proposal_reject(actor=cast.commander, proposal=bad, version=bad.version, reason="排名末位系客观原因")
    bad.refresh_from_db()
    assert (bad.status, bad.decision_reason) == ("rejected", "排名末位系客观原因")
    assert Record.objects.count() == 1


def test_a_unit_sees_its_own_row_and_the_office_sees_all(cast):
    scheme = make_scheme(cast.commander)
    sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    assert [r["unit"] for r in selectors.sheet_rows_for(cast.street_user_a, sheet)] == ["东湖街道"]
    assert len(selectors.sheet_rows_for(cast.leader, sheet)) == 2
    assert selectors.sheet_rows_for(cast.cadre, sheet) == []
    assert selectors.latest_sheet(cast.street_user_b, scheme.campaign) == sheet
    assert selectors.latest_sheet(cast.resident, scheme.campaign) is None


def test_a_future_period_and_a_draft_scheme_are_not_published(cast):
    draft = make_scheme(cast.commander, active=False)
    with pytest.raises(AppError, match="尚未施行"):
        services.sheet_publish(actor=cast.commander, scheme=draft, period="2026-10", today=TODAY)
    scheme = make_scheme(cast.commander, draft.campaign, name="另一办法")
    with pytest.raises(AppError, match="尚未开始"):
        services.sheet_publish(actor=cast.commander, scheme=scheme, period="2027-01", today=TODAY)
    assert not ScoreSheet.objects.exists()


def test_a_new_total_must_still_be_the_sum_and_grade_lines_in_order(cast):
    scheme = make_scheme(cast.commander)
    with pytest.raises(AppError, match="各指标分值合计 100，应为 90"):
        services.scheme_update(actor=cast.commander, scheme=scheme, version=scheme.version, total="90",
                               excellent_min="85")
    with pytest.raises(AppError, match="合格 ≤ 良好 ≤ 优秀"):
        services.scheme_update(actor=cast.commander, scheme=scheme, version=scheme.version, good_min="95")
    changed = services.scheme_update(actor=cast.commander, scheme=scheme, version=scheme.version, name="新名称")
    assert changed.name == "新名称" and changed.version == scheme.version + 1
    services.sheet_publish(actor=cast.commander, scheme=changed, period="2026-10", today=TODAY)
    with pytest.raises(AppError, match="不能再改考核周期"):
        services.scheme_update(actor=cast.commander, scheme=changed, version=changed.version, period_kind="quarter")


def test_a_formula_that_cannot_run_on_the_values_marks_the_line_and_scores_zero(cast):
    rows = _rows(r0={"rule": "expression", "expression": "weight / (value - value)"})  # fine for value = 1 at save
    scheme = make_scheme(cast.commander, rows=rows)
    line = services.scoring.compute_rows(scheme, "2026-10")[0]["indicators"][0]
    assert (line["missing"], line["score"]) == (True, "0") and "公式无法计算" in line["explain"]
