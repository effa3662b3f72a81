"""Reports over HTTP: the conversion figures (reports/conversion.py), for the brand's staff."""

from __future__ import annotations

from ninja import Query, Router
from pydantic import BaseModel

from core.api import AUTH, principal
from core.errors import PermissionDenied
from core.schema import Day, Input
from reports.conversion import conversion

router = Router(tags=["reports"], auth=AUTH)


class ConversionFilters(Input):
    date_from: Day | None = None
    date_to: Day | None = None


class ConversionOut(BaseModel):
    model_config = {"extra": "allow"}


@router.get("/conversion", summary="Reminders sent → visits or orders → revenue, by segment and region")
def get_conversion(request, filters: Query[ConversionFilters]) -> dict:
    """Reminders sent in the window, the visits they booked and the shop orders paid from them, with the revenue,
    by customer segment and region; every paid shop order; the leads won through a sale and their commission."""
    if not principal(request).is_brand_staff:
        raise PermissionDenied()
    return conversion(request.user, since=filters.date_from, until=filters.date_to).as_dict()
