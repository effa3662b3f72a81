"""One way to show a domain error on a form (core/forms.py): beside the field it names, else above the form."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, IllegalTransition, InvalidInput
from core.forms import add_domain_error


class OrderForm(forms.Form):
    phone = forms.CharField(required=False)
    description = forms.CharField(required=False)


def _form() -> OrderForm:
    form = OrderForm({"phone": "138", "description": "no heat"})
    assert form.is_valid()
    return form


def test_the_message_stands_beside_the_field_the_error_names():
    form = _form()
    with translation.override("en"):
        add_domain_error(form, InvalidInput(_("The input is not valid."), field="phone"))
        assert form.errors == {"phone": ["The input is not valid."]} and not form.is_valid()


def test_an_error_naming_no_field_of_the_form_stands_above_it():
    form = _form()
    add_domain_error(form, InvalidInput("The site is outside every region.", field="site_id"))
    add_domain_error(form, IllegalTransition())
    assert form.non_field_errors() == ["The site is outside every region.",
                                       str(IllegalTransition.default_message)]
    assert set(form.errors) == {"__all__"}


def test_a_default_field_takes_what_names_no_field_of_the_form():
    form = _form()
    add_domain_error(form, DomainError("Too many codes asked for.", field="throttle"), default="phone")
    add_domain_error(form, DomainError("Try again later."), default="phone")
    assert form.errors == {"phone": ["Too many codes asked for.", "Try again later."]}


def test_aliases_carry_a_services_field_name_to_the_forms_and_a_named_field_beats_the_default():
    form = _form()
    add_domain_error(form, InvalidInput("Say what is wrong.", field="symptom"), aliases={"symptom": "description"})
    add_domain_error(form, InvalidInput("Not a mobile number.", field="phone"), default="description",
                     aliases={"symptom": "description"})
    assert form.errors == {"description": ["Say what is wrong."], "phone": ["Not a mobile number."]}
