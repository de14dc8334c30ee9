from django import forms
from django.utils.translation import gettext_lazy as _

from matrix.models import ValueMatrix
from partnerhub.forms import NameField, PartnerForm


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
