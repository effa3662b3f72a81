"""Demo complaints: ``seed_complaints(brand, now=...)`` (called by the demo command; safe to run twice).

A complaint about every 25th finished order (by number, so the same orders each time), a third of them
resolved, and one open complaint from the demo customer about their last finished visit, so the
technician's view of that customer shows it.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Organisation, User
from accounts.principal import principal_of, system_principal
from complaints import services
from complaints.models import Complaint
from customers.models import Customer
from demo import data
from workorders.choices import Status
from workorders.models import WorkOrder

EVERY = 25
TEXTS = [
    ("lateness", "约好上午十点，师傅下午一点才到，也没有提前打电话。", "已向客户致歉，网点对师傅进行了准时培训。"),
    ("workmanship", "换完滤芯第二天接头处又开始滴水。", "安排返修，免费更换接头并检查水压。"),
    ("charges", "上门费事先没说清楚，结账时才知道要收 30 元。", "已退还上门费，并提醒网点事先说明收费。"),
    ("conduct", "师傅进门没有穿鞋套，地板弄脏了。", "已致电道歉，网点重申上门服务规范。"),
    ("product", "新机器噪音很大，晚上影响休息。", "上门检测后更换静音增压泵。"),
]


def seed_complaints(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    if Complaint.objects.filter(brand=brand).exists():
        return {"complaints": Complaint.objects.filter(brand=brand).count()}
    desk_user = User.objects.filter(username="hotline").first()
    desk = (principal_of(desk_user) if desk_user else None) or system_principal(brand.pk)
    finished = list(WorkOrder.objects.filter(brand=brand, status__in=[Status.COMPLETED, Status.CLOSED],
                                             completed_at__isnull=False).exclude(outlet=None)
                    .select_related("customer").order_by("number"))
    for index, order in enumerate(finished[::EVERY]):
        category, text, outcome = TEXTS[index % len(TEXTS)]
        opened = min(order.completed_at + dt.timedelta(days=1, hours=index % 7), now)
        complaint = services.open_complaint(actor=desk, customer=order.customer, order=order, category=category,
                                            description=text, opened_at=opened)
        if index % 3 == 0:
            services.resolve_complaint(actor=desk, complaint=complaint, resolution=outcome,
                                       resolved_at=min(opened + dt.timedelta(days=2), now))
    me = Customer.objects.filter(brand=brand, phone=data.CUSTOMER_PHONE).first()
    if me is not None:
        last = next((o for o in reversed(finished) if o.customer_id == me.pk), None)
        if last is not None and not Complaint.objects.filter(work_order=last).exists():
            category, text, _outcome = TEXTS[0]
            services.open_complaint(actor=desk, customer=me, order=last, category=category, description=text,
                                    opened_at=min(last.completed_at + dt.timedelta(hours=3), now))
    return {"complaints": Complaint.objects.filter(brand=brand).count()}
