"""Operations on accounts, organisations and memberships. Each runs in one transaction; none sees `request`.

The rule that an organisation always keeps at least one owner lives here, and only here.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnerhub.models import MemberInvitation, Membership, Organisation, Role, User

SLUG_MAX_LENGTH = 50


def organisation_slug_new(name: str) -> str:
    """A slug derived from the name that no organisation uses yet ("bakkerij-jansen", "bakkerij-jansen-2")."""
    base = slugify(name)[:SLUG_MAX_LENGTH].strip("-") or "organisation"
    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


@transaction.atomic
def organisation_create(*, name: str, owner: User) -> Organisation:
    """A new organisation with `owner` as its first owner."""
    organisation = Organisation.objects.create(name=name.strip(), slug=organisation_slug_new(name))
    Membership.objects.create(user=owner, organisation=organisation, role=Role.OWNER)
    return organisation


@transaction.atomic
def organisation_profile_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    """Save the company profile; the annual revenue is never negative."""
    if fields.get("revenue") is not None and fields["revenue"] < 0:
        raise ValidationError({"revenue": _("The annual revenue cannot be negative.")})
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def user_signup(
    *,
    full_name: str,
    email: str,
    password: str,
    organisation_name: str | None = None,
    invitation: MemberInvitation | None = None,
) -> tuple[User, Organisation]:
    """Create an account and return (user, organisation).

    With an invitation the new user joins the inviting organisation with the invited role (the e-mail is
    the invited one); without, the user becomes the owner of a new organisation called `organisation_name`.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if invitation is not None and invitation.email.lower() != email:
        raise ValidationError({"email": _("This invitation was sent to another e-mail address.")})
    if pending_signup_remove(email) is not None:
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    if invitation is not None:
        membership = invitation_accept(invitation=invitation, user=user)
        return user, membership.organisation
    if not organisation_name:
        raise ValidationError({"organisation_name": _("Enter the name of your organisation.")})
    return user, organisation_create(name=organisation_name, owner=user)


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """The link that confirms a sign-up: valid for PASSWORD_RESET_TIMEOUT and dead once the account is active
    (or its password changed), so it works once."""

    key_salt = "partnerhub.account_services.SignupTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


signup_tokens = SignupTokenGenerator()


def pending_signup_remove(email: str) -> User | None:
    """Delete a sign-up of `email` that was never confirmed (not active, never logged in), with the
    organisation it made; return the account of `email` that remains, or None."""
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None or existing.is_active or existing.last_login is not None:
        return existing
    shared = Membership.objects.exclude(user=existing).values("organisation_id")
    Organisation.objects.filter(memberships__user=existing).exclude(pk__in=shared).delete()
    existing.delete()
    return None


@transaction.atomic
def signup_request(*, full_name: str, email: str, password: str, organisation_name: str) -> tuple[User, bool]:
    """A sign-up without an invitation; returns (user, created).

    The answer must not tell whether the address has an account, so nobody is logged in here: a new address
    gets an inactive account (and its organisation) that its confirmation link activates, an address with an
    account gets nothing (created=False: the caller mails it instead). An earlier sign-up that was never
    confirmed is replaced, so a stranger who signed up with someone's address cannot keep it from them.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if not organisation_name or not organisation_name.strip():
        raise ValidationError({"organisation_name": _("Enter the name of your organisation.")})
    existing = pending_signup_remove(email)
    if existing is not None:
        make_password(password)  # the same work as a new account, so the answer takes as long
        return existing, False
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip(), is_active=False
    )
    organisation_create(name=organisation_name, owner=user)
    return user, True


@transaction.atomic
def signup_confirm(*, user: User) -> Organisation | None:
    """Activate a confirmed sign-up; returns the organisation it created."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return Organisation.objects.filter(memberships__user=user).order_by("pk").first()


@transaction.atomic
def member_invite(
    *, organisation: Organisation, email: str, role: str, invited_by: User | None
) -> tuple[MemberInvitation, str]:
    """Invite an e-mail address to join with a role; returns (invitation, raw_token) for the e-mail link.

    Refuses an address that already belongs to a member or that still has a usable invitation.
    """
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("%(email)s is already a member of this organisation.") % {"email": email}}
        )
    pending = invitations_pending(organisation).filter(email__iexact=email).first()
    if pending is not None:
        raise ValidationError(
            {
                "email": _(
                    "%(email)s has already been invited; that invitation is valid until %(date)s. "
                    "Revoke it first to send a new one."
                )
                % {"email": email, "date": date_format(timezone.localdate(pending.expires_at))}
            }
        )
    invitation = MemberInvitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.MEMBER_INVITATION_DAYS),
    )
    raw_token = invitation.issue_token()
    invitation.full_clean()
    invitation.save()
    return invitation, raw_token


def invitations_pending(organisation: Organisation) -> QuerySet[MemberInvitation]:
    """Invitations of an organisation that can still be accepted."""
    return organisation.member_invitations.usable().filter(accepted_at__isnull=True)


@transaction.atomic
def invitation_accept(*, invitation: MemberInvitation, user: User) -> Membership:
    """Join the invitation's organisation with its role (an existing member keeps the role they have).

    Only the invited e-mail address may accept, and only once: afterwards the token no longer works.
    """
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable or invitation.accepted_at is not None:
        raise ValidationError(_("This invitation is no longer valid."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s; you are logged in as %(user_email)s.")
            % {"email": invitation.email, "user_email": user.email}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    now = timezone.now()
    invitation.accepted_at = now
    invitation.revoked_at = now  # a used token is as dead as a revoked one
    invitation.save(update_fields=["accepted_at", "revoked_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: MemberInvitation) -> MemberInvitation:
    """Stop an invitation from working; revoking twice changes nothing."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def is_last_owner(membership: Membership, *, lock: bool = False) -> bool:
    """Whether `membership` is the organisation's only owner. With lock=True the owners' rows are locked
    (inside a transaction), so two requests cannot both pass the check and leave no owner behind."""
    if membership.role != Role.OWNER:
        return False
    owners = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.OWNER)
    if lock:
        owners = owners.select_for_update()
    return not [pk for pk in owners.values_list("pk", flat=True) if pk != membership.pk]


def _keep_an_owner(membership: Membership, message: str) -> None:
    if is_last_owner(membership, lock=True):
        raise ValidationError(message)


@transaction.atomic
def member_change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; the last owner cannot be demoted."""
    if role not in Role.values:
        raise ValidationError(_("Choose a valid role."))
    if role != Role.OWNER:
        _keep_an_owner(
            membership,
            _("%(name)s is the only owner. Make someone else owner first.") % {"name": membership.user},
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    """Take a member out of the organisation; the last owner cannot be removed."""
    _keep_an_owner(
        membership,
        _("%(name)s is the only owner and cannot be removed. Make someone else owner first.")
        % {"name": membership.user},
    )
    membership.delete()


def member_leave_refusal(membership: Membership, *, lock: bool = False) -> str | None:
    """Why `membership` may not leave its organisation, or None when it may.

    An organisation never loses its last member or its last owner: the only member is told so, the last
    owner among others is told to hand the ownership over first.
    """
    members = Membership.objects.filter(organisation_id=membership.organisation_id)
    if lock:
        members = members.select_for_update()
    if not members.exclude(pk=membership.pk).exists():
        return _(
            "You are the only member of this organisation, so you cannot leave it. "
            "Invite a colleague and make them owner first."
        )
    if is_last_owner(membership, lock=lock):
        return _("You are the only owner of this organisation. Make someone else owner before you leave.")
    return None


@transaction.atomic
def member_leave(*, membership: Membership) -> None:
    """Leave an organisation, unless `member_leave_refusal` gives a reason not to."""
    refusal = member_leave_refusal(membership, lock=True)
    if refusal:
        raise ValidationError(refusal)
    membership.delete()
