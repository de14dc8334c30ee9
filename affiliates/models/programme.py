"""The programme's rules and its affiliates (seed 004, sections 1.1 and 4.1).

`ProgrammeSettings` holds one organisation's rates, windows, money limits and KPI targets. `Affiliate`: a
partner's part in the affiliate programme (link code, coupon, payout account; a blogger is set up as a
partner first).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
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
