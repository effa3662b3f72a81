from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    CHECK = "check", _("Tick when done")
    YES_NO = "yes_no", _("Yes or no")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Short text")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    TRANSFER = "transfer", _("Bank transfer")
