"""The household list's export (按筛选条件导出): the list's filters, every page, numbers masked, audited,
a fixed number of queries whatever the number of households."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from tests.ledger.conftest import citizen_id


def _sheet(response, name: str = "住户房屋") -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def _numbers(rows: list[list]) -> list[str]:
    return [row[0] for row in rows[1:]]


def _many(cast, count: int) -> None:
    for i in range(count):
        household = ledger_services.household_create(
            actor=cast.admin, project=cast.project_a, number=f"DX-{i:03d}", head_name=f"某{i}",
            head_id_number=citizen_id(100 + i), phone=f"139{i:08d}")
        ledger_services.building_add(actor=cast.admin, household=household, number="1")


def test_a_street_exports_its_households_masked_with_village_and_project(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:household_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    rows = _sheet(response)
    assert rows[0][-3:] == ["包户干部", "城中村", "项目编码"]
    assert _numbers(rows) == ["DH-001", "DH-002"]  # street B's XL-001 is not theirs
    dh001 = rows[1]
    assert dh001[2] == "110105********002X" and dh001[3] == "138****5678" and dh001[-3:] == ["陈包户", "东湖村", "P001"]
    entry = AuditEntry.objects.get(action="ledger.export_list")
    assert entry.actor_name == "street_a" and entry.changes["households"] == 2


def test_the_export_takes_the_lists_filters_not_its_page(cast, login_as):
    _many(cast, 3)
    client = login_as(cast.commander)
    rows = _sheet(client.get(reverse("ledger:household_export"), {"q": "DX", "after": 999999}))
    assert _numbers(rows) == ["DX-000", "DX-001", "DX-002"]
    rows = _sheet(client.get(reverse("ledger:household_export"), {"street": cast.street_b.pk}))
    assert _numbers(rows) == ["XL-001"]
    assert AuditEntry.objects.filter(action="ledger.export_list").latest("id").changes["filters"] == {
        "street_id": cast.street_b.pk}


def test_the_lists_export_button_carries_its_filters(cast, login_as):
    page = login_as(cast.street_user_a).get(reverse("ledger:household_list"), {"stage": "registered", "after": 5})
    body = page.content.decode()
    assert 'data-testid="export-filtered"' in body
    assert f'{reverse("ledger:household_export")}?stage=registered"' in body


@pytest.mark.parametrize("extra", [2, 30])
def test_the_export_costs_the_same_queries_for_few_or_many(cast, login_as, django_assert_num_queries, extra):
    _many(cast, extra)
    client = login_as(cast.street_user_a)
    # 7 for every request (tests/ledger/test_query_counts.py; no filter is read without a value); the ids;
    # households, their cadres' names, buildings and members of the one batch (2,000 a batch); the audit
    # entry (chain head, insert; on PostgreSQL also the chain's advisory lock)
    from django.db import connection

    lock = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(7 + 1 + 4 + 2 + lock):
        response = client.get(reverse("ledger:household_export"))
    assert len(_numbers(_sheet(response))) == 2 + extra


def test_cadres_and_residents_have_no_export(cast, login_as):
    for user in (cast.cadre, cast.resident):
        assert login_as(user).get(reverse("ledger:household_export")).status_code == 404
    body = login_as(cast.cadre).get(reverse("ledger:household_list")).content.decode()
    assert 'data-testid="export-filtered"' not in body


def test_a_search_by_id_is_not_exported(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:household_export"),
                                                {"q": "11010519491231002X"}, follow=True)
    assert "按身份证号查询的结果不能导出" in response.content.decode()
    assert not AuditEntry.objects.filter(action="ledger.export_list").exists()


def test_a_bad_filter_is_said_in_chinese(cast, login_as):
    response = login_as(cast.street_user_a).get(reverse("ledger:household_export"), {"stage": "nonsense"},
                                                follow=True)
    assert "筛选条件有误" in response.content.decode() and "阶段" in response.content.decode()
    assert not AuditEntry.objects.filter(action="ledger.export_list").exists()
