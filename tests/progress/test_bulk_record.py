"""Bulk recording (批量记录): the service and the page — ticked or pasted 户号, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.core.errors import AppError, NotFound
from gaizao.ledger.models import Household
from gaizao.progress.models import StageEvent
from gaizao.progress.services import household_record_event, households_record_stage
from tests.ledger.conftest import make_households
from tests.progress.helpers import decidable

D = dt.date
URL = "/progress/record/"

pytestmark = pytest.mark.usefixtures("rollups_stay_correct")


@pytest.fixture
def five(cast):
    """Five more households in project P001 (T-0000 … T-0004)."""
    return make_households(cast.admin, cast.project_a, 5)


def stages(*households) -> list[str]:
    return [Household.objects.get(pk=h.pk).stage for h in households]


def post(client, **data):
    body = {"project": "P001", "kind": "surveyed", "on_date": "2026-03-01", "note": "", "resettlement_mode": "",
            "numbers": "", **data}
    return client.post(URL, body)


# --- the service ------------------------------------------------------------------------------------

def test_bulk_records_the_same_stage_for_many_households(cast, five):
    count = households_record_stage(actor=cast.street_user_a, household_ids=[h.pk for h in five],
                                    kind="surveyed", on_date=D(2026, 3, 1), note="集中入户")
    assert count == 5
    assert stages(*five) == ["surveyed"] * 5
    assert set(StageEvent.objects.values_list("note", flat=True)) == {"集中入户"}


def test_bulk_where_one_household_fails_writes_nothing_and_names_it(cast, five):
    household_record_event(actor=cast.admin, household=five[2], kind="surveyed", on_date=D(2026, 2, 1))
    with pytest.raises(AppError) as exc:
        households_record_stage(actor=cast.street_user_a, household_ids=[h.pk for h in five], kind="surveyed",
                                on_date=D(2026, 3, 1))
    assert "T-0002" in exc.value.message and "没有写入任何记录" in exc.value.message
    assert StageEvent.objects.count() == 1
    assert stages(*five) == ["registered", "registered", "surveyed", "registered", "registered"]


def test_bulk_refuses_households_of_another_street(cast, five):
    with pytest.raises(NotFound):
        households_record_stage(actor=cast.street_user_a, household_ids=[five[0].pk, cast.household_b1.pk],
                                kind="surveyed", on_date=D(2026, 3, 1))
    assert StageEvent.objects.count() == 0


# --- the page ---------------------------------------------------------------------------------------

def test_the_page_lists_the_projects_households_by_stage(cast, login_as, five):
    household_record_event(actor=cast.admin, household=five[0], kind="surveyed", on_date=D(2026, 2, 1))
    client = login_as(cast.street_user_a)
    response = client.get(URL, {"project": "P001"})
    assert response.status_code == 200
    assert [h.number for h in response.context["households"]] == ["DH-001", "DH-002", *[h.number for h in five]]
    response = client.get(URL, {"project": "P001", "stage": "surveyed"})
    assert [h.number for h in response.context["households"]] == ["T-0000"]
    assert response.context["breadcrumbs"] == [("批量记录进度", None)]


def test_the_page_is_404_to_those_who_may_not_write(cast, login_as):
    for user in (cast.leader, cast.cadre, cast.resident, cast.department_user, cast.outsider):
        assert login_as(user).get(URL).status_code == 404
        assert login_as(user).post(URL, {"project": "P001"}).status_code == 404


def test_the_project_choice_is_limited_to_the_write_scope(cast, login_as):
    client = login_as(cast.street_user_a)
    response = client.get(URL)
    assert [p.code for p in response.context["filters"].fields["project"].queryset] == ["P001"]
    response = post(client, project="P002", numbers="XL-001")
    assert response.status_code == 400
    assert StageEvent.objects.count() == 0


def test_ticked_households_are_recorded(cast, login_as, five):
    client = login_as(cast.street_user_a)
    response = post(client, households=[five[0].pk, five[1].pk], kind="surveyed", on_date="2026-03-01")
    assert response.status_code == 302
    assert response["Location"] == "/progress/record/?project=P001"
    assert stages(*five) == ["surveyed", "surveyed", "registered", "registered", "registered"]
    page = client.get(response["Location"])
    assert "已为 2 户记录「入户调查」（2026-03-01）。" in page.content.decode()


def test_pasted_numbers_in_any_separator_are_recorded(cast, login_as, five):
    client = login_as(cast.street_user_a)
    response = post(client, numbers="T-0000\nT-0001, T-0002，T-0003、ＴＮ0004".replace("ＴＮ", "T-")
                    + " DH-001")
    assert response.status_code == 302
    assert stages(*five, cast.household_a1) == ["surveyed"] * 6


def test_unknown_pasted_numbers_are_named_and_nothing_is_written(cast, login_as, five):
    client = login_as(cast.street_user_a)
    response = post(client, numbers="T-0000 T-0001 NO-1 XL-001")
    assert response.status_code == 400
    html = response.content.decode()
    assert "项目 P001 中没有这些户号：NO-1、XL-001。没有写入任何记录。" in html
    assert StageEvent.objects.count() == 0


def test_one_failing_household_on_the_page_writes_nothing_and_is_named(cast, login_as, five):
    decidable(cast.admin, five)
    household_record_event(actor=cast.admin, household=five[3], kind="surveyed", on_date=D(2026, 2, 1))
    client = login_as(cast.street_user_a)
    response = post(client, households=[h.pk for h in five], kind="decided", on_date="2026-03-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "有 4 户不能记录「认定」" in html and "T-0000" in html and "T-0004" in html
    assert StageEvent.objects.count() == 1
    # the ticks are kept, so the officer can untick the failing ones and try again
    assert [h.ticked for h in response.context["households"] if h.number.startswith("T-")] == [True] * 5


def test_ticking_a_household_of_another_project_is_refused(cast, login_as, five):
    client = login_as(cast.street_user_a)
    response = post(client, households=[five[0].pk, cast.household_b1.pk])
    assert response.status_code == 400
    assert "不在项目 P001 中或无权操作" in response.content.decode()
    assert StageEvent.objects.count() == 0


def test_nothing_chosen_is_a_clear_error(cast, login_as):
    response = post(login_as(cast.street_user_a))
    assert response.status_code == 400
    assert "请勾选住户，或粘贴户号。" in response.content.decode()


def test_a_future_date_on_the_page_is_refused_by_the_service(cast, login_as, five):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = post(login_as(cast.street_user_a), numbers="T-0000", on_date=tomorrow.isoformat())
    assert response.status_code == 400
    assert "不能预先记录" in response.content.decode()
    assert StageEvent.objects.count() == 0


def test_the_list_pages_by_100_with_a_fixed_number_of_queries(cast, login_as, django_assert_num_queries):
    make_households(cast.admin, cast.project_a, 120)
    client = login_as(cast.street_user_a)
    client.get(URL, {"project": "P001"})
    # 7 for every signed-in request; the user's projects, the chosen project, one page of households,
    # and the project options of the two selects (filter, import)
    with django_assert_num_queries(12):
        response = client.get(URL, {"project": "P001"})
    assert len(response.context["households"]) == 100
    after = response.context["households"][-1].pk
    assert response.context["next_url"] == f"?project=P001&stage=&after={after}"
    with django_assert_num_queries(12):
        response = client.get(URL, {"project": "P001", "after": after})
    assert len(response.context["households"]) == 22
    assert response.context["next_url"] is None
