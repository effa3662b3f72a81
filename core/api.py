"""Helpers shared by every app's Ninja router: who is asking, and fetch-or-404 through scoping."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.security import APIKeyCookie, HttpBearer

from accounts.principal import Principal, principal_of
from core.errors import InvalidInput, NotFound, PermissionDenied


class NoMembership(PermissionDenied):
    code = "no_membership"
    default_message = _("Your account has no active role.")

M = TypeVar("M", bound=Model)
PAGE_SIZE_MAX = 100


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        from accounts.models import ApiToken

        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The console's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


AUTH = [TokenAuth(), SessionAuth()]


def principal(request) -> Principal:
    found = principal_of(request.user)
    if found is None:
        raise NoMembership()
    return found


def get_visible(qs: QuerySet[M], request, pk: Any) -> M:
    """Fetch through visible_to; what the caller may not see does not exist (404, never 403)."""
    try:
        return qs.visible_to(request.user).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def ref(qs: QuerySet[M], request, pk: Any | None, field: str) -> M | None:
    """Resolve an id given in a request body; unknown or foreign ids are a 422 on that field."""
    if pk is None:
        return None
    try:
        return qs.visible_to(request.user).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(_("Unknown id."), field=field) from None


class Page(Schema):
    count: int
    count_capped: bool
    page: int
    page_size: int


def page_params(page: int, page_size: int) -> tuple[int, int]:
    if page < 1 or page > 100_000:
        raise InvalidInput(_("Page out of range."), field="page")
    if page_size < 1 or page_size > PAGE_SIZE_MAX:
        raise InvalidInput(_("Page size must be between 1 and 100."), field="page_size")
    return page, page_size
