from __future__ import annotations

from django.http import HttpRequest

from core.client_ip import client_ip as core_client_ip


def client_ip(request: HttpRequest) -> str:
    # The one rule (core/client_ip.py): X-Forwarded-For counts only from a TRUSTED_PROXIES peer.
    return core_client_ip(request)
