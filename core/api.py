"""Helpers shared by every app's Ninja router: who is asking, and fetch-or-404 through scoping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from core.errors import InvalidInput, NotFound, PermissionDenied
from core.hooks import Provider
from core.scoping import principal_of

if TYPE_CHECKING:
    from accounts.principal import Principal


class NoMembership(PermissionDenied):
    code = "no_membership"
    default_message = _("Your account has no active role.")

M = TypeVar("M", bound=Model)
PAGE_SIZE_MAX = 100

# The active user holding a live API token, or None; accounts, which keeps the tokens, provides it.
token_user: Provider[Callable[[str], Any]] = Provider("core.api.token_user")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = token_user(token)
        if user is not None:
            request.user = user
            request.by_token = True  # accounts.api: a token may not mint another (it would outlive its revocation)
        return user


class SessionAuth(APIKeyCookie):
    """The console's session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request):
        # No session cookie, no session: the CSRF check guards sessions, and a request without one
        # (say, a revoked bearer token) should hear 401, not a CSRF refusal.
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

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


def wire_datetime(value: dt.datetime) -> str:
    """A datetime as every route writes it: to the millisecond, "Z" for UTC, no fraction when it is whole.

    Django's JSON encoder cuts the microseconds to milliseconds but keeps a ".000" when only microseconds
    were there; read back, that value is whole and would be written without it. Cutting first makes the
    text a function of what it says, so a response kept and replayed (an Idempotency-Key) reads exactly
    as the same value read afresh.
    """
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


class WireJSONEncoder(NinjaJSONEncoder):
    """Ninja's encoder with wire_datetime: the renderer of every route (aftersales/api.py)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return wire_datetime(o)
        return super().default(o)


class WireRenderer(JSONRenderer):
    encoder_class = WireJSONEncoder


# A datetime that serialises as above when a route renders its response itself (json_response).
ApiDateTime = Annotated[
    dt.datetime,
    PlainSerializer(wire_datetime, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def json_response(body: BaseModel, status: int = 200) -> HttpResponse:
    """Render an already validated response model in one step, with pydantic's serialiser.

    For the hot paths: given a dict or an ORM object, Ninja validates it against the route's schema
    and then encodes it in Python. The route still declares that schema, which documents this shape.
    """
    return HttpResponse(body.model_dump_json(), status=status, content_type="application/json; charset=utf-8")
