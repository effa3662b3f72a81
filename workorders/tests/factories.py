from accounts.principal import principal_of, system_principal
from workorders import services, workflow
from workorders.choices import Channel, Status, WorkOrderType

# The path each status is reached by, as a list of (action, kwargs-builder) steps.
PATH_TO = {
    Status.NEW: [],
    Status.ASSIGNED: ["assign"],
    Status.DISPATCHED: ["assign", "dispatch"],
    Status.ACCEPTED: ["assign", "dispatch", "accept"],
    Status.EN_ROUTE: ["assign", "dispatch", "accept", "depart"],
    Status.ON_SITE: ["assign", "dispatch", "accept", "depart", "arrive"],
    Status.ON_HOLD: ["assign", "dispatch", "accept", "hold"],
    Status.COMPLETED: ["assign", "dispatch", "accept", "depart", "arrive", "complete"],
    Status.CLOSED: ["assign", "dispatch", "accept", "depart", "arrive", "complete", "close"],
    Status.CANCELLED: ["cancel"],
}


def make_order(world, *, status=Status.NEW, customer=None, product=None, outlet=None, technician=None, **kw):
    """Create an order through the real services and walk it to ``status`` through the lifecycle."""
    customer = customer or world.customer
    product = product if product is not None else world.product if customer == world.customer else None
    outlet = outlet or world.outlet_a
    technician = technician or world.tech_a
    dispatcher = principal_of(world.dispatcher)
    order = services.create_work_order(
        actor=dispatcher, customer=customer, product=product, type=kw.pop("type", WorkOrderType.REPAIR),
        channel=kw.pop("channel", Channel.HOTLINE), symptom=kw.pop("symptom", "No water comes out"), **kw
    )
    tech = principal_of(technician.user)
    for step in PATH_TO[status]:
        if step == "assign":
            order = workflow.transition(order, "assign", actor=dispatcher, outlet=outlet)
        elif step == "dispatch":
            order = workflow.transition(order, "dispatch", actor=dispatcher, technician=technician)
        elif step == "hold":
            order = workflow.transition(order, "hold", actor=tech, reason="part", hold_reason="waiting_parts")
        elif step == "close":  # orders close by themselves after their callback (feedback), never by hand
            order = workflow.transition(order, step, actor=system_principal(order.brand_id))
        elif step == "cancel":
            order = workflow.transition(order, step, actor=dispatcher, reason="test")
        else:
            order = workflow.transition(order, step, actor=tech)
    return order
