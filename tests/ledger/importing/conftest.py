"""Builders for the import tests: real workbooks written with openpyxl in tmp_path.

``Ledger`` holds rows in the template layout and writes them as .xlsx (or .csv); each test
changes only what it is about. IDs are valid (check digit, birth date) unless a test spoils one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaizao.core.validators import id_check_char

HOUSEHOLD_HEADER = ["户号", "户主姓名", "户主身份证号", "联系电话", "地址", "土地性质", "用途", "家庭人数",
                    "房屋编号", "结构", "层数", "建成年份", "权证号", "合法面积（㎡）", "无证面积（㎡）", "认定结果"]
PERSON_HEADER = ["户号", "姓名", "身份证号", "与户主关系", "户籍状况"]


def cid(seq: int, *, birth: str = "19800101", region: str = "440106") -> str:
    """A valid citizen ID, different for each ``seq`` (0..999 per birth date)."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def household_row(number: str, name: str, seq: int, *, building: str = "1", legal=120.5, unlicensed=0,
                  phone: str | None = None, **overrides) -> list:
    row = [number, name, cid(seq), phone or f"1390000{seq % 10000:04d}", f"东湖路{seq}号", "集体土地", "住宅", 3,
           building, "砖混", 3, 2001, f"QZ-{number}-{building}", legal, unlicensed, "合法"]
    for key, value in overrides.items():
        row[HOUSEHOLD_HEADER.index(key)] = value
    return row


@dataclass
class Ledger:
    """A ledger workbook in the making."""

    households: list = field(default_factory=list)
    persons: list | None = None
    household_header: list = field(default_factory=lambda: list(HOUSEHOLD_HEADER))
    person_header: list = field(default_factory=lambda: list(PERSON_HEADER))
    above: list = field(default_factory=list)  # rows above the header (titles)
    below: list = field(default_factory=list)  # rows under the data (totals, signatures)
    sheet_name: str = "住户房屋"

    def write(self, path: Path, *, merges: list[str] = ()) -> Path:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = self.sheet_name
        for row in [*self.above, self.household_header, *self.households, *self.below]:
            sheet.append(row)
        for cells in merges:
            sheet.merge_cells(cells)
        if self.persons is not None:
            members = workbook.create_sheet("家庭成员")
            members.append(self.person_header)
            for row in self.persons:
                members.append(row)
        workbook.save(path)
        return path


@pytest.fixture
def ledger_file(tmp_path):
    """``ledger_file(ledger, name="x.xlsx", merges=[...])`` writes the workbook and returns its path."""
    counter = iter(range(1000))

    def _write(ledger: Ledger, name: str | None = None, **kwargs) -> Path:
        return ledger.write(tmp_path / (name or f"ledger{next(counter)}.xlsx"), **kwargs)

    return _write


def three_households() -> Ledger:
    """DH-101 with two buildings, DH-102 with one, DH-103 with one; members for DH-101."""
    return Ledger(
        households=[
            household_row("DH-101", "赵一", 101, building="1"),
            household_row("DH-101", "赵一", 101, building="2", legal=45, unlicensed=12.25, 结构="简易", 认定结果="违法"),
            household_row("DH-102", "钱二", 102),
            household_row("DH-103", "孙三", 103, 土地性质="国有土地", 用途="非住宅"),
        ],
        persons=[
            ["DH-101", "赵一", cid(101), "户主", "本村农业户口"],
            ["DH-101", "周芳", cid(201, birth="19820202"), "配偶", "农转居"],
            ["DH-101", "赵小一", cid(301, birth="20100303"), "子女", "本村农业户口"],
        ],
    )


@dataclass
class CommandResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_ledger(*args) -> CommandResult:
    """Run ``gaizao ledger ...``; the exit code is 0 or CommandError's returncode."""
    out, err = StringIO(), StringIO()
    try:
        call_command("ledger", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return CommandResult(code, out.getvalue(), err.getvalue())
