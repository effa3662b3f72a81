"""Refusals of the technician app, each with a stable code (core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import IllegalTransition, InvalidInput


class NotOnSite(IllegalTransition):
    code = "not_on_site"
    default_message = _("Check in on site first: this is done while you are at the customer's.")


class JobFinished(IllegalTransition):
    code = "job_finished"
    default_message = _("This job is completed: it can no longer be changed.")


class NotReadyToComplete(InvalidInput):
    """Something the job needs before it can be completed is missing; ``detail.missing`` lists what."""

    code = "not_ready_to_complete"
    status = 409
    default_message = _("The job cannot be completed yet.")


class InvalidSignature(InvalidInput):
    code = "invalid_signature"
    default_message = _("The signature could not be read: ask the customer to sign again.")
