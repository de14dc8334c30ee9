"""Who brings business, and the business they bring.

`Affiliate`: a partner's part in the affiliate programme (link code, coupon, payout account; a blogger is set
up as a partner first). `Click`: one visit through `/r/<code>`. `Project`: an order or project a partner
brought (entered, imported, or reported through the conversions API); tiers count them, commissions are
earned on them. `Referral`: a lead an estate agent (or any partner) passes on. `ApiKey`: how an
organisation's webshop or CRM talks to the API.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.models import Organisation, Partner
from partnerhub.tokens import TokenModel

MONEY = {"max_digits": 12, "decimal_places": 2}

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{2,39}$",
    _("Use 3 to 40 lower-case letters, digits and hyphens, starting with a letter or digit."),
)
coupon_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{2,29}$",
    _("Use 3 to 30 capital letters, digits and hyphens."),
)


class Affiliate(models.Model):
    """A partner's link code, coupon code and payout account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affiliates")
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="affiliate")
    code = models.CharField(
        _("link code"),
        max_length=40,
        unique=True,
        validators=[code_validator],
        help_text=_("The part after /r/ in the affiliate link."),
    )
    coupon_code = models.CharField(_("coupon code"), max_length=30, blank=True, validators=[coupon_validator])
    commission_percent = models.DecimalField(
        _("own commission (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the programme's rate."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    customer_reference = models.CharField(
        _("own customer reference"),
        max_length=100,
        blank=True,
        help_text=_("Orders under this reference or e-mail address are the affiliate's own: no commission."),
    )
    account_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("affiliate")
        verbose_name_plural = _("affiliates")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "coupon_code"],
                condition=~models.Q(coupon_code=""),
                name="affiliate_unique_coupon",
            ),
        ]

    def __str__(self):
        return self.code

    def commission_rate(self, programme):
        """The percentage this affiliate earns: its own rate when it has one, else the programme's. The one
        place this rule is written (commissions, the portal and the affiliate list read it here)."""
        own = self.commission_percent
        return own if own is not None else programme.commission_percent


class PortalLink(TokenModel):
    """The affiliate's own link to the portal `/p/<token>`: read-only, revocable, expiring."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="portal_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"portal {self.affiliate}"


class Click(models.Model):
    """One visit through an affiliate link. The visitor's IP is kept only as a salted hash.

    `click_id` goes to the landing page as `ph_click=`; the shop sends it back with the order. Clicks from one
    source within the same few seconds share a `dedup_bucket`; the unique constraint keeps one of them.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="clicks")
    click_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(db_index=False)
    landing = models.CharField(max_length=500, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    source_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    dedup_bucket = models.BigIntegerField()

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "source_hash", "dedup_bucket"], name="click_once_per_source_bucket"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="click_org_time_idx"),
            models.Index(fields=["affiliate", "created_at"], name="click_affiliate_time_idx"),
        ]

    def __str__(self):
        return self.click_id


class ClickMonth(models.Model):
    """How many clicks an affiliate had in a month, kept when the clicks themselves are removed after
    `AFFILIATE_CLICKS_KEEP_MONTHS` (affiliates/housekeeping.py): counts stay, visitors' traces go."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="click_months")
    month = models.DateField(_("month"))  # the first day
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("clicks of a month")
        verbose_name_plural = _("clicks per month")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "month"], name="click_month_once_per_affiliate"),
        ]

    def __str__(self):
        return f"{self.affiliate} {self.month:%Y-%m}: {self.clicks}"


class ProjectSource(models.TextChoices):
    MANUAL = "manual", _("Entered")
    CSV = "csv", _("Imported")
    API = "api", _("API")


class Attribution(models.TextChoices):
    NONE = "", _("Not attributed")
    CLICK = "click", _("Affiliate link")
    COUPON = "coupon", _("Coupon")


class Project(models.Model):
    """A project or order a partner brought: the unit tiers count and commissions are earned on.

    An order reported through the API without an affiliate has no partner; it still counts for the first-order
    rule of its customer. `idempotency_key` makes a repeated API request return the first answer.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="projects")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    customer_reference = models.CharField(_("customer reference"), max_length=100)
    customer_email = models.EmailField(_("customer e-mail"), blank=True)
    value = models.DecimalField(_("value (€)"), **MONEY, validators=[MinValueValidator(0)])
    date = models.DateField(_("date"))
    delivered_on_time = models.BooleanField(_("delivered on time"), null=True, blank=True)
    paid_on_time = models.BooleanField(_("paid on time"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=ProjectSource.choices, default=ProjectSource.MANUAL)
    attribution = models.CharField(max_length=10, choices=Attribution.choices, blank=True, default="")
    click = models.ForeignKey(Click, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    idempotency_key = models.CharField(max_length=100, blank=True)
    api_result = models.JSONField(default=dict, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="project_unique_idempotency_key",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="project_value_gte_0"),
        ]
        indexes = [
            models.Index(fields=["partner", "date"], name="project_partner_date_idx"),
            models.Index(fields=["organisation", "date"], name="project_org_date_idx"),
            models.Index(fields=["organisation", "customer_reference"], name="project_org_customer_idx"),
        ]

    def __str__(self):
        return f"{self.customer_reference} ({self.date})"


class ReferralStatus(models.TextChoices):
    NEW = "new", _("New")
    QUALIFIED = "qualified", _("Qualified")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Referral(models.Model):
    """A lead a partner passed on. When it is won, the partner earns one referral fee."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="referrals")
    lead_name = models.CharField(_("lead"), max_length=200)
    lead_email = models.EmailField(_("e-mail address"), blank=True)
    lead_phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="referral_org_status_idx")]

    def __str__(self):
        return self.lead_name


class ApiKey(models.Model):
    """An organisation's key for the API. Only the SHA-256 hash is kept; the prefix identifies it in lists."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
