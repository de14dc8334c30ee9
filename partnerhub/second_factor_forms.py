"""Forms of the second factor: a code (from the app or a recovery code) and the organisation's requirement."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the app or a recovery code. `autofocus` for a page whose only task is this code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "autocorrect": "off",
                "spellcheck": "false",
                "size": 12,
            }
        ),
    )

    def __init__(self, *args, autofocus=False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code:
            raise forms.ValidationError(_("Type the code."))
        return code


class AppCodeForm(CodeForm):
    """Only a code from the app: used to prove the app was set up right."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.help_text = _("The six digits your authenticator app shows now.")
        field.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})


class RequirementForm(forms.Form):
    second_factor_required = forms.BooleanField(
        label=_("Require a second factor"),
        required=False,
        help_text=_(
            "Members then confirm with a code from their app before they approve or reject commissions, "
            "make or pay a payout batch, or change the paying account."
        ),
    )
