"""What notifications does when the layers below it say so (core/hooks.py, core/outbox.py)."""

from core import outbox
from notifications import complaint_notices, customer_messages
from notifications.sinks import sink
from notifications.texts import order_link
from workorders.events import customer_link

# The in-app inbox (and the e-mail of staff who asked for it) takes the outbox's events it has a notice for
# (notifications/sinks.py: an SLA alert, an urge), once each.
outbox.sinks.register(sink())

# The customer is told of the steps of their orders and complaints (notifications/customer_messages.py).
outbox.sinks.register(outbox.Sink(name="customer_messages", kinds=customer_messages.KINDS,
                                  deliver=customer_messages.deliver))
# An order's event carries the link its message gives the customer (workorders/events.py).
customer_link.register(order_link)
# The people a complaint concerns hear of it in the console: its outlet's managers when it is received or decided,
# each rung of the ladder when it escalates (notifications/complaint_notices.py; the sink kept its first name).
outbox.sinks.register(outbox.Sink(name="complaint_ladder", kinds=complaint_notices.KINDS,
                                  deliver=complaint_notices.deliver))
