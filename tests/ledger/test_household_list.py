"""Household list page: scope per role, masking, search, filters, keyset pagination."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gaizao.ledger import services as ledger_services
from tests.ledger.conftest import NUMBERS, ROLES, VISIBLE, citizen_id

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"


def numbers(response) -> set[str]:
    return {household.number for household in response.context["households"]}


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get("/ledger/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_households_in_scope(cast, login_as, role):
    response = login_as(getattr(cast, role)).get("/ledger/households/")
    assert response.status_code == 200
    assert numbers(response) == {NUMBERS[name] for name in VISIBLE[role]}
    html = response.content.decode()
    for name, number in NUMBERS.items():
        assert (number in html) == (name in VISIBLE[role]), (role, number)


def test_list_shows_numbers_masked_only(cast, login_as):
    html = login_as(cast.street_user_a).get("/ledger/households/").content.decode()
    assert FULL_ID not in html
    assert MASKED_ID in html
    assert "13812345678" not in html
    assert "138****5678" in html


def test_list_columns(cast, login_as):
    response = login_as(cast.street_user_a).get("/ledger/households/")
    row = next(h for h in response.context["households"] if h.number == "DH-001")
    assert row.village_name == "东湖村"
    assert row.legal_area_total == Decimal("120.50")
    html = response.content.decode()
    for text in ("户号", "户主", "身份证号", "电话", "城中村", "阶段", "家庭人数", "合法面积", "李四", "待调查", "120.50"):
        assert text in html
    assert 'class="table-responsive"' in html
    assert response.context["breadcrumbs"] == [("住户台账", None)]


def test_legal_area_sums_every_building(cast, login_as):
    ledger_services.building_add(actor=cast.admin, household=cast.household_a1, number="2",
                                 legal_area=Decimal("10.25"), legality="legal")
    response = login_as(cast.leader).get("/ledger/households/")
    row = next(h for h in response.context["households"] if h.number == "DH-001")
    assert row.legal_area_total == Decimal("130.75")


@pytest.mark.parametrize("query, expected", [
    ("李四", {"DH-001"}),
    ("李", {"DH-001"}),
    ("ls", {"DH-001"}),
    ("zs", {"DH-002"}),
    ("z", {"DH-002"}),
    ("DH-002", {"DH-002"}),
    ("DH-00", {"DH-001", "DH-002"}),
    ("XL", {"XL-001"}),
    (FULL_ID, {"DH-001"}),
    ("11010519491231002x", {"DH-001"}),
    ("１１０１０５１９４９１２３１００２Ｘ", {"DH-001"}),
    ("110105 19491231 002x", {"DH-001"}),
    ("440106199001011235", {"DH-002"}),
    ("王五", {"XL-001"}),
    ("四", set()),
    ("zz", set()),
])
def test_search(cast, login_as, query, expected):
    response = login_as(cast.leader).get("/ledger/households/", {"q": query})
    assert response.status_code == 200
    assert numbers(response) == expected


def test_search_by_a_members_id_finds_the_household(cast, login_as):
    member_id = citizen_id(7, region="440106", birth="20100505")
    ledger_services.person_add(actor=cast.admin, household=cast.household_b1, name="王小五",
                               relation="child", id_number=member_id)
    response = login_as(cast.commander).get("/ledger/households/", {"q": member_id.lower()})
    assert numbers(response) == {"XL-001"}


def test_search_stays_in_scope(cast, login_as):
    response = login_as(cast.street_user_b).get("/ledger/households/", {"q": FULL_ID})
    assert numbers(response) == set()


def test_search_with_a_wrong_check_digit_says_so(cast, login_as):
    response = login_as(cast.leader).get("/ledger/households/", {"q": "110105194912310021"})
    assert numbers(response) == set()
    assert "校验位" in response.content.decode()


def test_filters(cast, login_as):
    extra = ledger_services.household_create(
        actor=cast.admin, project=cast.project_a, number="DH-003", head_name="赵六", land_type="state",
        stage="signed",
    )
    # Two illegal buildings: the household must still be listed once.
    for number in ("1", "2"):
        ledger_services.building_add(actor=cast.admin, household=extra, number=number, legality="illegal")
    client = login_as(cast.commander)

    def listed(**params) -> set[str]:
        response = client.get("/ledger/households/", params)
        assert not response.context["form"].errors
        return [h.number for h in response.context["households"]]

    assert set(listed(street=cast.street_b.pk)) == {"XL-001"}
    assert set(listed(village=cast.village_a.pk)) == {"DH-001", "DH-002", "DH-003"}
    assert set(listed(project=cast.project_b.pk)) == {"XL-001"}
    assert listed(stage="signed") == ["DH-003"]
    assert listed(land_type="state") == ["DH-003"]
    assert listed(legality="illegal") == ["DH-003"]
    assert listed(legality="legal") == ["DH-001"]
    assert listed(legality="pending") == []
    assert listed(village=cast.village_a.pk, q="zl") == ["DH-003"]


def test_filter_options_follow_scope(cast, login_as):
    form = login_as(cast.cadre).get("/ledger/households/").context["form"]
    assert list(form.fields["street"].queryset) == [cast.street_a]
    assert list(form.fields["village"].queryset) == [cast.village_a]
    assert list(form.fields["project"].queryset) == [cast.project_a]
    form = login_as(cast.department_user).get("/ledger/households/").context["form"]
    assert list(form.fields["village"].queryset) == []


def _next_after(response) -> int | None:
    url = response.context["next_url"]
    return int(re.search(r"after=(\d+)", url).group(1)) if url else None


def test_keyset_pagination_walks_every_household_once(cast, login_as, make):
    make(120)
    client = login_as(cast.street_user_a)
    seen: list[int] = []
    params = {"village": cast.village_a.pk}
    pages = 0
    while True:
        response = client.get("/ledger/households/", params)
        pages += 1
        seen += [h.pk for h in response.context["households"]]
        after = _next_after(response)
        if after is None:
            break
        assert "下一页" in response.content.decode()
        assert f"village={cast.village_a.pk}" in response.context["next_url"]  # filters are kept
        params = {**params, "after": after}
    assert pages == 3  # 50 + 50 + 22
    assert len(seen) == len(set(seen)) == 122
    assert set(seen) == set(cast.village_a.households.values_list("pk", flat=True))
    assert seen == sorted(seen)
