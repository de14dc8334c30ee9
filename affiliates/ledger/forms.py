"""Forms of the affiliates, commissions and payouts pages."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from affiliates.ledger.selectors import STATE_LABELS
from affiliates.models import Affiliate, CommissionKind
from affiliates.programme.affiliates import AffiliateError, iban_compact, iban_formatted
from affiliates.programme.rules import programme_for
from partnerhub.models import Partner, PartnerCategory

NEW_PARTNER_CATEGORIES = [
    (PartnerCategory.OTHER, _("Blogger or influencer (other)")),
    (PartnerCategory.RESELLER, PartnerCategory.RESELLER.label),
    (PartnerCategory.ESTATE_AGENT, PartnerCategory.ESTATE_AGENT.label),
]


class AffiliateForm(forms.ModelForm):
    """An affiliate's codes, contact, rate and payout account. On creation also: whose affiliate it is."""

    partner = forms.ModelChoiceField(
        label=_("Existing partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("— a new partner —"),
    )
    new_partner_name = forms.CharField(
        label=_("Or: name of a new partner"),
        max_length=200,
        required=False,
        help_text=_("A blogger or influencer is set up as a partner in the same step."),
    )
    new_partner_category = forms.ChoiceField(
        label=_("Category of the new partner"), choices=NEW_PARTNER_CATEGORIES, required=False
    )

    class Meta:
        model = Affiliate
        fields = [
            "code",
            "coupon_code",
            "email",
            "customer_reference",
            "account_holder",
            "iban",
            "commission_percent",
            "is_active",
        ]

    def __init__(self, *args, organisation, creating, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.organisation = organisation
        if creating:
            del self.fields["is_active"]
            self.fields["partner"].queryset = Partner.objects.filter(
                organisation=organisation, affiliate__isnull=True
            ).order_by("name")
        else:
            for name in ("partner", "new_partner_name", "new_partner_category"):
                del self.fields[name]
            if self.instance.iban:
                self.initial["iban"] = iban_formatted(self.instance.iban)
        self.fields["code"].required = not creating
        if creating:
            self.fields["code"].help_text = _(
                "The part after /r/ in the affiliate link. Leave empty to make one from the name."
            )
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["coupon_code"].widget.attrs.update({"autocomplete": "off", "class": "upper"})
        self.fields["iban"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "placeholder": "NL91 ABNA 0417 1643 00"}
        )
        field = self.fields["commission_percent"]
        field.localize = True
        field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6})
        field.widget.is_localized = True
        field.error_messages["invalid"] = _("Enter a percentage, such as 10 or 7,5.")
        field.error_messages["max_digits"] = _("Enter a percentage from 0 to 100.")
        field.error_messages["max_decimal_places"] = _("Use at most two decimals.")

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().lower()

    def clean_coupon_code(self):
        return (self.cleaned_data.get("coupon_code") or "").strip().upper()

    def clean_iban(self):
        try:
            iban = iban_compact(self.cleaned_data.get("iban"))
        except AffiliateError as error:
            raise ValidationError(str(error)) from None
        own = programme_for(self.organisation).debtor_iban
        if iban and own and iban == own.replace(" ", "").upper():
            raise ValidationError(
                _("This is the programme's own paying account. Fill in the affiliate's own IBAN.")
            )
        return iban

    def clean_commission_percent(self):
        value = self.cleaned_data.get("commission_percent")
        if value is not None and not Decimal("0") <= value <= Decimal("100"):
            raise ValidationError(_("Enter a percentage from 0 to 100."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.creating:
            partner, name = cleaned.get("partner"), (cleaned.get("new_partner_name") or "").strip()
            if partner is None and not name and "partner" not in self._errors:
                self.add_error("partner", _("Choose a partner or fill in the name of a new one."))
            if partner is not None and name:
                self.add_error("new_partner_name", _("Choose an existing partner or a new name, not both."))
        if cleaned.get("iban") and not (cleaned.get("account_holder") or "").strip():
            self.add_error("account_holder", _("Fill in the name on the account the IBAN belongs to."))
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked by the service (with a message per field), not twice here."""


class CommissionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *STATE_LABELS.items()],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *CommissionKind.choices]
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.none(), empty_label=_("All partners")
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Partner.objects.filter(organisation=organisation, commissions__isnull=False)
            .distinct()
            .order_by("name")
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Give a reason for rejecting."),
            "max_length": _("Keep the reason under 300 characters."),
        },
    )


def month_choices(today, count=12):
    """The last `count` months, newest first, as ("2026-01", "januari 2026") pairs."""
    from django.utils.formats import date_format

    first = today.replace(day=1)
    months = []
    for _i in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append((first.strftime("%Y-%m"), date_format(first, "F Y")))
    return months


class BatchForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today)
        self.fields["month"].initial = self.fields["month"].choices[0][0]
        self.fields["month"].error_messages["invalid_choice"] = _("Choose one of the last twelve months.")

    def clean_month(self):
        return datetime.date.fromisoformat(self.cleaned_data["month"] + "-01")
