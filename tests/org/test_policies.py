"""The org predicates (org.policies) give each duty to the role the design says (三员分立), from the table."""

from __future__ import annotations

import pytest

from gaizao.core.actors import SYSTEM
from gaizao.org import policies, services
from gaizao.org.models import ApiToken

pytestmark = pytest.mark.django_db

CAST = ("admin", "commander", "leader", "street_user_a", "department_user", "cadre", "resident", "outsider",
        "auditor", "security")
DUTIES = {  # predicate: who holds it among the cast
    "orgunit_writer": {"admin"},
    "account_manager": {"admin", "security"},
    "account_writer": {"admin"},
    "account_status_writer": {"admin", "security"},
    "signin_guard": {"security"},
    "apitoken_overseer": {"security"},
}


@pytest.mark.parametrize("duty", sorted(DUTIES))
def test_each_duty_is_held_by_the_roles_of_the_design(cast, duty):
    predicate = getattr(policies, duty)
    assert {who for who in CAST if predicate(getattr(cast, who))} == DUTIES[duty]


def test_the_system_actor_holds_no_duty_as_a_user_but_its_writes_pass(cast):
    assert not any(getattr(policies, duty)(SYSTEM) for duty in DUTIES)
    token, _key = services.apitoken_create(actor=cast.street_user_a, name="脚本")
    services.apitoken_revoke(actor=SYSTEM, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_is_revoked_by_its_owner_and_the_security_officer_only(cast):
    token, _key = services.apitoken_create(actor=cast.street_user_a, name="脚本")
    allowed = {who for who in CAST if policies.apitoken_can_revoke(getattr(cast, who), token)}
    assert allowed == {"street_user_a", "security"}
