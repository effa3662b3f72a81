from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    BRAND = "brand", _("Brand")
    OUTLET = "outlet", _("Service outlet")


class OutletType(models.TextChoices):
    OWN = "own", _("Own service centre")
    AGENT = "agent", _("Authorised agent")
    FRANCHISE = "franchise", _("Franchised shop")
    PARTNER = "partner", _("Third-party partner")


class Role(models.TextChoices):
    BRAND_ADMIN = "brand_admin", _("Brand admin")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    FINANCE = "finance", _("Finance")
    ANALYST = "analyst", _("Analyst")
    OUTLET_MANAGER = "outlet_manager", _("Outlet manager")
    OUTLET_DISPATCHER = "outlet_dispatcher", _("Outlet dispatcher")
    TECHNICIAN = "technician", _("Technician")
    CUSTOMER = "customer", _("Customer")


BRAND_ROLES = frozenset(
    {Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT, Role.PARTS_CLERK, Role.FINANCE, Role.ANALYST}
)
OUTLET_ROLES = frozenset({Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER, Role.TECHNICIAN})
# Roles that maintain customers, sites and installed products.
CUSTOMER_EDITORS = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT})
# The role of the system itself acting for a brand (an IoT alert, a slot the customer booked): it is
# no membership anyone can hold, only what accounts.principal.system_principal returns.
SYSTEM = "system"
# Roles that may open a work order on someone's behalf.
ORDER_CREATORS = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT, Role.CUSTOMER, SYSTEM})
