"""The command dashboard (作战图): scope, figures equal to the rollups, lapsed projects, query counts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress.choices import Level
from gaizao.progress.models import Rollup
from gaizao.progress.selectors.summary import UnitSummary, forecasts
from gaizao.progress.services.events import household_record_event, households_record_stage
from gaizao.progress.services.hardcases import hardcase_open
from gaizao.progress.signing import judge_due
from tests.ledger.conftest import citizen_id
from tests.progress.helpers import decidable

ROLES_404 = ("department_user", "cadre", "resident", "outsider", "auditor", "security")


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def open_signing(*projects, start: int = 60, end: int = -30) -> None:
    """Set the projects' signing period from ``start`` days ago to ``end`` days ago (negative: ahead)."""
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(
        signing_start=days_ago(start), signing_end=days_ago(end))


def sign(actor, households, *, on: dt.date, ready_on: dt.date | None = None) -> None:
    """Survey, decide and value the households (bulk), then sign them on ``on``."""
    ids = [h.pk for h in households]
    if not ids:
        return
    ready_on = ready_on or on
    decidable(actor, households)
    for kind in ("surveyed", "decided", "valued"):
        households_record_stage(actor=actor, household_ids=ids, kind=kind, on_date=ready_on)
    households_record_stage(actor=actor, household_ids=ids, kind="signed", on_date=on)


def build_district(cast, *, villages: int = 3, households: int = 6) -> dict:
    """More villages with boundaries, projects in signing and signed, vacated, demolished households
    in both streets, recorded through the services (the history the browser test also draws)."""
    admin = cast.admin
    ledger_services.village_update(actor=admin, village=cast.village_a, version=cast.village_a.version,
                                   boundary=square(113.30, 23.20, 0.02))
    out = {"villages": [], "projects": []}
    for i in range(villages):
        street = cast.street_a if i % 2 == 0 else cast.street_b
        village = ledger_services.village_create(
            actor=admin, street=street, code=f"VD{i:02d}", name=f"测绘{i}村", mode="demolish_rebuild", year=2026,
            boundary=square(113.25 + 0.03 * i, 23.15 + 0.02 * (i % 2), 0.025) if i < villages - 1 else None)
        project = ledger_services.project_create(actor=admin, village=village, code=f"PD{i:02d}", name=f"测绘{i}村一期")
        open_signing(project)
        homes = make_households(admin, project, households, prefix=f"D{i}")
        for n, home in enumerate(homes):
            ledger_services.building_add(actor=admin, household=home, number="1", legal_area=Decimal("200.00") + n,
                                         unlicensed_area=Decimal("20.00"), legality="legal")
        signed = homes[: households - 1 - i % 3]
        half = len(signed) // 2
        sign(admin, signed[:half], on=days_ago(20), ready_on=days_ago(40))
        sign(admin, signed[half:], on=days_ago(5), ready_on=days_ago(40))
        if half:
            households_record_stage(actor=admin, household_ids=[h.pk for h in signed[:half]], kind="vacated",
                                    on_date=days_ago(3))
            households_record_stage(actor=admin, household_ids=[signed[0].pk], kind="demolished",
                                    on_date=days_ago(1))
        out["villages"].append(village)
        out["projects"].append(project)
    return out


def make_households(actor, project, count: int, *, prefix: str) -> list:
    """``count`` households in ``project``, each head with an ID number of their own."""
    first = make_households.issued
    make_households.issued += count
    return [
        ledger_services.household_create(
            actor=actor, project=project, number=f"{prefix}-{i:03d}", head_name=f"欧阳{prefix}{i}",
            head_id_number=citizen_id(n % 1000, birth=f"19{60 + n // 1000}0101"), phone=f"139{n:08d}",
            address=f"东湖路{n}号")
        for i, n in enumerate(range(first, first + count))
    ]


make_households.issued = 100


def rollup(level: int, unit: int, key: str) -> int:
    row = Rollup.objects.filter(level=level, unit=unit, key=key).first()
    return row.households if row else 0


# ---------------------------------------------------------------- scope


@pytest.mark.parametrize("role", ["admin", "commander", "leader"])
def test_district_roles_see_the_district(cast, login_as, role):
    response = login_as(getattr(cast, role)).get("/progress/")
    assert response.status_code == 200
    board = response.context["d"]
    assert board.area.is_district and board.area.unit == cast.district
    assert [u.name for u in board.units] == ["东湖街道", "西岭街道"]  # both at 0%: by code
    html = response.content.decode()
    assert "云溪区城中村改造作战图" in html and "东湖街道" in html and "西岭街道" in html


def test_street_user_sees_only_their_street(cast, login_as):
    client = login_as(cast.street_user_a)
    response = client.get("/progress/")
    assert response.status_code == 200
    board = response.context["d"]
    assert board.area.unit == cast.street_a
    assert [v.code for v in board.villages] == ["V001"]
    html = response.content.decode()
    assert "东湖村" in html and "西岭村" not in html and "西岭街道" not in html
    assert client.get(f"/progress/?street={cast.street_a.code}").status_code == 200


def test_street_user_asking_for_another_street_gets_404(cast, login_as):
    client = login_as(cast.street_user_a)
    response = client.get(f"/progress/?street={cast.street_b.code}")
    assert response.status_code == 404
    assert "西岭村" not in response.content.decode()
    assert client.get(f"/progress/data.json?street={cast.street_b.code}").status_code == 404


def test_district_role_drills_into_a_street(cast, login_as):
    response = login_as(cast.leader).get(f"/progress/?street={cast.street_b.code}")
    assert response.status_code == 200
    board = response.context["d"]
    assert board.area.unit == cast.street_b and [v.code for v in board.villages] == ["V002"]
    html = response.content.decode()
    assert 'data-testid="back-to-district"' in html and "西岭村" in html and "东湖村" not in html


def test_unknown_street_is_404(cast, login_as):
    assert login_as(cast.commander).get("/progress/?street=NOPE").status_code == 404


@pytest.mark.parametrize("role", ROLES_404)
def test_other_roles_get_404(cast, login_as, role):
    client = login_as(getattr(cast, role))
    assert client.get("/progress/").status_code == 404
    assert client.get("/progress/data.json").status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    for url in ("/progress/", "/progress/data.json"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


# ---------------------------------------------------------------- figures


def test_figures_equal_the_rollups_after_recording_events(cast, login_as):
    open_signing(cast.project_a, cast.project_b)
    admin = cast.admin
    sign(admin, [cast.household_a1], on=days_ago(10), ready_on=days_ago(20))
    sign(admin, [cast.household_b1], on=days_ago(3), ready_on=days_ago(20))
    household_record_event(actor=admin, household=cast.household_a1, kind="vacated", on_date=days_ago(2))
    household_record_event(actor=admin, household=cast.household_a1, kind="demolished", on_date=days_ago(1))

    response = login_as(cast.commander).get("/progress/")
    board = response.context["d"]
    district = cast.district.pk
    assert board.summary.households == rollup(Level.DISTRICT, district, "scope") == 3
    assert board.summary.count("signed") == rollup(Level.DISTRICT, district, "signed") == 2
    assert board.summary.count("vacated") == rollup(Level.DISTRICT, district, "vacated") == 1
    kpis = {k.key: k for k in board.kpis}
    assert (kpis["signed"].done, kpis["signed"].whole, kpis["signed"].rate) == (2, 3, Decimal("66.7"))
    assert (kpis["vacated"].done, kpis["vacated"].rate) == (1, Decimal("33.3"))
    # household_a1's 150.50 ㎡ of the district's 150.50 ㎡ demolished; village A is not complete (a2)
    assert (kpis["demolished_area"].done, kpis["demolished_area"].rate) == (Decimal("0.02"), Decimal("100.0"))
    assert (kpis["villages"].done, kpis["villages"].whole) == (0, 2)
    html = response.content.decode()
    assert '<span data-kpi="signed">2</span><span class="kpi-whole">/ 3 户</span>' in html
    assert '<span class="kpi-rate" data-kpi-rate="signed">66.7%</span>' in html
    streets = {u.code: u for u in board.units}
    assert streets[cast.street_a.code].count("signed") == rollup(Level.STREET, cast.street_a.pk, "signed") == 1
    assert streets[cast.street_b.code].signed_rate == Decimal("100.0")
    # sorted by signed rate, best first, in the bars and the table
    assert [u.code for u in board.units] == [cast.street_b.code, cast.street_a.code]
    funnel = {row["key"]: row["households"] for row in response.context["data"]["funnel"]}
    assert funnel == {"surveyed": 2, "decided": 2, "valued": 2, "signed": 2, "vacated": 1, "demolished": 1,
                      "resettled": 0}
    curves = response.context["data"]["curves"]
    assert curves["days"][-1] == timezone.localdate().isoformat()
    assert curves["signed"][-1] == 2 and curves["vacated"][-1] == 1 and curves["demolished"][-1] == 1


def test_a_voided_signing_leaves_the_figures(cast, login_as):
    from gaizao.progress.services.events import event_correct

    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=days_ago(4), ready_on=days_ago(6))
    event = cast.household_a1.events.get(kind="signed")
    event_correct(actor=cast.admin, event=event, note="录错了户", void=True)
    board = login_as(cast.commander).get("/progress/").context["d"]
    assert board.summary.count("signed") == 0
    assert board.summary.count("valued") == 1


def test_street_view_lists_villages_with_their_detail_links(cast, login_as):
    extra = build_district(cast, villages=3, households=4)
    response = login_as(cast.street_user_a).get("/progress/")
    board = response.context["d"]
    assert board.unit_level == Level.VILLAGE
    codes = [u.code for u in board.units]
    assert set(codes) == {"V001", "VD00", "VD02"}
    rates = [u.signed_rate or Decimal(-1) for u in board.units]
    assert rates == sorted(rates, reverse=True)
    data = response.context["data"]
    assert {row["url"] for row in data["units"]} == {f"/ledger/villages/{v.pk}/" for v in
                                                     (cast.village_a, extra["villages"][0], extra["villages"][2])}
    # VD02 has no boundary: it is listed under the map, not drawn
    assert [v.code for v in board.unmapped] == ["VD02"]
    assert {f["properties"]["name"] for f in data["map"]["geojson"]["features"]} == {"V001", "VD00"}
    html = response.content.decode()
    assert 'data-testid="unmapped"' in html and "测绘2村" in html


def test_district_view_map_and_street_drill_down_links(cast, login_as):
    build_district(cast, villages=3, households=4)
    response = login_as(cast.commander).get("/progress/")
    data = response.context["data"]
    assert [row["url"] for row in data["units"]] == [f"/progress/?street={row['code']}" for row in data["units"]]
    features = data["map"]["geojson"]["features"]
    assert {f["properties"]["name"] for f in features} == {"V001", "VD00", "VD01"}
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    villages = {v["code"]: v for v in data["map"]["villages"]}
    assert villages["VD01"]["street"] == "西岭街道" and villages["VD01"]["mapped"] is True
    assert villages["VD01"]["signed_rate"] == 50.0  # 2 of 4 signed
    # the page passes its data with json_script, parsed by the static dashboard.js
    html = response.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/progress/dashboard.js" in html


def test_data_json_is_the_page_data_in_the_same_scope(cast, login_as):
    build_district(cast, villages=2, households=3)
    client = login_as(cast.street_user_b)
    body = json.loads(client.get("/progress/data.json").content)
    assert body["level"] == "street" and body["area"]["name"] == "西岭街道"
    assert {v["code"] for v in body["map"]["villages"]} == {"V002", "VD01"}
    assert "geojson" in body["map"]
    lean = json.loads(client.get("/progress/data.json?geometry=0").content)
    assert "geojson" not in lean["map"] and lean["units"] == body["units"]


def test_forecast_and_deadline_shown_per_unit(cast, login_as):
    open_signing(cast.project_a, start=60, end=-7)
    homes = make_households(cast.admin, cast.project_a, 8, prefix="F")
    sign(cast.admin, homes[:2], on=days_ago(2), ready_on=days_ago(30))
    response = login_as(cast.street_user_a).get("/progress/")
    village = response.context["d"].units[0]
    forecast = village.extra["forecast"]
    # 10 households, 2 signed in the last four weeks: 0.5 a week, 8 left → 112 days, past the end
    assert forecast.remaining == 8 and forecast.pace_per_week == Decimal("0.5")
    assert forecast.done_on == timezone.localdate() + dt.timedelta(days=112)
    # A village is compared with no project's date (never the latest found): the campaign target's
    # deadline will apply; the project itself is compared with its own signing end.
    assert forecast.deadline is None and forecast.will_meet is None
    project = forecasts(Level.PROJECT, [UnitSummary(level=Level.PROJECT, unit_id=cast.project_a.pk)])[cast.project_a.pk]
    assert project.deadline == days_ago(-7) and project.will_meet is False and project.remaining == 8
    html = response.content.decode()
    assert forecast.text in html and "按此进度，预计" in html and "未设期限" in html


def test_forecast_counts_only_households_that_can_still_sign(cast, login_as):
    second = ledger_services.project_create(actor=cast.admin, village=cast.village_a, code="P001-2", name="东湖村二期")
    make_households(cast.admin, second, 3, prefix="G")  # no signing period: 未启动
    open_signing(cast.project_a, start=60, end=10)  # closed, 0 of 2 signed: 期满未达标
    village = login_as(cast.street_user_a).get("/progress/").context["d"].units[0].extra["forecast"]
    assert (village.state, village.remaining, village.lapsed, village.not_started) == ("lapsed", 0, 2, 3)
    assert village.text == "期满未达标；另 3 户所在项目未启动"
    open_signing(second, start=5, end=-30)  # the second opens: its 3 households are the forecast's
    village = login_as(cast.street_user_a).get("/progress/").context["d"].units[0].extra["forecast"]
    assert (village.state, village.remaining, village.lapsed) == ("forecast", 3, 2)
    assert village.text == "近四周无签约，按此进度无法完成；另 2 户所在项目期满未达标"
    Project.objects.filter(pk=second.pk).update(signing_start=days_ago(-5))  # set, not yet open
    village = login_as(cast.street_user_a).get("/progress/").context["d"].units[0].extra["forecast"]
    assert village.state == "planned" and village.remaining == 3
    assert village.text.startswith("签约期未开始（")
    Project.objects.filter(pk__in=[cast.project_a.pk, second.pk]).update(signing_start=None, signing_end=None)
    village = login_as(cast.street_user_a).get("/progress/").context["d"].units[0].extra["forecast"]
    assert village.state == "not_started" and village.text == "未启动" and village.remaining == 0


# ---------------------------------------------------------------- lapsed projects and hard cases


def test_lapsed_project_is_listed_and_counted(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(60), signing_end=days_ago(10))
    sign(cast.admin, [cast.household_a1], on=days_ago(20), ready_on=days_ago(30))  # 1 of 2: 50% < 90%
    open_signing(cast.project_b, start=10, end=-10)
    assert judge_due(actor=SYSTEM) == 1  # the hourly sweep judges the ended period
    response = login_as(cast.commander).get("/progress/")
    board = response.context["d"]
    assert board.lapsed == 1
    assert [(p.code, p.extra["signing"].code) for p in board.projects] == [("P001", "lapsed"), ("P002", "open")]
    html = response.content.decode()
    assert 'data-testid="lapsed-badge"' in html and 'href="#projects"' in html
    assert "签约期满未达生效比例，协议未生效" in html and 'data-testid="lapsed">协议未生效' in html
    assert 'data-testid="frozen">1 / 2</span>' in html  # the judgement's figures
    assert "/progress/board/P001/" in html and f"/progress/projects/{cast.project_a.pk}/signing/" in html


def test_projects_without_a_signing_period_are_not_listed(cast, login_as):
    board = login_as(cast.commander).get("/progress/").context["d"]
    assert board.projects == [] and board.lapsed == 0


def test_hard_cases_open_and_overdue(cast, login_as):
    hardcase_open(actor=cast.admin, household=cast.household_a2, reason="price", opened_on=days_ago(30))
    hardcase_open(actor=cast.admin, household=cast.household_b1, reason="family", opened_on=days_ago(3),
                  next_visit_on=timezone.localdate() + dt.timedelta(days=3))
    board = login_as(cast.commander).get("/progress/").context["d"]
    assert board.hardcases == {"open": 2, "overdue": 1}
    response = login_as(cast.street_user_b).get("/progress/")
    assert response.context["d"].hardcases == {"open": 1, "overdue": 0}
    assert "走访无逾期" in response.content.decode()


# ---------------------------------------------------------------- reads rollups only, fixed queries


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", ["/progress/", "/progress/data.json"])
def test_the_dashboard_never_reads_the_household_table(cast, login_as, url):
    build_district(cast, villages=2, households=3)
    hardcase_open(actor=cast.admin, household=cast.household_a2, reason="price", opened_on=days_ago(30))
    for user in (cast.commander, cast.street_user_a):
        sql = _queries(login_as(user), url)
        assert not [q for q in sql if "ledger_household" in q]
        assert not [q for q in sql if "ledger_person" in q or "ledger_building" in q]


# The signed-in request costs 7 queries (session, user, roles, the commander's second factor or the
# street user's units, session save (3): see tests/ledger/test_query_counts.py). Then: the district
# (and the chosen street), the area's rollups, its forecast's deadline and pace (2), the villages
# with their rollups (2), the streets with their rollups (2) and their forecasts' deadlines and pace
# (2) — in a street, the villages are the units and only their forecasts cost 2 — the projects with
# their rollups and signing judgements (3), the curves (1), the hard cases (1), the map's outlines of
# the district and streets (1); the page (not data.json) adds the households per step of the legal
# path (1, progress.selectors.legal.legal_counts). The campaign's targets (progress.extensions.targets_for)
# cost the provider's fixed price per call: the district's goals and the streets' targets (2 calls), a
# street's own (1 call; its villages have none). With no campaign, a call is 2 queries (the running
# campaign, the latest one); with one, 7 (tests/progress/test_targets_in_progress.py pins it).
TARGETS_NONE = 1  # the provider without a campaign: the current campaign (none)
DISTRICT_QUERIES = 7 + 16 + 2 * TARGETS_NONE
STREET_QUERIES = 7 + 15 + 1 + TARGETS_NONE  # the district, the street user's street, and the same reads for the street
DRILL_QUERIES = 7 + 15 + 1 + TARGETS_NONE  # a district role choosing a street (?street=)


def _counts(cast, login_as) -> dict:
    return {
        "district": len(_queries(login_as(cast.commander), "/progress/")),
        "data": len(_queries(login_as(cast.commander), "/progress/data.json")),
        "street": len(_queries(login_as(cast.street_user_a), "/progress/")),
        "drill": len(_queries(login_as(cast.commander), f"/progress/?street={cast.street_a.code}")),
    }


def test_query_count_is_the_same_for_a_small_and_a_larger_district(cast, login_as):
    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=days_ago(3), ready_on=days_ago(5))
    small = _counts(cast, login_as)
    build_district(cast, villages=6, households=5)
    hardcase_open(actor=cast.admin, household=cast.household_a2, reason="price", opened_on=days_ago(30))
    larger = _counts(cast, login_as)
    assert small == larger == {"district": DISTRICT_QUERIES + 1, "data": DISTRICT_QUERIES, "street": STREET_QUERIES,
                               "drill": DRILL_QUERIES}


# ---------------------------------------------------------------- the village page's progress card


def test_village_page_shows_progress_signing_status_and_forecast(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(60), signing_end=days_ago(10))
    sign(cast.admin, [cast.household_a1], on=days_ago(20), ready_on=days_ago(30))
    second = ledger_services.project_create(actor=cast.admin, village=cast.village_a, code="P001-2", name="东湖村二期")
    open_signing(second, start=5, end=-20)
    make_households(cast.admin, second, 1, prefix="G")
    judge_due(actor=SYSTEM)
    response = login_as(cast.street_user_a).get(f"/ledger/villages/{cast.village_a.pk}/")
    html = response.content.decode()
    card = html[html.index('data-testid="village-progress"'):html.index('data-testid="project-table"')]
    assert 'data-testid="village-lapsed">协议未生效</span>' in card
    assert "签约期满未达生效比例，协议未生效" in card and "签约中，未达生效比例" in card
    assert "/progress/board/P001/" in card and "/progress/board/P001-2/" in card
    assert "50.0%" in card  # 1 of P001's 2 households signed
    # P001's unsigned household cannot sign any more (its period closed): the forecast counts only the
    # second project's household, which no signing of the last four weeks moves
    assert "近四周无签约，按此进度无法完成；另 1 户所在项目期满未达标" in card


def test_village_card_without_projects_in_signing(cast, login_as):
    html = login_as(cast.commander).get(f"/ledger/villages/{cast.village_b.pk}/").content.decode()
    card = html[html.index('data-testid="village-progress"'):html.index('data-testid="project-table"')]
    assert "协议未生效" not in card and "未设定签约期" in card and "未启动" in card
    assert "近四周无签约" not in card


def test_village_card_reads_rollups_not_households(cast, login_as):
    from gaizao.progress.selectors.dashboard import village_progress

    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=days_ago(2), ready_on=days_ago(3))
    with CaptureQueriesContext(connection) as ctx:
        progress = village_progress(cast.village_a)
    # village rollups, projects, their rollups, their signing judgements, the forecast's pace
    assert len(ctx.captured_queries) == 5
    assert not [q for q in ctx.captured_queries if "ledger_household" in q["sql"]]
    assert progress.summary.count("signed") == rollup(Level.VILLAGE, cast.village_a.pk, "signed") == 1
    assert [p.extra["signing"].code for p in progress.projects] == ["open"]
