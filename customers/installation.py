"""Installing a unit: the serial checked against the model and the order's unit, the install date, the site,
the status (sold → in service) and the warranty starting from that day.

One function for every caller: the technician completing an install order (field.services.completion) and
the demo's history. What else starts with an installation (a later issue adds the maintenance schedule)
registers a hook here at start-up (``on_installed``): the hooks run in the same transaction, after the unit
is saved, so a hook that refuses undoes the installation with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from customers.choices import ProductStatus
from customers.models import InstalledProduct, Site

SERIAL_MAX = 40
InstalledHook = Callable[[InstalledProduct], None]
_HOOKS: list[InstalledHook] = []


def on_installed(hook: InstalledHook) -> InstalledHook:
    """Register ``hook(product)`` to run when a unit is installed (idempotent: registering twice is once)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


class SerialMissing(InvalidInput):
    code = "serial_missing"
    default_message = _("Scan or type the serial number of the unit you installed.")


class SerialMismatch(InvalidInput):
    code = "serial_mismatch"
    default_message = _("This serial number is not the unit of this order.")


class SerialTaken(InvalidInput):
    code = "serial_taken"
    status = 409
    default_message = _("Another unit is already registered with this serial number.")


def clean_serial(raw: str | None) -> str:
    """Serials are compared as printed: trimmed, upper case, no inner spaces (a scanner adds none)."""
    return "".join((raw or "").split()).upper()


def check_serial(product: InstalledProduct, typed: str) -> str:
    """The serial the installer gave, refused unless it fits the model's pattern and is this unit's.

    A unit sold with its serial on record must be that serial. One recorded with a placeholder (an
    e-commerce import that knew only the model: a serial that does not fit the model's pattern) takes the
    one scanned at installation.
    """
    serial = clean_serial(typed)
    if not serial:
        raise SerialMissing(field="serial")
    model = product.product_model
    if len(serial) > SERIAL_MAX or not model.serial_fits(serial):
        raise InvalidInput(_("%(serial)s is not a serial number of model %(model)s.")
                           % {"serial": serial[:SERIAL_MAX], "model": model.code}, field="serial")
    recorded = clean_serial(product.serial)
    if serial != recorded and (model.serial_fits(recorded) or product.status != ProductStatus.SOLD):
        raise SerialMismatch(_("This is not the unit of this order: the order's unit is %(serial)s.")
                             % {"serial": product.serial}, field="serial")
    return serial


def install_unit(*, product: InstalledProduct, serial: str, install_date: dt.date,
                 site: Site | None) -> InstalledProduct:
    """Register the installation of ``product``; refused (nothing changed) when the serial is not its.

    A unit already in service (installed again after a move) keeps its first install date and its warranty;
    its site follows the installation.
    """
    serial = check_serial(product, serial)
    if site is not None and site.customer_id != product.customer_id:
        raise InvalidInput(_("The site belongs to another customer."), field="site")
    with transaction.atomic():
        fresh = InstalledProduct.objects.select_related("product_model").get(pk=product.pk)
        first = fresh.status == ProductStatus.SOLD or fresh.install_date is None
        fresh.serial = serial
        if site is not None:
            fresh.site = site
        if first:
            fresh.install_date = install_date
            if fresh.purchase_date and fresh.purchase_date > install_date:
                fresh.purchase_date = install_date  # bought, at the latest, the day it was installed
            fresh.status = ProductStatus.ACTIVE
        fresh.updated_at = timezone.now()
        try:
            with transaction.atomic():
                fresh.save(update_fields=["serial", "site", "install_date", "purchase_date", "status", "updated_at"])
        except IntegrityError as exc:
            raise SerialTaken(field="serial") from exc
        for hook in list(_HOOKS):
            hook(fresh)
    for name in ("serial", "site_id", "install_date", "purchase_date", "status", "warranty_end", "updated_at"):
        setattr(product, name, getattr(fresh, name))
    return fresh
