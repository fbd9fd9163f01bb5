"""One style for management commands (管理命令): subcommands, exit codes, JSON, progress, columns.

Every command with subcommands derives from ``AppCommand``:

    class Command(AppCommand):
        help = "城中村：list 列出，archive 归档。"
        subcommands = {"list": "列出城中村", "archive": "归档一个城中村"}

        def add_archive(self, parser):          # optional: the subcommand's own arguments
            parser.add_argument("code")
            add_user_option(parser)

        def do_archive(self, *, code, user=None, **options):   # parse, call a service, print
            village = services.village_archive(actor=command_actor(user), code=code)
            self.stdout.write(self.style.SUCCESS(f"已归档 {village.name}"))

A service's ``AppError`` ends the command with its Chinese message on stderr and exit code 1;
``exit_codes`` maps other exceptions to their codes (a missing key is 2). Output meant for
scripts (``--json``) goes to stdout through ``write_json``; progress goes to stderr.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping

from django.core.management.base import BaseCommand, CommandError

from gaizao.core.errors import AppError


class AppCommand(BaseCommand):
    """A management command made of subcommands: ``add_<name>`` for arguments, ``do_<name>`` to run.

    A dash in a subcommand's name is an underscore in its methods (``set-password`` → ``do_set_password``).
    """

    subcommands: Mapping[str, str] = {}  # name -> help, in the order shown
    exit_codes: Mapping[type[Exception], int] = {}  # besides AppError (1)

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        for name, text in self.subcommands.items():
            adder = getattr(self, f"add_{_method(name)}", None)
            subparser = sub.add_parser(name, help=str(text))
            if adder is not None:
                adder(subparser)

    def handle(self, *args, action: str, **options):
        try:
            return getattr(self, f"do_{_method(action)}")(**options)
        except AppError as exc:
            raise CommandError(exc.message, returncode=1) from None
        except tuple(self.exit_codes) as exc:
            raise CommandError(str(exc), returncode=_code(self.exit_codes, exc)) from None

    def write_json(self, value) -> None:
        """One JSON value on stdout, Chinese as is (what ``--json`` promises); dates and times in ISO
        8601, Decimals as strings (Django's encoder)."""
        from django.core.serializers.json import DjangoJSONEncoder

        self.stdout.write(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))


def _method(name: str) -> str:
    return name.replace("-", "_")


def _code(codes: Mapping[type[Exception], int], exc: Exception) -> int:
    return next(code for kind, code in codes.items() if isinstance(exc, kind))


def add_user_option(parser, *, doing: str = "操作") -> None:
    """``--user USERNAME``: act with that account's scope; without it, as the system operator."""
    parser.add_argument("--user", metavar="USERNAME", help=f"以该账号的权限{doing}（默认：系统操作员）")


# --- progress on stderr ------------------------------------------------------------------------

# Below this many rows a progress bar is more noise than help.
PROGRESS_MIN_ROWS = 2000


class ProgressBar:
    """A one-line progress bar on stderr (never on stdout, which may carry JSON): ``bar(stage, done, total)``."""

    def __init__(self, stream, *, labels: Mapping[str, str] | None = None, width: int = 30):
        self.stream = stream  # a management command's OutputWrapper
        self.labels = labels or {}
        self.width = width
        self.last: tuple[str, int] | None = None
        self.open = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS:
            return
        percent = min(100, done * 100 // max(total, 1))
        if self.last == (stage, percent):
            return
        self.last = (stage, percent)
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.labels.get(stage, stage)} [{bar}] {percent:3d}% {done:,}/{total:,}", ending="")
        self.open = percent < 100
        if not self.open:
            self.stream.write("")
        self.stream.flush()

    def close(self) -> None:
        if self.open:
            self.stream.write("")
            self.open = False


# --- columns in a terminal ---------------------------------------------------------------------

def display_width(text: str) -> int:
    """Terminal columns of a text: Chinese (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` columns (on the left when ``right``)."""
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def table(rows: list[list[str]] | list[tuple[str, ...]], *, right: frozenset[int] = frozenset()) -> list[str]:
    """Aligned columns under the first row, with a rule below it; columns in ``right`` right-aligned."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, w, right=i in right) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines
