"""What customers supplies to the layers below it (core/hooks.py)."""

from accounts.principal import customer_id_of
from customers.models import Customer


@customer_id_of.register
def _customer_id_of(user) -> int | None:
    """A customer's seat needs the customer record the user logs in as (accounts.principal)."""
    return Customer.objects.filter(user=user).values_list("pk", flat=True).first()
