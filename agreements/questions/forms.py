"""Forms of the ten basic questions: a party's sheet, sending its link, a follow-up action."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Party
from agreements.questions.actions import MAX_ACTION
from agreements.questions.answers import MAX_ANSWER
from agreements.questions.texts import Question


class SheetForm(forms.Form):
    """The ten answers at once, as the page sends them without JavaScript. A field is named by its question's
    code; the autosave sends one of them at a time."""

    def __init__(self, *args: Any, questions: Iterable[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question.code] = forms.CharField(
                label=question.text,
                help_text=question.help,
                required=False,
                strip=True,
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_ANSWER}),
            )

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in self.fields}


class SendLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        error_messages={
            "required": _("Fill in the e-mail address to send the link to."),
            "invalid": _("This is not a valid e-mail address."),
        },
    )

    # Not a field: set by the view on a refused form, the party whose row shows it.
    party_id: int


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Party) -> str:
        return obj.name


class ActionForm(forms.Form):
    """A new follow-up action. Whether the owner and date are allowed is the service's rule
    (actions.action_problems); the form only reads the fields."""

    description = forms.CharField(
        label=_("Action"),
        max_length=MAX_ACTION,
        error_messages={"required": _("Describe what has to be done.")},
    )
    owner = PartyChoiceField(
        label=_("Who does it"),
        queryset=Party.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose one of the parties of this agreement."),
            "invalid_choice": _("Choose one of the parties of this agreement."),
        },
    )
    due_date = forms.DateField(
        label=_("Done by"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date by which it must be done."),
            "invalid": _("Give a date, for example 31-12-2026."),
        },
    )

    def __init__(self, *args: Any, agreement: Agreement, code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        cast(PartyChoiceField, self.fields["owner"]).queryset = Party.objects.filter(
            agreement=agreement
        ).select_related("partner", "agreement__organisation")
        self.fields["description"].widget.attrs["maxlength"] = MAX_ACTION
