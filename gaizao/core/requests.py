"""What every view and endpoint asks of a request."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from axes.helpers import get_client_ip_address
from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address for the audit trail: the same rule as the login lockout (django-axes
    calls ``forwarded_client_ip`` through AXES_CLIENT_IP_CALLABLE), so that a login and the writes
    after it name one address."""
    return get_client_ip_address(request) if request is not None else None


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client_ip(request) -> str | None:
    """The client's address behind the district's own reverse proxies (GAIZAO_TRUSTED_PROXIES).

    ``X-Forwarded-For`` is believed only when the connection comes from a trusted proxy, and then
    the address taken is the right-most one that is not itself a trusted proxy: a client can put
    anything at the left of the header, but not past the proxy that appended its real address.
    Without trusted proxies the connection's own address is used (a header is never believed).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: fall back to the proxy, never to attacker text
    return remote
