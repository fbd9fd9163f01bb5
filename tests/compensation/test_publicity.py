"""Publicity (公示): rounds frozen and masked for their period, the compensation list from each household's current
calculation under the scheme in force, republication after a change, and objections recorded in the period,
answered and published. Every refusal names what is wrong and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.compensation.choices import ObjectionStatus, PublicityKind
from gaizao.compensation.models import Calculation, Objection, Publicity
from gaizao.compensation.selectors.publicity import compensation_table, money_columns
from gaizao.compensation.services.calculations import household_calculate
from gaizao.compensation.services.publicity import (objection_answer, objection_publish, objection_record,
                                                    publicity_publish, publicity_republish)
from gaizao.core.actors import SYSTEM
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger import services as ledger_services
from tests.compensation.factories import publish_scheme, value_buildings

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _calculated(cast):
    """Project A with its scheme in force and both households calculated (DH-001 money, DH-002 swap)."""
    scheme = publish_scheme(cast.project_a)
    ledger_services.building_add(actor=SYSTEM, household=cast.household_a2, number="1", legal_area=Decimal("96.00"),
                                 unlicensed_area=Decimal("0"), legality="legal")
    for household in (cast.household_a1, cast.household_a2):
        value_buildings(household)
    household_calculate(actor=SYSTEM, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 10))
    household_calculate(actor=SYSTEM, household=cast.household_a2, option="swap", signed_on=dt.date(2026, 3, 10))
    return scheme


# ------------------------------------------------------------------------------------------ survey

def test_the_survey_round_lists_each_building_with_the_head_masked_and_no_id_or_phone(cast):
    p = publicity_publish(actor=cast.street_user_a, project=cast.project_a, kind=PublicityKind.SURVEY)
    assert (p.kind, p.round, p.starts_on, p.ends_on) == ("survey", 1, TODAY(), TODAY() + dt.timedelta(days=6))
    assert p.title == "东湖村一期调查认定结果公示（第1轮）"
    first, second = p.rows
    assert (first["number"], first["name"]) == ("DH-001", "李*")
    assert first["buildings"] == [{"number": "1", "structure": "砖混", "use": "住宅", "legal_area": "120.50",
                                   "unlicensed_area": "30.00", "legality": "合法"}]
    assert (second["name"], second["buildings"]) == ("张*", [])
    text = json.dumps(p.rows, ensure_ascii=False)
    for secret in ("李四", "张三", "11010519491231002X", "440106199001011235", "13812345678", "13900001111"):
        assert secret not in text
    assert AuditEntry.objects.filter(action="compensation.publicity_publish", object_id=str(p.pk)).count() == 1


def test_publishing_again_makes_the_next_round_and_the_first_stays_as_it_was(cast):
    first = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey")
    ledger_services.building_add(actor=SYSTEM, household=cast.household_a2, number="9", legal_area=Decimal("50"),
                                 unlicensed_area=Decimal("0"), legality="illegal")
    second = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey", days=10)
    assert (second.round, second.ends_on - second.starts_on) == (2, dt.timedelta(days=9))
    first.refresh_from_db()
    assert first.rows[1]["buildings"] == []  # frozen at its publication
    assert second.rows[1]["buildings"][0]["legality"] == "违法"


def test_the_period_may_be_given_by_its_dates(cast):
    start = TODAY() + dt.timedelta(days=2)
    p = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey", starts_on=start.isoformat(),
                          ends_on=(start + dt.timedelta(days=59)).isoformat(), title="东湖村一期认定结果公示", note="张贴于村委会")
    assert (p.starts_on, p.ends_on, p.title, p.note) == (start, start + dt.timedelta(days=59), "东湖村一期认定结果公示",
                                                         "张贴于村委会")


@pytest.mark.parametrize("changes, field, words", [
    ({"starts_on": "2026-12-10", "ends_on": "2026-12-09"}, "ends_on", "公示结束日期 2026-12-09 早于开始日期 2026-12-10"),
    ({"starts_on": "2026-12-10", "ends_on": "2027-02-08"}, "ends_on", "共 61 天，超过 60 天的上限"),
    ({"days": 61}, "days", "公示天数须在 1 到 60 天之间"),
    ({"days": 0}, "days", "公示天数须在 1 到 60 天之间"),
    ({"days": "七"}, "days", "不是整数"),
    ({"starts_on": "2026-13-01"}, "starts_on", "公示开始日期「2026-13-01」不是有效日期"),
    ({"starts_on": "9999-12-31"}, "starts_on", "公示开始日期 9999-12-31 过远"),
    ({"starts_on": "2020-01-01", "ends_on": "2020-01-07"}, "ends_on", "已经结束"),
    ({"kind": "lottery"}, "kind", "公示类别「lottery」不是可选的值"),
    ({"household_ids": [999999]}, "household_ids", "1 户不属于项目「东湖村一期」或不存在"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_published(cast, changes, field, words):
    args = {"kind": "survey", **changes}
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, **args)
    assert words in caught.value.message and field in caught.value.fields
    assert not Publicity.objects.exists()


def test_households_may_be_named_by_their_numbers_and_an_unknown_number_is_refused(cast):
    p = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey", household_numbers="DH-002\n")
    assert [r["number"] for r in p.rows] == ["DH-002"]
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey",
                          household_numbers="DH-001、XL-001，DH-404")
    assert caught.value.message == "2 个户号不是项目「东湖村一期」的住户：XL-001、DH-404。"
    assert caught.value.fields == {"household_numbers": "户号有误"}
    assert Publicity.objects.count() == 1


def test_a_household_of_another_project_is_refused(cast):
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey",
                          household_ids=[cast.household_a1.pk, cast.household_b1.pk])
    assert f"住户 id：{cast.household_b1.pk}" in caught.value.message


def test_an_empty_list_is_refused(cast):
    project = ledger_services.project_create(actor=SYSTEM, village=cast.village_a, code="P009", name="东湖村二期")
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=project, kind="survey")
    assert caught.value.message == "项目「东湖村二期」没有可公示的住户，公示名单为空。"
    with pytest.raises(AppError):
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey", household_ids=[])
    assert not Publicity.objects.exists()


def test_another_streets_project_is_not_found_and_a_leader_may_not_publish(cast):
    for actor in (cast.street_user_b, cast.leader, cast.cadre):
        with pytest.raises(NotFound):
            publicity_publish(actor=actor, project=cast.project_a, kind="survey")
    assert not Publicity.objects.exists()


# ------------------------------------------------------------------------------------------ compensation

def test_the_compensation_list_takes_each_households_current_calculation_masked(cast):
    scheme = _calculated(cast)
    p = publicity_publish(actor=cast.street_user_a, project=cast.project_a, kind=PublicityKind.COMPENSATION)
    assert p.scheme == scheme and p.title == "东湖村一期分户补偿情况公示（第1轮）"
    li, zhang = p.rows
    calc = Calculation.objects.get(household=cast.household_a1, current=True)
    assert (li["number"], li["name"], li["option"], li["option_label"]) == ("DH-001", "李*", "money", "货币补偿")
    assert li["legal_area"] == "120.50" and li["total"] == f"{calc.total}" and li["swap_area"] is None
    money = [i for i in calc.items if i["kind"] == "money" and i["applies"]]
    assert [(i["key"], Decimal(i["amount"])) for i in li["items"]] == [(i["key"], Decimal(i["amount"])) for i in money]
    assert all(len(i["amount"].split(".")[1]) == 2 for i in li["items"])  # two places, as published
    assert (zhang["name"], zhang["option"]) == ("张*", "swap") and zhang["swap_area"] is not None
    assert "张三" not in json.dumps(p.rows, ensure_ascii=False)
    assert sum(Decimal(i["amount"]) for i in li["items"]) == Decimal(li["total"])


def test_households_without_a_current_calculation_are_named_and_nothing_is_published(cast):
    publish_scheme(cast.project_a)
    value_buildings(cast.household_a1)
    household_calculate(actor=SYSTEM, household=cast.household_a1, option="money", signed_on=dt.date(2026, 3, 10))
    for n in range(7):
        ledger_services.household_create(actor=SYSTEM, project=cast.project_a, number=f"DH-1{n:02d}", head_name="某某")
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation")
    assert caught.value.message.startswith("8 户尚无补偿测算，不能公示分户补偿情况：DH-002、DH-100、DH-101、DH-102、DH-103等。")
    assert not Publicity.objects.exists()
    # narrowed to the calculated household it publishes
    p = publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation",
                          household_ids=[cast.household_a1.pk])
    assert [r["number"] for r in p.rows] == ["DH-001"]


def test_a_calculation_under_an_older_scheme_version_is_refused(cast):
    _calculated(cast)
    publish_scheme(cast.project_a, "swap")  # a new version in force, nobody calculated again
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation")
    assert "2 户的测算不是按现行补偿方案" in caught.value.message and "DH-001、DH-002" in caught.value.message


def test_a_project_without_a_scheme_in_force_has_no_compensation_list(cast):
    with pytest.raises(AppError) as caught:
        publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation")
    assert "尚无已发布的补偿方案" in caught.value.message


def test_columns_are_the_union_of_the_money_items_in_the_schemes_order():
    rows = [{"items": [{"key": "a", "label": "甲"}, {"key": "c", "label": "丙"}]},
            {"items": [{"key": "b", "label": "乙"}, {"key": "c", "label": "丙"}, {"key": "d", "label": "丁"}]},
            {"items": [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}]}]
    assert [c.key for c in money_columns(rows)] == ["a", "b", "c", "d"]
    for row in rows:
        for item in row["items"]:
            item["amount"] = "1.00"
    _columns, table = compensation_table(rows)
    assert table[0]["amounts"] == ["1.00", "", "1.00", ""]


def test_republishing_after_a_change_makes_the_next_round_marking_the_changed_households(cast):
    _calculated(cast)
    first = publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation")
    second = publicity_republish(actor=cast.commander, project=cast.project_a, household_ids=[cast.household_a2.pk],
                                 note="经审核同意变更认定结果。")
    assert second.round == first.round + 1 and second.kind == "compensation"
    assert [r.get("changed", False) for r in second.rows] == [False, True]
    assert second.note == "经审核同意变更认定结果。\n本轮变更的住户：DH-002。"
    assert (second.starts_on, second.ends_on) == (TODAY(), TODAY() + dt.timedelta(days=6))
    entry = AuditEntry.objects.get(action="compensation.publicity_republish")
    assert entry.changes["after"]["changed"] == ["DH-002"]
    with pytest.raises(AppError):
        publicity_republish(actor=cast.admin, project=cast.project_a, household_ids=[])


def test_republishing_covers_the_households_of_the_last_round(cast):
    _calculated(cast)
    publicity_publish(actor=cast.admin, project=cast.project_a, kind="compensation",
                      household_ids=[cast.household_a1.pk])
    again = publicity_republish(actor=cast.admin, project=cast.project_a, household_ids=[cast.household_a1.pk],
                                note="")
    assert [r["number"] for r in again.rows] == ["DH-001"] and again.note == "本轮变更的住户：DH-001。"


def test_republishing_when_only_the_survey_was_published_makes_its_next_round(cast):
    publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey")
    again = publicity_republish(actor=cast.admin, project=cast.project_a, household_ids=[cast.household_a1.pk])
    assert (again.kind, again.round) == ("survey", 2) and again.rows[0]["changed"] is True
    assert "changed" not in again.rows[1]


def test_republishing_leaves_out_the_households_that_withdrew_and_names_twenty_changed_at_most(cast):
    from gaizao.ledger.choices import Stage
    from gaizao.ledger.models import Household

    publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey")
    made = [ledger_services.household_create(actor=SYSTEM, project=cast.project_a, number=f"DH-2{n:02d}",
                                             head_name="某某").pk for n in range(22)]
    Household.objects.filter(pk=cast.household_a2.pk).update(stage=Stage.WITHDRAWN)
    again = publicity_republish(actor=cast.admin, project=cast.project_a, household_ids=made)
    assert "DH-002" not in [r["number"] for r in again.rows] and len(again.rows) == 23
    assert again.note.startswith("本轮变更的住户：DH-200、") and again.note.endswith("DH-219等 22 户。")


def test_the_default_period_follows_the_setting(cast, settings):
    settings.GAIZAO_PUBLICITY_DAYS = 15
    p = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey")
    assert (p.ends_on - p.starts_on).days + 1 == 15


# ------------------------------------------------------------------------------------------ objections

@pytest.fixture
def running(cast):
    return publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey",
                             starts_on=(TODAY() - dt.timedelta(days=3)).isoformat(), days=7)


def test_an_objection_is_recorded_answered_and_published(cast, running):
    o = objection_record(actor=cast.street_user_a, publicity=running, submitter="张三", content="房屋面积少算了",
                         household_number="DH-002", received_on=(TODAY() - dt.timedelta(days=1)).isoformat())
    assert (o.status, o.household, o.created_by) == (ObjectionStatus.OPEN, cast.household_a2, cast.street_user_a)
    o = objection_answer(actor=cast.street_user_a, objection=o, version=o.version, answer="经复核，面积无误。")
    assert (o.status, o.answered_on, o.answered_by) == (ObjectionStatus.ANSWERED, TODAY(), cast.street_user_a)
    o = objection_answer(actor=cast.street_user_a, objection=o, version=o.version, answer="经复核，面积无误，维持认定。")
    o = objection_publish(actor=cast.commander, objection=o, version=o.version)
    o.refresh_from_db()
    assert (o.status, o.answer) == (ObjectionStatus.PUBLISHED, "经复核，面积无误，维持认定。")
    assert o.answer_published_at is not None
    actions = list(AuditEntry.objects.filter(object_id=str(o.pk), action__startswith="compensation.objection")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["compensation.objection_record", "compensation.objection_answer",
                       "compensation.objection_answer", "compensation.objection_publish"]
    # the audit trail names the submitter masked
    assert AuditEntry.objects.get(action="compensation.objection_record").changes["after"]["submitter"] == "张*"
    with pytest.raises(AppError) as caught:
        objection_answer(actor=cast.admin, objection=o, version=o.version, answer="改")
    assert caught.value.status == 409 and "已公布" in caught.value.message
    with pytest.raises(AppError):
        objection_publish(actor=cast.admin, objection=o, version=o.version)


def test_an_objection_outside_the_period_is_refused_with_the_dates(cast, running):
    before = running.starts_on - dt.timedelta(days=1)
    with pytest.raises(AppError) as caught:
        objection_record(actor=cast.admin, publicity=running, submitter="张三", content="有误", received_on=before)
    assert caught.value.message == (f"收到日期 {before} 不在公示期（{running.starts_on} 至 {running.ends_on}）内，"
                                    "不能登记为对本轮公示的异议。")
    assert caught.value.fields == {"received_on": "不在公示期内"}
    upcoming = publicity_publish(actor=cast.admin, project=cast.project_a, kind="survey",
                                 starts_on=TODAY() + dt.timedelta(days=1))
    with pytest.raises(AppError) as caught:
        objection_record(actor=cast.admin, publicity=upcoming, submitter="张三", content="有误")
    assert "不在公示期" in caught.value.message
    assert not Objection.objects.exists()


@pytest.mark.parametrize("changes, field, words", [
    ({"submitter": " "}, "submitter", "请填写提出人"),
    ({"content": ""}, "content", "请填写异议内容"),
    ({"content": "长" * 2001}, "content", "异议内容最多 2000 个字"),
    ({"household_number": "XL-001"}, "household_number", "户号「XL-001」不是项目「东湖村一期」的住户"),
    ({"received_on": "明天"}, "received_on", "收到日期「明天」不是有效日期"),
    ({"content": "有误\u202e"}, "content", ""),
])
def test_bad_objections_are_refused_naming_the_field(cast, running, changes, field, words):
    args = {"submitter": "张三", "content": "有误", **changes}
    with pytest.raises(AppError) as caught:
        objection_record(actor=cast.admin, publicity=running, **args)
    assert words in caught.value.message and field in caught.value.fields
    assert not Objection.objects.exists()


def test_a_future_receipt_and_bad_answers_are_refused(cast, running):
    with pytest.raises(AppError) as caught:
        objection_record(actor=cast.admin, publicity=running, submitter="张三", content="有误",
                         received_on=TODAY() + dt.timedelta(days=1))
    assert "晚于今天" in caught.value.message
    o = objection_record(actor=cast.admin, publicity=running, submitter="张三", content="有误")
    for kwargs, words in (({"answer": ""}, "请填写答复内容"), ({"answer": "答" * 4001}, "答复最多 4000 个字"),
                          ({"answer": "好", "answered_on": TODAY() + dt.timedelta(days=1)}, "晚于今天"),
                          ({"answer": "好", "answered_on": TODAY() - dt.timedelta(days=1)}, "早于收到异议的日期"),
                          ({"answer": "好", "version": None}, "缺少版本号")):
        with pytest.raises(AppError) as caught:
            objection_answer(actor=cast.admin, objection=o, **{"version": o.version, **kwargs})
        assert words in caught.value.message
    with pytest.raises(Conflict):
        objection_answer(actor=cast.admin, objection=o, version=o.version + 1, answer="好")
    with pytest.raises(AppError) as caught:
        objection_publish(actor=cast.admin, objection=o, version=o.version)
    assert caught.value.message == "该异议尚未答复，答复后才能公布。"
    o.refresh_from_db()
    assert (o.status, o.answer, o.version) == (ObjectionStatus.OPEN, "", 1)


def test_objections_are_written_by_the_projects_street_and_the_office_only(cast, running):
    for actor in (cast.street_user_b, cast.leader, cast.resident):
        with pytest.raises(NotFound):
            objection_record(actor=actor, publicity=running, submitter="张三", content="有误")
    o = objection_record(actor=cast.commander, publicity=running, submitter="张三", content="有误")
    with pytest.raises(NotFound):
        objection_answer(actor=cast.street_user_b, objection=o, version=o.version, answer="好")
    with pytest.raises(NotFound):
        objection_publish(actor=cast.leader, objection=o, version=o.version)


def test_the_documents_list_of_twelve_items_prints_in_tables_of_five():
    from types import SimpleNamespace

    from gaizao.compensation.publicity_doc import compensation_tables

    items = [{"key": f"k{i}", "label": f"项目{i}", "amount": f"{1000 * i}.00"} for i in range(12)]
    rows = [{"household_id": 1, "number": "DH-001", "name": "李*", "option": "money", "option_label": "货币补偿",
             "legal_area": "100.00", "items": items, "total": "66000.00", "swap_area": None}]
    tables = compensation_tables(SimpleNamespace(rows=rows, project=SimpleNamespace(name="东湖村一期")))
    assert [len(t["header"]) for t in tables] == [6, 6, 6, 3]
    assert [t["caption"] for t in tables[1:]] == ["分户补偿明细（元，之一）", "分户补偿明细（元，之二）", "分户补偿明细（元，之三）"]
    assert tables[3]["header"] == ["户号", "项目10", "项目11"] and tables[3]["rows"][0] == ["DH-001", "10,000.00",
                                                                                        "11,000.00"]
    assert tables[0]["rows"][-1] == ["合计", "1户", "", "100.00", "66,000.00", "0.00"]
