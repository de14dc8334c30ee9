"""The programme's forms: its settings page (the rules, the KPI targets, the paying account and the tiers),
and an affiliate's form (codes, commission rate, payout account)."""

from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from affiliates.models import Affiliate, ProgrammeSettings, Tier
from affiliates.models.programme import MONEY_LIMITS
from affiliates.programme.affiliates import AffiliateError, iban_compact, iban_formatted
from affiliates.programme.rules import programme_for
from partnerhub.forms import NameField
from partnerhub.models import Partner, PartnerCategory
from partnerhub.templatetags.money import euro

MONEY_FIELDS = ("referral_fee", "minimum_payout", "max_order_value", "review_threshold", "target_order_value")
# The lowest amount of each money setting (the highest is MONEY_LIMITS, shared with the model).
MONEY_MINIMUMS = {"max_order_value": Decimal("1")}
PERCENT_FIELDS = ("commission_percent", "target_on_time_delivery", "target_payment_on_time")


def _decimal_widget():
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 9})


class ProgrammeSettingsForm(forms.ModelForm):
    class Meta:
        model = ProgrammeSettings
        fields = [
            "commission_percent",
            "cookie_window_days",
            "hold_days",
            "minimum_payout",
            "referral_fee",
            "max_order_value",
            "review_threshold",
            "home_url",
            "landing_urls",
            "target_order_value",
            "target_on_time_delivery",
            "target_nps",
            "target_payment_on_time",
            "debtor_name",
            "debtor_iban",
            "debtor_bic",
        ]
        widgets = {"landing_urls": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MONEY_FIELDS + PERCENT_FIELDS:
            field = self.fields[name]
            field.localize = True
            field.widget = _decimal_widget()
            field.widget.is_localized = True
            field.error_messages["invalid"] = _("Enter a number, such as 50 or 12,50.")
            field.error_messages["max_decimal_places"] = _("Use at most two decimals.")
        for name in MONEY_FIELDS:
            self.fields[name].error_messages["max_digits"] = self._money_range(name)
            self.fields[name].error_messages["max_whole_digits"] = self._money_range(name)
        for name in PERCENT_FIELDS:
            self.fields[name].error_messages["max_digits"] = _("Enter a percentage from 0 to 100.")
        self.fields["home_url"].widget.attrs["placeholder"] = "https://www.voorbeeld.nl/"
        self.fields["landing_urls"].widget.attrs["placeholder"] = (
            "https://www.voorbeeld.nl/\nhttps://shop.voorbeeld.nl/"
        )

    def clean_landing_urls(self):
        lines = [line.strip() for line in self.cleaned_data["landing_urls"].splitlines() if line.strip()]
        problems = [line for line in lines if not _is_plain_url(line)]
        if problems:
            raise ValidationError(
                _("Not a web address of its own (https://host/path, without ? or #): %(lines)s"),
                params={"lines": ", ".join(problems[:5])},
            )
        return "\n".join(dict.fromkeys(lines))

    def clean_debtor_iban(self):
        value = self.cleaned_data["debtor_iban"].strip()
        if not value:
            return ""
        try:
            return IBAN(value).compact
        except SchwiftyException:
            raise ValidationError(
                _("This is not a valid IBAN. Check the number, for example NL91ABNA0417164300.")
            ) from None

    def clean_debtor_bic(self):
        value = self.cleaned_data["debtor_bic"].strip().upper()
        if not value:
            return ""
        try:
            return str(BIC(value))
        except SchwiftyException:
            raise ValidationError(_("This is not a valid BIC, for example ABNANL2A.")) from None

    @staticmethod
    def _money_range(name):
        return _("Enter an amount from %(minimum)s to %(maximum)s.") % {
            "minimum": euro(MONEY_MINIMUMS.get(name, Decimal("0")), 0),
            "maximum": euro(MONEY_LIMITS[name], 0),
        }

    def clean(self):
        cleaned = super().clean()
        for name in PERCENT_FIELDS:
            value = cleaned.get(name)
            if value is not None and not Decimal("0") <= value <= Decimal("100"):
                self.add_error(name, _("Enter a percentage from 0 to 100."))
        for name in MONEY_FIELDS:
            value = cleaned.get(name)
            if (
                value is not None
                and not MONEY_MINIMUMS.get(name, Decimal("0")) <= value <= MONEY_LIMITS[name]
            ):
                self.add_error(name, self._money_range(name))
        return cleaned


def _is_plain_url(value):
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.username
        and not parts.password
        and not parts.query
        and not parts.fragment
        and " " not in value
    )


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_projects", "discount_percent", "benefits"]
        field_classes = {"name": NameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["discount_percent"]
        field.localize = True
        field.widget = _decimal_widget()
        field.widget.is_localized = True
        field.error_messages["invalid"] = _("Enter a percentage, such as 5 or 7,5.")
        self.fields["min_projects"].widget.attrs.update({"inputmode": "numeric", "size": 5})


class BaseTierFormSet(forms.BaseModelFormSet):
    """The tiers from the lowest to the highest: each asks more projects than the one above it."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        names = [row["name"].strip().lower() for row in rows]
        if len(names) != len(set(names)):
            raise ValidationError(_("Two tiers have the same name."))
        for lower, higher in zip(rows, rows[1:], strict=False):
            if higher["min_projects"] <= lower["min_projects"]:
                raise ValidationError(
                    _(
                        "Thresholds must increase from tier to tier: %(higher)s asks %(h)s projects, "
                        "not more than %(lower)s (%(l)s)."
                    ),
                    params={
                        "higher": higher["name"],
                        "h": higher["min_projects"],
                        "lower": lower["name"],
                        "l": lower["min_projects"],
                    },
                )
            if higher["discount_percent"] < lower["discount_percent"]:
                raise ValidationError(
                    _("A higher tier cannot give less discount: %(higher)s gives less than %(lower)s."),
                    params={"higher": higher["name"], "lower": lower["name"]},
                )


TierFormSet = forms.modelformset_factory(
    Tier, form=TierForm, formset=BaseTierFormSet, extra=1, can_delete=True, max_num=12, validate_max=True
)


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
