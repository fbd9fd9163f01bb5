"""The tabular reader (表格读取): Excel and CSV files that streets fill in, for every import.

Generic: it knows files, sheets, header rows and cells, never what an app's columns mean. An
import declares its columns and reads rows; its own rules turn cells into values::

    from gaizao.core import tabular

    COLUMNS = (
        tabular.Column("户号", synonyms=("户编号", "住户编号"), required=True, key="number"),
        tabular.Column("评估金额", synonyms=("评估价", "评估总价"), key="amount"),
        tabular.Column("评估日期", synonyms=("评估时间",), key="valued_on"),
    )
    table = tabular.read(path, filename=upload.name, columns=COLUMNS, min_matched=2)
    for row in table.rows():                       # blank, totals (合计) and signature rows skipped
        try:
            amount = tabular.parse_number(row["amount"], what=table.labels["amount"])
            day = tabular.to_date(row["valued_on"])
        except tabular.CellError as exc:           # a Chinese reason: name row.number and the column
            errors.append((row.number, table.labels["amount"], str(exc)))

- ``read`` refuses, with one Chinese AppError, a file that is empty, too large
  (``reader.MAX_FILE_BYTES`` or ``max_bytes``), of another kind (a .docx renamed .xlsx, a PDF),
  password-protected, damaged, or with a sheet over GAIZAO_IMPORT_MAX_ROWS (or ``max_rows``) rows
  — the last before python-calamine parses it — and a workbook where no sheet has a header row
  naming the required columns and ``min_matched`` columns in all (or one of ``one_of``) within its
  first 30 rows; the message names the sheets searched and the closest row found.
- The header may sit below title rows; header cells are compared after ``normalise_header``
  (full-width, spaces, ``*``, bracketed units); cells in a vertical merge take the merged value.
  A two-row grouped header (建筑面积 merged over 合法 / 无证) is one header, its columns matched on
  parent and child together (``headers.grouped_header``); a units row (（㎡）) or a numbering row
  (1 2 3 …) under the header is not data (``table.start``).
- ``table.unread()`` lists the columns holding data that no declared column reads (sheet column
  letter, header, rows with a value): an import reports them rather than dropping them silently.
- ``row.number`` is the row as Excel shows it; ``row[key]`` the cell as read (calamine: numbers as
  float, dates as ``datetime.date``; CSV: text); ``row.cells`` the whole row; ``table.labels`` the
  headers as the file writes them, for messages; ``table.problems(key)`` the cells with a formula
  without a result or an error value (#DIV/0!), by data-row offset.
- For large files convert column at a time: ``table.column(key)`` and ``column_converter`` with a
  fast path (the ledger import reads 100,000 rows this way, bench/README.md).
- An import with several sheets (the ledger's households and members) uses the parts:
  ``open_file`` → ``source.head`` → ``find_header`` → ``source.sheet`` → ``Table``.

Modules: ``reader`` (files and guards), ``headers`` (header row, synonyms, filler rows),
``normalise`` (cell rules), ``table`` (the API above).
"""

from gaizao.core.tabular.headers import (
    HEADER_SCAN_ROWS, HEADER_TAIL_ROWS, MIN_HEADER_MATCHES, Column, HeaderMatch, column_letter, expected_headers,
    find_header, is_filler, normalise_header, synonym_table,
)
from gaizao.core.tabular.normalise import (
    CellError, Masked, as_text, choice_rule, choice_table, column_converter, fold, from_serial, parse_number,
    text_rule, to_choice, to_citizen_id, to_code, to_date, to_integer, to_name, to_phone, to_year, unquote,
)
from gaizao.core.tabular.reader import MAX_FILE_BYTES, SPREADSHEET_SUFFIXES, Sheet, open_file
from gaizao.core.tabular.table import Row, Table, UnreadColumn, read

__all__ = [
    "HEADER_SCAN_ROWS", "HEADER_TAIL_ROWS", "MAX_FILE_BYTES", "MIN_HEADER_MATCHES", "SPREADSHEET_SUFFIXES",
    "CellError", "Column", "HeaderMatch", "Masked", "Row", "Sheet", "Table", "UnreadColumn", "as_text",
    "choice_rule", "choice_table", "column_converter", "column_letter", "expected_headers", "find_header", "fold",
    "from_serial", "is_filler", "normalise_header", "open_file",
    "parse_number", "read", "synonym_table", "text_rule", "to_choice", "to_citizen_id", "to_code", "to_date",
    "to_integer", "to_name", "to_phone", "to_year", "unquote",
]
