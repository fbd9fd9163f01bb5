"""The progress table (进度表): the XLSX officials download and the page that previews it.

The file is opened with openpyxl and read as a person would: title, headers, one row per street
and village in scope, a 合计 row equal to the street rows, formats, print setup.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gaizao.core.actors import SYSTEM
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind
from gaizao.progress.services import household_record_event
from tests.progress.helpers import decidable

pytestmark = pytest.mark.django_db
WALK = ["surveyed", "decided", "valued", "signed", "vacated", "demolished", "resettled"]
STAGE_GROUPS = ["入户调查", "认定", "评估", "签约", "腾空交房", "拆除", "安置"]
FIRST_ROW = 5


def walk(actor, household, until: str, *, on: dt.date) -> None:
    for kind in WALK[:WALK.index(until) + 1]:
        household_record_event(actor=actor, household=household, kind=kind, on_date=on)


@pytest.fixture
def progress(cast):
    """Street A: DH-001 (150.50 ㎡) vacated, DH-002 (80.25 ㎡) valued; street B: XL-001 surveyed.

    Street A has a second village (V003, no households yet) so a street has several village rows.
    """
    today = timezone.localdate()
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=today - dt.timedelta(days=60),
                                                         signing_end=today + dt.timedelta(days=30))
    ledger_services.village_create(actor=cast.admin, street=cast.street_a, code="V003", name="东湖新村",
                                   mode="upgrade", year=2027)
    ledger_services.building_add(actor=cast.admin, household=cast.household_a2, number="1",
                                 legal_area=Decimal("80.25"), legality="legal")
    walk(cast.street_user_a, cast.household_a1, "vacated", on=today - dt.timedelta(days=10))
    walk(cast.street_user_a, cast.household_a2, "valued", on=today - dt.timedelta(days=20))
    walk(cast.street_user_b, cast.household_b1, "surveyed", on=today - dt.timedelta(days=3))
    return cast


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active


def _rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=FIRST_ROW, values_only=True)]


def _column(sheet, group: str, sub: str) -> int:
    """The 1-based column of a sub-header (户数 / 比例 / 面积（㎡）) under a group header on row 3."""
    for cell in sheet[3]:
        if cell.value == group:
            for offset in range(3):
                if sheet.cell(row=4, column=cell.column + offset).value == sub:
                    return cell.column + offset
    raise AssertionError(f"no column {group}/{sub}")


def _row_of(sheet, *, street: str | None = None, village: str | None = None, total: bool = False) -> int:
    for r in range(FIRST_ROW, sheet.max_row + 1):
        b, c = sheet.cell(row=r, column=2).value, sheet.cell(row=r, column=3).value
        if total and sheet.cell(row=r, column=1).value == "合计":
            return r
        if street and b == street and c == "小计":
            return r
        if village and c == village:
            return r
    raise AssertionError(f"no row {street or village or '合计'}")


def test_the_district_table_has_title_headers_and_a_row_per_street_and_village(progress, login_as):
    response = login_as(progress.leader).get("/progress/table.xlsx")
    assert "attachment" in response["Content-Disposition"]
    assert "%E8%BF%9B%E5%BA%A6%E8%A1%A8" in response["Content-Disposition"]  # 进度表 in the file name
    sheet = _sheet(response)
    today = timezone.localdate()
    assert sheet["A1"].value == "云溪区城中村改造进度表"
    assert sheet["A2"].value == f"统计截至 {today.year}年{today.month}月{today.day}日"
    assert "单位：户、平方米（㎡）" in [c.value for c in sheet[2] if c.value][-1]
    width = sheet.max_column
    assert any(str(r) == f"A1:{get_column_letter(width)}1" for r in sheet.merged_cells.ranges)
    top = [c.value for c in sheet[3]]
    assert top[:4] == ["序号", "街道", "城中村", "改造范围"]
    assert [v for v in top[5:] if v][:7] == STAGE_GROUPS
    assert top[-2:] == ["签约期", "预计完成签约"]
    bottom = [c.value for c in sheet[4]]
    assert bottom[3:8] == ["户数", "面积（㎡）", "户数", "比例", "面积（㎡）"]
    assert width == 5 + 3 * 7 + 2
    rows = _rows(sheet)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("一", "东湖街道", "小计"), ("1", None, "东湖村"), ("2", None, "东湖新村"),
        ("二", "西岭街道", "小计"), ("1", None, "西岭村"),
        ("合计", None, None),
    ]


def test_totals_equal_the_sum_of_the_street_rows(progress, login_as):
    sheet = _sheet(login_as(progress.leader).get("/progress/table.xlsx"))
    streets = [_row_of(sheet, street="东湖街道"), _row_of(sheet, street="西岭街道")]
    total = _row_of(sheet, total=True)
    for col in range(4, sheet.max_column - 1):
        sub = sheet.cell(row=4, column=col).value
        values = [sheet.cell(row=r, column=col).value for r in streets]
        got = sheet.cell(row=total, column=col).value
        if sub == "比例":
            households = sheet.cell(row=total, column=4).value
            count = sheet.cell(row=total, column=col - 1).value
            assert got == pytest.approx(round(count / households, 3)), col
        else:
            assert got == pytest.approx(sum(values)), col
    assert sheet.cell(row=total, column=4).value == 3
    assert sheet.cell(row=total, column=5).value == pytest.approx(230.75)
    signed = _column(sheet, "签约", "户数")
    assert [sheet.cell(row=r, column=signed).value for r in (*streets, total)] == [1, 0, 1]
    assert sheet.cell(row=total, column=signed + 1).value == pytest.approx(0.333)
    # The street row is the sum of its villages as well.
    villages = [_row_of(sheet, village="东湖村"), _row_of(sheet, village="东湖新村")]
    assert sum(sheet.cell(row=r, column=4).value for r in villages) == sheet.cell(row=streets[0], column=4).value


def test_numbers_are_formatted_for_officials(progress, login_as):
    sheet = _sheet(login_as(progress.leader).get("/progress/table.xlsx"))
    row = _row_of(sheet, village="东湖村")
    signed = _column(sheet, "签约", "户数")
    assert sheet.cell(row=row, column=signed).number_format == "#,##0"
    assert sheet.cell(row=row, column=signed + 1).number_format == "0.0%"
    assert sheet.cell(row=row, column=signed + 1).value == pytest.approx(0.5)
    assert sheet.cell(row=row, column=signed + 2).number_format == "#,##0.00"
    assert sheet.cell(row=row, column=signed + 2).value == pytest.approx(150.50)
    assert sheet.cell(row=_row_of(sheet, street="东湖街道"), column=2).font.b
    assert not sheet.cell(row=row, column=3).font.b
    assert sheet.cell(row=row, column=3).alignment.indent == 1
    assert sheet.cell(row=_row_of(sheet, total=True), column=1).font.b
    # An empty village has no rate (blank), not 0 % of nothing.
    empty = _row_of(sheet, village="东湖新村")
    assert sheet.cell(row=empty, column=signed + 1).value is None
    assert sheet.freeze_panes == "D5"
    assert sheet.column_dimensions["C"].width >= 12
    # Signing status and forecast of the village with an open signing period.
    assert sheet.cell(row=row, column=sheet.max_column - 1).value == "签约中"
    assert sheet.cell(row=_row_of(sheet, village="西岭村"), column=sheet.max_column - 1).value == "未设签约期"
    forecast = timezone.localdate() + dt.timedelta(days=28)
    assert sheet.cell(row=row, column=sheet.max_column).value == \
        f"{forecast.year}年{forecast.month}月{forecast.day}日"


def test_print_setup_is_a4_landscape_fit_to_width_with_repeated_headers(progress, login_as):
    sheet = _sheet(login_as(progress.leader).get("/progress/table.xlsx"))
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows.replace("$", "") == "3:4"


def test_a_street_users_file_has_only_their_street(progress, login_as):
    sheet = _sheet(login_as(progress.street_user_a).get("/progress/table.xlsx"))
    assert sheet["A1"].value == "云溪区东湖街道城中村改造进度表"
    names = {v for row in _rows(sheet) for v in row[1:3] if v}
    assert names == {"东湖街道", "小计", "东湖村", "东湖新村"}
    assert "西岭村" not in str([list(r) for r in sheet.iter_rows(values_only=True)])
    total = _row_of(sheet, total=True)
    assert sheet.cell(row=total, column=4).value == 2


def test_a_street_user_cannot_ask_for_another_street(progress, login_as):
    client = login_as(progress.street_user_a)
    assert client.get("/progress/table.xlsx?street=440199002").status_code == 404
    assert client.get("/progress/table/?street=440199002").status_code == 404


@pytest.mark.parametrize("who", ["cadre", "resident", "outsider", "department_user", "auditor"])
def test_roles_without_a_dashboard_get_404(progress, login_as, who):
    client = login_as(getattr(progress, who))
    assert client.get("/progress/table.xlsx").status_code == 404
    assert client.get("/progress/table/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, progress):
    response = client.get("/progress/table.xlsx")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_district_role_can_pick_a_street(progress, login_as):
    sheet = _sheet(login_as(progress.commander).get("/progress/table.xlsx?street=440199002"))
    assert sheet["A1"].value == "云溪区西岭街道城中村改造进度表"
    assert [(r[1], r[2]) for r in _rows(sheet)] == [("西岭街道", "小计"), (None, "西岭村"), (None, None)]
    assert login_as(progress.commander).get("/progress/table.xlsx?street=NOPE").status_code == 404


def test_recording_a_signing_changes_the_right_cells(progress, login_as):
    client = login_as(progress.leader)
    before = _sheet(client.get("/progress/table.xlsx"))
    household_record_event(actor=progress.street_user_a, household=progress.household_a2, kind="signed",
                           on_date=timezone.localdate())
    after = _sheet(client.get("/progress/table.xlsx"))
    signed = _column(after, "签约", "户数")
    changed = set()
    for r in range(FIRST_ROW, after.max_row + 1):
        for c in range(1, after.max_column + 1):
            if before.cell(row=r, column=c).value != after.cell(row=r, column=c).value:
                changed.add((after.cell(row=r, column=3).value or after.cell(row=r, column=1).value, c))
    # The signing columns (户数, 比例, 面积) of 东湖村, 东湖街道 and 合计, their signing status (the threshold
    # is reached) and forecast (now all signed): nothing else.
    last = after.max_column
    assert changed == {(name, c) for name in ("东湖村", "小计", "合计")
                       for c in (signed, signed + 1, signed + 2, last - 1, last)}
    for name, row in (("village", _row_of(after, village="东湖村")), ("street", _row_of(after, street="东湖街道")),
                      ("total", _row_of(after, total=True))):
        assert after.cell(row=row, column=signed).value == before.cell(row=row, column=signed).value + 1, name
        assert after.cell(row=row, column=signed + 2).value == pytest.approx(
            before.cell(row=row, column=signed + 2).value + 80.25), name
    assert after.cell(row=_row_of(after, village="东湖村"), column=signed + 1).value == pytest.approx(1)
    assert after.cell(row=_row_of(after, village="东湖村"), column=after.max_column).value == "已全部签约"
    assert after.cell(row=_row_of(after, village="西岭村"), column=signed).value == 0


def test_the_page_shows_the_same_table_with_a_download_button(progress, login_as):
    response = login_as(progress.street_user_a).get("/progress/table/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="download-xlsx"' in html and "/progress/table.xlsx?street=440199001" in html
    table = response.context["table"]
    assert [(row.kind, row.village) for row in table.rows] == [
        ("street", "小计"), ("village", "东湖村"), ("village", "东湖新村"), ("total", "")]
    assert "东湖新村" in html and "西岭村" not in html
    assert "150.50" in html and "50.0%" in html
    district = login_as(progress.leader).get("/progress/table/").content.decode()
    assert '<option value="440199002"' in district and "西岭村" in district
    assert 'href="/progress/table.xlsx"' in district


def _more_streets(cast, count: int) -> None:
    today = timezone.localdate()
    for i in range(count):
        street = org_services.orgunit_create(actor=SYSTEM, code=f"44019901{i}", name=f"测试{i}街道",
                                             kind=OrgKind.STREET, parent=cast.district)
        for j in range(2):
            village = ledger_services.village_create(actor=cast.admin, street=street, code=f"VQ{i}{j}",
                                                     name=f"测试村{i}{j}", mode="demolish_rebuild", year=2026)
            project = ledger_services.project_create(actor=cast.admin, village=village, code=f"PQ{i}{j}", name="一期")
            household = ledger_services.household_create(actor=cast.admin, project=project, number=f"Q-{i}{j}",
                                                         head_name="某某")
            decidable(cast.admin, [household])
            walk(cast.admin, household, "signed", on=today - dt.timedelta(days=i + 1))


@pytest.mark.parametrize("extra", [0, 4])
def test_query_counts_do_not_grow_with_streets_and_villages(progress, login_as, django_assert_num_queries, extra):
    _more_streets(progress, extra)
    client = login_as(progress.leader)
    # session, user, roles and the session save (6), district; streets, villages, projects with their
    # figures (6) and the projects' signing judgements (1); forecasts and deadlines of streets, villages
    # and the district (6); the campaign's targets of the streets and the district's goals (2 calls of the
    # provider, each 2 queries without a campaign: the running one, the latest one)
    with django_assert_num_queries(6 + 1 + 7 + 6 + 2 * 1):
        sheet = _sheet(client.get("/progress/table.xlsx"))
    assert len(_rows(sheet)) == 2 + 3 + 3 * extra + 1
    with django_assert_num_queries(6 + 1 + 7 + 6 + 2 * 1 + 1):  # the page also lists the streets to choose from
        client.get("/progress/table/")


def test_street_numbers_read_as_officials_write_them():
    from gaizao.progress.documents import chinese_number

    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 35)] == ["一", "九", "十", "十一", "二十", "二十一", "三十五"]


def test_a_district_without_streets_still_gives_a_table_with_a_zero_total():
    from gaizao.progress.documents import build_table, progress_table_bytes

    table = build_table(title="云溪区城中村改造进度表", as_of=dt.date(2026, 11, 26),
                        stage_labels=[("surveyed", "入户调查"), ("signed", "签约")], streets=[], villages=[],
                        projects=[], street_forecasts={}, village_forecasts={})
    sheet = load_workbook(io.BytesIO(progress_table_bytes(table))).active
    assert sheet["A2"].value == "统计截至 2026年11月26日"
    assert [list(r) for r in sheet.iter_rows(min_row=FIRST_ROW, values_only=True)] == [
        ["合计", None, None, 0, 0, 0, None, 0, 0, None, 0, None, None]]
