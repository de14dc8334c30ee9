"""Forms for logging in, signing up, the organisation profile and the team."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from partnerhub.forms import NameField
from partnerhub.models import Organisation, Role, User


class LoginForm(AuthenticationForm):
    """Django's login form. The field keeps the name `username` (django-axes reads it) but asks for the
    e-mail address, which is matched in lower case as it is stored."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match. Check both and try again."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class SignupForm(forms.Form):
    """A new account. Without an invitation it also names the user's new organisation; with one, the
    e-mail address is the invited one and cannot be changed."""

    full_name = NameField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation_name = NameField(
        label=_("Name of your organisation"),
        max_length=200,
        help_text=_("You can invite colleagues once the organisation exists."),
    )

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            del self.fields["organisation_name"]
            self.fields["email"].initial = invitation.email
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("The invitation was sent to this address.")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        elif password2:
            user = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password2, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name"]
        field_classes = {"name": NameField}
        labels = {"name": _("Name of the organisation")}


class OrganisationProfileForm(forms.ModelForm):
    """The company profile that the partner value matrix starts from."""

    class Meta:
        model = Organisation
        fields = ["name", "industry", "products_services", "employees", "revenue", "location"]
        field_classes = {"name": NameField}
        labels = {
            "name": _("Name"),
            "industry": _("Industry"),
            "products_services": _("Products and services"),
            "employees": _("Company size (employees)"),
            "revenue": _("Annual revenue (€)"),
            "location": _("Location"),
        }
        help_texts = {
            "revenue": _("In whole euros, without dots or spaces, for example 3560000."),
            "location": _("Town or region, for example Utrecht."),
        }
        widgets = {
            "products_services": forms.Textarea(attrs={"rows": 3}),
            "employees": forms.NumberInput(attrs={"min": 0}),
            "revenue": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        revenue = self.instance.revenue
        if revenue is not None and revenue == revenue.to_integral_value():
            # 3560000, as the help text asks for, rather than the column's 3560000.00.
            self.initial["revenue"] = int(revenue)

    def clean_revenue(self):
        revenue = self.cleaned_data.get("revenue")
        if revenue is not None and revenue < 0:
            raise forms.ValidationError(_("The annual revenue cannot be negative."))
        return revenue


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.VIEWER,
        help_text=_("Owners manage the team, managers edit, viewers only read."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
