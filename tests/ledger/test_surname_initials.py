"""Surnames read as surnames for the pinyin initials (issue 10, item 7): 曾国藩 is "zgf", found by
"zgf"; a surname with two readings (乐 yuè/lè) is found by either; the household search keeps its
query count and its indexes; a migration rebuilds the initials stored before."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.importing.apply import initials
from gaizao.ledger.models import Household
from gaizao.ledger.selectors import household_list
from gaizao.ledger.selectors.lists import _household_search
from gaizao.ledger.surnames import COMPOUND_SURNAMES, OTHER_READINGS, SURNAME_INITIALS, name_initials
from tests.ledger.conftest import citizen_id

rebuild_head_initials = importlib.import_module(
    "gaizao.ledger.migrations.0010_head_initials_surname_readings").rebuild_head_initials


@pytest.mark.parametrize("name, expected", [
    ("曾国藩", "zgf"), ("区小明", "oxm"), ("单雄信", "sxx"), ("解缙", "xj"), ("仇英", "qy"), ("朴正熙", "pzx"),
    ("查良镛", "zly"), ("盖叫天", "gjt"), ("乐嘉", "yj"), ("翟志刚", "zzg"), ("覃柒", "qq"),
    ("单于丹", "cyd"), ("乐正华", "yzh"),  # compound surnames
    ("尉迟恭", "ycg"), ("欧阳娜娜", "oynn"), ("张三", "zs"),  # read whole, as before
    ("张曾", "zc"), ("李单", "ld"),  # a given name's characters keep their common reading
])
def test_a_surname_is_read_as_a_surname(name, expected):
    assert name_initials(name) == expected
    assert initials(name) == expected


_CHARACTERS = (list(SURNAME_INITIALS) + [c for name in COMPOUND_SURNAMES for c in name]
               + list("张王李曾单乐国藩雄信嘉正于重长行朝长孙尉迟欧阳令狐中心银行A1 "))


@settings(max_examples=400)
@given(st.text(alphabet=_CHARACTERS, min_size=1, max_size=6))
def test_the_imports_cached_initials_agree_with_the_service(name):
    assert initials(name) == ledger_services.name_initials(name)


def test_every_other_reading_belongs_to_a_surname_of_the_table():
    assert set(OTHER_READINGS) <= set(SURNAME_INITIALS)
    assert all(OTHER_READINGS[s] != SURNAME_INITIALS[s] for s in OTHER_READINGS)


@pytest.fixture
def named(cast):
    """Households of street A headed by 曾国藩, 单雄信, 乐嘉 and 乐正华 (initials computed by the service)."""
    created = {}
    for seq, name in enumerate(["曾国藩", "单雄信", "乐嘉", "乐正华"], start=60):
        created[name] = ledger_services.household_create(
            actor=cast.admin, project=cast.project_a, number=f"SN-{seq}", head_name=name,
            head_id_number=citizen_id(seq))
    return created


def _found(user, q: str) -> set[str]:
    return {h.head_name for h in household_list(user, q=q).items}


@pytest.mark.parametrize("q, expected", [
    ("zgf", {"曾国藩"}), ("ZG", {"曾国藩"}), ("cgf", set()),
    ("sxx", {"单雄信"}), ("dxx", set()),
    ("yj", {"乐嘉"}), ("lj", {"乐嘉"}),  # 乐 read yuè or lè
    ("yz", {"乐正华"}), ("lzh", {"乐正华"}),
    ("l", {"乐嘉", "乐正华", "李四"}), ("ls", {"李四"}),
])
def test_the_search_by_initials_reads_surnames_as_surnames(cast, named, q, expected):
    assert _found(cast.street_user_a, q) == expected


def test_the_search_page_finds_a_surname_by_either_reading(cast, named, login_as):
    client = login_as(cast.street_user_a)
    for q in ("yj", "lj"):
        response = client.get("/ledger/households/", {"q": q})
        assert {h.number for h in response.context["households"]} == {named["乐嘉"].number}


def test_a_second_reading_costs_no_query(cast, named, login_as):
    client = login_as(cast.street_user_a)
    counts = []
    for q in ("zs", "lj"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ledger/households/", {"q": q}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_the_second_reading_is_an_index_range(cast, named):
    inner = (Household.objects.filter(_household_search("lj")).order_by("id").values("id")[:51])
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "household_head_name_idx (head_name>? AND head_name<?)" in plan, plan
    assert "SCAN ledger_household" not in plan.replace("SCAN ledger_household USING", ""), plan


def test_the_migration_rebuilds_initials_stored_before(cast, named):
    old = {"曾国藩": "cgf", "单雄信": "dxx", "乐嘉": "lj", "乐正华": "lz"}
    for name, initials_before in old.items():
        Household.objects.filter(pk=named[name].pk).update(head_initials=initials_before)
    Household.objects.filter(pk=cast.household_a1.pk).update(head_initials="ls")  # 李四: nothing to change
    before = AuditEntry.objects.count()
    assert rebuild_head_initials(apps, None, batch=2) == 4  # two rows a query: the keyset walks on
    stored = dict(Household.objects.values_list("head_name", "head_initials"))
    assert {name: stored[name] for name in old} == {"曾国藩": "zgf", "单雄信": "sxx", "乐嘉": "yj", "乐正华": "yzh"}
    assert stored["李四"] == "ls"
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.changes) == ("ledger.head_initials_rebuild", {"rows": 4})
    assert rebuild_head_initials(apps, None) == 0
    assert AuditEntry.objects.count() == before + 1
