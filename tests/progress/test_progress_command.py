"""`gaizao progress record | import`: what it prints, its exit codes, scope, all or nothing."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.ledger.models import Household
from gaizao.progress.models import StageEvent
from gaizao.progress.services import household_record_event
from tests.ledger.conftest import make_households
from tests.progress.helpers import decidable
from tests.progress.helpers import run_progress_command as run

D = dt.date

pytestmark = pytest.mark.usefixtures("rollups_stay_correct")


def stage(household) -> str:
    return Household.objects.get(pk=household.pk).stage


@pytest.fixture
def three(cast):
    made = make_households(cast.admin, cast.project_a, 3)
    decidable(cast.admin, made)
    return made


# --- record -----------------------------------------------------------------------------------------

def test_record_takes_the_english_value_or_the_chinese_label(cast, three):
    code, out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                         "--households", "T-0000", "T-0001", "--note", "集中入户")
    assert code == 0, err
    assert out.strip() == "已为 2 户记录「入户调查」（2026-03-01，项目 P001）。"
    code, out, err = run("record", "--project", "P001", "--stage", "认定", "--date", "2026-03-02",
                         "--households", "T-0000")
    assert code == 0, err
    assert [stage(h) for h in three] == ["decided", "surveyed", "registered"]
    assert StageEvent.objects.filter(note="集中入户").count() == 2


def test_record_reads_numbers_from_a_file(cast, three, tmp_path):
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("\ufeffT-0000\nT-0001，T-0002、DH-001\n\n", encoding="utf-8")
    code, out, err = run("record", "--project", "P001", "--stage", "入户调查", "--date", "2026-03-01",
                         "--file", numbers)
    assert code == 0, err
    assert "已为 4 户" in out
    assert [stage(h) for h in three] == ["surveyed"] * 3


def test_unknown_numbers_exit_1_naming_them_and_write_nothing(cast, three):
    code, out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                         "--households", "T-0000", "NO-1", "XL-001")
    assert code == 1 and out == ""
    assert "项目 P001 中没有这些户号：NO-1、XL-001。没有写入任何记录。" in err
    assert StageEvent.objects.count() == 0


def test_one_failing_household_exits_1_naming_it_and_writes_nothing(cast, three):
    household_record_event(actor=cast.admin, household=three[1], kind="surveyed", on_date=D(2026, 2, 1))
    code, _out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                          "--households", "T-0000", "T-0001", "T-0002")
    assert code == 1
    assert "有 1 户不能记录「入户调查」，本次没有写入任何记录：T-0001 测试1：已于 2026-02-01 记录了「入户调查」" in err
    assert StageEvent.objects.count() == 1


@pytest.mark.parametrize("args, message", [
    (["--stage", "拆迁", "--date", "2026-03-01"], "未知的进度事项「拆迁」"),
    (["--stage", "surveyed", "--date", "2026/13/01"], "无法识别"),
    (["--stage", "surveyed", "--date", "2099-01-01"], "晚于今天"),
])
def test_bad_kind_or_date_exit_1_with_the_chinese_message(cast, three, args, message):
    code, _out, err = run("record", "--project", "P001", *args, "--households", "T-0000")
    assert code == 1 and message in err
    assert StageEvent.objects.count() == 0


def test_resettlement_needs_mode(cast):
    for kind, day in (("surveyed", 1), ("decided", 2), ("valued", 3), ("signed", 4), ("vacated", 5)):
        household_record_event(actor=cast.admin, household=cast.household_a1, kind=kind, on_date=D(2026, 3, day))
    code, _out, err = run("record", "--project", "P001", "--stage", "安置", "--date", "2026-03-06",
                          "--households", "DH-001")
    assert code == 1 and "须选择安置方式" in err
    code, _out, err = run("record", "--project", "P001", "--stage", "resettled", "--date", "2026-03-06",
                          "--households", "DH-001", "--mode", "swap")
    assert code == 0, err
    assert Household.objects.get(pk=cast.household_a1.pk).resettlement_mode == "swap"


def test_user_option_applies_that_accounts_scope(cast, three):
    code, _out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                          "--households", "T-0000", "--user", "street_b")
    assert code == 1 and "项目 P001 不存在或你无权记录其进度" in err
    code, _out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                          "--households", "T-0000", "--user", "nobody")
    assert code == 1 and "账号 nobody 不存在" in err
    code, _out, err = run("record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01",
                          "--households", "T-0000", "--user", "street_a")
    assert code == 0, err
    assert StageEvent.objects.get().actor == cast.street_user_a


def test_households_or_file_is_required(cast):
    with pytest.raises(CommandError):
        call_command("progress", "record", "--project", "P001", "--stage", "surveyed", "--date", "2026-03-01")


# --- import: exit codes and the JSON shape ---------------------------------------------------------

def _book(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["户号", "入户调查日期", "认定日期"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_import_json_is_one_object_with_the_documented_keys_and_exit_codes(cast, tmp_path):
    good = _book(tmp_path / "good.xlsx", [["DH-001", "2026-03-01", "2026-03-02"]])
    code, out, _err = run("import", good, "--project", "P001", "--json")
    assert code == 0 and out.count("\n") == 1
    assert list(json.loads(out)) == ["recorded", "unchanged", "rejected"]
    bad = _book(tmp_path / "bad.xlsx", [["DH-002", None, "2026-03-02"]])
    code, out, err = run("import", bad, "--project", "P001", "--json")
    assert code == 2 and "没有写入" in err
    assert json.loads(out)["rejected"] == [{"row": 2, "household": "DH-002", "column": "认定日期",
                                            "reason": "本户尚未记录「入户调查」，不能记录「认定」。"}]
    missing = tmp_path / "missing.xlsx"
    code, _out, err = run("import", missing, "--project", "P001", "--json")
    assert code == 1 and "找不到文件" in err
    code, out, _err = run("import", bad, "--project", "P001")
    assert "第 2 行 户号 DH-002 【认定日期】本户尚未记录「入户调查」" in out
