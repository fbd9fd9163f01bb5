import os
import shutil
import sys

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gaizao.core import crypto, keys


class Command(BaseCommand):
    help = "启动服务：先校验数据密钥，再用 granian 提供 WSGI 服务（静态文件由 whitenoise 提供）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GAIZAO_WORKERS", "2")),
                            help="工作进程数（默认 2，或 GAIZAO_WORKERS）")

    def handle(self, *args, host: str, port: int, workers: int, **options):
        try:
            crypto.audit_key()  # every write appends an audit entry keyed with it: refuse to start without
            keys.check(sample=True)
        except (crypto.DataKeyError, crypto.AuditKeyError) as exc:
            raise CommandError(f"无法启动：{exc}", returncode=2) from None
        # Each app may clean up after a run that ended abruptly (the ledger fails imports whose
        # process is gone): an AppConfig's ``on_server_start``, so that core names no app above it.
        for config in apps.get_app_configs():
            hook = getattr(config, "on_server_start", None)
            if hook is not None:
                hook(stdout=self.stdout)
        if connection.vendor == "sqlite":
            # Planner statistics: without them a rare filter can scan a whole street. SQLite 3.40
            # (Debian 12) has no "analyse all tables" bit in PRAGMA optimize, so a database that
            # was never analysed gets a full ANALYZE once (≈ 1 s at a million households).
            with connection.cursor() as cursor:
                cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
                cursor.execute("PRAGMA optimize" if cursor.fetchone() else "ANALYZE")
            connection.close()
        connection.close()  # no connection handed over to granian
        granian = shutil.which("granian", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if not granian:
            raise CommandError("找不到 granian，请先运行 make install。")
        self.stdout.write(f"{settings.DISTRICT_NAME}城中村改造平台：http://{host}:{port}/  （Ctrl+C 停止）")
        sys.stdout.flush()
        os.execv(granian, [
            granian, "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--no-ws", "gaizao.wsgi:application",
        ])
