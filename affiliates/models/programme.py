"""Programme settings and tiers (seed 004, sections 1.1, 3 and 4.1).

`ProgrammeSettings` holds one organisation's rates, windows and KPI targets; `Tier` rows are its partnership
tiers (Bronze 10+ projects a year … Platinum 100+). A partner's current tier is kept on its `TierStanding`
(evaluated from its projects of the last 12 months, or overridden by a manager with a reason); every change
is a `TierChange` row, the history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.models import Organisation, Partner

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONEY = {"max_digits": 12, "decimal_places": 2}

# The highest amount each money setting accepts: far above any real programme, far below a typo's billions.
MONEY_LIMITS = {
    "referral_fee": Decimal("10000"),
    "minimum_payout": Decimal("10000"),
    # The API refuses any value above 1,000,000 whatever the programme says (affiliates/api.py).
    "max_order_value": Decimal("1000000"),
    "review_threshold": Decimal("100000"),
    "target_order_value": Decimal("10000000"),
}


def _money(name, minimum="0"):
    return [MinValueValidator(Decimal(minimum)), MaxValueValidator(MONEY_LIMITS[name])]


class ProgrammeSettings(models.Model):
    """One organisation's programme rules. Created with seed 004's defaults on first use."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="programme_settings"
    )
    referral_fee = models.DecimalField(
        _("referral fee"),
        **MONEY,
        default=Decimal("50.00"),
        validators=_money("referral_fee"),
        help_text=_("Paid once for every referral that is won."),
    )
    commission_percent = models.DecimalField(
        _("affiliate commission (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=PERCENT,
        help_text=_("Share of a customer's first order that the affiliate earns."),
    )
    cookie_window_days = models.PositiveIntegerField(
        _("attribution window (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("An order counts for an affiliate when it comes within this many days of the click."),
    )
    minimum_payout = models.DecimalField(
        _("minimum payout"),
        **MONEY,
        default=Decimal("50.00"),
        validators=_money("minimum_payout"),
        help_text=_("An affiliate is paid once the approved balance reaches this amount."),
    )
    max_order_value = models.DecimalField(
        _("highest order value"),
        **MONEY,
        default=Decimal("100000.00"),
        validators=_money("max_order_value", minimum="1"),
        help_text=_("An order reported with a higher value is refused: it is almost certainly a mistake."),
    )
    review_threshold = models.DecimalField(
        _("review commissions above"),
        **MONEY,
        default=Decimal("1000.00"),
        validators=_money("review_threshold"),
        help_text=_(
            "A commission above this amount is never approved automatically: it waits until a person "
            "has checked and approved it."
        ),
    )
    hold_days = models.PositiveIntegerField(
        _("hold before approval (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("A commission is approved automatically this many days after the order."),
    )
    home_url = models.URLField(
        _("home page"),
        blank=True,
        help_text=_("Where an affiliate link without a landing page leads, for example https://example.nl/."),
    )
    landing_urls = models.TextField(
        _("allowed landing pages"),
        blank=True,
        help_text=_(
            "One address per line. An affiliate link may only lead to these addresses or pages below them."
        ),
    )
    # KPI targets (seed 004, section 3)
    target_order_value = models.DecimalField(
        _("target average order value"),
        **MONEY,
        default=Decimal("700.00"),
        validators=_money("target_order_value"),
    )
    target_on_time_delivery = models.DecimalField(
        _("target on-time delivery (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("95"),
        validators=PERCENT,
    )
    target_nps = models.SmallIntegerField(
        _("target NPS"), default=60, validators=[MinValueValidator(-100), MaxValueValidator(100)]
    )
    target_payment_on_time = models.DecimalField(
        _("target payment on time (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=PERCENT,
    )
    # The paying account for SEPA credit transfers
    debtor_name = models.CharField(_("account holder"), max_length=70, blank=True)
    debtor_iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    debtor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # When the programme started: an order dated earlier earns no commission by coupon or code.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(referral_fee__gte=0), name="programme_referral_fee_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    referral_fee__lte=MONEY_LIMITS["referral_fee"],
                    minimum_payout__lte=MONEY_LIMITS["minimum_payout"],
                    max_order_value__gte=1,
                    max_order_value__lte=MONEY_LIMITS["max_order_value"],
                    review_threshold__gte=0,
                    review_threshold__lte=MONEY_LIMITS["review_threshold"],
                ),
                name="programme_money_limits",
            ),
            models.CheckConstraint(
                condition=models.Q(commission_percent__gte=0, commission_percent__lte=100),
                name="programme_commission_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_payout__gte=0), name="programme_minimum_payout_gte_0"
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    @property
    def landing_url_list(self):
        return [line.strip() for line in self.landing_urls.splitlines() if line.strip()]


class Tier(models.Model):
    """A partnership tier: partners with at least `min_projects` projects in 12 months get its discount."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=60)
    min_projects = models.PositiveIntegerField(
        _("projects a year (at least)"), validators=[MinValueValidator(1)]
    )
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    benefits = models.CharField(_("extra benefits"), max_length=300, blank=True)

    class Meta:
        ordering = ["organisation", "min_projects"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="tier_unique_name"),
            models.UniqueConstraint(fields=["organisation", "min_projects"], name="tier_unique_threshold"),
            models.CheckConstraint(condition=models.Q(min_projects__gte=1), name="tier_min_projects_gte_1"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="tier_discount_0_100",
            ),
        ]

    def __str__(self):
        return self.name


class TierStanding(models.Model):
    """A partner's place in the programme: its current tier and whether a manager fixed it by hand."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="tier_standing")
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="standings")
    project_count = models.PositiveIntegerField(_("projects in the last 12 months"), default=0)
    evaluated_at = models.DateTimeField(_("last evaluated"), null=True, blank=True)
    is_override = models.BooleanField(_("set by hand"), default=False)
    override_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tier standing")
        verbose_name_plural = _("tier standings")
        indexes = [models.Index(fields=["organisation", "tier"], name="standing_org_tier_idx")]

    def __str__(self):
        return f"{self.partner}: {self.tier or '-'}"


class TierChangeKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    OVERRIDE = "override", _("Set by hand")
    OVERRIDE_ENDED = "override_ended", _("Back to the evaluation")


class TierChange(models.Model):
    """History: every time a partner's tier was (re)evaluated or set by hand."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    previous_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    previous_name = models.CharField(max_length=60, blank=True)
    tier_name = models.CharField(max_length=60, blank=True)
    project_count = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=TierChangeKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the owners and managers were mailed about this change (set under a row lock by the mail task,
    # so a task that runs twice mails once).
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "-created_at"], name="tierchange_partner_idx")]

    def __str__(self):
        return f"{self.partner}: {self.previous_name or '-'} → {self.tier_name or '-'}"
