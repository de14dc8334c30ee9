"""Co-marketing actions (seed 004, section 5) and the asset library of the partner toolkit (2.2, 4.2)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.models import Organisation, Partner


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
