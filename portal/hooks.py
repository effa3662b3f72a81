"""What the portal supplies to the layers below it (core/hooks.py)."""

from portal.tracking import arrival_after
from workorders.events import estimate_arrival

# The ETA an ``order.en_route`` event carries is the tracking page's own.
estimate_arrival.register(arrival_after)
