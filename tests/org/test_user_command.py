"""`gaizao user ...` (the Django command `user`): passwords never as arguments, errors in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gaizao.core.models import AuditEntry
from gaizao.org import selectors
from gaizao.org.models import Membership, User
from tests.org.lockout import lock_out

pytestmark = pytest.mark.django_db

GOOD = "Renovate-2026-ok"


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    call_command("user", *args, stdin=io.StringIO(stdin), stdout=out)
    return out.getvalue()


def test_create_reads_the_password_from_stdin(cast):
    out = run("create", "qian_qi", "--role", "street", "--unit", "440199002", "--name", "钱七",
              "--password-stdin", stdin=GOOD + "\n")
    assert "已创建账号「qian_qi」" in out
    user = User.objects.get(username="qian_qi")
    assert user.full_name == "钱七" and user.check_password(GOOD)
    assert list(Membership.objects.filter(user=user).values_list("role", "org_unit__code")) == [("street", "440199002")]
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.actor_name == "system"


def test_create_takes_several_roles(cast):
    run("create", "multi", "--role", "street", "--unit", "440199001", "--role", "cadre", "--unit", "440199001001",
        "--password-stdin", stdin=GOOD)
    assert Membership.objects.filter(user__username="multi").count() == 2


def test_create_has_no_password_argument(cast):
    with pytest.raises(CommandError):
        run("create", "x", "--role", "street", "--unit", "440199001", "--password", GOOD)


def test_create_without_a_terminal_or_stdin_flag_explains_itself(cast):
    with pytest.raises(CommandError, match="--password-stdin"):
        run("create", "x", "--role", "street", "--unit", "440199001")


def test_create_refuses_a_weak_password_in_chinese(cast):
    with pytest.raises(CommandError, match="密码太短"):
        run("create", "weak", "--role", "street", "--unit", "440199001", "--password-stdin", stdin="Ab1!")
    assert not User.objects.filter(username="weak").exists()


def test_create_names_a_missing_unit(cast):
    with pytest.raises(CommandError, match="组织机构代码「NOPE」不存在"):
        run("create", "x", "--role", "street", "--unit", "NOPE", "--password-stdin", stdin=GOOD)


def test_create_refuses_an_unknown_role(cast):
    with pytest.raises(CommandError):
        run("create", "x", "--role", "king", "--unit", "440199001", "--password-stdin", stdin=GOOD)


def test_create_refuses_an_existing_username(cast):
    with pytest.raises(CommandError, match="已存在"):
        run("create", "street_a", "--role", "street", "--unit", "440199001", "--password-stdin", stdin=GOOD)


def test_list_shows_accounts_roles_and_locks(cast):
    lock_out("street_b")
    out = run("list")
    assert "street_a" in out and "街道工作人员@440199001" in out
    line = next(line for line in out.splitlines() if line.startswith("street_b"))
    assert "已锁定" in line
    assert "共 11 个账号" in out


def test_set_password_from_stdin(cast):
    assert "已重设" in run("set-password", "street_a", "--password-stdin", stdin=GOOD)
    cast.street_user_a.refresh_from_db()
    assert cast.street_user_a.check_password(GOOD)
    assert AuditEntry.objects.filter(action="user.set_password", object_id=str(cast.street_user_a.pk)).exists()


def test_unknown_account_is_a_chinese_error(cast):
    for args in (("disable", "ghost"), ("enable", "ghost"), ("reset-otp", "ghost")):
        with pytest.raises(CommandError, match="账号「ghost」不存在"):
            run(*args)


def test_disable_and_enable(cast):
    assert "已停用" in run("disable", "street_a")
    assert not User.objects.get(username="street_a").is_active
    assert "已启用" in run("enable", "street_a")
    assert User.objects.get(username="street_a").is_active


def test_unlock_clears_the_lockout_and_is_audited(cast):
    lock_out("street_a")
    assert "street_a" in selectors.lockouts()
    assert "已解除" in run("unlock", "street_a")
    assert "street_a" not in selectors.lockouts()
    assert AuditEntry.objects.filter(action="user.unlock", object_repr="street_a").exists()
    assert "无需解锁" in run("unlock", "street_a")


def test_help_is_chinese():
    out = io.StringIO()
    from django.core.management import load_command_class

    command = load_command_class("gaizao.org", "user")
    command.create_parser("gaizao", "user").print_help(out)
    assert "账号管理" in out.getvalue()


def test_missing_subcommand_is_an_error():
    with pytest.raises(CommandError):
        run()


def test_unlock_clears_the_name_at_every_address_and_its_throttle(cast):
    from gaizao.org.models import LoginThrottle
    from tests.org.lockout import spray

    lock_out("street_a", "203.0.113.66")
    lock_out("street_a", "198.51.100.200")
    spray("street_a", 11)
    LoginThrottle.objects.create(username="street_a", started_at=timezone.now(), next_attempt_at=timezone.now())
    assert len([lock for lock in selectors.lockout_list() if lock.username == "street_a"]) == 2
    assert "已解除" in run("unlock", "street_a")
    assert selectors.lockout_list() == [] and not LoginThrottle.objects.exists()
