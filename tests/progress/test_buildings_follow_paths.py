"""认定 and 拆除 follow the buildings on every write path: the household page, the API (one and
bulk), the bulk page, the dates import (file, page, command) and `gaizao progress record`. Each
refusal names the household, the building and the rule, and writes nothing; the office's override
reason is asked where it is needed (a page field, a body field, one reason for a batch, --heritage-reason)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from gaizao.core.models import AuditEntry
from gaizao.ledger.models import Building, Household
from gaizao.progress.importing import events_import
from gaizao.progress.models import StageEvent
from tests.progress.conftest import HERITAGE_REASON as REASON
from tests.progress.helpers import run_progress_command as run

D = dt.date
DAY = "2026-03-10"

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def down(*buildings) -> list:
    return [Building.objects.get(pk=b.pk).demolished_on for b in buildings]


def stage(household) -> str:
    return Household.objects.get(pk=household.pk).stage


def version(household) -> int:
    return Household.objects.get(pk=household.pk).version


def no_demolition() -> None:
    assert not StageEvent.objects.filter(kind="demolished").exists()
    assert not Building.objects.filter(demolished_on__isnull=False).exists()
    assert not AuditEntry.objects.filter(action__startswith="building.demolish").exists()


# --- the household page ---------------------------------------------------------------------------

def record(client, household, **data):
    body = {"kind": "demolished", "on_date": DAY, "note": "", "resettlement_mode": "",
            "version": version(household), **data}
    return client.post(f"/progress/households/{household.pk}/events/", body)


def test_page_decided_with_a_pending_building_is_refused_naming_it(cast, vacated, login_as):
    response = record(login_as(cast.street_user_b), cast.household_b1, kind="decided")
    assert response.status_code == 400
    html = response.content.decode()
    assert "住户 XL-001 王五 的房屋 1 尚待认定，不能记录「认定」" in html
    assert stage(cast.household_b1) == "surveyed"


def test_page_tells_a_street_account_the_office_must_record_the_demolition(cast, vacated, login_as):
    client = login_as(cast.street_user_a)
    html = client.get(f"/ledger/households/{cast.household_a1.pk}/").content.decode()
    notice = html.split('data-testid="heritage-notice"')[1].split("</div>")[0]
    assert "房屋 1（祠堂「李氏宗祠」）" in notice and "街道账号不能记录" in notice
    assert 'name="heritage_override_reason"' not in html
    response = record(client, cast.household_a1, heritage_override_reason=REASON)
    assert response.status_code == 403
    assert "须由领导小组办公室（指挥部）账号特批" in response.content.decode()
    no_demolition()


def test_page_shows_the_office_the_reason_field_and_refuses_without_one(cast, vacated, login_as):
    client = login_as(cast.commander)
    html = client.get(f"/ledger/households/{cast.household_a1.pk}/").content.decode()
    assert 'data-testid="heritage-field"' in html and 'name="heritage_override_reason"' in html
    response = record(client, cast.household_a1)
    assert response.status_code == 400
    assert "不少于 10 个字" in response.content.decode()
    no_demolition()
    response = record(client, cast.household_a1, heritage_override_reason=REASON)
    assert response.status_code == 302
    assert down(vacated.hall_building, vacated.annex) == [D(2026, 3, 10)] * 2
    assert AuditEntry.objects.get(action="building.demolish_heritage_override").actor == cast.commander


def test_page_of_a_household_without_heritage_asks_nothing_more(cast, vacated, login_as):
    client = login_as(cast.street_user_a)
    html = client.get(f"/ledger/households/{cast.household_a2.pk}/").content.decode()
    assert 'data-testid="heritage-field"' not in html
    assert record(client, cast.household_a2).status_code == 302
    assert down(vacated.plain) == [D(2026, 3, 10)]


# --- the API -------------------------------------------------------------------------------------

def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_decided_with_a_pending_building_is_refused(cast, vacated, login_as):
    response = post(login_as(cast.street_user_b), f"/api/progress/households/{cast.household_b1.pk}/events",
                    {"kind": "decided", "on_date": DAY})
    assert response.status_code == 400
    assert "房屋 1 尚待认定" in response.json()["message"] and response.json()["fields"] == {"kind": "房屋待认定"}


def test_api_demolition_of_a_heritage_building_needs_the_office_and_a_reason(cast, vacated, login_as):
    url = f"/api/progress/households/{cast.household_a1.pk}/events"
    response = post(login_as(cast.street_user_a), url,
                    {"kind": "demolished", "on_date": DAY, "heritage_override_reason": REASON})
    assert response.status_code == 403
    assert "街道账号不能特批" in response.json()["fields"]["heritage_override_reason"]
    office = login_as(cast.commander)
    response = post(office, url, {"kind": "demolished", "on_date": DAY, "heritage_override_reason": "同意"})
    assert response.status_code == 400 and "现为 2 个字" in response.json()["fields"]["heritage_override_reason"]
    no_demolition()
    response = post(office, url, {"kind": "demolished", "on_date": DAY, "heritage_override_reason": REASON})
    assert response.status_code == 201 and response.json()["household"]["stage"] == "demolished"
    assert down(vacated.hall_building, vacated.annex) == [D(2026, 3, 10)] * 2


def test_api_bulk_names_the_households_and_takes_the_office_s_reason(cast, vacated, login_as):
    body = {"kind": "demolished", "on_date": DAY, "project": "P001", "numbers": ["DH-001", "DH-002"]}
    response = post(login_as(cast.street_user_a), "/api/progress/bulk", {**body, "heritage_override_reason": REASON})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "DH-001 李四：房屋 1 登记有历史文化要素（祠堂「李氏宗祠」）" in message and "DH-002" not in message
    no_demolition()
    response = post(login_as(cast.commander), "/api/progress/bulk", {**body, "heritage_override_reason": REASON})
    assert response.status_code == 201 and response.json() == {"recorded": 2}
    assert down(vacated.hall_building, vacated.annex, vacated.plain) == [D(2026, 3, 10)] * 3


def test_api_bulk_decided_names_the_pending_buildings(cast, vacated, login_as):
    response = post(login_as(cast.street_user_b), "/api/progress/bulk",
                    {"kind": "decided", "on_date": DAY, "household_ids": [cast.household_b1.pk]})
    assert response.status_code == 400 and "XL-001 王五：本户的房屋 1 尚待认定" in response.json()["message"]


# --- the bulk page --------------------------------------------------------------------------------

def bulk(client, **data):
    body = {"project": "P001", "kind": "demolished", "on_date": DAY, "note": "", "resettlement_mode": "",
            "numbers": "DH-001 DH-002", **data}
    return client.post("/progress/record/", body)


def test_bulk_page_names_the_heritage_household_for_a_street_account(cast, vacated, login_as):
    client = login_as(cast.street_user_a)
    assert 'data-testid="bulk-heritage-field"' not in client.get("/progress/record/?project=P001").content.decode()
    response = bulk(client, heritage_override_reason=REASON)
    assert response.status_code == 400
    error = response.content.decode().split('data-testid="bulk-error"')[1].split("</div>")[0]
    assert "DH-001 李四：房屋 1 登记有历史文化要素" in error and "街道账号不能特批" in error
    no_demolition()


def test_bulk_page_takes_the_office_s_reason_for_the_batch(cast, vacated, login_as):
    client = login_as(cast.commander)
    assert 'data-testid="bulk-heritage-field"' in client.get("/progress/record/?project=P001").content.decode()
    response = bulk(client)
    assert response.status_code == 400 and "不少于 10 个字" in response.content.decode()
    no_demolition()
    assert bulk(client, heritage_override_reason=REASON).status_code == 302
    assert [stage(cast.household_a1), stage(cast.household_a2)] == ["demolished", "demolished"]


def test_bulk_page_decided_with_a_pending_building_is_refused(cast, vacated, login_as):
    response = bulk(login_as(cast.street_user_b), project="P002", kind="decided", numbers="XL-001")
    assert response.status_code == 400 and "XL-001 王五：本户的房屋 1 尚待认定" in response.content.decode()


# --- the dates import (service, page, command) ---------------------------------------------------

def workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["户号", "认定日期", "拆除日期"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def demolitions(tmp_path) -> Path:
    return workbook(tmp_path / "拆除.xlsx", [["DH-001", "2026-03-02", DAY], ["DH-002", "2026-03-02", DAY]])


def test_import_rejects_the_heritage_row_for_a_street_account(cast, vacated, demolitions):
    result = events_import(actor=cast.street_user_a, project_code="P001", path=demolitions,
                           heritage_reason=REASON)
    assert not result.written and result.recorded == 0
    [row] = result.rejected
    assert (row.row, row.household, row.column) == (2, "DH-001", "拆除日期")
    assert "房屋 1 登记有历史文化要素（祠堂「李氏宗祠」）" in row.reason and "街道账号不能特批" in row.reason
    no_demolition()


@pytest.mark.parametrize("reason, said", [("", "不少于 10 个字"), ("区里同意", "现为 4 个字")])
def test_import_rejects_the_heritage_row_without_a_good_reason(cast, vacated, demolitions, reason, said):
    result = events_import(actor=cast.commander, project_code="P001", path=demolitions, heritage_reason=reason)
    assert [(r.household, said in r.reason) for r in result.rejected] == [("DH-001", True)]
    no_demolition()


def test_import_with_the_office_s_reason_brings_the_buildings_down(cast, vacated, demolitions):
    result = events_import(actor=cast.commander, project_code="P001", path=demolitions, heritage_reason=REASON)
    assert (result.recorded, result.rejected, result.written) == (2, [], True)
    assert down(vacated.hall_building, vacated.annex, vacated.plain) == [D(2026, 3, 10)] * 3
    assert AuditEntry.objects.get(action="building.demolish_heritage_override").changes[
        "heritage_override_reason"] == REASON


def test_import_rejects_a_decided_date_while_a_building_is_pending(cast, vacated, tmp_path):
    path = workbook(tmp_path / "认定.xlsx", [["XL-001", DAY, None]])
    result = events_import(actor=cast.street_user_b, project_code="P002", path=path)
    [row] = result.rejected
    assert (row.household, row.column) == ("XL-001", "认定日期") and "本户的房屋 1 尚待认定" in row.reason
    assert stage(cast.household_b1) == "surveyed"


def test_import_page_asks_the_office_for_the_reason(cast, vacated, demolitions, login_as):
    client = login_as(cast.street_user_a)
    assert 'data-testid="import-heritage-field"' not in client.get("/progress/record/").content.decode()
    with open(demolitions, "rb") as handle:
        response = client.post("/progress/record/import/", {"project": "P001", "file": handle})
    assert response.status_code == 400 and "李氏宗祠" in response.content.decode()
    no_demolition()
    client = login_as(cast.commander)
    assert 'data-testid="import-heritage-field"' in client.get("/progress/record/").content.decode()
    with open(demolitions, "rb") as handle:
        response = client.post("/progress/record/import/", {"project": "P001", "file": handle,
                                                            "heritage_override_reason": REASON})
    assert response.status_code == 200 and "已从「拆除.xlsx」导入 2 条进度记录" in response.content.decode()
    assert down(vacated.hall_building) == [D(2026, 3, 10)]


def test_import_command_takes_heritage_reason(cast, vacated, demolitions):
    code, out, err = run("import", demolitions, "--project", "P001", "--json", "--user", "street_a",
                         "--heritage-reason", REASON)
    assert code == 2 and "街道账号不能特批" in json.loads(out)["rejected"][0]["reason"]
    no_demolition()
    code, out, err = run("import", demolitions, "--project", "P001", "--heritage-reason", REASON)
    assert code == 0, err
    assert "已记录 2 条进度" in out and down(vacated.hall_building) == [D(2026, 3, 10)]


# --- gaizao progress record ------------------------------------------------------------------------

def test_record_command_refuses_without_the_reason_naming_the_household(cast, vacated):
    args = ("record", "--project", "P001", "--stage", "拆除", "--date", DAY, "--households", "DH-001", "DH-002")
    code, out, err = run(*args)
    assert code == 1 and "DH-001 李四：房屋 1 登记有历史文化要素" in err and "不少于 10 个字" in err
    code, out, err = run(*args, "--heritage-reason", REASON, "--user", "street_a")
    assert code == 1 and "街道账号不能特批" in err
    no_demolition()
    code, out, err = run(*args, "--heritage-reason", REASON, "--user", "commander")
    assert code == 0, err
    assert out.strip() == "已为 2 户记录「拆除」（2026-03-10，项目 P001）。"
    assert down(vacated.hall_building, vacated.annex, vacated.plain) == [D(2026, 3, 10)] * 3


def test_record_command_refuses_decided_while_a_building_is_pending(cast, vacated):
    code, out, err = run("record", "--project", "P002", "--stage", "认定", "--date", DAY, "--households", "XL-001")
    assert code == 1 and "XL-001 王五：本户的房屋 1 尚待认定" in err
    assert stage(cast.household_b1) == "surveyed"


def test_the_household_s_history_shows_each_building_brought_down_and_the_reason(cast, vacated, login_as):
    from gaizao.progress.services import household_record_event

    household_record_event(actor=cast.commander, household=cast.household_a1, kind="demolished", on_date=DAY,
                           heritage_override_reason=REASON)
    history = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/").context["history"]
    labels = [row.action_label for row in history]
    assert "标记拆除（涉历史文化要素，特批）" in labels and "标记拆除" in labels
    shown = {c.label: c.after for row in history for c in row.changes}
    assert shown["拆除理由"] == REASON and "李氏宗祠" in shown["涉及的历史文化要素"]
    building_page = login_as(cast.street_user_a).get(f"/ledger/buildings/{vacated.hall_building.pk}/")
    assert REASON in building_page.content.decode()
