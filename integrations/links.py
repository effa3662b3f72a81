"""URLs the integrations hand out: the WeChat bind page (ours) and the portal's sign-in and order pages.

The portal's pages are reversed by name; until the portal's URLs are mounted, the paths it documents
(``/portal/<brand>/login/`` and ``/portal/<brand>/orders/<pk>/``) stand in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

FALLBACK = {"portal:login": "/portal/{brand}/login/", "portal:order": "/portal/{brand}/orders/{pk}/"}


def portal_path(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return FALLBACK[name].format(**kwargs)


def portal_login_path(brand_code: str, next_path: str) -> str:
    return f"{portal_path('portal:login', brand=brand_code)}?{urlencode({'next': next_path})}"


def order_path(brand_code: str, order_id: int) -> str:
    return portal_path("portal:order", brand=brand_code, pk=order_id)


def bind_path(brand_code: str, token: str) -> str:
    return reverse("integrations:wechat-bind", kwargs={"brand": brand_code, "token": token})
