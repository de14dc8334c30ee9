from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.tokens import TokenModel


class EmailUserManager(UserManager):
    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """The tenant: everything a user sees hangs off exactly one organisation."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in links"), max_length=60, unique=True)
    # The company profile of the partner value matrix.
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    products_services = models.TextField(_("products and services"), blank=True)
    employees = models.PositiveIntegerField(_("company size (employees)"), null=True, blank=True)
    revenue = models.DecimalField(
        _("annual revenue (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    # Set by an owner: approving commissions, making and paying payout batches and changing the paying
    # account then ask each member for a code from their authenticator app (partnerhub.second_factor).
    second_factor_required = models.BooleanField(_("second factor required"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revenue__isnull=True) | models.Q(revenue__gte=0),
                name="organisation_revenue_not_negative",
            )
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_write(self):
        return self.role in (Role.OWNER, Role.MANAGER)

    @property
    def is_owner(self):
        return self.role == Role.OWNER


class MemberInvitation(TokenModel):
    """An e-mailed invitation for a colleague to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to join")
        verbose_name_plural = _("invitations to join")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"
