"""How partners perform and are looked after: NPS scores for the KPIs, onboarding, quarterly reviews."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.tracking import Project
from partnerhub.models import Document, Organisation, Partner
from partnerhub.tokens import TokenModel


class NpsSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    LINK = "link", _("Through the link")


class NpsScore(models.Model):
    """A customer's answer to "how likely would you recommend …" (0–10) about a partner's work."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="nps_scores")
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(max_length=10, choices=NpsSource.choices, default=NpsSource.ENTERED)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("NPS score")
        verbose_name_plural = _("NPS scores")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=10), name="nps_score_0_10"),
        ]
        indexes = [models.Index(fields=["partner", "date"], name="nps_partner_date_idx")]

    def __str__(self):
        return f"{self.partner}: {self.score}"


class NpsRequest(TokenModel):
    """A one-question link `/nps/<token>` sent to a partner's customer; answered once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="nps_requests")
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    email = models.EmailField(_("e-mail address"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.OneToOneField(NpsScore, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("NPS request")
        verbose_name_plural = _("NPS requests")

    def __str__(self):
        return f"NPS {self.partner}"


class OnboardingStep(models.Model):
    """A step of the organisation's onboarding template (seed 004, 2.1: four weeks, three phases)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="onboarding_steps")
    phase = models.CharField(_("phase"), max_length=60)
    title = models.CharField(_("task"), max_length=200)
    due_week = models.PositiveSmallIntegerField(
        _("due in week"), validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        ordering = ["organisation", "due_week", "position", "pk"]

    def __str__(self):
        return self.title


class OnboardingTask(models.Model):
    """A new partner's onboarding task, copied from the template when the onboarding starts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="onboarding_tasks")
    phase = models.CharField(_("phase"), max_length=60)
    title = models.CharField(_("task"), max_length=200)
    due_date = models.DateField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="onboarding_tasks",
        verbose_name=_("owner"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("onboarding task")
        verbose_name_plural = _("onboarding tasks")
        ordering = ["partner", "due_date", "position", "pk"]
        indexes = [models.Index(fields=["organisation", "done_at", "due_date"], name="onboarding_open_idx")]

    def __str__(self):
        return self.title


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
