"""The partner and affiliate programme (seed 004): one module per sub-domain, the same words as the
sub-packages (programme, tracking, tiers, people, ledger), re-exported here."""

from affiliates.models.ledger import (
    Commission,
    CommissionKind,
    CommissionStatus,
    Payout,
    PayoutBatch,
    PayoutStatus,
    PortalLink,
)
from affiliates.models.people import (
    Asset,
    AssetAudience,
    AssetKind,
    CoMarketingAction,
    CoMarketingStatus,
    InvestmentKind,
    NpsRequest,
    NpsScore,
    NpsSource,
    OnboardingStep,
    OnboardingTask,
    Referral,
    ReferralStatus,
)
from affiliates.models.programme import (
    Affiliate,
    ProgrammeSettings,
)
from affiliates.models.tiers import (
    Attribution,
    Project,
    ProjectSource,
    QuarterlyReview,
    ReviewStatus,
    Tier,
    TierChange,
    TierChangeKind,
    TierStanding,
)
from affiliates.models.tracking import (
    ApiKey,
    Click,
    ClickMonth,
)

__all__ = [
    "Affiliate",
    "ApiKey",
    "Asset",
    "AssetAudience",
    "AssetKind",
    "Attribution",
    "Click",
    "ClickMonth",
    "CoMarketingAction",
    "CoMarketingStatus",
    "Commission",
    "CommissionKind",
    "CommissionStatus",
    "InvestmentKind",
    "NpsRequest",
    "NpsScore",
    "NpsSource",
    "OnboardingStep",
    "OnboardingTask",
    "Payout",
    "PayoutBatch",
    "PayoutStatus",
    "PortalLink",
    "ProgrammeSettings",
    "Project",
    "ProjectSource",
    "QuarterlyReview",
    "Referral",
    "ReferralStatus",
    "ReviewStatus",
    "Tier",
    "TierChange",
    "TierChangeKind",
    "TierStanding",
]
