"""The campaign's targets beside the progress figures (issue 12): the dashboard, the summary API,
`gaizao progress summary` and the progress table show each target with done, the share due by now and
the light computed from the rollups, and the forecasts compare with the date signing is due. Without a
campaign, nothing of it shows and the forecasts have no deadline.

The campaign is made through its services (today − 100 days to today + 100 days, signing 100 % due on
today + 50): by today 66.67 % of signing is due (序时进度), 50 % of vacating (no milestone: a straight
line to the end). Street A signs 1 of its 2 (50 %: yellow, 16.67 points behind) and vacates none of its
2 (red); street B signs its 1 (green). The district's goals are the sums: signing 2 of 3 (66.67 %:
green), vacating 0 of 2 (red).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from gaizao.campaign.services.campaign import campaign_create, milestone_set, target_set
from gaizao.core.actors import SYSTEM
from gaizao.org.choices import OrgKind
from gaizao.org.services import orgunit_create
from gaizao.progress import extensions
from gaizao.progress.choices import Level
from tests.progress.test_dashboard import (
    DISTRICT_QUERIES, STREET_QUERIES, TARGETS_NONE, _queries, days_ago, open_signing, sign,
)

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def signed(cast):
    """Street A signed DH-001 (of DH-001, DH-002), street B signed XL-001, all inside open signing periods."""
    open_signing(cast.project_a, cast.project_b)
    sign(cast.admin, [cast.household_a1], on=days_ago(3), ready_on=days_ago(10))
    sign(cast.admin, [cast.household_b1], on=days_ago(4), ready_on=days_ago(10))
    return cast


def make_campaign(cast):
    today = _today()
    starts, ends = today - dt.timedelta(days=100), today + dt.timedelta(days=100)
    campaign = campaign_create(actor=cast.commander, name="城中村攻坚行动", year=starts.year, starts_on=starts,
                               ends_on=ends)
    milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today + dt.timedelta(days=50),
                  rate="100")
    target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="2")
    target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=cast.street_a, target="2")
    target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_b, target="1")
    return campaign


@pytest.fixture
def campaign(signed):
    return make_campaign(signed)


def _cells(targets: dict) -> dict:
    return {t["key"]: (t["done"], t["target"], t["rate"], t["expected_rate"], t["light"]) for t in targets["targets"]}


STREET_A = {"signed": ("1", "2", "50.00", "66.67", "yellow"), "vacated": ("0", "2", "0.00", "50.00", "red")}
STREET_B = {"signed": ("1", "1", "100.00", "66.67", "green")}
DISTRICT = {"signed": ("2", "3", "66.67", "66.67", "green"), "vacated": ("0", "2", "0.00", "50.00", "red")}


# ---------------------------------------------------------------- the dashboard


def test_the_district_dashboard_shows_the_goals_and_each_streets_targets_with_lights(campaign, login_as):
    response = login_as(campaign.created_by).get("/progress/")
    d = response.context["d"]
    assert d.targets.light == "red"
    assert _cells(d.targets.as_dict()) == DISTRICT
    rows = {u.code: u.extra["targets"] for u in d.units}
    assert _cells(rows["440199001"].as_dict()) == STREET_A and rows["440199001"].light == "red"
    assert _cells(rows["440199002"].as_dict()) == STREET_B and rows["440199002"].light == "green"
    html = response.content.decode()
    assert 'data-testid="area-targets" data-light="red"' in html
    assert "<th>目标</th>" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "签约户数 1/2 户 · 50.0%" in text and "签约户数 1/1 户 · 100.0%" in text
    assert html.count('data-testid="unit-light"') == 2
    assert json.loads(login_as(campaign.created_by).get("/progress/data.json").content)["targets"]["light"] == "red"


def test_a_streets_own_view_shows_its_targets(cast, campaign, login_as):
    response = login_as(cast.street_user_a).get("/progress/")
    d = response.context["d"]
    assert d.area.unit.code == "440199001"
    assert _cells(d.targets.as_dict()) == STREET_A
    html = response.content.decode()
    assert "本街道攻坚目标" in html and 'data-key="vacated" data-light="red"' in html
    assert "<th>目标</th>" not in html  # the villages carry no targets of their own here


def test_the_forecasts_compare_with_the_date_signing_is_due(campaign, login_as):
    due = _today() + dt.timedelta(days=50)
    d = login_as(campaign.created_by).get("/progress/").context["d"]
    assert d.targets.signing_due == due
    assert d.forecast.deadline == due
    assert {u.code: u.extra["forecast"].deadline for u in d.units} == {"440199001": due, "440199002": due}
    body = login_as(campaign.created_by).get("/api/progress/summary").json()
    assert body["forecast"]["deadline"] == due.isoformat()
    assert [s["forecast"]["deadline"] for s in body["streets"]] == [due.isoformat()] * 2
    # a project still compares with its own signing end
    assert all(p["signing_end"] != due.isoformat() for p in body["projects"])


def test_without_a_campaign_nothing_changes(signed, login_as):
    client = login_as(signed.commander)
    response = client.get("/progress/")
    d = response.context["d"]
    html = response.content.decode()
    assert d.targets is None and all(u.extra["targets"] is None for u in d.units)
    assert d.forecast.deadline is None and all(u.extra["forecast"].deadline is None for u in d.units)
    assert "area-targets" not in html and "<th>目标</th>" not in html and "data-light" not in html
    body = client.get("/api/progress/summary").json()
    assert body["targets"] is None and [s["targets"] for s in body["streets"]] == [None, None]
    assert body["forecast"]["deadline"] is None
    assert run("--json")["targets"] is None
    assert "攻坚目标" not in run_text()
    page = client.get("/progress/table/").content.decode()
    assert "目标与序时进度" not in page
    assert load_workbook(io.BytesIO(client.get("/progress/table.xlsx").content)).sheetnames == ["进度表"]


def test_without_a_provider_nothing_is_asked(campaign, login_as):
    provider = extensions._provider[:]
    extensions.unregister_targets()
    try:
        assert extensions.targets_for(Level.DISTRICT, [1], today=_today()) == {}
        assert login_as(campaign.created_by).get("/progress/").context["d"].targets is None
    finally:
        extensions._provider[:] = provider


# ---------------------------------------------------------------- the summary API


def test_the_summary_api_gives_the_areas_and_each_streets_targets(campaign, login_as):
    body = login_as(campaign.created_by).get("/api/progress/summary").json()
    assert body["targets"]["campaign"] == "城中村攻坚行动"
    assert body["targets"]["signing_due"] == (_today() + dt.timedelta(days=50)).isoformat()
    assert _cells(body["targets"]) == DISTRICT
    streets = {s["code"]: s["targets"] for s in body["streets"]}
    assert _cells(streets["440199001"]) == STREET_A and streets["440199001"]["light"] == "red"
    assert _cells(streets["440199002"]) == STREET_B
    milestone = streets["440199001"]["targets"][0]["milestone"]
    assert milestone == {"due_on": (_today() + dt.timedelta(days=50)).isoformat(), "rate": "100", "amount": "2",
                         "passed": False}
    street = login_as(campaign.created_by).get("/api/progress/summary?street=440199002").json()
    assert _cells(street["targets"]) == STREET_B and street["streets"] == []


def test_a_street_with_no_targets_answers_null(campaign, login_as):
    target_set(actor=campaign.created_by, campaign=campaign, metric="signed", street="440199002", target=None)
    body = login_as(campaign.created_by).get("/api/progress/summary").json()
    assert {s["code"]: s["targets"] for s in body["streets"]}["440199002"] is None


# ---------------------------------------------------------------- the command


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("progress", "summary", *args, stdout=out)
    return json.loads(out.getvalue())


def run_text(*args: str) -> str:
    out = io.StringIO()
    call_command("progress", "summary", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_targets_as_json_and_as_a_block_of_text(campaign):
    assert _cells(run("--json")["targets"]) == DISTRICT
    assert _cells(run("--json", "--street", "440199001")["targets"]) == STREET_A
    text = run_text("--street", "440199001")
    assert "攻坚目标（城中村攻坚行动），签约应于" in text and "总体 红" in text
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.startswith(("签约户数", "腾空交房户数"))}
    assert lines["签约户数"][1:] == ["1", "/", "2", "户", "50.0%", "66.7%", "黄"]
    assert lines["腾空交房户数"][-1] == "红"


# ---------------------------------------------------------------- the progress table


def test_the_progress_table_lists_each_streets_targets_on_the_page_and_in_the_xlsx(campaign, login_as):
    client = login_as(campaign.created_by)
    page = client.get("/progress/table/").content.decode()
    assert 'data-testid="targets-table"' in page
    assert page.count('data-testid="target-row"') == 2 + 2 + 1  # the district's 2 goals, A's 2, B's 1
    book = load_workbook(io.BytesIO(client.get("/progress/table.xlsx").content))
    assert book.sheetnames == ["进度表", "目标与序时进度"]
    sheet = book["目标与序时进度"]
    assert [c.value for c in sheet[3]] == ["单位", "指标", "计量单位", "目标", "完成", "完成率", "序时应完成", "灯"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert [(r[0], r[1], r[3], r[4], r[7]) for r in rows] == [
        ("云溪区", "签约户数", 3, 2, "绿"), ("云溪区", "腾空交房户数", 2, 0, "红"),
        ("东湖街道", "签约户数", 2, 1, "黄"), ("东湖街道", "腾空交房户数", 2, 0, "红"),
        ("西岭街道", "签约户数", 1, 1, "绿")]
    assert float(rows[2][5]) == pytest.approx(0.5) and float(rows[2][6]) == pytest.approx(0.6667)
    assert sheet.cell(row=6, column=6).number_format == "0.0%"
    fills = [sheet.cell(row=r, column=8).fill.fgColor.rgb[-6:] for r in range(4, 9)]
    assert fills == ["C6EFCE", "FFC7CE", "FFEB9C", "FFC7CE", "C6EFCE"]


def test_a_streets_table_lists_only_its_targets(campaign, login_as):
    client = login_as(campaign.created_by)
    sheet = load_workbook(io.BytesIO(client.get("/progress/table.xlsx?street=440199002").content))["目标与序时进度"]
    assert [[c.value for c in row][:2] for row in sheet.iter_rows(min_row=4)] == [["西岭街道", "签约户数"]]


# ---------------------------------------------------------------- query counts


# The provider's price per call with a campaign running (gaizao/campaign/progress_targets.py): the running
# campaign, its milestones, the streets, their targets, the milestones again, the goals, the street rollups.
PROVIDER = 7
# What each page costs the commander with no campaign (as the existing tests pin them, with the provider's
# TARGETS_NONE queries per call without a campaign; the commander's session is 7 queries), and how many times each
# calls the provider.
WITHOUT = {"/progress/": (DISTRICT_QUERIES + 1, 2), "/progress/data.json": (DISTRICT_QUERIES, 2),
           "/progress/table/": (7 + 1 + 7 + 6 + 2 * TARGETS_NONE + 1, 2),
           "/progress/table.xlsx": (7 + 1 + 7 + 6 + 2 * TARGETS_NONE, 2),
           "/api/progress/summary": (7 + 13 + 2 * TARGETS_NONE, 2)}


def test_the_targets_cost_the_providers_fixed_price_per_call(cast, signed, login_as):
    """Pinned without and with a campaign; more streets with targets cost no more queries."""
    def counts():
        return {u: len(_queries(login_as(cast.commander), u)) for u in WITHOUT}

    assert counts() == {u: n for u, (n, _calls) in WITHOUT.items()}
    campaign = make_campaign(cast)
    expected = {u: n + calls * (PROVIDER - TARGETS_NONE) for u, (n, calls) in WITHOUT.items()}
    assert counts() == expected
    for i in range(3):
        street = orgunit_create(actor=SYSTEM, code=f"44019905{i}", name=f"新{i}街道", kind=OrgKind.STREET,
                                parent=cast.district)
        target_set(actor=cast.commander, campaign=campaign, metric="signed", street=street, target="5")
    assert counts() == expected
    street = {u: len(_queries(login_as(cast.street_user_a), u)) for u in ("/progress/", "/api/progress/summary")}
    assert street == {"/progress/": STREET_QUERIES + PROVIDER - TARGETS_NONE,
                      "/api/progress/summary": 7 + 14 + PROVIDER}  # session (7), the summary (14), the targets
