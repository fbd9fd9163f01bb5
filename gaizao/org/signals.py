"""Sign-in events to the audit trail (等保: login, logout, failures and lockouts are recorded).

Django sends these signals from ``authenticate``, ``login`` and ``logout``, so every way in (the
login page, a test client, anything that calls ``authenticate``) is recorded the same way. django-axes
handles ``user_login_failed`` before us (its app is listed first), so by the time we record a failure
the request carries its count and whether this failure locked the account. Connected in
``OrgConfig.ready``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from gaizao.org import services
from gaizao.org.models import User
from gaizao.core.requests import client_ip as _ip


def on_logged_in(sender, request, user, **kwargs) -> None:
    services.auth_event_record(action="auth.login", username=user.get_username(), user=user, ip=_ip(request))


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        services.auth_event_record(action="auth.logout", username=user.get_username(), user=user, ip=_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """``credentials`` arrive cleansed by Django (the password is starred out); only the name is kept."""
    username = str((credentials or {}).get("username") or "")
    user = User.objects.filter(username=username).first() if username else None
    failures = getattr(request, "axes_failures_since_start", None)  # counted by django-axes just before
    if user is None:
        reason = "unknown_user"
    elif failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        reason = "locked"
    elif not user.is_active:
        reason = "disabled"
    else:
        reason = "wrong_password"
    changes = {"reason": reason}
    if failures is not None:
        changes["failures"] = failures
    services.auth_event_record(action="auth.login_failed", username=username, user=user, success=False,
                               ip=_ip(request), changes=changes)
    # Recorded here rather than on axes' user_locked_out signal so the lock follows the failure
    # that caused it in the trail (axes sends its signal while still counting the failure).
    if getattr(request, "axes_locked_out", False):
        services.auth_event_record(action="auth.locked", username=username, user=user, success=False,
                                   ip=_ip(request), changes={"failure_limit": settings.AXES_FAILURE_LIMIT,
                                                             "failures": failures})
        if failures == settings.AXES_FAILURE_LIMIT:  # the failure that locked it; later ones are noise
            services.login_locked_notify(username=username, ip=_ip(request))


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="gaizao.org.audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="gaizao.org.audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="gaizao.org.audit_login_failed")
