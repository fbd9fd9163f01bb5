"""The home page's compensation to-do card: the office sees change requests to decide, objections to answer
and agreements to sign; a street the objections and agreements of its own projects; the cadre and the resident
nothing; a fixed number of queries whatever the numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaizao.compensation.choices import ChangeKind
from gaizao.compensation.models import Publicity
from gaizao.compensation.selectors.home import compensation_todo
from gaizao.compensation.services import changes
from gaizao.compensation.services.agreements import agreement_generate
from gaizao.compensation.services.publicity import objection_record
from gaizao.ledger.models import Building
from tests.compensation.samples_changes import evidence, published
from tests.conftest import login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def waiting(cast, media):
    published(cast)
    listing = Publicity.objects.filter(project=cast.project_a, kind="compensation").latest("pk")
    objection_record(actor=cast.street_user_a, publicity=listing, submitter="李四", content="合法面积少算了阳台。",
                     received_on=listing.starts_on)
    building = Building.objects.get(household=cast.household_a1)
    changes.change_request(
        actor=cast.street_user_a, household=cast.household_a1, kind=ChangeKind.LEGALITY,
        payload={"op": "building_update", "building": building.pk, "changes": {"legality": "temporary"}},
        reason="经复核认定为未超期临时建筑", evidence=evidence())
    agreement_generate(actor=cast.street_user_a, household=cast.household_a1)
    return cast


def kinds(context):
    return sorted(item.kind for item in context["items"])


def test_the_office_is_asked_to_decide_answer_and_sign(waiting):
    context = compensation_todo(waiting.commander)
    assert kinds(context) == ["agreement", "change", "objection"]
    assert context["counts"] == {"changes": 1, "objections": 1, "agreements": 1}


def test_a_street_answers_and_signs_in_its_own_projects_but_never_decides(waiting):
    assert kinds(compensation_todo(waiting.street_user_a)) == ["agreement", "objection"]
    assert kinds(compensation_todo(waiting.street_user_b)) == []


def test_the_cadre_the_resident_and_the_leader_get_no_card(waiting):
    for user in (waiting.cadre, waiting.resident, waiting.leader, waiting.auditor):
        assert compensation_todo(user) is None


def test_the_card_costs_the_same_queries_whatever_the_numbers(waiting, django_assert_num_queries):
    # the user's roles, then one query per kind asked about
    commander = type(waiting.commander).objects.get(pk=waiting.commander.pk)
    with django_assert_num_queries(4):
        compensation_todo(commander)
    listing = Publicity.objects.filter(project=waiting.project_a, kind="compensation").latest("pk")
    for n in range(5):
        objection_record(actor=waiting.street_user_a, publicity=listing, submitter=f"住户{n}", content="评估偏低。",
                         received_on=listing.starts_on)
    commander = type(waiting.commander).objects.get(pk=waiting.commander.pk)
    with django_assert_num_queries(4):
        assert compensation_todo(commander)["counts"]["objections"] == 6


def test_the_home_page_shows_the_card_with_links(waiting, client):
    login(client, waiting.commander)
    page = client.get(reverse("portal:home"))
    text = page.content.decode()
    assert 'data-testid="todo-compensation"' in text
    assert reverse("compensation:change_list") in text
