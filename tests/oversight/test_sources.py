"""The catalogue of sources: each computes every unit's value at once, says which figures it used, and
answers missing (None) — never 0 — when there is nothing to judge; departments get only the sources that
make sense for them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gaizao.campaign.models import Report, Task
from gaizao.oversight import sources
from gaizao.oversight.models import Finding, Inspection, SupervisionOrder
from tests.oversight.samples_assessment import make_campaign
from tests.progress.test_dashboard import open_signing, sign

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def run(key, cast, campaign, params=None, units=None):
    units = units or [cast.street_a, cast.street_b, cast.department]
    return sources.get(key).run(campaign=campaign, units=units, starts_on=OCT[0], ends_on=OCT[1], params=params or {})


def test_signing_rate_reads_the_street_rollups_and_departments_are_missing(cast):
    campaign = make_campaign(cast.commander)
    open_signing(cast.project_a, start=800)
    sign(cast.admin, [cast.household_a1], on=dt.date(2026, 10, 10))
    got = run("signing_rate", cast, campaign)
    assert got[cast.street_a.pk].value == Decimal("50.00")
    assert got[cast.street_a.pk].inputs == {"signed": 1, "in_scope": 2}
    assert got[cast.street_b.pk].value == Decimal("0.00")  # one household, none signed: a real 0
    assert got[cast.department.pk].value is None


def test_tasks_on_time_counts_the_tasks_due_in_the_period_for_streets_and_departments(cast):
    campaign = make_campaign(cast.commander)
    common = {"campaign": campaign, "title": "任务", "created_by": cast.commander}
    Task.objects.bulk_create([
        Task(unit=cast.department, deadline=dt.date(2026, 10, 15), status="done", done_on=dt.date(2026, 10, 15),
             **common),
        Task(unit=cast.department, deadline=dt.date(2026, 10, 15), status="done", done_on=dt.date(2026, 10, 16),
             **common),
        Task(unit=cast.department, deadline=dt.date(2026, 10, 20), status="doing", **common),
        Task(unit=cast.department, deadline=dt.date(2026, 10, 20), status="cancelled", **common),
        Task(unit=cast.department, deadline=dt.date(2026, 11, 2), status="done", done_on=dt.date(2026, 10, 2),
             **common),
    ])
    got = run("tasks_on_time", cast, campaign)
    assert got[cast.department.pk].value == Decimal("33.33")
    assert got[cast.department.pk].inputs == {"due": 3, "on_time": 1, "late": 1, "open": 1}
    assert "unit=%d" % cast.department.pk in got[cast.department.pk].link
    assert got[cast.street_a.pk].value is None  # nothing due: missing, not 0 %


def test_orders_closed_on_time_leave_out_drafts_and_cancelled_orders(cast):
    campaign = make_campaign(cast.commander)
    common = {"campaign": campaign, "title": "督办", "requirement": "按期完成", "deadline_workdays": 5,
              "unit": cast.street_b, "deadline": dt.date(2026, 10, 20)}
    SupervisionOrder.objects.bulk_create([
        SupervisionOrder(status="closed", closed_on=dt.date(2026, 10, 19), **common),
        SupervisionOrder(status="closed", closed_on=dt.date(2026, 10, 22), **common),
        SupervisionOrder(status="handling", **common),
        SupervisionOrder(status="draft", **common),
        SupervisionOrder(status="cancelled", **common),
    ])
    got = run("orders_on_time", cast, campaign)
    assert got[cast.street_b.pk].inputs == {"due": 3, "on_time": 1, "late": 1, "open": 1}
    assert got[cast.street_a.pk].value is None


def test_findings_fixed_on_time_need_the_office_verification(cast):
    campaign = make_campaign(cast.commander)
    inspection = Inspection.objects.create(campaign=campaign, title="十月督查", held_on=dt.date(2026, 10, 3),
                                           inspectors="督查组")
    fixed = timezone.make_aware(dt.datetime(2026, 10, 10, 10))
    common = {"inspection": inspection, "unit": cast.street_a, "text": "围挡破损", "deadline": dt.date(2026, 10, 12)}
    Finding.objects.bulk_create([Finding(status="verified", fixed_at=fixed, **common),
                                 Finding(status="fixed", fixed_at=fixed, **common)])
    got = run("findings_fixed", cast, campaign)
    assert got[cast.street_a.pk].value == Decimal("50.00")


def test_reports_count_the_periods_that_end_in_the_assessment_period(cast):
    campaign = make_campaign(cast.commander)  # weekly reports from 1 January: 4 periods end in October
    Report.objects.create(campaign=campaign, street=cast.street_a, period_start=dt.date(2026, 10, 1),
                          period_end=dt.date(2026, 10, 7), status="accepted",
                          submitted_at=timezone.make_aware(dt.datetime(2026, 10, 8, 9)))
    complete = run("reports_complete", cast, campaign)
    assert complete[cast.street_a.pk].inputs == {"due": 4, "submitted": 1, "on_time": 1, "accepted": 1}
    assert complete[cast.street_a.pk].value == Decimal("25.00")
    assert complete[cast.department.pk].value is None


def test_target_completion_is_missing_without_a_target(cast):
    from gaizao.campaign.services.campaign import target_set

    campaign = make_campaign(cast.commander)
    target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="4")
    got = run("target_completion", cast, campaign, {"metric": "signed"})
    assert got[cast.street_a.pk].value == Decimal("0.00") and got[cast.street_a.pk].inputs["target"] == 4
    assert got[cast.street_b.pk].value is None


def test_appeals_and_satisfaction_wait_for_the_residents_issue(cast):
    campaign = make_campaign(cast.commander)
    for key in ("appeals_on_time", "satisfaction"):
        assert not sources.get(key).available
        assert all(v.value is None for v in run(key, cast, campaign).values())


def test_every_source_link_opens_that_units_records_for_the_office(cast, client):
    """A score's 查看明细 opens the records behind it: each available source's link answers the office with
    its page narrowed to the unit (the progress table takes the street's code, the lists the unit's id)."""
    from tests.conftest import login

    campaign = make_campaign(cast.commander)
    login(client, cast.commander)
    units = [cast.street_a, cast.street_b, cast.department]
    opened = 0
    for source in sources.SOURCES.values():
        if not source.available:
            continue
        got = source.run(campaign=campaign, units=units, starts_on=OCT[0], ends_on=OCT[1], params={})
        for unit in units:
            if unit.pk not in got or not got[unit.pk].link:
                continue
            response = client.get(got[unit.pk].link)
            assert response.status_code == 200, (source.key, unit.name, got[unit.pk].link)
            if got[unit.pk].link.startswith("/progress/table/"):
                assert response.context["area"].unit == unit, (source.key, unit.name)
            opened += 1
    assert opened >= 10
