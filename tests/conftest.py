"""The fixed cast every test uses (Zulip style): one district, two streets, a user per role.

Users share one Argon2 hash computed once, so a test run does not spend its time hashing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password

from gaizao.core.actors import SYSTEM
from gaizao.ledger import services as ledger_services
from gaizao.org import services as org_services
from gaizao.org.choices import OrgKind, Role

PASSWORD = "Gaizao-Test-2026!"
_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(make_password(PASSWORD))
    return _HASH[0]


@dataclass
class Cast:
    district: object
    office: object
    street_a: object
    street_b: object
    community_a: object
    department: object
    admin: object
    commander: object
    leader: object
    street_user_a: object
    street_user_b: object
    department_user: object
    cadre: object
    resident: object
    outsider: object
    auditor: object
    security: object
    village_a: object
    village_b: object
    project_a: object
    project_b: object
    household_a1: object  # street A, assigned to the cadre
    household_a2: object  # street A, the resident's own household
    household_b1: object  # street B


def _user(username: str, full_name: str, *memberships):
    return org_services.user_create(
        actor=SYSTEM, username=username, password="", full_name=full_name,
        memberships=list(memberships), password_hash=password_hash(),
    )


def build_cast() -> Cast:
    unit = org_services.orgunit_create
    district = unit(actor=SYSTEM, code="440199", name="云溪区", kind=OrgKind.DISTRICT)
    office = unit(actor=SYSTEM, code="440199-BGS", name="领导小组办公室", kind=OrgKind.OFFICE, parent=district)
    street_a = unit(actor=SYSTEM, code="440199001", name="东湖街道", kind=OrgKind.STREET, parent=district)
    street_b = unit(actor=SYSTEM, code="440199002", name="西岭街道", kind=OrgKind.STREET, parent=district)
    community_a = unit(actor=SYSTEM, code="440199001001", name="东湖社区", kind=OrgKind.COMMUNITY, parent=street_a)
    department = unit(actor=SYSTEM, code="440199-ZJJ", name="住房和城乡建设局", kind=OrgKind.DEPARTMENT, parent=district)

    admin = _user("admin", "系统管理员", (Role.ADMIN, district))
    commander = _user("commander", "周指挥", (Role.COMMANDER, office))
    leader = _user("leader", "郑区长", (Role.LEADER, district))
    street_user_a = _user("street_a", "王东湖", (Role.STREET, street_a))
    street_user_b = _user("street_b", "李西岭", (Role.STREET, street_b))
    department_user = _user("dept", "赵住建", (Role.DEPARTMENT, department))
    cadre = _user("cadre", "陈包户", (Role.CADRE, community_a))
    resident = _user("resident", "张三", (Role.RESIDENT, community_a))
    outsider = _user("outsider", "无岗位")
    auditor = _user("auditor", "孙审计", (Role.AUDITOR, district))
    security = _user("security", "钱安全", (Role.SECURITY, district))

    v = ledger_services.village_create
    village_a = v(actor=admin, street=street_a, code="V001", name="东湖村", mode="demolish_rebuild", year=2026)
    # Both villages demolish (拆除新建): their households sign and are demolished (the upgrade and mixed
    # ways are tried in tests/progress/test_modes.py, with villages of their own).
    village_b = v(actor=admin, street=street_b, code="V002", name="西岭村", mode="demolish_rebuild", year=2026)
    p = ledger_services.project_create
    project_a = p(actor=admin, village=village_a, code="P001", name="东湖村一期")
    project_b = p(actor=admin, village=village_b, code="P002", name="西岭村一期")
    h = ledger_services.household_create
    household_a1 = h(actor=admin, project=project_a, number="DH-001", head_name="李四",
                     head_id_number="11010519491231002X", phone="13812345678", cadre=cadre)
    household_a2 = h(actor=admin, project=project_a, number="DH-002", head_name="张三",
                     head_id_number="440106199001011235", phone="13900001111", resident=resident)
    household_b1 = h(actor=admin, project=project_b, number="XL-001", head_name="王五",
                     head_id_number=None, phone="13700002222")
    ledger_services.building_add(actor=admin, household=household_a1, number="1", legal_area=Decimal("120.50"),
                                 unlicensed_area=Decimal("30.00"), legality="legal")
    return Cast(**{k: val for k, val in locals().items() if k in Cast.__dataclass_fields__})


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


def login(client, user) -> None:
    """Sign a test client in; privileged roles also pass their second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.needs_second_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()


@pytest.fixture
def media(settings, tmp_path):
    """Uploads, photos, attachments and import files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _audit_triggers_around_flush(request):
    """Transactional tests end with a flush, which the append-only triggers rightly refuse on
    SQLite (DELETE FROM). Drop them just before the flush and put them back at the next start."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from gaizao.core import audit_triggers

    audit_triggers.install(connection)
    yield
    audit_triggers.remove(connection)


@pytest.fixture(autouse=True)
def _known_values_per_test():
    """The office's known values (ledger.known) are cached a minute per process: each test's database
    starts afresh, so neither may it meet the values a test before it added (and rolled back)."""
    from gaizao.ledger import known

    known.forget()
    yield
    known.forget()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test():
    """Each test's database starts afresh, so it must not meet the audit checkpoints of the last
    (the file is this test process's own: gaizao.testenv)."""
    yield
    from django.conf import settings

    settings.AUDIT_CHECKPOINT_FILE.unlink(missing_ok=True)
