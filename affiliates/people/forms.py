"""Forms of referrals, onboarding, NPS, co-marketing and the toolkit. The rules live in the services; the
forms parse input and repeat the checks that give a message next to a field."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from affiliates.models import (
    AssetAudience,
    AssetKind,
    CoMarketingAction,
    OnboardingStep,
    Project,
    Referral,
)
from affiliates.people import comarketing
from partnerhub.forms import NameField
from partnerhub.models import Partner

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def partner_choices(organisation, *, estate_agents_first=False):
    partners = Partner.objects.filter(organisation=organisation)
    if estate_agents_first:
        partners = partners.annotate(
            agent_first=Case(
                When(category="estate_agent", then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("agent_first", "name")
    else:
        partners = partners.order_by("name")
    return partners


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["partner", "lead_name", "lead_email", "lead_phone", "notes"]
        field_classes = {"lead_name": NameField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"partner": _("Referred by")}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(organisation, estate_agents_first=True)
        self.fields["partner"].empty_label = _("Choose a partner")
        self.fields["partner"].error_messages["invalid_choice"] = _("Choose a partner of your organisation.")

    def clean(self):
        data = super().clean()
        if not (data.get("lead_email") or "").strip() and not (data.get("lead_phone") or "").strip():
            self.add_error("lead_email", _("Give an e-mail address or a phone number of the lead."))
        return data


class ReferralLostForm(forms.Form):
    reason = forms.CharField(label=_("Why was the lead lost?"), max_length=300)


class OnboardingStartForm(forms.Form):
    start = forms.DateField(label=_("Start date"), widget=DATE)
    owner = forms.ModelChoiceField(label=_("Owner of the tasks"), queryset=None, required=False)

    def __init__(self, *args, organisation, members, partners=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("Nobody yet")
        if partners is not None:
            self.fields["partner"] = forms.ModelChoiceField(
                label=_("Partner"), queryset=partners, empty_label=_("Choose a partner")
            )
            self.order_fields(["partner", "start", "owner"])


class OnboardingStepForm(forms.ModelForm):
    class Meta:
        model = OnboardingStep
        fields = ["phase", "title", "due_week"]
        widgets = {"due_week": forms.NumberInput(attrs={"min": 1, "max": 52, "size": 3})}


OnboardingStepFormSet = forms.modelformset_factory(
    OnboardingStep,
    form=OnboardingStepForm,
    extra=1,
    can_delete=True,
    can_order=True,
    min_num=1,
    validate_min=True,
)


class OnboardingTaskForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].empty_label = _("Nobody yet")


class NpsScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score (0–10)"),
        choices=[("", "–"), *((n, str(n)) for n in range(11))],
        coerce=int,
        error_messages={
            "invalid_choice": _("Choose a score from 0 to 10."),
            "required": _("Choose a score from 0 to 10."),
        },
    )
    date = forms.DateField(label=_("Date"), widget=DATE)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, partner, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(partner=partner).order_by("-date", "-pk")
        self.fields["project"].empty_label = _("No particular project")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date


class NpsRequestForm(forms.Form):
    email = forms.EmailField(label=_("Customer's e-mail address"), required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(partner=partner).order_by("-date", "-pk")
        self.fields["project"].empty_label = _("No particular project")


class CoMarketingForm(forms.ModelForm):
    class Meta:
        model = CoMarketingAction
        fields = [
            "partner",
            "action",
            "investment",
            "our_share_percent",
            "amount",
            "hours",
            "date",
            "status",
            "notes",
        ]
        widgets = {
            "date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "investment": forms.RadioSelect,
        }
        help_texts = {
            "our_share_percent": _("For a cost split: 50 for 50/50."),
            "amount": _("For a cost split: the total cost (optional). For a fixed amount: what we pay."),
            "hours": _("For an investment in time: the hours we put in."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(organisation)
        self.fields["partner"].empty_label = _("Choose a partner")
        for name in ("our_share_percent", "amount"):
            field = self.fields[name]
            field.localize = True
            field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 9})
            field.widget.is_localized = True
            field.error_messages["invalid"] = _("Enter a number, such as 50 or 12,50.")
            field.error_messages["max_decimal_places"] = _("Use at most two decimals.")
        self.fields["our_share_percent"].error_messages["max_digits"] = _(
            "Our share is a percentage from 0 to 100."
        )
        self.fields["hours"].error_messages["invalid"] = _("Enter whole hours, such as 4.")

    def clean(self):
        data = super().clean()
        if "investment" in data:
            errors = comarketing.investment_errors(
                investment=data.get("investment"),
                our_share_percent=data.get("our_share_percent"),
                amount=data.get("amount"),
                hours=data.get("hours"),
            )
            for name, message in errors.items():
                if name not in self.errors:
                    self.add_error(name, message)
        return data


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    audience = forms.ChoiceField(label=_("For"), choices=AssetAudience.choices, initial=AssetAudience.BOTH)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For an e-mail template or a text link; for a file, an optional description."),
    )
