"""Forms of the matrix app: a value matrix, the partners in it, and the partner radar (one partner's two
scores, and putting selected partners in a value matrix)."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from matrix.models import MatrixStatus, ValueMatrix
from partnerhub.forms import NameField, PartnerForm
from partnerhub.models import PartnerStatus


class ValueMatrixForm(forms.ModelForm):
    class Meta:
        model = ValueMatrix
        fields = ["name", "date", "purpose", "status"]
        field_classes = {"name": NameField}
        labels = {"name": _("Name"), "date": _("Date"), "purpose": _("Purpose"), "status": _("Status")}
        help_texts = {"purpose": _("For example: preparing the partner workshop of March.")}
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the matrix a name."))
        return name


class QuickPartnerForm(PartnerForm):
    """A new partner created from the matrix page: only what is needed to give it a row."""

    class Meta(PartnerForm.Meta):
        fields = ["name", "category", "influence", "importance"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["name"].widget.attrs["autofocus"]


SCORES = range(1, 6)
SCORE_ERROR = _("Choose a score from 1 to 5.")


def _score_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "–"), *((score, str(score)) for score in SCORES)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": SCORE_ERROR},
    )


class RadarScoreForm(forms.Form):
    """Influence and importance of one partner; empty clears a score."""

    influence = _score_field(_("Influence"))
    importance = _score_field(_("Importance"))


class MatrixChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, matrix):
        return f"{matrix.name} ({date_format(matrix.date)})"


class AddToMatrixForm(forms.Form):
    """Selected partners into an existing matrix of the organisation, or into a new one named here."""

    partners = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": _("Select at least one partner to add."),
            "invalid_choice": _("Select only partners of your own organisation."),
            "invalid_pk_value": _("Select only partners of your own organisation."),
        },
    )
    matrix = MatrixChoiceField(
        label=_("Value matrix"),
        queryset=None,
        required=False,
        empty_label=_("A new matrix"),
        error_messages={"invalid_choice": _("Choose one of your value matrices, or a new matrix.")},
    )
    new_name = NameField(
        label=_("Name of the new matrix"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("For example: key partners 2026")}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = organisation.partners.exclude(status=PartnerStatus.ENDED)
        self.fields["matrix"].queryset = ValueMatrix.objects.filter(organisation=organisation).exclude(
            status=MatrixStatus.ARCHIVED
        )

    def clean_partners(self):
        """The partners in the order they were selected (the page's order), not the queryset's."""
        partners = {partner.pk: partner for partner in self.cleaned_data["partners"]}
        ordered = []
        for value in self.data.getlist("partners"):
            partner = partners.pop(int(value), None)
            if partner is not None:
                ordered.append(partner)
        return ordered

    def clean_new_name(self):
        return " ".join(self.cleaned_data["new_name"].split())

    def clean(self):
        cleaned_data = super().clean()
        if "matrix" in cleaned_data and cleaned_data["matrix"] is None and not cleaned_data.get("new_name"):
            self.add_error("new_name", _("Give the new matrix a name, or choose an existing matrix."))
        return cleaned_data
