"""Working with partners: `Referral`, a lead a partner passes on; customer satisfaction (`NpsScore`, and
the one-question link `NpsRequest`); onboarding (`OnboardingStep` templates, `OnboardingTask` per partner);
co-marketing actions (seed 004, section 5) and the toolkit's `Asset` library."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.tiers import Project
from partnerhub.models import Organisation, Partner
from partnerhub.tokens import TokenModel

MONEY = {"max_digits": 12, "decimal_places": 2}


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


class InvestmentKind(models.TextChoices):
    SPLIT = "split", _("Cost split")
    TIME = "time", _("Time")
    AMOUNT = "amount", _("Fixed amount")


class CoMarketingStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CoMarketingAction(models.Model):
    """A joint action with a partner: a fair stand, a webinar, flyers in a shop, an information evening."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="comarketing_actions"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="comarketing_actions")
    action = models.CharField(_("action"), max_length=200)
    investment = models.CharField(_("investment"), max_length=10, choices=InvestmentKind.choices)
    our_share_percent = models.DecimalField(
        _("our share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2, null=True, blank=True)
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CoMarketingStatus.choices, default=CoMarketingStatus.IDEA
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-marketing action")
        verbose_name_plural = _("co-marketing actions")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.action


class AssetKind(models.TextChoices):
    BROCHURE = "brochure", _("Co-branded brochure")
    LOGO_PACK = "logo_pack", _("Logo pack")
    EMAIL_TEMPLATE = "email_template", _("E-mail template")
    CASE_STUDY = "case_study", _("Case study")
    PRICE_LIST = "price_list", _("Price list")
    BANNER = "banner", _("Banner")
    TEXT_LINK = "text_link", _("Text link")
    COMPARISON = "comparison", _("Product comparison")


class AssetAudience(models.TextChoices):
    PARTNERS = "partners", _("Partners")
    AFFILIATES = "affiliates", _("Affiliates")
    BOTH = "both", _("Partners and affiliates")


class Asset(models.Model):
    """A file or text in the toolkit. Files are checked for type and size when uploaded."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    audience = models.CharField(
        _("for"), max_length=12, choices=AssetAudience.choices, default=AssetAudience.BOTH
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="assets/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("toolkit item")
        verbose_name_plural = _("toolkit items")
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title
