"""Finding a sheet's header row (表头) and the rows around a table that are not data.

A header row may sit below title rows (merged or not) and people write their own spellings of a
column's name: each column lists its synonyms, compared after ``normalise_header`` (full-width
folded, spaces, required marks ``*`` and bracketed units dropped).

Street sheets often group columns under a merged cell, in two header rows (分组表头)::

    户号 | 户主姓名 |    建筑面积（㎡）     | 认定结果        户号, 户主姓名, 认定结果: merged over both rows
         |          | 合法 | 无证 | 违建 |                 the sub-header row (子表头)

``grouped_header`` reads such a pair as one header: a grouped column is matched on its parent and
child labels together (建筑面积 + 合法 → 合法建筑面积, 房屋面积 + 合法面积 → 合法面积) and the
sub-header row is never data. A units row (（㎡）…) or a numbering row (1 2 3 …) right under the
header is not data either (``HeaderMatch.data_start``). All of it is decided once per sheet, on
the first rows. Under the data, streets add totals rows (合计, 小计) and signature or note lines
(填表人：, 审核人：, 注：): ``is_filler`` knows them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from django.utils.translation import gettext as _

# How far down a header may sit below title rows, and how many known headers make a header row.
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
# Rows read below the last row searched: a sub-header, a units row and a numbering row.
HEADER_TAIL_ROWS = 3
# Headers of a column that only numbers the rows (序号): never data, so never reported as unread.
ROW_NUMBER_HEADERS = frozenset({"序号", "序", "行号", "顺序号", "no", "no."})


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

    row_index: int  # 0-based index in the sheet grid (the upper row of a grouped header)
    columns: dict[str, int]  # column key -> 0-based column index in the grid
    labels: dict[str, str]  # column key -> header text as written in the file ("建筑面积（㎡）·合法" when grouped)
    texts: list[str] = field(default_factory=list)  # every column's header as written ('' where none)
    repeated: dict[int, str] = field(default_factory=dict)  # column index -> key an earlier column already holds
    rows: int = 1  # header rows: 2 when a sub-header row groups columns under merged cells
    data_start: int = -1  # grid index of the first data row (after units and numbering rows)

    def __post_init__(self):
        if self.data_start < 0:
            self.data_start = self.row_index + self.rows

    @property
    def sheet_row(self) -> int:
        return self.row_index + 1


# A cell of a header row: its label as written and the normalised names to look up, in order.
Cell = tuple[str, tuple[str, ...]]


def _header_texts(grid: list[list], index: int, merged_above: dict[tuple[int, int], object]) -> list[str]:
    row = grid[index]
    texts = []
    for col, value in enumerate(row):
        if value == "" and (index, col) in merged_above:
            value = merged_above[(index, col)]
        texts.append(value if isinstance(value, str) else "")
    return texts


def _match(index: int, cells: list[Cell], *, synonyms: dict[str, ColumnLike], rows: int = 1) -> HeaderMatch:
    found: dict[str, int] = {}
    labels: dict[str, str] = {}
    repeated: dict[int, str] = {}
    for col, (label, names) in enumerate(cells):
        column = next((synonyms[name] for name in names if name in synonyms), None)
        if column is None:
            continue
        if column.key in found:
            repeated[col] = column.key
            continue
        found[column.key] = col
        labels[column.key] = label
    return HeaderMatch(row_index=index, columns=found, labels=labels, texts=[label for label, _names in cells],
                       repeated=repeated, rows=rows)


def match_row(grid: list[list], index: int, *, synonyms: dict[str, ColumnLike],
              merged: dict[tuple[int, int], object]) -> HeaderMatch:
    """The declared columns one row names (a header cell inside a vertical merge takes the merged value)."""
    cells = [(text.strip(), (normalise_header(text),)) for text in _header_texts(grid, index, merged)]
    return _match(index, cells, synonyms=synonyms)


_NUMBERISH = re.compile(r"[\s\d.,+\-%()]*")


def _is_label(value: object) -> bool:
    """Text that can be a header (合法, 无证（㎡）), not a number or a blank."""
    if type(value) is not str:
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(text) and not _NUMBERISH.fullmatch(text)


def _blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def grouped_header(grid: list[list], index: int, merged: dict[tuple[int, int], object]) -> list[Cell] | None:
    """Rows ``index`` and ``index + 1`` read as one header, when the lower row is a sub-header.

    The upper row groups columns: a cell merged across two or more columns (or, unmerged, followed
    by blank cells) with a label under each column it spans. Every other column is named in the
    upper row only, with nothing under it (often merged over both rows). Both kinds must be
    present: a title merged over the whole table, or a data row under the header, is not a
    sub-header. A grouped column is looked up as parent + child, child + parent, then child alone
    (房屋 + 结构 = 房屋结构, 合法 + 建筑面积 = 合法建筑面积, 房屋面积 over 合法面积 = 合法面积).
    """
    if index + 1 >= len(grid):
        return None
    upper, lower = _header_texts(grid, index, merged), grid[index + 1]
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))

    def below(col: int) -> object:
        return lower[col] if col < len(lower) else ""

    across = {}  # left column -> right column of a merge starting in this row
    inside = set()  # columns of this row covered by a merge, but not its first
    for top, left, bottom, right in getattr(merged, "across", ()):
        if top <= index <= bottom:
            if top == index:
                across[left] = right
            inside.update(range(left + 1, right + 1) if top == index else range(left, right + 1))
    cells: list[Cell] = []
    groups = singles = 0
    col = 0
    while col < width:
        parent = upper[col]
        right = across.get(col)
        if right is None:
            right = col
            if not _blank(parent) and _is_label(below(col)):
                while (right + 1 < width and right + 1 not in inside and right + 1 not in across
                       and _blank(upper[right + 1]) and _is_label(below(right + 1))):
                    right += 1
        children = [below(k) for k in range(col, right + 1)]
        if all(_blank(child) for child in children):  # named in the upper row only (or an empty column)
            singles += not _blank(parent)
            cells.append((parent.strip(), (normalise_header(parent),)))
            cells.extend(("", ()) for _k in range(col + 1, right + 1))
        elif right > col and not _blank(parent) and all(_is_label(child) for child in children):
            groups += 1
            name = normalise_header(parent)
            for child in children:
                part = normalise_header(child)
                cells.append((f"{parent.strip()}·{child.strip()}", (name + part, part + name, part)))
        else:
            return None
        col = right + 1
    return cells if groups and singles else None


_UNITS = frozenset({"m2", "m", "平方米", "平米", "米", "元", "万元", "人", "口", "层", "年", "栋", "幢", "间",
                    "户", "个", "套", "处", "亩"})
_UNIT_NOISE = re.compile(r"[\s()\[\]]|^单位[:：]?")
_ORDINAL = re.compile(r"\(?(\d{1,3})\)?")


def _is_units_row(row: list) -> bool:
    """（㎡） (m2) 元 …: a row naming only units, under a header."""
    cells = [value for value in row if not _blank(value)]
    return bool(cells) and all(
        type(value) is str and _UNIT_NOISE.sub("", unicodedata.normalize("NFKC", value)).lower() in _UNITS
        for value in cells)


def _ordinal(value: object) -> int | None:
    if type(value) is int or (type(value) is float and value.is_integer()):
        return int(value)
    if type(value) is str:
        found = _ORDINAL.fullmatch(unicodedata.normalize("NFKC", value).strip())
        return int(found.group(1)) if found else None
    return None


def _is_numbering_row(row: list) -> bool:
    """1 2 3 …: a row numbering the columns (three or more, each one more than the last)."""
    numbers = [_ordinal(value) for value in row if not _blank(value)]
    return len(numbers) >= 3 and None not in numbers and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def _data_start(grid: list[list], match: HeaderMatch) -> HeaderMatch:
    start = match.row_index + match.rows
    while start < len(grid) and start < match.row_index + match.rows + 2 and (
            _is_units_row(grid[start]) or _is_numbering_row(grid[start])):
        start += 1
    match.data_start = start
    return match


def _candidates(grid: list[list], index: int, synonyms: dict[str, ColumnLike], merged) -> list[HeaderMatch]:
    """Row ``index`` as the upper row of a grouped header (when it is one), then as a header by itself
    (still over two rows when the next one is a sub-header: that row is never data)."""
    found = []
    cells = grouped_header(grid, index, merged)
    if cells is not None:
        found.append(_match(index, cells, synonyms=synonyms, rows=2))
    alone = match_row(grid, index, synonyms=synonyms, merged=merged)
    alone.rows = 2 if cells is not None else 1
    found.append(alone)
    return found


def find_header(grid: list[list], *, synonyms: dict[str, ColumnLike],
                merged: dict[tuple[int, int], object] | None = None, min_matched: int = MIN_HEADER_MATCHES,
                one_of: Iterable[str] = ()) -> HeaderMatch | None:
    """The first row within ``HEADER_SCAN_ROWS`` that names the required columns and enough others.

    Enough: ``min_matched`` columns in all, and at least one of the keys in ``one_of`` when given.
    Title rows above (merged or not) are passed over; a grouped header (two rows, see
    ``grouped_header``) is one header; a units or numbering row under it is passed over. When the
    same column is named twice, the first wins (``HeaderMatch.repeated`` notes the others).
    Pass ``grid`` with ``HEADER_TAIL_ROWS`` rows beyond ``HEADER_SCAN_ROWS`` to see the rows under
    a header found low down.
    """
    merged = merged or {}
    required = {column.key for column in synonyms.values() if column.required}
    wanted = set(one_of)
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        for match in _candidates(grid, index, synonyms, merged):
            found = match.columns.keys()
            if required <= found and len(found) >= min_matched and (not wanted or wanted & found):
                return _data_start(grid, match)
    return None


def best_row(grid: list[list], *, synonyms: dict[str, ColumnLike],
             merged: dict[tuple[int, int], object] | None = None) -> HeaderMatch | None:
    """The row within ``HEADER_SCAN_ROWS`` naming the most declared columns (for a refusal message)."""
    best = None
    for index in range(min(HEADER_SCAN_ROWS, len(grid))):
        for match in _candidates(grid, index, synonyms, merged or {}):
            if match.columns and (best is None or len(match.columns) > len(best.columns)):
                best = match
    return best


def column_letter(index: int) -> str:
    """A 0-based column index as Excel names it: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
