"""Household detail, the resident's own household, and the audited reveal of full numbers."""

from __future__ import annotations

import pytest

from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household
from tests.ledger.conftest import ROLES, VISIBLE, citizen_id

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
REVEAL = "household.reveal_personal_data"
# In scope and allowed to reveal (write roles over the household, or the resident's own).
MAY_REVEAL = {
    "admin": {"household_a1", "household_a2", "household_b1"},
    "commander": {"household_a1", "household_a2", "household_b1"},
    "street_user_a": {"household_a1", "household_a2"},
    "street_user_b": {"household_b1"},
    "resident": {"household_a2"},
}


def reveals() -> int:
    return AuditEntry.objects.filter(action=REVEAL, result=AuditEntry.Result.SUCCESS).count()


def test_anonymous_is_sent_to_login(client, cast):
    for url in (f"/ledger/households/{cast.household_a1.pk}/", "/ledger/my-household/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    response = client.post(f"/ledger/households/{cast.household_a1.pk}/reveal/")
    assert response.status_code == 302
    assert reveals() == 0


@pytest.mark.parametrize("role", ROLES)
def test_detail_is_404_out_of_scope(cast, login_as, role):
    client = login_as(getattr(cast, role))
    for name in ("household_a1", "household_a2", "household_b1"):
        response = client.get(f"/ledger/households/{getattr(cast, name).pk}/")
        assert response.status_code == (200 if name in VISIBLE[role] else 404), (role, name)


def test_detail_shows_fields_members_buildings_masked(cast, login_as):
    member_id = citizen_id(3, region="110105", birth="19750302")
    ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name="李小四",
                               relation="child", id_number=member_id)
    response = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/")
    html = response.content.decode()
    for text in ("DH-001", "李四", "东湖村", "东湖村一期", "陈包户", "李小四", "子女", "砖混", "120.50", "30.00", "合法",
                 MASKED_ID, "138****5678", member_id[:6] + "********" + member_id[-4:], "显示完整号码"):
        assert text in html, text
    assert FULL_ID not in html
    assert "13812345678" not in html
    assert member_id not in html
    assert response.context["breadcrumbs"] == [
        ("住户台账", "/ledger/households/"), ("DH-001 李四", None),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_reveal_per_role(cast, login_as, role):
    client = login_as(getattr(cast, role))
    for name in ("household_a1", "household_a2", "household_b1"):
        household = getattr(cast, name)
        before = reveals()
        response = client.post(f"/ledger/households/{household.pk}/reveal/")
        if name in MAY_REVEAL.get(role, set()):
            assert response.status_code == 200, (role, name)
            assert household.phone in response.content.decode()
            assert reveals() == before + 1
        elif name in VISIBLE[role]:
            assert response.status_code == 403, (role, name)  # in scope, read only
            assert reveals() == before
        else:
            assert response.status_code == 404, (role, name)
            assert reveals() == before


def test_reveal_shows_full_numbers_and_is_audited(cast, login_as):
    member_id = citizen_id(5, region="110105", birth="19800101")
    ledger_services.person_add(actor=cast.admin, household=cast.household_a1, name="李小四",
                               relation="child", id_number=member_id)
    client = login_as(cast.street_user_a)
    client.get(f"/ledger/households/{cast.household_a1.pk}/")
    assert reveals() == 0  # looking is not revealing
    response = client.post(f"/ledger/households/{cast.household_a1.pk}/reveal/", REMOTE_ADDR="10.1.2.3")
    html = response.content.decode()
    assert FULL_ID in html and "13812345678" in html and member_id in html
    assert response.context["revealed"] is True
    entry = AuditEntry.objects.filter(action=REVEAL).get()
    assert entry.actor == cast.street_user_a
    assert entry.object_type == "ledger.household"
    assert entry.object_id == str(cast.household_a1.pk)
    assert entry.ip == "10.1.2.3"
    assert FULL_ID not in str(entry.changes)
    assert audit.verify().ok


def test_refused_reveal_is_recorded_as_a_failure(cast, login_as):
    response = login_as(cast.leader).post(f"/ledger/households/{cast.household_a1.pk}/reveal/")
    assert response.status_code == 403
    assert FULL_ID not in response.content.decode()
    entry = AuditEntry.objects.filter(action=REVEAL).get()
    assert entry.result == AuditEntry.Result.FAILURE
    assert entry.actor == cast.leader


def test_reveal_needs_post(cast, login_as):
    response = login_as(cast.street_user_a).get(f"/ledger/households/{cast.household_a1.pk}/reveal/")
    assert response.status_code == 405


def test_reveal_button_only_for_those_who_may(cast, login_as):
    url = f"/ledger/households/{cast.household_a1.pk}/"
    assert "显示完整号码" in login_as(cast.street_user_a).get(url).content.decode()
    assert "显示完整号码" not in login_as(cast.leader).get(url).content.decode()
    assert "显示完整号码" not in login_as(cast.cadre).get(url).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_my_household_only_for_its_resident(cast, login_as, role):
    response = login_as(getattr(cast, role)).get("/ledger/my-household/")
    if role == "resident":
        assert response.status_code == 200
        assert response.context["household"] == cast.household_a2
    else:
        assert response.status_code == 404


def test_my_household_is_masked_and_reveals_own_numbers(cast, login_as):
    client = login_as(cast.resident)
    response = client.get("/ledger/my-household/")
    html = response.content.decode()
    assert "440106********1235" in html and "440106199001011235" not in html
    assert response.context["breadcrumbs"] == [("我的住户", None)]
    assert 'action="/ledger/my-household/"' in html
    response = client.post("/ledger/my-household/")
    assert "440106199001011235" in response.content.decode()
    assert AuditEntry.objects.filter(action=REVEAL, actor_id=cast.resident.pk).count() == 1


def test_resident_without_a_household_gets_404(cast, login_as):
    Household.objects.filter(pk=cast.household_a2.pk).update(resident=None)
    assert login_as(cast.resident).get("/ledger/my-household/").status_code == 404
    assert login_as(cast.resident).post("/ledger/my-household/").status_code == 404


def test_service_refuses_out_of_scope_and_read_only(cast):
    from gaizao.core.errors import NotFound, PermissionDenied

    with pytest.raises(NotFound):
        ledger_services.household_reveal_personal_data(actor=cast.street_user_b, household=cast.household_a1)
    with pytest.raises(PermissionDenied):
        ledger_services.household_reveal_personal_data(actor=cast.cadre, household=cast.household_a1)
    data = ledger_services.household_reveal_personal_data(actor=cast.commander, household=cast.household_a1)
    assert data["head_id_number"] == FULL_ID and data["phone"] == "13812345678"


def test_the_resident_sees_no_staff_history_by_any_link(cast, login_as):
    """The household page by its id, and its building's page, show the resident what 我的住户 shows:
    no edit history, no staff names (a breadcrumb from the building page led there)."""
    ledger_services.household_update(actor=cast.street_user_a, household=cast.household_a2,
                                     version=cast.household_a2.version, address="东湖村三组 8 号")
    building = ledger_services.building_add(actor=cast.street_user_a, household=cast.household_a2, number="9",
                                            legal_area="80.00", legality="legal")
    client = login_as(cast.resident)
    page = client.get(f"/ledger/households/{cast.household_a2.pk}/")
    assert page.status_code == 200 and page.context["history"] is None and page.context["own"]
    assert 'data-testid="history-table"' not in page.content.decode()
    assert cast.street_user_a.username not in page.content.decode()
    page = client.get(f"/ledger/buildings/{building.pk}/")
    assert page.status_code == 200 and page.context["history"] is None
    assert 'data-testid="history-table"' not in page.content.decode()
    assert page.context["breadcrumbs"][0] == ("我的住户", "/ledger/my-household/")
    # Staff still see the history on both pages.
    staff = login_as(cast.street_user_a)
    assert staff.get(f"/ledger/households/{cast.household_a2.pk}/").context["history"]
    assert staff.get(f"/ledger/buildings/{building.pk}/").context["history"]
