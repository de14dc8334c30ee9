from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checker.models import CheckerRound, Collaboration, Statement
from checker.reminders import MAX_REMINDERS
from partnerhub.forms import NameField


class CollaborationForm(forms.ModelForm):
    class Meta:
        model = Collaboration
        fields = ["name", "description", "partners"]
        field_classes = {"name": NameField}
        labels = {"name": _("Name"), "description": _("Description"), "partners": _("Partners")}
        help_texts = {
            "partners": _("The partners that take part. Each of their contact persons gets an invitation."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "partners": forms.CheckboxSelectMultiple}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["partners"].queryset = organisation.partners.order_by("name")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Collaboration.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("There already is a collaboration called “%(name)s”."), params={"name": name}
            )
        return name


class ReminderDaysField(forms.CharField):
    """Days after the invitation, written as people write them: "3, 7, 14" (or empty: no reminders)."""

    def to_python(self, value):
        value = super().to_python(value)
        parts = [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]
        if not all(part.isdigit() and 1 <= int(part) <= 60 for part in parts):
            raise forms.ValidationError(
                _("Write whole days between 1 and 60, separated by commas, e.g. 3, 7, 14.")
            )
        days = sorted({int(part) for part in parts})
        if len(days) > MAX_REMINDERS:
            raise forms.ValidationError(
                _("At most %(max)d reminders: nobody likes to be chased more often."),
                params={"max": MAX_REMINDERS},
            )
        return days


class RoundForm(forms.ModelForm):
    reminder_days = ReminderDaysField(
        label=_("Reminders"),
        required=False,
        help_text=_(
            "Days after the invitation on which those who have not answered get a reminder (at most three, "
            "never after the deadline). Leave empty for none."
        ),
    )
    own_statements = forms.ModelMultipleChoiceField(
        label=_("Your own statements"),
        queryset=Statement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Asked after the 17 standard statements."),
    )
    new_statements = forms.CharField(
        label=_("New statements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One statement per line, for example: We share our network with each other."),
    )

    class Meta:
        model = CheckerRound
        fields = ["name", "opens_on", "deadline", "anonymous", "reminder_days"]
        field_classes = {"name": NameField}
        labels = {
            "name": _("Name"),
            "opens_on": _("Opens on"),
            "deadline": _("Deadline"),
            "anonymous": _("Anonymise the results"),
        }
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["own_statements"].queryset = organisation.checker_statements.order_by("text_nl")
        if not self.fields["own_statements"].queryset.exists():
            del self.fields["own_statements"]
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("reminder_days", "3, 7, 14")

    def clean_new_statements(self):
        lines = [" ".join(line.split()) for line in self.cleaned_data["new_statements"].splitlines()]
        lines = [line for line in lines if line]
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("A statement has at most 300 characters."))
        return lines

    def clean(self):
        cleaned = super().clean()
        opens_on, deadline = cleaned.get("opens_on"), cleaned.get("deadline")
        if deadline and opens_on and deadline < opens_on:
            self.add_error("deadline", _("The deadline cannot be before the opening date."))
        elif deadline and deadline < timezone.localdate() and not self.instance.pk:
            self.add_error("deadline", _("The deadline has passed already. Choose a later date."))
        return cleaned


class RepeatRoundForm(forms.Form):
    name = NameField(label=_("Name"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        opens_on, deadline = cleaned.get("opens_on"), cleaned.get("deadline")
        if opens_on and deadline and deadline < opens_on:
            self.add_error("deadline", _("The deadline cannot be before the opening date."))
        elif deadline and deadline < timezone.localdate():
            self.add_error("deadline", _("The deadline has passed already. Choose a later date."))
        return cleaned
