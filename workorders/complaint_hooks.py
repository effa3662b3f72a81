"""What workorders, and the apps beside complaints, ask of complaints (core/hooks.py): complaints sits above
workorders, and integrations beside it, so neither may import it; complaints registers into these from its
hooks.py.
"""

from __future__ import annotations

from collections.abc import Callable

from core.hooks import Hook, Provider

# An urge reached the brand's threshold (workorders/urges.py): ``send(order=, urge=, actor=)``, inside the
# urge's transaction; complaints opens, or adds to, the order's high-severity "late or missed visit" complaint.
urges_escalate = Hook("workorders.urges_escalate")

# A customer's complaint in their own words, from a channel that is not the complaints app's own (WeChat
# "投诉 …"): ``(customer=, order=, actor=, description=, channel=) -> the complaint's reference`` (what the
# customer is told to quote); ``order`` may be None.
open_customer_complaint: Provider[Callable[..., str]] = Provider("workorders.open_customer_complaint")
