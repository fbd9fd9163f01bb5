"""`gaizao schedule [--once]`: queue the periodic work that is due, every GAIZAO_SCHEDULE_TICK seconds."""

from __future__ import annotations

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gaizao.core import schedule


class Command(BaseCommand):
    help = "定时任务：循环检查登记的定时任务，到期的排入后台队列（由 db_worker 执行）。--once 只检查一次。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次就退出（用于 cron 或测试）")
        parser.add_argument("--list", action="store_true", help="列出登记的定时任务")

    def handle(self, *args, once: bool, list: bool, **options):
        if list:
            for entry in schedule.registered():
                self.stdout.write(f"{entry.name}  每 {int(entry.every.total_seconds())} 秒  {entry.run}")
            return
        if not once:
            signal.signal(signal.SIGTERM, _stop)  # systemd and `gaizao run` stop it with SIGTERM
        try:
            while True:
                if not once:
                    # A loop that lives for days: drop a connection that aged out or broke, as a
                    # request would. A single tick (cron, tests) keeps the caller's connection.
                    close_old_connections()
                for name in schedule.tick():
                    self.stdout.write(f"已排队：{name}")
                if once:
                    return
                self.stdout.flush()
                time.sleep(settings.GAIZAO_SCHEDULE_TICK)
        except KeyboardInterrupt:
            return  # between two ticks: nothing half done (a tick's claim and task are one transaction)


def _stop(*_args) -> None:
    raise KeyboardInterrupt
