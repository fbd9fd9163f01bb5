"""The demo district's compensation: two projects with complete schemes (money-heavy and swap-heavy),
valuations, every valued household calculated, a published 公示 with objections (answered, one answer
published), two change requests (approved and re-published, rejected), agreements for the signed households
in the order they signed — on a demo day in the past as on today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from gaizao.compensation.choices import AgreementStatus, ChangeStatus, ObjectionStatus, PublicityKind, SchemeStatus
from gaizao.compensation.models import Agreement, Calculation, ChangeRequest, Objection, Publicity, Scheme, Valuation
from gaizao.compensation.services.agreements import digest_holds
from gaizao.demo.generator import load_demo
from gaizao.ledger.models import Household

TODAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(households=1500, seed=7, today=TODAY)
        transaction.set_rollback(True)


def test_two_projects_have_a_published_scheme_one_money_heavy_one_swap_heavy(district, db):
    schemes = Scheme.objects.filter(status=SchemeStatus.PUBLISHED).order_by("pk")
    assert schemes.count() == 2
    assert ["货币补偿为主" in schemes[0].name, "产权调换为主" in schemes[1].name] == [True, True]
    options = {s.project_id: set(Calculation.objects.filter(scheme=s, current=True).values_list("option", flat=True))
               for s in schemes}
    assert all(found == {"money", "swap"} for found in options.values())
    assert district.counts["compensation"]["calculations"] > 0


def test_every_valued_household_of_the_two_projects_has_valuations_and_a_calculation(district, db):
    projects = Scheme.objects.values_list("project_id", flat=True)
    valued = Household.objects.filter(project_id__in=projects, valued_on__isnull=False)
    assert valued.exists()
    assert not valued.filter(valuations__isnull=True).exists()
    assert not valued.exclude(compensation_calculations__current=True).exists()
    assert Valuation.objects.filter(in_force=True).count() == district.counts["compensation"]["valuations"]


def test_the_compensation_list_is_published_on_the_demo_day_with_objections_answered(district, db):
    listing = Publicity.objects.filter(kind=PublicityKind.COMPENSATION, round=1).order_by("pk").first()
    assert listing.starts_on <= TODAY <= listing.ends_on
    survey = Publicity.objects.get(project=listing.project, kind=PublicityKind.SURVEY)
    assert survey.ends_on < listing.starts_on
    statuses = sorted(Objection.objects.values_list("status", flat=True))
    assert statuses == sorted([ObjectionStatus.ANSWERED, ObjectionStatus.PUBLISHED, ObjectionStatus.OPEN])
    assert all(listing.starts_on <= o.received_on <= listing.ends_on for o in Objection.objects.all())
    row = listing.rows[0] if isinstance(listing.rows, list) else None
    assert row is not None and "*" in str(row)  # names masked


def test_one_change_was_approved_by_another_person_and_republished_one_rejected(district, db):
    approved = ChangeRequest.objects.get(status=ChangeStatus.APPROVED)
    rejected = ChangeRequest.objects.get(status=ChangeStatus.REJECTED)
    assert approved.decided_by_id != approved.requested_by_id and approved.publicity is not None
    assert approved.publicity.round == 2
    assert rejected.decision_note and rejected.publicity is None


def test_signed_households_have_signed_agreements_numbered_in_the_order_they_signed(district, db):
    signed = Agreement.objects.filter(status=AgreementStatus.SIGNED).select_related("household")
    assert signed.count() == district.counts["compensation"]["agreements"] > 0
    for project_id in set(signed.values_list("project_id", flat=True)):
        rows = list(signed.filter(project_id=project_id).order_by("order_no"))
        assert [a.order_no for a in rows] == list(range(1, len(rows) + 1))
        assert [a.signed_on for a in rows] == sorted(a.signed_on for a in rows)
        assert all(a.signed_on == a.household.signed_on and digest_holds(a) for a in rows)
