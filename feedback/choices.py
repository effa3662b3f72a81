from django.db import models
from django.utils.translation import gettext_lazy as _


class Question(models.TextChoices):
    """The survey's questions beside the overall score (always asked); a brand's policy picks them."""

    SOLVED = "solved", _("Is the problem solved?")
    ON_TIME = "on_time", _("Did the technician come on time?")
    TIDY = "tidy", _("Did the technician leave the place tidy?")
    CHARGE = "charge", _("Was the charge as quoted?")
    NPS = "nps", _("How likely are you to recommend us to a friend?")
    COMMENT = "comment", _("Anything else you want to tell us?")


class CallbackReason(models.TextChoices):
    NO_ANSWER = "no_answer", _("No survey answer")
    LOW_SCORE = "low_score", _("Low score")
    NOT_SOLVED = "not_solved", _("Not solved")
    SAMPLED = "sampled", _("Sampled")


# A low score or "not solved" goes to review (回访审核) at once; the others wait for a call first.
REVIEW_REASONS = frozenset({CallbackReason.LOW_SCORE, CallbackReason.NOT_SOLVED})


class CallbackStatus(models.TextChoices):
    DUE = "due", _("Due a call")
    REVIEW = "review", _("To review")
    DONE = "done", _("Done")


class Outcome(models.TextChoices):
    """What one call to the customer came to."""

    NOT_REACHED = "not_reached", _("Not reached")
    SATISFIED = "satisfied", _("Reached: satisfied")
    NEEDS_REVISIT = "needs_revisit", _("Reached: needs a revisit")
    COMPLAINT = "complaint", _("Reached: wants to complain")


class Decision(models.TextChoices):
    """The review's end (回访审核): send the fault back, open a complaint, or close the order."""

    REWORK = "rework", _("Rework as a new order")
    COMPLAINT = "complaint", _("Open a complaint")
    CLOSE = "close", _("Close the order")
