"""A worksheet's XML read as a stream, before python-calamine parses it (表格预检): how far its cells
reach and whether it holds formulas or error values. ``reader._XlsxGuard`` judges what is found.

No Django here, so that a second process can scan part of a large sheet while this one scans the
rest (``Back``: ``python -m gaizao.core.sheetscan``). The XML is inflated ``GUARD_CHUNK`` at a
time (bounded memory); a part is cut before a tag's "<", so both processes cut at the same place
and no reference is read in two halves or missed. The scan stops at the first reference past the
limit, or when the row elements outnumber it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass

GUARD_CHUNK = 1024 * 1024  # bytes of sheet XML inflated at a time: the scan's memory
# A sheet's XML of at least this many bytes (as the zip declares it) is scanned in two parts, the
# front here and the back by a second process: it starts in about 40 ms and must inflate the front
# to skip it, so this process takes the larger share (per 100,000 rows, 92 MB: 0.53 s alone).
SPLIT_MIN_BYTES = 32 * 1024 * 1024
FRONT_SHARE = 0.6
BACK_TIMEOUT = 300  # seconds the back's process may take before it is stopped and the back read here

DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
# A column reference beyond CZ (104 columns, more than the reader takes): three letters, or two from D.
_BIG_COLUMN = rb"[A-Z]{3}|[D-Z][A-Z]"


def far_reference(limit: int) -> re.Pattern:
    """A cell or row reference to a column past CZ (group "column") or a row past ``limit`` by at
    most 10 % (r="T1000001", r="1000001"), the row matched by its digits (more of them, or a larger
    two-digit prefix) without converting millions of ordinary references to numbers. One pattern,
    one pass, starting with the literal r= so that the regex engine skips ahead between matches."""
    digits = str(limit)
    d = len(digits)
    assert d >= 2, "the limit includes ROW_SLACK"
    a, b = int(digits[0]), int(digits[1])
    numbers = [rf"\d{{{d + 1},}}"]
    if a < 9:
        numbers.append(rf"[{a + 1}-9]\d{{{d - 1}}}")
    if b < 9:
        numbers.append(rf"{a}[{b + 1}-9]\d{{{d - 2}}}")
    rows = "|".join(numbers).encode()
    # {0,3}+ takes the letters without giving any back: digits must follow them, so a shorter
    # column could never match, and the engine no longer tries (0.29 s -> 0.22 s per 100,000 rows).
    return re.compile(rb"""r=["'](?:(?P<column>""" + _BIG_COLUMN + rb""")\d|[A-Z]{0,3}+(?:""" + rows + rb""")["'])""")


def row_tags(text: bytes) -> int:
    """Twice the row elements in a piece of sheet XML, about: "row" is in each <row …> and </row>
    (and once in <row/>, <x:row>…); one pass of bytes.count, where a regex took seconds."""
    return text.count(b"row")


@dataclass
class Found:
    """What a scan of (part of) a sheet found."""

    tags: int = 0  # row_tags of the part read
    marker: bool = False  # a formula ("f>") or an error cell (t="e")
    column: str | None = None  # the letters of a column past CZ, when the scan stopped at one
    far_row: bool = False  # the scan stopped at a row past the limit
    too_many: bool = False  # the scan stopped when the part's row elements outnumbered the limit


def scan(stream, *, limit: int, start: int = 0, stop: int | None = None,
         first: Callable[[bytes], None] | None = None) -> Found:
    """Scan the XML from the first "<" at or after byte ``start`` to the first "<" at or after byte
    ``stop`` (the end when None). ``first(text)`` is given the first block read from the beginning
    (``reader`` checks the ``<dimension>`` there and may raise)."""
    far = far_reference(limit)
    found = Found()
    at, carry, seeking = 0, b"", start > 0  # at: the offset of the next byte read
    while True:
        block = stream.read(GUARD_CHUNK)
        text, offset = carry + block, at - len(carry)  # offset: where text begins
        at += len(block)
        carry = b""
        if seeking:  # the back: nothing before the first "<" at or after start
            cut = text.find(b"<", max(0, start - offset))
            if cut < 0:  # the front reads up to the "<" still to come
                if not block:
                    return found
                continue
            text, offset, seeking = text[cut:], offset + cut, False
        last = not block
        if stop is not None and offset + len(text) > stop:
            end = text.find(b"<", max(0, stop - offset))
            if end >= 0:
                text, last = text[:end], True
        if not last:  # keep an unfinished tag for the next round, so no reference is cut in two
            cut = text.rfind(b"<")  # (also when it is all there is: the back begins with a "<")
            if 0 <= cut and len(text) - cut < 65536:
                text, carry = text[:cut], text[cut:]
        if first is not None and text:
            first(text)
            first = None
        match = far.search(text)
        if match:
            found.column = match.group("column").decode() if match.group("column") else None
            found.far_row = found.column is None
            return found
        found.tags += row_tags(text)
        if found.tags > 2 * limit:  # rows without r="…" are placed one after another
            found.too_many = True
            return found
        found.marker = found.marker or b"f>" in text or b't="e"' in text
        if last:
            return found


class Back:
    """The back of a large sheet (from byte ``start``), scanned by a second process meanwhile.

    ``found()`` is its answer, or None when it could not give one (not started, failed, too slow):
    the caller then scans the back itself. ``stop()`` ends the process if it still runs.
    """

    def __init__(self, path: str, member: str, *, start: int, limit: int):
        from gaizao.core.sealing import worker_environment

        try:
            self._process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-m", __name__, path, member, str(start), str(limit)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=worker_environment())
        except OSError:
            self._process = None

    def found(self) -> Found | None:
        if self._process is None:
            return None
        try:
            out, _err = self._process.communicate(timeout=BACK_TIMEOUT)
            if self._process.returncode == 0:
                return Found(**json.loads(out))
        except (subprocess.TimeoutExpired, ValueError, TypeError):
            pass
        self.stop()
        return None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def _serve(path: str, member: str, start: str, limit: str) -> None:
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        found = scan(stream, limit=int(limit), start=int(start))
    sys.stdout.write(json.dumps(asdict(found)))


if __name__ == "__main__":
    _serve(*sys.argv[1:5])
