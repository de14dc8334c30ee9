"""Forms of the sign-off: whom to ask to sign a version, and where to send the link."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from agreements.signing.sign_requests import NAME_MAX


class SignRequestForm(forms.Form):
    signer_name = forms.CharField(
        label=gettext_lazy("Who signs"),
        max_length=NAME_MAX,
        error_messages={"required": gettext_lazy("Fill in the name of the person who signs.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid e-mail address.")},
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        party_id: int,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial, prefix=f"party-{party_id}")
        self.fields["signer_name"].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["autocomplete"] = "off"
