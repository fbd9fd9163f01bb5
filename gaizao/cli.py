"""The `gaizao` command: one entry point for the platform's management commands, in Chinese.

`gaizao X ...` runs the Django management command X; `gaizao` alone or `gaizao --help` lists
the commands people use.
"""

from __future__ import annotations

import os
import sys

COMMANDS = [
    ("run", "启动服务（granian + whitenoise），默认 http://127.0.0.1:8000；--with-worker 同时启动后台处理和定时任务"),
    ("db_worker", "后台处理进程：执行排队的任务（台账导入、定时任务）；--batch 处理完即退出"),
    ("schedule", "定时任务：到期的排入后台队列；--list 列出，--once 只检查一次"),
    ("migrate", "迁移数据库结构"),
    ("demo", "生成演示区县数据：gaizao demo [--households N] [--seed S]；--logins 打印演示账号"),
    ("ledger", "住户台账 Excel：gaizao ledger template|import|export|projects …"),
    ("progress", "住户进度：gaizao progress record|import|summary …"),
    ("rollups", "进度汇总：gaizao rollups verify|rebuild（按事件重算并核对）"),
    ("hardcases", "攻坚户：gaizao hardcases overdue 列出走访逾期的攻坚户"),
    ("user", "账号管理：gaizao user create|list|set-password|disable|enable|unlock …"),
    ("unit", "组织机构：gaizao unit list|boundary 列出，设置区或街道在作战图上的边界（GeoJSON 文件）"),
    ("audit", "审计日志：gaizao audit verify|checkpoint|rekey 校验哈希链、写检查点、轮换审计密钥"),
    ("keys", "数据密钥：gaizao keys generate|check|rotate（SM4 密钥轮换）"),
    ("calendar", "工作日历：gaizao calendar add DATE N 推算工作日，workday DATE 判断是否工作日（含本地调整）"),
    ("check", "检查配置；生产环境用 gaizao check --deploy"),
    ("collectstatic", "收集静态文件（前端库来自 npm）"),
]


def usage() -> str:
    lines = ["用法：gaizao <命令> [参数]", "", "常用命令："]
    lines += [f"  {name:<14}{text}" for name, text in COMMANDS]
    lines += ["", "每个命令的详细参数：gaizao <命令> --help"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    try:
        import django
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    try:
        execute_from_command_line(["gaizao", *argv])
    except ImproperlyConfigured as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
