"""Forms of projects, tiers and quarterly reviews."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from affiliates.models import Project, QuarterlyReview, Tier
from partnerhub.models import PartnerStatus

MAX_EURO = Decimal("9999999999.99")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y", "%d/%m/%y"]

# "1.234,50", "1234,50", "1234.50", "1,234.50", "€ 1.234", "1 234,50": digits with at most one decimal mark.
_AMOUNT = re.compile(r"^\d+(?:[.,]\d+)*$")


def parse_euro(text):
    """A euro amount as people write it, Dutch or English, as a Decimal; None if it is not one.

    The last "," or "." followed by one or two digits is the decimal mark; every other "." "," or space
    groups thousands. So "1.234,50" and "1234.50" are both 1234.50, and "1.234" is 1234 (three digits
    after the only mark cannot be cents). "12,345" alone is refused: English reads twelve thousand, Dutch
    a typo.
    """
    cleaned = str(text).replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if cleaned.startswith("-") or not _AMOUNT.match(cleaned):
        return None
    match = re.search(r"[.,](\d{1,2})$", cleaned)
    if match:
        whole, decimals = cleaned[: match.start()], match.group(1)
    else:
        whole, decimals = cleaned, ""
        if "," in whole and "." not in whole:
            return None  # "12,345": twelve thousand in English, a typo in Dutch; ask rather than guess
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])):
        return None  # "12.34.5": not thousands groups
    try:
        return Decimal("".join(groups) + (f".{decimals}" if decimals else ""))
    except InvalidOperation:
        return None


class EuroField(forms.CharField):
    """An amount in euros, Dutch ("1.234,50") or English ("1234.50"), to the cent, not negative."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_euro(value)
        if amount is None:
            raise forms.ValidationError(
                _("Enter an amount in euros, such as 1.234,50 or 1234.50."), code="invalid"
            )
        if amount > MAX_EURO:
            raise forms.ValidationError(_("This amount is too large."), code="max_value")
        if amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Use at most two decimals (cents)."), code="max_decimal_places")
        return amount.quantize(Decimal("0.01"))

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        return value


class ProjectForm(forms.ModelForm):
    """A project (order) entered by hand, and every row of a CSV import (`for_import`: no partner field,
    the import resolves partners by name; no duplicate query, the import checks all rows at once)."""

    value = EuroField(label=_("Value (€)"))
    date = forms.DateField(
        label=_("Date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Project
        fields = ["partner", "customer_reference", "value", "date", "delivered_on_time", "paid_on_time"]
        widgets = {
            "delivered_on_time": forms.NullBooleanSelect,
            "paid_on_time": forms.NullBooleanSelect,
        }

    def __init__(self, *args, organisation, for_import=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.for_import = for_import
        if for_import:
            del self.fields["partner"]
        else:
            partners = organisation.partners.order_by("name")
            if self.instance.partner_id:
                partners = partners.exclude(status=PartnerStatus.ENDED) | organisation.partners.filter(
                    pk=self.instance.partner_id
                )
            else:
                partners = partners.exclude(status=PartnerStatus.ENDED)
            self.fields["partner"].queryset = partners.order_by("name")
            self.fields["partner"].required = True
            self.fields["partner"].empty_label = _("Choose a partner")
        self.fields["customer_reference"].help_text = _("Your reference of the customer or the order.")
        self.locked = bool(self.instance.pk and getattr(self.instance, "has_commission", False))
        if self.locked:
            # A commission was calculated on these; a correction goes through the ledger, not here.
            for name in ("partner", "customer_reference", "value", "date"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_customer_reference(self):
        reference = " ".join(self.cleaned_data["customer_reference"].split())
        if not reference:
            raise forms.ValidationError(_("Fill in the customer reference."))
        return reference

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date

    def clean(self):
        cleaned_data = super().clean()
        partner = cleaned_data.get("partner")
        if self.for_import or self.locked or partner is None:
            return cleaned_data
        keys = ("customer_reference", "date", "value")
        if all(cleaned_data.get(key) is not None for key in keys):
            duplicates = Project.objects.filter(
                organisation=self.organisation,
                partner=partner,
                customer_reference__iexact=cleaned_data["customer_reference"],
                date=cleaned_data["date"],
                value=cleaned_data["value"],
            )
            if self.instance.pk:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                raise forms.ValidationError(
                    _(
                        "This partner already has a project for this customer on this date with this value. "
                        "Is it the same one? Otherwise make the customer reference more specific."
                    )
                )
        return cleaned_data


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Customer reference"), required=False, max_length=100)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=None, required=False, empty_label=_("All partners")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # A filter names and finds partners only: their other fields are not loaded for hundreds of options.
        partners = organisation.partners.order_by("name")
        self.fields["partner"].queryset = partners.only("pk", "name", "organisation")
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Search customer reference")}
        )

    def filters(self):
        if not self.is_valid():
            return {"q": "", "partner": None}
        return {"q": self.cleaned_data["q"].strip(), "partner": self.cleaned_data["partner"]}


class TierOverrideForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=None,
        required=False,
        empty_label=_("No tier"),
        help_text=_("The partner keeps this tier at every evaluation until you end the override."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you set this tier by hand.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(organisation=organisation).order_by("min_projects")

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why you set this tier by hand."))
        return reason


class ReviewCreateForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, empty_label=_("Choose a partner"))
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=(), coerce=str)

    def __init__(self, *args, organisation, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = organisation.partners.filter(status=PartnerStatus.ACTIVE).order_by(
            "name"
        )
        self.fields["quarter"].choices = [(start.isoformat(), label) for start, label in quarters]


class ReviewTextsForm(forms.ModelForm):
    class Meta:
        model = QuarterlyReview
        fields = ["volume_analysis", "quality_feedback", "pricing_review", "tier_evaluation", "growth_plans"]
        widgets = {name: forms.Textarea(attrs={"rows": 4, "maxlength": 5000}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(MaxLengthValidator(5000))
