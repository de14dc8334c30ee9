"""Forms of the agreement builder."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Goal, Kind, Party, Risk
from checker.models import Collaboration
from partnerhub.forms import NameField
from partnerhub.models import PartnerStatus

MAX_TEXT = 5000


class AgreementForm(forms.ModelForm):
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your own organisation takes part as well; it is added for you."),
        error_messages={"required": _("Choose at least one partner to make the agreement with.")},
    )

    class Meta:
        model = Agreement
        fields = ["title", "level", "kind", "end_date", "status"]
        field_classes = {"title": NameField}
        widgets = {"end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["partners"].queryset = organisation.partners.exclude(status=PartnerStatus.ENDED).order_by(
            "name"
        )
        if self.instance.pk:
            del self.fields["partners"]  # parties are managed on the agreement page
        else:
            del self.fields["status"]  # a new agreement starts as an idea

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        names = Collaboration.objects.filter(organisation=self.organisation, name=title)
        if self.instance.pk:
            names = names.exclude(pk=self.instance.collaboration_id)
        if names.exists():
            raise forms.ValidationError(
                _("There is already a collaboration with this name; choose another title.")
            )
        return title

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("kind") == Kind.PROJECT and not cleaned_data.get("end_date"):
            self.add_error("end_date", _("A project has an end date: fill it in, or choose structural."))
        if cleaned_data.get("kind") == Kind.STRUCTURAL:
            cleaned_data["end_date"] = None
        return cleaned_data


class TextSectionForm(forms.Form):
    """The texts of one section (see agreements/sections.py) and whether it is complete."""

    complete = forms.BooleanField(label=_("This section is complete"), required=False)

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        for field in spec.fields:
            self.fields[field.name] = forms.CharField(
                label=field.label,
                help_text=field.help,
                required=False,
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.order_fields([field.name for field in spec.fields] + ["complete"])

    def texts(self):
        return {name: value for name, value in self.cleaned_data.items() if name != "complete"}


def _percentage_field(label):
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        required=False,
        localize=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        error_messages={
            "invalid": _("Enter a percentage, such as 40 or 33,33."),
            "max_decimal_places": _("Use at most two decimals."),
            "max_digits": _("Enter a percentage from 0 to 100."),
            "min_value": _("Enter a percentage from 0 to 100."),
            "max_value": _("Enter a percentage from 0 to 100."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 7}),
    )


class SplitForm(forms.Form):
    """Every party's share of the costs and of the revenue or profit, and how services are settled."""

    settlement = forms.CharField(
        label=_("Settling services between the parties"),
        help_text=_("How work one party does for another is charged or settled."),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    complete = forms.BooleanField(label=_("This section is complete"), required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = list(parties)
        for party in self.parties:
            self.fields[f"cost_{party.pk}"] = _percentage_field(
                _("Costs of %(name)s (%%)") % {"name": party.name}
            )
            self.fields[f"revenue_{party.pk}"] = _percentage_field(
                _("Revenue or profit of %(name)s (%%)") % {"name": party.name}
            )
            self.initial.setdefault(f"cost_{party.pk}", party.cost_share)
            self.initial.setdefault(f"revenue_{party.pk}", party.revenue_share)

    def rows(self):
        """Per party: the party and its two fields, for the table on the page."""
        return [(party, self[f"cost_{party.pk}"], self[f"revenue_{party.pk}"]) for party in self.parties]

    def shares(self):
        return {
            party.pk: {
                "cost_share": self.cleaned_data.get(f"cost_{party.pk}"),
                "revenue_share": self.cleaned_data.get(f"revenue_{party.pk}"),
            }
            for party in self.parties
        }


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["party", "text", "due_date"]
        widgets = {
            "text": forms.TextInput(
                attrs={"placeholder": _("For example: 20 new customers through the joint platform")}
            ),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = agreement.parties.select_related("partner", "agreement__organisation")
        self.fields["party"].empty_label = _("Shared goal")
        self.fields["party"].required = False
        self.fields["party"].label_from_instance = lambda party: (
            _("Own goal of %(name)s") % {"name": party.name}
        )


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ["description", "mitigation"]


def goal_formset(agreement, data=None):
    factory = forms.modelformset_factory(
        Goal, form=GoalForm, extra=2, can_delete=True, max_num=50, validate_max=True
    )
    return factory(
        data,
        queryset=agreement.goals.select_related("party__partner"),
        form_kwargs={"agreement": agreement},
        prefix="goals",
    )


def risk_formset(agreement, data=None):
    factory = forms.modelformset_factory(
        Risk, form=RiskForm, extra=2, can_delete=True, max_num=50, validate_max=True
    )
    return factory(data, queryset=agreement.risks.all(), prefix="risks")


# The per-party sections: which Party fields each edits.
PARTY_SECTION_FIELDS = {
    "contributions": ["contribution"],
    "obligations": ["effort_obligations", "result_obligations"],
}


class PartyTextsForm(forms.Form):
    """For each party, the texts of one per-party section (what it contributes, its obligations)."""

    complete = forms.BooleanField(label=_("This section is complete"), required=False)

    def __init__(self, *args, parties, key, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties, self.names = list(parties), PARTY_SECTION_FIELDS[key]
        for party in self.parties:
            for name in self.names:
                model_field = Party._meta.get_field(name)
                self.fields[f"{name}_{party.pk}"] = forms.CharField(
                    label=capfirst(model_field.verbose_name),  # the fieldset's legend names the party
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                self.initial.setdefault(f"{name}_{party.pk}", getattr(party, name))

    def rows(self):
        return [(party, [self[f"{name}_{party.pk}"] for name in self.names]) for party in self.parties]

    def texts(self):
        return {
            party.pk: {name: self.cleaned_data[f"{name}_{party.pk}"].strip() for name in self.names}
            for party in self.parties
        }


class RolesForm(TextSectionForm):
    """The roles section: its text, and which party leads the collaboration."""

    lead = forms.ModelChoiceField(
        label=_("Who leads the collaboration?"),
        help_text=_("Takes the initiative, calls meetings regularly and holds the pen."),
        queryset=Party.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        blank=True,  # show "Nobody yet" as a choice among the radio buttons
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Party.objects.filter(pk__in=[party.pk for party in parties])
        self.fields["lead"].label_from_instance = lambda party: party.name
        self.order_fields(
            ["lead", *[name for name in self.fields if name not in ("lead", "complete")], "complete"]
        )

    def texts(self):
        return {name: value for name, value in self.cleaned_data.items() if name not in ("complete", "lead")}


class PartyAddForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=None,
        empty_label=_("Choose a partner"),
        error_messages={"required": _("Choose the partner to add.")},
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        taken = agreement.parties.exclude(partner=None).values("partner")
        self.fields["partner"].queryset = (
            agreement.organisation.partners.exclude(status=PartnerStatus.ENDED)
            .exclude(pk__in=taken)
            .order_by("name")
        )


class PartyContactForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=None,
        required=False,
        empty_label=_("No contact person"),
    )

    def __init__(self, *args, party, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = party.partner.contacts.all()
        self.fields["contact"].initial = party.contact_id
