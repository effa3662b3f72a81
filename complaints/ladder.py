"""The escalation ladder: who stands on each rung for a complaint, and who arbitrates an appeal.

Rung 1 is the complaint's outlet: its outlet managers. Rungs 2 (the brand region) and 3 (the service director)
and the arbiter are named per brand in ``LadderContact`` (a region's own contacts before the brand-wide ones);
a rung nobody stands on falls to the brand admins, so a breach is never told to no one.
"""

from __future__ import annotations

from accounts.choices import Role
from accounts.models import Membership
from complaints.choices import ContactRole, LadderLevel
from complaints.models import Complaint, LadderContact

RUNG_ROLES = {LadderLevel.REGION: ContactRole.REGION, LadderLevel.DIRECTOR: ContactRole.DIRECTOR}


def _seats():
    return Membership.objects.filter(is_active=True, user__is_active=True, organisation__is_active=True)


def _brand_admins(brand_id: int) -> tuple[int, ...]:
    return _ids(_seats().filter(organisation_id=brand_id, role=Role.BRAND_ADMIN).values_list("user_id", flat=True))


def _ids(values) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def _contacts(complaint: Complaint, role: str) -> tuple[int, ...]:
    rows = LadderContact.objects.filter(brand_id=complaint.brand_id, role=role, user__is_active=True)
    if complaint.region_id is not None:
        own = _ids(rows.filter(region_id=complaint.region_id).values_list("user_id", flat=True))
        if own:
            return own
    return _ids(rows.filter(region__isnull=True).values_list("user_id", flat=True))


def recipients(complaint: Complaint, level: int) -> tuple[int, ...]:
    """The users who hear of ``complaint`` when it reaches rung ``level``."""
    if level == LadderLevel.OUTLET and complaint.outlet_id is not None:
        found = _ids(_seats().filter(organisation_id=complaint.outlet_id, role=Role.OUTLET_MANAGER)
                     .values_list("user_id", flat=True))
    elif level in RUNG_ROLES:
        found = _contacts(complaint, RUNG_ROLES[level])
    else:
        found = ()
    return found or _brand_admins(complaint.brand_id)


def concerned(complaint: Complaint) -> tuple[int, ...]:
    """Who hears in the console that a complaint was received or decided: its outlet's managers (they acknowledge
    it, and may appeal the verdict), or the brand admins when it is about no outlet."""
    return recipients(complaint, LadderLevel.OUTLET)


def arbiters(complaint: Complaint) -> tuple[int, ...]:
    """Who may decide an appeal: the brand's named arbiters and its admins."""
    return _ids((*_contacts(complaint, ContactRole.ARBITER), *_brand_admins(complaint.brand_id)))
