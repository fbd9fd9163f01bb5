"""The ledger upload's file rules: those of the shared tabular reader (gaizao.core.tabular.reader).

Kept as a name for the upload page, which imports its limits from here; the reading itself, its
guards and its measurements live in core.
"""

from gaizao.core.tabular.reader import MAX_FILE_BYTES, SPREADSHEET_SUFFIXES, Sheet, open_file

__all__ = ["MAX_FILE_BYTES", "SPREADSHEET_SUFFIXES", "Sheet", "open_file"]
