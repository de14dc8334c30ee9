"""The demo programme (seed 004): a structural engineering bureau with its contractors, architects, estate
agents and two bloggers.

Seed 004 is the partnership strategy of a constructiebureau, so its programme lives in an organisation of its
own, "Constructiebureau Stevig", next to the Tinnitracks demo (seed 000 is a medical app: contractors and
estate agents do not fit it). The demo owner is a member of both.

What it holds: contractors across the four tiers by their projects of the last 12 months (Platinum,
Gold, Silver, Bronze, and one still in onboarding), architects and estate agents with referrals (won, open
and lost), NPS scores, co-marketing actions from the seed's table, toolkit texts and banners, and the blogger
"Thuis & Tuin" with a link, a coupon, clicks over 90 days, first orders with commissions (some approved, an
earlier month paid) and a payout due. `load(owner, viewer)` is called by `seed_demo` and is safe to run
again: an organisation that exists is left as the user made it.
"""

import datetime
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from PIL import Image, ImageDraw

from affiliates.ledger import booking, payouts
from affiliates.models import (
    Affiliate,
    Asset,
    AssetAudience,
    AssetKind,
    Click,
    CoMarketingAction,
    Commission,
    CommissionKind,
    NpsScore,
    OnboardingStep,
    OnboardingTask,
    PortalLink,
    Project,
    ProjectSource,
    Referral,
    ReferralStatus,
)
from affiliates.programme.rules import programme_for
from affiliates.tiers import reviews, standings
from partnerhub import services as partner_services
from partnerhub.models import Membership, Organisation, PartnerCategory, PartnerStatus
from partnerhub.tokens import token_hash

SLUG = "stevig"
NAME = "Constructiebureau Stevig"
# A public demo link to the blogger's portal, printed on purpose like the demo password.
PORTAL_TOKEN = "demo-portaal-thuis-en-tuin-2026"  # noqa: S105

# name, category, projects in the last 12 months, average value, on-time share, paid-on-time share
PARTNERS = [
    ("Bouwbedrijf De Vries", PartnerCategory.CONTRACTOR, 104, 820, 0.97, 0.95),
    ("Aannemersbedrijf Jansen", PartnerCategory.CONTRACTOR, 57, 760, 0.93, 0.92),
    ("Van den Berg Bouw", PartnerCategory.CONTRACTOR, 31, 640, 0.96, 0.84),
    ("Klusbedrijf Smit", PartnerCategory.CONTRACTOR, 12, 540, 0.88, 0.91),
    ("Renovatie Mulder", PartnerCategory.CONTRACTOR, 2, 700, 1.0, 1.0),
    ("Architectenbureau Lijnwerk", PartnerCategory.ARCHITECT, 8, 1150, 1.0, 1.0),
    ("Studio Vorm Architecten", PartnerCategory.ARCHITECT, 3, 980, 1.0, 1.0),
    ("Makelaardij Bakker", PartnerCategory.ESTATE_AGENT, 0, 0, 0, 0),
    ("Huis & Haard Makelaars", PartnerCategory.ESTATE_AGENT, 0, 0, 0, 0),
    ("Bouwmarkt Hoekstra", PartnerCategory.RESELLER, 0, 0, 0, 0),
    ("Gemeente Utrecht", PartnerCategory.GOVERNMENT, 0, 0, 0, 0),
    ("Verbouwblog Thuis & Tuin", PartnerCategory.OTHER, 0, 0, 0, 0),
    ("Klusvlog Bas", PartnerCategory.OTHER, 0, 0, 0, 0),
]

# The scores customers give each contractor (0-10): De Vries well above the NPS target of 60, Smit below.
NPS_SCALE = {
    "Bouwbedrijf De Vries": [10, 10, 10, 9, 9, 9, 9, 8],
    "Aannemersbedrijf Jansen": [10, 9, 9, 9, 8, 8, 7],
    "Van den Berg Bouw": [10, 9, 9, 8, 8, 7, 6],
    "Klusbedrijf Smit": [9, 8, 7, 6, 5],
}

# partner, lead, status
REFERRALS = [
    ("Makelaardij Bakker", "Familie Koster, Herenweg 12", ReferralStatus.WON),
    ("Makelaardij Bakker", "J. de Graaf, Lindelaan 4", ReferralStatus.WON),
    ("Makelaardij Bakker", "M. Peters, Kerkstraat 88", ReferralStatus.QUALIFIED),
    ("Makelaardij Bakker", "Familie Yilmaz, Dorpsweg 3", ReferralStatus.NEW),
    ("Huis & Haard Makelaars", "S. Hendriks, Parkweg 19", ReferralStatus.WON),
    ("Huis & Haard Makelaars", "R. Vos, Molenstraat 7", ReferralStatus.LOST),
    ("Huis & Haard Makelaars", "A. Dekker, Beukenlaan 21", ReferralStatus.NEW),
]

# Seed 004, section 5.1: partner, action, investment, our share / amount / hours, status
COMARKETING = [
    (
        "Aannemersbedrijf Jansen",
        "Gezamenlijke beursstand Vakbeurs Bouw",
        "split",
        Decimal("50"),
        Decimal("2400"),
        None,
    ),
    ("Architectenbureau Lijnwerk", "Webinar 'Constructief verbouwen'", "time", None, None, 16),
    ("Bouwmarkt Hoekstra", "Flyers in de winkel", "amount", None, Decimal("500"), None),
    ("Gemeente Utrecht", "Informatiebijeenkomst voor huiseigenaren", "time", None, None, 8),
]

TEXTS = [
    (
        AssetKind.TEXT_LINK,
        "Tekstlink: constructieberekening in 5 werkdagen",
        "Constructieberekening nodig voor je verbouwing? Constructiebureau Stevig levert in 5 werkdagen.",
    ),
    (
        AssetKind.EMAIL_TEMPLATE,
        "E-mail aan een klant die gaat verbouwen",
        "Beste {naam},\n\nVoor het doorbreken van een draagmuur is een constructieberekening nodig. "
        "Constructiebureau Stevig levert die snel en zonder afwijzing door de gemeente.\n\n"
        "Met vriendelijke groet,",
    ),
    (
        AssetKind.COMPARISON,
        "Vergelijking: zelf rekenen, ingenieur of Stevig",
        "Doorlooptijd, prijs en kans op goedkeuring door de gemeente naast elkaar.",
    ),
]
BANNERS = [(728, 90), (300, 250), (160, 600)]


def load(owner, viewer=None):
    """Create the demo programme once; return the organisation (an existing one is left alone)."""
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is not None:
        return organisation, False
    with transaction.atomic(), translation.override("nl"):
        organisation = Organisation.objects.create(name=NAME, slug=SLUG)
        Membership.objects.create(organisation=organisation, user=owner, role="owner")
        if viewer is not None:
            Membership.objects.create(organisation=organisation, user=viewer, role="viewer")
        _load(organisation, owner, random.Random(2026))  # noqa: S311 - demo data, not security
    return organisation, True


def _load(organisation, owner, rng):
    today = timezone.localdate()
    programme = programme_for(organisation)
    programme.home_url = "https://www.stevig-constructie.nl/"
    programme.landing_urls = "https://www.stevig-constructie.nl/\nhttps://shop.stevig-constructie.nl/"
    programme.debtor_name = NAME
    programme.debtor_iban = "NL91ABNA0417164300"
    programme.debtor_bic = "ABNANL2A"
    programme.save()

    partners = {}
    for name, category, *_rest in PARTNERS:
        partners[name] = partner_services.partner_create(
            organisation=organisation,
            actor=owner,
            name=name,
            category=category,
            status=PartnerStatus.PROSPECT if name == "Renovatie Mulder" else PartnerStatus.ACTIVE,
            website=f"https://www.{slugify(name)}.example/",
        )

    projects = []
    for name, _category, count, average, on_time, paid in PARTNERS:
        for n in range(count):
            projects.append(
                Project(
                    organisation=organisation,
                    partner=partners[name],
                    customer_reference=f"{slugify(name)[:10].upper()}-{n + 1:03d}",
                    value=Decimal(round(rng.gauss(average, average * 0.25), 2)).quantize(Decimal("0.01")),
                    date=today - datetime.timedelta(days=rng.randrange(1, 360)),
                    delivered_on_time=rng.random() < on_time,
                    paid_on_time=rng.random() < paid,
                    created_by=owner,
                )
            )
    Project.objects.bulk_create(projects)

    for name in NPS_SCALE:
        for _ in range(12):
            NpsScore.objects.create(
                organisation=organisation,
                partner=partners[name],
                score=rng.choice(NPS_SCALE[name]),
                date=today - datetime.timedelta(days=rng.randrange(1, 300)),
            )

    _load_referrals(organisation, owner, partners)
    _load_onboarding(organisation, owner, partners["Renovatie Mulder"], today)
    for partner_name, action, investment, share, amount, hours in COMARKETING:
        CoMarketingAction.objects.create(
            organisation=organisation,
            partner=partners[partner_name],
            action=action,
            investment=investment,
            our_share_percent=share,
            amount=amount,
            hours=hours,
            date=today + datetime.timedelta(days=rng.randrange(10, 90)),
            status="planned",
        )
    _load_assets(organisation, owner)
    _load_affiliates(organisation, partners, rng, today)
    _load_tiers_and_reviews(organisation, today)


def _load_referrals(organisation, owner, partners):
    for days_ago, (partner_name, lead, status) in zip(range(70, 0, -9), REFERRALS, strict=False):
        registered = timezone.now() - datetime.timedelta(days=days_ago)
        referral = Referral.objects.create(
            organisation=organisation,
            partner=partners[partner_name],
            lead_name=lead,
            status=status,
            lost_reason="Koper zag af van de verbouwing" if status == ReferralStatus.LOST else "",
            status_changed_at=timezone.now(),
            created_by=owner,
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=registered)
        if status == ReferralStatus.WON:
            fee, _new = booking.referral_fee_accrue(referral=referral)
            Commission.objects.filter(pk=fee.pk).update(created_at=registered + datetime.timedelta(days=5))


def _load_onboarding(organisation, owner, partner, today):
    start = today - datetime.timedelta(days=9)
    for position, step in enumerate(OnboardingStep.objects.filter(organisation=organisation)):
        due = start + datetime.timedelta(days=(step.due_week - 1) * 7 + 4)
        OnboardingTask.objects.create(
            organisation=organisation,
            partner=partner,
            phase=step.phase,
            title=step.title,
            due_date=due,
            owner=owner,
            position=position,
            done_at=timezone.now() if step.due_week == 1 else None,
        )


def _load_assets(organisation, owner):

    for kind, title, text in TEXTS:
        Asset.objects.create(
            organisation=organisation,
            kind=kind,
            title=title,
            text=text,
            audience=AssetAudience.BOTH,
            created_by=owner,
        )
    for width, height in BANNERS:
        image = Image.new("RGB", (width, height), "#0f766e")
        draw = ImageDraw.Draw(image)
        draw.rectangle([4, 4, width - 5, height - 5], outline="#f59e0b", width=3)
        draw.text((12, 12), "Constructiebureau Stevig", fill="white")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        asset = Asset(
            organisation=organisation,
            kind=AssetKind.BANNER,
            title=f"Banner {width}×{height}",
            audience=AssetAudience.AFFILIATES,
            content_type="image/png",
            size=buffer.tell(),
            width=width,
            height=height,
            created_by=owner,
        )
        asset.file.save(f"banner-{width}x{height}.png", ContentFile(buffer.getvalue()), save=True)


def _load_affiliates(organisation, partners, rng, today):
    """The two bloggers: clicks over 90 days; first orders through link or coupon, with commissions."""
    blog = Affiliate.objects.create(
        organisation=organisation,
        partner=partners["Verbouwblog Thuis & Tuin"],
        code="thuisentuin",
        coupon_code="THUIS10",
        email="redactie@thuisentuin.example",
        customer_reference="THUISENTUIN",
        account_holder="Thuis & Tuin Media",
        iban="NL02ABNA0123456789",
    )
    vlog = Affiliate.objects.create(
        organisation=organisation,
        partner=partners["Klusvlog Bas"],
        code="klusvlog-bas",
        coupon_code="BAS5",
        email="bas@klusvlog.example",
        account_holder="B. de Klusser",
        iban="NL20INGB0001234567",
    )
    link = PortalLink(affiliate=blog, expires_at=timezone.now() + datetime.timedelta(days=365))
    link.token_hash = token_hash(PORTAL_TOKEN)
    link.save()

    now = timezone.now()
    for affiliate, total in ((blog, 420), (vlog, 60)):
        Click.objects.bulk_create(
            Click(
                organisation=organisation,
                affiliate=affiliate,
                click_id=f"demo{affiliate.pk:04d}{n:024d}",
                created_at=now - datetime.timedelta(minutes=rng.randrange(90 * 24 * 60)),
                landing="https://www.stevig-constructie.nl/",
                utm_source=affiliate.code,
                utm_medium="blog",
                utm_campaign=rng.choice(["draagmuur", "aanbouw", "dakkapel"]),
                source_hash=f"demo{affiliate.pk}-{n}",
                user_agent="Mozilla/5.0",
                dedup_bucket=n,
            )
            for n in range(total)
        )

    for affiliate, orders in ((blog, 14), (vlog, 2)):
        ordered = list(Click.objects.filter(affiliate=affiliate).order_by("created_at"))
        clicks = ordered[:: max(1, len(ordered) // orders)][:orders]  # spread over the 90 days
        for n, click in enumerate(clicks):
            project = Project.objects.create(
                organisation=organisation,
                partner=affiliate.partner,
                customer_reference=f"WEB-{affiliate.pk}-{n + 1:03d}",
                value=Decimal(rng.randrange(45000, 120000)) / 100,
                date=min(
                    today, timezone.localdate(click.created_at) + datetime.timedelta(days=rng.randrange(0, 5))
                ),
                source=ProjectSource.API,
                attribution="coupon" if n % 4 == 3 else "click",
                click=None if n % 4 == 3 else click,
                delivered_on_time=True,
                paid_on_time=True,
            )
            line = booking.commission_create(
                project=project, percent=organisation.programme_settings.commission_percent
            )
            ordered_at = timezone.make_aware(datetime.datetime.combine(project.date, datetime.time(12)))
            Commission.objects.filter(pk=line.pk).update(created_at=ordered_at)  # as if reported that day

    _paid_month(organisation, blog, today)
    payouts.approve_due_commissions(organisation=organisation, today=today)  # the rest: the payout due


def _paid_month(organisation, affiliate, today):
    """The batch of two months ago, through the payout services: the blogger's four oldest commissions
    approved, batched and paid. Last month's batch is still to be made: the demo's payout due."""
    oldest = Commission.objects.filter(partner=affiliate.partner, kind=CommissionKind.COMMISSION).order_by(
        "created_at", "pk"
    )[:4]
    payouts.commissions_approve(
        organisation=organisation, commission_ids=[line.pk for line in oldest], actor=None
    )
    two_months_ago = (today.replace(day=1) - datetime.timedelta(days=32)).replace(day=1)
    batch = payouts.payout_batch_create(organisation=organisation, month=two_months_ago).batch
    paid_at = timezone.make_aware(
        datetime.datetime.combine(two_months_ago, datetime.time(9))
    ) + datetime.timedelta(days=35)
    payouts.payout_batch_mark_paid(batch=batch, actor=None, now=paid_at)


def _load_tiers_and_reviews(organisation, today):

    standings.tiers_evaluate_organisation(organisation, notify=False)
    reviews.reviews_draft_all(organisation, reviews.previous_quarter_start(today))
