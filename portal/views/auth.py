"""Sign in with a phone number and a one-time code; sign out."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import render_page
from portal import otp
from portal.access import get_brand, login_url, portal_principal, safe_next
from portal.forms import CodeForm, PhoneForm
from portal.services import customer_for_phone, masked
from portal.views.common import client_ip


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, brand: str) -> HttpResponse:
    org = get_brand(brand)
    next_url = safe_next(request, org, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and portal_principal(request, org) is not None:
        return redirect(next_url)
    context = {"brand": org, "next": next_url, "step": "phone", "form": PhoneForm()}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "verify":
            form = CodeForm(request.POST)
            context.update(step="code", form=form, phone_shown=_masked_input(request.POST.get("phone", "")))
            if form.is_valid():
                try:
                    phone = otp.check_code(brand=org, phone=form.cleaned_data["phone"],
                                           code=form.cleaned_data["code"], ip=client_ip(request))
                    customer = customer_for_phone(brand=org, phone=phone)
                except DomainError as error:
                    add_domain_error(form, error, default="code")
                    status = error.status
                else:
                    login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")
                    return redirect(next_url)
            else:
                status = 422
        else:
            form = PhoneForm(request.POST)
            context["form"] = form
            if form.is_valid():
                try:
                    sent = otp.request_code(brand=org, phone=form.cleaned_data["phone"], ip=client_ip(request))
                except DomainError as error:
                    add_domain_error(form, error, default="phone")
                    status = error.status
                    if action == "resend":  # stay on the code step, the refusal beside the code
                        context.update(step="code", form=CodeForm(initial={"phone": form.cleaned_data["phone"]}),
                                       resend_error=str(error.message),
                                       phone_shown=_masked_input(form.cleaned_data["phone"]))
                else:
                    context.update(step="code", form=CodeForm(initial={"phone": sent.phone}),
                                   sent_to=masked(sent.phone))
            else:
                status = 422
    return render_page(request, "portal/login.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest, brand: str) -> HttpResponse:
    org = get_brand(brand)
    if portal_principal(request, org) is not None:
        logout(request)
    return redirect(login_url(org))


def _masked_input(raw: str) -> str:
    try:
        return masked(otp.parse_phone(raw))
    except DomainError:
        return ""
