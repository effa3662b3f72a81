from __future__ import annotations

from accounts.choices import Role
from core.models import ScopedQuerySet


class BrandAdminQuerySet(ScopedQuerySet):
    """Integration configuration and logs: only the brand's admins see them, and only their own brand's."""

    brand_field = "brand_id"

    def _scope(self, principal):
        if principal.role != Role.BRAND_ADMIN:
            return self.none()
        return self.filter(**{self.brand_field: principal.brand_id})
