"""The access table (core.access): grants are the union of a user's roles, read from the rows."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gaizao.core import access
from gaizao.core.access import Place, Rule
from gaizao.org.choices import Role
from tests.conftest import _user


def test_a_user_with_two_roles_reaches_what_either_reaches(cast):
    cadre = _user("cadre_b", "双岗", (Role.CADRE, cast.community_a), (Role.STREET, cast.street_b))
    reach = access.grant(cadre, "ledger.household")
    assert reach.assigned and not reach.everywhere and reach.unit_ids == {cast.street_b.pk}
    assert reach.covers(Place(unit_id=cast.street_a.pk, cadre_id=cadre.pk))
    assert reach.covers(Place(unit_id=cast.street_b.pk))
    assert not reach.covers(Place(unit_id=cast.street_a.pk))


def test_a_row_for_any_user_holds_for_an_outsider_with_no_role(cast):
    reach = access.grant(cast.outsider, "org.user")
    assert reach.own and not reach.everywhere
    assert not access.grant(cast.outsider, "ledger.household")


def test_nobody_signed_out_reaches_anything(db):
    from django.contrib.auth.models import AnonymousUser

    assert not access.grant(AnonymousUser(), "org.user")
    assert not access.grant(None, "ledger.village")


def test_an_unknown_level_or_resource_is_refused():
    with pytest.raises(ImproperlyConfigured):
        Rule(read="everyone")
    with pytest.raises(ImproperlyConfigured):
        access.rule("no.such.resource", Role.ADMIN)
