"""Finding a sheet's header row (表头) and the rows under a table that are not data.

A header row may sit below title rows (merged or not) and people write their own spellings of a
column's name: each column lists its synonyms, compared after ``normalise_header`` (full-width
folded, spaces, required marks ``*`` and bracketed units dropped). Under the data, streets add
totals rows (合计, 小计) and signature or note lines (填表人：, 审核人：, 注：): ``is_filler`` knows them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Protocol

from django.utils.translation import gettext as _

# How far down a header may sit below title rows, and how many known headers make a header row.
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3


class ColumnLike(Protocol):
    """What the header search reads of a column; ``tabular.Column`` and an app's own column types have it."""

    key: str
    header: str
    synonyms: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Column:
    """One column an import reads (列): the header it expects, the other spellings people use.

    ``key`` names the column in the rows (``row["户号"]``); it defaults to the header.
    """

    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    key: str = ""

    def __post_init__(self):
        object.__setattr__(self, "synonyms", tuple(self.synonyms))
        if not self.key:
            object.__setattr__(self, "key", self.header)


_BRACKETED = re.compile(r"\((?:m2|平方米|平米|㎡|元|人|层|年)\)$")
_NOISE = re.compile(r"[\s*＊:：]")


def normalise_header(text: object) -> str:
    """A header cell as compared: full-width folded, spaces, required marks and units dropped.

    ``合法面积（㎡）``, ``合法面积(m2)`` and ``*合法面积`` all become ``合法面积``.
    """
    if not isinstance(text, str):
        return ""
    folded = _NOISE.sub("", unicodedata.normalize("NFKC", text))
    return _BRACKETED.sub("", folded)


def synonym_table(columns: Iterable[ColumnLike]) -> dict[str, ColumnLike]:
    """Every spelling of every column, normalised, to its column (the first column to claim one wins)."""
    table: dict[str, ColumnLike] = {}
    for column in columns:
        for name in (column.header, *column.synonyms):
            table.setdefault(normalise_header(name), column)
    return table


@dataclass
class HeaderMatch:
    """Where a sheet's header row is and which file column holds which declared column."""

    row_index: int  # 0-based index in the sheet grid
    columns: dict[str, int]  # column key -> 0-based column index in the grid
    labels: dict[str, str]  # column key -> header text as written in the file

    @property
    def sheet_row(self) -> int:
        return self.row_index + 1


def _header_texts(grid: list[list], index: int, merged_above: dict[tuple[int, int], object]) -> list[str]:
    row = grid[index]
    texts = []
    for col, value in enumerate(row):
        if value == "" and (index, col) in merged_above:
            value = merged_above[(index, col)]
        texts.append(value if isinstance(value, str) else "")
    return texts


def match_row(grid: list[list], index: int, *, synonyms: dict[str, ColumnLike],
              merged: dict[tuple[int, int], object]) -> HeaderMatch:
    """The declared columns one row names (a header cell inside a vertical merge takes the merged value)."""
    found: dict[str, int] = {}
    labels: dict[str, str] = {}
    for col, text in enumerate(_header_texts(grid, index, merged)):
        column = synonyms.get(normalise_header(text))
        if column is not None and column.key not in found:
            found[column.key] = col
            labels[column.key] = text.strip()
    return HeaderMatch(row_index=index, columns=found, labels=labels)


def find_header(grid: list[list], *, synonyms: dict[str, ColumnLike],
                merged: dict[tuple[int, int], object] | None = None, min_matched: int = MIN_HEADER_MATCHES,
                one_of: Iterable[str] = ()) -> HeaderMatch | None:
    """The first row within ``HEADER_SCAN_ROWS`` that names the required columns and enough others.

    Enough: ``min_matched`` columns in all, and at least one of the keys in ``one_of`` when given.
    Title rows above (merged or not) are passed over. When the same column is named twice, the
    first wins.
    """
    merged = merged or {}
    required = {column.key for column in synonyms.values() if column.required}
    wanted = set(one_of)
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        match = match_row(grid, index, synonyms=synonyms, merged=merged)
        found = match.columns.keys()
        if required <= found and len(found) >= min_matched and (not wanted or wanted & found):
            return match
    return None


def best_row(grid: list[list], *, synonyms: dict[str, ColumnLike],
             merged: dict[tuple[int, int], object] | None = None) -> HeaderMatch | None:
    """The row within ``HEADER_SCAN_ROWS`` naming the most declared columns (for a refusal message)."""
    best = None
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        match = match_row(grid, index, synonyms=synonyms, merged=merged or {})
        if match.columns and (best is None or len(match.columns) > len(best.columns)):
            best = match
    return best


def expected_headers(columns: Iterable[ColumnLike]) -> str:
    """The headers a sheet should have, for the message when none is found."""
    return _("、").join(column.header for column in columns)


# --- rows under the table that are not data ------------------------------------------------------

_TOTALS = re.compile(r"\s*(?:合\s*计|小\s*计|总\s*计|共\s*计)")
_SIGNATURE = re.compile(
    r"\s*(?:填表人|填报人|制表人|审核人|审批人|负责人|经办人|联系人|统计人|复核人|签\s*字|签\s*名|盖\s*章|"
    r"填表日期|填报日期|制表日期|审核日期|单位盖章|填报单位|注\s*[:：]|说明\s*[:：]|备注\s*[:：])"
)
_MARKER_FIRST = frozenset("合小总共填制审负经联统复签盖单注说备")


def _is_marker(value: object) -> bool:
    if type(value) is not str:
        return False
    text = value.lstrip()
    return text[:1] in _MARKER_FIRST and bool(_TOTALS.match(text) or _SIGNATURE.match(text))


def is_filler(row: list, key_cell: object) -> bool:
    """A totals row, a signature line or a note under the table: a marker in its key cell (户号, …),
    or in any cell when the key cell is blank (合计, 小计, 填表人：, 审核人：, 注：…)."""
    if key_cell not in ("", None):
        return _is_marker(key_cell)
    return any(_is_marker(value) for value in row)
