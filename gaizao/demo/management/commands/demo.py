"""`gaizao demo`: load the demo district (演示数据) into an empty database and print the logins."""

from __future__ import annotations

import sys
import time

from django.utils.dateparse import parse_date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gaizao.core.commands import table
from gaizao.core.errors import AppError
from gaizao.demo.accounts import DemoLogin, DemoSecondFactor, existing_logins
from gaizao.demo.generator import DemoResult, database_has_data, load_demo

PROGRESS_FROM = 50_000  # households; smaller loads take a few seconds and print no progress line


class Command(BaseCommand):
    help = (
        "载入演示区（云溪区）：组织机构、城中村、改造项目、住户、家庭成员、房屋和各角色演示账号。"
        "只载入空数据库：已有数据时报错退出；--if-empty 时静默跳过；--force 时仍然载入；"
        "--logins 只列出演示账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=20_000,
                            help="住户数（默认 20000；1000000 户连同进度记录在 SQLite 上约需 3.5 分钟）")
        parser.add_argument("--seed", type=int, default=None,
                            help="随机种子（默认取 GAIZAO_DEMO_SEED）；同一种子、同一基准日生成的数据相同")
        parser.add_argument("--today", default=None, metavar="YYYY-MM-DD",
                            help="进度数据的基准日（默认今天）：签约期、进度记录和走访都以这一天为“今天”，不能晚于今天")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-empty", action="store_true",
                          help="数据库已有数据时什么也不做并正常退出（`make run` 每次启动时调用）")
        mode.add_argument("--force", action="store_true",
                          help="数据库已有数据时仍然载入（沿用同编码的组织机构，已存在的账号不改动）")
        mode.add_argument("--logins", action="store_true",
                          help="不载入数据，只列出库中的演示账号、口令和动态口令密钥（`make run` 启动时调用）")

    def handle(self, *args, households: int, seed: int | None, today: str | None, if_empty: bool, force: bool,
               logins: bool, verbosity: int, **options):
        if logins:
            self.stdout.write("\n".join(self.existing_login_lines()))
            return
        seed = settings.DEMO_SEED if seed is None else seed
        day = None
        if today:
            try:
                day = parse_date(today)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"--today「{today}」不是有效日期，请写成 2026-11-05 的形式。")
        if database_has_data():
            if if_empty:
                # `make run` calls this on every start: say nothing new, show the logins again.
                if verbosity >= 1:
                    self.stdout.write("数据库中已有数据，未重新载入演示数据。")
                    self.stdout.write("\n".join(self.existing_login_lines()))
                return
            if not force:
                raise CommandError(
                    "数据库中已有组织机构数据，未载入演示数据。演示数据只载入空数据库；"
                    "启动脚本请用 `demo --if-empty`，确需在现有数据上追加请加 --force。"
                )
        progress = self._progress(households) if verbosity >= 1 and households >= PROGRESS_FROM else None
        try:
            result = load_demo(households=households, seed=seed, progress=progress, today=day)
        except AppError as exc:
            raise CommandError(exc.message) from None
        if progress:
            sys.stderr.write("\n")
        if verbosity >= 1:
            self.stdout.write("\n".join(self.report(result)))

    def _progress(self, total: int):
        started = time.perf_counter()
        last = [0.0]

        def show(done: int) -> None:
            elapsed = time.perf_counter() - started
            if elapsed - last[0] < 1 and done < total:
                return  # at most one line a second
            last[0] = elapsed
            rate = done / elapsed if elapsed else 0
            left = (total - done) / rate if rate else 0
            sys.stderr.write(f"\r正在生成住户 {done:,}/{total:,}（{done * 100 // max(total, 1)}%），"
                             f"已用 {elapsed:.0f} 秒，约剩 {left:.0f} 秒   ")
            sys.stderr.flush()

        return show

    def report(self, result: DemoResult) -> list[str]:
        c = result.counts
        lines = [
            f"{settings.DISTRICT_NAME}演示数据已载入（随机种子 {result.seed}，用时 {result.elapsed:.1f} 秒）",
            f"  街道 {c['streets']} 个，社区 {c['communities']} 个，部门 {c['departments']} 个",
            f"  城中村 {c['villages']} 个，改造项目 {c['projects']} 个",
            f"  住户 {c['households']:,} 户，家庭成员 {c['persons']:,} 人，房屋 {c['buildings']:,} 栋，"
            f"历史文化要素 {c['heritage']} 处",
            f"  账号 {c['users']} 个（其中包户干部包联住户 {c['cadre_households']:,} 户）",
            progress_line(result),
            "",
        ]
        return lines + login_lines(result.logins, result.second_factors)

    def existing_login_lines(self) -> list[str]:
        logins, second_factors = existing_logins()
        if not logins:
            return ["数据库中没有演示账号（演示数据未载入）。"]
        return login_lines(logins, second_factors, note="（口令为演示口令；已修改的以修改后为准）")


def progress_line(result: DemoResult) -> str:
    """One line on where the campaign stands on the load's "today"."""
    p = result.progress
    lapsed = f"，期满未达签约比例项目 {p.lapsed_projects} 个" if p.lapsed_projects else ""
    return (f"  进度（截至 {result.today:%Y-%m-%d}）：签约 {p.signed:,} 户 / 补偿决定 {p.decisions:,} 户 / "
            f"腾空 {p.vacated:,} 户 / 攻坚户 {p.open_cases:,} 户（逾期未走访 {p.overdue_cases:,} 户）{lapsed}")


def login_lines(logins: list[DemoLogin], second_factors: list[DemoSecondFactor], *, note: str = "") -> list[str]:
    """The logins table and, for privileged accounts, how to add their TOTP secret to an app."""
    lines = [f"演示账号（仅供演示环境使用，口令公开，切勿用于生产数据）{note}："]
    rows = [("用户名", "角色", "单位", "口令")]
    rows += [(login.username, login.role, login.unit, login.password) for login in logins]
    lines += ["  " + line for line in table(rows)]
    if second_factors:
        lines += [
            "",
            "双因素认证（TOTP 动态口令）：以下账号登录时还须输入 6 位动态口令。",
            "在手机验证器（Google Authenticator、Microsoft Authenticator、FreeOTP 等）中选择“输入设置密钥”，",
            "填入账号和密钥（基于时间），或把 otpauth 链接生成二维码后扫码添加。",
            "演示密钥由随机种子推导，知道种子即可算出，仅用于演示。",
        ]
        for factor in second_factors:
            lines += [f"  {factor.username}：密钥 {factor.secret}", f"    {factor.uri}"]
    return lines
