"""`gaizao user ...`: accounts from the terminal (create, list, set-password, disable, enable, unlock).

Passwords are never arguments (they would land in shell history and the process list): they are
typed at a prompt, or read from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.actors import SYSTEM
from gaizao.core.commands import AppCommand, pad
from gaizao.org import selectors, services
from gaizao.org.choices import Role
from gaizao.org.links import account_links
from gaizao.org.models import User


def _pad(text: str, width: int) -> str:
    """Left-aligned in ``width`` terminal columns, at least one space after."""
    return pad(text, width - 1) + " "


class Command(AppCommand):
    @property
    def help(self) -> str:  # a property: argparse wants a plain string, translated when asked
        return _("账号管理：create 新建、list 列出、set-password 重设密码、disable 停用、enable 启用、"
                 "unlock 解除登录锁定、reset-otp 重置动态口令。")

    stealth_options = ("stdin",)  # tests hand in a file for standard input

    subcommands = {
        "create": gettext_lazy("新建账号（密码在提示符下输入，或用 --password-stdin 从标准输入读取）"),
        "list": gettext_lazy("列出全部账号及其岗位、状态"),
        "set-password": gettext_lazy("重设账号密码"),
        "disable": gettext_lazy("停用账号（不能再登录）"),
        "enable": gettext_lazy("启用账号"),
        "unlock": gettext_lazy("解除连续登录失败造成的锁定"),
        "reset-otp": gettext_lazy("重置动态口令（如手机丢失），下次登录时重新绑定"),
    }

    def add_create(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("用户名（登录名）"))
        parser.add_argument("--role", action="append", required=True, metavar="ROLE",
                            help=_("角色，可重复：%(roles)s") % {"roles": "、".join(Role.values)})
        parser.add_argument("--unit", action="append", required=True, metavar="CODE",
                            help=_("所在组织机构代码，与 --role 一一对应"))
        parser.add_argument("--name", default="", help=_("姓名"))
        parser.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码（一行）"))
        # What the apps above org let an account be linked to (org.links): the ledger's --household.
        for link in account_links:
            parser.add_argument(link.option, dest=link.dest, metavar=link.metavar, help=str(link.help))

    def add_set_password(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--password-stdin", action="store_true", help=_("从标准输入读取密码（一行）"))

    def add_disable(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("用户名"))

    add_enable = add_unlock = add_reset_otp = add_disable  # each names one account

    def handle(self, *args, **options) -> None:
        self.stdin = options.get("stdin") or sys.stdin
        return super().handle(*args, **options)

    # --- subcommands ---------------------------------------------------------------------------

    def do_create(self, **options) -> None:
        roles, units = options["role"], options["unit"]
        if len(roles) != len(units):
            raise CommandError(_("--role 与 --unit 须一一对应（现有 %(r)d 个角色、%(u)d 个组织机构）。")
                               % {"r": len(roles), "u": len(units)})
        memberships = services.membership_pairs(zip(roles, units, strict=True))
        if User.objects.filter(username=options["username"].strip()).exists():
            raise CommandError(_("用户名「%(u)s」已存在。") % {"u": options["username"]})
        # Each link's value is read before the password prompt, and applied in the account's transaction.
        links = [(link, link.find(options[link.dest])) for link in account_links if options.get(link.dest)]
        password = self._read_password(options)
        with transaction.atomic():
            user = services.user_create(actor=SYSTEM, username=options["username"], password=password,
                                        full_name=options["name"], memberships=memberships)
            said = [link.link(actor=SYSTEM, user=user, target=target) for link, target in links]
        self.stdout.write(self.style.SUCCESS(_("已创建账号「%(u)s」。") % {"u": user.username}))
        for line in said:
            self.stdout.write(line)
        if user.needs_second_factor:
            self.stdout.write(_("该账号首次登录时须绑定动态口令（验证器应用）。"))

    def do_list(self, **options) -> None:
        locked = selectors.lockouts()
        users = list(User.objects.prefetch_related("memberships__org_unit").order_by("username"))
        self.stdout.write(f"{_pad(_('用户名'), 18)}{_pad(_('姓名'), 12)}{_pad(_('状态'), 16)}{_('岗位')}")
        for user in users:
            status = _("正常") if user.is_active else _("已停用")
            if user.username in locked:
                status += _("、已锁定")
            posts = "；".join(f"{m.get_role_display()}@{m.org_unit.code}" for m in user.memberships.all()) or "—"
            self.stdout.write(f"{_pad(user.username, 18)}{_pad(user.full_name or '—', 12)}{_pad(status, 16)}{posts}")
        self.stdout.write(_("共 %(n)d 个账号。") % {"n": len(users)})

    def do_set_password(self, **options) -> None:
        user = self._user(options["username"])
        password = self._read_password(options)
        services.user_set_password(actor=SYSTEM, user=user, password=password)
        self.stdout.write(self.style.SUCCESS(_("已重设「%(u)s」的密码。") % {"u": user.username}))

    def do_disable(self, **options) -> None:
        user = services.user_set_active(actor=SYSTEM, user=self._user(options["username"]), active=False)
        self.stdout.write(self.style.SUCCESS(_("已停用账号「%(u)s」。") % {"u": user.username}))

    def do_enable(self, **options) -> None:
        user = services.user_set_active(actor=SYSTEM, user=self._user(options["username"]), active=True)
        self.stdout.write(self.style.SUCCESS(_("已启用账号「%(u)s」。") % {"u": user.username}))

    def do_unlock(self, **options) -> None:
        cleared = services.user_unlock(actor=SYSTEM, username=options["username"])
        if cleared:
            self.stdout.write(self.style.SUCCESS(_("已解除「%(u)s」的登录锁定。") % {"u": options["username"]}))
        else:
            self.stdout.write(_("「%(u)s」没有登录失败记录，无需解锁。") % {"u": options["username"]})

    def do_reset_otp(self, **options) -> None:
        user = self._user(options["username"])
        removed = services.user_reset_second_factor(actor=SYSTEM, user=user)
        self.stdout.write(self.style.SUCCESS(
            _("已删除「%(u)s」的 %(n)d 个动态口令设备，其下次登录时需重新绑定。") % {"u": user.username, "n": removed}))

    # --- helpers -------------------------------------------------------------------------------

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("账号「%(u)s」不存在。") % {"u": username})
        return user

    def _read_password(self, options) -> str:
        if options.get("password_stdin"):
            password = self.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("从标准输入没有读到密码。"))
            return password
        if not (hasattr(self.stdin, "isatty") and self.stdin.isatty()):
            raise CommandError(_("不在终端中运行，无法提示输入密码：请加 --password-stdin 并从标准输入提供密码。"))
        first = getpass.getpass(_("密码："))
        second = getpass.getpass(_("再次输入密码："))
        if first != second:
            raise CommandError(_("两次输入的密码不一致。"))
        return first
