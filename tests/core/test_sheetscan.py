"""core.sheetscan: a sheet's XML scanned whole, or in two parts cut anywhere (the front here, the back
by a second process), comes to the same verdict: refused or not, the row elements, the markers."""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gaizao.core import sheetscan

LIMIT = 1_050  # GAIZAO_IMPORT_MAX_ROWS 1,000 and ROW_SLACK: rows from 1,100 on are far

_cells = st.lists(st.tuples(st.sampled_from(["A", "B", "P", "AA", "CZ", "DA", "ZZ", "AAA", "XFD"]),
                            st.sampled_from(["甲", "1", "f>", 't="e"', "x" * 12, ""])), max_size=4)
_rows = st.lists(st.tuples(st.one_of(st.integers(1, 1_099), st.integers(1_100, 2_000_000)), _cells,
                           st.booleans()), max_size=40)


def _xml(rows, *, dimension: bool) -> bytes:
    body = []
    for number, cells, referenced in rows:
        inner = "".join(f'<c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c>' if referenced
                        else f'<c t="inlineStr"><is><t>{text}</t></is></c>' for column, text in cells)
        body.append(f'<row r="{number}">{inner}</row>' if referenced else f"<row>{inner}</row>")
    head = '<dimension ref="A1:P9"/>' if dimension else ""
    return (f'<?xml version="1.0"?><worksheet xmlns="x">{head}<sheetData>{"".join(body)}</sheetData></worksheet>'
            ).encode()


def _refused(*found: sheetscan.Found) -> bool:
    return any(f.column or f.far_row or f.too_many for f in found) or sum(f.tags for f in found) > 2 * LIMIT


@settings(max_examples=1000, deadline=None)
# found by this test: the back began with a short unfinished tag, which was searched without its end
@example(rows=[(1_100, [], True), (1, [("A", "甲")] * 3, False)], dimension=False, cut=0.21875, chunk=64)
@given(rows=_rows, dimension=st.booleans(), cut=st.floats(0, 1), chunk=st.sampled_from([64, 97, 4096]))
def test_a_sheet_cut_in_two_anywhere_is_judged_as_the_whole(rows, dimension, cut, chunk):
    xml = _xml(rows, dimension=dimension)
    stop = max(1, int(len(xml) * cut))
    saved, sheetscan.GUARD_CHUNK = sheetscan.GUARD_CHUNK, chunk
    try:
        whole = sheetscan.scan(io.BytesIO(xml), limit=LIMIT)
        seen = []
        front = sheetscan.scan(io.BytesIO(xml), limit=LIMIT, stop=stop, first=seen.append)
        back = sheetscan.scan(io.BytesIO(xml), limit=LIMIT, start=stop)
    finally:
        sheetscan.GUARD_CHUNK = saved
    assert _refused(whole) == _refused(front, back)
    if not _refused(whole):
        assert whole.tags == front.tags + back.tags
        assert whole.marker == (front.marker or back.marker)
    elif (whole.column or whole.far_row) and not (front.too_many or back.too_many):
        far = front if (front.column or front.far_row) else back
        assert (far.column, far.far_row) == (whole.column, whole.far_row)  # the same first far reference
    assert seen and xml.startswith(seen[0][:10])  # the front's first block goes to the <dimension> check


def test_the_back_is_scanned_by_a_second_process(tmp_path):
    import zipfile

    def back_of(rows):
        xml = _xml(rows, dimension=False)
        path = tmp_path / "s.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", xml)
        start = len(xml) // 2
        return xml[xml.index(b"<", start):], sheetscan.Back(str(path), "xl/worksheets/sheet1.xml", start=start,
                                                            limit=LIMIT).found()

    clean = [(n, [("A", "甲"), ("B", "f>")], True) for n in range(1, 900)]
    part, found = back_of(clean)
    assert found == sheetscan.Found(tags=part.count(b"row"), marker=True)
    assert back_of([*clean, (1_200, [("B", "乙")], True)])[1] == sheetscan.Found(far_row=True)
    assert back_of([*clean, (5, [("XFD", "乙")], True)])[1] == sheetscan.Found(column="XFD")
