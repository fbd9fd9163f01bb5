"""The shared write machinery: the system actor, the write decorator, the one optimistic lock."""

from __future__ import annotations

import pickle

import pytest
from django.db import IntegrityError

from gaizao.core.actors import SYSTEM, command_actor, is_system
from gaizao.core.errors import Conflict, PermissionDenied
from gaizao.core.models import AuditEntry
from gaizao.core.services import bump_versions, conditional_update, stale
from gaizao.core.writes import writes
from gaizao.ledger.models import Household
from gaizao.org.choices import Role

pytestmark = pytest.mark.django_db


def test_the_system_actor_is_named_system_in_the_audit_trail(cast):
    @writes
    def touch(*, actor, household):
        writes.audit(action="test.touch", obj=household)

    touch(actor=SYSTEM, household=cast.household_a1)
    entry = AuditEntry.objects.filter(action="test.touch").get()
    assert entry.actor is None and entry.actor_name == "system"


def test_a_user_actor_is_named_by_username_and_ip_in_the_audit_trail(cast):
    @writes
    def touch(*, actor, household, ip=None):
        writes.audit(action="test.touch", obj=household)

    touch(actor=cast.street_user_a, household=cast.household_a1, ip="10.0.0.7")
    entry = AuditEntry.objects.filter(action="test.touch").get()
    assert (entry.actor, entry.actor_name, entry.ip) == (cast.street_user_a, "street_a", "10.0.0.7")


def test_a_write_without_an_actor_is_refused_before_it_runs(cast):
    ran = []

    @writes
    def touch(*, actor):
        ran.append(actor)

    with pytest.raises(TypeError, match="actor"):
        touch(actor=None)
    with pytest.raises(TypeError, match="actor"):
        touch()
    assert ran == []


def test_a_policy_refuses_a_user_and_lets_the_system_through(cast):
    @writes(policy=lambda actor: actor.has_role(Role.ADMIN))
    def manage(*, actor):
        return "done"

    assert manage(actor=cast.admin) == "done"
    assert manage(actor=SYSTEM) == "done"
    with pytest.raises(PermissionDenied):
        manage(actor=cast.street_user_a)


def test_a_lost_uniqueness_race_is_a_conflict_and_rolls_back(cast):
    @writes
    def rename_then_fail(*, actor, household):
        Household.objects.filter(pk=household.pk).update(head_name="改名")
        raise IntegrityError("UNIQUE constraint failed")

    with pytest.raises(Conflict):
        rename_then_fail(actor=SYSTEM, household=cast.household_a1)
    assert Household.objects.get(pk=cast.household_a1.pk).head_name == cast.household_a1.head_name


def test_conditional_update_moves_the_version_once_and_refuses_the_stale_writer(cast):
    household = Household.objects.get(pk=cast.household_a1.pk)
    new = conditional_update(Household, pk=household.pk, version=household.version,
                             values={"head_name": "赵六"}, what=household)
    assert new == household.version + 1
    with pytest.raises(Conflict, match="已被他人修改") as refused:
        conditional_update(Household, pk=household.pk, version=household.version,
                           values={"head_name": "钱七"}, what=household)
    assert refused.value.status == 409 and "请刷新页面" in refused.value.message
    stored = Household.objects.get(pk=household.pk)
    assert (stored.head_name, stored.version) == ("赵六", new)


def test_conditional_update_refuses_when_the_extra_condition_no_longer_holds(cast):
    from django.db.models import Q

    household = Household.objects.get(pk=cast.household_a1.pk)
    with pytest.raises(Conflict):
        conditional_update(Household, pk=household.pk, version=household.version,
                           values={"head_name": "赵六"}, extra_filter=Q(head_name="别人"))
    assert Household.objects.get(pk=household.pk).version == household.version


def test_bump_versions_makes_every_open_form_stale(cast):
    before = dict(Household.objects.values_list("pk", "version"))
    assert bump_versions(Household.objects.filter(project=cast.project_a), address="批量") == 2
    after = dict(Household.objects.values_list("pk", "version"))
    assert after[cast.household_a1.pk] == before[cast.household_a1.pk] + 1
    assert after[cast.household_b1.pk] == before[cast.household_b1.pk]


def test_the_stale_message_names_both_versions_when_known(cast):
    household = Household.objects.get(pk=cast.household_a1.pk)
    message = stale(household, version=household.version - 1 if household.version else 99).message
    assert str(household) in message and f"当前版本 {household.version}" in message


def test_a_command_acts_as_the_named_user_or_the_system(cast):
    assert command_actor(None) is SYSTEM and is_system(command_actor(""))
    assert command_actor("street_a") == cast.street_user_a
    assert pickle.loads(pickle.dumps(SYSTEM)) is SYSTEM
