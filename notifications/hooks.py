"""What notifications does when the layers below it say so (core/hooks.py, core/outbox.py)."""

from core import outbox
from notifications import complaint_notices, customer_messages
from notifications.sinks import sink
from notifications.tasks import notify_urged

# The in-app inbox takes the outbox's events it has a notice for (notifications/sinks.py: an SLA alert).
outbox.sinks.register(sink())

# The customer is told of the steps of their orders and complaints (notifications/customer_messages.py).
outbox.sinks.register(outbox.Sink(name="customer_messages", kinds=customer_messages.KINDS,
                                  deliver=customer_messages.deliver))
# A customer urged a late order (workorders/urges.py): its dispatchers hear of it.
outbox.sinks.register(outbox.Sink(name="in_app_urges", kinds=frozenset({"order.urged"}), deliver=notify_urged))
# The people on a complaint's escalation rung hear of it in the console (notifications/complaint_notices.py).
outbox.sinks.register(outbox.Sink(name="complaint_ladder", kinds=complaint_notices.KINDS,
                                  deliver=complaint_notices.deliver))
