"""Who acts in a write (行为人): a signed-in user, or the system itself (系统).

Commands, imports started from the command line, migrations and periodic work act as ``SYSTEM``:
a named actor, so that a service never has to guess what ``None`` meant. The system's scope is
everything; the audit trail names it "system".
"""

from __future__ import annotations

from typing import Any


class SystemActor:
    """The system as an actor: no row in the user table, every scope, named "system" in the audit trail.

    It holds no role (no ``has_role``): code asks ``is_system(actor)`` first, so that a role check
    never mistakes the system for a resident or a cadre.
    """

    pk = None
    id = None
    is_system = True
    is_authenticated = True
    is_active = True
    username = "system"
    full_name = "系统"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self):
        # One system actor per process, also after pickling (a background job's arguments).
        return (_system, ())


def _system() -> "SystemActor":
    return SYSTEM


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    """True for the system actor: its scope is everything, so per-user checks are skipped."""
    return actor is SYSTEM


def require_actor(actor: Any, *, where: str = "") -> None:
    """Refuse a write without a named actor (a programming error, not a user's)."""
    if actor is None:
        raise TypeError(f"{where or 'a write'} needs actor=: a user, or gaizao.core.actors.SYSTEM for the system")


def command_actor(username: str | None):
    """The actor a management command acts as: the named active account, else the system (``--user``)."""
    if not username:
        return SYSTEM
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"账号 {username} 不存在或已停用。", returncode=1)
    return user


def as_user(actor: Any):
    """The account behind the actor, for a foreign key (an event's actor, a visit's visitor); None for the system."""
    return actor if getattr(actor, "pk", None) is not None else None
