"""One sheet under its header row (表格数据): the cells of each declared column, rows as Excel numbers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

from django.utils.translation import gettext as _

from gaizao.core.errors import AppError
from gaizao.core.tabular import headers as h
from gaizao.core.tabular.reader import Sheet, open_file


@dataclass(slots=True)
class Row:
    """One data row: ``number`` as Excel shows it, ``row[key]`` the cell of a declared column
    (a vertically merged cell gives its value to every row it covers), ``cells`` the whole row."""

    number: int
    offset: int  # index among the table's data rows (for ``Table.column`` lists)
    cells: list
    values: dict

    def __getitem__(self, key: str):
        return self.values[key]

    def get(self, key: str, default=None):
        return self.values.get(key, default)


@dataclass(frozen=True, slots=True)
class UnreadColumn:
    """A column holding data that no declared column reads (未识别的列): the import reports it, so
    that nothing a street typed is dropped without a word."""

    index: int  # 0-based column index in the grid
    letter: str  # as Excel names it: "H"
    header: str  # as written in the file ("建筑面积（㎡）·违建"); '' when the column has no header
    rows: int  # data rows holding a value in it
    same_as: str = ""  # the key of the declared column an earlier column with the same header holds

    def reason(self, table: "Table") -> str:
        """What the import did with the column, in Chinese, naming its letter, header and rows."""
        values = {"col": self.letter, "head": self.header, "n": self.rows}
        if self.same_as:
            first = table.header.columns[self.same_as]
            return _("第 %(col)s 列「%(head)s」与第 %(first)s 列「%(name)s」是同一列，只读取了第 %(first)s 列；"
                     "第 %(col)s 列有 %(n)d 行数据没有导入。") % {
                **values, "first": h.column_letter(first), "name": table.labels[self.same_as]}
        if not self.header:
            return _("第 %(col)s 列没有表头，但有 %(n)d 行数据，没有导入。") % values
        return _("第 %(col)s 列「%(head)s」有 %(n)d 行数据，系统不认识这个列名，这一列没有导入。") % values


@dataclass
class Table:
    """A sheet's data under its header row, with the declared columns found in it."""

    sheet: Sheet
    header: h.HeaderMatch
    columns: tuple  # the declared columns (tabular.Column or an app's own, see headers.ColumnLike)
    _cells: dict = field(default_factory=dict, repr=False)
    _data: list | None = field(default=None, repr=False)
    _width: int | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def start(self) -> int:
        """Grid index of the first data row (the sheet row is one more than a grid index): under the
        header, its sub-header row and a units or numbering row (see ``headers.find_header``)."""
        return self.header.data_start

    @property
    def data(self) -> list[list]:
        """The rows under the header row, as read."""
        if self._data is None:
            self._data = self.sheet.grid[self.start:]
        return self._data

    @property
    def labels(self) -> dict[str, str]:
        """Column key -> the header as written in the file (the declared header when the column is absent)."""
        return {column.key: self.header.labels.get(column.key, column.header) for column in self.columns}

    def sheet_row(self, offset: int) -> int:
        return self.start + offset + 1

    def column(self, key: str) -> list:
        """The cells of one column, one per data row ('' where the sheet has none; merged cells filled).

        Column at a time is how a hundred thousand rows are converted quickly (see normalise).
        """
        cells = self._cells.get(key)
        if cells is not None:
            return cells
        index = self.header.columns[key]
        start, rows = self.start, self.data
        if self._width is None:  # the shortest row: once per table, not per column
            self._width = min(map(len, rows)) if rows else 0
        if index < self._width:
            cells = list(map(itemgetter(index), rows))
        else:  # CSV rows can be ragged
            cells = [row[index] if index < len(row) else "" for row in rows]
        for (r, c), value in self.sheet.merged.items():
            if c == index and r >= start and cells[r - start] == "":
                cells[r - start] = value
        self._cells[key] = cells
        return cells

    def problems(self, key: str) -> dict[int, str]:
        """Data row offset -> why a cell of this column has no usable value (formula without result, #DIV/0!)."""
        index, start = self.header.columns[key], self.start
        return {r - start: reason for (r, c), reason in self.sheet.problems.items() if c == index and r >= start}

    def unread(self, *, key: str | None = None) -> list[UnreadColumn]:
        """The columns with data that no declared column reads, each with the data rows holding a value
        (totals and signature rows not counted). A row-number column (序号) is not data.

        Column at a time, like ``column``: a sheet without such columns costs nothing per row.
        """
        rows = self.data
        if not rows:
            return []
        used = set(self.header.columns.values())
        texts = self.header.texts
        lengths = set(map(len, rows))
        width = max(len(texts), max(lengths))
        others = [index for index in range(width) if index not in used and h.normalise_header(
            texts[index] if index < len(texts) else "").lower() not in h.ROW_NUMBER_HEADERS]
        if not others:
            return []
        key = key or next((c.key for c in self.columns if c.required and c.key in self.header.columns), None)
        keys = self.column(key) if key else None
        repeats = self.header_repeats(key=key)
        found = []
        for index in others:
            cells = list(map(itemgetter(index), rows)) if min(lengths) > index else [
                row[index] if index < len(row) else "" for row in rows]
            if len(cells) == cells.count("") + cells.count(None):
                continue
            count = 0
            for offset, value in enumerate(cells):
                if value in ("", None) or (type(value) is str and not value.strip()) or offset in repeats:
                    continue
                if not h.is_filler(rows[offset], keys[offset] if keys is not None else ""):
                    count += 1
            if count:
                found.append(UnreadColumn(index=index, letter=h.column_letter(index),
                                          header=texts[index] if index < len(texts) else "", rows=count,
                                          same_as=self.header.repeated.get(index, "")))
        return found

    def header_repeats(self, *, key: str | None = None) -> set[int]:
        """Data row offsets of the header repeated under the data (两张表粘在一起, a header printed on
        each page): a row whose ``key`` cell is the header's and that names the header's columns as the
        header row does, with the sub-header, units and numbering rows that follow it. Never data.

        One count over the key column finds the candidates: a sheet without repeats costs no more.
        """
        key = key or next((c.key for c in self.columns if c.required and c.key in self.header.columns), None)
        if key is None:
            return set()
        grid, top, index = self.sheet.grid, self.header.row_index, self.header.columns[key]
        text = grid[top][index] if index < len(grid[top]) else ""
        cells = self.column(key)
        if not text or not cells.count(text):
            return set()
        block = grid[top:self.start]  # the header rows, sub-header, units and numbering rows as read
        named = [(col, grid[top][col]) for col in self.header.columns.values()
                 if col < len(grid[top]) and grid[top][col] != ""]
        rows, found, offset = self.data, set(), -1
        while True:
            try:
                offset = cells.index(text, offset + 1)
            except ValueError:
                return found
            row = rows[offset]
            if offset in found or sum(col < len(row) and row[col] == value for col, value in named) < min(
                    len(named), h.MIN_HEADER_MATCHES):
                continue
            found.add(offset)
            for step, expected in enumerate(block[1:], start=1):
                if offset + step >= len(rows) or rows[offset + step] != expected:
                    break
                found.add(offset + step)

    def rows(self, *, key: str | None = None) -> Iterator[Row]:
        """The data rows, without blank rows (every declared cell blank), without totals and
        signature rows (``headers.is_filler``, judged by the ``key`` column: the first required one)
        and without the header repeated under the data (``header_repeats``)."""
        keys = list(self.header.columns)
        key = key or next((c.key for c in self.columns if c.required and c.key in self.header.columns), None)
        cells = {k: self.column(k) for k in keys}
        repeats = self.header_repeats(key=key)
        for offset, row in enumerate(self.data):
            if repeats and offset in repeats:
                continue
            values = {k: cells[k][offset] for k in keys}
            if all(v in ("", None) or (type(v) is str and not v.strip()) for v in values.values()):
                continue
            if h.is_filler(row, values[key] if key else ""):
                continue
            yield Row(number=self.sheet_row(offset), offset=offset, cells=row, values=values)

    def is_filler(self, offset: int, *, key: str) -> bool:
        return h.is_filler(self.data[offset], self.column(key)[offset])


def _refusal(*, sheets: list[str], columns: tuple, min_matched: int, one_of: Iterable[str],
             best: tuple[str, h.HeaderMatch] | None) -> AppError:
    """找不到表头: which sheets were searched, what a header must name, the closest row found."""
    listed = _("、").join(f"「{name}」" for name in sheets) or _("（没有工作表）")
    required = [c for c in columns if c.required]
    choice = [c for c in columns if c.key in set(one_of)]
    parts = []
    if required:
        parts.append(_("包含%(cols)s") % {"cols": _("、").join(f"“{c.header}”" for c in required)})
    if choice:
        parts.append(_("至少一个以下列：%(cols)s") % {"cols": h.expected_headers(choice)})
    else:
        parts.append(_("至少 %(n)d 个以下列：%(cols)s") % {"n": min_matched, "cols": h.expected_headers(columns)})
    message = _("在工作表 %(sheets)s 的前 %(n)d 行中找不到表头。应有一行表头，%(what)s。") % {
        "sheets": listed, "n": h.HEADER_SCAN_ROWS, "what": _("，").join(parts)}
    if best is not None:
        name, match = best
        message += _("最接近的是「%(s)s」第 %(r)d 行，只认出：%(found)s。") % {
            "s": name, "r": match.sheet_row, "found": _("、").join(match.labels.values())}
    return AppError(message, fields={"file": message})


def read(path: str | Path, *, filename: str | None = None, columns: Iterable, min_matched: int = h.MIN_HEADER_MATCHES,
         one_of: Iterable[str] = (), skip_sheets: Iterable[str] = (), max_rows: int | None = None,
         max_bytes: int | None = None) -> Table:
    """Open a spreadsheet and return the first sheet whose header row names the columns (see the package doc).

    A file that cannot be read, or with no such header row, raises AppError with a Chinese message.
    """
    columns = tuple(columns)
    one_of = tuple(one_of)
    synonyms = h.synonym_table(columns)
    skipped = {h.normalise_header(name) for name in skip_sheets}
    source = open_file(Path(path), filename=filename, max_rows=max_rows, max_bytes=max_bytes)
    searched: list[str] = []
    best: tuple[str, h.HeaderMatch] | None = None
    for name in source.names:
        if h.normalise_header(name) in skipped:
            continue
        searched.append(name)
        head, merged = source.head(name, h.HEADER_SCAN_ROWS + h.HEADER_TAIL_ROWS)
        match = h.find_header(head, synonyms=synonyms, merged=merged, min_matched=min_matched, one_of=one_of)
        if match is not None:
            return Table(sheet=source.sheet(name), header=match, columns=columns)
        closest = h.best_row(head, synonyms=synonyms, merged=merged)
        if closest is not None and (best is None or len(closest.columns) > len(best[1].columns)):
            best = (name, closest)
    raise _refusal(sheets=searched, columns=columns, min_matched=min_matched, one_of=one_of, best=best)
