"""The security officer's home card (安全管理员待办): accounts locked now, disabled accounts.

One query for the locks (django-axes' attempts in the cool-off window) and one count.
"""

from __future__ import annotations

from gaizao.org.models import User
from gaizao.org.policies import account_manager, signin_guard
from gaizao.org.selectors import lockouts


def security_todo(user) -> dict | None:
    if not signin_guard(user) or not account_manager(user):
        return None
    locked = lockouts()
    return {"locked": sorted(locked.items()), "disabled": User.objects.filter(is_active=False).count()}
