"""Two signatures recorded at the same moment in one project get consecutive signing order numbers (签约顺序号),
never the same one and never a gap: the number is read and written inside the signing transaction, with the
project's row locked (PostgreSQL) or the database's one writer (SQLite, transactions begun IMMEDIATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gaizao.compensation.choices import AgreementStatus
from gaizao.compensation.models import Agreement
from gaizao.compensation.services.agreements import agreement_generate, agreement_sign
from tests.compensation.samples_agreements import calculation
from tests.compensation.test_agreements import days, period, valued


# SQLite's in-memory test database (shared cache) answers a second writer "table is locked" at once rather than
# waiting as its file database does (busy_timeout, transactions begun IMMEDIATE): the race is run on PostgreSQL,
# where the project's row lock is what keeps it (CI runs the suite on both).
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the in-memory SQLite test database cannot wait")
@pytest.mark.django_db(transaction=True)
def test_two_signatures_at_once_get_consecutive_order_numbers(cast):
    period(cast.project_a, days(-10), days(10))
    ids = []
    for household in (cast.household_a1, cast.household_a2):
        valued(cast, household)
        calculation(household)
        ids.append(agreement_generate(actor=cast.admin, household=household).pk)
    start = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def sign(pk: int) -> None:
        try:
            start.wait(timeout=10)
            agreement_sign(actor=cast.admin, agreement=pk, signed_on=days(-1))
        except BaseException as exc:  # noqa: BLE001 — reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    signed = Agreement.objects.filter(pk__in=ids)
    assert {a.status for a in signed} == {AgreementStatus.SIGNED}
    assert sorted(a.order_no for a in signed) == [1, 2]
