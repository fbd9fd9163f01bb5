"""Assessment pages and API: the office previews and publishes, the sheet shows each score's inputs and
link, missing data reads 数据缺失, a unit sees its own row only, and the pages' query counts are pinned
whatever the number of units."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gaizao.oversight.models import ScoreSheet
from gaizao.oversight.services import assessment as services
from tests.conftest import login
from tests.oversight.samples_assessment import TODAY, make_scheme


@pytest.fixture
def published(cast):
    scheme = make_scheme(cast.commander)
    sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    return scheme, sheet


def test_the_office_previews_then_publishes_a_period(cast, client):
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    page = client.get(reverse("oversight:scheme_preview", args=[scheme.pk]), {"period": "2026-10"})
    assert page.status_code == 200 and "尚未冻结" in page.content.decode()
    assert not ScoreSheet.objects.exists()
    done = client.post(reverse("oversight:scheme_publish", args=[scheme.pk]), {"period": "2026-10"})
    sheet = ScoreSheet.objects.get()
    assert done.status_code == 302 and done.url == reverse("oversight:sheet_detail", args=[sheet.pk])
    body = client.get(done.url).content.decode()
    assert "村庄签约 0%，目标 100%：0 ÷ 100 × 25 = 0" in body
    assert "数据缺失" in body  # no tasks due in October: missing, not 0 %


def test_a_bad_period_is_refused_on_the_preview_with_its_example(cast, client):
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    page = client.get(reverse("oversight:scheme_preview", args=[scheme.pk]), {"period": "2026-Q4"})
    assert page.status_code == 400 and "应写作 2026-11" in page.content.decode()


def test_the_indicator_grid_shows_the_sum_refusal_and_keeps_what_was_typed(cast, client):
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    data = {"version": scheme.version, "ind-1-name": "村庄签约", "ind-1-weight": "30", "ind-1-source": "signing_rate",
            "ind-1-rule": "linear", "ind-1-target": "100"}
    page = client.post(reverse("oversight:scheme_indicators", args=[scheme.pk]), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "各指标分值合计 30，应为 100。" in text and 'value="30"' in text


def test_a_formula_error_on_the_grid_names_the_row_and_position(cast, client):
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    data = {"version": scheme.version, "ind-1-name": "村庄签约", "ind-1-weight": "100", "ind-1-source": "signing_rate",
            "ind-1-rule": "expression", "ind-1-expression": "value * rat"}
    page = client.post(reverse("oversight:scheme_indicators", args=[scheme.pk]), data)
    assert page.status_code == 400
    assert "第 1 行（村庄签约）：名称“rat”未定义" in page.content.decode()
    assert "第 9 个字符" in page.content.decode()


def test_a_street_sees_its_own_row_and_not_the_whole_sheet(cast, client, published):
    scheme, sheet = published
    login(client, cast.street_user_a)
    assert client.get(reverse("oversight:sheet_detail", args=[sheet.pk])).status_code == 404
    mine = client.get(reverse("oversight:assessment_home")).content.decode()
    assert "东湖街道" in mine and "西岭街道" not in mine
    api = client.get("/api/oversight/assessment/mine").json()
    assert [r["unit"] for r in api["rows"]] == ["东湖街道"]
    assert client.get(reverse("oversight:unit_record", args=[cast.street_b.pk])).status_code == 404
    assert client.get(reverse("oversight:unit_record", args=[cast.street_a.pk])).status_code == 200


def test_the_api_publishes_and_recomputes_with_a_reason(cast, client):
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    bad = client.post(f"/api/oversight/assessment/schemes/{scheme.pk}/publish", json.dumps({"period": "2026-13"}),
                      content_type="application/json")
    assert bad.status_code == 400 and "无法识别" in bad.json()["message"]
    made = client.post(f"/api/oversight/assessment/schemes/{scheme.pk}/publish", json.dumps({"period": "2026-10"}),
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["version"] == 1
    sheet_id = made.json()["id"]
    refused = client.post(f"/api/oversight/assessment/sheets/{sheet_id}/recompute", json.dumps({"reason": ""}),
                          content_type="application/json")
    assert refused.status_code == 400
    again = client.post(f"/api/oversight/assessment/sheets/{sheet_id}/recompute", json.dumps({"reason": "数据更正"}),
                        content_type="application/json")
    assert again.status_code == 201 and again.json()["version"] == 2 and again.json()["reason"] == "数据更正"


def test_the_api_refuses_weights_that_do_not_sum_with_the_sum(cast, client):
    from tests.oversight.samples_assessment import EXAMPLE, make_campaign

    campaign = make_campaign(cast.commander)
    login(client, cast.commander)
    rows = [dict(r, weight=str(r["weight"])) for r in EXAMPLE]
    rows[0]["weight"] = "20"
    got = client.post("/api/oversight/assessment/schemes", json.dumps(
        {"campaign_id": campaign.pk, "name": "考核办法", "indicators": rows}), content_type="application/json")
    assert got.status_code == 400 and got.json()["message"] == "各指标分值合计 95，应为 100。"


def _more_streets(cast, n: int):
    from gaizao.core.actors import SYSTEM
    from gaizao.org.services import orgunit_create

    for i in range(n):
        orgunit_create(actor=SYSTEM, code=f"44019909{i}", name=f"新增{i}街道", kind="street", parent=cast.district)


@pytest.mark.parametrize("extra", [0, 6])
def test_the_sheet_page_costs_a_fixed_number_of_queries(cast, client, django_assert_num_queries, extra):
    _more_streets(cast, extra)
    scheme = make_scheme(cast.commander)
    sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period="2026-10", today=TODAY)
    login(client, cast.leader)
    client.get(reverse("oversight:sheet_detail", args=[sheet.pk]))  # warm the session
    with django_assert_num_queries(8):
        assert client.get(reverse("oversight:sheet_detail", args=[sheet.pk])).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
def test_the_preview_costs_a_fixed_number_of_queries(cast, client, django_assert_num_queries, extra):
    _more_streets(cast, extra)
    scheme = make_scheme(cast.commander)
    login(client, cast.commander)
    url = reverse("oversight:scheme_preview", args=[scheme.pk])
    client.get(url, {"period": "2026-10"})
    with django_assert_num_queries(19):
        assert client.get(url, {"period": "2026-10"}).status_code == 200


def test_computing_a_period_costs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    from gaizao.oversight import scoring

    from gaizao.oversight.models import Scheme

    pk = make_scheme(cast.commander).pk
    with django_assert_num_queries(11):  # scheme, units, indicators, adjustments; each source its own few (signing: 2)
        scoring.compute_rows(Scheme.objects.select_related("campaign").get(pk=pk), "2026-10")
    _more_streets(cast, 8)
    with django_assert_num_queries(11):
        assert len(scoring.compute_rows(Scheme.objects.select_related("campaign").get(pk=pk), "2026-10")) == 10


@pytest.mark.parametrize("months", [1, 3])
def test_the_lists_proposals_home_and_unit_record_cost_fixed_queries(cast, client, django_assert_num_queries, months):
    from gaizao.oversight.models import Proposal

    scheme = make_scheme(cast.commander)
    sheet = None
    for key in ("2026-08", "2026-09", "2026-10")[:months]:
        sheet = services.sheet_publish(actor=cast.commander, scheme=scheme, period=key, today=TODAY)
    Proposal.objects.get_or_create(scheme=scheme, kind="commendation", unit=cast.street_a, periods=["2026-10"],
                                   defaults={"reason": "排名第一"})
    login(client, cast.commander)
    pages = {reverse("oversight:sheet_lists", args=[sheet.pk]): 9, reverse("oversight:proposals"): 8,
             reverse("oversight:assessment_home"): 11,
             # + its open orders (the colour clock's 2 and 1) and its open findings (1)
             reverse("oversight:unit_record", args=[cast.street_a.pk]): 15}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    got = {}
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        got[url] = len(captured.captured_queries)
    assert got == pages


def test_a_bonus_items_document_downloads_for_the_office_and_its_own_unit_only(cast, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scheme = make_scheme(cast.commander)
    item = services.adjustment_add(actor=cast.commander, scheme=scheme, period="2026-10", unit=cast.street_a,
                                   points="3",
                                   reason="获市级专项表扬", document=SimpleUploadedFile(
                                       "表扬通报.pdf", b"%PDF-1.4 praise", content_type="application/pdf"))
    url = reverse("oversight:adjustment_document", args=[item.pk])
    login(client, cast.commander)
    assert url in client.get(reverse("oversight:scheme_detail", args=[scheme.pk])).content.decode()
    for user, status in ((cast.commander, 200), (cast.leader, 200), (cast.street_user_a, 200),
                         (cast.street_user_b, 404), (cast.cadre, 404)):
        login(client, user)
        assert client.get(url).status_code == status, user
