"""Notices by e-mail for the staff who asked for them (StaffPreference.email), through Django's mail
(settings.EMAIL_BACKEND): the body of notifications.backends.EmailBackend.

- ``deliver(notice)`` writes one ``StaffEmail`` per recipient who has e-mail on and an address (unique per
  recipient and notice key: a notice handed over again, by a second delivery of its event or the old SLA task,
  adds nothing), then sends those still to go. A mail server that fails marks its e-mail failed and
  ``deliver`` raises, so the outbox retries the delivery (with its backoff) and the retry sends what is left.
- Just before it sends, the e-mail is claimed (compare-and-set on ``next_attempt_at``, so two workers never send
  it twice) and the recipient's choice is read again: one who turned e-mail off meanwhile, or left, gets nothing
  (``suppressed``).
- The words are made once, in the recipient's language, from the notice's data: what the console's inbox says
  (notifications/messages.py) and the link to the order or complaint in the console.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from notifications import messages
from notifications.choices import MessageStatus
from notifications.models import Notification, StaffEmail, StaffPreference

if TYPE_CHECKING:
    from notifications.backends import Notice

logger = logging.getLogger("aftersales.notifications")

CLAIM = dt.timedelta(minutes=5)  # a sender that died mid-send leaves its e-mail to be tried again after this
MAX_ATTEMPTS = 6
# Still to go: queued, or failed with a retry ahead (a failure that no retry can help has no next attempt).
TO_SEND = (MessageStatus.QUEUED, MessageStatus.FAILED)

SUBJECT = _("%(brand)s: %(title)s (%(number)s)")
SUBJECT_PLAIN = _("%(brand)s: %(title)s")
OPEN = _("Open it in the console: %(link)s")
FOOTER = _("You get this e-mail because you turned on e-mail in your notification preferences.")


class NotSentYet(Exception):
    """Some of a notice's e-mails are still to go (the mail server failed, or another worker holds one)."""


def wanted_by(user_ids) -> dict[int, StaffPreference]:
    """The preferences of those of ``user_ids`` who turned e-mail on (no row: e-mail is off)."""
    return {p.user_id: p for p in StaffPreference.objects.filter(user_id__in=list(user_ids), email=True)}


def console_link(notice: Notice) -> str:
    site = settings.SITE_URL.rstrip("/")
    complaint_id = notice.data.get("complaint_id")
    if complaint_id:
        return site + reverse("console:complaint", kwargs={"pk": complaint_id})
    if notice.work_order_id:
        return site + reverse("console:order", kwargs={"pk": notice.work_order_id})
    return site + reverse("console:notifications")


def words(notice: Notice, *, brand: str, language: str) -> tuple[str, str]:
    """The subject and the text of the notice's e-mail, in ``language``: the inbox's title and sentence."""
    shown = Notification(kind=notice.kind, data=notice.data)
    with translation.override(language):
        title, sentence = messages.title(shown), messages.sentence(shown)
        number = str(notice.data.get("number") or "")
        subject = str(SUBJECT if number else SUBJECT_PLAIN) % {"brand": brand, "title": title, "number": number}
        text = "\n\n".join(part for part in (sentence, str(OPEN) % {"link": console_link(notice)},
                                             "-- \n" + str(FOOTER)) if part)
    return subject[:200], text


def record(notice: Notice, *, now: dt.datetime) -> None:
    """The notice's e-mails, one per recipient who wants e-mail and has an address, written once."""
    wanted = wanted_by(notice.recipient_ids)
    if not wanted:
        return
    people = User.objects.filter(pk__in=list(wanted), is_active=True).exclude(email="").only("pk", "email")
    brand = Organisation.objects.filter(pk=notice.brand_id).values_list("name", flat=True).first() or ""
    rows = []
    for user in people:
        language = wanted[user.pk].language
        subject, text = words(notice, brand=brand, language=language)
        rows.append(StaffEmail(recipient_id=user.pk, brand_id=notice.brand_id, key=notice.key, kind=notice.kind,
                               work_order_id=notice.work_order_id, address=user.email, language=language,
                               subject=subject, text=text, next_attempt_at=now, created_at=now))
    StaffEmail.objects.bulk_create(rows, ignore_conflicts=True)


def _claim(pk: int, now: dt.datetime) -> bool:
    return bool(StaffEmail.objects.filter(pk=pk, status__in=TO_SEND, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM, attempts=F("attempts") + 1))


def _permanent(error: Exception) -> bool:
    """The server refused every recipient for good (5xx): trying again will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def send(pk: int, *, now: dt.datetime | None = None) -> str | None:
    """Send one e-mail if it is due and nobody else is sending it; its new status (None: not ours now)."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return None
    mail = StaffEmail.objects.select_related("recipient").get(pk=pk)
    still_wanted = StaffPreference.objects.filter(user_id=mail.recipient_id, email=True).exists()
    if not (still_wanted and mail.recipient.is_active):  # turned e-mail off (or left) while it waited
        StaffEmail.objects.filter(pk=pk).update(status=MessageStatus.SUPPRESSED, next_attempt_at=None)
        return MessageStatus.SUPPRESSED
    message_id = f"<staff-{pk}@{settings.EMAIL_MESSAGE_DOMAIN}>"
    email = EmailMessage(subject=mail.subject, body=mail.text, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=[mail.address], headers={"Message-ID": message_id, "X-Aftersales-Notice": mail.key})
    try:
        email.send(fail_silently=False)
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        retry = not _permanent(error) and mail.attempts < MAX_ATTEMPTS
        logger.warning("staff e-mail %s to %s failed: %r", pk, mail.address, error)
        StaffEmail.objects.filter(pk=pk).update(
            status=MessageStatus.FAILED, error_code=type(error).__name__[:64], error_detail=str(error)[:300],
            next_attempt_at=now if retry else None)
        return MessageStatus.FAILED
    StaffEmail.objects.filter(pk=pk).update(status=MessageStatus.SENT, provider_id=message_id[:120],
                                            sent_at=timezone.now(), next_attempt_at=None, error_code="",
                                            error_detail="")
    return MessageStatus.SENT


def deliver(notice: Notice, *, now: dt.datetime | None = None) -> None:
    """Write the notice's e-mails and send the ones still to go; raise while any is left for a retry."""
    now = now or timezone.now()
    record(notice, now=now)
    mine = StaffEmail.objects.filter(key=notice.key, recipient_id__in=list(notice.recipient_ids))
    for pk in mine.filter(status__in=TO_SEND, next_attempt_at__lte=now).values_list("pk", flat=True):
        send(pk, now=now)
    left = mine.filter(status__in=TO_SEND, next_attempt_at__isnull=False).count()
    if left:
        raise NotSentYet(f"{left} e-mail(s) of {notice.key} still to send")
