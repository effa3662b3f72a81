"""The words the phone's script shows, translated on the server and handed to it with the page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from field.choices import PaymentMethod
from workorders.choices import HoldReason, Status

# The statuses as a technician says them (the lifecycle's own labels are the desk's words).
JOB_STATUS = {
    Status.NEW: pgettext_lazy("job status", "New"),
    Status.ASSIGNED: pgettext_lazy("job status", "With the outlet"),
    Status.DISPATCHED: pgettext_lazy("job status", "To accept"),
    Status.ACCEPTED: pgettext_lazy("job status", "Accepted"),
    Status.EN_ROUTE: pgettext_lazy("job status", "On the way"),
    Status.ON_SITE: pgettext_lazy("job status", "On site"),
    Status.ON_HOLD: pgettext_lazy("job status", "On hold"),
    Status.COMPLETED: pgettext_lazy("job status", "Completed"),
    Status.CLOSED: pgettext_lazy("job status", "Closed"),
    Status.CANCELLED: pgettext_lazy("job status", "Cancelled"),
}

TEXTS = {
    "synced": _("All changes saved"),
    "offline": _("Offline"),
    "waiting": _("%(n)s waiting to sync"),
    "syncing": _("Syncing %(n)s…"),
    "failed": _("%(n)s could not be saved"),
    "sign_in_again": _("Sign in again to send what is waiting."),
    "discard": _("Discard"),
    "retry": _("Try again now"),
    "details": _("Details"),
    "hide": _("Hide"),
    "pending_note": _("Saved on this phone; it is sent as soon as there is a connection."),
    "accept": _("Accept the job"),
    "decline": _("Decline"),
    "decline_reason": _("Why can you not take it?"),
    "decline_confirm": _("Decline the job"),
    "reason_needed": _("Give a reason for this step."),
    "depart": _("On my way"),
    "arrive": _("Check in on site"),
    "hold": _("Put on hold"),
    "hold_reason": _("Why is the job on hold?"),
    "hold_note": _("A note for the desk"),
    "hold_confirm": _("Put the job on hold"),
    "resume": _("Resume the job"),
    "complete": _("Complete and check out"),
    "cancel": _("Cancel"),
    "locating": _("Getting your location…"),
    "located": _("Location recorded"),
    "no_location": _("Location not shared"),
    "gone": _("This job is no longer yours: it was declined, recalled or cancelled."),
    "completed": _("Job completed"),
    "completed_pending": _("Job completed on this phone; it is sent when there is a connection."),
    "checklist": _("Checklist"),
    "photos": _("Photos"),
    "take_photo": _("Take photo"),
    "retake": _("Add another"),
    "extra_photo": _("Other photo"),
    "required": _("required"),
    "diagnosis": _("Diagnosis"),
    "fault_code": _("Fault code on the unit"),
    "symptom": _("What the fault turned out to be"),
    "note": _("What you found and did"),
    "save": _("Save"),
    "saved": _("Saved"),
    "parts": _("Parts from my van"),
    "on_van": _("%(n)s on the van"),
    "use": _("Use"),
    "used": _("Used on this job"),
    "none_used": _("No parts used yet."),
    "van_empty": _("Nothing on your van fits this product."),
    "charge": _("Charge"),
    "covered": _("Covered by warranty"),
    "total": _("Customer pays"),
    "provisional": _("Provisional: this price list discounts parts by the mix, so the final total is "
                     "priced when the job is sent."),
    "no_price": _("No price"),
    "to_confirm": _("to be confirmed"),
    "payment": _("Payment"),
    "method": _("Paid by"),
    "amount": _("Amount received (¥)"),
    "reference": _("Reference (transfer or WeChat number)"),
    "record_payment": _("Record payment"),
    "no_payment": _("Nothing to pay: everything is covered."),
    "signature": _("Customer's signature"),
    "sign_here": _("Customer signs here"),
    "clear": _("Clear"),
    "signer": _("Name of the person signing"),
    "save_signature": _("Save signature"),
    "signed": _("Signed"),
    "sign_first": _("Draw a signature first."),
    "still_needed": _("Still needed before completing:"),
    "need_checklist": _("Answer every required checklist item."),
    "need_photos": _("Take every required photo."),
    "need_signature": _("Ask the customer to sign."),
    "need_payment": _("Record the customer's payment."),
    "need_online_charge": _("The charge could not be priced on this phone."),
    "labour": _("Labour %(minutes)s min (standard %(standard)s min)"),
    "report": _("Service report (PDF)"),
    "report_pending": _("The service report is being prepared."),
    "yes": _("Yes"),
    "no": _("No"),
    "done": _("Done"),
    "distance": _("Checked in %(m)s m from the site"),
    "action_accept": _("Accept"),
    "action_decline": _("Decline"),
    "action_depart": _("On my way"),
    "action_arrive": _("Check in"),
    "action_hold": _("Hold"),
    "action_resume": _("Resume"),
    "action_checklist": _("Checklist answer"),
    "action_photos": _("Photo"),
    "action_diagnosis": _("Diagnosis"),
    "action_parts": _("Parts used"),
    "action_payment": _("Payment"),
    "action_signature": _("Signature"),
    "action_complete": _("Completion"),
}


def script_texts() -> dict:
    texts = {key: str(value) for key, value in TEXTS.items()}
    texts["status"] = {value: str(label) for value, label in JOB_STATUS.items()}
    texts["hold_reasons"] = {value: str(label) for value, label in HoldReason.choices}
    texts["methods"] = {value: str(label) for value, label in PaymentMethod.choices}
    return texts
