"""Demo accounts (演示账号): one or more users for every role, with known passwords and, for the
roles that need a second factor, a confirmed TOTP device whose secret is printed.

Users are made with ``org.services.user_create``; the Argon2 hash of each distinct password is
computed once per process and passed as ``password_hash`` (hashing is deliberately slow).
"""

from __future__ import annotations

import hashlib
import random
import re
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry
from gaizao.demo.district import OrgTree, VillagePlan
from gaizao.demo.names import NamePicker
from gaizao.org.choices import SECOND_FACTOR_ROLES, Role
from gaizao.org.models import Membership, OrgUnit, User
from gaizao.org.services import user_create

# One demo password per role: ≥ 10 characters, four character classes (等保 policy).
ROLE_PASSWORDS: dict[str, str] = {
    Role.ADMIN: "Yunxi#Admin2026",
    Role.COMMANDER: "Yunxi#Zhihui2026",
    Role.LEADER: "Yunxi#Lingdao2026",
    Role.STREET: "Yunxi#Jiedao2026",
    Role.DEPARTMENT: "Yunxi#Bumen2026",
    Role.CADRE: "Yunxi#Baohu2026",
    Role.RESIDENT: "Yunxi#Jumin2026",
    Role.AUDITOR: "Yunxi#Shenji2026",
    Role.SECURITY: "Yunxi#Anquan2026",
}
CADRES_PER_STREET = 3
# The demo's usernames, in the order the logins table lists them.
ROLE_ORDER = (Role.ADMIN, Role.COMMANDER, Role.LEADER, Role.STREET, Role.DEPARTMENT, Role.AUDITOR,
              Role.SECURITY, Role.CADRE, Role.RESIDENT)
DEMO_USERNAME = re.compile(r"^(admin|commander|leader|auditor|security|resident|street\d{2}|dept_[a-z]+|cadre\d{4})$")
_HASHES: dict[str, str] = {}


@dataclass(frozen=True)
class DemoLogin:
    """A row of the printed logins table."""

    username: str
    role: str
    unit: str
    password: str


@dataclass(frozen=True)
class DemoSecondFactor:
    """The TOTP secret of a privileged demo account, to add to an authenticator app."""

    username: str
    secret: str
    uri: str


def password_hash(password: str) -> str:
    """The Argon2 hash of a demo password, computed once per process (the policy is checked too)."""
    if password not in _HASHES:
        password_validation.validate_password(password)
        _HASHES[password] = make_password(password)
    return _HASHES[password]


def totp_key(*, seed: int, username: str) -> str:
    """A 20-byte TOTP key (hex) derived from the seed, so a reload gives the same secret."""
    return hashlib.sha256(f"gaizao demo totp|{seed}|{username}".encode()).digest()[:20].hex()


class AccountMaker:
    """Creates the demo users and remembers what to print."""

    def __init__(self, *, rng: random.Random, seed: int):
        self.names = NamePicker(rng)
        self.rng = rng
        self.seed = seed
        self.logins: list[DemoLogin] = []
        self.second_factors: list[DemoSecondFactor] = []
        self.created = 0
        # For the progress history: who records a street's events, who visits its hard cases.
        self.street_staff: dict[int, int] = {}  # street pk -> its staff user's pk
        self.street_cadres: dict[int, list[tuple[int, str]]] = {}  # street pk -> [(cadre pk, full name)]

    def person_name(self) -> str:
        male = self.rng.random() < 0.6
        return self.names.full(male=male, birth_year=self.rng.randint(1966, 1996))

    def user(self, *, username: str, role: str, unit: OrgUnit, full_name: str | None = None) -> User:
        """The user ``username`` with ``role`` in ``unit``; an existing account is left as it is."""
        full_name = full_name or self.person_name()
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            self.logins.append(DemoLogin(username, str(Role(role).label), unit.name, "（已存在，未改动）"))
            return existing
        password = ROLE_PASSWORDS[role]
        user = user_create(actor=SYSTEM, username=username, password="", full_name=full_name,
                           memberships=[(role, unit)], password_hash=password_hash(password))
        self.created += 1
        self.logins.append(DemoLogin(username, str(Role(role).label), unit.name, password))
        if role in SECOND_FACTOR_ROLES:
            TOTPDevice.objects.create(user=user, name="演示动态口令", confirmed=True,
                                      key=totp_key(seed=self.seed, username=username))
            self.second_factors.append(second_factor_of(user))
        return user

    def staff(self, *, tree: OrgTree) -> None:
        """District-wide accounts, one per street, one per department, the 三员 accounts."""
        self.user(username="admin", role=Role.ADMIN, unit=tree.district)
        self.user(username="commander", role=Role.COMMANDER, unit=tree.office)
        self.user(username="leader", role=Role.LEADER, unit=tree.district)
        for s, street in enumerate(tree.streets, start=1):
            self.street_staff[street.pk] = self.user(username=f"street{s:02d}", role=Role.STREET, unit=street).pk
        for s, street in enumerate(tree.streets, start=1):
            # a second account per street: the weekly report is approved by another account (四眼原则)
            self.user(username=f"street{s:02d}b", role=Role.STREET, unit=street)
        for suffix, department in tree.departments:
            self.user(username=f"dept_{suffix}", role=Role.DEPARTMENT, unit=department)
        self.user(username="auditor", role=Role.AUDITOR, unit=tree.district)
        self.user(username="security", role=Role.SECURITY, unit=tree.district)

    def cadres(self, *, tree: OrgTree, villages: list[VillagePlan]) -> dict[int, list[tuple[int, int, int]]]:
        """A few cadres (包户干部) per street, each given 50–200 households of one village.

        Returns, per village pk, ``(first, stop, cadre pk)`` ranges of household positions.
        """
        ranges: dict[int, list[tuple[int, int, int]]] = {}
        taken: dict[int, int] = {}
        for s, street in enumerate(tree.streets, start=1):
            street_villages = [v for v in villages if v.street.pk == street.pk]
            for c in range(CADRES_PER_STREET):
                village = street_villages[c % len(street_villages)]
                cadre = self.user(username=f"cadre{s:02d}{c + 1:02d}", role=Role.CADRE, unit=village.community)
                self.street_cadres.setdefault(street.pk, []).append((cadre.pk, cadre.full_name))
                first = taken.get(village.pk, 0)
                stop = min(village.households, first + self.rng.randint(50, 200))
                taken[village.pk] = stop
                if stop > first:
                    ranges.setdefault(village.pk, []).append((first, stop, cadre.pk))
        return ranges

    def resident(self, *, full_name: str, unit: OrgUnit) -> User:
        return self.user(username="resident", role=Role.RESIDENT, unit=unit, full_name=full_name)


def second_factor_of(user: User) -> DemoSecondFactor | None:
    """The secret and otpauth:// URI of the user's confirmed TOTP device, if any."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    if device is None:
        return None
    return DemoSecondFactor(user.username, b32encode(device.bin_key).decode("ascii"), device.config_url)


def existing_logins() -> tuple[list[DemoLogin], list[DemoSecondFactor]]:
    """The demo accounts as they are in the database now (for `demo --logins` at each start).

    Passwords are the demo ones by role: checking each Argon2 hash would take seconds, so the
    table says that a changed password is not shown. Empty when the demo was never loaded.
    """
    if not AuditEntry.objects.filter(action="demo.load").exists():
        return [], []
    rows = []
    for membership in Membership.objects.select_related("user", "org_unit").filter(role__in=ROLE_ORDER):
        if DEMO_USERNAME.match(membership.user.username):
            rows.append((ROLE_ORDER.index(membership.role), membership.user.username, membership))
    logins, second_factors = [], []
    for _order, _username, membership in sorted(rows, key=lambda row: row[:2]):
        role = membership.role
        logins.append(DemoLogin(membership.user.username, str(Role(role).label), membership.org_unit.name,
                                ROLE_PASSWORDS[role]))
        factor = second_factor_of(membership.user) if role in SECOND_FACTOR_ROLES else None
        if factor is not None:
            second_factors.append(factor)
    return logins, second_factors
