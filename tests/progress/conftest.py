"""Fixtures the progress tests share (used by name: some tests tamper with rollups on purpose)."""

import pytest

from gaizao.progress import rollups


@pytest.fixture
def rollups_stay_correct(db):
    """After the scenario, the stored rollups and household stages equal a recount from events."""
    yield
    result = rollups.verify()
    assert result.ok, result.mismatch


# --- households whose buildings the stage rules read (认定, 拆除, the heritage override) -------------

HERITAGE_REASON = "经区文物主管部门批准迁建（云文物〔2026〕12号）"
VACATED_WALK = ("surveyed", "decided", "valued", "signed", "vacated")


@pytest.fixture
def vacated(cast, db):
    """Ready to be demolished (腾空交房 on 2026-03-05): DH-001 with building 1 bearing the ancestral hall
    李氏宗祠 and a plain building 2; DH-002 with one plain building. XL-001 (street B) is surveyed, its
    one building still 待认定."""
    import datetime as dt
    from types import SimpleNamespace

    from gaizao.ledger import services as ledger_services
    from gaizao.progress.services import household_record_event

    admin = cast.admin
    a1, a2, b1 = cast.household_a1, cast.household_a2, cast.household_b1
    hall_building = a1.buildings.get()
    annex = ledger_services.building_add(actor=admin, household=a1, number="2", legality="legal")
    plain = ledger_services.building_add(actor=admin, household=a2, number="1", legality="temporary")
    pending = ledger_services.building_add(actor=admin, household=b1, number="1")
    hall = ledger_services.heritage_create(actor=admin, village=cast.village_a, kind="ancestral_hall",
                                           name="李氏宗祠", building=hall_building)
    for household in (a1, a2):
        for offset, kind in enumerate(VACATED_WALK):
            household_record_event(actor=admin, household=household, kind=kind,
                                   on_date=dt.date(2026, 3, 1) + dt.timedelta(days=offset))
    household_record_event(actor=admin, household=b1, kind="surveyed", on_date=dt.date(2026, 3, 1))
    return SimpleNamespace(a1=a1, a2=a2, b1=b1, hall=hall, hall_building=hall_building, annex=annex, plain=plain,
                           pending=pending)
