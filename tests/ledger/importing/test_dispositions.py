"""The 处置方式 column (issue 10 item 3): a building marked 拆除 or 保留, within what its village's mode
allows; in 拆整结合 the household's way follows, refused as the services refuse it when it would
strand recorded steps. Real workbooks, the engine and the command."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.importing.engine import ledger_import_apply, ledger_import_preview
from gaizao.ledger.models import Building, Household
from gaizao.ledger.selectors.integrity import ledger_breaches
from gaizao.progress import rollups
from gaizao.progress.services.events import household_record_event
from tests.ledger.importing.conftest import (  # noqa: F401 — ledger_file is a fixture
    HOUSEHOLD_HEADER, Ledger, household_row, ledger_file, run_ledger,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _project(cast, mode: str, code: str) -> str:
    village = ledger_services.village_create(actor=cast.admin, street=cast.street_a, code=code, name=f"{code}村",
                                             mode=mode, year=2026)
    ledger_services.project_create(actor=cast.admin, village=village, code=f"P{code}", name=f"{code}一期")
    return f"P{code}"


def _ledger(*rows, header: str = "处置方式", seq: int = 500) -> Ledger:
    """Rows of (户号, 房屋编号, 处置方式 cell) in the template layout with the column added at the end."""
    return Ledger(households=[household_row(number, f"户主{number[-1]}", seq + int(number[-1]), building=building)
                              + [cell] for number, building, cell in rows],
                  household_header=[*HOUSEHOLD_HEADER, header])


def _import(path, project: str):
    return run_ledger("import", path, "--project", project, "--json")


def _dispositions(project: str) -> dict[tuple[str, str], str]:
    return dict(((h, b), d) for h, b, d in Building.objects.filter(household__project__code=project)
                .values_list("household__number", "number", "disposition"))


def _ways(project: str) -> dict[str, str]:
    return dict(Household.objects.filter(project__code=project).values_list("number", "way"))


def _sound():
    assert not ledger_breaches()
    assert rollups.verify().ok


@pytest.mark.parametrize("header", ["处置方式", "拆除或保留", "拆留", "处置", "保留/拆除", "保留／拆除", " 处置 方式 "])
def test_the_column_is_read_under_its_synonyms_with_aliases(cast, ledger_file, header):
    project = _project(cast, "mixed", "M1")
    ledger = _ledger(("M-1", "1", "拆"), ("M-1", "2", "保留房屋"), ("M-2", "1", "留"), ("M-2", "2", "保　留"),
                     ("M-3", "1", "需拆除"), ("M-4", "1", " 拆 除 "), ("M-5", "1", "不拆"), header=header)
    result = _import(ledger_file(ledger), project)
    assert result.code == 0, result.json
    assert result.json["new"] == 5 and result.json["warnings"] == []
    assert _dispositions(project) == {("M-1", "1"): "demolish", ("M-1", "2"): "keep", ("M-2", "1"): "keep",
                                      ("M-2", "2"): "keep", ("M-3", "1"): "demolish", ("M-4", "1"): "demolish",
                                      ("M-5", "1"): "keep"}
    # The way follows: one building to demolish puts a household on the demolition way.
    assert _ways(project) == {"M-1": "demolish", "M-2": "upgrade", "M-3": "demolish", "M-4": "demolish",
                              "M-5": "upgrade"}
    _sound()


def test_a_value_not_on_the_list_is_refused_with_the_choices(cast, ledger_file):
    project = _project(cast, "mixed", "M1")
    result = _import(ledger_file(_ledger(("M-1", "1", "翻新"))), project)
    assert result.code == 2
    [error] = result.json["rejected"]
    assert (error["row"], error["column"]) == (2, "处置方式")
    assert "“翻新”不是可选值，只能填写：拆除、保留" in error["reason"]
    assert not Household.objects.filter(project__code=project).exists()


@pytest.mark.parametrize(("mode", "expected"), [("demolish_rebuild", "demolish"), ("upgrade", "keep"),
                                                ("mixed", "demolish")])
def test_a_blank_cell_or_no_column_takes_the_modes_default(cast, ledger_file, mode, expected):
    project = _project(cast, mode, "V9")
    assert _import(ledger_file(_ledger(("M-1", "1", None), ("M-1", "2", ""))), project).code == 0
    assert _import(ledger_file(Ledger(households=[household_row("M-2", "户主2", 502)])), project).code == 0
    assert set(_dispositions(project).values()) == {expected}
    assert set(_ways(project).values()) == {"upgrade" if expected == "keep" else "demolish"}
    _sound()


@pytest.mark.parametrize(("mode", "value", "shown"), [("demolish_rebuild", "保留", "拆除新建"),
                                                      ("upgrade", "拆除", "整治提升")])
def test_a_value_the_mode_does_not_allow_is_refused_by_row_and_column_and_nothing_is_written(
        cast, ledger_file, mode, value, shown):
    project = _project(cast, mode, "V9")
    allowed = "拆除" if value == "保留" else "保留"
    ledger = _ledger(("M-1", "1", allowed), ("M-1", "2", value), ("M-2", "1", ""), header="拆除或保留")
    result = _import(ledger_file(ledger), project)  # the command path: gaizao ledger import … --json
    assert result.code == 2
    [error] = result.json["rejected"]
    assert (error["row"], error["household"], error["column"]) == (3, "M-1", "拆除或保留")
    assert error["reason"].startswith(f"住户 M-1 的房屋 2：城中村 V9村（V9） 的改造方式为「{shown}」")
    assert f"只能为「{allowed}」，不能为「{value}」" in error["reason"]
    assert not Household.objects.filter(project__code=project).exists()
    # The household with the refused value is left out with --skip-invalid; the other goes in.
    result = run_ledger("import", ledger_file(ledger), "--project", project, "--json", "--skip-invalid")
    assert result.code == 2 and list(_ways(project)) == ["M-2"]


def test_a_stored_building_of_a_fixed_mode_cannot_be_remarked(cast, ledger_file):
    """P001 (拆除新建): a stored building marked 保留 by the file is refused like a new one."""
    assert _import(ledger_file(_ledger(("D-1", "1", "拆除"))), "P001").code == 0
    result = _import(ledger_file(_ledger(("D-1", "1", "保留"))), "P001")
    assert result.code == 2 and "不能为「保留」" in result.json["rejected"][0]["reason"]
    assert _dispositions("P001")[("D-1", "1")] == "demolish"


def test_an_exported_ledger_imports_without_change_in_every_mode(cast, ledger_file, tmp_path):
    for seq, (mode, code, cells) in enumerate((("mixed", "M1", ("保留", "拆除", "保留")), ("upgrade", "U1", ("", "", "")),
                                               ("demolish_rebuild", "D1", ("", "拆除", "")))):
        project = _project(cast, mode, code)
        ledger = _ledger(("M-1", "1", cells[0]), ("M-1", "2", cells[1]), ("M-2", "1", cells[2]), seq=600 + 10 * seq)
        assert _import(ledger_file(ledger), project).code == 0
        exported = tmp_path / f"{project}.xlsx"
        assert run_ledger("export", "--project", project, exported).code == 0
        sheet = openpyxl.load_workbook(exported)["住户房屋"]
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        column = rows[0].index("处置方式")
        stored = _dispositions(project)
        assert {(r[0], r[8]): r[column] for r in rows[1:]} == {
            key: {"demolish": "拆除", "keep": "保留"}[value] for key, value in stored.items()}
        audited = AuditEntry.objects.count()
        again = _import(exported, project)
        assert again.code == 0 and (again.json["new"], again.json["changed"], again.json["unchanged"]) == (0, 0, 2)
        assert _dispositions(project) == stored and AuditEntry.objects.count() == audited
    _sound()


def test_a_changed_disposition_is_previewed_applied_audited_and_moves_the_way(cast, ledger_file):
    project = _project(cast, "mixed", "M1")
    assert _import(ledger_file(_ledger(("M-1", "1", "保留"), ("M-1", "2", "保留"), ("M-2", "1", "拆除"))),
                   project).code == 0
    assert _ways(project) == {"M-1": "upgrade", "M-2": "demolish"}
    building = Building.objects.get(household__number="M-1", number="2")
    # The same file again: nothing.
    same = _ledger(("M-1", "1", "保留"), ("M-1", "2", "保留"), ("M-2", "1", "拆除"))
    assert _import(ledger_file(same), project).json["unchanged"] == 2
    changed = _ledger(("M-1", "1", "保留"), ("M-1", "2", "拆除"), ("M-2", "1", "留"))
    plan = ledger_import_preview(actor=SYSTEM, project_code=project, path=ledger_file(changed))
    summary = plan.summary()
    assert (summary["changed"], summary["unchanged"], summary["rejected"]) == (2, 0, [])
    fields = {c["household"]: c["fields"] for c in summary["changes"]}
    assert fields == {"M-1": [{"column": "房屋 2·处置方式", "before": "保留", "after": "拆除"}],
                      "M-2": [{"column": "房屋 1·处置方式", "before": "拆除", "after": "保留"}]}
    ledger_import_apply(actor=SYSTEM, plan=plan)
    assert _dispositions(project) == {("M-1", "1"): "keep", ("M-1", "2"): "demolish", ("M-2", "1"): "keep"}
    assert _ways(project) == {"M-1": "demolish", "M-2": "upgrade"}
    building.refresh_from_db()
    assert building.version == 2
    entry = AuditEntry.objects.filter(action="household.import_update", object_repr="M-1").get()
    assert entry.changes["房屋 2·处置方式"] == ["保留", "拆除"]
    flips = AuditEntry.objects.filter(action="household.way").order_by("id")
    assert [(e.object_repr.split()[0], e.changes["way"]) for e in flips] == [
        ("M-1", ["upgrade", "demolish"]), ("M-2", ["demolish", "upgrade"])]
    _sound()


def test_a_flip_that_strands_recorded_steps_is_refused_as_the_services_refuse_it(cast, ledger_file):
    project = _project(cast, "mixed", "M1")
    assert _import(ledger_file(_ledger(("M-1", "1", "保留"), ("M-2", "1", "保留"))), project).code == 0
    household = Household.objects.get(number="M-1")
    for kind in ("surveyed", "agreed"):  # 同意整治: a step only the upgrade way has
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=DAY)
    surveyed = Household.objects.get(number="M-2")
    household_record_event(actor=cast.admin, household=surveyed, kind="surveyed", on_date=DAY)  # both ways have it
    before = (_dispositions(project), _ways(project), AuditEntry.objects.count())
    # Re-marking its building 拆除, or adding a building (拆除 when blank), would put it on the other way.
    for rows, row, what in (
        ((("M-1", "1", "拆除"),), 2, "导入将房屋 1 的处置方式改为「拆除」"),
        ((("M-1", "1", "保留"), ("M-1", "2", "")), 3, "导入新增房屋 2（拆除）"),
    ):
        result = _import(ledger_file(_ledger(*rows)), project)
        assert result.code == 2
        [error] = result.json["rejected"]
        assert (error["row"], error["household"], error["column"]) == (row, "M-1", "处置方式")
        assert error["reason"] == (
            f"{what}会使 1 户改走另一条进度路径，而其已记录的进度只属于原路径，不能改变：住户 M-1 户主1 已记录「同意整治」"
            "（整治提升路径）。如确属登记错误，请先更正（撤销）这些进度记录。")
        assert (_dispositions(project), _ways(project), AuditEntry.objects.count()) == before
    # The same reason as the building page gives (services.ways, one rule).
    from gaizao.core.errors import AppError

    building = Building.objects.get(household=household)
    with pytest.raises(AppError) as refused:
        ledger_services.building_update(actor=cast.admin, building=building, version=building.version,
                                        disposition="demolish")
    assert refused.value.message.split("会使", 1)[1] == error["reason"].split("会使", 1)[1]
    # Only surveyed (入户调查 belongs to both ways): M-2 may move.
    result = _import(ledger_file(_ledger(("M-2", "1", "拆除"))), project)
    assert result.code == 0 and result.json["changed"] == 1
    assert _ways(project) == {"M-1": "upgrade", "M-2": "demolish"}
    _sound()


def test_a_demolished_building_keeps_its_disposition(cast, ledger_file):
    project = _project(cast, "mixed", "M1")
    assert _import(ledger_file(_ledger(("M-1", "1", "拆除"), ("M-1", "2", "拆除"))), project).code == 0
    Building.objects.filter(household__number="M-1", number="1").update(demolished_on=DAY)
    result = _import(ledger_file(_ledger(("M-1", "1", "保留"), ("M-1", "2", "拆除"))), project)
    assert result.code == 2
    [error] = result.json["rejected"]
    assert (error["row"], error["column"]) == (2, "处置方式")
    assert error["reason"] == "住户 M-1 的房屋 1 已于 2026-03-02 拆除，不能改变处置方式。"
    assert _dispositions(project)[("M-1", "1")] == "demolish"
