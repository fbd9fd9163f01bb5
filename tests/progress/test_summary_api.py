"""The progress figures in the JSON API: /api/progress/summary and /api/progress/curves.

Scope is the dashboard's: district roles see the district or any street, street staff their own
street, everyone else 404 in the one error shape. Figures come from the rollups.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.progress.signing import judge_due
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind
from gaizao.progress.services import household_record_event
from tests.progress.helpers import decidable

pytestmark = pytest.mark.django_db
NOT_FOUND_KEYS = {"message", "fields"}
WALK = ["surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]


def walk(actor, household, until: str, *, on: dt.date) -> None:
    """Record each stage of the funnel up to ``until`` on day ``on`` through the service."""
    for kind in WALK[:WALK.index(until) + 1]:
        household_record_event(actor=actor, household=household, kind=kind, on_date=on)


@pytest.fixture
def progress(cast):
    """Street A: DH-001 (150.50 ㎡) signed and vacated, DH-002 (80.25 ㎡) valued; street B: XL-001 surveyed."""
    today = timezone.localdate()
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=today - dt.timedelta(days=60),
                                                         signing_end=today + dt.timedelta(days=30))
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="1",
                                 legal_area=Decimal("80.25"), legality="legal")
    walk(cast.street_user_a, cast.household_a1, "vacated", on=today - dt.timedelta(days=10))
    walk(cast.street_user_a, cast.household_a2, "valued", on=today - dt.timedelta(days=20))
    walk(cast.street_user_b, cast.household_b1, "surveyed", on=today - dt.timedelta(days=3))
    return cast


def _token(user) -> dict:
    _token, key = org_services.apitoken_create(actor=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_district_roles_get_the_district_figures_with_each_street(progress, login_as):
    body = login_as(progress.leader).get("/api/progress/summary").json()
    assert body["unit"] == {"code": "440199", "name": "云溪区", "level": "district"}
    assert body["households"] == 3
    assert body["area"] == "230.75"
    assert body["stages"]["surveyed"] == {"households": 3, "area": "230.75", "rate": "100.0"}
    assert body["stages"]["valued"] == {"households": 2, "area": "230.75", "rate": "66.7"}
    assert body["stages"]["signed"] == {"households": 1, "area": "150.50", "rate": "33.3"}
    assert body["stages"]["decision"] == {"households": 0, "area": "0.00", "rate": "0.0"}
    assert body["signed_rate"] == "33.3" and body["vacated_rate"] == "33.3"
    assert body["demolished_area_wan"] == "0.00"
    assert [s["code"] for s in body["streets"]] == ["440199001", "440199002"]
    east, west = body["streets"]
    assert (east["households"], east["stages"]["signed"]["households"], east["signed_rate"]) == (2, 1, "50.0")
    assert (west["households"], west["stages"]["surveyed"]["households"], west["signed_rate"]) == (1, 1, "0.0")
    assert body["villages"] == []
    assert body["as_of"] == timezone.localdate().isoformat()


def test_street_staff_get_their_street_with_its_villages_only(progress, login_as):
    body = login_as(progress.street_user_a).get("/api/progress/summary").json()
    assert body["unit"] == {"code": "440199001", "name": "东湖街道", "level": "street"}
    assert (body["households"], body["area"], body["signed_rate"]) == (2, "230.75", "50.0")
    assert body["streets"] == []
    assert [(v["code"], v["street_name"], v["households"]) for v in body["villages"]] == [("V001", "东湖街道", 2)]
    assert [p["code"] for p in body["projects"]] == ["P001"]


def test_a_district_role_may_pick_any_street(progress, login_as):
    body = login_as(progress.commander).get("/api/progress/summary?street=440199002").json()
    assert body["unit"]["name"] == "西岭街道"
    assert [v["code"] for v in body["villages"]] == ["V002"]
    assert body["households"] == 1 and body["stages"]["signed"]["households"] == 0


@pytest.mark.parametrize("who, url", [
    ("street_user_a", "/api/progress/summary?street=440199002"),  # another street
    ("street_user_a", "/api/progress/curves?street=440199002"),
    ("leader", "/api/progress/summary?street=NOPE"),  # no such street
    ("cadre", "/api/progress/summary"),  # no dashboard at all
    ("resident", "/api/progress/summary"),
    ("outsider", "/api/progress/curves"),
    ("auditor", "/api/progress/summary"),
])
def test_out_of_scope_answers_404_in_the_error_shape(progress, login_as, who, url):
    response = login_as(getattr(progress, who)).get(url)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == NOT_FOUND_KEYS and "无权查看" in body["message"]
    assert "households" not in body


def test_anonymous_gets_401(client, progress):
    for url in ("/api/progress/summary", "/api/progress/curves"):
        response = client.get(url)
        assert response.status_code == 401
        assert set(response.json()) == NOT_FOUND_KEYS


def test_a_token_reads_its_owners_scope(client, progress):
    body = client.get("/api/progress/summary", **_token(progress.street_user_b)).json()
    assert body["unit"]["code"] == "440199002"
    assert client.get("/api/progress/summary?street=440199001", **_token(progress.street_user_b)).status_code == 404


def test_a_lapsed_signing_period_shows_in_projects(progress, login_as):
    today = timezone.localdate()
    Project.objects.filter(pk=progress.project_b.pk).update(
        signing_start=today - dt.timedelta(days=90), signing_end=today - dt.timedelta(days=1),
        signing_threshold=Decimal("80"))
    projects = {p["code"]: p for p in login_as(progress.leader).get("/api/progress/summary").json()["projects"]}
    assert projects["P002"]["status"] == "due" and projects["P002"]["judgement"] is None  # ended, not yet judged
    judge_due(actor=SYSTEM)  # the hourly sweep
    projects = {p["code"]: p for p in login_as(progress.leader).get("/api/progress/summary").json()["projects"]}
    assert projects["P002"]["status"] == "lapsed" and projects["P002"]["lapsed"] is True
    assert projects["P002"]["status_label"] == "签约期满未达生效比例，协议未生效，待办公室处置"
    assert projects["P002"]["judgement"]["kind"] == "deadline" and projects["P002"]["outcome"] is None
    assert projects["P002"]["threshold"] == "80.00" and projects["P002"]["rate"] == "0.0"
    assert projects["P001"]["status"] == "open" and projects["P001"]["lapsed"] is False
    assert (projects["P001"]["households"], projects["P001"]["signed"], projects["P001"]["rate"]) == (2, 1, "50.0")
    assert projects["P001"]["village_code"] == "V001"


def test_forecast_follows_the_last_four_weeks(progress, login_as):
    today = timezone.localdate()
    body = login_as(progress.street_user_a).get("/api/progress/summary").json()
    # One signing in four weeks (0.25 a week), one household left: 28 days from today.
    forecast = body["forecast"]
    assert forecast["remaining"] == 1 and forecast["pace_per_week"] == "0.2"
    assert forecast["done_on"] == (today + dt.timedelta(days=28)).isoformat()
    # A street is compared with the campaign target's deadline (none yet), never its projects' latest end
    assert forecast["deadline"] is None and forecast["will_meet"] is None
    assert forecast["state"] == "forecast" and forecast["lapsed"] == 0 and forecast["not_started"] == 0
    assert forecast["text"].startswith("按此进度，预计")
    assert body["villages"][0]["forecast"]["done_on"] == forecast["done_on"]
    west = login_as(progress.leader).get("/api/progress/summary?street=440199002").json()["forecast"]
    assert west["done_on"] is None and west["text"] == "未启动" and west["state"] == "not_started"  # no signing period set


def test_recording_a_signing_moves_the_figures(progress, login_as):
    client = login_as(progress.street_user_a)
    household_record_event(actor=progress.street_user_a, household=progress.household_a2, kind="signed",
                           on_date=timezone.localdate())
    body = client.get("/api/progress/summary").json()
    assert body["stages"]["signed"] == {"households": 2, "area": "230.75", "rate": "100.0"}
    assert body["forecast"]["remaining"] == 0 and body["forecast"]["text"] == "已全部签约"


def test_curves_are_cumulative_by_day(progress, login_as):
    today = timezone.localdate()
    household_record_event(actor=progress.street_user_a, household=progress.household_a2, kind="signed",
                           on_date=today)
    body = login_as(progress.commander).get("/api/progress/curves?street=440199001").json()
    assert body["unit"] == {"code": "440199001", "name": "东湖街道", "level": "street"}
    assert body["days"] == [(today - dt.timedelta(days=10)).isoformat(), today.isoformat()]
    assert body["signed"] == [1, 2]
    assert body["vacated"] == [1, 1]
    assert body["demolished"] == [0, 0]


def test_a_too_long_street_code_is_refused_by_name(progress, login_as):
    response = login_as(progress.leader).get("/api/progress/summary?street=" + "9" * 40)
    assert response.status_code == 422
    assert "street" in response.json()["fields"]


def test_the_schemas_are_documented(progress, login_as):
    schema = login_as(progress.leader).get("/api/openapi.json").json()
    assert "/api/progress/summary" in schema["paths"] and "/api/progress/curves" in schema["paths"]
    components = schema["components"]["schemas"]
    for name in ("SummaryOut", "StagesOut", "ForecastOut", "ProjectSigningOut", "CurvesOut"):
        assert name in components, name
    assert components["StagesOut"]["properties"]["signed"]["description"] == "签约"


def _more_units(cast, count: int) -> None:
    """``count`` more streets, each with a village, a project and a household that signed."""
    today = timezone.localdate()
    for i in range(count):
        street = org_services.orgunit_create(actor=SYSTEM, code=f"44019901{i}", name=f"测试{i}街道",
                                             kind=OrgKind.STREET, parent=cast.district)
        village = ledger_services.village_create(actor=cast.admin, street=street, code=f"VQ{i}", name=f"测试村{i}",
                                                 mode="demolish_rebuild", year=2026)
        project = ledger_services.project_create(actor=cast.admin, village=village, code=f"PQ{i}", name="一期")
        household = ledger_services.household_create(actor=cast.admin, project=project, number=f"Q-{i}",
                                                      head_name="某某")
        decidable(cast.admin, [household])
        walk(cast.admin, household, "signed", on=today - dt.timedelta(days=i + 1))


@pytest.mark.parametrize("extra", [0, 5])
def test_query_counts_do_not_grow_with_units(progress, client, django_assert_num_queries, extra):
    _more_units(progress, extra)
    headers = _token(progress.leader)
    # token (2), roles, district, own figures + forecast + deadline (3), streets + figures + forecasts +
    # deadlines (4), projects + figures + signing judgements (3), villages completed: villages' modes + their
    # rollups (2), the campaign's targets of the district and of the streets (2 calls of the provider, each
    # 1 query without a campaign: the current one)
    with django_assert_num_queries(16 + 2 * 1):
        body = client.get("/api/progress/summary", **headers).json()
    assert len(body["streets"]) == 2 + extra
    headers = _token(progress.street_user_a)
    # token (2), roles, units, district, own street, own figures + forecast + deadline (3), villages +
    # figures + forecasts + deadlines (4), projects + figures + signing judgements (3), villages completed (2),
    # the street's targets (1 call of the provider: 1 query without a campaign)
    with django_assert_num_queries(18 + 1):
        client.get("/api/progress/summary", **headers)
    with django_assert_num_queries(7):  # token (2), roles, units, district, own street, the daily rollups
        client.get("/api/progress/curves", **headers)
