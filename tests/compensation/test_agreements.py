"""Compensation agreements (补偿协议): generated from the calculation with amounts frozen, regenerated while a
draft, signed as the household's 签约 event with the project's next signing order number, never changed after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.compensation.choices import AgreementStatus, Option
from gaizao.compensation.models import Agreement
from gaizao.compensation.services.agreements import (agreement_generate, agreement_sign, agreement_update,
                                                     digest_holds, payment_terms_default)
from gaizao.core.audit import action_label
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project
from gaizao.progress.models import StageEvent
from gaizao.progress.services.events import household_record_event
from tests.compensation.samples_agreements import ITEMS, TOTAL, calculation

TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def valued(cast, household, *, on: dt.date | None = None) -> Household:
    """Record the household surveyed, decided and valued (签约 needs 评估 first)."""
    on = on or days(-20)
    if not household.buildings.exists():
        ledger_services.building_add(actor=cast.admin, household=household, number="1", legal_area=Decimal("80.00"),
                                     legality="legal")
    for kind in ("surveyed", "decided", "valued"):
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=on)
    return Household.objects.get(pk=household.pk)


def period(project, start: dt.date | None, end: dt.date | None) -> Project:
    Project.objects.filter(pk=project.pk).update(signing_start=start, signing_end=end)
    return Project.objects.get(pk=project.pk)


# ------------------------------------------------------------------------------------------ generate

def test_generating_freezes_the_calculations_items_and_total_with_the_terms(cast):
    calc = calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.street_user_a, household=cast.household_a1)
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.calculation_id == calc.pk
    assert agreement.items == ITEMS and agreement.total == TOTAL
    assert agreement.option == Option.MONEY and agreement.swap_area is None
    assert agreement.number == "P001-XY-0001"
    assert agreement.transition_months == 0  # money: no transition period
    assert agreement.payment_terms == payment_terms_default(Option.MONEY)
    assert "15日内" in agreement.payment_terms
    assert agreement.move_deadline == days(30)
    assert agreement.order_no is None and agreement.signed_on is None
    assert len(agreement.digest) == 64 and digest_holds(agreement)
    assert action_label("compensation.agreement_generate") != "compensation.agreement_generate"


def test_a_swap_agreement_carries_the_swap_area_and_flat(cast):
    calculation(cast.household_a1, option=Option.SWAP, swap_area=Decimal("126.00"))
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1, swap_flat="东湖安置区3栋1502室",
                                   transition_months=18, move_deadline=days(45))
    assert agreement.option == Option.SWAP
    assert agreement.swap_area == Decimal("126.00") and agreement.swap_flat == "东湖安置区3栋1502室"
    assert agreement.transition_months == 18 and agreement.move_deadline == days(45)
    assert "差价" in agreement.payment_terms


def test_a_swaps_transition_period_defaults_to_the_schemes(cast):
    calculation(cast.household_a1, option=Option.SWAP)
    assert agreement_generate(actor=cast.admin, household=cast.household_a1).transition_months == 24


def test_generating_without_a_calculation_is_refused_by_name(cast):
    with pytest.raises(AppError) as refused:
        agreement_generate(actor=cast.admin, household=cast.household_a1)
    assert "DH-001" in refused.value.message and "尚无" in refused.value.message
    assert "calculation" in refused.value.fields
    assert not Agreement.objects.exists()


def test_bad_terms_are_named_field_by_field_and_nothing_is_written(cast):
    calculation(cast.household_a1)
    with pytest.raises(AppError) as refused:
        agreement_generate(actor=cast.admin, household=cast.household_a1, swap_flat="某安置区",
                           move_deadline=days(-1), transition_months=500)
    assert set(refused.value.fields) == {"swap_flat", "move_deadline", "transition_months"}
    assert not Agreement.objects.exists()


def test_a_street_cannot_generate_for_another_streets_household_and_a_cadre_not_at_all(cast):
    calculation(cast.household_b1)
    calculation(cast.household_a1)
    with pytest.raises(NotFound):
        agreement_generate(actor=cast.street_user_a, household=cast.household_b1)
    with pytest.raises(NotFound):
        agreement_generate(actor=cast.cadre, household=cast.household_a1)
    with pytest.raises(NotFound):
        agreement_generate(actor=cast.leader, household=cast.household_a1)


def test_regenerating_a_draft_from_a_newer_calculation_voids_the_old_draft(cast):
    calculation(cast.household_a1)
    first = agreement_generate(actor=cast.admin, household=cast.household_a1)
    assert agreement_generate(actor=cast.admin, household=cast.household_a1).pk == first.pk  # nothing new
    newer = calculation(cast.household_a1, total=Decimal("700000.00"))
    second = agreement_generate(actor=cast.admin, household=cast.household_a1)
    assert second.pk != first.pk and second.calculation_id == newer.pk and second.total == Decimal("700000.00")
    assert second.number == "P001-XY-0002"
    first.refresh_from_db()
    assert first.status == AgreementStatus.VOID and first.total == TOTAL  # kept as it was


# ------------------------------------------------------------------------------------------ edit

def test_a_drafts_terms_are_edited_and_the_digest_follows(cast):
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    before = agreement.digest
    edited = agreement_update(actor=cast.street_user_a, agreement=agreement, version=agreement.version,
                              payment_terms="协议生效之日起10日内一次性支付。", move_deadline=days(60))
    assert edited.payment_terms == "协议生效之日起10日内一次性支付。" and edited.move_deadline == days(60)
    assert edited.digest != before and digest_holds(Agreement.objects.get(pk=agreement.pk))
    with pytest.raises(Conflict):
        agreement_update(actor=cast.admin, agreement=agreement, version=agreement.version, payment_terms="旧版本")


def test_a_drafts_amounts_are_not_edited_directly(cast):
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    with pytest.raises(AppError) as refused:
        agreement_update(actor=cast.admin, agreement=agreement, total=Decimal("1"))
    assert "重新生成" in refused.value.message
    assert Agreement.objects.get(pk=agreement.pk).total == TOTAL


# ------------------------------------------------------------------------------------------ sign

def test_signing_records_the_date_the_order_number_and_the_households_signed_event(cast):
    project = period(cast.project_a, days(-10), days(10))
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    signed = agreement_sign(actor=cast.street_user_a, agreement=agreement, signed_on=days(-1))
    assert signed.status == AgreementStatus.SIGNED and signed.signed_on == days(-1) and signed.order_no == 1
    assert signed.signed_recorded_by == cast.street_user_a
    household = Household.objects.get(pk=cast.household_a1.pk)
    assert household.stage == "signed" and household.signed_on == days(-1)
    event = StageEvent.objects.get(household=household, kind="signed")
    assert agreement.number in event.note
    assert project.signing_end == days(10)


def test_order_numbers_count_up_per_project_in_the_order_signatures_are_recorded(cast):
    period(cast.project_a, days(-10), days(10))
    period(cast.project_b, days(-10), days(10))
    out = {}
    for household in (cast.household_a2, cast.household_b1, cast.household_a1):
        valued(cast, household)
        calculation(household)
        out[household.number] = agreement_sign(
            actor=cast.admin, signed_on=days(-2), agreement=agreement_generate(actor=cast.admin, household=household))
    assert out["DH-002"].order_no == 1 and out["DH-001"].order_no == 2  # project A: in the order recorded
    assert out["XL-001"].order_no == 1  # project B counts on its own


def test_a_refused_signature_leaves_no_gap_in_the_order_numbers(cast):
    period(cast.project_a, days(-10), days(10))
    calculation(cast.household_a2)
    not_valued = agreement_generate(actor=cast.admin, household=cast.household_a2)
    with pytest.raises(AppError) as refused:  # progress refuses: not yet valued (评估)
        agreement_sign(actor=cast.admin, agreement=not_valued, signed_on=days(-1))
    assert "评估" in refused.value.message
    assert Agreement.objects.get(pk=not_valued.pk).status == AgreementStatus.DRAFT
    assert Agreement.objects.get(pk=not_valued.pk).order_no is None
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    signed = agreement_sign(actor=cast.admin, signed_on=days(-1),
                            agreement=agreement_generate(actor=cast.admin, household=cast.household_a1))
    assert signed.order_no == 1


def test_a_signing_date_in_the_future_is_refused(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    with pytest.raises(AppError) as refused:
        agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(1))
    assert "晚于今天" in refused.value.message and refused.value.fields == {"signed_on": "不能晚于今天"}
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_a_signing_date_outside_the_signing_period_is_refused_with_the_dates(cast):
    period(cast.project_a, days(-10), days(-3))
    valued(cast, cast.household_a1, on=days(-30))
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    for day in (days(-1), days(-11)):
        with pytest.raises(AppError) as refused:
            agreement_sign(actor=cast.admin, agreement=agreement, signed_on=day)
        assert str(days(-10)) in refused.value.message and str(days(-3)) in refused.value.message
        assert "signed_on" in refused.value.fields
    with pytest.raises(AppError):
        agreement_sign(actor=cast.admin, agreement=agreement, signed_on="2026-13-45")
    assert Household.objects.get(pk=cast.household_a1.pk).signed_on is None


def test_signing_twice_is_refused(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_sign(actor=cast.admin, signed_on=days(-1),
                               agreement=agreement_generate(actor=cast.admin, household=cast.household_a1))
    with pytest.raises(Conflict) as refused:
        agreement_sign(actor=cast.admin, agreement=agreement.pk, signed_on=days(-1))
    assert "不能重复签约" in refused.value.message and "签约顺序号 1" in refused.value.message
    assert StageEvent.objects.filter(household=cast.household_a1, kind="signed").count() == 1


def test_a_swap_agreement_without_the_flats_location_is_not_signed(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1, option=Option.SWAP)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    with pytest.raises(AppError) as refused:
        agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(-1))
    assert "swap_flat" in refused.value.fields


def test_a_draft_from_an_outdated_calculation_is_not_signed(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    calculation(cast.household_a1, total=Decimal("1.00"))
    with pytest.raises(Conflict) as refused:
        agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(-1))
    assert "重新生成" in refused.value.message


def test_a_cadre_or_a_leader_cannot_record_a_signature(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    for user in (cast.cadre, cast.leader, cast.street_user_b, cast.resident):
        with pytest.raises(NotFound):
            agreement_sign(actor=user, agreement=agreement, signed_on=days(-1))


# ------------------------------------------------------------------------------------------ frozen once signed

def _signed(cast):
    valued(cast, cast.household_a1)
    calculation(cast.household_a1)
    return agreement_sign(actor=cast.admin, signed_on=days(-1),
                          agreement=agreement_generate(actor=cast.admin, household=cast.household_a1))


def test_a_signed_agreements_amounts_are_refused_with_the_signing_date(cast):
    agreement = _signed(cast)
    for changes in ({"total": Decimal("1")}, {"items": []}, {"swap_area": Decimal("1")}):
        with pytest.raises(Conflict) as refused:
            agreement_update(actor=cast.admin, agreement=agreement, **changes)
        assert refused.value.message.startswith(f"协议已于 {days(-1)} 签订")
        assert "金额不可修改" in refused.value.message
    with pytest.raises(Conflict) as refused:
        agreement_update(actor=cast.admin, agreement=agreement, payment_terms="改")
    assert f"协议已于 {days(-1)} 签订" in refused.value.message
    with pytest.raises(Conflict) as refused:  # regenerating from a newer calculation
        calculation(cast.household_a1, total=Decimal("800000.00"))
        agreement_generate(actor=cast.admin, household=cast.household_a1)
    assert "金额不可修改" in refused.value.message
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.total == TOTAL and stored.items == ITEMS and digest_holds(stored)
    assert Agreement.objects.filter(household=cast.household_a1).count() == 1


def test_later_scheme_and_calculation_changes_never_alter_a_signed_agreement(cast):
    from gaizao.compensation.agreement_doc import agreement_context
    from gaizao.compensation.models import Calculation, Scheme

    agreement = _signed(cast)
    before_row = {f.name: getattr(agreement, f.name) for f in Agreement._meta.concrete_fields if f.name != "updated_at"}
    before_doc = agreement_context(Agreement.objects.select_related("household", "project").get(pk=agreement.pk))
    Scheme.objects.filter(project=cast.project_a).update(text='[scheme]\nname = "改"\n', name="第二版方案")
    Calculation.objects.filter(pk=agreement.calculation_id).update(items=[], total=Decimal("5.00"))
    calculation(cast.household_a1, total=Decimal("999999.00"), items=[])
    stored = Agreement.objects.select_related("household", "project").get(pk=agreement.pk)
    assert {f.name: getattr(stored, f.name) for f in Agreement._meta.concrete_fields
            if f.name != "updated_at"} == before_row
    assert agreement_context(stored) == before_doc


# ------------------------------------------------------------------------------------------ with the calculator

def test_an_agreement_from_the_calculators_swap_calculation_carries_its_lines_and_period(cast):
    from gaizao.compensation.agreement_doc import agreement_context
    from gaizao.compensation.services.calculations import household_calculate
    from tests.compensation.factories import publish_scheme, value_buildings

    publish_scheme(cast.project_a, "swap")
    value_buildings(cast.household_a1)
    calc = household_calculate(actor=cast.admin, household=cast.household_a1, option="swap",
                               signed_on=dt.date(2026, 3, 10))
    agreement = agreement_generate(actor=cast.street_user_a, household=cast.household_a1, swap_flat="东湖安置区1栋101室")
    assert agreement.calculation_id == calc.pk and agreement.items == calc.items and agreement.total == calc.total
    assert agreement.swap_area == calc.swap_area and agreement.swap_area is not None
    assert agreement.transition_months > 0
    context = agreement_context(Agreement.objects.select_related("household", "project").get(pk=agreement.pk))
    labels = [row[1] for row in context["tables"][0]["rows"]]
    assert labels[-1] == "合计（货币）" and len(labels) == 1 + sum(1 for i in calc.items if i.get("applies", True))
    assert all("_" not in row[2] for row in context["tables"][0]["rows"])  # no code names printed


def test_regenerating_keeps_the_drafts_edited_terms_unless_given_anew(cast):
    calculation(cast.household_a1, option=Option.SWAP)
    draft = agreement_generate(actor=cast.admin, household=cast.household_a1, swap_flat="东湖安置区2栋301室",
                               move_deadline=days(50))
    agreement_update(actor=cast.admin, agreement=draft, payment_terms="协议生效之日起7日内支付。")
    calculation(cast.household_a1, option=Option.SWAP, total=Decimal("700000.00"))
    again = agreement_generate(actor=cast.admin, household=cast.household_a1)
    assert again.pk != draft.pk and again.total == Decimal("700000.00")
    assert (again.swap_flat, again.move_deadline, again.payment_terms) == (
        "东湖安置区2栋301室", days(50), "协议生效之日起7日内支付。")
    assert agreement_generate(actor=cast.admin, household=cast.household_a1, transition_months=6).transition_months == 6


def test_a_draft_whose_moving_deadline_has_passed_is_edited_then_signed(cast):
    period(cast.project_a, days(-30), days(10))
    valued(cast, cast.household_a1, on=days(-25))
    calculation(cast.household_a1)
    draft = agreement_generate(actor=cast.admin, household=cast.household_a1, move_deadline=days(0))
    Agreement.objects.filter(pk=draft.pk).update(move_deadline=days(-5))  # the draft waited past its deadline
    draft = Agreement.objects.get(pk=draft.pk)
    # its own deadline is not asked again when another term changes; the digest follows the edit
    edited = agreement_update(actor=cast.admin, agreement=draft, payment_terms="协议生效之日起10日内支付。")
    assert edited.move_deadline == days(-5)
    with pytest.raises(AppError) as refused:
        agreement_sign(actor=cast.admin, agreement=draft, signed_on=days(-1))
    assert "move_deadline" in refused.value.fields and "早于签约日期" in refused.value.message
    agreement_update(actor=cast.admin, agreement=draft, move_deadline=days(20))
    assert agreement_sign(actor=cast.admin, agreement=draft, signed_on=days(-1)).order_no == 1


def test_a_household_signed_before_its_agreement_existed_has_it_signed_on_that_date(cast):
    period(cast.project_a, days(-10), days(10))
    valued(cast, cast.household_a1)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days(-3))
    calculation(cast.household_a1)
    agreement = agreement_generate(actor=cast.admin, household=cast.household_a1)
    with pytest.raises(AppError) as refused:
        agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(-1))
    assert str(days(-3)) in refused.value.message and "signed_on" in refused.value.fields
    signed = agreement_sign(actor=cast.admin, agreement=agreement, signed_on=days(-3))
    assert signed.status == AgreementStatus.SIGNED and signed.order_no == 1
    assert StageEvent.objects.filter(household=cast.household_a1, kind="signed").count() == 1
