"""The lockout check before password sign-in (django-axes), for sign-ins that come from a client."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, skipped when there is no request: ``authenticate()`` called by server-side code (a
    management command, a script) comes from no client address and is no one's guess. Every sign-in form,
    the console's and the admin's, passes its request and is checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
