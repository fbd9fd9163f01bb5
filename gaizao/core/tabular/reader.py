"""Opening an uploaded spreadsheet (读取表格文件): checks first, then python-calamine or csv.

Generic: nothing here knows what the rows mean (see ``gaizao.core.tabular`` for the API). A file is refused with one Chinese message, before anything is parsed, when it is empty, larger
than ``MAX_FILE_BYTES``, of a kind we do not read (a Word document renamed .xlsx, a PDF …) or a
password-protected workbook (an OLE container holding ``EncryptionInfo``). A worksheet larger than
``settings.GAIZAO_IMPORT_MAX_ROWS`` rows, or the ``max_rows`` an import passes (or ``MAX_COLUMNS`` columns), is refused before calamine
parses it (``_XlsxGuard``): calamine holds a sheet as one dense grid of its used range, so a 6.6 MB
file whose cells reach row 1,000,001 took 2 GB before the old check, made after parsing, refused it. The kind is decided
from the content, not the extension, so an .xls saved under .xlsx still opens.

.xlsx/.xlsm/.xlsb, .xls and .ods are read with python-calamine, .csv with the csv module
(UTF-8 with or without BOM, else GB18030, a superset of GBK).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from xml.etree import ElementTree
from pathlib import Path

import python_calamine
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from gaizao.core import sheetscan
from gaizao.core.errors import AppError

# Module constants so that a test (or a deployment, in code) can lower them.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 100  # the ledger template has 16 columns; a street's own extra columns fit well
ROW_SLACK = 50  # title, header, totals and signature rows above and below the data are not data
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv")

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


@dataclass
class Sheet:
    """One worksheet as a grid of cell values, positioned from A1 (row 0 is sheet row 1)."""

    name: str
    grid: list[list]
    # (row, col) -> value for the cells inside a vertical merge below its first cell (``Merged``).
    merged: dict[tuple[int, int], object] = field(default_factory=dict)
    # (row, col) -> why the cell has no usable value (a formula without a result, an error value).
    problems: dict[tuple[int, int], str] = field(default_factory=dict)


class _Source:
    """A workbook whose sheets are converted to Python only when asked for."""

    def __init__(self, *, names: list[str], loader, problems_loader=None, counter=None):
        self.names = names
        self._loader = loader
        self._problems_loader = problems_loader
        self._counter = counter

    def row_count(self, name: str) -> int:
        """How many rows the sheet has (its used range), without converting it to Python."""
        return self._counter(name) if self._counter else len(self._loader(name, None))

    def head(self, name: str, rows: int) -> tuple[list[list], dict[tuple[int, int], object]]:
        """The first rows of a sheet and its merges (``Merged``: to find a header row, grouped or not)."""
        return self._loader(name, rows, with_merged=True)

    def sheet(self, name: str) -> Sheet:
        grid, merged = self._loader(name, None, with_merged=True)
        problems = self._problems_loader(name) if self._problems_loader else {}
        return Sheet(name=name, grid=grid, merged=merged, problems=problems)


def _human(size: int) -> str:
    """50 MB, 51.5 MB, 8 KB: three significant figures."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.3g} MB"
    return f"{size / 1024:.3g} KB"


def _refuse(message: str, **fields) -> AppError:
    return AppError(message, fields=fields or {"file": message})


def check_file(path: Path, *, filename: str, max_bytes: int | None = None) -> str:
    """Refuse what we must not parse; return the kind: "xlsx", "xls", "ods" or "csv"."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    suffix = Path(filename).suffix.lower()
    try:
        size = os.path.getsize(path)
    except OSError:
        raise _refuse(_("找不到文件「%(f)s」。") % {"f": filename}) from None
    if size == 0:
        raise _refuse(_("文件「%(f)s」是空的（0 字节），请检查是否选错了文件。") % {"f": filename})
    if size > max_bytes:
        raise _refuse(_("文件「%(f)s」有 %(size)s，超过单次导入上限 %(max)s；请拆分成几个文件分批导入。")
                      % {"f": filename, "size": _human(size), "max": _human(max_bytes)})
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_SIGNATURE):
        return _zip_kind(path, filename=filename)
    if head == OLE_SIGNATURE:
        return _ole_kind(path, filename=filename)
    if suffix == ".csv":
        return "csv"
    if head.startswith(b"%PDF"):
        raise _refuse(_("「%(f)s」是 PDF 文件，不是电子表格；请上传 Excel 文件。") % {"f": filename})
    if suffix in SPREADSHEET_SUFFIXES:
        raise _refuse(_("「%(f)s」的扩展名是 %(s)s，但内容不是 Excel 工作簿（文件可能已损坏，或是改了扩展名的其他文件）。")
                      % {"f": filename, "s": suffix})
    raise _refuse(_("不支持「%(f)s」这种文件；请上传 .xlsx、.xlsm、.xls、.ods 或 .csv 文件。") % {"f": filename})


def _zip_kind(path: Path, *, filename: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mime = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        raise _refuse(_("「%(f)s」已损坏，无法打开（压缩包结构不完整）。请在 Excel 中重新保存后再导入。")
                      % {"f": filename}) from None
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if mime.startswith(_ODS_MIME):
        return "ods"
    if "word/document.xml" in names:
        raise _refuse(_("「%(f)s」是 Word 文档（.docx），不是 Excel 表格；请上传从模板填写的 Excel 文件。")
                      % {"f": filename})
    if "ppt/presentation.xml" in names:
        raise _refuse(_("「%(f)s」是 PowerPoint 演示文稿，不是 Excel 表格。") % {"f": filename})
    if mime.startswith(b"application/vnd.oasis.opendocument"):
        raise _refuse(_("「%(f)s」是 OpenDocument 文本或演示文稿，不是电子表格（.ods）。") % {"f": filename})
    raise _refuse(_("「%(f)s」是压缩包，但不是 Excel 工作簿。") % {"f": filename})


def _ole_kind(path: Path, *, filename: str) -> str:
    """An OLE2 compound file: a legacy .xls, a Word .doc, or an encrypted OOXML workbook.

    Excel saves a password-protected .xlsx as an OLE container with ``EncryptionInfo`` and
    ``EncryptedPackage`` streams; their names sit in the directory as UTF-16.
    """
    data = Path(path).read_bytes()
    if _utf16("EncryptionInfo") in data or _utf16("EncryptedPackage") in data:
        raise _refuse(_("「%(f)s」设置了打开密码（文件已加密），无法读取。请在 Excel 中取消密码"
                        "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新导入。") % {"f": filename})
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        raise _refuse(_("「%(f)s」是 Word 文档（.doc），不是 Excel 表格。") % {"f": filename})
    raise _refuse(_("「%(f)s」是 Office 旧格式文件，但不是 Excel 工作簿。") % {"f": filename})


def _calamine_error(exc: Exception, *, filename: str) -> AppError:
    if isinstance(exc, python_calamine.PasswordError) or "password" in str(exc).lower():
        return _refuse(_("「%(f)s」设置了密码（文件已加密），无法读取。请取消密码后重新导入。") % {"f": filename})
    return _refuse(_("「%(f)s」无法读取，文件可能已损坏：%(e)s") % {"f": filename, "e": exc})


def max_rows() -> int:
    """Data rows one sheet may hold (GAIZAO_IMPORT_MAX_ROWS); every upload that reads a workbook."""
    return settings.GAIZAO_IMPORT_MAX_ROWS


def _limit(rows: int | None) -> int:
    return max_rows() if rows is None else rows


def _too_many_rows(*, sheet: str, count: int | None, limit: int) -> AppError:
    limit = f"{limit:,}"
    if count is None:
        return _refuse(_("工作表「%(s)s」的行数超过单次导入上限 %(max)s 行；请拆分后分批导入。") % {"s": sheet, "max": limit})
    return _refuse(_("工作表「%(s)s」有 %(n)s 行，超过单次导入上限 %(max)s 行；请拆分后分批导入。")
                   % {"s": sheet, "n": f"{count:,}", "max": limit})


def _check_rows(count: int, *, sheet: str, limit: int) -> None:
    if count > limit + ROW_SLACK:
        raise _too_many_rows(sheet=sheet, count=count, limit=limit)


def _check_columns(count: int, *, sheet: str) -> None:
    if count > MAX_COLUMNS:
        raise _refuse(_("工作表「%(s)s」有 %(n)d 列，超过单次导入上限 %(max)d 列；请删去不需要的列后再导入。")
                      % {"s": sheet, "n": count, "max": MAX_COLUMNS})


class Merged(dict):
    """(row, col) -> value for the cells below the first cell of a vertical merge (calamine leaves them '').

    ``across`` holds the merges spanning two or more columns, as (top, left, bottom, right), 0-based
    and inclusive: a header row's group cells (建筑面积 over 合法 / 无证), never filled into the data.
    """

    across: tuple[tuple[int, int, int, int], ...] = ()


def _merged_fill(grid: list[list], ranges) -> Merged:
    """Cells below the first cell of a vertical merge, with the merged value; and the horizontal merges."""
    fill = Merged()
    fill.across = tuple((top, left, bottom, right) for (top, left), (bottom, right) in ranges or () if right > left)
    for (top, left), (bottom, _right) in ranges or ():
        if bottom <= top or top >= len(grid):
            continue
        row = grid[top]
        value = row[left] if left < len(row) else ""
        if value == "":
            continue
        for r in range(top + 1, min(bottom, len(grid) - 1) + 1):
            fill[(r, left)] = value
    return fill


_SUFFIXES_OF = {"xlsx": (".xlsx", ".xlsm", ".xlsb"), "xls": (".xls",), "ods": (".ods",)}


def _merged_ranges(sheet):
    try:
        return sheet.merged_cell_ranges
    except Exception:  # not every format reports merged cells
        return None


def open_calamine(path: Path, *, filename: str, kind: str, max_rows: int) -> _Source:
    """A workbook read by python-calamine (.xlsx/.xlsm/.xlsb, .xls, .ods); sheets of ``max_rows`` data rows at most."""
    try:
        if Path(filename).suffix.lower() in _SUFFIXES_OF[kind]:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        else:  # the content decides (an .xls saved as .xlsx): let calamine detect the format
            with open(path, "rb") as handle:
                workbook = python_calamine.CalamineWorkbook.from_filelike(handle)
        names = [meta.name for meta in workbook.sheets_metadata
                 if str(getattr(meta, "typ", "")).endswith("WorkSheet")] or list(workbook.sheet_names)
    except Exception as exc:  # calamine raises its own types; every one means "cannot read"
        raise _calamine_error(exc, filename=filename) from None
    sheets: dict[str, object] = {}

    def load(name: str, rows: int | None, *, with_merged: bool = False):
        try:
            if name not in sheets:
                sheets[name] = workbook.get_sheet_by_name(name)
            sheet = sheets[name]
            if rows is None:
                end = sheet.end  # .xls and .ods, which the guard does not read, are checked here
                _check_rows(end[0] + 1 if end else 0, sheet=name, limit=max_rows)
                _check_columns(end[1] + 1 if end else 0, sheet=name)
            grid = sheet.to_python(skip_empty_area=False, nrows=rows)
            if rows is None:
                ranges = _merged_ranges(sheet)
                del sheets[name]  # the parsed sheet is held in Rust memory: let it go now
        except AppError:
            raise
        except Exception as exc:
            raise _calamine_error(exc, filename=filename) from None
        if not with_merged:
            return grid
        if rows is not None:
            ranges = _merged_ranges(sheets[name])
        return grid, _merged_fill(grid, ranges)

    def count(name: str) -> int:
        try:
            if name not in sheets:
                sheets[name] = workbook.get_sheet_by_name(name)
            end = sheets[name].end
        except Exception as exc:
            raise _calamine_error(exc, filename=filename) from None
        return end[0] + 1 if end else 0

    problems = None
    if kind == "xlsx":
        marked = _XlsxGuard(path, max_rows=max_rows).check(names)  # refuses an oversized sheet before calamine sees it
        problems = _scan_in_background(path, names, marked=marked)
    return _Source(names=names, loader=load, problems_loader=problems, counter=count)


def _scan_in_background(path: Path, names: list[str], *, marked: set[str] | None = None):
    """Start the formula scan of every sheet now; return how to wait for one sheet's result.

    calamine parses a sheet without holding the GIL and the scan mostly inflates zip data, which
    does not hold it either: run side by side they take the time of the slower (measured on
    100,000 rows: 1.15 s instead of 1.38 s). One thread, sheets in workbook order; it ends by
    itself after the last sheet, also when the import stops early.
    """
    language = translation.get_language()

    def scan(name: str) -> dict[tuple[int, int], str]:
        with translation.override(language):
            return xlsx_problem_cells(path, sheet_name=name)

    if marked is not None:  # the guard read every sheet already: only those with a marker need the scan
        names = [name for name in names if name in marked]
        if not names:
            return lambda name: {}
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gaizao-formula-scan")
    futures = {name: pool.submit(scan, name) for name in names}
    pool.shutdown(wait=False)
    if marked is not None:
        return lambda name: futures[name].result() if name in futures else {}
    return lambda name: futures[name].result() if name in futures else scan(name)


# --- the size of a sheet, before calamine parses it (xlsx only) --------------------------------

class _XlsxGuard:
    """Refuse a worksheet with too many rows or columns before python-calamine parses it.

    calamine builds one dense grid over a sheet's used range, so memory follows the furthest cell,
    not the file size: two cells, A1 and T1000001, cost 20 million cells. The ``<dimension>``
    element at the top of the sheet XML gives the range cheaply, but a generator may omit it or
    lie, so the XML is also streamed (``core.sheetscan``: bounded memory, a large sheet's back in a
    second process) and the guard stops at the first reference past the limit or when the row
    elements outnumber it. The same pass notes whether the sheet holds formulas or error cells,
    which spares the formula scan its own read of sheets without them. Measured in
    bench/README.md ("Import limits").
    """

    def __init__(self, path: Path, *, max_rows: int | None = None):
        self.path = path
        self.max_rows = _limit(max_rows)

    def check(self, names: list[str]) -> set[str] | None:
        """The sheets that hold a formula or an error value; None when the zip cannot be read here
        (calamine then reports it, and the row count after parsing still applies)."""
        marked: set[str] = set()
        limit = self.max_rows + ROW_SLACK
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = set(archive.namelist())
                for name in names:
                    member = _sheet_member(archive, name)
                    if member is None or member not in members or not member.endswith(".xml"):
                        return None
                    if self._sheet(archive, member, sheet=name, limit=limit):
                        marked.add(name)
        except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError, EOFError):
            return None
        return marked

    def _sheet(self, archive: zipfile.ZipFile, member: str, *, sheet: str, limit: int) -> bool:
        """Whether the sheet holds a marker; refused (AppError) when it reaches too far. A large
        sheet's back is scanned by a second process meanwhile (``sheetscan.Back``)."""
        size = archive.getinfo(member).file_size  # as the zip says: a lie only moves the split
        split = int(size * sheetscan.FRONT_SHARE) if size >= sheetscan.SPLIT_MIN_BYTES else None
        back = sheetscan.Back(str(self.path), member, start=split, limit=limit) if split else None
        try:
            with archive.open(member) as stream:
                front = sheetscan.scan(stream, limit=limit, stop=split, first=lambda text: self._dimension(text, sheet))
            self._judge(front, sheet=sheet, limit=limit)
            if split is None:
                return front.marker
            found = back.found()
            if found is None:  # the second process gave no answer: the back is read here
                with archive.open(member) as stream:
                    found = sheetscan.scan(stream, limit=limit, start=split)
            self._judge(found, sheet=sheet, limit=limit, tags=front.tags)
            return front.marker or found.marker
        finally:
            if back is not None:
                back.stop()

    def _dimension(self, text: bytes, sheet: str) -> None:
        dimension = sheetscan.DIMENSION.search(text)
        if dimension:
            right, bottom = dimension.group(3) or dimension.group(1), dimension.group(4) or dimension.group(2)
            _check_rows(int(bottom), sheet=sheet, limit=self.max_rows)
            _check_columns(_col_index(right) + 1, sheet=sheet)

    def _judge(self, found: sheetscan.Found, *, sheet: str, limit: int, tags: int = 0) -> None:
        """Refuse what a scan found: a column past CZ, a row past the limit, too many row elements
        (``tags``: those of the part before, counted with these)."""
        if found.column:
            _check_columns(_col_index(found.column.encode()) + 1, sheet=sheet)
        if found.column or found.far_row or found.too_many or tags + found.tags > 2 * limit:
            raise _too_many_rows(sheet=sheet, count=None, limit=self.max_rows)


# --- formulas without a cached result and error values (xlsx only) ---------------------------
# calamine reads a formula's cached result and shows error values (#DIV/0!) as ''. Both look
# like empty cells; the sheet XML tells them apart, so it is scanned when it holds either.

_SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
def _col_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding a worksheet's XML (xl/workbook.xml names it, the rels file locates it)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{{{_PACKAGE_RELS}}}Relationship")}
    for sheet in workbook.iter(f"{{{_SPREADSHEET}}}sheet"):
        if sheet.get("name") == sheet_name:
            target = targets.get(sheet.get(f"{{{_OFFICE_RELS}}}id"), "")
            if target:
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _has_marker(archive: zipfile.ZipFile, member: str, *, chunk: int = 4 * 1024 * 1024) -> bool:
    """Whether the sheet XML holds a formula ("</f>") or an error cell (t="e"), read in chunks.

    A 100,000-row sheet is ~100 MB of XML: reading it whole would double the import's memory.
    """
    tail = b""
    with archive.open(member) as stream:
        while block := stream.read(chunk):
            text = tail + block
            if b"f>" in text or b't="e"' in text:
                return True
            tail = text[-8:]
    return False


def xlsx_problem_cells(path: Path, *, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row, col) -> reason, for formulas without a cached result and cells holding an error value."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet_name)
            if member is None or member not in archive.namelist() or not _has_marker(archive, member):
                return {}
            xml = archive.read(member)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
        return {}
    problems: dict[tuple[int, int], str] = {}
    for letters, row, attrs, body in _CELL.findall(xml):
        body = body or b""
        value = _VALUE.search(body)
        if b't="e"' in attrs:
            text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
            problems[(int(row) - 1, _col_index(letters))] = _("单元格是错误值 %(v)s，请改正公式或填写数值。") % {"v": text}
        elif _FORMULA.search(body) and (value is None or value.group(1) == b""):
            problems[(int(row) - 1, _col_index(letters))] = _(
                "单元格是公式但没有计算结果（文件不是由 Excel 保存的）；请在 Excel 中打开并保存后再导入，或把公式改成数值。")
    return problems


# --- CSV ----------------------------------------------------------------------------------------

def _decode(raw: bytes, *, filename: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise _refuse(_("「%(f)s」的文字编码无法识别；请另存为“CSV UTF-8（逗号分隔）”后再导入。") % {"f": filename}) from None


def open_csv(path: Path, *, filename: str, max_rows: int | None = None) -> _Source:
    """A CSV file as one sheet named after the file."""
    text = _decode(Path(path).read_bytes(), filename=filename)
    if "\x00" in text:
        raise _refuse(_("「%(f)s」不是文本文件，不能按 CSV 读取。") % {"f": filename})
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    name = Path(filename).stem or "CSV"
    data_rows = _limit(max_rows)

    def load(_name: str, rows: int | None, *, with_merged: bool = False):
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        grid = []
        limit = data_rows + ROW_SLACK
        for index, row in enumerate(reader):
            if rows is not None and index >= rows:
                break
            if index >= limit:  # stop at the limit: the grid never grows past it
                raise _too_many_rows(sheet=name, count=None, limit=data_rows)
            grid.append(row)
        return (grid, {}) if with_merged else grid

    return _Source(names=[name], loader=load)


def open_file(path: Path, *, filename: str | None = None, max_rows: int | None = None,
              max_bytes: int | None = None) -> _Source:
    """Check and open a spreadsheet; raise AppError with a Chinese message when it cannot be read.

    ``max_rows`` (data rows per sheet) defaults to GAIZAO_IMPORT_MAX_ROWS, ``max_bytes`` to
    ``MAX_FILE_BYTES``: an import with smaller files in mind may pass lower ones.
    """
    path = Path(path)
    filename = filename or path.name
    kind = check_file(path, filename=filename, max_bytes=max_bytes)
    if kind == "csv":
        return open_csv(path, filename=filename, max_rows=max_rows)
    return open_calamine(path, filename=filename, kind=kind, max_rows=_limit(max_rows))
