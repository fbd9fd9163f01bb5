import argparse
import os
import shutil
import signal
import subprocess
import sys

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gaizao.core import crypto, keys


class Command(BaseCommand):
    help = ("启动服务：先校验数据密钥，再用 granian 提供 WSGI 服务（静态文件由 whitenoise 提供）；"
            "--with-worker 同时启动后台处理进程（db_worker）和定时任务（schedule），Ctrl+C 一起停止。")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GAIZAO_WORKERS", "2")),
                            help="工作进程数（默认 2，或 GAIZAO_WORKERS）")
        parser.add_argument("--with-worker", action=argparse.BooleanOptionalAction, default=settings.GAIZAO_RUN_WORKER,
                            help="同时启动后台处理进程和定时任务（默认 GAIZAO_RUN_WORKER；make run 时开启）")

    def handle(self, *args, host: str, port: int, workers: int, with_worker: bool = False, **options):
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
        server = [granian, "--interface", "wsgi", "--host", host, "--port", str(port),
                  "--workers", str(workers), "--no-ws", "gaizao.wsgi:application"]
        if not with_worker:
            os.execv(granian, server)  # production: the worker and the schedule are units of their own
        gaizao = shutil.which("gaizao", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        if not gaizao:
            raise CommandError("找不到 gaizao 命令，请先运行 make install。")
        self.stdout.write("后台处理进程（db_worker）与定时任务（schedule）随服务一起运行。")
        sys.stdout.flush()
        raise SystemExit(supervise([
            server,
            [gaizao, "db_worker", "--no-reload", "--no-startup-delay", "--queue-name", "*"],
            [gaizao, "schedule"],
        ]))


def supervise(commands: list[list[str]], *, grace: float = 30) -> int:
    """Run the web server, the worker and the schedule as children; when one stops, or on Ctrl+C
    or SIGTERM, stop the others (SIGTERM: the worker finishes its current task), and return the
    first one's exit code. A worker stopped mid-import leaves a job the next sweep fails."""
    # Own sessions: Ctrl+C reaches only this process, which asks each child once to stop; a second
    # Ctrl+C asks again, which makes db_worker drop its current task (its documented "force").
    children = [subprocess.Popen(command, start_new_session=True) for command in commands]

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)  # its group: granian's own workers go with it
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return children[0].returncode or 0
