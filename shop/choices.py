from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting", _("Awaiting payment")
    PAID = "paid", _("Paid, to be shipped or booked")
    FULFILLING = "fulfilling", _("On its way")
    DELIVERED = "delivered", pgettext_lazy("shop order", "Delivered")
    INSTALLED = "installed", pgettext_lazy("shop order", "Installed")
    DONE = "done", pgettext_lazy("shop order", "Done")
    CANCELLED = "cancelled", pgettext_lazy("shop order", "Cancelled")


class Delivery(models.TextChoices):
    COURIER = "courier", _("By courier (I replace it myself)")
    VISIT = "visit", _("Installed on a visit")


class LineKind(models.TextChoices):
    PART = "part", _("Consumable or accessory")
    PLAN = "plan", _("Maintenance plan")
    WARRANTY = "warranty", _("Extended warranty")


class PaymentMethod(models.TextChoices):
    WECHATPAY = "wechatpay", _("WeChat Pay")
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    ON_DELIVERY = "on_delivery", _("Paid on delivery")


RECORDED_METHODS = (PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.ON_DELIVERY)
