"""The second factor: the code step of logging in, the account's security page (turn on, recovery codes,
turn off) and an organisation's requirement (owners only)."""

import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerhub import second_factor
from partnerhub.models import Organisation
from partnerhub.second_factor_forms import AppCodeForm, CodeForm, RequirementForm
from partnerhub.tenancy import organisation_view
from partnerhub.views import accounts

PENDING_KEY = "second_factor_pending_login"
# A password that was right waits this long for its code; after that it must be typed again.
PENDING_SECONDS = 600


class LoginView(accounts.LoginView):
    """The password step. A user with a second factor is not logged in yet: the session remembers who typed
    the right password, and the code step finishes the login."""

    def form_valid(self, form):
        user = form.get_user()
        if not second_factor.has_second_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
            "failures": 0,
        }
        return redirect("second_factor_verify")


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


def _wrong_code_message(check):
    if check.wait_until is not None:
        return _("Too many wrong codes. Try again after %(time)s.") % {
            "time": time_format(timezone.localtime(check.wait_until), "H:i:s")
        }
    return _(
        "That code is not right. Type the code your app shows now, or a recovery code you have not used."
    )


def _too_many_message():
    return _("Too many wrong codes. Wait a quarter of an hour and try again.")


@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    """The code step: after the password at login, or when an organisation asks a logged-in member for it."""
    if request.user.is_authenticated:
        user, pending = request.user, None
        next_url = second_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"), "/")
        if request.user.is_verified():
            return redirect(next_url)
        if not second_factor.has_second_factor(user):
            return redirect(f"{reverse('account_security')}?{urlencode({'next': next_url})}")
    else:
        user, pending = _pending_user(request)
        if user is None:
            messages.info(request, _("Log in again: the code was not typed in time."))
            return redirect("login")
        next_url = pending["next"]

    form = CodeForm(request.POST or None, autofocus=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        if second_factor.user_throttled(request, user):
            form.add_error("code", _too_many_message())
            status = 429
        else:
            check = second_factor.code_check(user=user, code=form.cleaned_data["code"])
            if check.ok:
                if pending is not None:
                    login(request, user, backend=pending["backend"])  # under a new session key
                    request.session.pop(PENDING_KEY, None)
                second_factor.session_verify(request, check.device)
                return redirect(second_factor.safe_next(request, next_url, "/"))
            second_factor.user_wrong_code(request, user)
            if pending is not None:
                pending["failures"] += 1
                if pending["failures"] >= second_factor.wrong_codes_per_login():
                    del request.session[PENDING_KEY]
                    messages.error(request, _("Too many wrong codes. Log in again."))
                    return redirect("login")
                request.session[PENDING_KEY] = pending
            form.add_error("code", _wrong_code_message(check))
            status = 429 if check.wait_until else 422
    return render(
        request,
        "account/second_factor_verify.html",
        {"form": form, "next": next_url, "logging_in": pending is not None},
        status=status,
    )


def _security_page(request, *, status=200, **context):
    user = request.user
    device = second_factor.totp_device(user)
    setup = None if device else second_factor.totp_device(user, confirmed=False)
    next_url = second_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"), "")
    context = {
        "device": device,
        "setup": setup,
        "next": next_url,
        "codes_left": second_factor.recovery_codes_left(user) if device else 0,
        "requiring": Organisation.objects.filter(memberships__user=user, second_factor_required=True),
        **context,
    }
    if setup is not None:
        context.setdefault("confirm_form", AppCodeForm())
        context["secret_groups"] = second_factor.secret_groups(setup)
        context["qr_svg"] = second_factor.qr_svg(
            setup, title=_("QR code to scan with your authenticator app")
        )
    if device is not None:
        context.setdefault("codes_form", CodeForm(prefix="codes"))
        context.setdefault("disable_form", CodeForm(prefix="disable"))
    return render(request, "account/security.html", context, status=status)


def _checked_code(request, form):
    """The code of `form` checked for the logged-in user; adds the error to the form when it is wrong."""
    if not form.is_valid():
        return False
    if second_factor.user_throttled(request, request.user):
        form.add_error("code", _too_many_message())
        return False
    check = second_factor.code_check(user=request.user, code=form.cleaned_data["code"])
    if not check.ok:
        second_factor.user_wrong_code(request, request.user)
        form.add_error("code", _wrong_code_message(check))
    return check.ok


@login_required
@require_http_methods(["GET", "POST"])
def account_security(request):
    """Turn the second factor on (scan, then confirm with a code), make new recovery codes, turn it off.
    Every act is on the logged-in user's own devices; no device is ever chosen by the request."""
    if request.method == "GET":
        return _security_page(request)
    user = request.user
    action = request.POST.get("action")
    if action == "start":
        try:
            second_factor.totp_setup_start(user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _security_redirect(request)
    if action == "cancel":
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return _security_redirect(request)
    if action == "confirm":
        form = AppCodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = second_factor.totp_setup_confirm(user=user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                second_factor.session_verify(request, device)
                messages.success(request, _("Your second factor is on."))
                # Shown in this answer only: the codes are never stored in the session or shown again.
                return _security_page(request, recovery_codes=codes)
        return _security_page(request, confirm_form=form, status=422)
    if action == "codes":
        form = CodeForm(request.POST, prefix="codes")
        if _checked_code(request, form):
            codes = second_factor.recovery_codes_renew(user=user)
            messages.success(request, _("New recovery codes are made; the old ones no longer work."))
            return _security_page(request, recovery_codes=codes)
        return _security_page(request, codes_form=form, status=422)
    if action == "disable":
        form = CodeForm(request.POST, prefix="disable")
        if _checked_code(request, form):
            second_factor.second_factor_disable(user=user)
            messages.success(request, _("Your second factor is off."))
            return _security_redirect(request)
        return _security_page(request, disable_form=form, status=422)
    messages.error(request, _("Choose what to do."))
    return _security_redirect(request)


def _security_redirect(request):
    next_url = second_factor.safe_next(request, request.POST.get("next"), "")
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return redirect(reverse("account_security") + query)


@organisation_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def organisation_security(request):
    """The owner's setting: require a second factor for the money acts, and who of the team has one."""
    organisation = request.organisation
    # An unticked box sends nothing: an empty POST is still the form.
    form = RequirementForm(
        request.POST if request.method == "POST" else None,
        initial={"second_factor_required": organisation.second_factor_required},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["second_factor_required"]
        try:
            second_factor.organisation_requirement_set(
                organisation=organisation, required=required, actor=request.user
            )
        except ValidationError as error:
            form.add_error("second_factor_required", error)
            status = 422
        else:
            if required:
                messages.success(request, _("A second factor is now required for payments and commissions."))
            else:
                messages.success(request, _("A second factor is no longer required."))
            return redirect("organisation_security", organisation.slug)
    confirmed_app = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    memberships = (
        organisation.memberships.select_related("user")
        .annotate(has_second_factor=Exists(confirmed_app))
        .order_by("user__email")
    )
    return render(
        request,
        "partnerhub/organisation_security.html",
        {
            "form": form,
            "memberships": memberships,
            "own_second_factor": second_factor.has_second_factor(request.user),
        },
        status=status,
    )
