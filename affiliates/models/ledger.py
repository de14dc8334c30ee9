"""The ledger: what partners earned and what they were paid.

Every line is a `Commission`: an affiliate's commission on a first order, a referral fee for a won referral,
or a correction (a claw-back after a refund of a paid order: a negative line). A line goes pending → approved
→ paid, or pending/approved → rejected with a reason. Once paid a line never changes: corrections are new
lines. A `PayoutBatch` is one month's run; it holds one `Payout` per partner whose approved balance
reached the minimum, and is exported as a SEPA credit-transfer file and as CSV.

`PortalLink`: the token link through which an affiliate reads its figures and balances.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.people import Referral
from affiliates.models.programme import Affiliate
from affiliates.models.tiers import Project
from partnerhub.models import Organisation, Partner
from partnerhub.tokens import TokenModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class CommissionKind(models.TextChoices):
    COMMISSION = "commission", _("Commission")
    REFERRAL_FEE = "referral_fee", _("Referral fee")
    CORRECTION = "correction", _("Correction")


class CommissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class PayoutStatus(models.TextChoices):
    OPEN = "open", _("To be paid")
    PAID = "paid", _("Paid")


class PayoutBatch(models.Model):
    """One month's payout run of an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="payout_batches")
    month = models.DateField(_("month"), help_text=_("The first day of the month the batch pays for."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message_id = models.CharField(max_length=35, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="payout_batch_once_a_month"),
        ]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class Payout(models.Model):
    """What one partner is paid in a batch: the sum of its approved lines, with the account paid to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(_("amount"), **MONEY)
    account_holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.OPEN)
    paid_at = models.DateTimeField(null=True, blank=True)
    end_to_end_id = models.CharField(max_length=35, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["batch", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "partner"], name="payout_once_per_batch"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.partner} {self.amount}"


class Commission(models.Model):
    """One ledger line."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="commissions")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="commissions")
    kind = models.CharField(_("kind"), max_length=15, choices=CommissionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.PENDING
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    base_amount = models.DecimalField(_("order value"), **MONEY, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="commissions"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="commissions"
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    approve_after = models.DateField(_("approved from"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_reason = models.CharField(_("reason"), max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(kind="referral_fee"),
                name="commission_one_fee_per_referral",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(kind="commission"),
                name="commission_one_per_project",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CommissionStatus.values), name="commission_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="correction") | models.Q(amount__gte=0),
                name="commission_only_corrections_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejected_reason=""),
                name="commission_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="commission_org_status_idx"),
            models.Index(fields=["partner", "status"], name="commission_partner_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


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
