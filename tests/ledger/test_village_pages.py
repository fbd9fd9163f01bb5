"""Village list and detail pages: scope per role, filters, counts."""

from __future__ import annotations

import pytest

from gaizao.ledger import services as ledger_services
from gaizao.ledger.choices import RenovationMode
from tests.ledger.conftest import ROLES, VILLAGES


def test_anonymous_is_sent_to_login(client, cast):
    for url in ("/ledger/villages/", f"/ledger/villages/{cast.village_a.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("role", ROLES)
def test_village_list_shows_only_villages_in_scope(cast, login_as, role):
    response = login_as(getattr(cast, role)).get("/ledger/villages/")
    assert response.status_code == 200
    shown = {village.code for village in response.context["villages"]}
    expected = {getattr(cast, name).code for name in VILLAGES.get(role, set())}
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_village_detail_is_404_out_of_scope(cast, login_as, role):
    client = login_as(getattr(cast, role))
    for name in ("village_a", "village_b"):
        response = client.get(f"/ledger/villages/{getattr(cast, name).pk}/")
        expected = 200 if name in VILLAGES.get(role, set()) else 404
        assert response.status_code == expected, (role, name)


def test_village_list_counts_households_and_shows_columns(cast, login_as, make):
    make(3)
    response = login_as(cast.leader).get("/ledger/villages/")
    counts = {village.code: village.household_count for village in response.context["villages"]}
    assert counts == {"V001": 5, "V002": 1}
    html = response.content.decode()
    for text in ("东湖村", "V001", "东湖街道", "拆除新建", "2026", "城中村"):
        assert text in html
    assert response.context["breadcrumbs"] == [("城中村", None)]


def test_village_list_filters(cast, login_as):
    ledger_services.village_create(actor=cast.admin, street=cast.street_a, code="V003", name="南湾村",
                                   mode=RenovationMode.UPGRADE, year=2027, batch=2)
    client = login_as(cast.commander)

    def codes(query: str) -> set[str]:
        return {v.code for v in client.get("/ledger/villages/?" + query).context["villages"]}

    assert codes(f"street={cast.street_a.pk}") == {"V001", "V003"}
    assert codes("mode=upgrade") == {"V003"}
    assert codes("batch=2") == {"V003"}
    assert codes("year=2026") == {"V001", "V002"}
    assert codes(f"street={cast.street_a.pk}&mode=upgrade&batch=2&year=2027") == {"V003"}


def test_street_filter_offers_only_streets_in_scope(cast, login_as):
    response = login_as(cast.street_user_a).get("/ledger/villages/")
    assert list(response.context["form"].fields["street"].queryset) == [cast.street_a]
    # Asking for another street's villages is a form error, not a way around scope.
    response = login_as(cast.street_user_a).get(f"/ledger/villages/?street={cast.street_b.pk}")
    assert response.context["form"].errors
    assert list(response.context["villages"]) == []


def test_village_detail_shows_projects_and_counts(cast, login_as):
    ledger_services.project_create(
        actor=cast.admin, village=cast.village_a, code="P009", name="东湖村二期", phase=2,
        signing_start="2026-03-01", signing_end="2026-05-31",
    )
    response = login_as(cast.street_user_a).get(f"/ledger/villages/{cast.village_a.pk}/")
    assert response.status_code == 200
    projects = {p.code: p.household_count for p in response.context["projects"]}
    assert projects == {"P001": 2, "P009": 0}
    assert response.context["household_total"] == 2
    html = response.content.decode()
    assert "2026-03-01 — 2026-05-31" in html
    assert "90.00" in html  # signing threshold
    assert response.context["breadcrumbs"] == [("城中村", "/ledger/villages/"), ("东湖村", None)]
