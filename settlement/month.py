"""Finance closing a month (docs/settlement.md): the fraud checks first, then the drafts rebuilt, for the API and
the console alike, with who may do it checked here and not in each door."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.principal import Principal
from core.errors import PermissionDenied
from settlement import fraud, services
from settlement.models import STATEMENT_BRAND_ROLES, Statement


def may_generate(actor: Principal) -> bool:
    return actor.is_brand_staff and actor.role in STATEMENT_BRAND_ROLES


def check_and_generate(*, actor: Principal, period: dt.date) -> list[Statement]:
    """Run the month's fraud checks (their flags hold lines), then rebuild its drafts; PermissionDenied (403) for
    anyone but the brand's finance or admin."""
    if not may_generate(actor):
        raise PermissionDenied(_("Only the brand's finance may generate statements."))
    fraud.run_checks(actor.brand_id, period)
    return services.generate(brand=Organisation.objects.get(pk=actor.brand_id), period=period)
