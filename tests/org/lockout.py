"""Put a username in django-axes' lockout without spending five Argon2 checks on it.

The login tests go through the real form; tests that only need a locked account use this.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def lock_out(username: str, ip_address: str = "127.0.0.1") -> None:
    """Lock ``username`` at ``ip_address`` (the test client's address unless told)."""
    AccessAttempt.objects.create(
        username=username, ip_address=ip_address, user_agent="test", http_accept="", path_info="/account/login/",
        get_data="", post_data="", failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
    )


def spray(username: str, count: int) -> None:
    """One failure of ``username`` from each of ``count`` addresses, as a password spray leaves them."""
    for i in range(count):
        AccessAttempt.objects.create(
            username=username, ip_address=f"198.51.100.{i + 1}", user_agent="test", http_accept="",
            path_info="/account/login/", get_data="", post_data="", failures_since_start=1,
            attempt_time=timezone.now(),
        )
