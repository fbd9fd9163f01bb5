"""What every view and endpoint asks of a request."""

from __future__ import annotations

from axes.helpers import get_client_ip_address


def client_ip(request) -> str | None:
    """The client's address for the audit trail: the same rule as the login lockout (django-axes,
    which honours its proxy settings), so that a login and the writes after it name one address."""
    return get_client_ip_address(request) if request is not None else None
