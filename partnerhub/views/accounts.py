"""Logging in, passwords, signing up, and accepting an invitation to join an organisation."""

from functools import partial

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from partnerhub import account_services
from partnerhub.account_forms import LoginForm, SignupForm
from partnerhub.models import MemberInvitation, User
from partnerhub.ratelimits import posted_email, rate_limit

# A user who just signed up is logged in with the plain backend: django-axes only guards password checks.
SIGNUP_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# Each request mails an address typed in: limited per visitor's address and per address asked for.
@method_decorator(
    [rate_limit("password_reset"), rate_limit("password_reset_email", key=posted_email)], name="dispatch"
)
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


def _usable_invitation(token):
    return (
        MemberInvitation.objects.select_related("organisation", "invited_by")
        .filter(accepted_at__isnull=True)
        .by_token(token)
    )


def _invitation_invalid(request):
    return render(request, "registration/invitation_invalid.html", status=404)


@require_http_methods(["GET", "POST"])
@rate_limit("signup")
def signup(request):
    """A new account with a new organisation, or (with ?invitation=<token>) joining the inviting one."""
    token = request.GET.get("invitation")
    invitation = _usable_invitation(token) if token else None
    if token and invitation is None:
        return _invitation_invalid(request)
    if request.user.is_authenticated:
        if invitation is not None:
            return redirect("invitation_accept", token)
        return redirect("organisation_create")
    # The invitation's link went to that address: its holder may learn that the account exists.
    if (
        invitation is not None
        and User.objects.filter(email__iexact=invitation.email, is_active=True).exists()
    ):
        messages.info(request, _("You already have an account. Log in to accept the invitation."))
        return redirect_to_login(reverse("invitation_accept", args=[token]))

    form = SignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid() and invitation is None:
        data = form.cleaned_data
        try:
            user, created = account_services.signup_request(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password1"],
                organisation_name=data.get("organisation_name"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            transaction.on_commit(partial(_send_signup_mail, request=request, user=user, created=created))
            return redirect("signup_sent")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, organisation = account_services.user_signup(
                full_name=data["full_name"],
                email=data["email"],
                password=data["password1"],
                organisation_name=data.get("organisation_name"),
                invitation=invitation,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=SIGNUP_BACKEND)
            messages.success(request, _("Welcome to PartnerHub, %(name)s.") % {"name": user.get_short_name()})
            return redirect("dashboard", organisation.slug)
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})


def _send_signup_mail(*, request, user, created):
    """A new address gets its confirmation link; an address with an account is told so, by mail only."""
    if created:
        uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
        token = account_services.signup_tokens.make_token(user)
        context = {"confirm_url": request.build_absolute_uri(reverse("signup_confirm", args=[uidb64, token]))}
        template = "registration/signup_confirm"
    else:
        context = {
            "login_url": request.build_absolute_uri(reverse("login")),
            "reset_url": request.build_absolute_uri(reverse("password_reset")),
        }
        template = "registration/signup_existing"
    context["name"] = user.get_short_name()
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    send_mail(subject, render_to_string(f"{template}_email.txt", context), None, [user.email])


@require_safe
def signup_sent(request):
    return render(request, "registration/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64, token):
    """The link of the confirmation mail: a page with one button (a mail scanner that opens links does not
    use it up), whose POST activates the account and logs its owner in."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not account_services.signup_tokens.check_token(user, token):
        return render(request, "registration/signup_confirm_invalid.html", status=404)
    if request.method == "GET":
        return render(request, "registration/signup_confirm.html", {"confirm_user": user})
    organisation = account_services.signup_confirm(user=user)
    login(request, user, backend=SIGNUP_BACKEND)
    messages.success(request, _("Welcome to PartnerHub, %(name)s.") % {"name": user.get_short_name()})
    return redirect("dashboard", organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The page an invitation e-mail links to. Public: it shows the organisation and the role; the invited
    user accepts it with a POST, anyone else is told what to do."""
    invitation = _usable_invitation(token)
    if invitation is None:
        return _invitation_invalid(request)
    user = request.user
    email_matches = user.is_authenticated and user.email.lower() == invitation.email.lower()

    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = account_services.invitation_accept(invitation=invitation, user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("invitation_accept", token)
        messages.success(
            request,
            _("You are now a member of %(organisation)s.") % {"organisation": membership.organisation},
        )
        return redirect("dashboard", membership.organisation.slug)

    return render(
        request,
        "registration/invitation_accept.html",
        {
            "invitation": invitation,
            "invited_organisation": invitation.organisation,
            "email_matches": email_matches,
            "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
            "signup_url": f"{reverse('signup')}?{urlencode({'invitation': token})}",
        },
    )
