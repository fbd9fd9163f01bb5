"""Importing the valuer's results from XLSX (导入评估结果), by the ledger importer's rules: a preview of new,
changed, unchanged and rejected rows (row, column, Chinese reason), then a confirm that writes all in one
transaction or nothing; the same file again changes nothing; columns not read are warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gaizao.compensation import importing
from gaizao.compensation.models import Valuation
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger.choices import Stage
from tests.compensation.samples_valuations import building_of, days_ago, decide, value

HEADER = ["户号", "户主姓名", "房屋编号", "评估单价（元/㎡）", "装修评估（元）", "评估日期", "评估机构", "估价师", "评估报告编号",
          "评估类别", "理由"]


def xlsx(path, rows, *, header=HEADER, title_rows=1):
    book = Workbook()
    sheet = book.active
    sheet.title = "评估结果"
    for _ in range(title_rows):
        sheet.append(["东湖村一期房屋评估结果汇总表"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(number="DH-001", head="李四", building="1", price=5200, decoration=30000, on=None, valuer="云溪房地产估价有限公司",
        appraiser="刘估价", report="YX-001", kind="", reason=""):
    return [number, head, building, price, decoration, on or days_ago(3), valuer, appraiser, report, kind, reason]


@pytest.fixture
def project(cast):
    """Project P001: DH-001 (buildings 1 and 2) and DH-002 (building 1), both decided."""
    building_of(cast, cast.household_a1, "2", legal_area=Decimal("60.00"))
    building_of(cast, cast.household_a2, "1")
    decide(cast, cast.household_a1)
    decide(cast, cast.household_a2)
    return cast.project_a


def preview(cast, path, project, actor=None):
    return importing.valuations_preview(actor=actor or cast.street_user_a, project=project, path=path)


def test_a_file_is_previewed_then_confirmed_and_the_valued_stage_follows(cast, project, tmp_path):
    path = xlsx(tmp_path / "评估.xlsx", [row(), row(building="2", price="4800.5"), row(number="DH-002", head="张三",
                                                                                        building="")])
    plan = preview(cast, path, project)
    assert (plan.new, plan.changed, plan.unchanged, plan.rejected) == (3, 0, 0, [])
    assert sorted(plan.stages) == ["DH-001", "DH-002"]
    assert not Valuation.objects.exists()  # a preview writes nothing
    outcome = importing.valuations_import(actor=cast.street_user_a, project=project, path=path,
                                          fingerprint=plan.fingerprint)
    assert (outcome.written, outcome.stages) == (3, 2)
    cast.household_a1.refresh_from_db()
    assert cast.household_a1.stage == Stage.VALUED and cast.household_a1.valued_on == days_ago(3)
    assert Valuation.objects.get(building__number="2", household=cast.household_a1).unit_price == Decimal("4800.50")
    assert AuditEntry.objects.filter(action="compensation.valuation_import").count() == 1


def test_importing_the_same_file_again_changes_nothing(cast, project, tmp_path):
    path = xlsx(tmp_path / "评估.xlsx", [row(), row(building="2"), row(number="DH-002", head="张三")])
    importing.valuations_import(actor=cast.street_user_a, project=project, path=path)
    before = list(Valuation.objects.values_list("pk", "in_force"))
    audits = AuditEntry.objects.count()
    plan = preview(cast, path, project)
    assert (plan.new, plan.changed, plan.unchanged, plan.rejected) == (0, 0, 3, [])
    outcome = importing.valuations_import(actor=cast.street_user_a, project=project, path=path,
                                          fingerprint=plan.fingerprint)
    assert outcome.written == 0
    assert list(Valuation.objects.values_list("pk", "in_force")) == before and AuditEntry.objects.count() == audits


def test_a_review_row_replaces_the_valuation_in_force_and_keeps_it(cast, project, tmp_path):
    old = value(cast, cast.household_a1, cast.household_a1.buildings.get(number="1"), price="5000", on=6)
    path = xlsx(tmp_path / "复核.xlsx", [row(price=5300, on=days_ago(1), kind="复核", reason="业主申请复核")])
    plan = preview(cast, path, project)
    assert (plan.new, plan.changed) == (0, 1)
    change = plan.summary()["changes"][0]
    assert change["status"] == "changed" and {"column": "评估单价（元/㎡）", "before": "5000.00",
                                              "after": "5300.00"} in change["fields"]
    importing.valuations_import(actor=cast.street_user_a, project=project, path=path, fingerprint=plan.fingerprint)
    old.refresh_from_db()
    current = Valuation.objects.get(in_force=True, building=old.building)
    assert not old.in_force and current.replaces == old and current.kind == "review" and current.reason == "业主申请复核"


def test_an_initial_row_that_differs_from_the_valuation_in_force_is_refused(cast, project, tmp_path):
    value(cast, cast.household_a1, cast.household_a1.buildings.get(number="1"), price="5000", on=6)
    plan = preview(cast, xlsx(tmp_path / "a.xlsx", [row(price=5300)]), project)
    assert [(r.row, r.column) for r in plan.rejected] == [(3, "评估类别")]
    assert "复核" in plan.rejected[0].reason


def _rejected(plan) -> dict:
    return {(r.row, r.column): r.reason for r in plan.rejected}


def test_bad_rows_are_rejected_with_row_column_and_reason_and_nothing_is_written(cast, project, tmp_path):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    path = xlsx(tmp_path / "bad.xlsx", [
        row(price=-100),                                  # 3: negative price
        row(building="2", price=0),                       # 4: zero price
        row(number="DH-002", head="张三", on=tomorrow),    # 5: future date
        row(number="DH-999", head=""),                    # 6: unknown household
        row(building="9"),                                # 7: unknown building
        row(number="XL-001", head="王五"),                 # 8: a household of another project
        row(building="2", price=4000),                    # 9: duplicate of row 4
        row(number="DH-002", head="张三", decoration="三万"),  # 10: text in a number cell (and a duplicate)
        row(number="DH-002", head="张三", on="下周一"),      # 11: text in a date cell
    ])
    plan = preview(cast, path, project)
    rejected = _rejected(plan)
    assert "须大于 0" in rejected[3, "评估单价（元/㎡）"]
    assert "须大于 0" in rejected[4, "评估单价（元/㎡）"]
    assert "晚于今天" in rejected[5, "评估日期"]
    assert "DH-999 不在项目 P001" in rejected[6, "户号"]
    assert "房屋编号 9 不是户号 DH-001 的房屋" in rejected[7, "房屋编号"]
    assert "XL-001 不在项目 P001" in rejected[8, "户号"]
    assert "与第 4 行重复" in rejected[9, "房屋编号"]
    assert "三万" in rejected[10, "装修评估（元）"]
    assert "不是可识别的日期" in rejected[11, "评估日期"]
    assert plan.new == 0 or plan.planned  # the good rows are still listed in the preview…
    with pytest.raises(AppError) as refused:  # … but with any rejected row nothing is written
        importing.valuations_import(actor=cast.street_user_a, project=project, path=path)
    assert "没有导入任何评估结果" in refused.value.message
    assert not Valuation.objects.exists()


def test_a_row_without_building_number_takes_the_only_building_or_is_refused(cast, project, tmp_path):
    plan = preview(cast, xlsx(tmp_path / "a.xlsx", [row(building=""), row(number="DH-002", head="张三", building="")]),
                   project)
    assert _rejected(plan) == {(3, "房屋编号"): "户号 DH-001 登记了 2 栋房屋（1、2），请填写房屋编号。"}
    assert [(p.household.number, p.entry.building.number) for p in plan.planned] == [("DH-002", "1")]


def test_a_file_without_the_building_column_reads_the_only_building(cast, project, tmp_path):
    header = [h for h in HEADER if h != "房屋编号"]
    path = xlsx(tmp_path / "a.xlsx", [["DH-002", "张三", 5200, 0, days_ago(2), "云溪估价", "", "", "", ""]],
                header=header)
    plan = preview(cast, path, project)
    assert plan.new == 1 and not plan.rejected


def test_a_head_name_that_does_not_match_the_ledger_is_refused(cast, project, tmp_path):
    plan = preview(cast, xlsx(tmp_path / "a.xlsx", [row(head="王五")]), project)
    assert "户主是 李四" in _rejected(plan)[3, "户主姓名"]


def test_columns_not_read_are_warnings(cast, project, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [[*row(), "已核对"]], header=[*HEADER, "备注说明"])
    plan = preview(cast, path, project)
    assert plan.new == 1
    assert len(plan.warnings) == 1 and "备注说明" in plan.warnings[0] and "没有导入" in plan.warnings[0]


def test_the_stage_progress_would_refuse_is_a_rejected_row_in_the_preview(cast, tmp_path):
    household = cast.household_a2
    building_of(cast, household, "1")
    decide(cast, household, surveyed=20, decided=2)
    plan = preview(cast, xlsx(tmp_path / "a.xlsx", [row(number="DH-002", head="张三", on=days_ago(5))]),
                   cast.project_a)
    assert "早于认定日期" in _rejected(plan)[3, "评估日期"]


def test_a_household_not_yet_decided_is_a_rejected_row(cast, tmp_path):
    building_of(cast, cast.household_a2, "1")
    plan = preview(cast, xlsx(tmp_path / "a.xlsx", [row(number="DH-002", head="张三")]), cast.project_a)
    assert "尚未完成认定" in _rejected(plan)[3, "户号"]


def test_a_confirm_after_the_data_changed_is_refused(cast, project, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [row()])
    plan = preview(cast, path, project)
    value(cast, cast.household_a1, cast.household_a1.buildings.get(number="1"), price="5200", on=3)
    with pytest.raises(Conflict):
        importing.valuations_import(actor=cast.street_user_a, project=project, path=path,
                                    fingerprint=plan.fingerprint)


def test_a_project_out_of_reach_is_not_found(cast, project, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [row()])
    for user in (cast.street_user_b, cast.cadre, cast.leader):
        with pytest.raises(NotFound):
            preview(cast, path, project, actor=user)


def test_a_file_without_the_header_is_refused_in_chinese(cast, project, tmp_path):
    path = xlsx(tmp_path / "a.xlsx", [["DH-001", 1]], header=["户号", "面积"])
    with pytest.raises(AppError) as refused:
        preview(cast, path, project)
    assert "找不到表头" in refused.value.message


def test_the_template_lists_the_buildings_to_value_and_imports_back(cast, project, tmp_path):
    households = cast.project_a.households.order_by("number").prefetch_related("buildings")
    book = load_workbook(BytesIO(importing.template_workbook(households=households)))
    sheet = book["评估结果"]
    assert [c.value for c in sheet[1]] == HEADER
    assert [[c.value for c in r][:3] for r in sheet.iter_rows(min_row=2)] == [
        ["DH-001", "李四", "1"], ["DH-001", "李四", "2"], ["DH-002", "张三", "1"]]
    assert "填写说明" in book.sheetnames
    for r in sheet.iter_rows(min_row=2, max_row=3):  # the valuer fills two rows, leaves one blank
        r[3].value, r[5].value, r[6].value = 5100, days_ago(2), "云溪估价"
    path = tmp_path / "filled.xlsx"
    book.save(path)
    plan = preview(cast, path, project)
    assert (plan.new, plan.blank, plan.rejected) == (2, 1, [])
