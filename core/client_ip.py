"""The client's address, one rule for every caller that needs it (login lockouts, the portal's rate limits,
refused integration requests).

``REMOTE_ADDR`` is the peer that opened the connection. Only when that peer is one of ``TRUSTED_PROXIES``
(addresses or networks, from the environment) is ``X-Forwarded-For`` read, from its right-hand end, skipping
the trusted proxies themselves: the first address from the right that is not ours is the one our proxy saw.
Anything to the left of it was written by the client and proves nothing, so a forged header from an
untrusted peer, or a forged prefix behind a trusted one, never chooses the address.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _trusted(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:8080"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    found = _address(peer)
    if found is None or not trusted or not any(found in net for net in trusted):
        return peer[:45]
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: trust nothing left of it
        if not any(address in net for net in trusted):
            return str(address)
    return peer[:45]
