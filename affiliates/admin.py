from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from affiliates.models import (
    Affiliate,
    ApiKey,
    Asset,
    Click,
    ClickDay,
    ClickMonth,
    ClickRollup,
    CoMarketingAction,
    Commission,
    NpsRequest,
    NpsScore,
    OnboardingStep,
    OnboardingTask,
    Payout,
    PayoutBatch,
    PortalLink,
    ProgrammeSettings,
    Project,
    QuarterlyReview,
    Referral,
    Tier,
    TierChange,
    TierStanding,
)
from partnerhub.admin import RecordAdmin, ScopedAdmin, iban_tail

# Who brings business


@admin.register(Affiliate)
class AffiliateAdmin(ScopedAdmin):
    list_display = [
        "code",
        "partner",
        "organisation",
        "coupon_code",
        "email",
        "commission_percent",
        "account",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = [
        "code",
        "coupon_code",
        "email",
        "customer_reference",
        "partner__name",
        "account_holder",
        "iban",
    ]
    list_select_related = ["partner", "organisation"]
    raw_id_fields = ["organisation", "partner"]
    # Where the money goes is changed in the product, where it is checked and recorded.
    readonly_fields = ["account_holder", "iban"]
    date_hierarchy = "created_at"

    @admin.display(description=_("IBAN"), ordering="iban")
    def account(self, affiliate):
        return iban_tail(affiliate.iban)


@admin.register(PortalLink)
class PortalLinkAdmin(ScopedAdmin):
    organisation_path = "affiliate__organisation"
    list_display = ["affiliate", "organisation", "created_at", "expires_at", "revoked_at", "last_seen_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["affiliate__code", "affiliate__partner__name"]
    list_select_related = ["affiliate__organisation"]
    raw_id_fields = ["affiliate", "created_by"]
    exclude = ["token_hash"]
    readonly_fields = ["last_seen_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("organisation"), ordering="affiliate__organisation__name")
    def organisation(self, link):
        return link.affiliate.organisation


@admin.register(Click)
class ClickAdmin(RecordAdmin):
    # Clicks are the evidence a commission is attributed on.
    list_display = [
        "click_id",
        "affiliate",
        "organisation",
        "created_at",
        "landing",
        "utm_source",
        "utm_campaign",
    ]
    list_filter = ["utm_source", "utm_medium"]
    search_fields = ["click_id", "affiliate__code", "utm_source", "utm_campaign", "landing"]
    list_select_related = ["affiliate", "organisation"]
    date_hierarchy = "created_at"


@admin.register(ClickDay)
class ClickDayAdmin(RecordAdmin):
    # The clicks of a closed day, counted again from the clicks by the hourly roll-up, never by hand.
    list_display = ["affiliate", "organisation", "day", "clicks"]
    search_fields = ["affiliate__code", "affiliate__partner__name"]
    list_select_related = ["affiliate", "organisation"]
    date_hierarchy = "day"


@admin.register(ClickRollup)
class ClickRollupAdmin(RecordAdmin):
    # How far the roll-up has counted: the days before `open_from`, the clicks up to `through`.
    list_display = ["organisation", "open_from", "through", "rolled_up_at"]
    list_select_related = ["organisation"]


@admin.register(ClickMonth)
class ClickMonthAdmin(RecordAdmin):
    # What is kept of clicks once they are removed: counted by the retention, never by hand.
    list_display = ["affiliate", "organisation", "month", "clicks"]
    search_fields = ["affiliate__code", "affiliate__partner__name"]
    list_select_related = ["affiliate", "organisation"]
    date_hierarchy = "month"


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    # Orders and projects are what commissions are earned on.
    list_display = [
        "customer_reference",
        "partner",
        "organisation",
        "value",
        "date",
        "source",
        "attribution",
        "refunded_at",
    ]
    list_filter = ["source", "attribution", "refunded_at"]
    search_fields = ["customer_reference", "customer_email", "idempotency_key", "partner__name"]
    list_select_related = ["partner", "organisation"]
    date_hierarchy = "date"


@admin.register(Referral)
class ReferralAdmin(ScopedAdmin):
    list_display = ["lead_name", "partner", "organisation", "status", "created_at", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["lead_name", "lead_email", "lead_phone", "partner__name"]
    list_select_related = ["partner", "organisation"]
    raw_id_fields = ["organisation", "partner", "created_by"]
    # A won referral earns a fee: its status changes in the product, which books the fee with it.
    readonly_fields = ["status", "lost_reason", "status_changed_at"]
    date_hierarchy = "created_at"


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    list_display = [
        "name",
        "prefix",
        "organisation",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "last_used_at"]
    search_fields = ["name", "prefix", "organisation__name"]
    list_select_related = ["organisation", "created_by"]
    raw_id_fields = ["organisation", "created_by"]
    # Only the prefix: the key itself is shown once when it is made, and the hash never.
    exclude = ["key_hash"]
    readonly_fields = ["prefix", "last_used_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # a key is made in the product, which shows it to its maker once


# The ledger: records, never changed.


@admin.register(PayoutBatch)
class PayoutBatchAdmin(RecordAdmin):
    list_display = [
        "month",
        "organisation",
        "payout_count",
        "total",
        "message_id",
        "created_by",
        "created_at",
    ]
    search_fields = ["message_id", "organisation__name"]
    list_select_related = ["organisation", "created_by"]
    date_hierarchy = "month"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(payout_count=Count("payouts"), total=Sum("payouts__amount"))
        )

    @admin.display(description=_("payouts"), ordering="payout_count")
    def payout_count(self, batch):
        return batch.payout_count

    @admin.display(description=_("amount"), ordering="total")
    def total(self, batch):
        return batch.total


@admin.register(Payout)
class PayoutAdmin(RecordAdmin):
    list_display = [
        "partner",
        "batch",
        "organisation",
        "amount",
        "account_holder",
        "account",
        "status",
        "paid_at",
        "end_to_end_id",
    ]
    list_filter = ["status", "paid_at"]
    search_fields = ["partner__name", "account_holder", "iban", "end_to_end_id", "batch__message_id"]
    list_select_related = ["partner", "batch", "organisation"]
    date_hierarchy = "paid_at"

    @admin.display(description=_("IBAN"), ordering="iban")
    def account(self, payout):
        return iban_tail(payout.iban)


@admin.register(Commission)
class CommissionAdmin(RecordAdmin):
    list_display = [
        "id",
        "partner",
        "organisation",
        "kind",
        "status",
        "amount",
        "base_amount",
        "created_at",
        "approved_at",
        "paid_at",
        "payout",
    ]
    list_filter = ["kind", "status", "approved_at", "paid_at"]
    search_fields = [
        "description",
        "partner__name",
        "project__customer_reference",
        "referral__lead_name",
        "rejected_reason",
    ]
    list_select_related = ["partner", "organisation", "payout__partner"]
    date_hierarchy = "created_at"


# How partners are looked after


@admin.register(CoMarketingAction)
class CoMarketingActionAdmin(ScopedAdmin):
    list_display = [
        "action",
        "partner",
        "organisation",
        "investment",
        "our_share_percent",
        "amount",
        "hours",
        "date",
        "status",
    ]
    list_filter = ["status", "investment"]
    search_fields = ["action", "partner__name", "notes"]
    list_select_related = ["partner", "organisation"]
    raw_id_fields = ["organisation", "partner"]
    date_hierarchy = "date"


@admin.register(Asset)
class AssetAdmin(ScopedAdmin):
    list_display = ["title", "organisation", "kind", "audience", "content_type", "size", "created_at"]
    list_filter = ["kind", "audience"]
    search_fields = ["title", "text", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "created_by"]
    # Files are checked for type and size when they are uploaded in the product.
    readonly_fields = ["file", "content_type", "size", "width", "height"]
    date_hierarchy = "created_at"


@admin.register(NpsScore)
class NpsScoreAdmin(ScopedAdmin):
    list_display = ["partner", "organisation", "score", "source", "date", "project"]
    list_filter = ["source", "score"]
    search_fields = ["partner__name", "comment", "project__customer_reference"]
    list_select_related = ["partner", "organisation", "project"]
    raw_id_fields = ["organisation", "partner", "project"]
    date_hierarchy = "date"


@admin.register(NpsRequest)
class NpsRequestAdmin(ScopedAdmin):
    list_display = [
        "partner",
        "organisation",
        "email",
        "created_at",
        "answered_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["answered_at"]
    search_fields = ["email", "partner__name", "project__customer_reference"]
    list_select_related = ["partner", "organisation"]
    raw_id_fields = ["organisation", "partner", "project", "score"]
    exclude = ["token_hash"]
    readonly_fields = ["answered_at", "score"]
    date_hierarchy = "created_at"


@admin.register(OnboardingStep)
class OnboardingStepAdmin(ScopedAdmin):
    list_display = ["title", "phase", "due_week", "position", "organisation"]
    list_filter = ["phase"]
    search_fields = ["title", "phase", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]


@admin.register(OnboardingTask)
class OnboardingTaskAdmin(ScopedAdmin):
    list_display = ["title", "partner", "organisation", "phase", "due_date", "owner", "done_at"]
    list_filter = ["phase", "done_at"]
    search_fields = ["title", "partner__name", "owner__email"]
    list_select_related = ["partner", "organisation", "owner"]
    raw_id_fields = ["organisation", "partner", "owner"]
    date_hierarchy = "due_date"


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(ScopedAdmin):
    list_display = ["partner", "organisation", "quarter_start", "status", "updated_at"]
    list_filter = ["status", "quarter_start"]
    search_fields = ["partner__name"]
    list_select_related = ["partner", "organisation"]
    raw_id_fields = ["organisation", "partner", "document"]
    readonly_fields = ["figures"]
    date_hierarchy = "quarter_start"


# The programme's rules and tiers


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(ScopedAdmin):
    list_display = [
        "organisation",
        "referral_fee",
        "commission_percent",
        "minimum_payout",
        "hold_days",
        "updated_at",
    ]
    search_fields = ["organisation__name", "debtor_name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    # The paying account is changed in the product, where an owner's second factor guards it.
    readonly_fields = ["debtor_name", "debtor_iban", "debtor_bic"]

    def has_add_permission(self, request):
        return False  # made with the programme's defaults on first use


@admin.register(Tier)
class TierAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "min_projects", "discount_percent", "benefits"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]


@admin.register(TierStanding)
class TierStandingAdmin(RecordAdmin):
    # A partner's tier is set by the evaluation or by hand in the product, which writes the history.
    list_display = ["partner", "organisation", "tier", "project_count", "evaluated_at", "is_override"]
    list_filter = ["tier", "is_override"]
    search_fields = ["partner__name", "override_reason"]
    list_select_related = ["partner", "organisation", "tier"]


@admin.register(TierChange)
class TierChangeAdmin(RecordAdmin):
    list_display = [
        "partner",
        "organisation",
        "previous_name",
        "tier_name",
        "kind",
        "project_count",
        "actor",
        "created_at",
    ]
    list_filter = ["kind"]
    search_fields = ["partner__name", "reason", "previous_name", "tier_name"]
    list_select_related = ["partner", "organisation", "actor"]
    date_hierarchy = "created_at"
