"""What the bench, the tracking page and the turnaround report read about mail-in repairs."""

from __future__ import annotations

from accounts.principal import Principal
from logistics.models import MailIn, MailInStep


def steps_for(case: MailIn, actor: Principal | None) -> list[MailInStep]:
    """The case's steps, first to last; a customer (or nobody signed in) sees only those meant for them."""
    rows = MailInStep.objects.filter(mail_in=case).order_by("at", "pk")
    if actor is None or actor.is_customer:
        rows = rows.filter(customer_visible=True)
    return list(rows)
