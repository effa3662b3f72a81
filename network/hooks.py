"""What network supplies to the layers below it (core/hooks.py)."""

from accounts.principal import technician_id_of
from network.models import Technician


@technician_id_of.register
def _technician_id_of(user) -> int | None:
    """A technician's seat needs his active technician record (accounts.principal)."""
    return Technician.objects.filter(user=user, is_active=True).values_list("pk", flat=True).first()
