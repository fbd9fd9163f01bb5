"""Peak memory of refusing an oversized workbook (issue 15 item 8): the guard against calamine.

    .venv/bin/python bench/bench_import_limits.py [--rows 1000000]

Writes a sparse workbook (ROWS rows, a 户号 and a name in each, columns A–T used, as in the probe's
6.6 MB file) and measures, each in a fresh child process (peak resident set, ru_maxrss):

- guard:    ``reader.open_file`` with the default GAIZAO_IMPORT_MAX_ROWS (200,000): refused by
            ``_XlsxGuard`` before calamine parses the sheet;
- calamine: what the reader did before: ``get_sheet_by_name`` (parses the whole sheet), then the
            row count refused it;
- baseline: a child that only imports Django and the reader.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def generate(path: Path, rows: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="住户房屋" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        with archive.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
            out.write('<row r="1"><c r="A1" t="inlineStr"><is><t>户号</t></is></c><c r="T1" t="inlineStr">'
                      '<is><t>认定结果</t></is></c></row>'.encode())
            for r in range(2, rows + 1):
                out.write(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="T{r}"><v>1</v></c></row>'.encode())
            out.write(b"</sheetData></worksheet>")


def child(kind: str, path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    os.environ.setdefault("GAIZAO_DEBUG", "true")
    os.environ.setdefault("GAIZAO_DATA_KEY", "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f")
    import resource

    import django

    django.setup()
    from gaizao.core.errors import AppError
    from gaizao.core.tabular import reader

    started = time.perf_counter()
    message = ""
    if kind == "guard":
        try:
            source = reader.open_file(Path(path))
            source.head(source.names[0], 30)
        except AppError as exc:
            message = exc.message
    elif kind == "calamine":
        import python_calamine

        sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_name("住户房屋")
        message = f"parsed, end={sheet.end}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"kind": kind, "peak_mb": round(peak / 1024 / 1024, 1), "seconds": round(seconds, 2),
                      "message": message}, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=("guard", "calamine", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sparse.xlsx"
        generate(path, args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 1024 / 1024:.2f} MB")
        for kind in ("baseline", "guard", "calamine"):
            out = subprocess.run([sys.executable, __file__, "--child", kind, "--file", str(path)], cwd=ROOT,
                                 capture_output=True, text=True)
            print(out.stdout.strip() or out.stderr.strip()[-500:])


if __name__ == "__main__":
    main()
