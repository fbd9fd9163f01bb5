"""The fast insert (core.bulk.RowWriter) stores what the model fields would store."""

import datetime as dt

import pytest
from django.utils import timezone

from gaizao.core import crypto
from gaizao.core.bulk import RowWriter
from gaizao.core.models import AuditEntry
from gaizao.ledger.models import Household

COLUMNS = ("project_id", "street_id", "village_id", "number", "head_name", "head_initials", "address",
           "head_id_number", "phone")


def test_it_encrypts_hashes_and_fills_defaults_as_the_fields_do(cast):
    project = cast.project_a
    start = timezone.now()
    written = RowWriter(Household, COLUMNS).write([
        (project.id, project.village.street_id, project.village_id, "BW-1", "王五", "ww", "", "11010519491231002X", ""),
        (project.id, project.village.street_id, project.village_id, "BW-2", "赵六", "zl", "", None, "13812345678"),
    ])
    assert written == 2
    first, second = Household.objects.filter(number__in=["BW-1", "BW-2"]).order_by("number")
    assert first.head_id_number == "11010519491231002X"
    assert first.head_id_hash == crypto.lookup_hash("11010519491231002X")
    assert first.phone is None and first.phone_hash is None  # empty is NULL, as the field stores it
    assert second.head_id_hash is None and second.phone == "13812345678"
    assert first.member_count == 1 and first.stage == "registered" and first.version == 1
    assert first.created_at >= start and first.updated_at == first.created_at


def test_it_converts_json_and_fixed_columns_and_reports_progress_per_batch(cast):
    at = timezone.now() - dt.timedelta(days=1)
    progress = []
    writer = RowWriter(AuditEntry, ("action", "changes", "prev_hash", "entry_hash"), batch_size=2,
                       fixed={"created_at": at, "actor_id": cast.admin.pk, "actor_name": "admin",
                              "object_type": "", "object_id": "", "object_repr": ""})
    rows = ((f"bulk.test{i}", {"after": {"n": i, "名": "张三"}}, "0" * 64, f"{i:064d}") for i in range(5))
    assert writer.write(rows, progress=progress.append) == 5
    assert progress == [2, 4, 5]
    entries = list(AuditEntry.objects.filter(action__startswith="bulk.test").order_by("action"))
    assert [e.changes for e in entries] == [{"after": {"n": i, "名": "张三"}} for i in range(5)]
    assert {(e.created_at, e.actor_id, e.actor_name, e.result, e.ip) for e in entries} == {
        (at, cast.admin.pk, "admin", "success", None)}


@pytest.mark.parametrize("columns, message", [
    (("project_id", "number", "nonsense"), "has no column nonsense"),
    ((*COLUMNS, "phone_hash"), "computed from phone"),
    (("id", "number", "head_name"), "Household.project_id"),
])
def test_it_refuses_columns_it_cannot_fill(db, columns, message):
    with pytest.raises(ValueError, match=message):
        RowWriter(Household, columns)
