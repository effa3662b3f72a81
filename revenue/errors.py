from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput


class ConsentRequired(InvalidInput):
    code = "consent_required"
    default_message = _("Record a lead only with the customer's consent.")


class ConsentWordingChanged(InvalidInput):
    code = "consent_wording_changed"
    default_message = _("The consent wording has changed: show the customer the current wording and ask again.")


class DuplicateLead(DomainError):
    code = "duplicate_lead"
    status = 409
    default_message = _("A lead of this kind is already recorded for this job.")


class NotYourJob(DomainError):
    code = "not_your_job"
    status = 409
    default_message = _("Leads are recorded on a job you are on site for or have just completed.")
