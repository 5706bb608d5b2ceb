"""The address of the person making a request: the one place that decides it.

Lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), every rate limit and the audit trail
call ``client_address``. Behind ``BCBT_TRUSTED_PROXY_HOPS`` proxies, each proxy appends the
address that connected to it to ``X-Forwarded-For``, so the last N entries were written by our
own proxies and the one they name first is the client. Anything further left was sent by the
client and is never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def trusted_proxy_hops() -> int:
    """How many proxies stand in front of the web server (0: the client connects directly)."""
    return max(0, int(getattr(settings, "BCBT_TRUSTED_PROXY_HOPS", 0)))


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address, or ``None`` when there is no request or no address at all."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    hops = trusted_proxy_hops()
    if hops == 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        # Nobody forwarded anything: the request reached us without passing a proxy.
        return remote
    # Entries from the right were appended by our proxies, the nearest last. With N hops the
    # client is the N-th from the right. A shorter header means the request entered behind the
    # outermost proxy; every entry in it was still written by one of ours, so the leftmost is
    # the furthest address we can vouch for.
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return _valid(candidate) or remote
