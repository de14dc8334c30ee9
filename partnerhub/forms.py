import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partnerhub.models import Contact, Partner, PartnerCategory, PartnerStatus
from partnerhub.names import remove_bidi_controls
from partnerhub.selectors import ALL_STATUSES, DEFAULT_PARTNER_SORT, PARTNER_SORTS

RADAR_CHOICES = [("", "—")] + [(n, str(n)) for n in range(1, 6)]


class NameField(forms.CharField):
    """A name people type, kept without bidirectional control characters (see partnerhub.names)."""

    def to_python(self, value):
        return remove_bidi_controls(super().to_python(value)).strip()


class KvkNumberField(forms.CharField):
    """Accepts the number as people write it ("1234 5678", "12.34.56.78", digits of another script such
    as "١٢٣٤٥٦٧٨" or full-width "１２３４５６７８") and keeps the 8 digits in ASCII, which is what the
    register and the database's check accept; what is left that is no digit fails the model's 8-digit
    message."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("max_length", None)  # the 8-digit rule comes from the model's validator, after cleaning
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalise_kvk_number(super().to_python(value))


def normalise_kvk_number(value: str) -> str:
    """The KvK number without spaces, dots and dashes, every decimal digit (of any script) in ASCII."""
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in value
        if not (ch.isspace() or ch in ".-")
    )


class PartnerForm(forms.ModelForm):
    """A partner's own fields. The organisation is given, so a name is unique within it."""

    influence = forms.TypedChoiceField(
        label=_("Influence"), choices=RADAR_CHOICES, coerce=int, empty_value=None, required=False
    )
    importance = forms.TypedChoiceField(
        label=_("Importance"), choices=RADAR_CHOICES, coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "category",
            "status",
            "kvk_number",
            "website",
            "influence",
            "importance",
            "relationship_owner",
            "notes",
        ]
        field_classes = {"name": NameField, "kvk_number": KvkNumberField}
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "kvk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["influence"].help_text = Partner._meta.get_field("influence").help_text
        self.fields["importance"].help_text = Partner._meta.get_field("importance").help_text
        if "relationship_owner" in self.fields:  # a shorter form (adding a partner to a matrix) leaves it out
            self.fields["relationship_owner"].queryset = (
                get_user_model()
                .objects.filter(memberships__organisation=organisation)
                .order_by("full_name", "email")
            )
            self.fields["relationship_owner"].empty_label = _("— nobody yet —")
        self.fields["name"].widget.attrs["autofocus"] = True

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Partner.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("There already is a partner called “%(name)s”."), params={"name": name}
            )
        return name


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "job_title", "email", "phone", "is_key_person", "notes"]
        field_classes = {"name": NameField}
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }


class PartnerFilterForm(forms.Form):
    """The list's search, filters and sorting, read from the query string. Bad values fall back to all."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("All categories"))] + PartnerCategory.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("Current (not ended)")), (ALL_STATUSES, _("All statuses"))] + PartnerStatus.choices,
        required=False,
    )
    sort = forms.ChoiceField(choices=[(key, key) for key in PARTNER_SORTS], required=False)

    def filters(self):
        self.is_valid()  # fills cleaned_data with the fields that are valid; a bad one is left out
        data = self.cleaned_data
        return {
            "query": data.get("q", ""),
            "category": data.get("category", ""),
            "status": data.get("status", ""),
            "sort": data.get("sort") or DEFAULT_PARTNER_SORT,
        }
