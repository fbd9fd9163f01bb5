"""The write decorator every service wears (写操作): one transaction, a named actor, a policy, audit.

    @writes
    def village_update(*, actor, village, ...): ...

    @writes(policy=may_manage_accounts)
    def user_set_active(*, actor, user, active, ip=None): ...
            ...
            writes.audit(action="user.disable", obj=user, changes=...)

- the function runs in ``transaction.atomic``; a uniqueness race lost to another writer (an
  IntegrityError) becomes the one Conflict (409) instead of a server error;
- ``actor`` is a required keyword: a user, or ``core.actors.SYSTEM`` for commands and imports;
- ``policy(actor)`` (optional) is asked first; the system actor always may, a user who may not
  gets PermissionDenied (403) before anything is read or written;
- ``writes.audit(...)`` records an entry with the running write's actor and ``ip``.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any, Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gaizao.core import audit as core_audit
from gaizao.core.actors import is_system, require_actor
from gaizao.core.errors import Conflict, PermissionDenied

# (actor, ip) of the write running in this thread/task, for writes.audit.
_current: contextvars.ContextVar[tuple[Any, str | None] | None] = contextvars.ContextVar("gaizao_write", default=None)


def _decorate(fn: Callable, policy: Callable[[Any], bool] | None) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if "actor" not in kwargs:
            raise TypeError(f"{fn.__qualname__}() needs the keyword argument actor=")
        actor = kwargs["actor"]
        require_actor(actor, where=f"{fn.__qualname__}()")
        if policy is not None and not is_system(actor) and not policy(actor):
            raise PermissionDenied(_("你的账号无权执行此操作。"))
        token = _current.set((actor, kwargs.get("ip")))
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except IntegrityError:
            raise Conflict(_("保存失败：与刚保存的另一条记录重复（可能有人同时录入）。请刷新页面后再试。")) from None
        finally:
            _current.reset(token)

    wrapper.writes = True  # lets a test find every service that goes through here
    return wrapper


def writes(fn: Callable | None = None, *, policy: Callable[[Any], bool] | None = None):
    """Decorate a service: ``@writes`` or ``@writes(policy=predicate)`` (see the module's docstring)."""
    if fn is not None:
        return _decorate(fn, policy)
    return lambda f: _decorate(f, policy)


def audit(**fields) -> core_audit.AuditEntry:
    """``audit.record`` with the actor and ip of the write running now (inside a ``@writes`` service)."""
    current = _current.get()
    if current is None:
        raise RuntimeError("writes.audit() runs inside a @writes service")
    actor, ip = current
    fields.setdefault("ip", ip)
    return core_audit.record(actor=actor, **fields)


writes.audit = audit
