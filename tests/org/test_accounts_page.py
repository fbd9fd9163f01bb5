"""Accounts page (账号管理): admin creates and disables; the security officer unlocks; others see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry
from gaizao.org import selectors, services
from gaizao.org.models import Membership, User
from tests.conftest import PASSWORD
from tests.org.lockout import lock_out

pytestmark = pytest.mark.django_db

GOOD = "Renovate-2026-ok"


def _create_payload(cast, **overrides) -> dict:
    data = {
        "username": "zhao_liu", "full_name": "赵六", "password1": GOOD, "password2": GOOD,
        "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "6",
        "m-0-role": "street", "m-0-org_unit": str(cast.street_a.pk),
        "m-1-role": "cadre", "m-1-org_unit": str(cast.community_a.pk),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["admin", "security"])
def test_admin_and_security_officer_see_all_accounts(login_as, cast, who):
    response = login_as(getattr(cast, who)).get(reverse("org:user_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for username in ("admin", "street_a", "resident", "auditor"):
        assert username in html


@pytest.mark.parametrize("who", ["commander", "leader", "street_user_a", "department_user", "cadre",
                                 "resident", "outsider", "auditor"])
def test_other_roles_find_no_accounts_page(login_as, cast, who):
    client = login_as(getattr(cast, who))
    assert client.get(reverse("org:user_list")).status_code == 404
    assert client.get(reverse("org:user_create")).status_code == 404
    target = reverse("org:user_set_active", args=[cast.street_user_b.pk])
    assert client.post(target, {"active": "0"}).status_code == 404
    cast.street_user_b.refresh_from_db()
    assert cast.street_user_b.is_active


def test_admin_creates_an_account_with_memberships(login_as, cast):
    client = login_as(cast.admin)
    assert client.get(reverse("org:user_create")).status_code == 200
    response = client.post(reverse("org:user_create"), _create_payload(cast))
    assert response.status_code == 302
    user = User.objects.get(username="zhao_liu")
    assert user.full_name == "赵六" and user.check_password(GOOD)
    assert set(Membership.objects.filter(user=user).values_list("role", "org_unit__code")) == {
        ("street", "440199001"), ("cadre", "440199001001")}
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.actor_id == cast.admin.pk
    assert GOOD not in str(entry.changes)


def test_new_account_needs_at_least_one_role(login_as, cast):
    payload = _create_payload(cast, **{"m-0-role": "", "m-0-org_unit": "", "m-1-role": "", "m-1-org_unit": ""})
    response = login_as(cast.admin).post(reverse("org:user_create"), payload)
    assert response.status_code == 400
    assert "至少为账号指定一个角色" in response.content.decode()


def test_role_without_unit_is_shown_beside_the_unit(login_as, cast):
    payload = _create_payload(cast, **{"m-1-org_unit": ""})
    html = login_as(cast.admin).post(reverse("org:user_create"), payload).content.decode()
    assert "请选择该角色所在的组织机构" in html


def test_duplicate_username_is_shown_beside_the_username(login_as, cast):
    html = login_as(cast.admin).post(reverse("org:user_create"),
                                     _create_payload(cast, username="street_a")).content.decode()
    assert 'data-testid="error-username"' in html and "已存在" in html


def test_security_officer_cannot_create_accounts(login_as, cast):
    client = login_as(cast.security)
    assert client.get(reverse("org:user_create")).status_code == 404
    assert client.post(reverse("org:user_create"), _create_payload(cast)).status_code == 404
    assert not User.objects.filter(username="zhao_liu").exists()


@pytest.mark.parametrize("who", ["admin", "security"])
def test_disable_and_enable_an_account(login_as, cast, who):
    client = login_as(getattr(cast, who))
    url = reverse("org:user_set_active", args=[cast.street_user_a.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    cast.street_user_a.refresh_from_db()
    assert not cast.street_user_a.is_active
    assert client.post(url, {"active": "1"}).status_code == 302
    cast.street_user_a.refresh_from_db()
    assert cast.street_user_a.is_active
    actions = list(AuditEntry.objects.filter(
        object_id=str(cast.street_user_a.pk), action__in=["user.disable", "user.enable"],
    ).values_list("action", flat=True))
    assert sorted(actions) == ["user.disable", "user.enable"]


def test_disabled_account_loses_its_session(login_as, cast):
    other = login_as(cast.street_user_a)
    services.user_set_active(actor=cast.admin, user=cast.street_user_a, active=False)
    response = other.get(reverse("org:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:login"))


def test_nobody_can_disable_their_own_account(login_as, cast):
    client = login_as(cast.admin)
    response = client.post(reverse("org:user_set_active", args=[cast.admin.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    cast.admin.refresh_from_db()
    assert cast.admin.is_active


def test_security_officer_sees_locked_accounts_with_retry_time(login_as, cast):
    lock_out("street_a")
    html = login_as(cast.security).get(reverse("org:user_list")).content.decode()
    assert 'data-testid="locked-accounts"' in html
    assert "解除锁定" in html
    assert "street_a" in selectors.lockouts()


def test_locked_filter_lists_only_locked_accounts(login_as, cast):
    lock_out("street_a")
    html = login_as(cast.security).get(reverse("org:user_list") + "?status=locked").content.decode()
    table = html.split('data-testid="user-table"', 1)[1].split("</table>", 1)[0]
    assert "street_a" in table and "street_b" not in table


def test_security_officer_unlocks_an_account_and_it_can_sign_in(login_as, cast):
    from django.test import Client

    anonymous = Client()
    lock_out("street_a")
    assert anonymous.post(reverse("org:login"), {"username": "street_a", "password": PASSWORD}).status_code == 429
    security = login_as(cast.security)
    assert security.post(reverse("org:user_unlock"), {"username": "street_a"}).status_code == 302
    assert "street_a" not in selectors.lockouts()
    assert anonymous.post(reverse("org:login"), {"username": "street_a", "password": PASSWORD}).status_code == 302
    entry = AuditEntry.objects.get(action="user.unlock")
    assert entry.actor_id == cast.security.pk and entry.object_repr == "street_a"


def test_admin_cannot_unlock_accounts(login_as, cast):
    lock_out("street_a")
    assert login_as(cast.admin).post(reverse("org:user_unlock"), {"username": "street_a"}).status_code == 404
    assert "street_a" in selectors.lockouts()


def test_security_officer_resets_a_lost_second_factor(login_as, cast):
    TOTPDevice.objects.create(user=cast.commander, name="手机", confirmed=True)
    client = login_as(cast.security)
    assert client.post(reverse("org:user_reset_otp", args=[cast.commander.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.commander).exists()
    assert AuditEntry.objects.filter(action="user.reset_otp", actor=cast.security).exists()


@pytest.mark.parametrize("extra_accounts", [0, 30])
def test_account_list_query_count_does_not_grow_with_accounts(login_as, cast, django_assert_num_queries,
                                                              extra_accounts):
    client = login_as(cast.admin)
    for i in range(extra_accounts):
        services.user_create(actor=SYSTEM, username=f"bulk{i}", password="", password_hash="x",
                             memberships=[("street", cast.street_a), ("cadre", cast.community_a)])
    # session, user, otp device, roles, count, lockouts, throttles, page of users, their memberships,
    # session save (3)
    with django_assert_num_queries(12):
        assert client.get(reverse("org:user_list")).status_code == 200


def test_services_refuse_roles_that_may_not_manage_accounts(cast):
    from gaizao.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.user_create(actor=cast.security, username="x1", password=GOOD)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=cast.auditor, user=cast.street_user_a, active=False)
    with pytest.raises(PermissionDenied):
        services.user_unlock(actor=cast.admin, username="street_a")
    with pytest.raises(PermissionDenied):
        services.orgunit_create(actor=cast.commander, code="X", name="X", kind="street", parent=cast.district)


def test_the_account_form_starts_with_one_role_row_and_a_button_to_add_another(login_as, cast):
    html = login_as(cast.admin).get(reverse("org:user_create")).content.decode()
    assert html.count('data-testid="membership-row"') == 2  # the one row and the template the button copies
    assert 'data-testid="add-membership"' in html and "添加岗位" in html
    assert 'name="m-TOTAL_FORMS" value="1"' in html and 'name="m-__prefix__-role"' in html
    assert "---------" not in html and "请选择角色" in html and "请选择组织机构" in html


def test_the_added_row_offers_only_the_units_the_manager_may_use(cast):
    from gaizao.org.forms import MembershipFormSet

    units = selectors.orgunit_scope(cast.admin).filter(pk=cast.street_a.pk)
    formset = MembershipFormSet(prefix="m", form_kwargs={"units": units})
    assert list(formset.empty_form.fields["org_unit"].queryset) == [cast.street_a]


def test_more_than_six_roles_are_refused_with_a_chinese_message(login_as, cast):
    rows = {f"m-{i}-role": "cadre" for i in range(7)} | {f"m-{i}-org_unit": str(cast.community_a.pk) for i in range(7)}
    response = login_as(cast.admin).post(reverse("org:user_create"),
                                         _create_payload(cast, **{"m-TOTAL_FORMS": "7", **rows}))
    assert response.status_code == 400
    assert not User.objects.filter(username="zhao_liu").exists()
    assert 'data-testid="membership-error">一个账号最多 6 个岗位。<' in response.content.decode()
