"""Four eyes after 公示 (补偿变更申请): once a project's compensation list is published, an input of a household's
compensation changes only through a change request approved by a second person of the office — refused on every
write path without one; applied, recalculated and re-published with one."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.compensation.choices import ChangeKind, ChangeStatus, PublicityKind
from gaizao.compensation.models import Calculation, ChangeRequest, Publicity
from gaizao.compensation.services import changes
from gaizao.compensation.services.valuations import valuation_record
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from gaizao.ledger.models import Building, Household
from tests.compensation.samples_changes import evidence, published
from tests.conftest import login
from tests.ledger.importing.conftest import HOUSEHOLD_HEADER, Ledger, household_row

GATE = "的补偿情况已于"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pub(cast, media):
    published(cast)
    return cast


def _building(cast) -> Building:
    return Building.objects.get(household=cast.household_a1)


def _legality_request(cast, *, actor=None, legality="temporary") -> ChangeRequest:
    return changes.change_request(
        actor=actor or cast.street_user_a, household=cast.household_a1, kind=ChangeKind.LEGALITY,
        payload={"op": "building_update", "building": _building(cast).pk, "changes": {"legality": legality}},
        reason="经复核认定为未超期临时建筑", evidence=evidence())


# ---------------------------------------------------------------- the same bad change, on every path

def test_a_building_change_on_the_page_is_refused_after_publicity(pub, client):
    building = _building(pub)
    login(client, pub.street_user_a)
    response = client.post(reverse("ledger:building_edit", args=[building.pk]), {
        "number": "1", "structure": building.structure, "floors": "1", "legal_area": "100.00",
        "unlicensed_area": "30.00", "legality": "legal", "use": building.use, "disposition": building.disposition,
        "certificate_no": "", "version": building.version})
    assert response.status_code == 409
    body = response.content.decode()
    assert "住户 DH-001 的补偿情况已于" in body and "须提交变更申请，经第二人审核批准后生效" in body
    assert "合法面积" in body
    assert _building(pub).legal_area == Decimal("120.50")


def test_a_building_change_through_the_api_is_refused_after_publicity(pub, client):
    building = _building(pub)
    login(client, pub.commander)
    response = client.patch(f"/api/ledger/buildings/{building.pk}", json.dumps(
        {"version": building.version, "legality": "illegal"}), content_type="application/json")
    assert response.status_code == 409
    message = response.json()["message"]
    assert message.startswith("住户 DH-001 的补偿情况已于") and "修改房屋 1 的认定结果须提交变更申请" in message
    assert _building(pub).legality == "legal"


def test_a_building_change_in_an_import_is_refused_and_nothing_is_written(pub, tmp_path):
    row = household_row("DH-001", "李四", 1, legal=100, unlicensed=30)
    row[HOUSEHOLD_HEADER.index("户主身份证号")] = "11010519491231002X"
    row[HOUSEHOLD_HEADER.index("联系电话")] = "13812345678"
    path = Ledger(households=[row]).write(tmp_path / "台账.xlsx")
    plan = ledger_import_preview(actor=SYSTEM, project_code="P001", path=path)
    assert [item.number for item in plan.changed] == ["DH-001"]
    with pytest.raises(AppError) as refused:
        ledger_import_apply(actor=SYSTEM, plan=plan)
    assert refused.value.message.startswith("住户 DH-001 的补偿情况已于")
    assert "导入文件中的房屋" in refused.value.message
    assert _building(pub).legal_area == Decimal("120.50")
    assert Household.objects.get(pk=pub.household_a1.pk).address == ""


def test_a_village_mode_change_that_moves_dispositions_is_refused_after_publicity(cast, media):
    # A bulk path: the village's new mode re-marks every building's disposition (处置方式) at once.
    building = ledger.building_add(actor=cast.admin, household=cast.household_b1, number="1",
                                   legal_area=Decimal("80"), legality="illegal")
    published(cast)
    village = cast.village_b
    with pytest.raises(AppError) as refused:
        ledger.village_update(actor=cast.commander, village=village, version=village.version, mode="upgrade")
    assert refused.value.message.startswith("住户 XL-001 的补偿情况已于")
    assert "房屋的处置方式" in refused.value.message
    building.refresh_from_db()
    assert building.disposition == "demolish"


def test_members_and_the_member_count_are_refused_after_publicity(pub):
    household = Household.objects.get(pk=pub.household_a2.pk)
    with pytest.raises(AppError, match="修改家庭人数须提交变更申请"):
        ledger.household_update(actor=pub.street_user_a, household=household, version=household.version,
                                member_count=5)
    with pytest.raises(AppError, match="修改家庭成员（新增 张小三）须提交变更申请"):
        ledger.person_add(actor=pub.street_user_a, household=household, name="张小三", relation="child")
    # what is not an input of the compensation still changes
    ledger.household_update(actor=pub.street_user_a, household=household, version=household.version,
                            address="东湖路 8 号")


def test_a_valuation_after_publicity_is_refused_without_a_request(pub):
    with pytest.raises(AppError, match="修改评估结果须提交变更申请"):
        valuation_record(actor=pub.commander, household=pub.household_a1, building=_building(pub),
                         unit_price="6000", valued_on="2026-03-02", valuer="云溪房地产估价有限公司",
                         kind="review", reason="业主申请复核")


def test_before_publicity_the_ledger_changes_freely(cast, media):
    building = _building(cast)
    ledger.building_update(actor=cast.street_user_a, building=building, version=building.version,
                           legal_area=Decimal("100"))
    assert _building(cast).legal_area == Decimal("100.00")


def test_the_gate_costs_one_query_whatever_the_number_of_households(pub, django_assert_num_queries):
    ids = list(range(1, 20001))
    with django_assert_num_queries(1):
        assert changes.inputs_refusal(ids, what="房屋", project_ids=[pub.project_b.pk + 1000]) is None
    with django_assert_num_queries(0), changes.applying([pub.household_a1.pk]):
        changes.guard_inputs([pub.household_a1.pk], what="房屋", project_ids=[pub.project_a.pk])


# ---------------------------------------------------------------- asking

def test_a_request_keeps_the_inputs_and_line_items_before_and_after(pub):
    change = _legality_request(pub, legality="illegal")
    assert change.status == ChangeStatus.PENDING and change.requested_by == pub.street_user_a
    assert change.before["inputs"]["buildings"]["1"]["legality"] == "合法"
    assert change.after["inputs"]["buildings"]["1"]["legality"] == "违法"
    assert Decimal(change.before["total"]) > Decimal(change.after["total"])
    assert change.payload["before"] == {"legality": "legal"}
    # nothing applied yet
    assert _building(pub).legality == "legal"
    assert AuditEntry.objects.filter(action="compensation.change_request", object_id=str(change.pk)).exists()
    assert not AuditEntry.objects.filter(action="building.update", object_id=str(_building(pub).pk)).exists()


def test_the_change_is_checked_by_the_ledger_when_asked(pub):
    with pytest.raises(AppError) as refused:
        changes.change_request(actor=pub.street_user_a, household=pub.household_a1, kind=ChangeKind.BUILDING,
                               payload={"op": "building_update", "building": _building(pub).pk,
                                        "changes": {"legal_area": "-5"}},
                               reason="测绘复核面积有误", evidence=evidence())
    assert refused.value.fields == {"legal_area": "合法面积（㎡）不能为负数。"}
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("upload, message", [
    (None, "请上传证明材料"),
    (evidence("说明.txt", b"plain"), "类型不支持"),
    (evidence("假的.pdf", b"GIF89a"), "内容与扩展名不符"),
])
def test_a_request_needs_evidence(pub, upload, message):
    with pytest.raises(AppError, match=message):
        changes.change_request(actor=pub.street_user_a, household=pub.household_a1, kind=ChangeKind.LEGALITY,
                               payload={"op": "building_update", "building": _building(pub).pk,
                                        "changes": {"legality": "illegal"}},
                               reason="复核认定为违法建筑", evidence=upload)


def test_a_request_before_publicity_is_not_needed(cast, media):
    with pytest.raises(AppError, match="尚未公示补偿情况"):
        _legality_request(cast)


# ---------------------------------------------------------------- deciding

def test_the_requester_cannot_approve_their_own_request(pub):
    change = _legality_request(pub, actor=pub.commander)
    with pytest.raises(PermissionDenied, match="不能审核自己提交的变更申请"):
        changes.change_approve(actor=pub.commander, change=change, version=change.version)
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.PENDING
    assert _building(pub).legality == "legal"


def test_a_street_cannot_approve(pub, client):
    change = _legality_request(pub, actor=pub.commander)
    with pytest.raises(PermissionDenied, match="街道账号不能审核"):
        changes.change_approve(actor=pub.street_user_a, change=change, version=change.version)
    login(client, pub.street_user_a)
    response = client.post(f"/api/compensation/changes/{change.pk}/approve",
                           json.dumps({"version": change.version}), content_type="application/json")
    assert response.status_code == 403
    assert _building(pub).legality == "legal"


def test_a_rejection_needs_a_note(pub):
    change = _legality_request(pub)
    with pytest.raises(AppError, match="请写明驳回理由"):
        changes.change_reject(actor=pub.commander, change=change, version=change.version, note="")
    rejected = changes.change_reject(actor=pub.commander, change=change, version=change.version,
                                     note="证明材料不足，请补充认定复核文件")
    assert rejected.status == ChangeStatus.REJECTED and rejected.decided_by == pub.commander
    assert _building(pub).legality == "legal"
    with pytest.raises(AppError, match="已驳回，不能再审核"):
        changes.change_approve(actor=pub.admin, change=change, version=rejected.version)


def test_an_approved_change_is_applied_recalculated_and_republished(pub, client):
    change = _legality_request(pub, legality="illegal")
    before = Calculation.objects.get(household=pub.household_a1, current=True)
    rounds = Publicity.objects.filter(project=pub.project_a, kind=PublicityKind.COMPENSATION).count()
    login(client, pub.commander)
    response = client.post(reverse("compensation:change_approve", args=[change.pk]),
                           {"approve-version": change.version, "approve-note": "同意"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by == pub.commander
    assert _building(pub).legality == "illegal"
    after = Calculation.objects.get(household=pub.household_a1, current=True)
    assert after.pk != before.pk and after.total == Decimal(change.after["total"]) < before.total
    republished = Publicity.objects.filter(project=pub.project_a, kind=PublicityKind.COMPENSATION).order_by("-round")
    assert republished.count() == rounds + 1 and change.publicity == republished.first()
    row = next(r for r in change.publicity.rows if r["household_id"] == pub.household_a1.pk)
    assert row["changed"] is True and row["total"] == change.after["total"]
    # the household page shows the request, who asked and who approved
    login(client, pub.street_user_a)
    page = client.get(reverse("ledger:household_detail", args=[pub.household_a1.pk])).content.decode()
    assert f'data-testid="change-{change.pk}"' in page
    assert "已批准" in page and str(pub.commander) in page and str(pub.street_user_a) in page
    assert AuditEntry.objects.filter(action="compensation.change_approve", object_id=str(change.pk)).exists()


def test_approving_twice_applies_once(pub):
    change = _legality_request(pub, legality="illegal")
    changes.change_approve(actor=pub.commander, change=change, version=change.version)
    with pytest.raises(AppError, match="已批准，不能再审核"):
        changes.change_approve(actor=pub.admin, change=change, version=change.version)


def test_a_member_count_change_is_applied_through_the_ledger(pub):
    household = pub.household_a2
    change = changes.change_request(actor=pub.street_user_a, household=household, kind=ChangeKind.MEMBERS,
                                    payload={"op": "household_update", "changes": {"member_count": "4"}},
                                    reason="新生儿落户，家庭人数增加", evidence=evidence())
    assert change.after["inputs"]["household"]["persons"] == "4"
    changes.change_approve(actor=pub.admin, change=change, version=change.version)
    assert Household.objects.get(pk=household.pk).member_count == 4
    assert AuditEntry.objects.filter(action="household.update", object_id=str(household.pk)).exists()


# ---------------------------------------------------------------- the scheme's parameters

def _draft(cast):
    from gaizao.compensation.samples import scheme_text
    from gaizao.compensation.services.schemes import scheme_create

    text = scheme_text("money", project=cast.project_a.name).replace("registration_reward = 2000",
                                                                     "registration_reward = 3000")
    assert "registration_reward = 3000" in text
    return scheme_create(actor=cast.commander, project=cast.project_a, text=text, note="按期登记奖励调整")


def test_a_new_scheme_version_after_publicity_needs_a_request(pub):
    from gaizao.compensation.services.schemes import scheme_publish

    draft = _draft(pub)
    with pytest.raises(AppError, match="修改补偿方案（东湖村一期 第 2 版）须提交变更申请"):
        scheme_publish(actor=pub.commander, scheme=draft)


def test_an_approved_scheme_change_publishes_the_version_and_recalculates_the_project(pub):
    from gaizao.compensation.choices import SchemeStatus

    draft = _draft(pub)
    change = changes.change_request(actor=pub.commander, household=pub.household_a1, kind=ChangeKind.SCHEME,
                                    payload={"op": "scheme", "scheme": draft.pk},
                                    reason="领导小组会议决定调整按期登记奖励", evidence=evidence("会议纪要.pdf"))
    assert Decimal(change.after["total"]) - Decimal(change.before["total"]) == Decimal("1000")
    changes.change_approve(actor=pub.admin, change=change, version=change.version)
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.PUBLISHED
    for household in (pub.household_a1, pub.household_a2):
        assert Calculation.objects.get(household=household, current=True).scheme_id == draft.pk
    change.refresh_from_db()
    assert {row["household_id"] for row in change.publicity.rows} == {pub.household_a1.pk, pub.household_a2.pk}
