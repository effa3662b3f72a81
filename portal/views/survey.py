"""The survey link of a message (SMS, WeChat): no password, a signed token, answered once before it expires.

Made for a phone in WeChat's browser and a reader of any age: one question a block, big stars and big yes/no
buttons, and a page that says plainly when the link is spent, expired or not ours. Thin over feedback.surveys.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from feedback import surveys
from feedback.choices import Question
from portal.access import get_brand

PAGE = "portal/survey.html"
REFUSED = "portal/survey_refused.html"
YES_NO = [("solved", Question.SOLVED), ("on_time", Question.ON_TIME), ("tidy", Question.TIDY),
          ("charge_as_quoted", Question.CHARGE)]
TITLES = {
    "survey_link_invalid": _("This link does not work"),
    "survey_link_expired": _("This survey has closed"),
    "survey_answered": _("Thank you, we have your answers"),
}


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, brand: str, token: str) -> HttpResponse:
    org = get_brand(brand)
    try:
        found = surveys.survey_from_token(token)
        if found.brand_id != org.pk:
            raise surveys.SurveyLinkForged()
    except DomainError as error:
        return render(request, REFUSED, {"brand": org, "title": TITLES.get(error.code), "message": error.message,
                                         "code": error.code}, status=error.status)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            answered = surveys.answer_survey(survey=found, answers=request.POST.dict(), via=surveys.VIA_LINK)
        except DomainError as error:
            if error.code in TITLES:
                return render(request, REFUSED, {"brand": org, "title": TITLES[error.code],
                                                 "message": error.message, "code": error.code}, status=error.status)
            errors[error.field or "overall"] = str(error.message)
        else:
            return render(request, "portal/survey_thanks.html",
                          {"brand": org, "survey": answered, "sorry": surveys.goes_to_review(answered)})
    asked = set(found.questions)
    context = {
        "brand": org, "survey": found, "order": found.work_order, "errors": errors, "values": request.POST,
        "yes_no": [{"field": field, "label": question.label, "value": request.POST.get(field),
                    "error": errors.get(field)} for field, question in YES_NO if question in asked],
        "ask_nps": Question.NPS in asked, "ask_comment": Question.COMMENT in asked,
        "nps_scale": [str(n) for n in range(11)],
    }
    return render(request, PAGE, context, status=422 if errors else 200)
