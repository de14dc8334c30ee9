"""Tiers and performance (seed 004, sections 1.1 and 3).

`Project`: an order or project a partner brought (entered, imported, or reported through the conversions
API); tiers count them, commissions are earned on them. `Tier` rows are the partnership tiers (Bronze 10+
projects a year … Platinum 100+); a partner's current tier is kept on its `TierStanding` (evaluated from its
projects of the last 12 months, or overridden by a manager with a reason), and every change is a
`TierChange`, the history. `QuarterlyReview`: a partner's quarter in numbers, drafted, discussed, final.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.programme import PERCENT
from affiliates.models.tracking import Click
from partnerhub.models import Document, Organisation, Partner

MONEY = {"max_digits": 12, "decimal_places": 2}


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


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class QuarterlyReview(models.Model):
    """A partner's review of a quarter (seed 004, section 3): numbers filled in, words by the manager."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="quarterly_reviews")
    quarter_start = models.DateField(_("quarter"))
    figures = models.JSONField(default=dict, blank=True)
    volume_analysis = models.TextField(_("volume analysis"), blank=True)
    quality_feedback = models.TextField(_("quality feedback"), blank=True)
    pricing_review = models.TextField(_("pricing review"), blank=True)
    tier_evaluation = models.TextField(_("tier evaluation"), blank=True)
    growth_plans = models.TextField(_("growth plans"), blank=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        ordering = ["-quarter_start", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "quarter_start"], name="review_once_per_quarter"),
        ]

    def __str__(self):
        return f"{self.partner} {self.quarter_start:%Y}-Q{(self.quarter_start.month - 1) // 3 + 1}"
