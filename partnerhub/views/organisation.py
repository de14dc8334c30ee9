"""A user's organisations, an organisation's profile, and its team: members, roles and invitations."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partnerhub import account_services
from partnerhub.account_forms import (
    MemberInviteForm,
    MemberRoleForm,
    OrganisationForm,
    OrganisationProfileForm,
)
from partnerhub.models import Membership, Organisation, Role
from partnerhub.ratelimits import organisation_key, rate_limit
from partnerhub.tenancy import SESSION_KEY, organisation_view


def _membership(request, membership_id):
    return get_object_or_404(request.organisation.memberships.select_related("user"), pk=membership_id)


def _error_text(error):
    return " ".join(error.messages)


@login_required
def organisation_list(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(
        request,
        "partnerhub/organisation_list.html",
        {"memberships": memberships, "current_slug": request.session.get(SESSION_KEY)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = account_services.organisation_create(
            name=form.cleaned_data["name"], owner=request.user
        )
        messages.success(request, _("Organisation “%(name)s” created.") % {"name": organisation.name})
        return redirect("dashboard", organisation.slug)
    return render(request, "partnerhub/organisation_form.html", {"form": form})


@organisation_view
@require_http_methods(["GET", "POST"])
def profile(request):
    """The company profile: everyone reads it, owners and managers edit it on the same page."""
    form = None
    if request.membership.can_write:
        # A separate instance, so that a rejected form never shows its values as the saved profile.
        editable = Organisation.objects.get(pk=request.organisation.pk)
        form = OrganisationProfileForm(request.POST or None, instance=editable)
        if request.method == "POST" and form.is_valid():
            try:
                account_services.organisation_profile_update(organisation=editable, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The organisation profile has been saved."))
                return redirect("organisation_profile", editable.slug)
    return render(request, "partnerhub/organisation_profile.html", {"form": form})


def _member_list_page(request, invite_form=None, status=200):
    organisation = request.organisation
    memberships = organisation.memberships.select_related("user").order_by("user__email")
    context = {
        "memberships": memberships,
        "invitations": account_services.invitations_pending(organisation).select_related("invited_by"),
        "invite_form": invite_form or (MemberInviteForm() if request.membership.is_owner else None),
        "roles": Role.choices,
        "is_owner": request.membership.is_owner,
        "invitation_days": settings.MEMBER_INVITATION_DAYS,
    }
    return render(request, "partnerhub/member_list.html", context, status=status)


@organisation_view
def member_list(request):
    return _member_list_page(request)


def _send_invitation(*, invitation, accept_url, inviter):
    context = {
        "invitation": invitation,
        "organisation_name": invitation.organisation.name,
        "inviter": inviter,
        "accept_url": accept_url,
        "role": invitation.get_role_display(),
    }
    subject = " ".join(render_to_string("registration/invitation_subject.txt", context).split())
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


@organisation_view(owner_only=True)
@require_POST
@rate_limit("member_invite", key=organisation_key)
def member_invite(request):
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, raw_token = account_services.member_invite(
                organisation=request.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            accept_url = request.build_absolute_uri(reverse("invitation_accept", args=[raw_token]))
            transaction.on_commit(
                partial(
                    _send_invitation,
                    invitation=invitation,
                    accept_url=accept_url,
                    inviter=request.user.get_full_name(),
                )
            )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("member_list", request.organisation.slug)
    return _member_list_page(request, invite_form=form)


@organisation_view(owner_only=True)
@require_POST
def member_role(request, membership_id):
    membership = _membership(request, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            account_services.member_change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display().lower()},
            )
    return redirect("member_list", request.organisation.slug)


@organisation_view(owner_only=True)
@require_http_methods(["GET", "POST"])
def member_remove(request, membership_id):
    membership = _membership(request, membership_id)
    if membership.pk == request.membership.pk:
        messages.error(request, _("You cannot remove yourself here. Use “Leave organisation” instead."))
        return redirect("member_list", request.organisation.slug)
    if request.method == "POST":
        try:
            account_services.member_remove(membership=membership)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("%(name)s is no longer a member of %(organisation)s.")
                % {"name": membership.user, "organisation": request.organisation},
            )
        return redirect("member_list", request.organisation.slug)
    return render(request, "partnerhub/member_confirm_remove.html", {"member": membership})


@organisation_view(viewer_may_post=True)
@require_http_methods(["GET", "POST"])
def member_leave(request):
    if request.method == "POST":
        try:
            account_services.member_leave(membership=request.membership)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("member_list", request.organisation.slug)
        if request.session.get(SESSION_KEY) == request.organisation.slug:
            del request.session[SESSION_KEY]
        messages.success(
            request, _("You have left %(organisation)s.") % {"organisation": request.organisation}
        )
        return redirect("organisation_list")
    return render(
        request,
        "partnerhub/member_confirm_leave.html",
        {"refusal": account_services.member_leave_refusal(request.membership)},
    )


@organisation_view(owner_only=True)
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = get_object_or_404(request.organisation.member_invitations, pk=invitation_id)
    account_services.invitation_revoke(invitation=invitation)
    messages.success(
        request, _("The invitation for %(email)s has been revoked.") % {"email": invitation.email}
    )
    return redirect("member_list", request.organisation.slug)
