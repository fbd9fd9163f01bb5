"""`gaizao progress summary [--street CODE] [--json] [--user NAME]`: the figures in a terminal.

Tested through ``call_command``: the exit code and message of a refusal come from its CommandError.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project
from django.core.management.base import CommandError

from gaizao.core.commands import display_width
from gaizao.progress import rollups
from gaizao.progress.services import household_record_event
from tests.progress.helpers import decidable

pytestmark = pytest.mark.django_db
WALK = ["surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]


def walk(actor, household, until: str, *, on: dt.date) -> None:
    for kind in WALK[:WALK.index(until) + 1]:
        household_record_event(actor=actor, household=household, kind=kind, on_date=on)


@pytest.fixture
def progress(cast):
    """DH-001 (150.50 ㎡) demolished, DH-002 (80.25 ㎡) valued, XL-001 (a building of no area) signed."""
    today = timezone.localdate()
    Project.objects.update(signing_start=today - dt.timedelta(days=60), signing_end=today + dt.timedelta(days=30))
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="1",
                                 legal_area=Decimal("80.25"), legality="legal")
    decidable(cast.admin, [cast.household_b1])
    walk(cast.admin, cast.household_a1, "demolished", on=today - dt.timedelta(days=10))
    walk(cast.admin, cast.household_a2, "valued", on=today - dt.timedelta(days=20))
    walk(cast.admin, cast.household_b1, "signed", on=today - dt.timedelta(days=3))
    return cast


def run(*args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `gaizao progress summary ARGS`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("progress", "summary", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), f"{exc}\n"
    return 0, out.getvalue(), err.getvalue()


def test_the_system_sees_the_district_as_json(progress):
    code, out, err = run("--json")
    assert code == 0 and err == ""
    body = json.loads(out)
    assert body["unit"] == {"code": "440199", "name": "云溪区", "level": "district"}
    assert body["households"] == 3 and body["area"] == "230.75"
    assert body["stages"]["signed"] == {"households": 2, "area": "150.50", "rate": "66.7"}
    assert body["stages"]["demolished"] == {"households": 1, "area": "150.50", "rate": "33.3"}
    assert body["stages"]["decision"]["households"] == 0
    assert set(body["stages"]) == {"surveyed", "decided", "valued", "decision", "signed", "vacated", "demolished",
                                   "resettled"}
    assert body["signed_rate"] == "66.7" and body["vacated_rate"] == "33.3"
    assert body["demolished_area_wan"] == "0.02"
    assert set(body) == {"unit", "households", "area", "stages", "signed_rate", "vacated_rate",
                         "demolished_area_wan", "upgrade_households", "upgrade_stages", "villages_completed",
                         "villages_total", "projects", "targets"}
    assert body["targets"] is None  # no campaign runs (tests/progress/test_targets_in_progress.py has one)
    assert body["upgrade_households"] == 0 and body["villages_completed"] == 0


def test_the_text_is_a_chinese_table_with_the_rates(progress):
    code, out, _err = run()
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("云溪区 改造进度（统计截至 ")
    header = lines[2].split()
    assert header == ["阶段", "户数", "比例", "面积（㎡）"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[4:13]}
    assert rows["拆除范围内"] == ["3", "100.0%", "230.75"]
    assert rows["签约"] == ["2", "66.7%", "150.50"]
    assert rows["补偿决定"] == ["0", "0.0%", "0.00"]
    assert rows["拆除"] == ["1", "33.3%", "150.50"]
    assert list(rows) == ["拆除范围内", "入户调查", "认定", "评估", "补偿决定", "签约", "腾空交房", "拆除", "安置"]
    assert "已完成改造的城中村：0 / 2 个" in lines
    assert "签约率：66.7%" in lines and "腾空率：33.3%" in lines and "拆除面积（万㎡）：0.02" in lines
    # Columns line up (Chinese characters are two columns wide in a terminal).
    widths = {display_width(line) for line in lines[2:13]}
    assert len(widths) == 1


def test_one_street(progress):
    code, out, _err = run("--street", "440199002", "--json")
    body = json.loads(out)
    assert code == 0
    assert body["unit"] == {"code": "440199002", "name": "西岭街道", "level": "street"}
    assert body["households"] == 1 and body["signed_rate"] == "100.0" and body["area"] == "0.00"


def test_an_unknown_street_is_named_on_stderr(progress):
    code, out, err = run("--street", "NOPE")
    assert code == 1 and out == ""
    assert err.strip() == "街道 NOPE 不存在。"


def test_a_user_sees_their_own_scope(progress):
    code, out, _err = run("--user", "street_a", "--json")
    assert code == 0
    body = json.loads(out)
    assert body["unit"]["name"] == "东湖街道" and body["households"] == 2
    code, out, err = run("--user", "street_a", "--street", "440199002")
    assert code == 1 and out == "" and err.strip() == "街道 440199002 不存在或无权查看。"
    code, _out, err = run("--user", "leader", "--street", "440199002", "--json")
    assert code == 0


def test_a_user_without_a_dashboard_or_unknown_is_refused(progress):
    code, out, err = run("--user", "cadre")
    assert code == 1 and out == "" and "无权查看" in err
    code, out, err = run("--user", "nobody")
    assert code == 1 and err.strip() == "账号 nobody 不存在或已停用。"


def test_an_empty_district_prints_dashes_not_errors(cast):
    code, out, _err = run()
    assert code == 0
    assert "签约率：0.0%" in out  # the cast's three households, none signed
    # With nobody in scope the rates have nothing to divide by.
    Household.objects.all().delete()
    rollups.rebuild()
    code, out, _err = run("--json")
    assert code == 0 and json.loads(out)["signed_rate"] is None
    code, out, _err = run()
    assert "签约率：—" in out


def test_json_is_one_whole_line(progress):
    code, out, _err = run("--json")
    assert code == 0 and out.count("\n") == 1 and json.loads(out)["households"] == 3


def test_through_the_progress_command(progress):
    out = io.StringIO()
    call_command("progress", "summary", "--street", "440199001", "--json", stdout=out)
    assert json.loads(out.getvalue())["unit"]["name"] == "东湖街道"
