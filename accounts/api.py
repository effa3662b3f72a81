from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from accounts.models import ApiToken
from core.api import AUTH, get_visible, principal
from core.errors import InvalidInput, PermissionDenied
from core.names import display_name
from core.schema import Id, Input, Moment

router = Router(tags=["accounts"], auth=AUTH)


class SessionRequired(PermissionDenied):
    code = "session_required"
    default_message = _("Issue API tokens from a signed-in session: a token may not issue another.")


class MeOut(Schema):
    username: str
    name: str
    role: str
    organisation_id: int
    brand_id: int
    outlet_id: int | None
    technician_id: int | None
    customer_id: int | None


class TokenIn(Input):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    expires_at: Moment | None = None


class TokenOut(Schema):
    id: int
    name: str
    last_four: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    p = principal(request)
    return {
        "username": request.user.username, "name": display_name(request.user), "role": p.role,
        "organisation_id": p.organisation_id, "brand_id": p.brand_id, "outlet_id": p.outlet_id,
        "technician_id": p.technician_id, "customer_id": p.customer_id,
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request):
    principal(request)
    return list(ApiToken.objects.visible_to(request.user).order_by("-pk"))


@router.post("/tokens", response={201: TokenCreated},
             summary="Issue an API token (shown once; from a signed-in session only, never with a token)")
def create_token(request, payload: TokenIn):
    principal(request)
    if getattr(request, "by_token", False):
        # A child token would live on after its parent is revoked: only a person at a session issues tokens.
        raise SessionRequired()
    expires_at = payload.expires_at
    if expires_at is not None:
        # A time without an offset is read in the site's zone, as Django reads it on save.
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= timezone.now():
            raise InvalidInput(_("The expiry must be in the future."), field="expires_at")
    token, raw = ApiToken.issue(user=request.user, name=payload.name, expires_at=expires_at)
    return 201, TokenOut.from_orm(token).model_dump() | {"token": raw}


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def revoke_token(request, token_id: Id):
    token = get_visible(ApiToken.objects, request, token_id)
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return 204, None
