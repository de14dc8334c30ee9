"""The form renderer writes selects, checkbox and radio lists in Python: the HTML of Django's templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from partnerhub.form_renderer import FormRenderer
from partnerhub.models import Partner
from tests.factories import PartnerFactory

CHOICES = [
    ("", "---------"),
    ("a", "Plain"),
    ("b&c", 'Quotes " and <tags> & ampersands'),
    ("safe", mark_safe("<b>already safe</b>")),
    (3, 1234),
    ("when", datetime.date(2026, 3, 1)),
    ("money", Decimal("1234.50")),
    ("Group", [("g1", "In a group"), ("g2", "Also <here>")]),
]


class EveryChoiceWidget(forms.Form):
    one = forms.ChoiceField(choices=CHOICES)
    one_optional = forms.ChoiceField(
        choices=CHOICES, required=False, widget=forms.Select(attrs={"class": "x", "data-on": True})
    )
    several = forms.MultipleChoiceField(choices=CHOICES[1:])
    boxes = forms.MultipleChoiceField(
        choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple(attrs={"class": "boxes", "data-x": "1"})
    )
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True)
    # A widget of its own with another option template: left to Django's templates.
    own_options = forms.ChoiceField(choices=CHOICES[:3], widget=forms.Select(attrs={"class": "own"}))
    no_id = forms.ChoiceField(choices=CHOICES[:3], widget=forms.RadioSelect(attrs={"id": False}))


EveryChoiceWidget.base_fields["own_options"].widget.option_template_name = "django/forms/widgets/input.html"


class PartnerWidgets(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("name"))
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.order_by("name"), widget=forms.CheckboxSelectMultiple
    )


def render(form, renderer, name):
    form.renderer = renderer
    return str(form[name])


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"one": "b&c", "several": ["a", "g2"], "boxes": ["safe", "3"], "radio": "when", "disabled": "a"},
        {"one": "nope", "boxes": ["nope"], "radio": "g1"},  # invalid: aria-invalid on the widgets
    ],
)
def test_choice_widgets_are_written_as_djangos_templates_write_them(data, language):
    with translation.override(language):
        for name in EveryChoiceWidget.base_fields:
            ours, djangos = EveryChoiceWidget(data), EveryChoiceWidget(data)
            ours.is_valid(), djangos.is_valid()
            assert render(ours, FormRenderer(), name) == render(djangos, DjangoTemplates(), name)


@pytest.mark.django_db
def test_a_partner_select_is_written_as_django_writes_it(org):
    PartnerFactory(organisation=org, name='Kaas & "Co" <BV>')
    chosen = PartnerFactory(organisation=org, name="Sennheiser")
    data = {"partner": chosen.pk, "partners": [chosen.pk]}
    for name in PartnerWidgets.base_fields:
        for form_data in (None, data, {"partner": "x"}):
            ours, djangos = PartnerWidgets(form_data), PartnerWidgets(form_data)
            ours.is_valid(), djangos.is_valid()
            assert render(ours, FormRenderer(), name) == render(djangos, DjangoTemplates(), name)
    assert "selected>Sennheiser</option>" in render(PartnerWidgets(data), FormRenderer(), "partner")
    assert "Kaas &amp; &quot;Co&quot; &lt;BV&gt;" in render(PartnerWidgets(), FormRenderer(), "partner")
